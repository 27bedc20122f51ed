/**
 * Starting an instance's process by its role in gp_segment_configuration: the coordinator
 * (catalog, DTM, FTS), an acting primary (executor, walsender, FTS answers), or a mirror
 * (standby replay, walreceiver, PROMOTE). Each start is a new incarnation with a fenced view
 * of the node's disk, so a crashed incarnation's leftover work reaches nothing.
 */
import { sqlError } from '../errors.ts';
import { Instance, type StorageSettings } from '../instance/instance.ts';
import { refuseLater, whileAnswering, type Clock, type TraceEvent } from '../runtime/clock.ts';
import type { ClusterEvent } from '../runtime/events.ts';
import { answerTimeoutMs, catchUpTimeoutMs, NO_TIMEOUT_MS } from '../runtime/time-scale.ts';
import type { FaultPoints } from '../runtime/fault-points.ts';
import type { DistributedTxManager } from '../server/dtm.ts';
import { Settings } from '../server/settings.ts';
import { dtxTiming, ftsTiming, nodeContext, primaryTiming, readNodeConfig } from './node-config.ts';
import { PrimaryReplication } from '../replication/primary.ts';
import { mirrorDigests, primaryReplicaCheck } from '../replication/replica-check.ts';
import { MirrorReplication } from '../replication/mirror.ts';
import type { SegmentConfig } from '../topology/placement.ts';
import type { TimelineEntry } from '../wal/segments.ts';
import { formatLsn } from '../storage/lsn.ts';
import { MIRROR_PROBE_ANSWER, type WalStatus } from '../replication/protocol.ts';
import { hasStandbySignal } from '../instance/control.ts';
import { FencedDisk } from './fenced-disk.ts';
import type { RoleModules } from './role-modules.ts';
import { LazySegmentExecutor } from './lazy-executor.ts';
import { SegmentAdmin } from '../server/segment-admin.ts';
import type {
  ClusterNode,
  FileRepPrimaryHandlers,
  InstanceApi,
  InstanceNode,
  MirrorHandlers,
  NodeSet,
  PrimaryHandlers,
} from './nodes.ts';
import { copyHandlers, replicationOf } from './process.ts';
import type { SegmentApi } from '../server/protocol.ts';
import {
  fileRepPrimaryDisk,
  fileRepPrimaryHandlers,
  serveFileRepMirror,
  type FileRepPrimary,
} from './filerep-boot.ts';

export interface BootContext {
  nodes: NodeSet;
  clock: Clock;
  points: FaultPoints;
  storage: Partial<StorageSettings>;
  gucs: Settings;
  settings: Record<string, string | number | boolean>;
  timeScale: number;
  emit(e: ClusterEvent): void;
  onPanic(node: InstanceNode): void;
  /**
   * The running process now serves another role (a mirror promoted, a standby activated): the
   * worker runtime's orchestrator is told so, rather than reading it from the events.
   */
  roleChanged(node: InstanceNode, role: 'primary' | 'coordinator'): void;
  /** The current catalog row of a dbid (from the running coordinator, else the initial plan). */
  roleOf(dbid: number): SegmentConfig | undefined;
  initialConfig: SegmentConfig[];
  /** Segments mirror by Greenplum 5 file replication instead of WAL streaming. */
  fileRep?: boolean;
  /** How gpstart starts the coordinator this time (-m utility mode, -R restricted). */
  coordinatorStart?: CoordinatorStart;
  /** The code of each role, linked in or loaded on first need (role-modules.ts). */
  modules: RoleModules;
}

/** gpstart -m: utility mode (no FTS, no dispatch, utility connections only); -R: restricted. */
export interface CoordinatorStart {
  utilityOnly?: boolean;
  restricted?: boolean;
}

export function processGone(): Error {
  return sqlError('admin_shutdown', 'terminating connection due to administrator command', {
    detail: 'The instance this work belonged to has crashed.',
  });
}

/** Starts the node's process: crash recovery, then the role the catalog gives it. */
export async function bootNode(shared: BootContext, node: InstanceNode, fresh: boolean): Promise<void> {
  const incarnation = ++node.incarnation;
  delete node.refused;
  // The instance runs with its own postgresql.conf (gpconfig edits it; a reload re-reads it).
  const file = await readNodeConfig(node.disk, shared.settings);
  const start = node.content === -1 ? shared.coordinatorStart : undefined;
  // -R: every connection slot is reserved for superusers (pg_ctl -o "-c superuser_reserved_connections=N").
  const gucs = new Settings({
    config: start?.restricted
      ? {
          ...file,
          superuser_reserved_connections: new Settings({ config: file }).get<number>('max_connections'),
        }
      : file,
  });
  node.config = gucs;
  const ctx = nodeContext(shared, gucs);
  const alive = () => node.up && node.incarnation === incarnation;
  const trace = (e: TraceEvent) => {
    if (node.incarnation === incarnation) ctx.emit({ ...e, dbid: node.dbid });
  };
  const disk = new FencedDisk(node.disk);
  node.fence = () => disk.fence();
  node.process = undefined;
  const call = <K extends keyof InstanceApi>(
    to: number,
    method: K,
    args: Parameters<InstanceApi[K]>,
    timeoutMs?: number,
    transfer?: ArrayBuffer[],
  ) =>
    alive()
      ? ctx.nodes.call(node.dbid, to, method, args, timeoutMs, transfer)
      : refuseLater(ctx.clock, processGone());
  // A panic of an incarnation already gone (work it left running) must not kill the current one.
  const onPanic = () => {
    if (alive()) ctx.onPanic(node);
  };
  const rt = { disk, clock: ctx.clock, trace, onPanic };
  const row = ctx.roleOf(node.dbid);

  // A coordinator instance runs as the standby while standby.signal is on its disk (as in
  // Postgres): an activated standby restarted before anyone reread the catalog is the coordinator.
  // Waits for a role's code only when it is not loaded yet: linked in, nothing changes order.
  const coordinatorCode = node.content === -1 ? ctx.modules.coordinator.pending() : undefined;
  if (coordinatorCode) await coordinatorCode;
  if (node.content === -1 && (row?.role !== 'm' || !hasStandbySignal(node.disk))) {
    const dtm = new (ctx.modules.coordinator.now().DistributedTxManager)(String(ctx.clock.now()));
    const inst = await Instance.start(rt, ctx.storage, dtm.redoExtensions());
    node.process = { role: 'starting', inst, handlers: {} };
    await startCoordinator(ctx, node, inst, dtm, fresh, call, trace);
    ctx.emit({ kind: 'instance.up', dbid: node.dbid, role: 'coordinator', recovery: inst.recovery });
    return;
  }

  if (node.content === -1) {
    // The standby coordinator: replays the coordinator's WAL, its DTM state included.
    const dtm = new (ctx.modules.coordinator.now().DistributedTxManager)(String(ctx.clock.now()));
    const inst = await Instance.startStandby(rt, ctx.storage, dtm.redoExtensions());
    node.process = { role: 'starting', inst, handlers: {} };
    const mirror = new MirrorReplication(inst, async () => {
      await startCoordinator(ctx, node, inst, dtm, false, call, trace, mirror);
      ctx.roleChanged(node, 'coordinator');
      ctx.emit({ kind: 'standby.activated', dbid: node.dbid, timeline: inst.timeline });
    });
    serveAsMirror(node, inst, mirror, ctx);
    ctx.emit({ kind: 'instance.up', dbid: node.dbid, role: 'standby', recovery: inst.recovery });
    return;
  }

  if (ctx.fileRep) {
    await bootFileRepSegment(ctx, node, disk, row?.role === 'm', fresh, call, alive);
    return;
  }

  if (row?.role === 'm' && !hasStandbySignal(node.disk)) {
    // A former primary: without standby.signal it cannot follow the new primary's timeline.
    node.incarnation++;
    node.refused =
      'no standby.signal: a former primary must be recovered with gprecoverseg before it can run as a mirror';
    ctx.emit({ kind: 'instance.refused', dbid: node.dbid, reason: node.refused });
    return;
  }

  // standby.signal still on disk under a primary's row: a promotion that never became durable
  // (the instance crashed first). As in Postgres it starts as a standby again; FTS, finding a
  // primary that answers as a mirror, sends PROMOTE again.
  if (row?.role === 'm' || hasStandbySignal(node.disk)) {
    const inst = await Instance.startStandby(rt, ctx.storage);
    node.process = { role: 'starting', inst, handlers: {} };
    const mirror = new MirrorReplication(inst, async () => {
      // Promoted: this incarnation now serves as the content's primary.
      const segmentCode = ctx.modules.segment.pending();
      if (segmentCode) await segmentCode;
      becomePrimary(ctx, node, inst, call);
      ctx.roleChanged(node, 'primary');
      ctx.emit({ kind: 'instance.promoted', dbid: node.dbid, timeline: inst.timeline });
    });
    serveAsMirror(node, inst, mirror, ctx);
    ctx.emit({ kind: 'instance.up', dbid: node.dbid, role: 'mirror', recovery: inst.recovery });
    return;
  }

  // The executor starts on the first statement dispatched here (lazy-executor.ts).
  const inst = await Instance.start(rt, ctx.storage);
  node.process = { role: 'starting', inst, handlers: {} };
  node.up = true;
  becomePrimary(ctx, node, inst, call);
  ctx.emit({ kind: 'instance.up', dbid: node.dbid, role: 'primary', recovery: inst.recovery });
}

/**
 * A segment in file replication. A mirror (whatever is on its disk: a former primary too) runs
 * passive until its primary connects; a primary starts in Change Tracking, Synchronized only
 * once a resynchronization has connected its mirror.
 */
async function bootFileRepSegment(
  ctx: BootContext,
  node: InstanceNode,
  disk: FencedDisk,
  asMirror: boolean,
  fresh: boolean,
  call: Call,
  alive: () => boolean,
): Promise<void> {
  const onPanic = () => {
    if (alive()) ctx.onPanic(node);
  };
  if (asMirror) {
    serveFileRepMirror(
      ctx,
      node,
      disk,
      (inst, fr) => {
        // Until it serves as the primary its instance is this process's (a crash kills it).
        if (node.process?.role === 'filerep-mirror') node.process = { ...node.process, inst };
        // Its load began with the promotion (filerep-boot.ts).
        const segmentCode = ctx.modules.segment.pending();
        if (!segmentCode) return becomePrimary(ctx, node, inst, call, fr);
        return segmentCode.then(() => becomePrimary(ctx, node, inst, call, fr));
      },
      onPanic,
    );
    ctx.emit({ kind: 'instance.up', dbid: node.dbid, role: 'mirror', recovery: undefined });
    return;
  }
  const mirrored = !!ctx.nodes.mirrorOf(node);
  const fr: FileRepPrimary = { disk: fileRepPrimaryDisk(disk, { mirrorless: !mirrored }) };
  const inst = await Instance.start(
    { disk: fr.disk, clock: ctx.clock, trace: (e) => ctx.emit({ ...e, dbid: node.dbid }), onPanic },
    ctx.storage,
  );
  node.process = { role: 'starting', inst, handlers: {} };
  // Restarted, it cannot know whether its mirror took over meanwhile: commits wait for FTS.
  if (mirrored && !fresh) fr.disk.holdForFts();
  node.up = true;
  becomePrimary(ctx, node, inst, call, fr);
  ctx.emit({ kind: 'instance.up', dbid: node.dbid, role: 'primary', recovery: inst.recovery });
}

/**
 * The coordinator's process: catalog, DTM, FTS, and a walsender to the standby. After a
 * standby activation (`promotedFrom`: its walreceiver side) the catalog is rewritten first: the
 * old coordinator's row goes, the standby's becomes the primary coordinator, keeping its dbid.
 */
async function startCoordinator(
  ctx: BootContext,
  node: InstanceNode,
  inst: Instance,
  dtm: DistributedTxManager,
  fresh: boolean,
  call: Call,
  trace: (e: TraceEvent) => void,
  promotedFrom?: MirrorReplication,
): Promise<void> {
  const activated = promotedFrom !== undefined;
  const utilityOnly = !!ctx.coordinatorStart?.utilityOnly;
  // Catalog WAL streams to the standby, when one is configured (not in utility mode). Until a
  // standby is attached its commits wait for nothing.
  const replication = utilityOnly
    ? undefined
    : new PrimaryReplication(inst, ctx.clock, primaryTiming(ctx.gucs, ctx.timeScale), {
        coordinator: true,
        walsenderHold: () => ctx.points.reach('wal_sender_loop', node.dbid),
      });
  const qd = new (ctx.modules.coordinator.now().Coordinator)({
    inst,
    replication,
    dtm,
    clock: ctx.clock,
    trace,
    callSegment: (dbid, m, a, t) => call(dbid, m, a, t),
    settings: ctx.settings,
    connectTimeoutMs: answerTimeoutMs(ctx.gucs.get<number>('gp_segment_connect_timeout'), ctx.timeScale),
    timeScale: ctx.timeScale,
    dtxTiming: dtxTiming(ctx.gucs, ctx.timeScale),
    fileRep: !!ctx.fileRep,
    utilityOnly,
    fts: {
      transport: {
        probe: (dbid, t) => call(dbid, 'ftsProbe', [], t),
        syncRepOff: (dbid, t) => call(dbid, 'ftsSyncRepOff', [], t),
        promote: (dbid, t) => call(dbid, 'promote', [], t),
      },
      timing: ftsTiming(ctx.gucs, ctx.timeScale),
      skip: () => ctx.points.isHeld('fts_probe', node.dbid),
    },
  });
  if (fresh) await qd.catalog.bootstrap(ctx.initialConfig, ctx.clock.now());
  await qd.open();
  if (activated) {
    const tx = inst.xact.begin();
    for (const c of qd.config.filter((r) => r.content === -1 && r.dbid !== node.dbid))
      await qd.catalog.removeSegment(tx, c.dbid);
    const me = qd.config.find((r) => r.dbid === node.dbid);
    // Without a standby of its own it is not syncing: mode n, as the coordinator row always shows.
    if (me) await qd.catalog.updateSegment(tx, { ...me, role: 'p', preferred_role: 'p', mode: 'n' });
    await inst.xact.commit(tx);
    await qd.refreshConfig();
    qd.configVersion++;
  }
  node.process = {
    role: 'coordinator',
    inst,
    qd,
    handlers: copyHandlers(node),
    ...(promotedFrom ? { promotedFrom } : {}),
  };
  node.up = true;
  // gpstart -m: gp_role=utility. No FTS, no DTX recovery, no dispatch, no standby stream:
  // only utility-mode connections, to its own catalog, until gpstop -m.
  if (qd.utilityOnly) return;
  qd.fts?.start();
  // An activated standby has no standby of its own: the old coordinator is out of the catalog.
  const standby = activated ? undefined : ctx.nodes.mirrorOf(node);
  if (standby) attachStandby(ctx, node, standby, call);
  // DTX recovery runs beside the sessions, FTS and the walsender (a COMMIT PREPARED it sends
  // may wait for sync rep until FTS turns it off): in-doubt transactions are finished on the
  // segments; startup waits for its first pass, at most gp_segment_connect_timeout.
  await qd.startDtxRecovery(!fresh);
}

/**
 * Points a primary's (or the coordinator's) walsender at its mirror (or standby). A mirror that
 * stays silent past wal_sender_timeout (scaled) is given up on, as a broken connection.
 */
export function attachStandby(ctx: BootContext, node: InstanceNode, standby: ClusterNode, call?: Call): void {
  const c: Call = call ?? ((to, m, a, t) => ctx.nodes.call(node.dbid, to, m, a, t));
  // wal_sender_timeout (the sender's own setting, read on every send so that a reload takes
  // effect) bounds how long the mirror may stay silent, as in Postgres, where the walreceiver
  // answers the sender's keepalives (every half of it) while its flush is under way. Here a
  // mirror busy flushing a large batch to a slow disk (IndexedDB under a bulk load on every
  // instance at once) answers 'identify' meanwhile; one that does not is given up on. The flush
  // itself is bounded by the unscaled value. At 0 the sender never gives up, and still pings as
  // the default would, to find a batch lost on a cut that has healed.
  const setting = (): number => (node.config ?? ctx.gucs).get<number>('wal_sender_timeout');
  const silence = (): number => answerTimeoutMs(setting() > 0 ? setting() : 60_000, ctx.timeScale);
  const flushBound = (): number => (setting() > 0 ? Math.max(setting(), silence()) : NO_TIMEOUT_MS);
  const identify = (): Promise<WalStatus & { systemIdentifier: string }> =>
    c(standby.dbid, 'identify', [], silence());
  // The stream belongs to this pair: once the standby is retired, or its dbid names another
  // instance (Greenplum reuses the lowest free dbid: gpaddmirrors after an activation hands
  // the old coordinator's dbid to a mirror), this walsender no longer reaches anything.
  const ours = <T>(work: () => Promise<T>): Promise<T> =>
    standby.retired || ctx.nodes.nodes.get(standby.dbid) !== standby
      ? Promise.reject(
          sqlError('connection_failure', 'could not connect to server: Connection refused', {
            detail: `dbid ${standby.dbid} is no longer this instance's mirror`,
          }),
        )
      : work();
  replicationOf(node.process)?.attachMirror({
    identify: () => ours(identify),
    receiveWal: (start, data, history) =>
      ours(() => {
        // (Read before the call: a worker link transfers the buffer, which leaves it empty.)
        const end = start + data.byteLength;
        const send = c(standby.dbid, 'receiveWal', [start, data, history], flushBound());
        // Where the flush may take no longer than the silence allowed (real time: the timeout is
        // Greenplum's own), the call's deadline is the keepalive already.
        if (flushBound() <= silence()) return send;
        return whileAnswering(
          send,
          // Messages arrive in order and a mirror takes the bytes in as they come: once it has
          // answered a later message, it has them, unless they were lost on the way; once it
          // has flushed them, that is the call's outcome, even if its reply is what was lost.
          () =>
            identify().then(({ timeline, written, flushed, replayed }) =>
              written < end
                ? 'lost'
                : flushed >= end
                  ? { done: { timeline, written, flushed, replayed } }
                  : 'working',
            ),
          {
            everyMs: silence() / 2,
            giveUp: setting() > 0,
            lost: () =>
              sqlError('connection_failure', 'could not receive data from WAL stream: connection reset', {
                detail: `dbid ${standby.dbid} answers but never got the WAL sent from ${formatLsn(start)}`,
              }),
          },
          ctx.clock,
        );
      }),
  });
}

/**
 * A mirror or standby serves its walreceiver, PROMOTE, and FTS probes, which it answers as a
 * mirror: FTS probing a primary of its catalog that answers so sends PROMOTE again (a PROMOTE
 * that was lost, or that reached an instance down at the time and since restarted).
 */
function serveAsMirror(
  node: InstanceNode,
  inst: Instance,
  mirror: MirrorReplication,
  ctx: BootContext,
): void {
  const handlers: MirrorHandlers = {
    replicaDigests: (checkpoint: number) =>
      mirrorDigests(
        inst,
        ctx.clock,
        checkpoint,
        catchUpTimeoutMs(ctx.gucs.getScaledMs('gp_segment_connect_timeout', 1), ctx.timeScale),
      ),
    identify: () => mirror.identify(),
    receiveWal: (start: number, data: ArrayBuffer, history: TimelineEntry[]) =>
      mirror.receiveWal(start, data, history),
    promote: () => {
      // A segment's executor code loads (in a worker) while the promotion runs.
      if (node.content >= 0) ctx.modules.segment.prefetch();
      return mirror.promote();
    },
    ftsProbe: async () => MIRROR_PROBE_ANSWER,
    // Refused until its promotion has ended recovery (a copy reads a primary).
    ...copyHandlers(node),
  };
  node.process = { role: node.content === -1 ? 'standby' : 'mirror', inst, mirror, handlers };
  node.up = true;
}

/** The segment executor's API, served as it is (each method bound to this incarnation's executor). */
function segmentHandlers(qe: SegmentApi): SegmentApi {
  return {
    execSlice: (req) => qe.execSlice(req),
    receiveRows: (queryId, sliceId, from, rows) => qe.receiveRows(queryId, sliceId, from, rows),
    insertRows: (req) => qe.insertRows(req),
    endQuery: (queryId) => qe.endQuery(queryId),
    cancelQuery: (queryId, code, message) => qe.cancelQuery(queryId, code, message),
    createStorage: (dtx, relfilenode) => qe.createStorage(dtx, relfilenode),
    dropStorage: (dtx, relfilenode) => qe.dropStorage(dtx, relfilenode),
    buildIndex: (dtx, table, index) => qe.buildIndex(dtx, table, index),
    prepare: (gxid, gid) => qe.prepare(gxid, gid),
    commitPrepared: (gid) => qe.commitPrepared(gid),
    abortPrepared: (gid) => qe.abortPrepared(gid),
    commitOnePhase: (gxid) => qe.commitOnePhase(gxid),
    resolveOnePhase: (gxid) => qe.resolveOnePhase(gxid),
    abortDtx: (gxid) => qe.abortDtx(gxid),
    rollbackToSavepoint: (gxid, from, to, ranHere) => qe.rollbackToSavepoint(gxid, from, to, ranHere),
    listPrepared: () => qe.listPrepared(),
    checkpoint: () => qe.checkpoint(),
    relationSize: (relfilenode) => qe.relationSize(relfilenode),
    ping: () => qe.ping(),
    replicationStatus: () => qe.replicationStatus(),
  };
}

export type Call = <K extends keyof InstanceApi>(
  to: number,
  method: K,
  args: Parameters<InstanceApi[K]>,
  timeoutMs?: number,
  /** Buffers in `args` to transfer, not copy (a Motion's packed rows). */
  transfer?: ArrayBuffer[],
) => Promise<Awaited<ReturnType<InstanceApi[K]>>>;

function becomePrimary(
  ctx: BootContext,
  node: InstanceNode,
  inst: Instance,
  call: Call,
  fileRep?: FileRepPrimary,
): void {
  const executor = (replication: PrimaryReplication | undefined) => {
    const options = { faults: ctx.points, dbid: node.dbid, replication };
    return new LazySegmentExecutor(
      new SegmentAdmin(inst, node.content, options),
      ctx.modules.segment,
      ({ SegmentExecutor }) =>
        new SegmentExecutor(
          inst,
          node.content,
          ctx.clock,
          (dbid, queryId, sliceId, from, rows, transfer) =>
            call(dbid, 'receiveRows', [queryId, sliceId, from, rows], undefined, transfer),
          options,
        ),
    );
  };
  if (fileRep) {
    // No walsender: the disk replicates itself.
    const qe = executor(undefined);
    const handlers: FileRepPrimaryHandlers = {
      ...segmentHandlers(qe),
      ...copyHandlers(node),
      ...fileRepPrimaryHandlers(ctx, node, fileRep, call),
    };
    node.process = { role: 'filerep-primary', inst, qe, fileRep, handlers };
    return;
  }
  const repl = new PrimaryReplication(inst, ctx.clock, primaryTiming(ctx.gucs, ctx.timeScale), {
    walsenderHold: () => ctx.points.reach('wal_sender_loop', node.dbid),
  });
  const qe = executor(repl);
  const handlers: PrimaryHandlers = {
    ...segmentHandlers(qe),
    ...copyHandlers(node),
    ftsProbe: () => repl.ftsProbe(),
    replicaCheck: async () => {
      const mirror = ctx.nodes.mirrorOf(node);
      if (!mirror)
        throw sqlError('object_not_in_prerequisite_state', `content ${node.content} has no mirror`);
      const bound = 2 * ctx.gucs.getScaledMs('gp_segment_connect_timeout', ctx.timeScale);
      const result = await primaryReplicaCheck(
        inst,
        ctx.clock,
        { primary: node.dbid, mirror: mirror.dbid },
        (at) => call(mirror.dbid, 'replicaDigests', [at], bound),
      );
      repl.lastReplicaCheck = result;
      return result;
    },
    ftsSyncRepOff: () => repl.ftsSyncRepOff(),
    promote: async () => ({ isRoleMirror: false }),
  };
  node.process = { role: 'primary', inst, qe, repl, handlers };
  // Stream to this content's mirror, if it has one.
  const mirror = ctx.nodes.mirrorOf(node);
  if (mirror) attachStandby(ctx, node, mirror, call);
}
