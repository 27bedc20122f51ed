import { css } from 'lit';
import { baseStyles } from '../shared/base.styles.ts';

export const styles = [
  baseStyles,
  css`
    .filters {
      display: flex;
      flex-wrap: wrap;
      gap: 0.3rem;
      align-items: center;
      margin-bottom: 0.4rem;
    }
    .chip {
      display: inline-flex;
      align-items: center;
      gap: 0.25rem;
      border: 1px solid var(--mpp-border, #334155);
      border-radius: 999px;
      padding: 0.05rem 0.5rem 0.05rem 0.3rem;
      /* At least 24 px to touch (WCAG 2.5.8): the whole chip is the checkbox's label. */
      min-height: 1.75rem;
      font-size: 0.75rem;
      cursor: pointer;
    }
    .chip.off {
      color: var(--mpp-muted, #94a3b8);
      border-style: dashed;
      text-decoration: line-through;
    }
    .chip input {
      margin: 0;
      width: 1rem;
      height: 1rem;
    }
    input[type='search'] {
      flex: 1;
      min-width: 8rem;
    }
    .events {
      list-style: none;
      margin: 0;
      padding: 0;
      max-height: var(--mpp-timeline-height, 20rem);
      overflow: auto;
    }
    .ev {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 0.4rem;
      padding: 0.2rem 0.3rem;
      border-bottom: 1px solid var(--mpp-border, #334155);
      border-left: 3px solid transparent;
    }
    .chips {
      display: flex;
      flex-wrap: wrap;
      gap: 0.3rem;
    }
    .ev.sev-critical {
      border-left-color: var(--mpp-down, #f87171);
    }
    .ev.sev-critical .kind,
    .sev-critical .sev {
      color: var(--mpp-down, #f87171);
    }
    .ev.sev-warning {
      border-left-color: var(--mpp-warn, #fbbf24);
    }
    .sev {
      font-size: 0.65rem;
      text-transform: uppercase;
      letter-spacing: 0.04em;
      color: var(--mpp-muted, #94a3b8);
    }
    .sev-warning .sev {
      color: var(--mpp-warn, #fbbf24);
    }
    .count {
      font-weight: 700;
      font-size: 0.75rem;
      border: 1px solid var(--mpp-border, #334155);
      border-radius: 999px;
      padding: 0 0.35rem;
    }
    .ev:focus-visible {
      outline-offset: -2px;
    }
    .hidden-count {
      font-size: 0.75rem;
      margin: 0.3rem 0 0;
    }
    .ev.cat-action {
      border-left-color: var(--mpp-accent, #38bdf8);
    }
    .ev.cat-recovery .kind,
    .ev.cat-ha .kind {
      color: var(--mpp-warn, #fbbf24);
    }
    time {
      color: var(--mpp-muted, #94a3b8);
      font-variant-numeric: tabular-nums;
      font-size: 0.75rem;
    }
    .dbid {
      padding: 0 0.35rem;
      font-size: 0.72rem;
    }
    .text {
      color: var(--mpp-muted, #94a3b8);
      overflow-wrap: anywhere;
      min-width: 0;
      flex: 1 1 12rem;
    }
    .gloss {
      flex: 1 1 100%;
      font-size: 0.75rem;
    }
  `,
];
