/**
 * The orchestrator of the worker runtime: every instance is its own process (a Web Worker in
 * the browser) that the orchestrator spawns, boots by its catalog role, wires to the others
 * (a MessageChannel per calling pair, handed out on first use) and, to crash it, terminates.
 * It keeps the topology every process needs (who is where, up or down), the network faults
 * and fault points, and serves the public Cluster API by calling into the processes.
 */
import { sqlError } from '../errors.ts';
import type { Clock } from '../runtime/clock.ts';
import { connectApi, serveApi } from '../runtime/comlink-link.ts';
import type { Link, Served } from '../runtime/link.ts';
import { NetworkFaults } from '../runtime/link-faults.ts';
import type { SegmentConfig } from '../topology/placement.ts';
import type {
  BlockImage,
  BlockView,
  ClusterEvent,
  InstanceStatus,
  ClusterOptions,
  RunOptions,
  Session,
  UtilityResult,
} from '../node/api.ts';
import type { DiskFaultChange } from '../storage/disk.ts';
import type { ControlData } from '../instance/control.ts';
import { ClusterShell } from './shell.ts';
import { DEFAULT_TIME_SCALE, retiredError, retiredOnly } from './cluster.ts';
import type { DataDirectory } from '../utilities/index.ts';
import type { CoordinatorStart } from '../node/boot.ts';
import { downStatus, withStoppedBy } from '../node/instance-status.ts';
import { connectionRefused, coordinatorNotRunning, sessionGone } from '../node/session-errors.ts';
import { orchestratorHost, processTime, targets, upcallsFor } from './process-controls.ts';
import type {
  BootSpec,
  HostApi,
  NodeMeta,
  ProcessApi,
  ProcessSpawner,
  ProcessStatus,
  SavedTopology,
  SpawnedProcess,
  TimeState,
} from './process-protocol.ts';
import type { TimeControl } from '../runtime/controllable-clock.ts';
import type { RecoveredData, RecoveryMode } from '../utilities/recover-data.ts';
import { PROCESS_UTILITIES, programOf, runUtility } from '../utilities/index.ts';

export type { ProcessSpawner, SavedTopology, SpawnedProcess } from './process-protocol.ts';
export { clusterInUse, startsOnResume } from './process-protocol.ts';
import { TopologySaves } from './topology-saves.ts';
import { resumeAll, startAll, type BootHow } from './process-boot.ts';
import { startsOnResume } from './process-protocol.ts';

/** Deadline of a control call that is not a query (boot includes crash recovery and copies). */
const CONTROL_TIMEOUT_MS = 600_000;

export interface Proc {
  meta: NodeMeta;
  role: ProcessStatus['role'];
  spawned?: SpawnedProcess | undefined;
  control?: Link<ProcessApi> | undefined;
  upcall?: Served | undefined;
}

export class ProcessCluster extends ClusterShell {
  readonly options: ClusterOptions;
  /** Pause, resume and speed of cluster time: every process's clock follows. */
  readonly time: TimeControl;
  timeState: TimeState = { paused: false, speed: 1 };
  private readonly spawner: ProcessSpawner;
  readonly clock: Clock;
  readonly procs = new Map<number, Proc>();
  private readonly initialConfig: SegmentConfig[];
  readonly net = new NetworkFaults();
  private nextInstance = 1;
  private closing = false;
  /** Releases this page's ownership of the cluster's name (set by whoever took it). */
  release: (() => void) | undefined;
  /** The signal of the utility run in progress, if any. */
  runSignal: RunOptions['signal'];

  /** `layout`: the instances are those of `config` (false when resuming: open() adds them). */
  constructor(
    options: ClusterOptions,
    config: SegmentConfig[],
    spawner: ProcessSpawner,
    clock: Clock,
    layout = true,
  ) {
    super();
    this.options = options;
    this.initialConfig = config;
    this.spawner = spawner;
    this.clock = clock;
    if (layout) for (const row of config) this.addProc(row);
    this.time = processTime(this);
  }

  get name(): string {
    return this.options.name ?? 'mpp-ha-lab';
  }

  private addProc(row: SegmentConfig): Proc {
    const p: Proc = {
      meta: {
        dbid: row.dbid,
        content: row.content,
        host: row.hostname,
        up: false,
        retired: false,
        instance: this.nextInstance++,
        incarnation: 0,
        row,
      },
      role: 'down',
    };
    this.procs.set(row.dbid, p);
    return p;
  }

  /**
   * Starts the cluster fresh (its old databases deleted) or resumes it from its disks as last
   * saved. The caller holds the name's lock.
   */
  async open(saved?: SavedTopology): Promise<void> {
    await this.saves.whileStarting(() => this.openAll(saved));
    this.warm([...this.procs.values()]);
  }

  /**
   * Up: each process loads the code its first statement will need, in the background. Not
   * during the boot, where 130 workers would compile it on the cores the boot runs on (nor
   * after each restart: gpstart restarts a whole cluster one instance at a time).
   */
  private warm(list: Proc[]): void {
    for (const p of list) if (p.meta.up) void p.control?.call('warm', []).catch(() => undefined);
  }

  private async openAll(saved: SavedTopology | undefined): Promise<void> {
    if (saved) {
      for (const r of saved.rows) {
        const p = this.addProc(r);
        p.meta.retired = r.retired === true;
        if (r.directoryRemoved) p.meta.directoryRemoved = true;
        // Stopped by a utility (gpstop): a reload of the page does not start it again.
        if (r.stoppedBy !== undefined) this.stoppedBy.set(r.dbid, r.stoppedBy);
      }
      await resumeAll(
        this,
        startsOnResume(saved.rows).map((r) => this.mustGet(r.dbid).meta.row),
      );
    } else {
      await this.spawner.destroyDisks?.(this.name, [...this.procs.keys()]);
      await startAll(this, this.initialConfig);
    }
  }

  /** Saves the topology as the coordinator knows it now, for a resume after a reload. */
  private async save(): Promise<void> {
    if (!this.spawner.saveTopology || this.closed) return;
    await this.currentConfig().catch(() => undefined);
    await this.spawner.saveTopology(this.name, {
      options: this.options,
      initialConfig: this.initialConfig,
      rows: [...this.procs.values()].map((p) => {
        const by = this.stoppedBy.get(p.meta.dbid);
        return {
          ...p.meta.row,
          retired: p.meta.retired,
          ...(p.meta.directoryRemoved ? { directoryRemoved: true } : {}),
          ...(by !== undefined ? { stoppedBy: by } : {}),
        };
      }),
    });
  }

  /** When the topology is saved (topology-saves.ts). */
  private readonly saves = new TopologySaves(() => this.save());

  /** Boots a fresh cluster from its layout (process-boot.ts). */
  start(): Promise<void> {
    return startAll(this, this.initialConfig);
  }

  /** Spawns the instance's process and starts it by its current catalog role. */
  async boot(dbid: number, how: BootHow): Promise<ProcessStatus> {
    const p = this.procs.get(dbid)!;
    // A running instance restarted is an immediate stop (a crash); a process only started for
    // gprecoverseg's copy was never an instance, so it goes without an event.
    if (p.spawned && p.meta.up) await this.crash(dbid);
    else if (p.spawned) await this.takeDown(dbid);
    const row = (await this.currentConfig()).find((r) => r.dbid === dbid) ?? p.meta.row;
    p.meta.row = row;
    const spawned = await (how.spawned ?? this.spawnFor(row));
    p.spawned = spawned;
    p.meta.incarnation++;
    const incarnation = p.meta.incarnation;
    p.control = connectApi<ProcessApi>(spawned.control, {
      peerName: `the process of dbid ${dbid}`,
      from: 'orchestrator',
      to: dbid,
      clock: this.clock,
      timeoutMs: CONTROL_TIMEOUT_MS,
    });
    p.upcall = serveApi<HostApi>(spawned.upcall, upcallsFor(this, p, incarnation));
    const spec: BootSpec = {
      name: this.name,
      dbid,
      row,
      // Only a coordinator bootstraps its catalog from it: 130 rows need not go to every segment.
      initialConfig: row.content === -1 ? this.initialConfig : [],
      settings: this.options.settings ?? {},
      timeScale: this.options.timeScale ?? DEFAULT_TIME_SCALE,
      peers: this.metas(),
      faults: this.net.snapshot(),
      disk: this.diskFaults.get(dbid) ?? {},
      holds: this.points.list(),
      time: { ...this.timeState, now: this.time.now() },
      initdb: how.initdb,
      ...(how.wipe ? { wipe: true } : {}),
      start: how.start ?? true,
      replication: this.options.replication ?? 'wal',
      ...(how.backupFrom ? { backupFrom: how.backupFrom } : {}),
      ...(how.coordinatorStart ? { coordinatorStart: how.coordinatorStart } : {}),
    };
    const status = await p.control.call('boot', [spec]);
    if (p.meta.incarnation !== incarnation) return status;
    p.role = status.role;
    p.meta.up = status.up;
    if (how.announce !== false) {
      await this.broadcastPeers([p]);
      await this.reattach(p);
    }
    return status;
  }

  spawnFor(row: SegmentConfig): Promise<SpawnedProcess> {
    const what =
      row.content === -1
        ? row.role === 'p'
          ? 'coordinator'
          : 'standby'
        : row.role === 'p'
          ? 'primary'
          : 'mirror';
    return this.spawner.spawn(`${what} dbid ${row.dbid}`);
  }

  /** A mirror or standby came up: its pair's primary points its walsender at it again. */
  async reattach(p: Proc): Promise<void> {
    if (p.role !== 'mirror' && p.role !== 'standby') return;
    const partner = [...this.procs.values()].find(
      (x) => x.meta.content === p.meta.content && x !== p && x.meta.up && !x.meta.retired,
    );
    await partner?.control?.call('attachMirror', []).catch(() => undefined);
  }

  private metas(): NodeMeta[] {
    return [...this.procs.values()].map((p) => ({ ...p.meta }));
  }

  /** Tells every live process the state of `changed` (default: every instance). */
  async broadcastPeers(changed?: Proc[]): Promise<void> {
    const metas = changed ? changed.map((p) => ({ ...p.meta })) : this.metas();
    await Promise.allSettled(this.live().map((p) => p.control!.call('peers', [metas])));
  }

  live(): Proc[] {
    return [...this.procs.values()].filter((p) => p.control && !p.control.closed);
  }

  /** The process dies at once: its memory and unsynced writes are gone, its disk stays. */
  protected async takeDown(dbid: number): Promise<boolean> {
    const p = this.procs.get(dbid);
    if (!p?.spawned) return false;
    p.spawned.terminate();
    p.control?.close('the instance crashed');
    p.upcall?.close();
    p.spawned = undefined;
    p.control = undefined;
    p.upcall = undefined;
    p.meta.up = false;
    p.role = 'down';
    await this.broadcastPeers();
    return true;
  }

  async restart(dbid: number, how?: CoordinatorStart): Promise<void> {
    const p = this.mustGet(dbid);
    if (p.meta.retired) throw retiredError(dbid, p.meta.content);
    this.stoppedBy.delete(dbid);
    await this.boot(dbid, { initdb: false, ...(how ? { coordinatorStart: how } : {}) });
  }

  /** gprecoverseg's copy onto `target`'s disk, in its process (started, not booted, for it). */
  async recover(target: number, source: number, mode: RecoveryMode): Promise<RecoveredData> {
    const p = this.mustGet(target);
    if (p.meta.up) await this.stop(target, 'gprecoverseg');
    if (!p.control) await this.boot(target, { initdb: false, start: false });
    return p.control!.call('recoverFrom', [source, mode]);
  }

  /**
   * Work on `dbid`'s disk, through its process. A stopped instance's disk is opened by a
   * process started for the purpose, not booted, and ended again.
   */
  private async onDisk<T>(dbid: number, work: (control: Link<ProcessApi>) => Promise<T>): Promise<T> {
    const p = this.mustGet(dbid);
    if (p.control) return work(p.control);
    await this.boot(dbid, { initdb: false, start: false });
    // Only the process started here is ended here (not one a restart started meanwhile).
    const mine = p.spawned;
    try {
      return await work(p.control!);
    } finally {
      if (p.spawned === mine && !p.meta.up) await this.takeDown(dbid);
    }
  }

  /** A text file on `dbid`'s disk (postgresql.conf, gpexpand.status), running or not. */
  dataFile(dbid: number, file: string, text?: string | null): Promise<string | undefined> {
    return this.onDisk(dbid, (control) =>
      control.call('dataFile', text === undefined ? [file] : [file, text]),
    );
  }

  /** pg_control on `dbid`'s disk (pg_controldata), running or not. */
  controlData(dbid: number): Promise<ControlData | undefined> {
    return this.onDisk(dbid, (control) => control.call('controlData', []));
  }

  /**
   * A new instance (gpaddmirrors, gpinitstandby): a base backup of `backupFrom`, then started;
   * with no source (gpexpand's new primary), initdb of an empty instance.
   */
  async addInstance(row: SegmentConfig, backupFrom: number | null): Promise<void> {
    const old = this.procs.get(row.dbid);
    if (old?.spawned) await this.stop(row.dbid, 'replaced by a new instance');
    // A reused dbid names a new instance: every process forgets the old one's links.
    const p = this.addProc(row);
    if (old) p.meta.incarnation = old.meta.incarnation;
    if (backupFrom === null) {
      await this.boot(row.dbid, { initdb: true, wipe: true });
      return;
    }
    if (this.fileRep && row.content >= 0) {
      // A passive mirror; its primary resynchronizes it in full, in the background.
      await this.boot(row.dbid, { initdb: false });
      await this.mustGet(backupFrom).control!.call('fileRepSync', [row.dbid, false]);
      return;
    }
    await this.boot(row.dbid, { initdb: false, backupFrom: { dbid: backupFrom, when: 'always' } });
  }

  /**
   * gpexpand -r: a new instance stopped and out of the cluster for good; its data directory is
   * removed with it ("Rolling back building of new segments"), as on the inline runtime.
   */
  async removeInstance(dbid: number): Promise<void> {
    await this.stop(dbid, 'gpexpand -r');
    this.stoppedBy.delete(dbid);
    this.mustGet(dbid).meta.retired = true;
    await this.broadcastPeers();
    await this.removeDataDirectory(dbid);
  }

  directoriesOnHosts(): DataDirectory[] {
    return [...this.procs.values()]
      .filter((p) => !p.meta.directoryRemoved)
      .map((p) => ({
        dbid: p.meta.dbid,
        hostname: p.meta.row.hostname,
        datadir: p.meta.row.datadir,
        retired: p.meta.retired,
      }));
  }

  /**
   * rm -rf or mv of a retired instance's data directory (its process was stopped when it
   * retired). rm deletes its disk, the IndexedDB database in a browser; the removal is saved
   * first, so a page closed between the two resumes without the directory.
   */
  async removeDataDirectory(dbid: number, to?: string): Promise<void> {
    const p = this.mustGet(dbid);
    if (!p.meta.retired) throw retiredOnly(dbid);
    if (to === undefined) p.meta.directoryRemoved = true;
    else p.meta.row = { ...p.meta.row, datadir: to };
    await this.broadcastPeers();
    await this.save();
    if (to === undefined) await this.spawner.destroyDisk?.(this.name, dbid);
  }

  get fileRep(): boolean {
    return this.options.replication === 'filerep';
  }

  mustGet(dbid: number): Proc {
    const p = this.procs.get(dbid);
    if (!p) throw sqlError('undefined_object', `no instance with dbid ${dbid}`);
    return p;
  }

  private coordinatorProc(): Proc {
    const p = [...this.procs.values()].find((x) => x.role === 'coordinator' && x.meta.up);
    if (!p) {
      const last = [...this.procs.values()].find(
        (x) => x.meta.content === -1 && !x.meta.retired && x.meta.row.role === 'p',
      );
      throw coordinatorNotRunning(last !== undefined && this.stoppedBy.get(last.meta.dbid) === 'gpstop');
    }
    return p;
  }

  /** gp_segment_configuration as the acting coordinator knows it (else as last seen). */
  async currentConfig(): Promise<SegmentConfig[]> {
    const p = [...this.procs.values()].find((x) => x.role === 'coordinator' && x.meta.up);
    const rows = p ? await p.control!.call('config', []).catch(() => undefined) : undefined;
    if (rows) {
      for (const r of rows) {
        const known = this.procs.get(r.dbid) ?? this.addProc(r);
        known.meta.row = r;
        known.meta.host = r.hostname;
      }
      return rows;
    }
    return [...this.procs.values()].filter((x) => !x.meta.retired).map((x) => x.meta.row);
  }

  protected async openSession(options: { dbid?: number; utility?: boolean }): Promise<Session> {
    const utility = options.dbid !== undefined && options.dbid !== 1;
    const p = utility ? this.mustGet(options.dbid!) : this.coordinatorProc();
    if (!p.control || !p.meta.up) throw connectionRefused(p.meta.host, p.meta.dbid);
    const control = p.control;
    const incarnation = p.meta.incarnation;
    const id = await control.call('openSession', [options.utility === true]);
    return {
      query: async (sql: string) => {
        if (p.meta.incarnation !== incarnation || control.closed)
          throw sessionGone(this.stoppedOnPurpose(p.meta.dbid));
        return control.call('query', [id, sql], { timeoutMs: 3_600_000 });
      },
      close: async () => {
        if (!control.closed) await control.call('closeSession', [id]).catch(() => undefined);
      },
    };
  }

  /**
   * Utilities run in the acting coordinator's process; gpactivatestandby (and any utility while
   * no coordinator runs) here, against the orchestrator's view of the instances.
   */
  protected async runUtility(commandLine: string, options: RunOptions): Promise<UtilityResult> {
    const prog = programOf(commandLine);
    const coordinator = [...this.procs.values()].find((x) => x.role === 'coordinator' && x.meta.up);
    let result: UtilityResult;
    this.runSignal = options.signal;
    if (!PROCESS_UTILITIES.has(prog ?? '') && coordinator?.control) {
      const control = coordinator.control;
      let stop = false;
      const cancelWatch = async () => {
        while (!stop && options.signal) {
          if (options.signal.aborted) {
            await control.call('cancelUtility', []).catch(() => undefined);
            return;
          }
          await this.clock.sleep(20);
        }
      };
      void cancelWatch();
      try {
        const r = await control.call('runUtility', [commandLine, [...this.files]], { timeoutMs: 3_600_000 });
        this.files.clear();
        for (const [k, v] of r.files) this.files.set(k, v);
        result = r.result;
      } finally {
        stop = true;
      }
    } else {
      result = await runUtility(orchestratorHost(this, options), this.files, commandLine);
    }
    await this.currentConfig().catch(() => undefined);
    return result;
  }

  protected coordinatorDbid(): number | undefined {
    return [...this.procs.values()].find((x) => x.meta.content === -1 && x.meta.up && x.meta.row.role === 'p')
      ?.meta.dbid;
  }

  protected async statusOf(dbid: number): Promise<InstanceStatus> {
    const p = this.mustGet(dbid);
    const down = withStoppedBy(downStatus(dbid), this.stoppedBy.get(dbid));
    if (!p.control || p.control.closed) return down;
    return p.control.call('instanceStatus', [], { timeoutMs: 5_000 }).catch(() => down);
  }

  protected targets(t: number | string): number[] {
    return targets(this, t).map((p) => p.meta.dbid);
  }

  /** Every process hears of the change; it is in force when all have answered. */
  protected async faultsChanged(what: 'net' | 'holds'): Promise<void> {
    const calls =
      what === 'net'
        ? this.live().map((p) => p.control!.call('netFaults', [this.net.snapshot()]))
        : this.live().map((p) => p.control!.call('holds', [this.points.list()]));
    await Promise.allSettled(calls);
  }

  protected async setDiskFaults(dbid: number, change: DiskFaultChange): Promise<void> {
    await this.mustGet(dbid)
      .control?.call('setDisk', [change])
      .catch(() => undefined);
  }

  // A stopped instance's disk rots as well as a running one's.
  protected corruptBlock(dbid: number, file: string, block: number, bit?: number): Promise<void> {
    return this.onDisk(dbid, (control) => control.call('corruptBlock', [file, block, bit]));
  }

  protected readBlocks(dbid: number, prefix: string, view: BlockView): Promise<BlockImage[]> {
    return this.onDisk(dbid, (control) => control.call('blocks', [prefix, view]));
  }

  protected override afterEvent(e: ClusterEvent): void {
    this.saves.noteEvent(e.kind);
  }

  async close(): Promise<void> {
    if (this.closed || this.closing) return;
    this.closing = true;
    await this.closeSessions();
    await this.saves.settled();
    await this.saves.now();
    this.closed = true;
    for (const p of this.procs.values()) {
      p.spawned?.terminate();
      p.control?.close('the cluster is closed');
      p.upcall?.close();
      p.spawned = undefined;
      p.control = undefined;
      p.meta.up = false;
    }
    await this.saves.settled();
    this.release?.();
    this.release = undefined;
  }
}
