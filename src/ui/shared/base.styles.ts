import { css } from 'lit';

/**
 * Styles every lab component shares: panel chrome, buttons, focus rings, tables and the
 * reduced-motion rule. Colours come from the `--mpp-*` custom properties that
 * `<mpp-ha-lab>` defines (and an embedder may override).
 */
export const baseStyles = css`
  :host {
    display: block;
    color: var(--mpp-fg, #e2e8f0);
    font-family: var(--mpp-font, system-ui, sans-serif);
    font-size: 0.875rem;
    box-sizing: border-box;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  h2,
  h3 {
    margin: 0 0 0.5rem;
    font-size: 0.95rem;
    font-weight: 600;
    letter-spacing: 0.01em;
  }
  h3 {
    font-size: 0.85rem;
    color: var(--mpp-muted, #94a3b8);
  }
  button,
  select,
  input,
  textarea {
    font: inherit;
    color: inherit;
  }
  /* A control the keyboard moves to is scrolled into view below the lab's sticky jump bar. */
  button,
  select,
  input,
  textarea,
  a,
  summary,
  [tabindex] {
    scroll-margin-top: 3.5rem;
  }
  button {
    padding: 0.3rem 0.7rem;
    border-radius: 6px;
    border: 1px solid var(--mpp-accent, #38bdf8);
    background: var(--mpp-button-bg, #0c4a6e);
    color: var(--mpp-button-fg, #f0f9ff);
    cursor: pointer;
  }
  button:hover:not([disabled]) {
    filter: brightness(1.2);
  }
  button.danger {
    border-color: var(--mpp-down, #f87171);
    background: var(--mpp-danger-bg, #7f1d1d);
  }
  button.quiet {
    border-color: var(--mpp-border, #334155);
    background: transparent;
  }
  button[disabled] {
    opacity: 0.55;
    cursor: not-allowed;
  }
  select,
  input,
  textarea {
    background: var(--mpp-input-bg, #020617);
    border: 1px solid var(--mpp-border, #334155);
    border-radius: 6px;
    padding: 0.25rem 0.4rem;
  }
  /* The focus ring is its own colour (white by default), never the selection's pink nor the
     coordinator's yellow, with a dark halo so it shows on any background. */
  :focus-visible {
    outline: 3px solid var(--mpp-focus, #ffffff);
    outline-offset: 2px;
    box-shadow: 0 0 0 5px var(--mpp-bg, #0f172a);
  }
  code,
  pre,
  .mono {
    font-family: var(--mpp-mono, ui-monospace, SFMono-Regular, Menlo, Consolas, monospace);
    font-size: 0.8rem;
  }
  .muted {
    color: var(--mpp-muted, #94a3b8);
  }
  .note {
    color: var(--mpp-warn, #fbbf24);
    font-size: 0.78rem;
  }
  .cmd {
    display: block;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    background: var(--mpp-input-bg, #020617);
    border: 1px solid var(--mpp-border, #334155);
    border-radius: 6px;
    padding: 0.3rem 0.5rem;
    margin: 0.25rem 0;
  }
  .cmd::before {
    content: '$ ';
    color: var(--mpp-muted, #94a3b8);
  }
  .cmd.sql::before {
    content: '=# ';
  }
  .cmd.api::before {
    content: '» ';
  }
  table {
    border-collapse: collapse;
    width: 100%;
  }
  th,
  td {
    text-align: left;
    padding: 0.15rem 0.5rem;
    border-bottom: 1px solid var(--mpp-border, #334155);
    white-space: nowrap;
  }
  th {
    color: var(--mpp-muted, #94a3b8);
    font-weight: 600;
  }
  .scroll {
    overflow: auto;
  }
  .error {
    color: var(--mpp-down, #f87171);
  }
  .ok {
    color: var(--mpp-ok, #4ade80);
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  @media (prefers-reduced-motion: reduce) {
    *,
    *::before,
    *::after {
      animation: none !important;
      transition: none !important;
    }
  }
`;
