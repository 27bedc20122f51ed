/**
 * What an instance's process is, by the role it serves now. Each role holds exactly the parts
 * it runs (a coordinator its catalog and DTM, a primary its executor and walsender, a mirror its
 * walreceiver) and the methods it serves, typed against the instance API, so that code reaching
 * for a part another role has does not compile.
 */
import { sqlError } from '../errors.ts';
import type { Instance } from '../instance/instance.ts';
import type { Coordinator } from '../server/coordinator.ts';
import type { LazySegmentExecutor } from './lazy-executor.ts';
import type { PrimaryReplication } from '../replication/primary.ts';
import type { MirrorReplication } from '../replication/mirror.ts';
import type { FileRepMirror } from '../filerep/mirror.ts';
import type { FileRepPrimary } from './filerep-boot.ts';
import { takeSnapshot } from '../replication/copy-source.ts';
import { transferResult } from '../runtime/comlink-link.ts';
import type {
  CopyApi,
  CoordinatorHandlers,
  FileRepMirrorHandlers,
  FileRepPrimaryHandlers,
  InstanceApi,
  MirrorHandlers,
  PrimaryHandlers,
} from './nodes.ts';

/** Crash recovery or startup under way: the instance exists, it serves nothing yet. */
export interface StartingProcess {
  readonly role: 'starting';
  readonly inst: Instance;
  readonly handlers: NoHandlers;
}

/** The coordinator: catalog, DTM, FTS, dispatch; its walsender streams to the standby. */
export interface CoordinatorProcess {
  readonly role: 'coordinator';
  readonly inst: Instance;
  readonly qd: Coordinator;
  readonly handlers: CoordinatorHandlers;
  /** An activated standby's walreceiver side: a repeated activation joins the one it ran. */
  readonly promotedFrom?: MirrorReplication;
}

/** The standby coordinator: replays the coordinator's WAL, serves its walreceiver. */
export interface StandbyProcess {
  readonly role: 'standby';
  readonly inst: Instance;
  readonly mirror: MirrorReplication;
  readonly handlers: MirrorHandlers;
}

/** A segment's acting primary with WAL replication. */
export interface PrimaryProcess {
  readonly role: 'primary';
  readonly inst: Instance;
  readonly qe: LazySegmentExecutor;
  readonly repl: PrimaryReplication;
  readonly handlers: PrimaryHandlers;
}

/** A segment's mirror with WAL replication: standby replay, walreceiver, PROMOTE. */
export interface MirrorProcess {
  readonly role: 'mirror';
  readonly inst: Instance;
  readonly mirror: MirrorReplication;
  readonly handlers: MirrorHandlers;
}

/** A segment's acting primary in file replication: its disk replicates itself. */
export interface FileRepPrimaryProcess {
  readonly role: 'filerep-primary';
  readonly inst: Instance;
  readonly qe: LazySegmentExecutor;
  readonly fileRep: FileRepPrimary;
  readonly handlers: FileRepPrimaryHandlers;
}

/** A passive file-replication mirror: it applies blocks, and runs no instance until promoted. */
export interface FileRepMirrorProcess {
  readonly role: 'filerep-mirror';
  readonly mirror: FileRepMirror;
  readonly handlers: FileRepMirrorHandlers;
  /** The instance its promotion started, while the executor's code still loads. */
  readonly inst: Instance | undefined;
}

export type RunningProcess =
  | StartingProcess
  | CoordinatorProcess
  | StandbyProcess
  | PrimaryProcess
  | MirrorProcess
  | FileRepPrimaryProcess
  | FileRepMirrorProcess;

/** A process that serves nothing yet. */
export type NoHandlers = Partial<Record<keyof InstanceApi, never>>;

/** The instance the process runs (a passive file-replication mirror runs none). */
export function instanceOf(p: RunningProcess | undefined): Instance | undefined {
  return p?.inst;
}

export function coordinatorOf(p: RunningProcess | undefined): Coordinator | undefined {
  return p?.role === 'coordinator' ? p.qd : undefined;
}

/** The segment executor of an acting primary (started on its first statement). */
export function executorOf(p: RunningProcess | undefined): LazySegmentExecutor | undefined {
  return p?.role === 'primary' || p?.role === 'filerep-primary' ? p.qe : undefined;
}

/** The walsender side of a primary or of the coordinator (none in utility mode). */
export function replicationOf(p: RunningProcess | undefined): PrimaryReplication | undefined {
  if (p?.role === 'primary') return p.repl;
  if (p?.role === 'coordinator') return p.qd.replication;
  return undefined;
}

/** The process dies: its timers and background work stop, its memory is dropped. */
export function endProcess(p: RunningProcess | undefined): void {
  if (!p) return;
  if (p.role === 'coordinator') p.qd.fts?.stop();
  replicationOf(p)?.stop();
  instanceOf(p)?.kill();
  executorOf(p)?.reset();
}

/** The walreceiver side of a standby coordinator, which gpactivatestandby promotes. */
export function standbyOf(p: RunningProcess | undefined): MirrorReplication {
  if (p?.role === 'standby') return p.mirror;
  // Activated already (its DTX recovery may still run): promote() joins what it did.
  if (p?.role === 'coordinator' && p.promotedFrom) return p.promotedFrom;
  throw sqlError('object_not_in_prerequisite_state', 'this instance is not a standby');
}

/** The instance a copy (base backup, pg_rewind's source) reads: a running primary's. */
export function copySource(p: RunningProcess | undefined, dbid: number): Instance {
  const inst = instanceOf(p);
  if (!inst || inst.standby)
    throw sqlError('object_not_in_prerequisite_state', `dbid ${dbid} is not a running primary`);
  return inst;
}

/**
 * A primary or coordinator serves copies of its files; so does a mirror once its promotion has
 * ended recovery, before it serves as a primary (its executor's code may still be loading).
 */
export function copyHandlers(node: { dbid: number; process: RunningProcess | undefined }): CopyApi {
  return {
    sourceSnapshot: async (forBackup) => {
      const snap = await takeSnapshot(copySource(node.process, node.dbid), forBackup);
      // Transferred, not copied, to the caller (another worker).
      return transferResult(
        snap,
        snap.files.map((f) => f.data),
      );
    },
  };
}

/** pg_ctl stop -m smart/fast: a running coordinator or primary shuts down cleanly first. */
export async function shutdownProcess(p: RunningProcess | undefined): Promise<void> {
  const inst = instanceOf(p);
  if (!inst || inst.standby) return;
  if (p?.role === 'coordinator') p.qd.fts?.stop();
  await inst.shutdown();
}

/** The role a running process shows (the lab's card, the worker runtime's orchestrator). */
export function shownRole(
  content: number,
  p: RunningProcess | undefined,
): 'coordinator' | 'standby' | 'primary' | 'mirror' | 'down' {
  if (!p) return 'down';
  switch (p.role) {
    case 'filerep-mirror':
      return p.inst ? 'primary' : 'mirror';
    case 'mirror':
      return p.inst.standby ? 'mirror' : 'primary';
    case 'filerep-primary':
      return 'primary';
    case 'starting':
      if (content === -1) return p.inst.standby ? 'standby' : 'coordinator';
      return p.inst.standby ? 'mirror' : 'primary';
    default:
      return p.role;
  }
}
