/**
 * What instances say to each other: the coordinator dispatching to segments, segments sending
 * motion rows to segments. Plain data only (it crosses MessageChannels).
 */
import type { NodeStat } from '../exec/instrument.ts';
import type { WireRows } from '../exec/row-batch.ts';
import type { DmlNode, IndexInfo, PlanNode, TableInfo } from '../plan/plan.ts';
import type { Value } from '../sql/types.ts';

export type Row = Value[];

/** The coordinator's view of which transactions are in progress (Greenplum's distributed snapshot). */
export interface DistributedSnapshot {
  /** Every gxid below this had finished. */
  xmin: number;
  /** Every gxid at or above this had not started. */
  xmax: number;
  inProgress: number[];
}

/** The distributed transaction a dispatched command belongs to. */
export interface DtxContext {
  /** Distributed transaction id; 0 for a read-only statement outside a transaction. */
  gxid: number;
  /** Global id for two-phase commit: `<start timestamp>-<gxid>`. */
  gid: string;
  dsnap: DistributedSnapshot;
  /** Command id within the distributed transaction: earlier commands' writes are visible. */
  cid: number;
  /**
   * Contents earlier statements of the transaction ran on: a segment that has no local
   * transaction for the gxid although it is listed lost it in a crash (its gang is gone).
   */
  touched?: number[];
}

/** A statement's limits, dispatched with each of its slices (each segment enforces them). */
export interface StatementLimits {
  /** statement_mem in bytes: what the statement may hold on one instance (0: no limit). */
  memoryBytes: number;
  /** What is left of statement_timeout, in wall milliseconds (0: none). */
  timeoutMs: number;
}

export interface SliceRequest {
  queryId: string;
  limits?: StatementLimits;
  /** A motion node (the slice sends its rows), or a DML node (the slice writes). */
  root: PlanNode | DmlNode;
  dtx: DtxContext;
  statementTime: number;
  /** Acting primary dbid of every content, for motions between segments. */
  contentDbids: number[];
  /** When this is the transaction's only write, on one segment: commit it here (one phase). */
  commitOnePhase?: boolean;
  /** EXPLAIN ANALYZE: count each node's rows and times, and send them back. */
  analyze?: boolean;
  /** A Motion's columns its receivers use (exec/columns-used.ts); the others go as NULL. */
  used?: number[];
}

/** What EXPLAIN ANALYZE learns from one slice on one instance. */
export interface SliceStats {
  /** Each node's statistics by its path from the slice's root (exec/instrument.ts). */
  nodes: [string, NodeStat][];
  /** The most bytes its operators held at once (what statement_mem counts). */
  memoryBytes: number;
  /** When the slice started, on the instance's clock (ms since the epoch). */
  startedAt: number;
  /** The thread it ran in (runtime/realm.ts). */
  realm: string;
}

export interface SliceResponse {
  /** Rows for a Gather motion (a fixed-width batch as tuple bytes, exec/row-batch.ts); [[count]] for DML. */
  rows: WireRows;
  /** The segment wrote in this transaction (it takes part in commit). */
  wrote: boolean;
  /** Rows the segment moved to another segment (split UPDATE of a distribution key). */
  moved?: { content: number; rows: Row[] }[];
  /** EXPLAIN ANALYZE's statistics of the slice here. */
  stats?: SliceStats;
}

export interface InsertRequest {
  /** The statement's query id, so a cancel reaches the insert; and its limits. */
  queryId?: string;
  limits?: StatementLimits;
  dtx: DtxContext;
  table: TableInfo;
  rows: Row[];
  commitOnePhase?: boolean;
}

export interface PreparedTransaction {
  gid: string;
  prepared: number;
}

/** What one segment instance serves to the coordinator and its peers. */
export interface SegmentApi {
  execSlice(req: SliceRequest): Promise<SliceResponse>;
  receiveRows(queryId: string, sliceId: number, from: number, rows: WireRows): Promise<void>;
  insertRows(req: InsertRequest): Promise<number>;
  endQuery(queryId: string): Promise<void>;
  /**
   * The coordinator cancels a statement (pg_cancel_backend, statement_timeout): its slices
   * here fail at their next check with this SQLSTATE and message.
   */
  cancelQuery(queryId: string, code: string, message: string): Promise<void>;
  createStorage(dtx: DtxContext, relfilenode: number): Promise<void>;
  dropStorage(dtx: DtxContext, relfilenode: number): Promise<void>;
  /** CREATE INDEX, REINDEX: creates the index's storage in the transaction and builds it. */
  buildIndex(dtx: DtxContext, table: TableInfo, index: IndexInfo): Promise<void>;
  prepare(gxid: number, gid: string): Promise<void>;
  commitPrepared(gid: string): Promise<void>;
  abortPrepared(gid: string): Promise<void>;
  commitOnePhase(gxid: number): Promise<void>;
  /**
   * Whether this content committed distributed transaction `gxid` in one phase: a commit under
   * way is waited for; a transaction still open here is aborted first (it will never commit).
   */
  resolveOnePhase(gxid: number): Promise<'committed' | 'aborted'>;
  abortDtx(gxid: number): Promise<void>;
  /** ROLLBACK TO SAVEPOINT: the transaction's commands from..to undone; whether it ran here. */
  rollbackToSavepoint(gxid: number, from: number, to: number, ranHere: boolean): Promise<boolean>;
  /** pg_prepared_xacts: each prepared transaction's gid and when it was prepared (runtime ms). */
  listPrepared(): Promise<PreparedTransaction[]>;
  checkpoint(): Promise<void>;
  /** pg_relation_size here: the bytes of a relation's file (blocks of 8 KB). */
  relationSize(relfilenode: number): Promise<number>;
  /** Gang creation: answers at once (the coordinator gives up after gp_segment_connect_timeout). */
  ping(): Promise<boolean>;
  replicationStatus(): Promise<ReplicationRow[]>;
}

/** One walsender, as pg_stat_replication shows it. */
export interface ReplicationRow {
  pid: number;
  application_name: string;
  backend_start: number | null;
  state: string | null;
  sent_lsn: string;
  write_lsn: string;
  flush_lsn: string;
  replay_lsn: string;
  sync_state: string;
  sync_error: 'none' | 'walread';
  connected: boolean;
  /** The primary's own flushed WAL end (gpstate -s: bytes remaining to send). */
  wal_flushed_lsn: string;
}
