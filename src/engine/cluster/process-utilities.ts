/**
 * The management utilities in the worker runtime. They run in the acting coordinator's
 * process, next to the catalog they change, as Greenplum's utilities run on the coordinator
 * host; what they do to other instances (crash, restart, copy, add) goes to the orchestrator,
 * which owns the processes. gpactivatestandby runs in the orchestrator itself: it is the one
 * utility whose coordinator is, by design, gone.
 */
import { sqlError } from '../errors.ts';
import { coordinatorNotRunning } from '../node/session-errors.ts';
import { dataFileOn } from '../instance/config-file.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Link } from '../runtime/link.ts';
import type { SegmentConfig } from '../topology/placement.ts';
import type { ClusterEvent } from '../node/api.ts';
import type { InstanceNode, NodeSet } from '../node/nodes.ts';
import { coordinatorOf } from '../node/process.ts';
import type { HostApi } from './process-protocol.ts';
import type { DataDirectory, StandbyHost } from '../utilities/index.ts';
import type { RecoveryProgress } from '../utilities/host.ts';
import type { RecoveredData, RecoveryMode } from '../utilities/recover-data.ts';

/** What a process's utilities ask of the orchestrator. */
export interface UtilityUpcalls {
  crash(dbid: number): Promise<void>;
  stop(dbid: number, by: string): Promise<void>;
  restart(dbid: number): Promise<void>;
  recover(target: number, source: number, mode: RecoveryMode): Promise<RecoveredData>;
  /** A new instance: a base backup of `backupFrom`, or (null) initdb of an empty one. */
  addInstance(row: SegmentConfig, backupFrom: number | null): Promise<void>;
  /** Stops the instance and forgets it: it leaves the cluster for good. */
  removeInstance(dbid: number): Promise<void>;
  /** A text file in `dbid`'s data directory (the utilities' copy of a file to another host). */
  dataFile(dbid: number, file: string, text?: string | null): Promise<string | undefined>;
  retire(dbid: number): Promise<void>;
  dataDirectories(): Promise<DataDirectory[]>;
  removeDataDirectory(dbid: number, to?: string): Promise<void>;
  reachFor(point: string, dbid: number): Promise<void>;
  event(e: ClusterEvent): Promise<void>;
}

/** Long steps (copies, base backups, restarts with recovery) get the utilities' own limit. */
const LONG = { timeoutMs: 600_000 };

export interface ProcessUtilityContext {
  nodes: NodeSet;
  clock: Clock;
  /** This process's instance (the acting coordinator). */
  self: InstanceNode;
  upcalls: Link<HostApi>;
  recoveryProgress: Map<number, RecoveryProgress>;
  cancelled(): boolean;
  /** Catalog rows as last known, for instances the catalog no longer lists. */
  knownRows: Map<number, SegmentConfig>;
}

/** The host the utilities see inside the coordinator's process. */
export function coordinatorProcessHost(ctx: ProcessUtilityContext): StandbyHost {
  const { nodes, self, upcalls } = ctx;
  const coordinator = () => {
    const qd = self.up ? coordinatorOf(self.process) : undefined;
    if (!qd) throw coordinatorNotRunning(false);
    return qd;
  };
  const rowOf = (dbid: number) =>
    coordinatorOf(self.process)?.config.find((r) => r.dbid === dbid) ?? ctx.knownRows.get(dbid);
  return {
    nodes,
    clock: ctx.clock,
    coordinator,
    stopNode: (n, by) => upcalls.call('stop', [n.dbid, by], LONG),
    restartNode: (n) => upcalls.call('restart', [n.dbid], LONG),
    emit: (e) => void upcalls.call('event', [e as ClusterEvent]).catch(() => undefined),
    reach: (point, dbid) => upcalls.call('reachFor', [point, dbid], { timeoutMs: 86_400_000 }),
    recoveryProgress: ctx.recoveryProgress,
    cancelled: () => ctx.cancelled(),
    recoverData: (target, source, mode) => upcalls.call('recover', [target.dbid, source.dbid, mode], LONG),
    dataFile: (n, file, text) =>
      n === self
        ? dataFileOn(self.disk, file, text)
        : upcalls.call('dataFile', text === undefined ? [n.dbid, file] : [n.dbid, file, text], LONG),
    standby: () => {
      const node = [...nodes.nodes.values()].find((n) => n.content === -1 && !n.retired && n !== self);
      const row = node ? rowOf(node.dbid) : undefined;
      return node && row ? { node, row } : undefined;
    },
    coordinatorNodeIfAny: () => self,
    createStandby: async (row) => {
      ctx.knownRows.set(row.dbid, row);
      await upcalls.call('addInstance', [row, self.dbid], LONG);
      return nodes.get(row.dbid);
    },
    bootStandby: (n) => upcalls.call('restart', [n.dbid], LONG),
    retire: (n) => {
      n.retired = true;
      void upcalls.call('retire', [n.dbid]).catch(() => undefined);
    },
    dataDirectories: () => upcalls.call('dataDirectories', []),
    removeDataDirectory: (dbid, to) =>
      upcalls.call('removeDataDirectory', to === undefined ? [dbid] : [dbid, to]),
    addMirror: async (row) => {
      ctx.knownRows.set(row.dbid, row);
      const primary = coordinator().config.find((r) => r.content === row.content && r.role === 'p');
      if (!primary)
        throw sqlError('object_not_in_prerequisite_state', `no primary for content ${row.content}`);
      await upcalls.call('addInstance', [row, primary.dbid], LONG);
    },
    addPrimary: async (row) => {
      ctx.knownRows.set(row.dbid, row);
      await upcalls.call('addInstance', [row, null], LONG);
    },
    removeInstance: async (n) => {
      ctx.knownRows.delete(n.dbid);
      await upcalls.call('removeInstance', [n.dbid], LONG);
    },
    promoteStandby: async (n) => {
      await nodes.call(self.dbid, n.dbid, 'promote', []);
    },
  };
}
