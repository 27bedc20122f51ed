import { css } from 'lit';
import { baseStyles } from '../shared/base.styles.ts';

export const styles = [
  baseStyles,
  css`
    figure {
      margin: 0;
    }
    figcaption {
      display: flex;
      align-items: baseline;
      gap: 0.3rem;
      font-size: 0.75rem;
      color: var(--mpp-muted, #94a3b8);
    }
    figcaption strong {
      color: var(--mpp-fg, #e2e8f0);
      font-size: 1rem;
      font-variant-numeric: tabular-nums;
    }
    .peak {
      margin-left: auto;
    }
    svg {
      display: block;
      width: 100%;
      height: 3rem;
      background: var(--mpp-input-bg, #020617);
      border-radius: 4px;
    }
    .line {
      fill: none;
      stroke: var(--mpp-accent, #38bdf8);
      stroke-width: 1.5;
      vector-effect: non-scaling-stroke;
    }
    /* A fault in force (the chart's accessible name counts these samples too). */
    .fault {
      fill: var(--mpp-fault-shade, rgba(251, 191, 36, 0.18));
    }
    .base {
      stroke: var(--mpp-border, #334155);
      vector-effect: non-scaling-stroke;
    }
    .mark {
      fill: var(--mpp-down, #f87171);
      opacity: 0.75;
    }
  `,
];
