import { LitElement, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { define } from '../define.ts';
import type { ClusterStore } from '../state/cluster-store.ts';
import { errorText } from '../state/start-options.ts';
import { StoreWatcher } from '../state/store-watcher.ts';
import { procNotRunning } from '../state/types.ts';
import { formatValue } from '../console/result-view.ts';
import { rovingKeydown } from '../shared/roving.ts';
import { styles } from './mpp-catalog.styles.ts';

export const CATALOG_VIEWS = [
  'gp_segment_configuration',
  'gp_configuration_history',
  'pg_stat_activity',
] as const;
export type CatalogView = (typeof CATALOG_VIEWS)[number];

/**
 * Live catalog views, as a person would query them on the coordinator. The first two come from
 * the store's refresh (on events and on a timer); pg_stat_activity is polled while shown.
 * @csspart table - the table shown
 * @tag mpp-catalog
 */
export class MppCatalog extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) store: ClusterStore | undefined;
  /** The view shown. */
  @property() view: CatalogView = 'gp_segment_configuration';

  @state() private _activity: { fields: string[]; rows: unknown[][]; error: string } = {
    fields: [],
    rows: [],
    error: '',
  };
  private _poll: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    new StoreWatcher(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this._poll);
    this._poll = undefined;
  }

  protected override updated(): void {
    const want = this.view === 'pg_stat_activity' && this.isConnected;
    if (want && !this._poll) {
      void this._readActivity();
      this._poll = setInterval(() => void this._readActivity(), 2000);
    } else if (!want && this._poll) {
      clearInterval(this._poll);
      this._poll = undefined;
    }
  }

  private async _readActivity(): Promise<void> {
    const c = this.store?.cluster;
    if (!c) return;
    if (this.store?.stepDriven) {
      // Polled on the wall clock, it would be a step of the run every two seconds.
      this._activity = {
        fields: [],
        rows: [],
        error:
          'Not polled on a simulated run (it moves only by its steps): query pg_stat_activity in the console.',
      };
      return;
    }
    try {
      const r = await c.query('select * from pg_stat_activity');
      this._activity = { fields: r.fields.map((f) => f.name), rows: r.rows, error: '' };
    } catch (e) {
      this._activity = { ...this._activity, error: errorText(e) };
    }
  }

  private _tabs() {
    return html`<div class="tabs" role="tablist" aria-label="Catalog views">
      ${CATALOG_VIEWS.map(
        (v) =>
          html`<button
            role="tab"
            id=${`tab-${v}`}
            aria-controls="catalog-panel"
            class="quiet ${v === this.view ? 'active' : ''}"
            aria-selected=${v === this.view ? 'true' : 'false'}
            tabindex=${v === this.view ? 0 : -1}
            @click=${() => (this.view = v)}
            @keydown=${(e: KeyboardEvent) => {
              const to = rovingKeydown(e, [...this.renderRoot.querySelectorAll<HTMLElement>('[role="tab"]')]);
              if (to) this.view = to.id.slice(4) as CatalogView;
            }}
          >
            ${v}
          </button>`,
      )}
    </div>`;
  }

  override render() {
    const s = this.store;
    const { fields, rows, error } = this._table();
    return html`
      ${this._tabs()}
      <code class="cmd sql">select * from ${this.view};</code>
      <p class="muted asof">
        ${
          this.view === 'pg_stat_activity'
            ? 'polled every 2 s while shown'
            : s?.catalogAt
              ? `as of ${new Date(s.catalogAt).toLocaleTimeString()} (refreshed on events and every ${(s.refreshMs / 1000).toFixed(0)} s)`
              : 'not read yet'
        }
      </p>
      ${error ? html`<p class="error" role="alert">${error}</p>` : nothing}
      <div
        class="scroll"
        role="tabpanel"
        id="catalog-panel"
        aria-labelledby=${`tab-${this.view}`}
        tabindex="0"
      >
        <table part="table" data-view=${this.view}>
          <thead>
            <tr>
              ${fields.map((f) => html`<th scope="col">${f}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${rows.map(
              (r) =>
                html`<tr class=${r.cls}>
                  ${r.cells.map((c) => html`<td>${c}</td>`)}
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
      ${
        this.view === 'gp_segment_configuration'
          ? html`<p class="muted foot">
              A row marked ✖ is an instance the lab crashed while the catalog still says <code>u</code>: only
              FTS writes <code>d</code>, once its probe finds the instance gone.
            </p>`
          : nothing
      }
    `;
  }

  private _table(): { fields: string[]; rows: { cls: string; cells: string[] }[]; error: string } {
    const s = this.store;
    if (this.view === 'pg_stat_activity') {
      const a = this._activity;
      return {
        fields: a.fields,
        rows: a.rows.map((r) => ({ cls: '', cells: r.map(formatValue) })),
        error: a.error,
      };
    }
    const error = s?.catalogError ?? '';
    if (this.view === 'gp_configuration_history')
      return {
        fields: ['time', 'dbid', 'desc'],
        rows: (s?.history ?? []).map((h) => ({ cls: '', cells: [h.time, String(h.dbid), h.desc] })),
        error,
      };
    const fields = [
      'dbid',
      'content',
      'role',
      'preferred_role',
      'mode',
      'status',
      'port',
      'hostname',
      'address',
      'datadir',
    ];
    const rows = (s?.config ?? []).map((r) => {
      const p = s?.proc.get(r.dbid);
      const crashed = procNotRunning(p) && r.status === 'u';
      return {
        cls: crashed ? 'crashed' : r.status === 'd' ? 'down' : '',
        cells: [
          String(r.dbid),
          String(r.content),
          r.role,
          r.preferredRole,
          r.mode,
          crashed ? `${r.status} ✖` : r.status,
          String(r.port),
          r.hostname,
          r.address,
          r.datadir,
        ],
      };
    });
    return { fields, rows, error };
  }
}

define('mpp-catalog', MppCatalog);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-catalog': MppCatalog;
  }
}
