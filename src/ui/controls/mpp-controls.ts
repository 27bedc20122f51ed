import { LitElement, html, nothing } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { define } from '../define.ts';
import * as act from '../state/actions.ts';
import type { ClusterStore } from '../state/cluster-store.ts';
import { KeepFocusWhileBusy } from '../shared/keep-focus.ts';
import { StoreWatcher } from '../state/store-watcher.ts';
import { contentLabel, roleLabel } from '../state/types.ts';
import { utilities } from './utility-buttons.ts';
import { styles } from './mpp-controls.styles.ts';

export const PROBE_SQL = 'select gp_request_fts_probe_scan();';

function parseTarget(v: string): number | string {
  return /^\d+$/.test(v) ? Number(v) : v;
}

/** A number of milliseconds from an input: whole, from 0 to `max` (what the field's limits say). */
function wholeMs(v: string, max: number): number {
  return Math.max(0, Math.min(max, Math.round(Number(v)) || 0));
}

/**
 * Fault injection and HA utilities. Every control shows the exact API call, command line or
 * SQL it runs before you press it; the outcome lands in the output box and the timeline.
 * Controls for features the engine does not have yet stay visible, disabled, with a note.
 * @csspart output - the last action's output
 * @tag mpp-controls
 */
export class MppControls extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) store: ClusterStore | undefined;

  @state() private _target = '2';
  @state() private _sideA = 'sdw1';
  @state() private _sideB = 'sdw2';
  @state() private _delayTarget = 'sdw1';
  @state() private _delayMs = 200;
  @state() private _diskDbid = 2;
  @state() private _diskMs = 50;
  @state() private _commandLine = 'gpstate -s';
  @state() private _busy = false;

  constructor() {
    super();
    new StoreWatcher(this);
    new KeepFocusWhileBusy(this, () => this._busy);
  }

  /** The action whose finished output was last scrolled to its end. */
  private _scrolledFor: number | undefined;

  /**
   * A finished utility's output opens at its end: the question it asked, the answer, the exit
   * status and the outcome are there; its start is a scroll up.
   */
  protected override updated(): void {
    const last = this.store?.actions[0];
    if (!last || last.ok === undefined || last.seq === this._scrolledFor) return;
    this._scrolledFor = last.seq;
    const pre = this.renderRoot.querySelector<HTMLElement>('.output pre');
    if (pre) pre.scrollTop = pre.scrollHeight;
  }

  private async _do(fn: () => Promise<unknown>): Promise<void> {
    this._busy = true;
    try {
      await fn();
    } finally {
      this._busy = false;
    }
  }

  override render() {
    const s = this.store;
    if (!s || s.state !== 'ready') return html`<p class="muted">Waiting for the cluster…</p>`;
    const hosts = s.hosts();
    const t = parseTarget(this._target);
    const last = s.actions[0];
    const f = s.features;
    return html`
      <fieldset>
        <legend>Processes</legend>
        <label
          >Target
          <select @change=${(e: Event) => (this._target = (e.target as HTMLSelectElement).value)}>
            ${s.config.map(
              (r) =>
                html`<option value=${r.dbid} ?selected=${String(r.dbid) === this._target}>
                  dbid ${r.dbid} · ${contentLabel(r.content)} ${roleLabel(r.role, r.content)} · ${r.hostname}
                </option>`,
            )}
            ${hosts.map((h) => html`<option value=${h} ?selected=${h === this._target}>host ${h} (every instance)</option>`)}
          </select>
        </label>
        <div class="row">
          <button
            class="danger"
            data-action="crash"
            ?disabled=${this._busy}
            @click=${() => this._do(() => act.crash(s, t))}
          >
            Crash
          </button>
          <code class="cmd api">${act.faultCommand.crash(t)}</code>
        </div>
        <div class="row">
          <button
            data-action="restart"
            ?disabled=${this._busy}
            @click=${() => this._do(() => act.restart(s, t))}
          >
            Restart
          </button>
          <code class="cmd api">${act.faultCommand.restart(t)}</code>
        </div>
      </fieldset>

      <fieldset>
        <legend>Network</legend>
        <div class="row">
          ${this._hostSelect('Cut', this._sideA, hosts, (v) => (this._sideA = v))}
          ${this._hostSelect('from', this._sideB, hosts, (v) => (this._sideB = v))}
        </div>
        <div class="row">
          <button
            class="danger"
            ?disabled=${this._sideA === this._sideB}
            @click=${() => act.partition(s, [this._sideA], [this._sideB])}
          >
            Partition
          </button>
          <code class="cmd api">${act.faultCommand.partition([this._sideA], [this._sideB])}</code>
        </div>
        <div class="row">
          <button @click=${() => act.heal(s)}>Heal</button
          ><code class="cmd api">${act.faultCommand.heal()}</code>
        </div>
        <div class="row">
          ${this._hostSelect('Delay', this._delayTarget, hosts, (v) => (this._delayTarget = v))}
          <label
            >ms
            <input
              type="number"
              min="0"
              max="60000"
              step="50"
              .value=${String(this._delayMs)}
              @change=${(e: Event) => (this._delayMs = wholeMs((e.target as HTMLInputElement).value, 60_000))}
          /></label>
          <button @click=${() => act.delay(s, this._delayTarget, this._delayMs)}>Delay link</button>
        </div>
        <code class="cmd api">${act.faultCommand.delay(this._delayTarget, this._delayMs)}</code>
        ${this._applied()}
      </fieldset>

      <fieldset>
        <legend>Disk</legend>
        <div class="row">
          <label
            >dbid
            <select @change=${(e: Event) => (this._diskDbid = Number((e.target as HTMLSelectElement).value))}>
              ${s.config.map((r) => html`<option value=${r.dbid} ?selected=${r.dbid === this._diskDbid}>${r.dbid} · ${contentLabel(r.content)}</option>`)}
            </select>
          </label>
          <label
            >ms
            <input
              type="number"
              min="0"
              max="5000"
              step="10"
              .value=${String(this._diskMs)}
              @change=${(e: Event) => (this._diskMs = wholeMs((e.target as HTMLInputElement).value, 5_000))}
          /></label>
        </div>
        <div class="row">
          <button @click=${() => act.slowDisk(s, this._diskDbid, this._diskMs)}>Slow disk</button>
          <code class="cmd api">${act.faultCommand.slowDisk(this._diskDbid, this._diskMs)}</code>
        </div>
        <div class="row">
          ${
            s.applied.fullDisks.has(this._diskDbid)
              ? html`<button @click=${() => act.diskFull(s, this._diskDbid, false)}>Free disk</button>
                  <code class="cmd api">${act.faultCommand.diskFull(this._diskDbid, false)}</code>`
              : html`<button class="danger" @click=${() => act.diskFull(s, this._diskDbid, true)}>
                    Fill disk
                  </button>
                  <code class="cmd api">${act.faultCommand.diskFull(this._diskDbid, true)}</code>`
          }
        </div>
      </fieldset>

      <fieldset class="utilities">
        <legend>FTS and utilities</legend>
        <div class="row">
          <button ?disabled=${!f.ftsProbe} @click=${() => act.sql(s, PROBE_SQL)}>Probe now</button>
          <code class="cmd sql">${PROBE_SQL}</code>
        </div>
        <div class="grid">
          ${utilities(s.config, s.directories).map(
            (u) =>
              html`<button
                class="util"
                ?disabled=${!f.utilities}
                title=${u.what}
                @click=${() => act.utility(s, u.cmd)}
              >
                <code>${u.cmd}</code><span class="muted">${u.what}</span>
              </button>`,
          )}
        </div>
        <form class="row" @submit=${this._runCommandLine}>
          <label class="grow"
            >Command line
            <input
              name="cmd"
              class="mono"
              .value=${this._commandLine}
              @input=${(e: Event) => (this._commandLine = (e.target as HTMLInputElement).value)}
          /></label>
          <button type="submit">Run</button>
        </form>
      </fieldset>

      <div class="output" part="output" aria-live="polite">
        ${
          last
            ? html`<div class="output-head">
                  <code class="cmd ${last.kind === 'sql' ? 'sql' : last.kind === 'fault' ? 'api' : ''}"
                    >${last.command}</code
                  >
                  <button
                    class="quiet"
                    data-action="full-output"
                    ?disabled=${last.ok === undefined}
                    @click=${() => this._openFullView()}
                    title="Show the whole output in a wide window, its columns in line"
                  >
                    Full view
                  </button>
                </div>
                <pre tabindex="0" class=${last.ok === false ? 'error' : ''}>
${last.ok === undefined ? 'running…' : last.output}</pre>
                ${last.note ? html`<p class="note exit-note">${last.note}</p>` : nothing}
                <dialog
                  class="full-output"
                  aria-label=${`Output of ${last.command}`}
                  @close=${() => (this._fullOpen = false)}
                >
                  ${
                    this._fullOpen
                      ? html`<div class="output-head">
                            <code class="cmd">${last.command}</code>
                            <form method="dialog"><button class="quiet" autofocus>Close</button></form>
                          </div>
                          <pre tabindex="0" class=${last.ok === false ? 'error' : ''}>${last.output}</pre>`
                      : nothing
                  }
                </dialog>`
            : html`<p class="muted">Press a control: its command and output appear here.</p>`
        }
      </div>
    `;
  }

  @query('dialog.full-output') private _fullView: HTMLDialogElement | undefined;
  /** The full view's copy of the output is rendered only while it is open (it may be long). */
  @state() private _fullOpen = false;

  private async _openFullView(): Promise<void> {
    this._fullOpen = true;
    await this.updateComplete;
    if (this._fullView && !this._fullView.open) this._fullView.showModal();
  }

  private _hostSelect(label: string, value: string, hosts: string[], set: (v: string) => void) {
    return html`<label
      >${label}
      <select @change=${(e: Event) => set((e.target as HTMLSelectElement).value)}>
        ${hosts.map((h) => html`<option value=${h} ?selected=${h === value}>${h}</option>`)}
      </select></label
    >`;
  }

  private _applied() {
    const a = this.store?.applied;
    if (!a || (!a.partition && !a.delays.size)) return nothing;
    return html`<p class="note">
      Applied: ${a.partition ? `partition ${a.partition}` : ''}
      ${[...a.delays].map(([t, ms]) => `delay ${t} ${ms} ms`).join(', ')}
    </p>`;
  }

  private _runCommandLine(e: Event): void {
    e.preventDefault();
    const s = this.store;
    const line = this._commandLine.trim();
    if (s && line) void act.utility(s, line);
  }
}

define('mpp-controls', MppControls);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-controls': MppControls;
  }
}
