import { css } from 'lit';
import { baseStyles } from '../shared/base.styles.ts';

export const styles = [
  baseStyles,
  css`
    .tabs {
      display: flex;
      flex-wrap: wrap;
      gap: 0.25rem;
      margin-bottom: 0.3rem;
    }
    .tabs button {
      font-family: var(--mpp-mono, ui-monospace, monospace);
      font-size: 0.75rem;
    }
    .tabs button.active {
      border-color: var(--mpp-accent, #38bdf8);
      background: var(--mpp-button-bg, #0c4a6e);
    }
    .asof,
    .foot {
      font-size: 0.72rem;
      margin: 0.2rem 0;
    }
    .scroll {
      max-height: 16rem;
    }
    td {
      font-family: var(--mpp-mono, ui-monospace, monospace);
      font-size: 0.75rem;
    }
    tr.crashed td,
    tr.down td {
      color: var(--mpp-down, #f87171);
    }
    tr.down td {
      font-weight: 700;
    }
  `,
];
