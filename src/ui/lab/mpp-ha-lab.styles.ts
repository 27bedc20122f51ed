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
      --mpp-focus: #ffffff;
      --mpp-selected: #f472b6;
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
    .bar {
      display: flex;
      align-items: center;
      justify-content: space-between;
      flex-wrap: wrap;
      gap: 0.5rem 1rem;
      margin-bottom: 0.5rem;
    }
    .bar .time {
      display: flex;
      align-items: center;
      gap: 0.5rem;
      margin-left: auto;
      font-size: 0.8rem;
      color: var(--mpp-muted, #94a3b8);
    }
    .bar .time select {
      margin-left: 0.3rem;
    }
    .bar .time button[aria-pressed='true'] {
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
    /* One line always held for the live region, so its news does not push the panels down and
       back up again as it comes and goes (the whole text is its title and in the timeline). */
    .announce {
      height: 1.3em;
      line-height: 1.3em;
      margin: 0 0 0.5rem;
      overflow: hidden;
      white-space: nowrap;
      text-overflow: ellipsis;
      font-weight: 600;
      color: var(--mpp-warn);
    }
    nav.skip {
      position: absolute;
      left: 0.75rem;
      top: 0.25rem;
      z-index: 10;
      display: flex;
      gap: 0.4rem;
      flex-wrap: wrap;
    }
    nav.skip a {
      background: var(--mpp-bg);
      color: var(--mpp-fg);
      border: 2px solid var(--mpp-focus);
      border-radius: 6px;
      padding: 0.3rem 0.6rem;
    }
    nav.skip.jump {
      position: sticky;
      top: 0;
      left: auto;
      align-items: center;
      flex-wrap: wrap;
      margin: 0 -0.5rem 0.5rem;
      padding: 0.35rem 0.5rem;
      background: var(--mpp-bg);
      border-bottom: 1px solid var(--mpp-border);
    }
    nav.skip.jump span {
      white-space: nowrap;
      flex-shrink: 0;
    }
    nav.skip.jump a {
      white-space: nowrap;
      min-height: 2rem;
      display: inline-flex;
      align-items: center;
      border-width: 1px;
    }
    /* Hidden (.sr-only) until a keyboard user reaches them. */
    nav.skip a.sr-only:focus {
      position: static;
      width: auto;
      height: auto;
      clip: auto;
    }
    :host {
      position: relative;
    }
    h2[tabindex='-1']:focus {
      outline: none;
    }
    /* A panel jumped to lands below the sticky jump bar, not under it. */
    h2[tabindex='-1'] {
      scroll-margin-top: 3rem;
    }
    h2[tabindex='-1']:focus-visible {
      outline: 3px solid var(--mpp-focus);
    }
    dialog.confirm {
      max-width: min(34rem, 92vw);
      background: var(--mpp-panel-bg);
      color: var(--mpp-fg);
      border: 2px solid var(--mpp-down);
      border-radius: 10px;
      padding: 1rem 1.2rem;
    }
    dialog.confirm::backdrop {
      background: rgba(2, 6, 23, 0.7);
    }
    dialog.confirm ul {
      padding-left: 1.2rem;
      line-height: 1.4;
    }
    dialog.confirm .buttons {
      display: flex;
      gap: 0.6rem;
      justify-content: flex-end;
    }
    .layout.single {
      flex-direction: column;
      align-items: stretch;
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
    }
  `,
];
