import { LitElement, css, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { define } from '../define.ts';
import { actionStyle, describeAction } from '../lessons/lesson-types.ts';
import { runAction } from '../lessons/run-action.ts';
import type { ClusterStore } from '../state/cluster-store.ts';
import { StoreWatcher } from '../state/store-watcher.ts';
import { baseStyles } from '../shared/base.styles.ts';
import { recommend, type Recommendation } from './recommendations.ts';

/**
 * Recommended next actions, derived from the catalog as Greenplum Command Center derives them:
 * each says what is wrong and offers the utility (or call) that fixes it, its command shown.
 * @csspart item - one recommendation
 * @tag mpp-recommendations
 */
export class MppRecommendations extends LitElement {
  static override styles = [
    baseStyles,
    css`
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: 0.45rem;
      }
      li {
        border: 1px solid var(--mpp-border, #334155);
        border-left-width: 4px;
        border-radius: 6px;
        padding: 0.35rem 0.6rem;
        background: var(--mpp-card-bg, #0b1324);
      }
      li.critical {
        border-color: var(--mpp-down, #f87171);
      }
      li.warning {
        border-color: var(--mpp-warn, #fbbf24);
      }
      li.info {
        border-color: var(--mpp-accent, #38bdf8);
      }
      li.ok {
        border-color: var(--mpp-ok, #4ade80);
      }
      .title {
        margin: 0;
        font-weight: 600;
      }
      .level {
        font-size: 0.7rem;
        text-transform: uppercase;
        letter-spacing: 0.04em;
        margin-right: 0.35rem;
      }
      .critical .level {
        color: var(--mpp-down, #f87171);
      }
      .warning .level {
        color: var(--mpp-warn, #fbbf24);
      }
      .info .level {
        color: var(--mpp-accent, #38bdf8);
      }
      .ok .level {
        color: var(--mpp-ok, #4ade80);
      }
      .detail {
        margin: 0.2rem 0 0.3rem;
        font-size: 0.8rem;
        line-height: 1.35;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: center;
      }
      .row .cmd {
        flex: 1;
        min-width: 10rem;
        margin: 0;
      }
    `,
  ];

  @property({ attribute: false }) store: ClusterStore | undefined;
  @state() private _running: string | undefined;

  constructor() {
    super();
    new StoreWatcher(this);
  }

  /** The current recommendations (what the panel shows). */
  get recommendations(): Recommendation[] {
    return this.store ? recommend(this.store) : [];
  }

  override render() {
    const s = this.store;
    if (!s || s.state !== 'ready') return html`<p class="muted">Waiting for the cluster…</p>`;
    return html`<ul>
      ${this.recommendations.map((r) => this._item(r))}
    </ul>`;
  }

  private _item(r: Recommendation) {
    const a = r.action;
    return html`<li class=${r.level} part="item" data-rec=${r.id}>
      <p class="title"><span class="level">${r.level}</span>${r.title}</p>
      <p class="detail">${r.detail}</p>
      ${
        a
          ? html`<div class="row">
              <button
                data-rec-action=${r.id}
                ?disabled=${this._running !== undefined}
                @click=${() => this._run(r)}
              >
                ${this._running === r.id ? 'Running…' : a.label}
              </button>
              <code class="cmd ${actionStyle(a)}">${describeAction(a)}</code>
            </div>`
          : nothing
      }
    </li>`;
  }

  private async _run(r: Recommendation): Promise<void> {
    if (!r.action) return;
    this._running = r.id;
    try {
      await runAction(this.store, r.action, this);
    } finally {
      this._running = undefined;
    }
  }
}

define('mpp-recommendations', MppRecommendations);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-recommendations': MppRecommendations;
  }
}
