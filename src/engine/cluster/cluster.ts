/**
 * createCluster: a Greenplum-style cluster of instances, each a server with its own disk,
 * linked by MessageChannels. This module holds the `inline` runtime (every instance in the
 * calling thread) and the public objects: Cluster, Session, Faults.
 */
import { sqlError } from '../errors.ts';
import { Instance, type StorageSettings } from '../instance/instance.ts';
import { MemoryDisk } from '../storage/memory-disk.ts';
import type { Disk } from '../storage/disk.ts';
import { realClock } from '../runtime/real-clock.ts';
import type { Clock, TraceEvent } from '../runtime/clock.ts';
import { Coordinator } from '../server/coordinator.ts';
import { DistributedTxManager } from '../server/dtm.ts';
import { SegmentExecutor } from '../server/segment.ts';
import { Session as QdSession } from '../server/session.ts';
import type { QueryResult } from '../server/results.ts';
import { planCluster, type SegmentConfig } from './placement.ts';
import { NodeSet, type InstanceNode } from './nodes.ts';
import type { ClusterOptions, Cluster, ClusterEvent, Faults, Session, UtilityResult } from './api.ts';
import { getDiskProvider } from './disk-providers.ts';
import { FaultPoints } from '../runtime/fault-points.ts';
import { FencedDisk } from './fenced-disk.ts';

function processGone(): Error {
  return sqlError('admin_shutdown', 'terminating connection due to administrator command', {
    detail: 'The instance this work belonged to has crashed.',
  });
}

export async function createCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const runtime = options.runtime ?? 'inline';
  if (runtime !== 'inline')
    throw sqlError('feature_not_supported', `runtime "${runtime}" is not available yet`);
  const mirroring = options.mirroring ?? 'none';
  if (mirroring !== 'none') throw sqlError('feature_not_supported', 'segment mirroring is not available yet');
  if (options.standby) throw sqlError('feature_not_supported', 'a standby coordinator is not available yet');
  const config = planCluster({
    hosts: options.hosts ?? ['sdw1', 'sdw2'],
    segmentsPerHost: options.segmentsPerHost ?? 2,
    mirroring,
  });
  const c = new InlineCluster(options, config, realClock);
  await c.start();
  return c;
}

class InlineCluster implements Cluster {
  private readonly listeners = new Set<(e: ClusterEvent) => void>();
  readonly nodes: NodeSet;
  private readonly clock: Clock;
  private readonly options: ClusterOptions;
  private config: SegmentConfig[];
  private readonly storageSettings: Partial<StorageSettings>;
  readonly faults: Faults;
  private closed = false;
  private readonly points = new FaultPoints();
  private readonly openSessions = new Set<Session>();

  constructor(options: ClusterOptions, config: SegmentConfig[], clock: Clock) {
    this.options = options;
    this.config = config;
    this.clock = clock;
    this.nodes = new NodeSet(clock, (e) => this.emit(e));
    const sb = options.settings?.['shared_buffers'];
    this.storageSettings = typeof sb === 'number' ? { shared_buffers: sb } : {};
    this.faults = this.makeFaults();
  }

  async start(): Promise<void> {
    const name = this.options.name ?? 'mpp-ha-lab';
    for (const row of this.config) {
      if (row.role !== 'p') continue;
      const disk = await this.openDisk(`${name}-dbid${row.dbid}`);
      const node: InstanceNode = {
        dbid: row.dbid,
        content: row.content,
        host: row.hostname,
        disk,
        inst: undefined,
        qd: undefined,
        qe: undefined,
        up: false,
        incarnation: 0,
      };
      this.nodes.add(node);
      const fresh = disk.files('global/').length === 0;
      if (fresh) await Instance.initdb(disk, { systemIdentifier: name, time: this.clock.now() });
      await this.boot(node, fresh);
    }
  }

  private async openDisk(name: string): Promise<Disk> {
    if ((this.options.storage ?? 'memory') === 'memory') return new MemoryDisk((ms) => this.clock.sleep(ms));
    const provider = getDiskProvider('indexeddb');
    if (!provider)
      throw sqlError(
        'feature_not_supported',
        'storage "indexeddb" needs a disk provider (import the worker runtime)',
      );
    return provider(name);
  }

  /** Starts an instance's process on its disk: crash recovery, then its server role. */
  private async boot(node: InstanceNode, fresh: boolean): Promise<void> {
    const incarnation = ++node.incarnation;
    const alive = () => node.up && node.incarnation === incarnation;
    const trace = (e: TraceEvent) => {
      if (node.incarnation === incarnation) this.emit({ ...e, dbid: node.dbid });
    };
    // The process's view of its disk: fenced when it dies, so nothing it still had in flight
    // reaches the disk its next incarnation recovers from.
    const disk = new FencedDisk(node.disk);
    node.fence = () => disk.fence();
    const dtm = node.content === -1 ? new DistributedTxManager(String(this.clock.now())) : undefined;
    const inst = await Instance.start(
      { disk, clock: this.clock, trace },
      this.storageSettings,
      dtm?.redoExtensions(),
    );
    inst.onPanic = () => void this.crashNode(node);
    node.inst = inst;
    if (node.content === -1) {
      const qd = new Coordinator({
        inst,
        dtm: dtm!,
        clock: this.clock,
        trace,
        callSegment: (dbid, method, args) =>
          alive() ? this.nodes.call(node.dbid, dbid, method, args) : Promise.reject(processGone()),
        settings: this.options.settings ?? {},
      });
      if (fresh) await qd.catalog.bootstrap(this.config, this.clock.now());
      await qd.open();
      node.qd = qd;
      node.up = true;
      // DTX recovery, part of the coordinator's startup: in-doubt transactions are resolved.
      if (!fresh) await qd.recoverDistributed();
    } else {
      node.qe = new SegmentExecutor(
        inst,
        node.content,
        this.clock,
        (dbid, queryId, sliceId, from, rows) =>
          alive()
            ? this.nodes.call(node.dbid, dbid, 'receiveRows', [queryId, sliceId, from, rows])
            : Promise.reject(processGone()),
        { faults: this.points, dbid: node.dbid },
      );
    }
    node.up = true;
    this.emit({ kind: 'instance.up', dbid: node.dbid, recovery: inst.recovery });
  }

  private coordinatorNode(): InstanceNode {
    const n = [...this.nodes.nodes.values()].find((x) => x.content === -1 && x.qd && x.up);
    if (!n)
      throw sqlError('cannot_connect_now', 'the coordinator is not running', {
        hint: 'Restart it, or activate the standby (gpactivatestandby).',
      });
    return n;
  }

  async connect(options: { dbid?: number } = {}): Promise<Session> {
    if (this.closed) throw sqlError('connection_does_not_exist', 'the cluster is closed');
    if (options.dbid !== undefined && options.dbid !== 1)
      throw sqlError('feature_not_supported', 'utility-mode sessions on segments are not available yet');
    const node = this.coordinatorNode();
    const s = new QdSession(node.qd!);
    const api: Session = {
      query: async (sql: string) => {
        if (!node.up || node.qd !== s.qd)
          throw sqlError('admin_shutdown', 'terminating connection due to administrator command', {
            detail: 'The coordinator this session was connected to has gone down.',
          });
        return s.query(sql);
      },
      close: async () => {
        this.openSessions.delete(api);
        await s.close();
      },
    };
    this.openSessions.add(api);
    return api;
  }

  async query(sql: string): Promise<QueryResult> {
    const s = await this.connect();
    try {
      return await s.query(sql);
    } finally {
      await s.close();
    }
  }

  async run(commandLine: string): Promise<UtilityResult> {
    const prog = commandLine.trim().split(/\s+/)[0] ?? '';
    return {
      exitCode: 127,
      stdout: '',
      stderr: `${prog}: command not found (utilities arrive with mirroring)\n`,
    };
  }

  subscribe(listener: (event: ClusterEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.points.releaseAll();
    for (const s of [...this.openSessions]) await s.close().catch(() => undefined);
    for (const n of this.nodes.nodes.values()) {
      n.inst?.kill();
      n.up = false;
    }
    this.nodes.closeAll();
  }

  private emit(e: ClusterEvent): void {
    const event = { time: this.clock.now(), ...e };
    for (const l of this.listeners) l(event);
  }

  // ---- faults ---------------------------------------------------------------------------------

  private targets(t: number | string): InstanceNode[] {
    if (typeof t === 'number') return [this.nodes.get(t)];
    const list = this.nodes.byHost(t);
    if (!list.length) throw sqlError('undefined_object', `no instance or host named "${t}"`);
    return list;
  }

  private async crashNode(node: InstanceNode): Promise<void> {
    if (!node.up) return;
    node.up = false;
    node.fence?.();
    node.inst?.kill();
    node.qe?.reset();
    node.inst = undefined;
    node.qe = undefined;
    node.qd = undefined;
    this.nodes.disconnect(node.dbid);
    if (node.disk instanceof MemoryDisk) node.disk.crash();
    else {
      const provider = getDiskProvider('indexeddb');
      const name = `${this.options.name ?? 'mpp-ha-lab'}-dbid${node.dbid}`;
      (node.disk as { close?: () => void }).close?.();
      if (provider) node.disk = await provider(name);
    }
    this.emit({ kind: 'instance.crash', dbid: node.dbid });
  }

  private makeFaults(): Faults {
    return {
      crash: async (t) => {
        for (const n of this.targets(t)) await this.crashNode(n);
      },
      restart: async (t) => {
        for (const n of this.targets(t)) {
          if (n.up) await this.crashNode(n);
          await this.boot(n, false);
        }
      },
      partition: (a, b) => this.nodes.faults.partition(this.ids(a), this.ids(b)),
      heal: () => this.nodes.faults.heal(),
      delay: (t, ms) => {
        for (const n of this.targets(t)) this.nodes.faults.delay(n.dbid, ms);
      },
      slowDisk: (dbid, ms) => {
        const d = this.nodes.get(dbid).disk;
        if (d instanceof MemoryDisk) d.latencyMs = ms;
      },
      suspend: (point, dbid) => this.points.suspend(point, dbid),
      diskFull: (dbid, full) => {
        const d = this.nodes.get(dbid).disk;
        if (d instanceof MemoryDisk) d.faults.full = full;
        else (d as { quotaBytes?: number }).quotaBytes = full ? 0 : undefined;
      },
    };
  }

  private ids(list: (number | string)[]): Set<number> {
    const out = new Set<number>();
    for (const t of list) for (const n of this.targets(t)) out.add(n.dbid);
    return out;
  }
}
