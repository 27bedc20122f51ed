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
    label {
      display: inline-flex;
      align-items: center;
      gap: 0.3rem;
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
    .output pre {
      margin: 0;
      max-height: 12rem;
      overflow: auto;
      /* A terminal's output: its columns (gpstate -m, -s) line up and scroll, never wrap. */
      white-space: pre;
      background: var(--mpp-input-bg, #020617);
      padding: 0.4rem;
      border-radius: 6px;
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
