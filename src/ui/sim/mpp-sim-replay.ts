import { LitElement, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { define } from '../define.ts';
import { emit } from '../events.ts';
import { confirmReplace } from '../shared/confirm-replace.ts';
import { baseStyles } from '../shared/base.styles.ts';
import { clientTimeline, timelineStyles } from './client-timeline.ts';
import { styles } from './mpp-sim-replay.styles.ts';
import type { ClusterStore } from '../state/cluster-store.ts';
import { KeepFocusWhileBusy } from '../shared/keep-focus.ts';
import { StoreWatcher } from '../state/store-watcher.ts';
import {
  decodeRun,
  encodeRun,
  generatePlan,
  readRunFile,
  SHAPES,
  runFile,
  type Cluster,
  type ClusterOptions,
  type SharedRun,
  type SimRun,
  type Step,
} from '../../workers/index.ts';
import { RunDriver, type RunSpec } from './run-driver.ts';
import { recordBar, recordForm, type ShapeName } from './record-controls.ts';
import { clampedInt, largeClusterForm } from './large-cluster-form.ts';
import { planList, scrubber, verdict } from './run-view.ts';

/** Seeds run by the explorer in CI are 1..120 with 30 steps; any seed replays the same way. */
const DEFAULT_STEPS = 30;

/**
 * The deterministic simulator in the lab. Replay: load an explorer seed, a run link or a run
 * file, and step through its plan (workload steps and faults) on the same simulated cluster,
 * with every invariant checked after each step; a step back replays from the start. Record:
 * start a run of your own (or take one over at a step) and every action in the lab becomes its
 * next step, for a link or file that replays it. Scale: boot a simulated cluster too large for
 * one worker per instance, for placement and failure what-ifs.
 * @csspart plan - the list of the plan's steps
 * @tag mpp-sim-replay
 */
export class MppSimReplay extends LitElement {
  static override styles = [baseStyles, timelineStyles, styles];

  @property({ attribute: false }) store: ClusterStore | undefined;
  @state() private _seed = 1;
  @state() private _steps = DEFAULT_STEPS;
  @state() private _error = '';
  @state() private _hosts = 16;
  @state() private _segments = 8;
  @state() private _mirroring: 'group' | 'spread' = 'spread';
  @state() private _recordShape: ShapeName = 'group';
  /** Whether the record bar's waits run under the bank workload. */
  @state() private _underLoad = true;
  @state() private _recordReplication: 'wal' | 'filerep' = 'wal';
  private readonly _driver = new RunDriver({
    adopt: (run, acted, live) => this.adopt(run, acted, live),
    read: async () => {
      // A link made before this step would not replay to it: it goes (the button makes another).
      this._link = '';
      const run = this._driver.run;
      if (run) this.store?.announce(this.describeLast(run));
      await this.store?.readNow();
    },
    changed: () => this.requestUpdate(),
  });
  /** The last link made to a step of this run, and whether it went to the clipboard. */
  @state() private _link = '';
  @state() private _copied = false;
  private _linkOpened = false;

  constructor() {
    super();
    new StoreWatcher(this);
    new KeepFocusWhileBusy(this, () => this._busy);
  }

  /** The replay in progress (for tests and embedders). */
  get run(): SimRun | undefined {
    return this._driver.run;
  }

  /** Whether the lab's actions are recorded as the run's next steps. */
  get recording(): boolean {
    return this._driver.recording;
  }

  /** Whether a step or an action is queued or running. */
  get busy(): boolean {
    return this._driver.busy;
  }

  private get _busy(): boolean {
    return this._driver.busy;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this._onHash);
    this.addEventListener('dragover', this._onDragOver);
    this.addEventListener('drop', this._onDrop);
    // A page opened from a run link replays that run (once: not again when the panel moves).
    if (!this._linkOpened && location.hash.startsWith('#run=')) {
      this._linkOpened = true;
      void this.openLink(location.hash);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this._onHash);
    this.removeEventListener('dragover', this._onDragOver);
    this.removeEventListener('drop', this._onDrop);
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
      await this.open(await decodeRun(hash.replace(/^#run=/, '')));
    } catch (e) {
      this._error = e instanceof Error ? e.message : String(e);
    }
  }

  /** Opens a run file (its text), checked whole first as a link is. */
  async openFile(text: string): Promise<void> {
    this._error = '';
    try {
      await this.open(readRunFile(text));
    } catch (e) {
      this._error = e instanceof Error ? e.message : String(e);
    }
  }

  private open(run: SharedRun): Promise<void> {
    const { seed, replication, shape, plan, at } = run;
    return this.loadSpec({ seed, replication, shape, plan }, at);
  }

  /** The run at its current step, as a link's or a file's content. */
  private shared(): Omit<SharedRun, 'version'> | undefined {
    const run = this._driver.run;
    const spec = this._driver.spec;
    if (!run || !spec) return undefined;
    return {
      seed: run.seed,
      replication: spec.replication,
      ...(spec.shape ? { shape: spec.shape } : {}),
      plan: [...run.plan],
      at: Math.min(run.next, run.plan.length),
    };
  }

  /** The run as a file (indented JSON), offered as a download; its text is returned. */
  exportFile(): string {
    const run = this.shared();
    if (!run) return '';
    const text = runFile(run);
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    a.download = `mpp-run-seed${run.seed}-step${run.at}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    return text;
  }

  private async _importFile(file: File | undefined): Promise<void> {
    if (!file) return;
    if (await confirmReplace(this, `the run in ${file.name}`)) await this.openFile(await file.text());
  }

  /** A run file or a run link dropped on the panel is opened, after asking. */
  private readonly _onDrop = (e: DragEvent): void => {
    const file = e.dataTransfer?.files[0];
    const link = /#run=[A-Za-z0-9_-]+/.exec(e.dataTransfer?.getData('text/plain') ?? '')?.[0];
    if (!file && !link) return;
    e.preventDefault();
    if (file) void this._importFile(file);
    else if (link)
      void confirmReplace(this, 'the run in the link').then((ok) => (ok ? this.openLink(link) : undefined));
  };

  private readonly _onDragOver = (e: DragEvent): void => {
    const types = e.dataTransfer?.types ?? [];
    if (types.includes('Files') || types.includes('text/plain')) e.preventDefault();
  };

  /**
   * Opens a shared run (a lesson's "here is the failure") and takes it over at its step, so what
   * the person does next is recorded. Rejects when the person keeps the running cluster or
   * the run cannot be replayed.
   */
  async openRun(run: Omit<SharedRun, 'version'>, what: string): Promise<void> {
    if (!(await confirmReplace(this, what))) throw new Error('Cancelled: the running cluster was kept.');
    const { seed, replication, shape, plan, at } = run;
    await this.loadSpec({ seed, replication, shape, plan }, at, true);
    if (this._error) throw new Error(this._error);
  }

  /** Records a step (time passing) on the run taken over; rejects when it cannot. */
  async actOrThrow(step: Step): Promise<void> {
    await this._driver.act(step);
  }

  /** Starts recording a run of your own on a new cluster of the chosen shape. */
  async record(shape: ShapeName = this._recordShape, replication = this._recordReplication): Promise<void> {
    await this.loadSpec({ seed: this._seed, replication, shape: SHAPES[shape], plan: [] }, 0, true);
  }

  /** Take over here: the steps after this one are dropped and what you do next is recorded. */
  async takeOver(): Promise<void> {
    this._error = '';
    try {
      await this._driver.takeOver();
      this._link = '';
    } catch (e) {
      this._error = e instanceof Error ? e.message : String(e);
    }
  }

  /** Go live from here: the run's cluster runs on with the lab's clock (see RunDriver.goLive). */
  async goLive(): Promise<void> {
    await this._driver.goLive();
  }

  /** Whether the run has gone live. */
  get live(): boolean {
    return this._driver.live;
  }

  /** Records an action the panel offers (a wait, transfers) as the run's next step. */
  async act(step: Step): Promise<void> {
    this._error = '';
    try {
      await this._driver.act(step);
    } catch (e) {
      this._error = e instanceof Error ? e.message : String(e);
    }
  }

  /** A link to the run at its current step, copied to the clipboard when the page may. */
  async copyLink(): Promise<string> {
    const run = this.shared();
    if (!run) return '';
    const code = await encodeRun(run);
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
    await this.load(this._seed, this._steps, 0);
  }

  /** Loads an explorer seed's plan of `steps` steps, replayed to step `upTo`. */
  async load(seed = this._seed, steps = this._steps, upTo = 0): Promise<void> {
    this._steps = steps;
    await this.loadSpec(
      { seed, replication: 'wal', shape: undefined, plan: generatePlan(seed, steps) },
      upTo,
    );
  }

  /**
   * Boots a run and the lab shows it, replayed to step `upTo`; with `record`, the lab's actions
   * are its next steps. A run that cannot boot leaves the one shown as it was.
   */
  private async loadSpec(spec: RunSpec, upTo: number, record = false): Promise<void> {
    this._error = '';
    this._link = '';
    try {
      await this._driver.load(spec, upTo, record);
      this._seed = spec.seed;
    } catch (e) {
      this._error = e instanceof Error ? e.message : String(e);
    }
  }

  /**
   * Shows the run's cluster in the lab: the panels act on `acted` (its steps) and the lab reads
   * the run through its watcher at each step's end, which leaves the run exactly as it was (the
   * replay stays the seed's run); live, both are the cluster, and time runs with the lab's.
   */
  private adopt(run: SimRun, acted: Cluster, live: boolean): Promise<void> {
    let adopted: Promise<void> = Promise.resolve();
    emit(this, 'mpp-sim-adopt', {
      cluster: acted,
      reader: live ? run.cluster : run.cluster.watcher,
      options: this.optionsOf(run),
      pump: live,
      reply: (p) => (adopted = p),
    });
    return adopted;
  }

  /** Runs the next step (after the last one: the repair and the final checks). */
  async step(): Promise<void> {
    await this._driver.step();
  }

  /**
   * Scrubbing: forward runs the steps up to `k`; back replays the run from its start to `k`
   * (a database's disk cannot be rewound: the same run is simply run again).
   */
  async goTo(k: number): Promise<void> {
    const run = this.run;
    const spec = this._driver.spec;
    if (!run || !spec || this._busy) return;
    const to = Math.max(0, Math.min(run.plan.length, k));
    if (to < run.next) await this.loadSpec({ ...spec, plan: [...run.plan] }, to);
    else while (this.run === run && run.next < to && !run.done) await this._driver.step(run);
  }

  async runToEnd(): Promise<void> {
    const run = this.run;
    while (run && this.run === run && !run.done) await this._driver.step(run);
  }

  /** One step back: the simulation is deterministic, so the run is replayed up to there. */
  async back(): Promise<void> {
    const run = this.run;
    if (!run || run.next === 0) return;
    await this.goTo(run.next - 1);
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
    this._driver.forget();
    const hosts = Array.from({ length: this._hosts }, (_, i) => `sdw${i + 1}`).join(',');
    emit(this, 'mpp-sim-boot', { hosts, segmentsPerHost: this._segments, mirroring: this._mirroring });
  }

  override render() {
    const run = this.run;
    const num = clampedInt;
    return html`
      <p class="muted">
        The explorer (<code>npm run explore</code>) runs seeded workloads and faults on a simulated cluster
        and checks its invariants after every step. Load a seed to step through its run here, or record a run
        of your own to send as a link or a file.
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
      ${recordForm({
        shape: this._recordShape,
        replication: this._recordReplication,
        busy: this._busy,
        setShape: (v) => (this._recordShape = v),
        setReplication: (v) => (this._recordReplication = v),
        start: () =>
          void confirmReplace(this, 'a new recorded run').then((ok) => (ok ? this.record() : undefined)),
        importFile: (f) => void this._importFile(f),
      })}
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
      ${
        run
          ? html`
              <p>
                ${this.live ? 'Gone live' : this.recording ? 'Recorded run' : 'Replay'}, seed ${run.seed}:
                ${run.shape.hosts.length} hosts × ${run.shape.segmentsPerHost}, mirroring
                ${run.shape.mirroring}, a standby · step ${Math.min(run.next, run.plan.length)} of
                ${run.plan.length} · virtual time ${(run.virtualMs / 1000).toFixed(1)} s
              </p>
              ${
                this.recording
                  ? recordBar(
                      {
                        busy: this._busy,
                        underLoad: this._underLoad,
                        setUnderLoad: (on) => (this._underLoad = on),
                        act: (s) => void this.act(s),
                      },
                      run,
                    )
                  : nothing
              }
              ${
                this.live
                  ? html`<p class="recording" role="status">
                      <strong>Live from step ${Math.min(run.next, run.plan.length)}.</strong> Its time now
                      runs with the lab's clock and the panels act on it directly, as on any cluster; nothing
                      more is recorded. Its link replays it up to this step.
                    </p>`
                  : nothing
              }
              <div class="row">
                <button
                  class=${this.recording ? 'quiet' : ''}
                  @click=${() => void this.step()}
                  ?disabled=${this._busy || run.done || this.live}
                  title=${this.recording ? 'Ends the recording: the cluster is repaired and every invariant checked' : ''}
                >
                  ${run.next === run.plan.length ? (this.recording ? 'Finish: repair and check' : 'Repair and check') : 'Step'}
                </button>
                <button @click=${() => void this.runToEnd()} ?disabled=${this._busy || run.done || this.live}>
                  Run to end
                </button>
                <button
                  class="quiet"
                  @click=${() => void this.back()}
                  ?disabled=${this._busy || run.next === 0}
                >
                  Back one step
                </button>
                <button
                  class="quiet"
                  @click=${() => void this.takeOver()}
                  ?disabled=${this._busy || run.done || this.live || (this.recording && run.next === run.plan.length)}
                  title="Drop the steps after this one; what you do next is recorded"
                >
                  Take over here
                </button>
                <button
                  class="quiet"
                  @click=${() => void this.goLive()}
                  ?disabled=${this._busy || this.live}
                  title="Let this cluster's time run with the lab's clock from here"
                >
                  Go live from here
                </button>
                <button class="quiet" @click=${() => void this.copyLink()} ?disabled=${this._busy}>
                  Copy link to this step
                </button>
                <button class="quiet" @click=${() => this.exportFile()} ?disabled=${this._busy}>
                  Export run file
                </button>
              </div>
              ${scrubber(run, this._busy, (k) => void this.goTo(k))}
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
              ${verdict(run)} ${clientTimeline(run)} ${planList(run)}
            `
          : nothing
      }
      ${largeClusterForm({
        hosts: this._hosts,
        segments: this._segments,
        mirroring: this._mirroring,
        setHosts: (n) => (this._hosts = n),
        setSegments: (n) => (this._segments = n),
        setMirroring: (m) => (this._mirroring = m),
        boot: (e) => void this.bootLarge(e),
      })}
    `;
  }
}

define('mpp-sim-replay', MppSimReplay);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-sim-replay': MppSimReplay;
  }
}
