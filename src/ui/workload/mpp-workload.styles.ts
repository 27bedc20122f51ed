import { css } from 'lit';
import { baseStyles } from '../shared/base.styles.ts';

export const styles = [
  baseStyles,
  css`
    .row {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem;
      margin: 0.3rem 0;
    }
    .row .cmd {
      flex: 1;
      min-width: 12rem;
      margin: 0;
    }
    label {
      display: inline-flex;
      align-items: center;
      gap: 0.3rem;
    }
    input[type='number'] {
      width: 4rem;
    }
    output {
      min-width: 2.5rem;
      font-variant-numeric: tabular-nums;
    }
    .health {
      margin: 0 0 0.3rem;
      font-weight: 600;
      padding: 0.2rem 0.5rem;
      border-radius: 6px;
      border: 1px solid var(--mpp-border, #334155);
    }
    .health.ok {
      color: var(--mpp-ok, #4ade80);
    }
    .health.failing,
    .health.stalled {
      color: var(--mpp-down, #f87171);
      border-color: var(--mpp-down, #f87171);
      background: var(--mpp-down-bg, rgba(248, 113, 113, 0.12));
    }
    .stats {
      display: grid;
      grid-template-columns: repeat(4, 1fr);
      gap: 0.4rem;
      margin: 0.4rem 0;
    }
    .stats div {
      background: var(--mpp-input-bg, #020617);
      border-radius: 6px;
      padding: 0.2rem 0.4rem;
    }
    dt {
      font-size: 0.7rem;
      color: var(--mpp-muted, #94a3b8);
    }
    dd {
      margin: 0;
      font-size: 1.05rem;
      font-variant-numeric: tabular-nums;
    }
    .charts {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr));
      gap: 0.5rem;
    }
    .legend {
      font-size: 0.72rem;
      margin: 0.2rem 0;
    }
    .swatch {
      display: inline-block;
      width: 0.7rem;
      height: 0.7rem;
      background: var(--mpp-down, #f87171);
      vertical-align: middle;
    }
    .swatch.fault {
      background: var(--mpp-fault-shade, rgba(251, 191, 36, 0.35));
    }
    .last-error {
      margin: 0.3rem 0;
    }
    .last-error .why {
      display: block;
      color: var(--mpp-fg, #e2e8f0);
      font-size: 0.78rem;
    }
    summary {
      cursor: pointer;
      margin: 0.3rem 0;
    }
  `,
];
