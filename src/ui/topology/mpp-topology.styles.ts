import { css } from 'lit';
import { baseStyles } from '../shared/base.styles.ts';

export const styles = [
  baseStyles,
  css`
    :host {
      container-type: inline-size;
    }
    .wrap {
      position: relative;
    }
    /* Narrow: the coordinator and its standby side by side above the segment hosts. */
    @container (max-width: 560px) {
      .coord-col {
        flex: 1 1 100%;
        flex-direction: row;
      }
      .coord-col .host {
        flex: 1 1 0;
        min-width: 0;
      }
    }
    svg.links {
      position: absolute;
      inset: 0;
      width: 100%;
      height: 100%;
      pointer-events: none;
      overflow: visible;
    }
    .link {
      fill: none;
      stroke: var(--mpp-mirror, #a78bfa);
      stroke-width: 2.5;
      opacity: 0.85;
    }
    .link.broken {
      stroke: var(--mpp-down, #f87171);
      stroke-dasharray: 6 4;
    }
    .link.hot {
      stroke-width: 4;
      opacity: 1;
    }
    .hosts {
      position: relative;
      z-index: 1;
      display: flex;
      flex-wrap: wrap;
      gap: 0.75rem;
    }
    .coord-col {
      display: flex;
      flex-direction: column;
      gap: 0.75rem;
      flex: 0 1 11rem;
      min-width: 9rem;
    }
    .coord-col .host {
      flex: 0 0 auto;
    }
    .host {
      border: 1px solid var(--mpp-border, #334155);
      border-radius: 10px;
      padding: 0.5rem;
      background: var(--mpp-host-bg, rgba(148, 163, 184, 0.06));
      flex: 1 1 12rem;
      min-width: 0;
    }
    .compact .host {
      flex: 1 1 9rem;
      padding: 0.3rem;
    }
    .compact .cards {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(4.6rem, 1fr));
      gap: 0.2rem;
    }
    .compact .card {
      padding: 0.1rem 0.25rem;
      font-size: 0.7rem;
      min-height: 0;
      min-width: 0;
      overflow: hidden;
      white-space: nowrap;
      border-width: 1px;
    }
    .host-down {
      border-color: var(--mpp-down, #f87171);
      border-style: dashed;
    }
    .host h3 {
      color: var(--mpp-fg, #e2e8f0);
      margin-bottom: 0.4rem;
    }
    .host-icon {
      display: inline-block;
      width: 0.8em;
      height: 0.65em;
      margin-right: 0.35em;
      border: 2px solid currentColor;
      border-radius: 2px;
      box-shadow: 0 0.2em 0 -0.05em currentColor;
      vertical-align: baseline;
    }
    .small {
      font-size: 0.7rem;
      color: var(--mpp-muted, #94a3b8);
    }
    .tag {
      font-size: 0.7rem;
      color: var(--mpp-down, #f87171);
      border: 1px solid currentColor;
      border-radius: 4px;
      padding: 0 0.3rem;
    }
    .leftover {
      display: flex;
      flex-direction: column;
      gap: 0.1rem;
      margin: 0.4rem 0 0;
      padding: 0.3rem 0.4rem;
      border: 1px dashed var(--mpp-muted, #94a3b8);
      border-radius: 6px;
      font-size: 0.75rem;
    }
    .leftover-path {
      font-family: ui-monospace, monospace;
    }
    .cards {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
    }
    .card {
      position: relative;
      display: flex;
      flex-direction: column;
      align-items: stretch;
      gap: 0.1rem;
      text-align: left;
      min-width: 8.5rem;
      flex: 1 1 8.5rem;
      padding: 0.4rem 0.5rem;
      border-radius: 8px;
      border: 2px solid var(--mpp-primary, #38bdf8);
      background: var(--mpp-card-bg, #0b1324);
      color: var(--mpp-fg, #e2e8f0);
      font-size: 0.78rem;
      transition:
        transform 0.2s,
        box-shadow 0.2s;
    }
    .card.coordinator {
      border: 4px double var(--mpp-coordinator, #fbbf24);
    }
    .card.mirror {
      border-style: dashed;
      border-color: var(--mpp-mirror, #a78bfa);
    }
    .card.coordinator.mirror {
      border: 3px dashed var(--mpp-coordinator, #fbbf24);
    }
    .card.selected {
      box-shadow:
        0 0 0 3px var(--mpp-selected, #f472b6),
        0 0 0 5px var(--mpp-bg, #0f172a);
    }
    .card.pointed {
      animation: point 1.6s ease-in-out infinite;
      box-shadow: 0 0 0 4px var(--mpp-accent, #38bdf8);
    }
    /* On the card's bottom border, at the left (below its port): above the card it covered the
       host's header; the cards' 0.5rem gap holds its lower half. */
    .card.pointed::after {
      content: '▲ this one';
      position: absolute;
      left: 0.4rem;
      bottom: -0.45rem;
      padding: 0 0.3rem;
      border-radius: 4px;
      background: var(--mpp-bg, #0f172a);
      font-size: 0.62rem;
      line-height: 0.8rem;
      font-weight: 700;
      color: var(--mpp-accent, #38bdf8);
      pointer-events: none;
    }
    @keyframes point {
      50% {
        box-shadow: 0 0 0 7px var(--mpp-accent, #38bdf8);
      }
    }
    .slot {
      position: relative;
      display: flex;
      flex: 1 1 8.5rem;
      min-width: 8.5rem;
    }
    .compact .slot {
      min-width: 0;
    }
    .slot > .card {
      flex: 1 1 auto;
      position: relative;
    }
    /* On a phone the card's last line reaches under its Crash / Restart button: room below it. */
    @media (max-width: 30rem) {
      .slot:has(> .card-action) > .card {
        padding-bottom: calc(24px + 0.5rem);
      }
    }
    .card-action {
      position: absolute;
      right: 0.35rem;
      bottom: 0.35rem;
      /* WCAG 2.2's 24 px minimum target, for a finger on a phone. */
      min-height: 24px;
      min-width: 24px;
      padding: 0.1rem 0.5rem;
      font-size: 0.7rem;
      z-index: 2;
    }
    .line.waiting {
      color: var(--mpp-warn, #fbbf24);
      font-weight: 600;
      white-space: normal;
    }
    .boot-progress {
      display: flex;
      align-items: center;
      gap: 0.6rem;
    }
    .boot-progress progress {
      flex: 0 1 16rem;
      min-width: 6rem;
      height: 0.6rem;
      accent-color: var(--mpp-accent, #38bdf8);
    }
    .boot-progress span {
      white-space: nowrap;
    }
    progress.copy {
      width: 100%;
      height: 0.55rem;
      accent-color: var(--mpp-warn, #fbbf24);
    }
    .acting {
      margin-left: 0.5rem;
      font-weight: 400;
      font-size: 0.72rem;
      color: var(--mpp-muted, #94a3b8);
    }
    .acting.over {
      color: var(--mpp-warn, #fbbf24);
      font-weight: 600;
    }
    .link.flowing {
      stroke-dasharray: 10 6;
      animation: flow 0.9s linear infinite;
    }
    @keyframes flow {
      to {
        stroke-dashoffset: -16;
      }
    }
    text.rate {
      fill: var(--mpp-fg, #e2e8f0);
      font-size: 10px;
      paint-order: stroke;
      stroke: var(--mpp-bg, #0f172a);
      stroke-width: 3px;
    }
    .probe {
      fill: none;
      stroke: var(--mpp-coordinator, #fbbf24);
      stroke-width: 1.5;
      stroke-dasharray: 2 5;
      opacity: 0;
      animation: probe 0.9s ease-out;
    }
    @keyframes probe {
      0% {
        opacity: 0.9;
      }
      100% {
        opacity: 0;
      }
    }
    :host([preview]) .wrap {
      padding: 0.4rem;
      border: 2px dashed var(--mpp-muted, #94a3b8);
      border-radius: 10px;
      background: repeating-linear-gradient(0deg, transparent 0 19px, rgba(148, 163, 184, 0.08) 19px 20px);
    }
    :host([preview]) .card {
      border-style: dotted;
      border-width: 2px;
      background: var(--mpp-panel-bg, #111c33);
      filter: saturate(0.3);
    }
    :host([preview]) .host {
      background: transparent;
    }
    .preview-tag {
      margin: 0 0 0.35rem;
      font-size: 0.75rem;
      font-weight: 700;
      letter-spacing: 0.05em;
      text-transform: uppercase;
      color: var(--mpp-muted, #94a3b8);
    }
    .card.pair-hot {
      transform: translateY(-2px);
      box-shadow: 0 0 0 2px var(--mpp-mirror, #a78bfa);
    }
    .card.st-stopped {
      border-color: var(--mpp-muted, #94a3b8);
      border-style: dashed;
      opacity: 0.85;
    }
    .st-stopped .status {
      color: var(--mpp-muted, #94a3b8);
      font-weight: 700;
    }
    .card.st-down,
    .card.st-crashed {
      border-color: var(--mpp-down, #f87171);
      background:
        repeating-linear-gradient(
          -45deg,
          transparent 0 6px,
          var(--mpp-down-bg, rgba(248, 113, 113, 0.22)) 6px 12px
        ),
        var(--mpp-card-bg, #0b1324);
    }
    .card.st-recovering,
    .card.st-starting {
      border-color: var(--mpp-warn, #fbbf24);
    }
    .top {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 0.35rem;
    }
    .content {
      font-weight: 700;
      font-size: 0.85rem;
    }
    .dbid {
      margin-left: auto;
      white-space: nowrap;
      color: var(--mpp-muted, #94a3b8);
    }
    .glyph {
      display: inline-block;
      width: 1em;
      text-align: center;
    }
    .coordinator.primary .role-glyph,
    .coordinator.mirror .role-glyph {
      color: var(--mpp-coordinator, #fbbf24);
    }
    .primary .role-glyph {
      color: var(--mpp-primary, #38bdf8);
    }
    .mirror .role-glyph {
      color: var(--mpp-mirror, #a78bfa);
    }
    .st-up .status {
      color: var(--mpp-ok, #4ade80);
    }
    .st-down .status,
    .st-crashed .status {
      color: var(--mpp-down, #f87171);
      font-weight: 700;
      white-space: normal;
    }
    .st-recovering .status,
    .st-starting .status {
      color: var(--mpp-warn, #fbbf24);
    }
    .st-recovering .st {
      animation: spin 1.2s linear infinite;
    }
    @keyframes spin {
      to {
        transform: rotate(360deg);
      }
    }
    .warn {
      color: var(--mpp-warn, #fbbf24);
    }
    .legend {
      display: flex;
      flex-wrap: wrap;
      gap: 0.3rem 0.9rem;
      margin: 0.25rem 0 0;
      font-size: 0.72rem;
    }
    .refused {
      margin: 0.2rem 0 0.4rem;
      padding: 0.25rem 0.5rem;
      border-left: 4px solid var(--mpp-down, #f87171);
      font-size: 0.8rem;
      overflow-wrap: anywhere;
    }
  `,
];
