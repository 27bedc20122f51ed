/**
 * The worker runtime's protocol: what the orchestrator and an instance's process say to each
 * other (ProcessApi one way, HostApi the other), what a process is booted with, and what a
 * runtime supplies to start processes.
 */
import type { Clock } from '../runtime/clock.ts';
import type { FaultState } from '../runtime/link-faults.ts';
import type { PortLike } from '../runtime/link-endpoint.ts';
import type { QueryResult } from '../server/results.ts';
import type { Disk, DiskFaultChange } from '../storage/disk.ts';
import type { RecoveredData, RecoveryMode } from '../utilities/recover-data.ts';
import type { SegmentConfig } from '../topology/placement.ts';
import type { ControlData } from '../instance/control.ts';
import type { EventKind } from '../runtime/events.ts';
import { sqlError } from '../errors.ts';
import type { BlockImage, BlockView, ClusterOptions, InstanceStatus, UtilityResult } from '../node/api.ts';
import type { UtilityUpcalls } from './process-utilities.ts';
import type { NodeReload } from '../node/node-config.ts';
import type { CoordinatorStart } from '../node/boot.ts';
import type { ModuleLoader, RoleModules } from '../node/role-modules.ts';
import type { runUtility } from '../utilities/index.ts';

/** What the orchestrator tells every process about every instance. */
export interface NodeMeta {
  dbid: number;
  content: number;
  host: string;
  up: boolean;
  retired: boolean;
  /** Its data directory was removed (rm -rf, gpinitstandby -r): nothing of it is left on its host. */
  directoryRemoved?: boolean;
  /** Bumped when the dbid names a new instance (gpaddmirrors reusing a dbid). */
  instance: number;
  /** Bumped at every start of that instance's process. */
  incarnation: number;
  /** Its catalog row as last known. */
  row: SegmentConfig;
}

export interface BootSpec {
  /** The cluster's name: disks are `${name}-dbid${dbid}`. */
  name: string;
  dbid: number;
  /** Its catalog row now (role decides what it starts as). */
  row: SegmentConfig;
  /** The cluster's initial layout, for the coordinator's catalog bootstrap. */
  initialConfig: SegmentConfig[];
  settings: Record<string, string | number | boolean>;
  timeScale: number;
  peers: NodeMeta[];
  faults: FaultState;
  /** The disk faults set on this instance (they outlive its processes). */
  disk: DiskFaultChange;
  holds: string[];
  /** A primary or coordinator whose disk is empty runs initdb first. */
  initdb: boolean;
  /**
   * A new instance in a data directory an earlier one left (gpexpand again after -r): the old
   * files are removed first, as gpexpand's rollback removes the directory.
   */
  wipe?: boolean;
  /** Cluster time as the orchestrator has it set. */
  time?: TimeState;
  /** Start the server (false: only open the disk and wire up, for a recovery to copy onto). */
  start: boolean;
  /** A base backup from this dbid first: when the disk is empty ('empty'), or always. */
  backupFrom?: { dbid: number; when: 'empty' | 'always' };
  /** How segments mirror (default WAL streaming). */
  replication?: 'wal' | 'filerep';
  /** A coordinator started by gpstart -m (utility mode) or -R (restricted). */
  coordinatorStart?: CoordinatorStart;
}

export interface ProcessStatus {
  dbid: number;
  up: boolean;
  role: 'coordinator' | 'standby' | 'primary' | 'mirror' | 'down';
  timeline: number;
  flushedLsn: number;
  walsender: string | undefined;
}

/** What a process serves to the orchestrator. */
export interface ProcessApi {
  boot(spec: BootSpec): Promise<ProcessStatus>;
  /**
   * The cluster is up (after open()): start loading, in the background, the code this process's role will
   * need at its first statement (a primary's executor, a coordinator's sessions). Answers at
   * once; a load that fails is tried again by the statement that needs it.
   */
  warm(): Promise<void>;
  /**
   * File replication: a full resynchronization of this primary's new mirror (gpinitsystem's,
   * gpaddmirrors'); with `wait`, until it is Synchronized.
   */
  fileRepSync(mirror: number, wait: boolean): Promise<void>;
  /** Points this primary's (or coordinator's) walsender at its pair's instance again. */
  attachMirror(): Promise<void>;
  /** Serves this instance on `port` to calls from `from`. */
  accept(from: number, port: PortLike): Promise<void>;
  peers(metas: NodeMeta[]): Promise<void>;
  netFaults(state: FaultState): Promise<void>;
  holds(points: string[]): Promise<void>;
  /** A session on this instance; on the coordinator, `utility` makes it gp_role=utility. */
  openSession(utility?: boolean): Promise<number>;
  query(session: number, sql: string): Promise<QueryResult>;
  closeSession(session: number): Promise<void>;
  /** gp_segment_configuration as this coordinator knows it (undefined on other roles). */
  config(): Promise<SegmentConfig[] | undefined>;
  setDisk(change: DiskFaultChange): Promise<void>;
  /** The bit-rot fault on this process's disk (storage/bit-rot.ts). */
  corruptBlock(file: string, block: number, bit?: number): Promise<void>;
  /** This instance's blocks, as its disk holds them or as it sees them (node/block-images.ts). */
  blocks(prefix: string, view: BlockView): Promise<BlockImage[]>;
  status(): Promise<ProcessStatus>;
  /** gprecoverseg's copy onto this instance's disk from `source` (this process must be down). */
  recoverFrom(source: number, mode: RecoveryMode): Promise<RecoveredData>;
  /** A utility command line, run here (the acting coordinator), with the utilities' files. */
  runUtility(commandLine: string, files: [string, string][]): Promise<UtilityRun>;
  /** This instance seen from inside (the lab's instance details). */
  instanceStatus(): Promise<InstanceStatus>;
  /** Pauses, resumes or changes the speed of cluster time in this process. */
  setTime(state: TimeState): Promise<void>;
  /** Ctrl-C for the utility running here. */
  cancelUtility(): Promise<void>;
  /**
   * A clean shutdown (pg_ctl stop -m fast: a shutdown checkpoint); the orchestrator then ends
   * the process. A mirror has nothing to write: it just stops.
   */
  shutdown(): Promise<void>;
  /** pg_ctl promote, on a standby coordinator (gpactivatestandby). */
  promoteSelf(): Promise<void>;
  /** A text file on this process's disk; with `text` replaced, with null removed, first. */
  dataFile(file: string, text?: string | null): Promise<string | undefined>;
  /** pg_control on this process's disk (pg_controldata). */
  controlData(): Promise<ControlData | undefined>;
  /** SIGHUP: the running instance re-reads its postgresql.conf (gpstop -u). */
  reloadConfig(): Promise<NodeReload>;
  /** SHOW name, as a new session on this running instance would see it. */
  showSetting(name: string): Promise<string | undefined>;
}

export interface TimeState {
  paused: boolean;
  speed: number;
  /**
   * The cluster's clock when sent, for a process that starts: it joins the cluster's time
   * rather than starting at the wall's (which, after a faster speed, is behind).
   */
  now?: number;
}

export interface UtilityRun {
  result: UtilityResult;
  files: [string, string][];
}

/** What the orchestrator serves to each process (its utilities' requests included). */
export interface HostApi extends UtilityUpcalls {
  /** A port to `to`'s process, for calls from this one. */
  portTo(to: number): Promise<PortLike>;
  /** The instance hit a PANIC: the orchestrator stops the process (as the postmaster would). */
  panic(): Promise<void>;
  /** The running instance now serves another role (promoted, activated). */
  roleChanged(role: 'primary' | 'coordinator'): Promise<void>;
  /** Waits while the fault point is held for this instance. */
  reach(point: string): Promise<void>;
}

/** What the realm gives a process: its clock and how to open its disk. */
export interface ProcessRuntime {
  clock: Clock;
  openDisk(name: string): Promise<Disk>;
  /** Each role's code: linked in, or (a worker) loaded on first need. */
  modules: RoleModules;
  /** The utilities' code (run in the acting coordinator's process), the same way. */
  utilities: ModuleLoader<UtilityModule>;
}

export interface UtilityModule {
  runUtility: typeof runUtility;
}

/** A started process: its two ports (it serves `control`, calls back on `upcall`) and its end. */
export interface SpawnedProcess {
  control: PortLike;
  upcall: PortLike;
  terminate(): void;
}

/** What survives a page reload: the layout and every instance's last known catalog row. */
export interface SavedTopology {
  options: ClusterOptions;
  /**
   * Each instance's row, whether it was retired and its data directory removed, and who
   * stopped it if a utility did.
   */
  rows: (SegmentConfig & { retired?: boolean; directoryRemoved?: boolean; stoppedBy?: string })[];
  initialConfig: SegmentConfig[];
}

/**
 * The instances a resume starts, in their saved rows: those up in the catalog when it was
 * saved, neither retired nor stopped by a utility (gpstop leaves them for gpstart).
 */
export function startsOnResume(rows: SavedTopology['rows']): SavedTopology['rows'] {
  return rows.filter((r) => !r.retired && r.status === 'u' && r.stoppedBy === undefined);
}

/** How a runtime starts a process: a Worker in the browser, an in-thread host in tests. */
export interface ProcessSpawner {
  spawn(label: string): Promise<SpawnedProcess>;
  /** Deletes every disk of the named cluster, and its saved topology. */
  destroyDisks?(name: string, dbids: number[]): Promise<void>;
  /** Deletes one instance's disk (its data directory removed with rm -rf); it runs nowhere. */
  destroyDisk?(name: string, dbid: number): Promise<void>;
  /** Makes this page the only owner of the named cluster until the release is called. */
  lock?(name: string): Promise<() => void>;
  saveTopology?(name: string, topology: SavedTopology): Promise<void>;
  loadTopology?(name: string): Promise<SavedTopology | undefined>;
}

/** Another page (or another element of this one) owns the cluster of that name. */
export function clusterInUse(name: string): Error {
  return sqlError('object_in_use', `the cluster "${name}" is open in another tab or element`, {
    detail: 'One page at a time owns a cluster: two would write the same disks.',
    hint: 'Close it there, or give this cluster another name.',
  });
}

/**
 * Events after which the topology is saved again: whatever may have changed the catalog or the
 * processes (not the routine ones: a probe cycle, a copy's progress, a standby's replay position).
 */
export const SAVE_AFTER: ReadonlySet<EventKind> = new Set<EventKind>([
  'fts.failover',
  'fts.promote',
  'fts.double_fault',
  'fts.mirror_down',
  'fts.mirror_up',
  'instance.up',
  'instance.crash',
  'instance.stopped',
  'instance.promoted',
  'instance.refused',
  'standby.activated',
  'utility.done',
  'recovery.start',
  'recovery.done',
]);
