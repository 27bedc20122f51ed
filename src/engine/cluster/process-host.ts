/**
 * One instance's process for the worker runtime: its disk, its server (coordinator, primary,
 * mirror or standby, as bootNode starts it), its timers (FTS, walsender, checkpoints) and its
 * sessions, all in the realm it runs in. It reaches other instances only over ports the
 * orchestrator hands out, and the orchestrator only over its upcall port. The engine part of a
 * worker: src/workers wires it to a Worker and an IndexedDB disk.
 */
import { fullResync } from '../node/filerep-boot.ts';
import { sqlError } from '../errors.ts';
import { Instance } from '../instance/instance.ts';
import { connectApi, serveApi, transferResult } from '../runtime/comlink-link.ts';
import type { Link } from '../runtime/link.ts';
import type { FaultState } from '../runtime/link-faults.ts';
import type { PortLike } from '../runtime/link-endpoint.ts';
import { FaultPoints } from '../runtime/fault-points.ts';
import { ControllableClock } from '../runtime/controllable-clock.ts';
import { Settings } from '../server/settings.ts';
import type { QueryResult } from '../server/results.ts';
import { wipeDisk, type DiskFaultChange } from '../storage/disk.ts';
import { flipBit } from '../storage/bit-rot.ts';
import { baseBackup } from '../replication/basebackup.ts';
import { snapshotSource } from '../replication/copy-source.ts';
import { recoverData, type RecoveredData, type RecoveryMode } from '../utilities/recover-data.ts';
import type { SegmentConfig } from '../topology/placement.ts';
import { readControl, type ControlData } from '../instance/control.ts';
import type { BlockImage, BlockView, ClusterEvent, InstanceStatus } from '../node/api.ts';
import { blockImages } from '../node/block-images.ts';
import { instanceStatus } from '../node/instance-status.ts';
import { connectionRefused } from '../node/session-errors.ts';
import { coordinatorProcessHost } from './process-utilities.ts';
import type {
  BootSpec,
  HostApi,
  NodeMeta,
  ProcessApi,
  ProcessRuntime,
  ProcessStatus,
  TimeState,
  UtilityRun,
} from './process-protocol.ts';

import type { RecoveryProgress } from '../utilities/host.ts';
import { attachStandby, bootNode, type BootContext } from '../node/boot.ts';
import { liveSetting, reloadNodeConfig, type NodeReload } from '../node/node-config.ts';
import { dataFileOn } from '../instance/config-file.ts';
import { forwardTo, NodeSet, stoppedNode, type InstanceNode, type RemoteNode } from '../node/nodes.ts';
import {
  coordinatorOf,
  endProcess,
  executorOf,
  instanceOf,
  replicationOf,
  shownRole,
  shutdownProcess,
  standbyOf,
} from '../node/process.ts';

/** Fault points held in the orchestrator: a hold known here is waited out there. */
class RemotePoints extends FaultPoints {
  held = new Set<string>();
  private readonly host: Link<HostApi>;

  constructor(host: Link<HostApi>) {
    super();
    this.host = host;
  }

  override async reach(point: string, dbid: number): Promise<void> {
    if (this.held.has(`${point}@${dbid}`)) await this.host.call('reach', [point], { timeoutMs: 86_400_000 });
  }

  override isHeld(point: string, dbid: number): boolean {
    const held = this.held.has(`${point}@${dbid}`);
    if (held) void this.host.call('reach', [point]).catch(() => undefined);
    return held;
  }
}

interface OpenSession {
  query(sql: string): Promise<QueryResult>;
  close(): Promise<void>;
}

export class InstanceProcess implements ProcessApi {
  private readonly runtime: ProcessRuntime;
  /** The cluster's time in this process: paused and sped up with every other process's. */
  private readonly time: ControllableClock;
  private readonly host: Link<HostApi>;
  private readonly points: RemotePoints;
  private nodes: NodeSet | undefined;
  private node: InstanceNode | undefined;
  private spec: BootSpec | undefined;
  private ctx: BootContext | undefined;
  private readonly sessions = new Map<number, OpenSession>();
  private nextSession = 1;
  private readonly served: { close(): void }[] = [];
  private readonly recoveryProgress = new Map<number, RecoveryProgress>();
  private readonly knownRows = new Map<number, SegmentConfig>();
  private cancelRequested = false;

  constructor(runtime: ProcessRuntime, upcall: PortLike) {
    this.runtime = runtime;
    this.time = new ControllableClock(runtime.clock);
    this.host = connectApi<HostApi>(upcall, {
      peerName: 'the orchestrator',
      from: 'process',
      to: 'orchestrator',
      clock: runtime.clock,
      timeoutMs: 120_000,
    });
    this.points = new RemotePoints(this.host);
  }

  private emit(e: ClusterEvent): void {
    void this.host.call('event', [e as ClusterEvent]).catch(() => undefined);
  }

  async boot(spec: BootSpec): Promise<ProcessStatus> {
    if (this.node) throw new Error('assertion failed: a process boots once');
    this.spec = spec;
    const clock = this.time.clock;
    if (spec.time) this.setTime(spec.time);
    const nodes = new NodeSet(clock, (e) => this.emit(e));
    nodes.connector = (_from, to) => this.host.call('portTo', [to]);
    nodes.faults.restore(spec.faults);
    this.points.held = new Set(spec.holds);
    this.nodes = nodes;
    const disk = await this.runtime.openDisk(`${spec.name}-dbid${spec.dbid}`);
    disk.setFaults(spec.disk);
    const node = stoppedNode(spec.row, disk);
    this.node = node;
    nodes.add(node);
    await this.peers(spec.peers);

    if (spec.wipe) await wipeDisk(disk);
    const empty = disk.files('global/').length === 0;
    // A new instance: initdb, and (the coordinator) the catalog bootstrap once it starts.
    const fresh = spec.initdb && empty;
    if (fresh) await Instance.initdb(disk, { systemIdentifier: spec.name, time: clock.now() });
    if (spec.backupFrom && (spec.backupFrom.when === 'always' || empty)) {
      const snap = await nodes.call(spec.dbid, spec.backupFrom.dbid, 'sourceSnapshot', [true], 600_000);
      // The copy's progress, as gprecoverseg reports its own (the lab draws it on the card).
      await baseBackup(snapshotSource(snap, clock), disk, (done, total) =>
        this.emit({ kind: 'recovery.progress', dbid: spec.dbid, done, total, type: 'full' }),
      );
    }
    const settings = spec.settings;
    const sb = settings['shared_buffers'];
    const ctx: BootContext = {
      nodes,
      clock,
      points: this.points,
      storage: typeof sb === 'number' ? { shared_buffers: sb } : {},
      gucs: new Settings({ config: settings }),
      settings,
      timeScale: spec.timeScale,
      emit: (e) => this.emit(e),
      onPanic: () => void this.host.call('panic', []).catch(() => undefined),
      roleChanged: (_node, role) => void this.host.call('roleChanged', [role]).catch(() => undefined),
      roleOf: (dbid) => (dbid === spec.dbid ? spec.row : undefined),
      initialConfig: spec.initialConfig,
      fileRep: spec.replication === 'filerep',
      modules: this.runtime.modules,
      ...(spec.coordinatorStart ? { coordinatorStart: spec.coordinatorStart } : {}),
    };
    this.ctx = ctx;
    if (spec.start) await bootNode(ctx, node, fresh);
    return this.status();
  }

  async fileRepSync(mirror: number, wait: boolean): Promise<void> {
    await fullResync(this.mustHaveNode(), mirror, wait);
  }

  async attachMirror(): Promise<void> {
    const node = this.node;
    if (!node?.up || !replicationOf(node.process) || !this.ctx) return;
    const mirror = this.nodes!.mirrorOf(node);
    if (mirror) attachStandby(this.ctx, node, mirror);
  }

  /** The name of this process's disk (its IndexedDB database in the browser). */
  get diskName(): string | undefined {
    return this.spec ? `${this.spec.name}-dbid${this.spec.dbid}` : undefined;
  }

  async accept(from: number, port: PortLike): Promise<void> {
    this.served.push(serveApi(port, forwardTo(this.mustHaveNode())));
    void from;
  }

  async peers(metas: NodeMeta[]): Promise<void> {
    const nodes = this.nodes;
    const me = this.node;
    if (!nodes || !me) return;
    for (const m of metas) {
      this.knownRows.set(m.dbid, m.row);
      if (m.dbid === me.dbid) {
        me.retired = m.retired;
        me.host = m.host;
        continue;
      }
      const known = nodes.nodes.get(m.dbid) as (RemoteNode & { meta?: NodeMeta }) | undefined;
      const replaced = !known || known.meta?.instance !== m.instance;
      const restarted = !!known && (known.meta?.incarnation !== m.incarnation || (known.up && !m.up));
      if (replaced || restarted) {
        nodes.disconnect(m.dbid);
        // The walsender of this instance sees its mirror's connection close at once.
        if (known && known.content === me.content) replicationOf(me.process)?.walsender?.connectionLost();
      }
      if (replaced) {
        const remote: RemoteNode & { meta?: NodeMeta } = {
          kind: 'remote',
          dbid: m.dbid,
          content: m.content,
          host: m.host,
          up: m.up,
          incarnation: m.incarnation,
          retired: m.retired,
          meta: m,
        };
        nodes.add(remote);
      } else {
        known.up = m.up;
        known.retired = m.retired;
        known.host = m.host;
        known.incarnation = m.incarnation;
        known.meta = m;
      }
    }
  }

  async warm(): Promise<void> {
    const p = this.node?.process;
    if (executorOf(p)) this.runtime.modules.segment.prefetch();
    if (coordinatorOf(p)) this.runtime.modules.sessions.prefetch();
  }

  async netFaults(state: FaultState): Promise<void> {
    this.nodes?.faults.restore(state);
  }

  async holds(points: string[]): Promise<void> {
    this.points.held = new Set(points);
  }

  async openSession(utility = false): Promise<number> {
    const code = this.runtime.modules.sessions.pending();
    if (code) await code;
    const { Session: QdSession, UtilitySession } = this.runtime.modules.sessions.now();
    const node = this.mustHaveNode();
    const id = this.nextSession++;
    const qd = coordinatorOf(node.process);
    if (qd) {
      const s = new QdSession(qd, { utility });
      this.sessions.set(id, { query: (sql) => s.query(sql), close: () => s.close() });
      return id;
    }
    const inst = node.up ? instanceOf(node.process) : undefined;
    if (!inst) throw connectionRefused(node.host, node.dbid);
    const u = new UtilitySession(
      inst,
      executorOf(node.process),
      node.content,
      node.dbid,
      this.time.clock,
      node.config?.configValues() ?? this.spec!.settings,
    );
    this.sessions.set(id, { query: (sql) => u.query(sql), close: () => u.close() });
    return id;
  }

  async query(session: number, sql: string): Promise<QueryResult> {
    const s = this.sessions.get(session);
    if (!s) throw sqlError('connection_does_not_exist', 'the session is closed');
    return s.query(sql);
  }

  async closeSession(session: number): Promise<void> {
    const s = this.sessions.get(session);
    this.sessions.delete(session);
    await s?.close();
  }

  async config(): Promise<SegmentConfig[] | undefined> {
    const qd = this.node?.up ? coordinatorOf(this.node.process) : undefined;
    return qd?.config.map((r) => ({ ...r }));
  }

  async setDisk(change: DiskFaultChange): Promise<void> {
    this.mustHaveNode().disk.setFaults(change);
  }

  corruptBlock(file: string, block: number, bit?: number): Promise<void> {
    return flipBit(this.mustHaveNode().disk, file, block, bit);
  }

  async blocks(prefix: string, view: BlockView): Promise<BlockImage[]> {
    const images = blockImages(this.mustHaveNode(), prefix, view);
    return transferResult(
      images,
      images.map((b) => b.bytes.buffer as ArrayBuffer),
    );
  }

  async status(): Promise<ProcessStatus> {
    const n = this.mustHaveNode();
    const p = n.up ? n.process : undefined;
    // A passive mirror of file replication runs no instance, and is up.
    const role = shownRole(n.content, p);
    const inst = instanceOf(p);
    return {
      dbid: n.dbid,
      up: role !== 'down',
      role,
      timeline: inst?.timeline ?? 0,
      flushedLsn: inst?.wal?.flushedLsn ?? 0,
      walsender: replicationOf(n.process)?.walsender?.state,
    };
  }

  async recoverFrom(source: number, mode: RecoveryMode): Promise<RecoveredData> {
    const node = this.mustHaveNode();
    if (node.up) throw new Error(`assertion failed: dbid ${node.dbid} is running; it cannot be recovered`);
    const snap = await this.nodes!.call(node.dbid, source, 'sourceSnapshot', [mode === 'full'], 600_000);
    // The copy's progress, as the inline runtime's gprecoverseg emits it (the lab's progress bar).
    return recoverData(
      snapshotSource(snap, this.time.clock),
      node.disk,
      mode,
      this.time.clock,
      (done, total) => this.emit({ kind: 'recovery.progress', dbid: node.dbid, done, total, type: mode }),
    );
  }

  async runUtility(commandLine: string, files: [string, string][]): Promise<UtilityRun> {
    const self = this.mustHaveNode();
    const map = new Map(files);
    this.cancelRequested = false;
    const host = coordinatorProcessHost({
      nodes: this.nodes!,
      clock: this.time.clock,
      self,
      upcalls: this.host,
      recoveryProgress: this.recoveryProgress,
      cancelled: () => this.cancelRequested,
      knownRows: this.knownRows,
    });
    const code = this.runtime.utilities.pending();
    if (code) await code;
    const { runUtility } = this.runtime.utilities.now();
    const result = await runUtility(host, map, commandLine);
    return { result, files: [...map] };
  }

  async instanceStatus(): Promise<InstanceStatus> {
    return instanceStatus(this.mustHaveNode());
  }

  async setTime(state: TimeState): Promise<void> {
    if (state.now !== undefined) this.time.jumpTo(state.now);
    if (state.paused) this.time.pause();
    else this.time.setSpeed(state.speed);
  }

  async cancelUtility(): Promise<void> {
    this.cancelRequested = true;
  }

  async shutdown(): Promise<void> {
    const node = this.node;
    if (node?.up) await shutdownProcess(node.process);
  }

  async controlData(): Promise<ControlData | undefined> {
    return readControl(this.mustHaveNode().disk);
  }

  dataFile(file: string, text?: string | null): Promise<string | undefined> {
    return dataFileOn(this.mustHaveNode().disk, file, text);
  }

  async reloadConfig(): Promise<NodeReload> {
    return reloadNodeConfig(this.mustHaveNode(), this.ctx?.timeScale ?? 1);
  }

  async showSetting(name: string): Promise<string | undefined> {
    return liveSetting(this.mustHaveNode(), name);
  }

  async promoteSelf(): Promise<void> {
    await standbyOf(this.mustHaveNode().process).promote();
  }

  private mustHaveNode(): InstanceNode {
    if (!this.node) throw new Error('assertion failed: the process has not booted');
    return this.node;
  }

  /** The process ends (an in-thread stand-in for worker.terminate()): everything stops. */
  kill(): void {
    const n = this.node;
    if (n) {
      n.up = false;
      n.fence?.();
      endProcess(n.process);
      n.process = undefined;
    }
    this.nodes?.closeAll();
    for (const s of this.served) s.close();
    this.host.close('the process ended');
  }
}

/** Serves an instance process on `control`, calling the orchestrator over `upcall`. */
export function serveProcess(
  runtime: ProcessRuntime,
  control: PortLike,
  upcall: PortLike,
): { process: InstanceProcess; close(): void } {
  const process = new InstanceProcess(runtime, upcall);
  const served = serveApi<ProcessApi>(control, process);
  return {
    process,
    close: () => {
      process.kill();
      served.close();
    },
  };
}
