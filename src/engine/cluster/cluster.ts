/**
 * createCluster: a Greenplum-style cluster of instances, each a server with its own disk,
 * linked by MessageChannels. This module holds the `inline` runtime (every instance in the
 * calling thread) and the public objects: Cluster, Session, Faults.
 */
import { fullResync } from '../node/filerep-boot.ts';
import { sqlError } from '../errors.ts';
import { Instance, type StorageSettings } from '../instance/instance.ts';
import { MemoryDisk } from '../storage/memory-disk.ts';
import { wipeDisk, type Disk } from '../storage/disk.ts';
import { settleLater, type Clock } from '../runtime/clock.ts';
import type { ChannelLike } from '../runtime/link-endpoint.ts';
import type { TimeControl } from '../runtime/controllable-clock.ts';
import { Session as QdSession } from '../server/session.ts';
import { UtilitySession } from '../server/utility-session.ts';
import { Settings } from '../server/settings.ts';
import { baseBackup } from '../replication/basebackup.ts';
import { localSource, type CopySource } from '../replication/copy-source.ts';
import { recoverData } from '../utilities/recover-data.ts';
import type { SegmentConfig } from '../topology/placement.ts';
import { NodeSet, stoppedNode, type ClusterNode, type InstanceNode } from '../node/nodes.ts';
import {
  coordinatorOf,
  copySource,
  endProcess,
  executorOf,
  instanceOf,
  replicationOf,
  shutdownProcess,
  standbyOf,
} from '../node/process.ts';
import type {
  BlockImage,
  BlockView,
  ClusterOptions,
  InstanceStatus,
  Session,
  UtilityResult,
  RunOptions,
} from '../node/api.ts';
import { blockImages } from '../node/block-images.ts';
import { linkedModules } from '../node/linked-modules.ts';
import { getDiskProvider } from '../node/disk-providers.ts';
import { attachStandby, bootNode, type BootContext, type CoordinatorStart } from '../node/boot.ts';
import { flipBit } from '../storage/bit-rot.ts';
import type { DiskFaultChange } from '../storage/disk.ts';
import type { NetworkFaults } from '../runtime/link-faults.ts';
import { ClusterShell } from './shell.ts';
import { connectionRefused, coordinatorNotRunning, sessionGone } from '../node/session-errors.ts';
import { instanceStatus, withStoppedBy } from '../node/instance-status.ts';
import {
  runUtility,
  type DataDirectory,
  type MaintenanceHost,
  type ShutdownMode,
} from '../utilities/index.ts';
import { dataFileOn } from '../instance/config-file.ts';
import { readControl } from '../instance/control.ts';
import { liveSetting, reloadNodeConfig } from '../node/node-config.ts';
import type { RecoveryProgress } from '../utilities/host.ts';

/** The lab's default: time runs 30× faster than on a real cluster (the 'compressed' preset). */
export const DEFAULT_TIME_SCALE = 30;

/** The pieces an in-thread runtime (inline, sim) may replace. */
export interface InThreadRuntime {
  channel?: () => ChannelLike;
  memoryDisk?: () => MemoryDisk;
}

export class InlineCluster extends ClusterShell {
  readonly nodes: NodeSet;
  readonly clock: Clock;
  readonly options: ClusterOptions;
  private readonly initialConfig: SegmentConfig[];
  /** Pause, resume and speed of the cluster's clock (set by createCluster for the inline runtime). */
  time: TimeControl | undefined;
  /** Statements in flight on each coordinator process: they fail at once when it goes down. */
  private readonly inFlight = new Map<InstanceNode, Set<(e: Error) => void>>();
  readonly boot: BootContext;

  /** What the runtime supplies beyond the clock: channels and in-memory disks. */
  private readonly runtime: InThreadRuntime;

  constructor(options: ClusterOptions, config: SegmentConfig[], clock: Clock, runtime: InThreadRuntime = {}) {
    super();
    this.options = options;
    this.initialConfig = config;
    this.clock = clock;
    this.runtime = runtime;
    this.nodes = new NodeSet(clock, (e) => this.emit(e), runtime.channel);
    const sb = options.settings?.['shared_buffers'];
    const storage: Partial<StorageSettings> = typeof sb === 'number' ? { shared_buffers: sb } : {};
    const settings = options.settings ?? {};
    this.boot = {
      nodes: this.nodes,
      clock,
      points: this.points,
      storage,
      gucs: new Settings({ config: settings }),
      settings,
      timeScale: options.timeScale ?? DEFAULT_TIME_SCALE,
      emit: (e) => this.emit(e),
      onPanic: (node) => void this.crash(node.dbid),
      // In this thread the node itself says what it serves (qd, qe, mirror).
      roleChanged: () => undefined,
      // The catalog as the coordinator last held it: gpstart starts instances by its word.
      roleOf: (dbid) => this.lastKnownConfig().find((c) => c.dbid === dbid),
      initialConfig: config,
      fileRep: options.replication === 'filerep',
      modules: linkedModules(),
    };
  }

  /** gp_segment_configuration as the running coordinator knows it (else as initialised). */
  currentConfig(): SegmentConfig[] {
    const qd = this.nodes
      .allLocal()
      .map((n) => (n.content === -1 && n.up ? coordinatorOf(n.process) : undefined))
      .find((q) => q !== undefined);
    if (!qd) return this.initialConfig;
    for (const r of qd.config) this.knownRows.set(r.dbid, r);
    return qd.config;
  }

  async start(): Promise<void> {
    const name = this.diskPrefix();
    // Primaries and the coordinator first, then each mirror from a base backup of its primary.
    for (const row of this.initialConfig.filter((r) => r.role === 'p')) {
      const node = this.addNode(row, await this.openDisk(`${name}-dbid${row.dbid}`));
      const fresh = node.disk.files('global/').length === 0;
      if (fresh) await Instance.initdb(node.disk, { systemIdentifier: name, time: this.clock.now() });
      if (row.content === -1) continue; // the coordinator starts last, once its segments answer
      await bootNode(this.boot, node, fresh);
    }
    for (const row of this.initialConfig.filter((r) => r.role === 'm' && r.content >= 0)) {
      const node = this.addNode(row, await this.openDisk(`${name}-dbid${row.dbid}`));
      const primary = this.partnerOf(node)!;
      if (this.boot.fileRep) {
        // gpinitsystem's mirror: a full resynchronization from its primary, before anyone connects.
        await bootNode(this.boot, node, false);
        await fullResync(primary, node.dbid, true);
        continue;
      }
      if (node.disk.files('global/').length === 0) await baseBackup(this.sourceOf(primary), node.disk);
      await bootNode(this.boot, node, false);
      // The primary's walsender is already retrying: it connects on its next attempt.
      attachStandby(this.boot, primary, node);
    }
    const coordinator = this.nodes.allLocal().find((n) => n.content === -1)!;
    await bootNode(this.boot, coordinator, coordinator.disk.files('base/').length === 0);
    const standbyRow = this.initialConfig.find((r) => r.content === -1 && r.role === 'm');
    if (standbyRow) await this.createStandby(standbyRow);
  }

  /** A standby coordinator from a base backup of the running coordinator (gpinitstandby). */
  async createStandby(row: SegmentConfig): Promise<InstanceNode> {
    const coordinator = this.coordinatorNode();
    const existing = this.nodes.nodes.has(row.dbid) ? this.nodes.local(row.dbid) : undefined;
    const node = existing ?? this.addNode(row, await this.openDisk(`${this.diskPrefix()}-dbid${row.dbid}`));
    node.retired = false;
    this.directoryMoves.delete(row.dbid);
    node.host = row.hostname;
    await baseBackup(this.sourceOf(coordinator), node.disk);
    await bootNode(this.boot, node, false);
    attachStandby(this.boot, coordinator, node);
    return node;
  }

  /** The other instance of a pair (in this thread, as every instance here). */
  private partnerOf(node: InstanceNode): InstanceNode | undefined {
    const other = this.nodes.mirrorOf(node);
    return other && this.nodes.local(other.dbid);
  }

  /** A running instance's files, as a copy reads them (pg_basebackup, pg_rewind). */
  private sourceOf(node: InstanceNode): CopySource {
    return localSource(copySource(node.process, node.dbid));
  }

  private diskPrefix(): string {
    return this.options.name ?? 'mpp-ha-lab';
  }

  private addNode(row: SegmentConfig, disk: Disk): InstanceNode {
    const node = stoppedNode(row, disk);
    this.nodes.add(node);
    this.directoryMoves.delete(row.dbid);
    return node;
  }

  async openDisk(name: string): Promise<Disk> {
    if ((this.options.storage ?? 'memory') === 'memory')
      return this.runtime.memoryDisk?.() ?? new MemoryDisk((ms) => this.clock.sleep(ms));
    const provider = getDiskProvider('indexeddb');
    if (!provider)
      throw sqlError(
        'feature_not_supported',
        'storage "indexeddb" needs a disk provider (import the worker runtime)',
      );
    return provider(name);
  }

  coordinatorNode(): InstanceNode {
    const n = this.nodes.allLocal().find((x) => x.content === -1 && coordinatorOf(x.process) && x.up);
    if (!n) {
      const last = this.lastCoordinator();
      throw coordinatorNotRunning(last !== undefined && this.stoppedBy.get(last.dbid) === 'gpstop');
    }
    return n;
  }

  protected async openSession(options: { dbid?: number; utility?: boolean }): Promise<Session> {
    if (options.dbid !== undefined && options.dbid !== 1) return this.connectUtility(options.dbid);
    const node = this.coordinatorNode();
    const s = new QdSession(coordinatorOf(node.process)!, { utility: options.utility === true });
    return {
      query: (sql: string) =>
        settleLater(this.clock, async () => {
          if (!node.up || coordinatorOf(node.process) !== s.qd)
            throw sessionGone(this.stoppedOnPurpose(node.dbid));
          // The connection dies with the process: no reply, whatever the dead process goes on doing.
          let lost!: (e: Error) => void;
          const gone = new Promise<never>((_, reject) => (lost = reject));
          const set = this.inFlight.get(node) ?? new Set();
          this.inFlight.set(node, set.add(lost));
          try {
            return await Promise.race([s.query(sql), gone]);
          } finally {
            set.delete(lost);
          }
        }),
      close: () => s.close(),
    };
  }

  /** A utility-mode session on one segment instance. */
  private async connectUtility(dbid: number): Promise<Session> {
    const node = this.nodes.local(dbid);
    const inst = node.up ? instanceOf(node.process) : undefined;
    if (!inst) throw connectionRefused(node.host, dbid);
    const u = new UtilitySession(
      inst,
      executorOf(node.process),
      node.content,
      dbid,
      this.clock,
      node.config?.configValues() ?? this.options.settings ?? {},
    );
    const incarnation = node.incarnation;
    return {
      query: (sql) =>
        settleLater(this.clock, async () => {
          if (!node.up || node.incarnation !== incarnation)
            throw sessionGone(this.stoppedOnPurpose(node.dbid));
          return u.query(sql);
        }),
      close: () => u.close(),
    };
  }

  /** Catalog rows of instances, as last seen (a standby's row outlives a dead coordinator). */
  private readonly knownRows = new Map<number, SegmentConfig>();

  /** The coordinator node acting now, or the one that acted last (now down). */
  private lastCoordinator(): InstanceNode | undefined {
    const all = this.nodes.allLocal().filter((n) => n.content === -1 && !n.retired);
    const acting = all.find((n) => coordinatorOf(n.process) && n.up);
    if (acting) return acting;
    const rowOf = (n: ClusterNode) =>
      this.knownRows.get(n.dbid) ?? this.initialConfig.find((r) => r.dbid === n.dbid);
    return all.find((n) => rowOf(n)?.role === 'p');
  }

  /** Recoveries gprecoverseg is running now (its recovery_progress.file). */
  private readonly recoveryProgress = new Map<number, RecoveryProgress>();

  /** The catalog as the coordinator holds it, or as it was when the coordinator stopped. */
  private lastKnownConfig(): SegmentConfig[] {
    if (this.nodes.allLocal().some((n) => n.content === -1 && n.up && coordinatorOf(n.process)))
      return this.currentConfig();
    const rows = new Map(this.initialConfig.map((r) => [r.dbid, r]));
    for (const [dbid, r] of this.knownRows) rows.set(dbid, r);
    return [...rows.values()].filter((r) => !this.nodes.nodes.get(r.dbid)?.retired);
  }

  /** Data directories moved (a path) or removed (null) by hand, by dbid: retired instances' only. */
  private readonly directoryMoves = new Map<number, string | null>();

  directoriesOnHosts(): DataDirectory[] {
    const current = new Map(this.lastKnownConfig().map((r) => [r.dbid, r]));
    const out: DataDirectory[] = [];
    for (const n of this.nodes.allLocal()) {
      const row =
        current.get(n.dbid) ??
        this.knownRows.get(n.dbid) ??
        this.initialConfig.find((r) => r.dbid === n.dbid);
      const moved = this.directoryMoves.get(n.dbid);
      if (!row || moved === null) continue;
      out.push({
        dbid: n.dbid,
        hostname: row.hostname,
        datadir: moved ?? row.datadir,
        retired: n.retired === true,
      });
    }
    return out;
  }

  /** rm -rf (its disk wiped) or mv of a retired instance's data directory. */
  private async removeDataDirectory(dbid: number, to?: string): Promise<void> {
    const node = this.nodes.local(dbid);
    if (!node.retired) throw retiredOnly(dbid);
    this.directoryMoves.set(dbid, to ?? null);
    if (to === undefined) await wipeDisk(node.disk);
  }

  /** pg_ctl stop -m mode: smart and fast shut the instance down cleanly first. */
  private async shutdownNode(node: InstanceNode, mode: ShutdownMode, by: string): Promise<void> {
    if (!node.up) return;
    if (mode !== 'immediate') await shutdownProcess(node.process).catch(() => undefined);
    await this.stop(node.dbid, by);
  }

  protected runUtility(commandLine: string, options: RunOptions): Promise<UtilityResult> {
    const host: MaintenanceHost = {
      catalog: async () => this.lastKnownConfig(),
      shutdownNode: (n, mode, by) => this.shutdownNode(this.nodes.local(n.dbid), mode, by),
      userSessions: () => this.userSessions(),
      requestProbe: async () => {
        await this.query('select gp_request_fts_probe_scan()');
      },
      reachable: (from, to) => !this.nodes.faults.isCut(from, to),
      msPerClusterSecond: 1000 / this.boot.timeScale,
      dataFile: (n, file, text) => dataFileOn(this.nodes.local(n.dbid).disk, file, text),
      controlData: async (n) => readControl(this.nodes.local(n.dbid).disk),
      reloadConfig: async (n) => reloadNodeConfig(this.nodes.local(n.dbid), this.boot.timeScale),
      showSetting: async (n, name) => liveSetting(this.nodes.local(n.dbid), name),
      nodes: this.nodes,
      clock: this.clock,
      coordinator: () => coordinatorOf(this.coordinatorNode().process)!,
      stopNode: (n, by) => this.stop(n.dbid, by),
      restartNode: (n, how) => this.restartNode(this.nodes.local(n.dbid), how),
      emit: (e) => this.emit(e),
      reach: (point, dbid) => this.points.reach(point, dbid),
      recoveryProgress: this.recoveryProgress,
      cancelled: () => options.signal?.aborted === true,
      recoverData: (target, source, mode, progress) =>
        recoverData(
          this.sourceOf(this.nodes.local(source.dbid)),
          this.nodes.local(target.dbid).disk,
          mode,
          this.clock,
          progress,
        ),
      standby: () => {
        const acting = this.lastCoordinator();
        const node = this.nodes.allLocal().find((n) => n.content === -1 && !n.retired && n !== acting);
        if (!node) return undefined;
        const row = this.currentConfig().find((r) => r.dbid === node.dbid) ?? this.knownRows.get(node.dbid);
        return row ? { node, row } : undefined;
      },
      coordinatorNodeIfAny: () => this.lastCoordinator(),
      createStandby: async (row) => {
        this.knownRows.set(row.dbid, row);
        return this.createStandby(row);
      },
      bootStandby: async (n) => {
        await bootNode(this.boot, this.nodes.local(n.dbid), false);
        const qdNode = this.nodes.allLocal().find((x) => coordinatorOf(x.process) && x.up);
        if (qdNode) attachStandby(this.boot, qdNode, n);
      },
      retire: (n) => {
        n.retired = true;
      },
      dataDirectories: async () => this.directoriesOnHosts(),
      removeDataDirectory: (dbid, to) => this.removeDataDirectory(dbid, to),
      promoteStandby: async (n) => {
        await standbyOf(this.nodes.local(n.dbid).process).promote();
      },
      addMirror: async (row) => {
        this.knownRows.set(row.dbid, row);
        const node = this.addNode(row, await this.openDisk(`${this.diskPrefix()}-dbid${row.dbid}`));
        const primary = this.partnerOf(node)!;
        if (this.boot.fileRep) {
          // A passive mirror, filled by a full resynchronization in the background.
          await bootNode(this.boot, node, false);
          await fullResync(primary, node.dbid, false);
          return;
        }
        // The copy's progress, as gprecoverseg reports its own (the lab draws it on the card).
        await baseBackup(this.sourceOf(primary), node.disk, (done, total) =>
          this.emit({ kind: 'recovery.progress', dbid: row.dbid, done, total, type: 'full' }),
        );
        await bootNode(this.boot, node, false);
        attachStandby(this.boot, primary, node);
      },
      addPrimary: async (row) => {
        this.knownRows.set(row.dbid, row);
        const node = this.addNode(row, await this.openDisk(`${this.diskPrefix()}-dbid${row.dbid}`));
        await wipeDisk(node.disk);
        await Instance.initdb(node.disk, { systemIdentifier: this.diskPrefix(), time: this.clock.now() });
        await bootNode(this.boot, node, true);
      },
      removeInstance: async (n) => {
        await this.stop(n.dbid, 'gpexpand -r');
        this.stoppedBy.delete(n.dbid);
        this.knownRows.delete(n.dbid);
        n.retired = true;
      },
    };
    return runUtility(host, this.files, commandLine);
  }

  protected async statusOf(dbid: number): Promise<InstanceStatus> {
    return withStoppedBy(instanceStatus(this.nodes.local(dbid)), this.stoppedBy.get(dbid));
  }

  protected coordinatorDbid(): number | undefined {
    return this.lastCoordinator()?.dbid;
  }

  protected targets(t: number | string): number[] {
    if (typeof t === 'number') return [this.nodes.local(t).dbid];
    const list = this.nodes.byHost(t);
    if (!list.length) throw sqlError('undefined_object', `no instance or host named "${t}"`);
    return list.map((n) => n.dbid);
  }

  protected get net(): NetworkFaults {
    return this.nodes.faults;
  }

  // In this thread a fault is in force as soon as it is set.
  protected async faultsChanged(): Promise<void> {}

  protected async setDiskFaults(dbid: number, change: DiskFaultChange): Promise<void> {
    this.nodes.local(dbid).disk.setFaults(change);
  }

  protected corruptBlock(dbid: number, file: string, block: number, bit?: number): Promise<void> {
    return flipBit(this.nodes.local(dbid).disk, file, block, bit);
  }

  protected async readBlocks(dbid: number, prefix: string, view: BlockView): Promise<BlockImage[]> {
    return blockImages(this.nodes.local(dbid), prefix, view);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.closeSessions();
    for (const n of this.nodes.allLocal()) this.stopProcess(n);
    this.nodes.closeAll();
  }

  /** The process is gone (its memory with it); its links break at once. */
  private stopProcess(node: InstanceNode): void {
    node.up = false;
    for (const lost of this.inFlight.get(node) ?? []) lost(sessionGone(this.stoppedOnPurpose(node.dbid)));
    this.inFlight.delete(node);
    node.fence?.();
    endProcess(node.process);
    node.process = undefined;
    this.nodes.disconnect(node.dbid);
  }

  /** The process dies at once: its memory is lost, its disk keeps what was synced. */
  protected async takeDown(dbid: number): Promise<boolean> {
    const node = this.nodes.local(dbid);
    if (!node.up) return false;
    this.stopProcess(node);
    // Its partner's walsender sees the connection close at once.
    replicationOf(this.partnerOf(node)?.process)?.walsender?.connectionLost();
    if (node.disk instanceof MemoryDisk) node.disk.crash();
    else {
      const provider = getDiskProvider('indexeddb');
      (node.disk as { close?: () => void }).close?.();
      if (provider) {
        node.disk = await provider(`${this.diskPrefix()}-dbid${node.dbid}`);
        node.disk.setFaults(this.diskFaults.get(node.dbid) ?? {});
      }
    }
    return true;
  }

  restart(dbid: number, how?: CoordinatorStart): Promise<void> {
    return this.restartNode(this.nodes.local(dbid), how);
  }

  async restartNode(node: InstanceNode, how?: CoordinatorStart): Promise<void> {
    if (node.retired) throw retiredError(node.dbid, node.content);
    this.stoppedBy.delete(node.dbid);
    if (node.up) await this.crash(node.dbid);
    await bootNode(how ? { ...this.boot, coordinatorStart: how } : this.boot, node, false);
    // A primary whose pair is up resumes streaming to it; a returning mirror is found by its
    // primary's walsender on its next attempt.
    const other = this.partnerOf(node);
    if (replicationOf(other?.process) && instanceOf(node.process)?.standby)
      attachStandby(this.boot, other!, node);
  }
}

/** Restarting an instance that left the cluster (an old coordinator after an activation). */
/** A data directory the cluster still uses is not removed or moved by hand. */
export function retiredOnly(dbid: number): Error {
  return sqlError(
    'object_in_use',
    `the data directory of dbid ${dbid} belongs to an instance in the cluster's configuration`,
  );
}

export function retiredError(dbid: number, content: number): Error {
  const coordinator = content === -1;
  return sqlError('object_not_in_prerequisite_state', `dbid ${dbid} is no longer part of the cluster`, {
    detail: coordinator
      ? 'The standby was activated: this old coordinator has a lower Timeline ID and must not start as coordinator.'
      : undefined,
    hint: coordinator ? 'Move its data directory away and add it back with gpinitstandby -s.' : undefined,
  });
}
