/**
 * The lab's view of one cluster: the catalog rows (refreshed on events and on a timer), what
 * each instance's process is doing (from Faults calls and events), the event log and the
 * action log. Components read it through {@link StoreWatcher}; only this module and
 * `actions.ts` touch the Cluster object.
 */
import {
  createCluster,
  DEFAULT_TIME_SCALE,
  type Cluster,
  type ClusterEvent,
  type ClusterOptions,
  type DataDirectory,
} from '../../workers/index.ts';
import { BootCount, type BootProgress } from './boot-progress.ts';
import { errorText, fallbackFrom, formatOptions } from './start-options.ts';
import { LabTime } from './lab-time.ts';
import { HealthSeries } from './health-series.ts';
import { Announcer } from './announcer.ts';
import { summarize, type ClusterSummary } from './cluster-health.ts';
import { FtsClock } from './fts-clock.ts';
import { EventLog, eventSeverity, formatFields, outputGist } from './event-log.ts';
import { readConfigurationHistory, readReplication, readSegmentConfiguration } from './catalog-reader.ts';
import { SyncWaitWatcher, type SyncWait } from './sync-waits.ts';
import { readExpansion, type ExpansionView } from './expansion.ts';
import type { RecoveryPhase } from './recovery-phase.ts';
import { InstanceTracker, type CopyProgress } from './instance-tracker.ts';
import { procNotRunning } from './types.ts';
import type { ActionRecord, Features, HistoryRow, LabEvent, ProcState, SegmentRow } from './types.ts';

const MAX_ACTIONS = 100;

export type { CopyProgress } from './instance-tracker.ts';

export type BootState = 'idle' | 'booting' | 'ready' | 'failed' | 'closed';

export class ClusterStore {
  /** How a cluster is made: the worker runtime's createCluster (a test wraps it to see them). */
  private readonly open: typeof createCluster;

  constructor(open: typeof createCluster = createCluster) {
    this.open = open;
  }

  cluster: Cluster | undefined;
  state: BootState = 'idle';
  bootError = '';
  /** Why the running cluster differs from what was asked (a feature not available yet). */
  bootNotice = '';
  /**
   * While the cluster starts: how many instances are up, of how many (on a resume, of
   * `resumeStarts`; unknown without it). A layout of 130 instances takes seconds.
   */
  bootProgress: BootProgress | undefined;
  /** How many instances a resume starts (what was saved: startsOnResume), set before boot. */
  resumeStarts: number | undefined;
  options: ClusterOptions = {};

  /** The cluster mirrors by Greenplum 5 file replication. */
  get fileRep(): boolean {
    return this.options.replication === 'filerep';
  }
  config: SegmentRow[] = [];
  /**
   * The layout a resumed cluster was saved with: shown until the catalog can be read (a cluster
   * stopped with gpstop before the reload has no coordinator to read it from until gpstart).
   */
  savedConfig: SegmentRow[] = [];
  /** Waiting for the next successful read of the catalog. */
  private readable: (() => void)[] = [];
  history: HistoryRow[] = [];
  /** A gpexpand run's tables and their progress, while its schema is there. */
  expansion: ExpansionView | undefined;
  /**
   * Every data directory on the hosts, including those out of the configuration that are still
   * there (an old coordinator's after gpactivatestandby): gpinitstandby will not initialize over one.
   */
  directories: DataDirectory[] = [];
  catalogError = '';
  catalogAt = 0;
  /** What each instance's process is doing, and the copies made for them (from the events). */
  private readonly tracker = new InstanceTracker({
    config: () => this.config,
    fileRep: () => this.fileRep,
    announce: (text) => this.announce(text),
    changed: () => this.changed(),
  });
  get proc(): Map<number, ProcState> {
    return this.tracker.proc;
  }
  /** Events and actions, ranked and folded (see EventLog). */
  readonly log = new EventLog();
  actions: ActionRecord[] = [];
  /** Why no cluster runs yet, when the lab waits for something (the resume choice...). */
  idleReason = '';
  /** Faults currently applied through the lab, for display (the API has no getter). */
  readonly applied = {
    partition: '' as string,
    delays: new Map<string, number>(),
    slowDisks: new Map<number, number>(),
    fullDisks: new Set<number>(),
  };
  /** What the engine offers (every runtime has all of it now; panels still ask, lessons wait on it). */
  features: Features = {
    mirroring: true,
    standby: true,
    utilities: true,
    utilityMode: true,
    ftsProbe: true,
  };
  /** Announcements for the polite live region, gathered into summaries. */
  private readonly announcer = new Announcer(() => this.changed());
  /** Fault points held through the lab (`cluster.faults.suspend`), by `point@dbid`. */
  readonly holds = new Map<string, { release(): void }>();
  /** Copies running now (gprecoverseg's modes, gpaddmirrors, a file resynchronization), by target dbid. */
  get recovery(): Map<number, CopyProgress> {
    return this.tracker.recovery;
  }
  /** gprecoverseg's targets after their copy, until they serve again (see recovery-phase.ts). */
  get recoveryPhase(): Map<number, RecoveryPhase> {
    return this.tracker.recoveryPhase;
  }
  /** Commits waiting for a mirror, per content (pg_stat_activity on each primary). */
  private readonly syncWatch = new SyncWaitWatcher();
  /** When FTS probes next (gp_fts_probe_interval and its last cycle). */
  private readonly fts = new FtsClock();

  refreshMs = 2000;
  /**
   * A simulation someone else drives (a replay): the store reads the cluster only when asked.
   * Reading is SQL, which the simulation runs; a read at a wall-clock moment would change the
   * order of its events, and the same seed would not replay the same way.
   */
  private onDemand = false;
  /**
   * Where the store reads its views from, when not the cluster the panels act on: a simulated
   * run's own cluster, while the panels' actions go to the run as its steps.
   */
  private reader: Cluster | undefined;
  /** gp_fts_probe_interval may have changed (gpstop -u) on a stepped run: read at the step's end. */
  private ftsStale = false;

  /** A simulation that moves only by its steps (a replayed or recorded run): no wall-clock reads. */
  get stepDriven(): boolean {
    return this.onDemand;
  }

  /** The timeline's entries, newest first. */
  get events(): LabEvent[] {
    return this.log.events;
  }

  /** What the live region says now (a summary of the latest news). */
  get announcement(): string {
    return this.announcer.current;
  }

  /** By content: commits its acting primary holds for the mirror (SyncRep waits). */
  get syncWaits(): ReadonlyMap<number, SyncWait> {
    return this.syncWatch.waits;
  }

  /** Database State, mirrors acting as primary, acting primaries per host. */
  get summary(): ClusterSummary {
    const coord = this.config.find((r) => r.content === -1 && r.role === 'p');
    const p = coord ? this.proc.get(coord.dbid) : undefined;
    const reachable =
      this.state === 'ready' && !procNotRunning(p) && !/not running|refused/.test(this.catalogError);
    return summarize(this.config, this.proc, reachable);
  }

  /**
   * Milliseconds until FTS's next probe is due (undefined when unknown: no cycle seen yet, or its
   * probes are held, or time is paused).
   */
  nextProbeInMs(now = Date.now()): number | undefined {
    return this.fts.nextIn(this.clusterTimeFactor, this.timePaused || this.holds.has('fts_probe@1'), now);
  }

  /** When (wall clock) FTS last finished a probe cycle (0: not seen yet). */
  get lastProbeAt(): number {
    return this.fts.lastProbeAt;
  }

  /** FTS's probe interval in wall milliseconds at the cluster's current pace (0 when unknown). */
  get probeIntervalMs(): number {
    return this.fts.interval(this.clusterTimeFactor);
  }

  /** gp_fts_probe_interval as the coordinator shows it ('1min'; '' when unknown). */
  get probeIntervalSetting(): string {
    return this.fts.setting;
  }

  /** Replication lag and fault periods over time, for the charts. */
  readonly health = new HealthSeries();

  private seq = 0;
  private readonly listeners = new Set<() => void>();
  private unsubscribe: (() => void) | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private refreshSoon: ReturnType<typeof setTimeout> | undefined;
  private notifyTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshing = false;

  /** Calls `fn` (coalesced) whenever something changed; returns the unsubscribe. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed(): void {
    this.noteFaults();
    if (this.notifyTimer) return;
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = undefined;
      for (const l of this.listeners) l();
    }, 16);
  }

  /** Closed (by close(), possibly while an await of a start or read was pending). */
  private get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** The start under way, if any. */
  private starting: Promise<void> | undefined;

  /** Starts a cluster from `options` (see start); close() waits for a start under way. */
  boot(options: ClusterOptions): Promise<void> {
    const started = this.start(options);
    this.starting = started;
    return started;
  }

  /** Creates the cluster; a feature that is not available yet falls back, with a notice. */
  private async start(options: ClusterOptions): Promise<void> {
    this.state = 'booting';
    this.options = options;
    this.changed();
    let opts = { ...options };
    const fallbacks: string[] = [];
    for (;;) {
      const a = this.beginAction('api', `createCluster(${formatOptions(opts)})`);
      const count = new BootCount(opts, this.resumeStarts);
      this.bootProgress = count.progress;
      this.changed();
      try {
        const cluster = await this.open(opts, {
          onEvent: (e) => {
            if (!count.note(e) || !this.bootProgress) return;
            this.bootProgress = count.progress;
            this.changed();
          },
        });
        // Closed while it started (the lab went away, or booted another): nothing of it may
        // keep running, nor hold the cluster's name against the next lab.
        if (this.isClosed) {
          await cluster.close();
          return;
        }
        this.cluster = cluster;
        this.finishAction(a, true, 'cluster started');
        break;
      } catch (e) {
        this.bootProgress = undefined;
        this.finishAction(a, false, errorText(e));
        if (this.isClosed) return;
        const fallback = fallbackFrom(e, opts);
        if (!fallback) {
          this.state = 'failed';
          this.bootError = errorText(e);
          this.changed();
          return;
        }
        fallbacks.push(fallback.without);
        opts = fallback.options;
      }
    }
    this.options = opts;
    this.bootNotice = fallbacks.length ? `Started without ${fallbacks.join(' and ')}.` : '';
    await this.attach(this.cluster);
  }

  /**
   * Takes a cluster made elsewhere (a simulation replay's): the store watches it as if it had
   * booted it. `pump` false leaves a simulated cluster's virtual time to whoever drives it.
   */
  async adopt(cluster: Cluster, options: ClusterOptions, pump = false, reader?: Cluster): Promise<void> {
    this.cluster = cluster;
    this.reader = reader;
    this.options = options;
    this.pumpFactor = pump ? this.pumpFactor : 0;
    this.onDemand = options.runtime === 'sim' && !pump;
    this.state = 'booting';
    this.finishAction(
      this.beginAction('api', `createCluster(${formatOptions(options)})`),
      true,
      'cluster started',
    );
    await this.attach(cluster);
  }

  /** Pause, resume and speed of the cluster's time (and the sim runtime's pump). */
  readonly time = new LabTime({
    cluster: () => this.cluster,
    log: (command, output) => this.finishAction(this.beginAction('api', command), true, output),
    changed: () => this.changed(),
  });

  get timePaused(): boolean {
    return this.time.paused;
  }

  get speedFactor(): number {
    return this.time.speedFactor;
  }

  /** How many times faster than the wall clock cluster time runs (60 s take 60 / this). */
  get clusterTimeFactor(): number {
    // The simulator runs Greenplum's own intervals (timeScale 1) unless told otherwise.
    const scale = this.options.timeScale ?? (this.options.runtime === 'sim' ? 1 : DEFAULT_TIME_SCALE);
    return this.time.wallFactor(scale);
  }

  setTimePaused(paused: boolean): void {
    this.time.setPaused(paused);
  }

  setSpeed(factor: number): void {
    this.time.setSpeed(factor);
  }

  /** See LabTime.pumpFactor. */
  set pumpFactor(v: number) {
    this.time.pumpFactor = v;
  }

  get pumpFactor(): number {
    return this.time.pumpFactor;
  }

  private async attach(acted: Cluster): Promise<void> {
    const cluster = this.reader ?? acted;
    this.unsubscribe = cluster.subscribe((e) => this.onEvent(e));
    this.time.start(acted);
    await this.fts.read(cluster);
    await this.read();
    if (!this.config.length && this.savedConfig.length) this.config = [...this.savedConfig];
    // A cluster resumed from its disks: instances a utility stopped (gpstop) stay stopped.
    await Promise.all(
      this.config.map(async (row) => {
        if (this.proc.has(row.dbid)) return;
        const s = await cluster.instanceStatus(row.dbid).catch(() => undefined);
        this.proc.set(row.dbid, s && !s.running ? (s.stoppedBy !== undefined ? 'stopped' : 'down') : 'up');
      }),
    );
    // Closed while the lab read it: close() has the cluster; the store stays closed.
    if (this.isClosed) return;
    this.state = 'ready';
    this.bootProgress = undefined;
    if (!this.onDemand) this.timer = setInterval(() => void this.refresh(), this.refreshMs);
    this.changed();
  }

  async close(): Promise<void> {
    this.state = 'closed';
    this.announcer.dispose();
    this.syncWatch.close();
    for (const h of this.holds.values()) h.release();
    this.holds.clear();
    clearInterval(this.timer);
    this.time.stop();
    clearTimeout(this.refreshSoon);
    this.unsubscribe?.();
    const c = this.cluster;
    this.cluster = undefined;
    this.reader = undefined;
    await c?.close();
    // A start under way closes its cluster once it is up (start): its name and lock are free
    // only then, for the next cluster of the same name.
    await this.starting?.catch(() => undefined);
    this.changed();
  }

  /**
   * Reads gp_segment_configuration and gp_configuration_history (on a step-driven simulation,
   * only its driver reads, at each step's end: see readNow).
   */
  async refresh(): Promise<void> {
    if (!this.onDemand) await this.read();
  }

  /** Reads the views now: a step-driven simulation's driver calls it as each step ends. */
  readNow(): Promise<void> {
    return this.read();
  }

  private async read(): Promise<void> {
    const c = this.reader ?? this.cluster;
    if (!c || this.refreshing) return;
    this.refreshing = true;
    try {
      if (this.ftsStale) {
        this.ftsStale = false;
        await this.fts.read(c);
      }
      this.config = await readSegmentConfiguration(c);
      this.tracker.settleByCatalog();
      this.history = await readConfigurationHistory(c);
      // Only the expansion's own tables: a failure to read them says nothing of the catalog.
      this.expansion = await readExpansion(c).catch(() => this.expansion);
      this.directories = await c.dataDirectories();
      this.health.addReplication(await readReplication(c));
      // Only while a fault is in force (a healthy cluster's commits wait milliseconds), and not
      // in file replication (no SyncRep: the mirror's sync is part of the primary's own write).
      if (this.options.runtime !== 'sim' && !this.fileRep && this.faultActive())
        await this.syncWatch.read(
          c,
          this.config,
          (d) => (this.proc.get(d) ?? 'up') === 'up',
          // The cluster's clock is the wall clock run at the chosen speed (timeScale shortens
          // Greenplum's intervals, not the clock).
          (ms) => ms / Math.max(0.01, this.speedFactor),
        );
      else if (this.syncWatch.waits.size) this.syncWatch.close();
      this.catalogError = '';
      this.catalogAt = Date.now();
      for (const r of this.readable.splice(0)) r();
      this.noteFaults();
    } catch (e) {
      this.catalogError = errorText(e);
      this.health.replicationUnknown();
    } finally {
      this.refreshing = false;
      this.changed();
    }
  }

  /** Settles at the next successful read of the catalog (at once if the last one succeeded). */
  catalogReadable(): Promise<void> {
    if (this.catalogAt && !this.catalogError) return Promise.resolve();
    return new Promise((r) => this.readable.push(r));
  }

  get lagSeries(): { t: number; maxLagBytes: number }[] {
    return this.health.lagSeries;
  }

  faultAt(t: number): boolean {
    return this.health.faultAt(t);
  }

  /** Is any fault in force now: an instance not up (process or catalog), a network or disk fault, a hold? */
  faultActive(): boolean {
    const a = this.applied;
    return (
      [...this.proc.values()].some((p) => p !== 'up') ||
      this.config.some((r) => r.status === 'd') ||
      a.partition !== '' ||
      a.delays.size > 0 ||
      a.slowDisks.size > 0 ||
      a.fullDisks.size > 0 ||
      this.holds.size > 0
    );
  }

  /** Records a transition of faultActive() (called on events, actions and refreshes). */
  noteFaults(): void {
    this.health.noteFault(this.faultActive());
  }

  private scheduleRefresh(): void {
    if (this.onDemand) return;
    clearTimeout(this.refreshSoon);
    this.refreshSoon = setTimeout(() => void this.refresh(), 150);
  }

  private onEvent(e: ClusterEvent): void {
    queueMicrotask(() => this.noteFaults());
    const dbid = typeof e.dbid === 'number' ? e.dbid : undefined;
    const { text, key } = formatFields(e);
    // A utility the lab runs is in the timeline once, as its action with its outcome: the run's
    // start and end events would say it twice more. So is a recorded or replayed run's (its
    // steps' log holds each, with its output), the same in the recording and in its replay. A
    // run from elsewhere (an embedder's cluster.run) keeps its events.
    const ranByLab =
      (e.kind === 'utility.start' || e.kind === 'utility.done') &&
      (this.stepDriven ||
        this.actions.some((a) => a.kind === 'utility' && a.ok === undefined && a.command === e.command));
    if (!ranByLab)
      this.log.add(
        {
          seq: ++this.seq,
          at: Date.now(),
          clusterAt: this.clusterNow(),
          kind: e.kind,
          text,
          severity: this.plannedFailover(e) ? 'info' : eventSeverity(e),
          ...(dbid !== undefined ? { dbid } : {}),
        },
        key,
      );
    if (e.kind === 'fts.cycle') this.fts.lastProbeAt = Date.now();
    // gpstop -u may have changed gp_fts_probe_interval: the countdown follows what FTS runs.
    if (
      e.kind === 'config.reload' &&
      this.cluster &&
      this.config.some((r) => r.dbid === dbid && r.content === -1)
    ) {
      // A stepped simulation is read only at its step's end (a read now would be inside a step).
      if (this.onDemand) this.ftsStale = true;
      else void this.fts.read(this.cluster);
    }
    this.tracker.onEvent(e);
    if (!e.kind.startsWith('link.') && e.kind !== 'checkpoint') this.scheduleRefresh();
    this.changed();
  }

  /** Queues news for the live region (spoken as one polite summary). */
  announce(text: string): void {
    this.announcer.say(text);
  }

  setProc(dbids: number[], state: ProcState): void {
    for (const d of dbids) this.proc.set(d, state);
    this.changed();
  }

  /**
   * A failover from a primary a utility stopped on purpose (gprecoverseg -r stops the acting
   * primaries so FTS returns each content to its preferred one): news, not an alarm. Known by the
   * primary's own state, so it holds however late the event comes, and a crash stays critical.
   */
  private plannedFailover(e: ClusterEvent): boolean {
    return e.kind === 'fts.failover' && this.proc.get(e.from) === 'stopped';
  }

  /**
   * The cluster's clock now, where it runs on the wall's at a chosen speed (undefined on a
   * simulated run, whose time is its steps').
   */
  private clusterNow(): number | undefined {
    return this.stepDriven ? undefined : this.cluster?.time?.now();
  }

  /** Records an action before it runs; `finish` fills in its outcome. */
  beginAction(kind: ActionRecord['kind'], command: string): ActionRecord {
    const a: ActionRecord = { seq: ++this.seq, at: Date.now(), kind, command, ok: undefined, output: '' };
    this.actions = [a, ...this.actions].slice(0, MAX_ACTIONS);
    this.log.add({
      seq: a.seq,
      at: a.at,
      clusterAt: this.clusterNow(),
      kind: `action.${kind}`,
      text: command,
      severity: 'info',
    });
    this.changed();
    return a;
  }

  /** An action's outcome; `note` marks an exit status that is an answer, not a failure. */
  finishAction(a: ActionRecord, ok: boolean, output: string, note?: string): void {
    a.ok = ok;
    a.output = output;
    if (note) a.note = note;
    this.actions = [...this.actions];
    const gist = outputGist(output);
    this.log.update(a.seq, {
      text: `${a.command} → ${note ? note : ok ? 'ok' : 'failed'}${gist && !note ? `: ${gist}` : ''}`,
      severity: ok ? 'info' : 'warning',
    });
    this.changed();
  }

  /** dbids of the instances on a host, or the single dbid. */
  dbidsOf(target: number | string): number[] {
    return typeof target === 'number'
      ? [target]
      : this.config.filter((r) => r.hostname === target).map((r) => r.dbid);
  }

  hosts(): string[] {
    return [...new Set(this.config.map((r) => r.hostname))];
  }
}
