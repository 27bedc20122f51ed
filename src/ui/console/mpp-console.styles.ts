import { css } from 'lit';
import { baseStyles } from '../shared/base.styles.ts';

export const styles = [
  baseStyles,
  css`
    .bar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem;
      margin: 0.3rem 0;
    }
    .bar label {
      display: inline-flex;
      gap: 0.3rem;
      align-items: center;
      min-width: 0;
      max-width: 100%;
    }
    .bar select {
      min-width: 0;
      max-width: min(22rem, 100%);
      flex: 1 1 auto;
    }
    .hint {
      margin-left: auto;
      font-size: 0.75rem;
    }
    textarea {
      display: block;
      width: 100%;
      resize: vertical;
      min-height: 5rem;
      font-family: var(--mpp-mono, ui-monospace, SFMono-Regular, Menlo, Consolas, monospace);
      font-size: 0.82rem;
      line-height: 1.4;
    }
    .results {
      max-height: var(--mpp-console-results-height, 26rem);
      overflow: auto;
    }
    /* Older runs step back with a rule at their side, not by fading (faded text is unreadable). */
    .run-block.older {
      border-left: 3px solid var(--mpp-border, #334155);
      padding-left: 0.5rem;
    }
    .run-block + .run-block {
      border-top: 1px dashed var(--mpp-border, #334155);
      margin-top: 0.5rem;
    }
    .outcome {
      margin: 0.4rem 0;
    }
    .table-wrap {
      max-height: 16rem;
    }
    pre.plan {
      margin: 0.2rem 0;
      padding: 0.4rem 0.5rem;
      background: var(--mpp-input-bg, #020617);
      border: 1px solid var(--mpp-border, #334155);
      border-radius: 6px;
      overflow: auto;
      white-space: pre;
      line-height: 1.35;
    }
    td.num {
      text-align: right;
      font-variant-numeric: tabular-nums;
    }
    td.null {
      color: var(--mpp-muted, #94a3b8);
      font-style: italic;
    }
    .tag {
      margin: 0.2rem 0;
      font-size: 0.75rem;
    }
    .notice {
      margin: 0.2rem 0;
      color: var(--mpp-accent, #38bdf8);
      /* Each notice carries its own severity and DETAIL lines, as psql prints them. */
      white-space: pre-wrap;
    }
    .err {
      border-left: 4px solid var(--mpp-down, #f87171);
      padding: 0.2rem 0.6rem;
      background: var(--mpp-down-bg, rgba(248, 113, 113, 0.12));
    }
    .err p {
      margin: 0.15rem 0;
    }
    .sqlstate code {
      font-weight: 700;
    }
    .tx {
      border-radius: 6px;
      padding: 0.15rem 0.5rem;
      font-size: 0.8rem;
      border: 1px solid;
    }
    .tx.open {
      color: var(--mpp-warn, #fbbf24);
    }
    .tx.failed {
      color: var(--mpp-down, #f87171);
    }
  `,
];
