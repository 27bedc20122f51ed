import { LitElement, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { define } from '../define.ts';
import { emit } from '../events.ts';
import type { ClusterStore } from '../state/cluster-store.ts';
import { StoreWatcher } from '../state/store-watcher.ts';
import type { LabEvent, Severity } from '../state/types.ts';
import { SEVERITIES } from '../state/event-log.ts';
import { rovingKeydown } from '../shared/roving.ts';
import { styles } from './mpp-timeline.styles.ts';

const SEVERITY_LABEL: Record<Severity, string> = {
  critical: 'critical only',
  warning: 'warnings and up',
  info: 'info and up',
  debug: 'everything (routine too)',
};

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
 * The cluster's events and your actions, newest first, ranked by severity and filterable by
 * severity, category, instance and text. Repeats are folded into one entry with a ×N count;
 * routine events (a walsender retrying, FTS cycles, copy progress) are hidden by default and
 * kept apart, so they never push a failover out of the list. The category chips and the list
 * are one tab stop each (arrow keys move inside).
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
  /** The least severe events shown. */
  @property() minSeverity: Severity = 'info';
  /** The chip and the row holding their tab stops. */
  @state() private _chip: Category = CATEGORIES[0];
  @state() private _row: number | undefined;

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

  private _visible(): { shown: LabEvent[]; below: number } {
    const text = this._text.toLowerCase();
    const rank = SEVERITIES.indexOf(this.minSeverity);
    let below = 0;
    const shown = (this.store?.events ?? []).filter((e) => {
      const match =
        !this._hidden.has(categoryOf(e.kind)) &&
        (this.dbid === undefined || e.dbid === this.dbid) &&
        (!text || `${e.kind} ${e.text}`.toLowerCase().includes(text));
      if (!match) return false;
      if (SEVERITIES.indexOf(e.severity) > rank) {
        below += e.count;
        return false;
      }
      return true;
    });
    return { shown, below };
  }

  override render() {
    const { shown, below } = this._visible();
    const events = shown.slice(0, MAX_SHOWN);
    const dbids = [...new Set(this.store?.config.map((r) => r.dbid) ?? [])];
    const rowStop = events.some((e) => e.seq === this._row) ? this._row : events[0]?.seq;
    return html`
      <div class="filters">
        <label
          >Show
          <select
            data-filter="severity"
            @change=${(e: Event) => (this.minSeverity = (e.target as HTMLSelectElement).value as Severity)}
          >
            ${SEVERITIES.map((v) => html`<option value=${v} ?selected=${v === this.minSeverity}>${SEVERITY_LABEL[v]}</option>`)}
          </select>
        </label>
        <div class="chips" role="toolbar" aria-label="Event categories shown (arrow keys move)">
          ${CATEGORIES.map(
            (c) =>
              html`<label class="chip ${this._hidden.has(c) ? 'off' : ''}"
                ><input
                  type="checkbox"
                  data-category=${c}
                  tabindex=${c === this._chip ? 0 : -1}
                  .checked=${!this._hidden.has(c)}
                  @change=${() => this._toggle(c)}
                  @focus=${() => (this._chip = c)}
                  @keydown=${this._chipKey}
                /><span aria-hidden="true">${CATEGORY_GLYPH[c]}</span> ${CATEGORY_LABEL[c]}</label
              >`,
          )}
        </div>
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
      <ol class="events" aria-label="Cluster events, newest first (arrow keys move, Enter opens an instance)">
        ${events.map((e) => this._renderRow(e, e.seq === rowStop))}
      </ol>
      ${events.length ? nothing : html`<p class="muted">No events match.</p>`}
      ${
        below
          ? html`<p class="muted hidden-count" data-hidden=${below}>
              ${below} less important event${below === 1 ? '' : 's'} hidden
              (${SEVERITY_LABEL[this.minSeverity]} shown).
              <button class="quiet" @click=${() => (this.minSeverity = 'debug')}>Show everything</button>
            </p>`
          : nothing
      }
    `;
  }

  private _chipKey = (e: KeyboardEvent): void => {
    const boxes = [...this.renderRoot.querySelectorAll<HTMLInputElement>('.chips input')];
    const to = rovingKeydown(e, boxes);
    if (to) this._chip = to.dataset['category'] as Category;
  };

  private _rowKey = (e: KeyboardEvent, ev: LabEvent): void => {
    if ((e.key === 'Enter' || e.key === ' ') && ev.dbid !== undefined) {
      e.preventDefault();
      emit(this, 'mpp-instance-select', { dbid: ev.dbid });
      return;
    }
    const rows = [...this.renderRoot.querySelectorAll<HTMLElement>('.events > li')];
    const to = rovingKeydown(e, rows);
    if (to) this._row = Number(to.dataset['seq']);
  };

  private _renderRow(e: LabEvent, stop: boolean) {
    const c = categoryOf(e.kind);
    // The cluster's clock, as now() and gp_configuration_history read it (ahead of the wall's
    // after a faster speed).
    const at = e.clusterAt ?? e.at;
    const when = new Date(at).toLocaleTimeString();
    return html`<li
      class="ev cat-${c} sev-${e.severity}"
      data-kind=${e.kind}
      data-severity=${e.severity}
      data-seq=${e.seq}
      tabindex=${stop ? 0 : -1}
      @focus=${() => (this._row = e.seq)}
      @keydown=${(k: KeyboardEvent) => this._rowKey(k, e)}
    >
      <time datetime=${new Date(at).toISOString()}>${when}</time>
      <span class="glyph" aria-hidden="true">${CATEGORY_GLYPH[c]}</span>
      <span class="sev">${e.severity}</span>
      <strong class="kind">${e.kind}</strong>
      ${e.count > 1 ? html`<span class="count" data-count=${e.count} title=${`first at ${new Date(e.clusterFirst ?? e.first).toLocaleTimeString()}`}>×${e.count}</span>` : nothing}
      ${
        e.dbid !== undefined
          ? html`<button
              class="quiet dbid"
              tabindex="-1"
              @click=${() => emit(this, 'mpp-instance-select', { dbid: e.dbid })}
            >
              dbid ${e.dbid}
            </button>`
          : nothing
      }
      <span class="text mono">${e.text}</span>
      ${GLOSS[e.kind] ? html`<span class="gloss muted">${GLOSS[e.kind]}</span>` : nothing}
    </li>`;
  }
}

/** Plain words for entries whose fields alone mean nothing to a learner. */
const GLOSS: Record<string, string> = {
  'fts.skip_mirror_down':
    'The primary lost its mirror less than gp_fts_mark_mirror_down_grace_period ago and asked FTS to look again before marking it down.',
};

define('mpp-timeline', MppTimeline);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-timeline': MppTimeline;
  }
}
