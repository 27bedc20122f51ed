import { css } from 'lit';
import { baseStyles } from '../shared/base.styles.ts';

/**
 * The lab's theme tokens (an embedder overrides them on the element: outer rules win over
 * :host) and its layout: two columns on a wide screen, one stacked column on a phone.
 */
export const styles = [
  baseStyles,
  css`
    :host {
      --mpp-bg: #0f172a;
      --mpp-fg: #e2e8f0;
      --mpp-muted: #94a3b8;
      --mpp-panel-bg: #111c33;
      --mpp-card-bg: #0b1324;
      --mpp-input-bg: #020617;
      --mpp-border: #334155;
      --mpp-accent: #38bdf8;
      --mpp-focus: #facc15;
      --mpp-primary: #38bdf8;
      --mpp-mirror: #c4b5fd;
      --mpp-coordinator: #fbbf24;
      --mpp-down: #f87171;
      --mpp-down-bg: rgba(248, 113, 113, 0.16);
      --mpp-ok: #4ade80;
      --mpp-warn: #fbbf24;
      --mpp-button-bg: #0c4a6e;
      --mpp-button-fg: #f0f9ff;
      --mpp-danger-bg: #7f1d1d;
      display: block;
      background: var(--mpp-bg);
      color: var(--mpp-fg);
      padding: 0.75rem;
    }
    header {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 1rem;
      margin-bottom: 0.5rem;
    }
    header .time {
      display: flex;
      align-items: center;
      gap: 0.5rem;
      margin-left: auto;
      font-size: 0.8rem;
      color: var(--mpp-muted, #94a3b8);
    }
    header .time select {
      margin-left: 0.3rem;
    }
    header .time button[aria-pressed='true'] {
      border-color: var(--mpp-warn, #fbbf24);
    }
    h1 {
      font-size: 1.3rem;
      margin: 0;
    }
    .sub {
      margin: 0.1rem 0 0;
      font-size: 0.8rem;
    }
    .notice {
      color: var(--mpp-warn);
      border: 1px solid var(--mpp-warn);
      border-radius: 6px;
      padding: 0.3rem 0.6rem;
      margin: 0 0 0.5rem;
    }
    .announce {
      min-height: 1.3em;
      margin: 0 0 0.5rem;
      font-weight: 600;
      color: var(--mpp-warn);
    }
    .announce:empty {
      display: none;
    }
    .layout {
      display: flex;
      gap: 0.75rem;
      align-items: flex-start;
    }
    .col {
      display: flex;
      flex-direction: column;
      gap: 0.75rem;
      min-width: 0;
    }
    .main {
      flex: 3 1 0;
    }
    .side {
      flex: 2 1 0;
    }
    .panel {
      background: var(--mpp-panel-bg);
      border: 1px solid var(--mpp-border);
      border-radius: 10px;
      padding: 0.6rem 0.75rem;
      min-width: 0;
    }
    @media (max-width: 900px) {
      :host {
        padding: 0.5rem;
      }
      .layout {
        flex-direction: column;
        align-items: stretch;
      }
      .col {
        display: contents;
      }
      .p-topology {
        order: 1;
      }
      .p-details {
        order: 2;
      }
      .p-workload {
        order: 3;
      }
      .p-recommend {
        order: 4;
      }
      .p-lessons {
        order: 5;
      }
      .p-controls {
        order: 6;
      }
      .p-console {
        order: 7;
      }
      .p-timeline {
        order: 8;
      }
      .p-catalog {
        order: 9;
      }
    }
  `,
];
