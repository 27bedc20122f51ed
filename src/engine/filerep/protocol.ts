/** The calls of Greenplum 5 file replication between a pair, and from the coordinator. */
import type { TrackedFile } from './block-set.ts';
import type { FileOp, FileRepMode, ResyncProgress } from './filerep.ts';

export interface ResyncResult {
  full: boolean;
  /** Blocks sent. */
  blocks: number;
  /** Of those, named by the change tracking log. */
  tracked: number;
  /** Of those, reported by the mirror as possibly different (in flight when it failed). */
  suspects: number;
}

/**
 * A relation block as the primary sees it against its mirror: changed in its cache only (the
 * mirror has the older on-disk image), changed while the mirror was away (in the change
 * tracking log), or written and replicated.
 */
export interface FileRepBlock {
  file: string;
  block: number;
  state: 'cached' | 'tracked' | 'replicated';
}

/** What gpstate and the lab read of a segment in file replication. */
export interface FileRepStatus {
  role: 'primary' | 'mirror';
  /** The primary's data state: Synchronized, Change Tracking, Resynchronizing. */
  mode?: FileRepMode;
  /** The mirror stopped answering; FTS has not decided yet. */
  faulted?: boolean;
  /** Blocks in the change tracking log, and the log's size on disk. */
  changeTrackingBlocks: number;
  changeTrackingBytes: number;
  /** Operations sent and not yet acknowledged by the mirror. */
  inFlight: number;
  resync?: ResyncProgress;
  lastResync?: ResyncResult;
  /** On a mirror: blocks applied since it started. */
  blocksApplied?: number;
  /** On a primary (instance details only): its relation blocks, the first `BLOCK_MAP_LIMIT`. */
  blocks?: FileRepBlock[];
}

export interface FileRepApi {
  /** Opens the pair's connection to a mirror: its session token, and blocks it may have differently. */
  filerepConnect(): Promise<{ token: string; suspects: TrackedFile[]; empty: boolean }>;
  filerepApply(token: string, ops: FileOp[]): Promise<void>;
  filerepSync(token: string): Promise<void>;
  /** The connection's heartbeat: rejects when `token` is not the mirror's current connection. */
  filerepPing(token: string): Promise<void>;
  /**
   * On the primary: resynchronizes with the mirror `mirrorDbid`. With `wait`, resolves once
   * Synchronized with what was sent; without, once started, with what it plans to send.
   */
  filerepResync(mirrorDbid: number, full: boolean, wait: boolean): Promise<ResyncResult | undefined>;
  filerepStatus(): Promise<FileRepStatus>;
}
