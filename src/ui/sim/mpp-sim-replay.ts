import { LitElement, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { define } from '../define.ts';
import { emit } from '../events.ts';
import { confirmReplace } from '../shared/confirm-replace.ts';
import { baseStyles } from '../shared/base.styles.ts';
import { clientTimeline, faultSteps, timelineStyles } from './client-timeline.ts';
import { styles } from './mpp-sim-replay.styles.ts';
import type { ClusterStore } from '../state/cluster-store.ts';
import { StoreWatcher } from '../state/store-watcher.ts';
import {
  decodeRun,
  describeStep,
  encodeRun,
  generatePlan,
  SimRun,
  type ClusterOptions,
  type Step,
} from '../../workers/index.ts';

/** Seeds run by the explorer in CI are 1..200 with 30 steps; any seed replays the same way. */
const DEFAULT_STEPS = 30;

/**
 * The deterministic simulator in the lab. Replay: load an explorer seed, and step through its
 * plan (workload steps and faults) on the same simulated cluster the explorer ran, with every
 * invariant checked after each step; a step back replays from the start. Scale: boot a
 * simulated cluster too large for one worker per instance, for placement and failure what-ifs.
 * @csspart plan - the list of the plan's steps
 * @tag mpp-sim-replay
 */
export class MppSimReplay extends LitElement {
  static override styles = [baseStyles, timelineStyles, styles];

  @property({ attribute: false }) store: ClusterStore | undefined;
  @state() private _seed = 1;
  @state() private _steps = DEFAULT_STEPS;
  @state() private _run: SimRun | undefined;
  @state() private _busy = false;
  @state() private _error = '';
  @state() private _hosts = 16;
  @state() private _segments = 8;
  @state() private _mirroring: 'group' | 'spread' = 'spread';
  /** A shared run's own plan and replication (a seed loaded from the form uses its generated plan). */
  private _plan: Step[] | undefined;
  private _replication: 'wal' | 'filerep' = 'wal';
  /** The last link made to a step of this run, and whether it went to the clipboard. */
  @state() private _link = '';
  @state() private _copied = false;
  private _linkOpened = false;

  constructor() {
    super();
    new StoreWatcher(this);
  }

  /** The replay in progress (for tests and embedders). */
  get run(): SimRun | undefined {
    return this._run;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this._onHash);
    // A page opened from a run link replays that run (once: not again when the panel moves).
    if (!this._linkOpened && location.hash.startsWith('#run=')) {
      this._linkOpened = true;
      void this.openLink(location.hash);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this._onHash);
  }

  /** Another run link pasted into this tab's address: opened after asking, as Load seed asks. */
  private readonly _onHash = async (): Promise<void> => {
    if (!location.hash.startsWith('#run=')) return;
    if (await confirmReplace(this, 'the run in the link')) await this.openLink(location.hash);
  };

  /**
   * Opens a run link (`#run=...`): the whole run is checked first; then its cluster boots and
   * the run is replayed to the step the link was made at. A damaged link or one from a newer
   * lab is refused with the reason, and nothing is replaced.
   */
  async openLink(hash: string): Promise<void> {
    this._error = '';
    try {
      const run = await decodeRun(hash.replace(/^#run=/, ''));
      await this.load(run.seed, run.plan.length, run.at, { plan: run.plan, replication: run.replication });
    } catch (e) {
      this._error = e instanceof Error ? e.message : String(e);
    }
  }

  /** A link to the run at its current step, copied to the clipboard when the page may. */
  async copyLink(): Promise<string> {
    const run = this._run;
    if (!run) return '';
    const code = await encodeRun({
      seed: run.seed,
      replication: this._replication,
      plan: [...run.plan],
      at: Math.min(run.next, run.plan.length),
    });
    this._link = `${location.origin}${location.pathname}${location.search}#run=${code}`;
    // No clipboard outside a secure context (a dev server opened by address): the link shows.
    const clipboard = navigator.clipboard as Clipboard | undefined;
    this._copied = clipboard
      ? await clipboard.writeText(this._link).then(
          () => true,
          () => false,
        )
      : false;
    return this._link;
  }

  /** Loads a seed from the form: its own generated plan, WAL replication. */
  private async _loadSeed(): Promise<void> {
    await this.load(this._seed, this._steps, 0, { plan: undefined, replication: 'wal' });
  }

  /**
   * Loads a seed: its cluster boots and the lab shows it, replayed to step `upTo`. `shared` is
   * a run link's plan and replication (kept for Back and links only once the load succeeded);
   * by default the loaded run's own.
   */
  async load(
    seed = this._seed,
    steps = this._steps,
    upTo = 0,
    shared: { plan: Step[] | undefined; replication: 'wal' | 'filerep' } = {
      plan: this._plan,
      replication: this._replication,
    },
  ): Promise<void> {
    this._busy = true;
    this._error = '';
    this._link = '';
    try {
      const plan = shared.plan ?? generatePlan(seed, steps);
      const run = await SimRun.begin(seed, plan, shared.replication);
      while (run.next < upTo && !run.done) await run.step();
      const old = this._run;
      this._run = run;
      this._seed = seed;
      this._steps = steps;
      this._plan = shared.plan;
      this._replication = shared.replication;
      emit(this, 'mpp-sim-adopt', { cluster: run.cluster, options: this.optionsOf(run), pump: false });
      if (old && old !== run) await old.close();
    } catch (e) {
      this._error = e instanceof Error ? e.message : String(e);
    } finally {
      this._busy = false;
    }
  }

  /** Runs the next step (after the last one: the repair and the final checks). */
  async step(): Promise<void> {
    const run = this._run;
    if (!run || run.done || this._busy) return;
    this._busy = true;
    try {
      await run.step();
      this.store?.announce(this.describeLast(run));
      // Issued in the same task as the step's end, so it meets the simulation at the same point
      // on every replay (the store reads a replayed cluster only when asked).
      void this.store?.refresh();
    } finally {
      this._busy = false;
      this.requestUpdate();
    }
  }

  /**
   * Scrubbing: forward runs the steps up to `k`; back replays the run from its start to `k`
   * (a database's disk cannot be rewound: the same run is simply run again).
   */
  async goTo(k: number): Promise<void> {
    const run = this._run;
    if (!run || this._busy) return;
    const to = Math.max(0, Math.min(run.plan.length, k));
    if (to < run.next) await this.load(run.seed, run.plan.length, to);
    else while (this._run === run && run.next < to && !run.done) await this.step();
  }

  async runToEnd(): Promise<void> {
    while (this._run && !this._run.done) await this.step();
  }

  /** One step back: the simulation is deterministic, so the run is replayed up to there. */
  async back(): Promise<void> {
    const run = this._run;
    if (!run || run.next === 0) return;
    await this.load(run.seed, run.plan.length, run.next - 1);
  }

  private optionsOf(run: SimRun): ClusterOptions {
    const shape = run.shape;
    return {
      runtime: 'sim',
      seed: run.seed,
      hosts: shape.hosts,
      segmentsPerHost: shape.segmentsPerHost,
      mirroring: shape.mirroring,
      standby: true,
    };
  }

  private describeLast(run: SimRun): string {
    if (run.failure) return `Step ${run.failure.step}: invariant violated: ${run.failure.invariant}.`;
    const last = run.log[run.log.length - 1] ?? '';
    return run.finished ? `Repaired; every invariant held. ${last}` : `Step ${last}`;
  }

  private async bootLarge(e: Event): Promise<void> {
    e.preventDefault();
    const what = `a simulated cluster of ${this._hosts} hosts × ${this._segments} segments`;
    if (!(await confirmReplace(this, what))) return;
    this._run = undefined;
    const hosts = Array.from({ length: this._hosts }, (_, i) => `sdw${i + 1}`).join(',');
    emit(this, 'mpp-sim-boot', { hosts, segmentsPerHost: this._segments, mirroring: this._mirroring });
  }

  /** A slider over the plan's steps, marked at each fault and each step where FTS decided. */
  private renderScrubber(run: SimRun) {
    const decided = new Set(
      run.decisions.map((d) => run.stepTimes.findIndex((t) => d.at <= t.end)).filter((i) => i >= 0),
    );
    const marks = [...new Set([...faultSteps(run.plan), ...decided])].sort((a, b) => a - b);
    const at = Math.min(run.next, run.plan.length);
    return html`<label class="scrub"
      >Step ${at} of ${run.plan.length}
      <input
        type="range"
        min="0"
        max=${run.plan.length}
        .value=${String(at)}
        list="sim-marks"
        ?disabled=${this._busy}
        aria-valuetext=${`step ${at} of ${run.plan.length}`}
        @change=${(e: Event) => void this.goTo(Number((e.target as HTMLInputElement).value))}
      />
      <datalist id="sim-marks">${marks.map((m) => html`<option value=${m}></option>`)}</datalist>
      <span class="small"
        >marks: faults (${faultSteps(run.plan).join(', ') || 'none'}), FTS decisions
        (${[...decided].join(', ') || 'none yet'})</span
      >
    </label>`;
  }

  private renderPlan(run: SimRun) {
    const items = [...run.plan.map((s) => describeStep(s)), 'repair: heal, restart, gprecoverseg, rebalance'];
    return html`<ol part="plan" tabindex="0" start="0" aria-label="Plan of seed ${run.seed}">
      ${items.map((text, i) => {
        const logged = run.log[i];
        const note = logged?.split(' -> ')[1];
        const cls =
          run.failure?.step === i
            ? 'failed'
            : i < run.next || (run.finished && i === run.plan.length)
              ? 'done'
              : i === run.next
                ? 'current'
                : 'pending';
        return html`<li class=${cls} aria-current=${cls === 'current' ? 'step' : 'false'}>
          ${text}${note ? html` <span class="note">→ ${note}</span>` : nothing}
        </li>`;
      })}
    </ol>`;
  }

  override render() {
    const run = this._run;
    const num = (v: string, min: number, max: number, dflt: number) =>
      Math.max(min, Math.min(max, Math.floor(Number(v)) || dflt));
    return html`
      <p class="muted">
        The explorer (<code>npm run explore</code>) runs seeded workloads and faults on a simulated cluster
        and checks its invariants after every step. Load a seed to step through its run here.
      </p>
      <form
        @submit=${async (e: Event) => {
          e.preventDefault();
          if (await confirmReplace(this, `the replay of seed ${this._seed}`)) void this._loadSeed();
        }}
      >
        <label
          >Seed<input
            type="number"
            min="1"
            .value=${String(this._seed)}
            @change=${(e: Event) => (this._seed = num((e.target as HTMLInputElement).value, 1, 2 ** 31, 1))}
        /></label>
        <label
          >Steps<input
            type="number"
            min="1"
            max="200"
            .value=${String(this._steps)}
            @change=${(e: Event) => (this._steps = num((e.target as HTMLInputElement).value, 1, 200, DEFAULT_STEPS))}
        /></label>
        <button type="submit" ?disabled=${this._busy}>Load seed</button>
      </form>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
      ${
        run
          ? html`
              <p>
                Seed ${run.seed}: ${run.shape.hosts.length} hosts × ${run.shape.segmentsPerHost}, mirroring
                ${run.shape.mirroring}, a standby · step ${Math.min(run.next, run.plan.length)} of
                ${run.plan.length} · virtual time ${(run.virtualMs / 1000).toFixed(1)} s
              </p>
              <div class="row">
                <button @click=${() => void this.step()} ?disabled=${this._busy || run.done}>
                  ${run.next === run.plan.length ? 'Repair and check' : 'Step'}
                </button>
                <button @click=${() => void this.runToEnd()} ?disabled=${this._busy || run.done}>
                  Run to end
                </button>
                <button
                  class="quiet"
                  @click=${() => void this.back()}
                  ?disabled=${this._busy || run.next === 0}
                >
                  Back one step
                </button>
                <button class="quiet" @click=${() => void this.copyLink()} ?disabled=${this._busy}>
                  Copy link to this step
                </button>
              </div>
              ${this.renderScrubber(run)}
              ${
                this._link
                  ? html`<label class="link"
                      >${this._copied ? 'Copied: ' : 'Select and copy: '}a link that replays this run to step
                      ${Math.min(run.next, run.plan.length)} (nothing leaves the page: the run is in the link)
                      <input
                        readonly
                        .value=${this._link}
                        @focus=${(e: Event) => (e.target as HTMLInputElement).select()}
                    /></label>`
                  : nothing
              }
              ${
                run.failure
                  ? html`<p class="verdict bad" role="alert">
                      Invariant violated after step ${run.failure.step}:
                      <strong>${run.failure.invariant}</strong>. ${run.failure.message}
                    </p>`
                  : run.finished
                    ? html`<p class="verdict" role="status">
                        Repaired and checked: every invariant held; copies compared page by page for
                        content(s) ${run.compared.join(', ')}.
                      </p>`
                    : nothing
              }
              ${clientTimeline(run)} ${this.renderPlan(run)}
            `
          : nothing
      }
      <h3>Simulate a large cluster</h3>
      <form @submit=${(e: Event) => void this.bootLarge(e)}>
        <label
          >Hosts<input
            type="number"
            min="2"
            max="64"
            .value=${String(this._hosts)}
            @change=${(e: Event) => (this._hosts = num((e.target as HTMLInputElement).value, 2, 64, 16))}
        /></label>
        <label
          >Segments per host<input
            type="number"
            min="1"
            max="16"
            .value=${String(this._segments)}
            @change=${(e: Event) => (this._segments = num((e.target as HTMLInputElement).value, 1, 16, 8))}
        /></label>
        <label
          >Mirroring<select
            .value=${this._mirroring}
            @change=${(e: Event) => (this._mirroring = (e.target as HTMLSelectElement).value as 'group' | 'spread')}
          >
            <option value="group">group</option>
            <option value="spread">spread</option>
          </select></label
        >
        <button type="submit">Start simulated cluster</button>
      </form>
      <p class="muted">
        Every instance runs in this tab on virtual time (the sim runtime), so a cluster of hundreds of
        instances boots in a moment; fail a host and watch where its primaries land.
      </p>
    `;
  }
}

define('mpp-sim-replay', MppSimReplay);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-sim-replay': MppSimReplay;
  }
}
