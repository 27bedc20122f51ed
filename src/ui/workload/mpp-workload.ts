import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import { define } from '../define.ts';
import { emit } from '../events.ts';
import * as act from '../state/actions.ts';
import type { ClusterStore } from '../state/cluster-store.ts';
import { StoreWatcher } from '../state/store-watcher.ts';
import '../sparkline/mpp-sparkline.ts';
import {
  ACCOUNTS,
  CHECK_SQL,
  START_BALANCE,
  commitRate,
  explainError,
  type BankWorkload,
} from './bank-workload.ts';
import { styles } from './mpp-workload.styles.ts';
import { clientView } from './client-view.ts';
import { timelineStyles } from '../sim/client-timeline.ts';

/** Health of the clients, as the panel's headline states it. */
export function workloadHealth(w: BankWorkload): {
  level: 'idle' | 'ok' | 'failing' | 'stalled';
  text: string;
} {
  if (w.heldByPause)
    return { level: 'idle', text: 'paused with cluster time: it starts again when time resumes' };
  if (!w.running) return { level: 'idle', text: 'stopped' };
  const recent = w.series.slice(-5);
  const errs = recent.reduce((n, s) => n + s.errors, 0);
  const commits = recent.reduce((n, s) => n + s.commits, 0);
  const stalled = w.oldestInFlightMs();
  if (stalled > 2000)
    return { level: 'stalled', text: `stalled: a transfer has waited ${(stalled / 1000).toFixed(1)} s` };
  if (errs > 0)
    return { level: 'failing', text: `failing: ${errs} errors, ${commits} commits in the last 5 s` };
  return { level: 'ok', text: 'healthy' };
}

/**
 * The bank workload's controls and charts: rate and sessions, commits/s with error marks,
 * latency, the last error with its SQLSTATE, and the money-is-conserved check.
 * @fires mpp-workload-change - detail: { running, rate, sessions }
 * @csspart charts - the sparklines
 * @tag mpp-workload
 */
export class MppWorkload extends LitElement {
  static override styles = [styles, timelineStyles];

  @property({ attribute: false }) store: ClusterStore | undefined;
  @property({ attribute: false }) workload: BankWorkload | undefined;

  private _off: (() => void) | undefined;

  constructor() {
    super();
    new StoreWatcher(this);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('workload')) this._follow();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this._follow();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._off?.();
    this._off = undefined;
  }

  private _follow(): void {
    this._off?.();
    this._off = this.isConnected ? this.workload?.onChange(() => this.requestUpdate()) : undefined;
  }

  private _configure(rate: number, sessions: number): void {
    const w = this.workload;
    if (!w) return;
    w.configure(rate, sessions);
    emit(this, 'mpp-workload-change', { running: w.running, rate: w.rate, sessions: w.sessions });
  }

  private _toggle(): void {
    const w = this.workload;
    if (!w) return;
    if (w.running || w.heldByPause) w.stop();
    else w.start();
    emit(this, 'mpp-workload-change', { running: w.running, rate: w.rate, sessions: w.sessions });
  }

  override render() {
    const w = this.workload;
    if (!w) return html`<p class="muted">No workload.</p>`;
    const health = workloadHealth(w);
    const series = w.series.slice(-60);
    const shade = series.map((x) => this.store?.faultAt(x.t) ?? false);
    const lag = (this.store?.lagSeries ?? []).slice(-60);
    const last = series[series.length - 1];
    const check = this.store?.actions.find((a) => a.command === CHECK_SQL);
    return html`
      <p class="health ${health.level}" role="status" data-health=${health.level}>
        <span aria-hidden="true">${{ idle: '■', ok: '●', failing: '▲', stalled: '◷' }[health.level]}</span>
        ${health.text}
      </p>
      ${
        this.store?.stepDriven
          ? html`<p class="muted" data-note="stepped">
              A simulated run moves only by its steps, so this workload does not run on it: its workload is
              the Simulation panel's bank transfers step.
            </p>`
          : nothing
      }
      <div class="row">
        <button data-action="toggle" ?disabled=${!w.ready} @click=${this._toggle}>
          ${w.running || w.heldByPause ? 'Stop' : 'Start'}
        </button>
        <label
          >Rate
          <input
            type="range"
            min="0"
            max="40"
            step="1"
            .value=${String(w.rate)}
            @change=${(e: Event) => this._configure(Number((e.target as HTMLInputElement).value), w.sessions)}
          />
          <output>${w.rate}/s</output>
        </label>
        <label
          >Sessions
          <input
            type="number"
            min="1"
            max="16"
            .value=${String(w.sessions)}
            @change=${(e: Event) => {
              const input = e.target as HTMLInputElement;
              this._configure(w.rate, Number(input.value));
              // The value in force: one out of range is clamped to 1-16, and the box says so.
              input.value = String(w.sessions);
            }}
          />
        </label>
      </div>
      <dl class="stats">
        <div>
          <dt>commits/s</dt>
          <dd data-stat="cps" title="mean over the last 5 s">
            ${w.running ? commitRate(series, w.startedAt) : 0}
          </dd>
        </div>
        <div>
          <dt>commits</dt>
          <dd data-stat="commits">${w.commits}</dd>
        </div>
        <div>
          <dt>errors</dt>
          <dd data-stat="errors" class=${w.errors ? 'error' : ''}>${w.errors}</dd>
        </div>
        <div>
          <dt>indeterminate</dt>
          <dd data-stat="indeterminate" class=${w.indeterminate ? 'warn' : ''}>${w.indeterminate}</dd>
        </div>
        <div>
          <dt>in flight</dt>
          <dd data-stat="in-flight">
            ${w.inFlight}${w.inFlight && w.oldestInFlightMs() > 1000 ? ` (oldest ${(w.oldestInFlightMs() / 1000).toFixed(1)} s)` : ''}
          </dd>
        </div>
      </dl>
      <div class="charts" part="charts">
        <mpp-sparkline
          label="commits/s"
          unit="/s"
          .values=${series.map((s) => s.commits)}
          .marks=${series.map((s) => s.errors)}
          .shade=${shade}
        ></mpp-sparkline>
        <mpp-sparkline
          label=${last?.stalled ? 'latency (waiting, none finished)' : 'latency'}
          unit="ms"
          .values=${series.map((s) => s.latencyMs)}
          .shade=${shade}
        ></mpp-sparkline>
        <mpp-sparkline
          label="replication lag (largest pair)"
          unit="kB"
          .values=${lag.map((x) => x.maxLagBytes / 1024)}
          .shade=${lag.map((x) => this.store?.faultAt(x.t) ?? false)}
        ></mpp-sparkline>
      </div>
      <p class="legend muted">
        <span class="swatch" aria-hidden="true"></span> red bars: seconds with errors ·
        <span class="swatch fault" aria-hidden="true"></span> shaded: a fault in force
      </p>
      ${clientView(w, this.store?.events ?? [])}
      ${
        w.lastError
          ? html`<p class="error last-error" data-code=${w.lastError.code}>
              Last error, at ${new Date(w.lastError.at).toLocaleTimeString()}:
              <code>${w.lastError.code}</code>
              ${w.lastError.message}
              <span class="why"
                >${explainError(
                  w.lastError.code,
                  w.lastError.message,
                  w.lastError.indeterminate,
                  w.lastError.detail,
                )}</span
              >
            </p>`
          : nothing
      }
      <details>
        <summary>The SQL of one transfer</summary>
        ${w.lastSql.map((s) => html`<code class="cmd sql">${s};</code>`)}
      </details>
      <div class="row">
        <button
          class="quiet"
          ?disabled=${!this.store?.cluster}
          @click=${() => this.store && act.sql(this.store, CHECK_SQL)}
        >
          Check money is conserved
        </button>
        <code class="cmd sql">${CHECK_SQL};</code>
      </div>
      ${
        check && check.ok !== undefined
          ? html`<p
              class=${check.ok && check.output.includes(String(ACCOUNTS * START_BALANCE)) ? 'ok' : 'error'}
            >
              ${check.output.split('\n').slice(1).join(' ') || check.output} (expected ${ACCOUNTS} |
              ${ACCOUNTS * START_BALANCE})
            </p>`
          : nothing
      }
    `;
  }
}

define('mpp-workload', MppWorkload);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-workload': MppWorkload;
  }
}
