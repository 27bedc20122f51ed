import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import {
  ENGINE_VERSION,
  savedCluster,
  type ClusterOptions,
  type SavedTopology,
} from '../../workers/index.ts';
import { define } from '../define.ts';
import { ClusterStore } from '../state/cluster-store.ts';
import { utility } from '../state/actions.ts';
import { StoreWatcher } from '../state/store-watcher.ts';
import { BankWorkload } from '../workload/bank-workload.ts';
import '../topology/mpp-topology.ts';
import '../instance-details/mpp-instance-details.ts';
import '../controls/mpp-controls.ts';
import '../console/mpp-console.ts';
import type { MppConsole } from '../console/mpp-console.ts';
import '../workload/mpp-workload.ts';
import '../timeline/mpp-timeline.ts';
import '../catalog/mpp-catalog.ts';
import '../lessons/mpp-lessons.ts';
import '../recommend/mpp-recommendations.ts';
import type { LabConfigureDetail, SimAdoptDetail, SimBootDetail } from '../events.ts';
import '../sim/mpp-sim-replay.ts';
import '../placement/mpp-placement.ts';
import { styles } from './mpp-ha-lab.styles.ts';

/** The attributes that define the cluster; changing one boots a new cluster. */
const CLUSTER_PROPS = [
  'hosts',
  'segmentsPerHost',
  'mirroring',
  'replication',
  'standby',
  'speed',
  'runtime',
  'clusterName',
] as const;

/**
 * The lab: a Greenplum-style MPP cluster running in this tab, with a light workload already
 * running, its topology, fault controls, a SQL console, live catalog views, an event timeline
 * and guided lessons. Registers every component it uses.
 *
 * @csspart header - the title bar
 * @csspart topology - the topology panel
 * @csspart details - the selected instance's details
 * @csspart workload - the workload panel
 * @csspart controls - the fault and utility controls
 * @csspart console - the SQL console panel
 * @csspart catalog - the catalog views panel
 * @csspart timeline - the event timeline panel
 * @csspart lessons - the lessons panel
 * @csspart recommendations - the recommended next actions panel
 * @csspart placement - the cluster planner (layouts, imports, what-ifs, exported files)
 * @csspart simulation - the simulation panel (seed replay, large simulated clusters)
 * @cssprop --mpp-bg, --mpp-fg, --mpp-muted, --mpp-panel-bg, --mpp-border, --mpp-accent, --mpp-focus
 * @cssprop --mpp-primary, --mpp-mirror, --mpp-coordinator, --mpp-down, --mpp-ok, --mpp-warn
 * @tag mpp-ha-lab
 */
export class MppHaLab extends LitElement {
  static override styles = styles;

  /** Segment hosts, comma-separated. */
  @property() hosts = 'sdw1,sdw2';
  /** Primaries per segment host. */
  @property({ type: Number, attribute: 'segments-per-host' }) segmentsPerHost = 2;
  /** Mirror placement, as gpinitsystem does it; group by default. */
  @property() mirroring: 'none' | 'group' | 'spread' = 'group';
  /**
   * How mirrors are kept: 'wal' streams the WAL (Greenplum 6, 7, Cloudberry; the default);
   * 'filerep' replicates file blocks with change tracking and resynchronization (Greenplum 4, 5).
   */
  @property() replication: 'wal' | 'filerep' = 'wal';
  /** A standby coordinator on 'scdw' (on by default; `standby="false"` turns it off). */
  @property({
    converter: {
      fromAttribute: (v: string | null) => v !== 'false' && v !== '0',
      toAttribute: (v: boolean) => String(v),
    },
  })
  standby = true;
  /** 'compressed' time (default) or 'realistic' Greenplum timings. */
  @property() speed: 'compressed' | 'realistic' = 'compressed';
  /**
   * 'inline' (default): every instance a database in this tab's thread, on memory disks.
   * 'worker': every instance in its own Web Worker with its own IndexedDB database; the
   * cluster survives a reload (the lab offers to resume it). 'sim': the deterministic
   * simulator's virtual time, for clusters of hundreds of instances.
   */
  @property() runtime: 'inline' | 'sim' | 'worker' = 'inline';
  /**
   * The worker runtime's cluster name: its databases, and the one tab that may own it. Default:
   * 'mpp-ha-lab', then 'mpp-ha-lab-2', ... for further labs on the page, in document order, so
   * two embedded labs never share a cluster and each finds its own again after a reload.
   */
  @property({ attribute: 'cluster-name' }) clusterName = '';

  /** The cluster name in effect (see clusterName). */
  get effectiveClusterName(): string {
    if (this.clusterName) return this.clusterName;
    const unnamed = [...document.querySelectorAll('mpp-ha-lab')].filter((e) => !(e as MppHaLab).clusterName);
    const i = Math.max(0, unnamed.indexOf(this));
    return i === 0 ? 'mpp-ha-lab' : `mpp-ha-lab-${i + 1}`;
  }
  /** A cluster an earlier page left (worker runtime): offered to resume or start fresh. */
  @state() private _resumable: SavedTopology | undefined;
  /** The choice made for the saved cluster, for the next boot. */
  private _resumeChoice: 'resume' | 'fresh' | undefined;
  /** The open lesson's id. */
  @property({ reflect: true }) lesson = 'primary-failover';
  /** Transfers per second the bank workload starts with; 0 leaves it stopped. */
  @property({ type: Number, attribute: 'workload-rate' }) workloadRate = 4;

  /** The running cluster's state (replaced on every boot). */
  @state() store: ClusterStore = new ClusterStore();
  @state() private _selected: number | undefined;
  @query('mpp-console') private _console!: MppConsole;

  readonly workload = new BankWorkload();
  private _bootTimer: ReturnType<typeof setTimeout> | undefined;
  private _booted = false;

  constructor() {
    super();
    new StoreWatcher(this);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this._booted) this._scheduleBoot();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this._bootTimer);
    this._shutdown();
  }

  protected override firstUpdated(): void {
    this._booted = true;
    this._scheduleBoot();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this._booted && CLUSTER_PROPS.some((p) => changed.has(p) && changed.get(p) !== undefined))
      this._scheduleBoot();
  }

  /** Options for createCluster from the attributes. */
  clusterOptions(): ClusterOptions {
    const hosts = this.hosts
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    return {
      hosts: hosts.length ? hosts : ['sdw1', 'sdw2'],
      segmentsPerHost: Math.max(1, Math.min(this.runtime === 'sim' ? 16 : 8, this.segmentsPerHost || 1)),
      mirroring: this.mirroring,
      replication: this.replication,
      // 'compressed' runs Greenplum's timings 30× faster, so a failover takes seconds. On the
      // sim runtime the timings stay Greenplum's and virtual time runs faster instead.
      timeScale: this.speed === 'realistic' || this.runtime === 'sim' ? 1 : 30,
      standby: this.standby,
      runtime: this.runtime,
      storage: this.runtime === 'worker' ? 'indexeddb' : 'memory',
      name: this.runtime === 'worker' ? this.effectiveClusterName : 'mpp-ha-lab',
      ...(this.runtime === 'worker' && this._resumeChoice === 'resume' ? { resume: true } : {}),
    };
  }

  private _scheduleBoot(): void {
    clearTimeout(this._bootTimer);
    this._bootTimer = setTimeout(() => void this.reboot(), 0);
  }

  /** Closing the last cluster (the worker runtime's lock is free once it settles). */
  private _closing: Promise<void> = Promise.resolve();

  private _shutdown(): void {
    this.workload.dispose();
    const closing = this.store.close().catch(() => undefined);
    this._closing = this._closing.then(() => closing);
  }

  /** Closes the current cluster and boots a new one from the attributes, workload included. */
  async reboot(): Promise<void> {
    this._shutdown();
    await this._closing;
    // A cluster a previous page left is not overwritten unasked: the lab offers it first.
    if (this.runtime === 'worker' && !this._resumeChoice) {
      const saved = await savedCluster(this.effectiveClusterName).catch(() => undefined);
      if (saved) {
        this._resumable = saved;
        this.store = new ClusterStore();
        return;
      }
    }
    this._resumable = undefined;
    const store = new ClusterStore();
    store.refreshMs = this.speed === 'realistic' ? 5000 : 1500;
    store.pumpFactor = this.speed === 'realistic' ? 1 : 30;
    this.store = store;
    this._selected = undefined;
    await store.boot(this.clusterOptions());
    // Later boots ("New cluster", a lesson's layout) start fresh.
    this._resumeChoice = 'fresh';
    if (this.store !== store || !store.cluster) return;
    try {
      await this.workload.setup(store.cluster);
      this.workload.configure(this.workloadRate, this.workload.sessions);
      if (this.workloadRate > 0 && this.store === store) this.workload.start();
    } catch (e) {
      store.announce(`The workload could not start: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The answer to the resume offer. */
  private _decide(choice: 'resume' | 'fresh'): void {
    this._resumeChoice = choice;
    if (choice === 'resume' && this._resumable) {
      // Boot the saved layout: the attributes follow it.
      const o = this._resumable.options;
      if (o.hosts) this.hosts = o.hosts.join(',');
      if (o.segmentsPerHost) this.segmentsPerHost = o.segmentsPerHost;
      if (o.mirroring) this.mirroring = o.mirroring;
      this.replication = o.replication ?? 'wal';
      this.standby = o.standby ?? false;
    }
    this._resumable = undefined;
    clearTimeout(this._bootTimer);
    void this.updateComplete.then(() => {
      clearTimeout(this._bootTimer);
      return this.reboot();
    });
  }

  private _resumeOffer() {
    const saved = this._resumable;
    if (!saved) return nothing;
    const instances = saved.rows.filter((r) => !r.retired).length;
    const down = saved.rows.filter((r) => !r.retired && r.status === 'd').length;
    return html`<section class="notice resume" role="alertdialog" aria-labelledby="h-resume">
      <h2 id="h-resume">A cluster from your last visit is saved in this browser</h2>
      <p>
        "${this.effectiveClusterName}": ${instances} instances${down ? `, ${down} marked down` : ''}, each
        with its own IndexedDB database. Resuming starts every instance from its disk (crash recovery from its
        WAL); starting fresh deletes those databases.
      </p>
      <button data-action="resume" @click=${() => this._decide('resume')}>Resume it</button>
      <button class="quiet" data-action="fresh" @click=${() => this._decide('fresh')}>Start fresh</button>
    </section>`;
  }

  /** A lesson asks for a cluster of another shape: set the attributes and boot it now. */
  private _configure(d: LabConfigureDetail): void {
    this.hosts = d.hosts;
    this.mirroring = d.mirroring;
    this.replication = d.replication ?? 'wal';
    this.segmentsPerHost = d.segmentsPerHost ?? 2;
    this.standby = d.standby ?? true;
    const done = (async () => {
      await this.updateComplete;
      clearTimeout(this._bootTimer);
      await this.reboot();
      if (this.store.state !== 'ready')
        throw new Error(`the cluster failed to start: ${this.store.bootError}`);
      // Mirrors placed by hand: gpaddmirrors -i, as a DBA builds such a layout.
      if (d.mirrorFile) {
        this.store.cluster!.files.set('mirror_config', d.mirrorFile);
        if (!(await utility(this.store, 'gpaddmirrors -a -i mirror_config')))
          throw new Error('gpaddmirrors -i failed: see the timeline');
      }
    })();
    d.reply(done);
  }

  /** Shows a cluster the simulation panel made (a replay): no workload of the lab's own. */
  private _adopt(d: SimAdoptDetail): void {
    clearTimeout(this._bootTimer);
    this._shutdown();
    const store = new ClusterStore();
    store.refreshMs = 1000;
    this.store = store;
    this._selected = undefined;
    void store.adopt(d.cluster, d.options, d.pump);
  }

  private _simBoot(d: SimBootDetail): void {
    this.hosts = d.hosts;
    this.segmentsPerHost = d.segmentsPerHost;
    this.mirroring = d.mirroring;
    this.runtime = 'sim';
  }

  /** Pause stops the cluster's clock and the workload with it; resume restarts both. */
  private _workloadWasRunning = false;
  private _togglePause(): void {
    const s = this.store;
    const pausing = !s.timePaused;
    if (pausing) {
      this._workloadWasRunning = this.workload.running;
      this.workload.stop();
    }
    s.setTimePaused(pausing);
    if (!pausing && this._workloadWasRunning) this.workload.start();
    s.announce(pausing ? 'Cluster time paused.' : 'Cluster time running again.');
  }

  private _openConsole(dbid: number | undefined): void {
    const c = this._console;
    if (!c) return;
    c.target = dbid;
    c.scrollIntoView({ block: 'nearest' });
    c.setText(c.sql);
  }

  override render() {
    const s = this.store;
    const opts = s.options;
    const primaries = s.config.filter((r) => r.content >= 0 && r.role === 'p').length;
    const mirrors = s.config.filter((r) => r.content >= 0 && r.role === 'm').length;
    return html`
      <header part="header">
        <div>
          <h1>MPP HA Lab</h1>
          <p class="muted sub">
            A Greenplum-style cluster running in this
            tab${this.runtime === 'worker' ? ', each instance in its own Web Worker' : ''} · engine
            ${ENGINE_VERSION} ·
            ${
              s.state === 'ready'
                ? `${primaries} primaries${mirrors ? `, ${mirrors} mirrors` : ''} on ${(opts.hosts ?? []).length} hosts · mirroring ${opts.mirroring ?? 'none'}${opts.replication === 'filerep' && opts.mirroring !== 'none' ? ' (file replication, Greenplum 5)' : ''} · ${this.speed} time`
                : this._resumable
                  ? 'waiting for your choice: resume or start fresh'
                  : s.state
            }
          </p>
        </div>
        <div class="time" role="group" aria-label="Cluster time">
          <button
            class="quiet"
            data-action="pause"
            aria-pressed=${s.timePaused}
            ?disabled=${s.state !== 'ready'}
            @click=${() => this._togglePause()}
            title="Stop the cluster's clock: FTS, walsenders, checkpoints and the workload wait"
          >
            ${s.timePaused ? 'Resume' : 'Pause'}
          </button>
          <label
            >Speed
            <select
              data-action="speed"
              ?disabled=${s.state !== 'ready'}
              @change=${(e: Event) => s.setSpeed(Number((e.target as HTMLSelectElement).value))}
            >
              ${[0.25, 0.5, 1, 2, 4].map(
                (f) => html`<option value=${String(f)} ?selected=${f === s.speedFactor}>${f}×</option>`,
              )}
            </select></label
          >
        </div>
        <button
          class="quiet"
          @click=${() => void this.reboot()}
          title="Close this cluster and start a fresh one"
        >
          New cluster
        </button>
      </header>
      ${s.bootNotice ? html`<p class="notice" role="note">${s.bootNotice} Controls for it are shown, disabled, until it lands.</p>` : nothing}
      ${s.state === 'failed' ? html`<p class="error" role="alert">The cluster failed to start: ${s.bootError}</p>` : nothing}
      ${this._resumeOffer()}
      <p class="announce" role="status" aria-live="assertive" aria-atomic="true">${s.announcement}</p>
      <div
        class="layout"
        @mpp-instance-select=${(e: CustomEvent<{ dbid: number | undefined }>) => (this._selected = e.detail.dbid)}
        @mpp-console-open=${(e: CustomEvent<{ dbid: number | undefined }>) => this._openConsole(e.detail.dbid)}
        @mpp-lesson-change=${(e: CustomEvent<{ lesson: string }>) => (this.lesson = e.detail.lesson)}
        @mpp-lab-configure=${(e: CustomEvent<LabConfigureDetail>) => this._configure(e.detail)}
        @mpp-sim-adopt=${(e: CustomEvent<SimAdoptDetail>) => this._adopt(e.detail)}
        @mpp-sim-boot=${(e: CustomEvent<SimBootDetail>) => this._simBoot(e.detail)}
      >
        <div class="col main">
          <section class="panel p-topology" part="topology" aria-labelledby="h-topology">
            <h2 id="h-topology">Topology</h2>
            <mpp-topology .store=${s} .selected=${this._selected}></mpp-topology>
          </section>
          ${
            this._selected !== undefined
              ? html`<section class="panel p-details" part="details" aria-label="Instance details">
                  <mpp-instance-details .store=${s} .dbid=${this._selected}></mpp-instance-details>
                </section>`
              : nothing
          }
          <section class="panel p-console" part="console" aria-labelledby="h-console">
            <h2 id="h-console">SQL console</h2>
            <mpp-console .store=${s}></mpp-console>
          </section>
          <section class="panel p-timeline" part="timeline" aria-labelledby="h-timeline">
            <h2 id="h-timeline">Event timeline</h2>
            <mpp-timeline .store=${s}></mpp-timeline>
          </section>
          <section class="panel p-catalog" part="catalog" aria-labelledby="h-catalog">
            <h2 id="h-catalog">Catalog</h2>
            <mpp-catalog .store=${s}></mpp-catalog>
          </section>
          <section class="panel p-placement" part="placement" aria-labelledby="h-placement">
            <h2 id="h-placement">Plan a cluster</h2>
            <mpp-placement></mpp-placement>
          </section>
        </div>
        <div class="col side">
          <section class="panel p-workload" part="workload" aria-labelledby="h-workload">
            <h2 id="h-workload">Workload: bank transfers</h2>
            <mpp-workload .store=${s} .workload=${this.workload}></mpp-workload>
          </section>
          <section class="panel p-recommend" part="recommendations" aria-labelledby="h-recommend">
            <h2 id="h-recommend">Recommended next actions</h2>
            <mpp-recommendations .store=${s}></mpp-recommendations>
          </section>
          <section class="panel p-lessons" part="lessons" aria-labelledby="h-lessons">
            <h2 id="h-lessons">Lessons</h2>
            <mpp-lessons .store=${s} .workload=${this.workload} .lesson=${this.lesson}></mpp-lessons>
          </section>
          <section class="panel p-controls" part="controls" aria-labelledby="h-controls">
            <h2 id="h-controls">Faults and utilities</h2>
            <mpp-controls .store=${s}></mpp-controls>
          </section>
          <section class="panel p-sim" part="simulation" aria-labelledby="h-sim">
            <h2 id="h-sim">Simulation</h2>
            <mpp-sim-replay .store=${s}></mpp-sim-replay>
          </section>
        </div>
      </div>
    `;
  }
}

define('mpp-ha-lab', MppHaLab);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-ha-lab': MppHaLab;
  }
}
