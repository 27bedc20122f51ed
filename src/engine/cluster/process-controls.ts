/**
 * The worker runtime's controls that act on the orchestrator's view of the processes: cluster
 * time (every process's clock follows), the host utilities use when no coordinator runs
 * (gpactivatestandby), and what it serves to each process.
 */
import { sqlError } from '../errors.ts';
import { coordinatorNotRunning } from '../node/session-errors.ts';
import { ControllableClock, type TimeControl } from '../runtime/controllable-clock.ts';
import type { RunOptions } from '../node/api.ts';
import type { MaintenanceHost } from '../utilities/index.ts';
import { DEFAULT_TIME_SCALE } from './cluster.ts';
import { NodeSet, type ClusterNode, type RemoteNode } from '../node/nodes.ts';
import type { ProcessCluster, Proc } from './process-cluster.ts';
import type { HostApi } from './process-protocol.ts';
import { transferResult } from '../runtime/comlink-link.ts';
import { globalMessageChannel } from '../runtime/link-endpoint.ts';
import type { TimeState } from './process-protocol.ts';

/** The instances as the orchestrator sees them, for utilities run here (no catalog access). */
export function orchestratorHost(c: ProcessCluster, options: RunOptions): MaintenanceHost {
  const nodes = new NodeSet(c.clock, (e) => c.emit(e));
  const nodeOf = new Map<ClusterNode, Proc>();
  for (const p of c.procs.values()) {
    const n: RemoteNode = {
      kind: 'remote',
      dbid: p.meta.dbid,
      content: p.meta.content,
      host: p.meta.host,
      up: p.meta.up,
      incarnation: p.meta.incarnation,
      retired: p.meta.retired,
    };
    nodes.add(n);
    nodeOf.set(n, p);
  }
  const all = () => [...nodeOf.entries()];
  const acting = () =>
    all().find(([n, p]) => n.content === -1 && !n.retired && p.role === 'coordinator' && p.meta.up)?.[0] ??
    all().find(([n, p]) => n.content === -1 && !n.retired && p.meta.row.role === 'p')?.[0];
  const refresh = (n: ClusterNode) => {
    const p = nodeOf.get(n)!;
    n.up = p.meta.up;
    n.retired = p.meta.retired;
  };
  return {
    catalog: async () => {
      const rows = await c.currentConfig();
      for (const [n] of all()) refresh(n);
      return rows;
    },
    shutdownNode: async (n, mode, by) => {
      const p = nodeOf.get(n)!;
      if (!p.meta.up) return refresh(n);
      if (mode !== 'immediate')
        await p.control?.call('shutdown', [], { timeoutMs: 600_000 }).catch(() => undefined);
      await c.stop(n.dbid, by);
      refresh(n);
    },
    userSessions: () => c.userSessions(),
    requestProbe: async () => {
      await c.query('select gp_request_fts_probe_scan()');
    },
    reachable: (from, to) => !c.net.isCut(from, to),
    msPerClusterSecond: 1000 / (c.options.timeScale ?? DEFAULT_TIME_SCALE),
    dataFile: (n, file, text) => c.dataFile(n.dbid, file, text),
    controlData: (n) => c.controlData(n.dbid),
    reloadConfig: async (n) => {
      const p = nodeOf.get(n)!;
      if (!p.meta.up || !p.control) return { applied: [], pendingRestart: [], errors: [] };
      return p.control.call('reloadConfig', []);
    },
    showSetting: async (n, name) => {
      const p = nodeOf.get(n)!;
      return p.meta.up && p.control ? p.control.call('showSetting', [name]) : undefined;
    },
    nodes,
    clock: c.clock,
    coordinator: () => {
      throw coordinatorNotRunning(false);
    },
    stopNode: async (n, by) => {
      await c.stop(n.dbid, by);
      refresh(n);
    },
    restartNode: async (n, how) => {
      await c.restart(n.dbid, how);
      refresh(n);
    },
    emit: (e) => c.emit(e),
    reach: (point, dbid) => c.points.reach(point, dbid),
    recoveryProgress: new Map(),
    cancelled: () => options.signal?.aborted === true,
    recoverData: (t, src, mode) => c.recover(t.dbid, src.dbid, mode),
    standby: () => {
      const coord = acting();
      const entry = all().find(([n]) => n.content === -1 && !n.retired && n !== coord);
      return entry ? { node: entry[0], row: entry[1].meta.row } : undefined;
    },
    coordinatorNodeIfAny: () => acting(),
    createStandby: async (row) => {
      await c.addInstance(row, acting()!.dbid);
      return nodes.get(row.dbid);
    },
    bootStandby: async (n) => {
      await c.restart(n.dbid);
      refresh(n);
    },
    retire: (n) => {
      n.retired = true;
      c.mustGet(n.dbid).meta.retired = true;
      void c.broadcastPeers();
    },
    dataDirectories: async () => c.directoriesOnHosts(),
    removeDataDirectory: (dbid, to) => c.removeDataDirectory(dbid, to),
    addMirror: async () => {
      throw coordinatorNotRunning(false);
    },
    addPrimary: async () => {
      throw coordinatorNotRunning(false);
    },
    removeInstance: async () => {
      throw coordinatorNotRunning(false);
    },
    promoteStandby: async (n) => {
      await c.mustGet(n.dbid).control?.call('promoteSelf', []);
      const p = c.mustGet(n.dbid);
      p.role = 'coordinator';
      p.meta.row = { ...p.meta.row, role: 'p', preferred_role: 'p' };
    },
  };
}

export function processTime(c: ProcessCluster): TimeControl {
  // The orchestrator's copy of the processes' clock, moved as they are told to move theirs.
  const mirror = new ControllableClock(c.clock);
  const set = (state: TimeState) => {
    c.timeState = state;
    if (state.paused) mirror.pause();
    else mirror.setSpeed(state.speed);
    for (const p of c.live()) void p.control!.call('setTime', [state]).catch(() => undefined);
  };
  const state = () => c.timeState;
  return {
    get speed() {
      return state().paused ? 0 : state().speed;
    },
    get paused() {
      return state().paused;
    },
    pause: () => set({ ...c.timeState, paused: true }),
    resume: () => set({ ...c.timeState, paused: false }),
    setSpeed: (speed) => {
      if (!(speed > 0)) throw new Error(`assertion failed: speed must be > 0, got ${speed}`);
      set({ paused: false, speed });
    },
    now: () => mirror.now(),
  };
}

export function targets(c: ProcessCluster, t: number | string): Proc[] {
  if (typeof t === 'number') return [c.mustGet(t)];
  const list = [...c.procs.values()].filter((p) => p.meta.host === t && !p.meta.retired);
  if (!list.length) throw sqlError('undefined_object', `no instance or host named "${t}"`);
  return list;
}

/** What the orchestrator serves to one process (incarnation): ports, events, panics, utility requests. */
export function upcallsFor(c: ProcessCluster, p: Proc, incarnation: number): HostApi {
  const current = () => p.meta.incarnation === incarnation && p.meta.up !== undefined;
  return {
    portTo: async (to) => {
      const target = c.procs.get(to);
      if (!current() || !target?.control || !target.meta.up)
        throw sqlError('connection_failure', 'could not connect to server: Connection refused', {
          detail: `Is the server running (dbid ${to})?`,
        });
      const Channel = globalMessageChannel();
      const ch = new Channel();
      await target.control.call('accept', [p.meta.dbid, ch.port1], {
        transfer: [ch.port1 as unknown as ArrayBuffer],
      });
      return transferResult(ch.port2, [ch.port2 as unknown as ArrayBuffer]);
    },
    event: async (e) => {
      if (!current()) return;
      c.emit(e);
    },
    roleChanged: async (role) => {
      if (current()) p.role = role;
    },
    panic: async () => {
      if (current()) await c.crash(p.meta.dbid);
    },
    reach: (point) => c.points.reach(point, p.meta.dbid),
    reachFor: async (point, dbid) => {
      await c.points.reach(point, dbid);
      // Ctrl-C while the utility was held: it must see the cancel before it goes on.
      if (c.runSignal?.aborted) await p.control?.call('cancelUtility', []).catch(() => undefined);
    },
    crash: (dbid) => c.crash(dbid),
    stop: (dbid, by) => c.stop(dbid, by),
    restart: (dbid) => c.restart(dbid),
    recover: (target, source, mode) => c.recover(target, source, mode),
    addInstance: (row, backupFrom) => c.addInstance(row, backupFrom),
    removeInstance: (dbid) => c.removeInstance(dbid),
    dataFile: (dbid, file, text) => c.dataFile(dbid, file, text),
    retire: async (dbid) => {
      c.mustGet(dbid).meta.retired = true;
      await c.broadcastPeers();
    },
    dataDirectories: async () => c.directoriesOnHosts(),
    removeDataDirectory: (dbid, to) => c.removeDataDirectory(dbid, to),
  };
}
