import { css } from 'lit';
import { baseStyles } from '../shared/base.styles.ts';

export const styles = [
  baseStyles,
  css`
    fieldset {
      border: 1px solid var(--mpp-border, #334155);
      border-radius: 8px;
      margin: 0 0 0.6rem;
      padding: 0.4rem 0.6rem 0.6rem;
      min-width: 0;
    }
    legend {
      font-weight: 600;
      padding: 0 0.3rem;
    }
    /* A label and its select stay inside the panel at 390 px: the select gives up width. */
    label {
      display: inline-flex;
      align-items: center;
      gap: 0.3rem;
      max-width: 100%;
    }
    label.grow {
      flex: 1;
    }
    label.grow input {
      flex: 1;
      min-width: 0;
    }
    select {
      max-width: 100%;
      min-width: 0;
      text-overflow: ellipsis;
    }
    input[type='number'] {
      width: 5.5rem;
    }
    .row {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.4rem;
      margin: 0.3rem 0;
    }
    .row .cmd {
      flex: 1;
      min-width: 12rem;
      margin: 0;
    }
    .grid {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr));
      gap: 0.4rem;
      margin: 0.4rem 0;
    }
    .util {
      display: flex;
      flex-direction: column;
      align-items: flex-start;
      text-align: left;
      gap: 0.1rem;
    }
    .util .muted {
      font-size: 0.72rem;
      /* On the button's blue, the panel's grey is too faint to read. */
      color: var(--mpp-button-fg, #f0f9ff);
      opacity: 0.85;
    }
    .output-head {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 0.5rem;
      margin-bottom: 0.3rem;
    }
    .output-head .cmd {
      min-width: 0;
    }
    .output pre {
      margin: 0;
      max-height: min(24rem, 50vh);
      overflow: auto;
      /* A terminal's output: its columns (gpstate -m, -s) line up and scroll, never wrap. */
      white-space: pre;
      background: var(--mpp-input-bg, #020617);
      padding: 0.4rem;
      border-radius: 6px;
    }
    /* The whole output, wide and tall, its columns kept in line (never wrapped). */
    dialog.full-output {
      width: min(100rem, 96vw);
      height: 90vh;
      max-width: none;
      max-height: none;
      padding: 0.6rem;
      background: var(--mpp-panel-bg, #111c33);
      color: var(--mpp-fg, #e2e8f0);
      border: 1px solid var(--mpp-border, #334155);
      border-radius: 8px;
    }
    dialog.full-output[open] {
      display: flex;
      flex-direction: column;
    }
    dialog.full-output::backdrop {
      background: rgba(2, 6, 23, 0.7);
    }
    dialog.full-output form {
      margin: 0;
    }
    .output dialog.full-output pre {
      flex: 1;
      max-height: none;
      white-space: pre;
      overflow-wrap: normal;
    }
    /* At phone width a line scrolled sideways shows only its prefix (prog:host:user-[LEVEL]:-):
       wrap there, as a narrow terminal does. */
    @media (max-width: 600px) {
      .output pre {
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
    }
  `,
];
