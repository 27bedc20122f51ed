import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type { Cluster, Session } from '../../workers/index.ts';
import { define } from '../define.ts';
import { whenRemoved } from '../shared/when-removed.ts';
import type { ClusterStore } from '../state/cluster-store.ts';
import { timeHint } from '../state/lab-time.ts';
import { StoreWatcher } from '../state/store-watcher.ts';
import { contentLabel } from '../state/types.ts';
import { errorFrom, renderOutcome, type StatementOutcome } from './result-view.ts';
import { splitStatements } from './split-sql.ts';
import { styles } from './mpp-console.styles.ts';

/** SQLSTATE classes after which the session is gone and the next statement reconnects. */
const SESSION_LOST = /^(08|57P)/;
const MAX_RUNS = 20;
const MAX_HISTORY = 100;

/**
 * A psql-like SQL console: a multi-line editor (Ctrl/Cmd+Enter runs, Up/Down on the first or
 * last line walk the history), result tables, NOTICEs, and errors with their SQLSTATE, detail
 * and hint. The session target is the coordinator or, once the engine offers it, a
 * utility-mode session on one instance. Sessions persist between runs (BEGIN ... COMMIT works).
 * @csspart editor - the textarea
 * @csspart results - the results area
 * @tag mpp-console
 */
export class MppConsole extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) store: ClusterStore | undefined;
  /** The session target: undefined for the coordinator, or a dbid for utility mode. */
  @property({ type: Number }) target: number | undefined;
  /** The editor's text. */
  @property() sql = 'select gp_segment_id, count(*) from bank group by 1 order by 1;';

  @state() private _runs: StatementOutcome[][] = [];
  @state() private _running = false;
  @query('textarea') private _editor!: HTMLTextAreaElement;

  private _history: string[] = [];
  private _historyAt = -1;
  private readonly _sessions = new Map<string, Session>();
  /** The backend pid of each coordinator session, for Cancel (pg_cancel_backend, as psql's Ctrl-C). */
  private readonly _pids = new Map<string, number>();
  @state() private _cancelSent = false;
  /** Each session's transaction state after its last statement (psql's prompt shows it). */
  @state() private _tx: Record<string, 'idle' | 'in transaction' | 'failed'> = {};
  private _sessionsOf: Cluster | undefined;

  constructor() {
    super();
    new StoreWatcher(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    whenRemoved(this, () => this._dropSessions());
  }

  /**
   * A new cluster (or none) invalidates the sessions held on the old one, and the old one's
   * results: its errors ("the coordinator is not running") are not this cluster's. The editor's
   * history (↑) stays.
   */
  protected override willUpdate(_changed: PropertyValues<this>): void {
    if (this.store?.cluster !== this._sessionsOf) {
      this._dropSessions();
      if (this._sessionsOf) this._runs = [];
      this._sessionsOf = this.store?.cluster;
    }
  }

  /** Runs every statement of the editor's text, one after another, as psql does. */
  async run(script = this.sql): Promise<StatementOutcome[]> {
    const cluster = this.store?.cluster;
    const statements = splitStatements(script);
    if (!cluster || !statements.length || this._running) return [];
    this._running = true;
    this._remember(script.trim());
    const outcomes: StatementOutcome[] = [];
    this._runs = [outcomes, ...this._runs].slice(0, MAX_RUNS);
    const label = this._targetLabel();
    try {
      for (const sql of statements) {
        const t0 = performance.now();
        const o: StatementOutcome = { sql, ms: 0, target: label };
        const key = String(this.target ?? 'qd');
        try {
          const session = await this._session(cluster);
          o.result = await session.query(sql);
          this._tx = { ...this._tx, [key]: o.result.transactionStatus ?? 'idle' };
        } catch (e) {
          o.error = errorFrom(e);
          if (SESSION_LOST.test(o.error.code)) this._dropSessions();
          // An error inside a transaction block aborts it, as in Postgres.
          else if ((this._tx[key] ?? 'idle') !== 'idle') this._tx = { ...this._tx, [key]: 'failed' };
        }
        o.ms = performance.now() - t0;
        outcomes.push(o);
        this._runs = [...this._runs];
      }
    } finally {
      this._running = false;
      this._cancelSent = false;
    }
    if (
      outcomes.some(
        (o) => o.result && /^(CREATE|DROP|ALTER|INSERT|UPDATE|DELETE|COPY)/.test(o.result.command),
      )
    )
      void this.store?.refresh();
    return outcomes;
  }

  private _targetLabel(): string {
    if (this.target === undefined) return 'coordinator';
    const row = this.store?.config.find((r) => r.dbid === this.target);
    return `utility mode on dbid ${this.target}${row ? ` (${contentLabel(row.content)})` : ''}`;
  }

  private async _session(cluster: Cluster): Promise<Session> {
    const key = String(this.target ?? 'qd');
    let s = this._sessions.get(key);
    if (!s) {
      s = await cluster.connect(this.target === undefined ? {} : { dbid: this.target });
      this._sessions.set(key, s);
      // (Not on a simulated run: a statement there is one of its steps, and steps run one at a
      // time, so there is no second session to cancel from.)
      if (this.target === undefined && !this.store?.stepDriven) {
        const pid = (await s.query('select pg_backend_pid()')).rows[0]?.[0];
        if (typeof pid === 'number') this._pids.set(key, pid);
      }
    }
    return s;
  }

  /**
   * Cancels the running statement from another session, as psql's Ctrl-C sends a cancel request:
   * it fails with 57014 at its next check, on the coordinator and on every segment running it.
   */
  async cancel(): Promise<void> {
    const pid = this._pids.get(String(this.target ?? 'qd'));
    const cluster = this.store?.cluster;
    if (!this._running || pid === undefined || !cluster) return;
    this._cancelSent = true;
    await cluster.query(`select pg_cancel_backend(${pid})`).catch(() => undefined);
  }

  private _dropSessions(): void {
    for (const s of this._sessions.values()) void s.close().catch(() => undefined);
    this._sessions.clear();
    this._pids.clear();
    this._tx = {};
  }

  private _remember(text: string): void {
    if (text && this._history[0] !== text) this._history = [text, ...this._history].slice(0, MAX_HISTORY);
    this._historyAt = -1;
  }

  private _onKey(e: KeyboardEvent): void {
    const ta = e.target as HTMLTextAreaElement;
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void this.run();
      return;
    }
    if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
    if (e.shiftKey || ta.selectionStart !== ta.selectionEnd) return;
    const before = ta.value.slice(0, ta.selectionStart);
    const after = ta.value.slice(ta.selectionEnd);
    if (e.key === 'ArrowUp' && !before.includes('\n') && this._historyAt + 1 < this._history.length) {
      e.preventDefault();
      this._historyAt++;
      this.sql = this._history[this._historyAt]!;
    } else if (e.key === 'ArrowDown' && !after.includes('\n') && this._historyAt >= 0) {
      e.preventDefault();
      this._historyAt--;
      this.sql = this._historyAt < 0 ? '' : this._history[this._historyAt]!;
    }
  }

  /** The session's transaction state, as psql's prompt marks it (=*# and =!#). */
  private _txBadge() {
    const tx = this._tx[String(this.target ?? 'qd')] ?? 'idle';
    if (tx === 'idle') return nothing;
    return tx === 'failed'
      ? html`<span class="tx failed" role="status" title="psql's prompt shows =!#"
          >Transaction failed: statements are ignored until ROLLBACK</span
        >`
      : html`<span class="tx open" role="status" title="psql's prompt shows =*#"
          >In a transaction: COMMIT or ROLLBACK ends it</span
        >`;
  }

  /** Puts text in the editor and focuses it. */
  setText(sql: string): void {
    this.sql = sql;
    void this.updateComplete.then(() => this._editor?.focus());
  }

  override render() {
    const s = this.store;
    const canUtility = s?.features.utilityMode ?? false;
    return html`
      <div class="bar">
        <label
          >Session
          <select
            aria-label="Session target"
            @change=${(e: Event) => {
              const v = (e.target as HTMLSelectElement).value;
              this.target = v === 'qd' ? undefined : Number(v);
            }}
          >
            <option value="qd" ?selected=${this.target === undefined}>
              coordinator (dispatch to all segments)
            </option>
            ${s?.config
              .filter((r) => r.content >= 0 || r.role === 'm')
              .map(
                (r) =>
                  html`<option value=${r.dbid} ?disabled=${!canUtility} ?selected=${this.target === r.dbid}>
                    utility mode: dbid ${r.dbid} ${contentLabel(r.content)} on
                    ${r.hostname}${canUtility ? '' : ' (utility mode unavailable)'}
                  </option>`,
              )}
          </select>
        </label>
        <span class="muted hint"
          >Ctrl/⌘+Enter runs · ↑/↓ history${s ? timeHint(s.timePaused, s.clusterTimeFactor) : ''}</span
        >
      </div>
      <textarea
        part="editor"
        aria-label="SQL"
        spellcheck="false"
        rows="5"
        .value=${this.sql}
        @input=${(e: Event) => (this.sql = (e.target as HTMLTextAreaElement).value)}
        @keydown=${this._onKey}
      ></textarea>
      <div class="bar">
        <button
          class="run"
          ?disabled=${s?.state !== 'ready'}
          aria-disabled=${this._running ? 'true' : 'false'}
          @click=${() => void this.run()}
        >
          ${this._running ? 'Running…' : 'Run'}
        </button>
        ${
          this._running && this.target === undefined
            ? html`<button
                class="cancel"
                ?disabled=${this._cancelSent}
                title="Sends pg_cancel_backend for this session, as psql's Ctrl-C does"
                @click=${() => void this.cancel()}
              >
                ${this._cancelSent ? 'Cancelling…' : 'Cancel'}
              </button>`
            : nothing
        }
        <button class="quiet" ?disabled=${!this._runs.length} @click=${() => (this._runs = [])}>
          Clear results
        </button>
        ${this._txBadge()}
      </div>
      <div class="results" part="results" aria-live="polite">
        ${this._runs.map((run, i) => html`<section class="run-block ${i === 0 ? 'latest' : 'older'}">${run.map(renderOutcome)}</section>`)}
        ${this._runs.length ? nothing : html`<p class="muted">Results appear here.</p>`}
      </div>
    `;
  }
}

define('mpp-console', MppConsole);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-console': MppConsole;
  }
}
