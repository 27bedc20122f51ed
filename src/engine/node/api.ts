/**
 * The public API's types: what the lab UI, embedders, benchmarks and tests program against.
 */
import type { QueryResult } from '../server/results.ts';
import type { TimeControl } from '../runtime/controllable-clock.ts';
import type { FileRepStatus } from '../filerep/protocol.ts';
import type { ProbeTimes } from '../server/fts-probe-times.ts';

export interface ClusterOptions {
  /** Segment hosts; default ['sdw1', 'sdw2']. The coordinator runs on 'cdw'. */
  hosts?: string[];
  /** Primaries per host; default 2. */
  segmentsPerHost?: number;
  /** Mirror placement, as gpinitsystem does it. */
  mirroring?: 'none' | 'group' | 'spread';
  /**
   * How a segment's mirror is kept: 'wal' (default) streams the WAL, as Greenplum 6 and 7 do;
   * 'filerep' replicates the primary's file blocks, as Greenplum 4 and 5 did (modes s, c, r).
   */
  replication?: 'wal' | 'filerep';
  /** A standby coordinator on 'scdw'. */
  standby?: boolean;
  /** 'inline': every instance in this thread; 'sim': deterministic simulation; 'worker' in the browser. */
  runtime?: 'inline' | 'sim' | 'worker';
  storage?: 'memory' | 'indexeddb';
  /**
   * Names the cluster: its IndexedDB databases are `${name}-dbid${dbid}`, and one page at a time
   * may own it (Web Locks). Default 'mpp-ha-lab'.
   */
  name?: string;
  /**
   * The worker runtime: start from the disks and topology a previous page left (after a reload),
   * each instance running crash recovery. Without it, a cluster of that name starts fresh and
   * its old databases are deleted.
   */
  resume?: boolean;
  /** Seed of the 'sim' runtime. */
  seed?: number;
  /**
   * How much faster than a real cluster time runs: timeouts and intervals (FTS probes, grace
   * periods) are divided by it. Default 30 (the lab's 'compressed' preset); 1 is realistic.
   */
  timeScale?: number;
  /** Settings (GUCs) for every instance, e.g. { gp_fts_probe_interval: 10 }. */
  settings?: Record<string, string | number | boolean>;
}

export interface Session {
  query(sql: string): Promise<QueryResult>;
  close(): Promise<void>;
}

export interface RunOptions {
  /**
   * Aborting it interrupts the run, as Ctrl-C does (an AbortSignal fits): a recovery stops
   * between and inside copies, leaving every unfinished target down in the catalog.
   */
  signal?: { readonly aborted: boolean };
}

export interface UtilityResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Faults: targets are dbids or host names. */
export interface Faults {
  /** The instance's process dies: memory lost, disk kept. */
  crash(target: number | string): Promise<void>;
  /** Starts it again: crash recovery from its disk. */
  restart(target: number | string): Promise<void>;
  /**
   * Calls across the cut time out, as on a lost network. Like every fault call, it settles once
   * the fault is in force (on the worker runtime, once every process has been told).
   */
  partition(a: (number | string)[], b: (number | string)[]): Promise<void>;
  heal(): Promise<void>;
  /** Every message to and from the target is delayed. */
  delay(target: number | string, ms: number): Promise<void>;
  /** Each sync and I/O check of the instance's disk takes `ms` longer. */
  slowDisk(target: number, ms: number): Promise<void>;
  /** The instance's disk fails syncs with disk_full (53100), or stops failing them. */
  diskFull(target: number, full: boolean): Promise<void>;
  /**
   * Bit rot: flips one bit of a block where the instance stores it (its next read of the block
   * from disk fails verification: XX001, or WAL replay stops there). `bit` is 0..65535.
   */
  corruptBlock(target: number, file: string, block: number, bit?: number): Promise<void>;
  /**
   * Suspends an instance when it reaches a named fault point, as gp_inject_fault 'suspend':
   * 'start_prepare' (PREPARE on a segment), 'finish_prepared_start_of_function' (COMMIT PREPARED),
   * 'wal_sender_loop' (a primary's walsender stops sending), 'index_build' (a segment about to
   * build an index for CREATE INDEX or REINDEX), and 'fts_probe' on the coordinator's
   * dbid (FTS skips its probes while held, as gp_inject_fault 'fts_probe' 'skip').
   */
  suspend(point: string, dbid: number): { readonly reached: Promise<void>; release(): void };
}

/** Something the cluster did: FTS decisions, promotions, recoveries, checkpoints (runtime/events.ts). */
export type { ClusterEvent, EventKind, EventOf } from '../runtime/events.ts';
import type { ClusterEvent } from '../runtime/events.ts';

/** An instance seen from inside its process (the lab's instance details). */
export interface InstanceStatus {
  dbid: number;
  running: boolean;
  /** The thread a running instance runs in (runtime/realm.ts): its worker, or the page. */
  realm?: string;
  role: 'coordinator' | 'standby' | 'primary' | 'mirror' | 'down';
  timeline: number;
  /** WAL flushed to its disk, replayed (mirrors, standby, recovery), last checkpoint: X/Y LSNs. */
  walFlushed: string;
  walReplayed: string;
  checkpoint: string;
  /** Its walsender to its mirror or standby: streaming, catchup, startup... */
  walsender: string | undefined;
  /** Not running because a utility stopped it (gpstop, gprecoverseg...), not because it died. */
  stoppedBy?: string;
  /** Not running because its last start refused to run it, and why. */
  refused?: string;
  /** Its buffer pool: size, frames in use, dirty frames, hits and reads since it started. */
  buffers: { shared_buffers: number; used: number; dirty: number; hits: number; reads: number } | undefined;
  /**
   * WAL written since it started: records, bytes, flushes (disk syncs; commits share them), and
   * the wall time those syncs took in ms (0 in the simulator, which has no wall time).
   */
  wal?: { records: number; bytes: number; flushes: number; syncMs: number };
  /** In file replication: the data state, change tracking log, resynchronization progress. */
  fileRep?: FileRepStatus;
  /**
   * A primary: how long the coordinator's FTS probes of it took to come back (last, worst,
   * against the probe timeout). The coordinator: the same for every instance it probes.
   */
  ftsProbe?: ProbeTimes;
  ftsProbes?: ProbeTimes[];
  /** Data integrity as the instance sees it (checksums, damaged blocks, the last replica check). */
  integrity?: IntegrityStatus;
}

/** An instance's data checksums, the blocks it found damaged, and its last gp_replica_check. */
export interface IntegrityStatus {
  /** pg_control's data checksum setting (SHOW data_checksums). */
  dataChecksums: boolean;
  /** Blocks read from disk that failed verification since it started (XX001). */
  checksumFailures: number;
  lastChecksumFailure?: { file: string; block: number; time: number };
  /** On a primary: its last comparison with its mirror (gp_replica_check). */
  replicaCheck?: {
    time: number;
    mirror: number;
    blocks: number;
    /** `file block N` of the blocks that differ; empty when the pair is equal. */
    differing: string[];
  };
}

export interface Cluster {
  /**
   * A session on the coordinator; with `utility`, a utility-mode one (PGOPTIONS='-c
   * gp_role=utility', what a coordinator started by gpstart -m accepts); with `dbid`, a
   * utility-mode session on that instance.
   */
  connect(options?: { dbid?: number; utility?: boolean }): Promise<Session>;
  /** One statement on a fresh session. */
  query(sql: string): Promise<QueryResult>;
  /** A management utility command line: 'gpstate -m', 'gprecoverseg -a'... */
  run(commandLine: string, options?: RunOptions): Promise<UtilityResult>;
  /**
   * The utilities' working directory, by file name: the files `-i` reads and `-o` writes
   * (gprecoverseg, gpaddmirrors, gpmovemirrors).
   */
  readonly files: Map<string, string>;
  readonly faults: Faults;
  /**
   * The cluster's clock, where it runs on the wall clock (the inline runtime): pause it, resume
   * it, run it faster or slower. (The sim runtime's time moves only when driven.)
   */
  readonly time?: TimeControl | undefined;
  subscribe(listener: (event: ClusterEvent) => void): () => void;
  /** One instance seen from inside its process: role as it runs, WAL positions, buffer pool. */
  instanceStatus(dbid: number): Promise<InstanceStatus>;
  /**
   * An instance's blocks under `prefix` ('base/', 'pg_wal/'; all when empty), read inside its
   * process: as its disk holds them ('disk', running or not), or as the running instance sees
   * them ('instance': its buffer pool's copy where it holds one; 55000 when none runs).
   */
  blocks(dbid: number, prefix?: string, view?: BlockView): Promise<BlockImage[]>;
  /**
   * Every instance's data directory still on its host: those in the configuration, and those a
   * retired instance left behind (an old coordinator after gpactivatestandby) until removed.
   */
  dataDirectories(): Promise<DataDirectory[]>;
  close(): Promise<void>;
}

/** An instance's data directory on its host: in the configuration, or left by a retired one. */
export interface DataDirectory {
  dbid: number;
  hostname: string;
  datadir: string;
  /** Out of the configuration (an old coordinator after gpactivatestandby): its files remain. */
  retired: boolean;
}

export type BlockView = 'disk' | 'instance';

/** One block's bytes (a copy). Pages on disk carry their checksum; pages in memory do not. */
export interface BlockImage {
  file: string;
  block: number;
  bytes: Uint8Array;
}

export type { QueryResult };
export type { TimeControl };
