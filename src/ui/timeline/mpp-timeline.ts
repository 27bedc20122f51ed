import { LitElement, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { define } from '../define.ts';
import { emit } from '../events.ts';
import type { ClusterStore } from '../state/cluster-store.ts';
import { StoreWatcher } from '../state/store-watcher.ts';
import type { LabEvent } from '../state/types.ts';
import { styles } from './mpp-timeline.styles.ts';

export const CATEGORIES = ['instance', 'recovery', 'ha', 'network', 'checkpoint', 'action', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

const CATEGORY_LABEL: Record<Category, string> = {
  instance: 'instances',
  recovery: 'recovery',
  ha: 'FTS / mirrors / standby',
  network: 'network',
  checkpoint: 'checkpoints',
  action: 'your actions',
  other: 'other',
};

const CATEGORY_GLYPH: Record<Category, string> = {
  instance: '■',
  recovery: '↻',
  ha: '⇄',
  network: '⌁',
  checkpoint: '⚑',
  action: '▶',
  other: '•',
};

export function categoryOf(kind: string): Category {
  if (kind.startsWith('action.')) return 'action';
  if (kind.startsWith('instance.') || kind === 'panic') return 'instance';
  if (kind.startsWith('recovery.')) return 'recovery';
  if (kind === 'checkpoint') return 'checkpoint';
  if (kind.startsWith('link.')) return 'network';
  if (/fts|promot|mirror|repl|standby|failover|wal|sync/.test(kind)) return 'ha';
  return 'other';
}

const MAX_SHOWN = 200;

/**
 * The cluster's events and your actions, newest first, filterable by category, instance and
 * text. An event that repeats back to back is shown once with a ×N count.
 * @fires mpp-instance-select - detail: { dbid } when an event's dbid is activated
 * @tag mpp-timeline
 */
export class MppTimeline extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) store: ClusterStore | undefined;
  /** Only events of this dbid (undefined: all). */
  @property({ type: Number }) dbid: number | undefined;

  @state() private _hidden = new Set<Category>();
  @state() private _text = '';

  constructor() {
    super();
    new StoreWatcher(this);
  }

  private _toggle(c: Category): void {
    const next = new Set(this._hidden);
    if (next.has(c)) next.delete(c);
    else next.add(c);
    this._hidden = next;
  }

  private _visible(): LabEvent[] {
    const text = this._text.toLowerCase();
    return (this.store?.events ?? []).filter(
      (e) =>
        !this._hidden.has(categoryOf(e.kind)) &&
        (this.dbid === undefined || e.dbid === this.dbid) &&
        (!text || `${e.kind} ${e.text}`.toLowerCase().includes(text)),
    );
  }

  override render() {
    const events = this._visible();
    const dbids = [...new Set(this.store?.config.map((r) => r.dbid) ?? [])];
    return html`
      <div class="filters" role="group" aria-label="Event filters">
        ${CATEGORIES.map(
          (c) =>
            html`<label class="chip ${this._hidden.has(c) ? 'off' : ''}"
              ><input
                type="checkbox"
                .checked=${!this._hidden.has(c)}
                @change=${() => this._toggle(c)}
              /><span aria-hidden="true">${CATEGORY_GLYPH[c]}</span> ${CATEGORY_LABEL[c]}</label
            >`,
        )}
        <label
          >dbid
          <select
            @change=${(e: Event) => {
              const v = (e.target as HTMLSelectElement).value;
              this.dbid = v ? Number(v) : undefined;
            }}
          >
            <option value="" ?selected=${this.dbid === undefined}>all</option>
            ${dbids.map((d) => html`<option value=${d} ?selected=${d === this.dbid}>${d}</option>`)}
          </select>
        </label>
        <input
          type="search"
          placeholder="filter text"
          aria-label="Filter events by text"
          .value=${this._text}
          @input=${(e: Event) => (this._text = (e.target as HTMLInputElement).value)}
        />
      </div>
      <ol class="events" aria-label="Cluster events, newest first">
        ${events.slice(0, MAX_SHOWN).map((e) => this._row(e))}
      </ol>
      ${events.length ? nothing : html`<p class="muted">No events match.</p>`}
    `;
  }

  private _row(e: LabEvent) {
    const c = categoryOf(e.kind);
    const bad = /crash|panic|timeout|drop|closed|down|fail/.test(e.kind);
    return html`<li class="ev cat-${c} ${bad ? 'bad' : ''}" data-kind=${e.kind}>
      <time datetime=${new Date(e.at).toISOString()}>${new Date(e.at).toLocaleTimeString()}</time>
      <span class="glyph" aria-hidden="true">${CATEGORY_GLYPH[c]}</span>
      <strong class="kind">${e.kind}</strong>
      ${
        e.dbid !== undefined
          ? html`<button
              class="quiet dbid"
              @click=${() => emit(this, 'mpp-instance-select', { dbid: e.dbid })}
            >
              dbid ${e.dbid}
            </button>`
          : nothing
      }
      <span class="text mono">${e.text}</span>
    </li>`;
  }
}

define('mpp-timeline', MppTimeline);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-timeline': MppTimeline;
  }
}
