import { css } from 'lit';
import { baseStyles } from '../shared/base.styles.ts';

export const styles = [
  baseStyles,
  css`
    header {
      display: flex;
      justify-content: space-between;
      align-items: center;
    }
    .cols {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr));
      gap: 1rem;
    }
    .kv th {
      width: 9rem;
    }
    .kv td {
      white-space: normal;
      word-break: break-all;
    }
    .blockmap {
      display: flex;
      flex-wrap: wrap;
      gap: 2px;
      margin-bottom: 0.3rem;
    }
    .blk {
      display: inline-block;
      width: 0.6rem;
      height: 0.6rem;
      border-radius: 2px;
      vertical-align: middle;
    }
    .blk.cached {
      background: var(--mpp-warn, #e0a030);
    }
    .blk.tracked {
      background: var(--mpp-down, #d05050);
    }
    .blk.replicated {
      background: var(--mpp-ok, #40b070);
    }
    .legend {
      font-size: 0.8em;
    }
    /* Prose, not identifiers: wrap between words. */
    .kv.inside td,
    .kv.filerep td {
      word-break: normal;
      overflow-wrap: anywhere;
    }
    .buttons {
      display: flex;
      flex-wrap: wrap;
      gap: 0.4rem;
    }
    .events {
      list-style: none;
      margin: 0;
      padding: 0;
      max-height: 16rem;
      overflow: auto;
    }
    .events li {
      padding: 0.15rem 0;
      border-bottom: 1px solid var(--mpp-border, #334155);
    }
    time {
      color: var(--mpp-muted, #94a3b8);
    }
  `,
];
