/**
 * Physical plans: plain data (no closures), so the coordinator can ship slices of them to
 * segments across a MessageChannel. Expressions are BoundExpr trees, compiled where they run.
 *
 * A plan is a tree of nodes; Motion nodes cut it into slices. The slice under a motion runs on
 * a gang of segments (or on the coordinator for an Entry locus) and sends its rows up: to the
 * coordinator (Gather), to the segment that owns each row's hash (Redistribute), or to every
 * segment (Broadcast).
 */
import type { CallExpr } from '../sql/ast.ts';
import type { AggOrder, BoundExpr } from '../sql/expr-bound.ts';
import type { SqlType, Value } from '../sql/types.ts';

/** How a table's rows are spread over the segments (gp_distribution_policy). */
export type Policy = { kind: 'hash'; keys: number[] } | { kind: 'random' } | { kind: 'replicated' };

export interface ColumnInfo {
  name: string;
  type: SqlType;
  notNull: boolean;
  /** SQL text of the DEFAULT expression, bound where it is used. */
  default?: string;
}

/** What executing a plan needs to know about a table (a slice of the coordinator's catalog). */
export interface TableInfo {
  oid: number;
  name: string;
  relfilenode: number;
  storage: 'heap' | 'ao';
  columns: ColumnInfo[];
  policy: Policy;
  numsegments: number;
  /** Its btree indexes, kept up to date by every insert and update on the segments. */
  indexes?: IndexInfo[];
}

/** The index a scan reads, the key range it reads, and the quals that range answers. */
export interface IndexScanSpec {
  index: IndexInfo;
  /** EXPLAIN's Index Cond. */
  conds: BoundExpr[];
  lower?: { key: Value[]; inclusive: boolean };
  upper?: { key: Value[]; inclusive: boolean };
  /**
   * `col IN (list)` on the column after the equalities (Postgres' `= ANY (array)`): the scan
   * reads `lower` = `upper` = equalities + v for each of these values, in index order.
   */
  anyOf?: Value[];
}

/** A btree index (pg_index): on plain columns of one table. */
export interface IndexInfo {
  oid: number;
  name: string;
  relfilenode: number;
  /** Positions of the indexed columns in the table, in index order. */
  columns: number[];
  unique: boolean;
  primary: boolean;
  /** Made for a PRIMARY KEY or UNIQUE constraint (DROP INDEX refuses it, as Postgres does). */
  constraint: boolean;
}

/**
 * Where a node's rows live (Greenplum's CdbPathLocus):
 * - entry: on the coordinator; general: anywhere (constants), computed where needed;
 * - hashed: on segments, each row on the segment its hash key values hash to. `keys[i]` lists
 *   the output columns that all hold the i-th key value (an inner join on `a = b` is hashed on
 *   a and on b alike: Greenplum's distribution keys are equivalence classes), each hashing as
 *   `keyTypes[i]` does;
 * - strewn: on segments, no known placement; replicated: every segment holds all rows;
 * - single: on one segment (direct dispatch).
 *
 * `numsegments` (unset: every segment) keeps a table that gpexpand has not expanded yet on the
 * contents it lives on, 0..numsegments-1: its slices run there, and it is co-located only with
 * data hashed over the same number of segments (the hash of a key depends on that number).
 */
export type Locus =
  | { kind: 'entry' }
  | { kind: 'general' }
  | { kind: 'hashed'; keys: number[][]; keyTypes: SqlType[]; numsegments?: number }
  | { kind: 'strewn'; numsegments?: number }
  | { kind: 'replicated'; numsegments?: number }
  | { kind: 'single'; content: number };

export interface SortKey {
  expr: BoundExpr;
  descending: boolean;
  nullsFirst: boolean;
}

export interface AggSpec {
  /** aggregates.ts registry key. */
  key: string;
  args: BoundExpr[];
  distinct: boolean;
  filter?: BoundExpr;
  /** `agg(x ORDER BY y)`: the input order the aggregate needs (it runs in one phase). */
  order?: AggOrder[];
  /** Display, for EXPLAIN. */
  name: string;
  type: SqlType;
}

/** A window function call over a WindowAgg's input: its arguments, FILTER, PARTITION BY, ORDER BY. */
export interface WindowCall {
  call: CallExpr;
  /** Input column (after the node's `base`) of its first argument; then FILTER, PARTITION BY, ORDER BY. */
  first: number;
  nargs: number;
}

/** The input columns a window call partitions and orders by. */
export function windowKeys(
  w: WindowCall,
  base: number,
): { partition: number[]; order: { col: number; descending: boolean; nullsFirst: boolean }[] } {
  const spec = w.call.over!;
  const firstPart = base + w.first + w.nargs + (w.call.filter ? 1 : 0);
  const partition = spec.partitionBy.map((_, i) => firstPart + i);
  const order = spec.orderBy.map((o, i) => ({
    col: firstPart + partition.length + i,
    descending: o.descending,
    nullsFirst: o.nulls ? o.nulls === 'first' : o.descending,
  }));
  return { partition, order };
}

interface Base {
  /** Output column types. */
  types: SqlType[];
  locus: Locus;
}

export type PlanNode =
  | (Base & {
      op: 'scan';
      table: TableInfo;
      /** Extra output columns after the table's: ctid (block, offset) and gp_segment_id. */
      withCtid: boolean;
      withSegmentId: boolean;
      filter?: BoundExpr;
      /** Direct dispatch: the only contents that can hold qualifying rows. */
      directContents?: number[];
      /** An Index Scan: the rows read come from this index's key range (index-scan.ts). */
      index?: IndexScanSpec;
    })
  | (Base & { op: 'values'; rows: BoundExpr[][] })
  /** A coordinator-only view (gp_segment_configuration, pg_stat_activity...), rows from the server. */
  | (Base & { op: 'systemScan'; name: string })
  | (Base & { op: 'generateSeries'; args: BoundExpr[] })
  | (Base & { op: 'result'; exprs: BoundExpr[] })
  | (Base & { op: 'filter'; input: PlanNode; cond: BoundExpr })
  | (Base & { op: 'project'; input: PlanNode; exprs: BoundExpr[] })
  | (Base & {
      op: 'hashJoin';
      left: PlanNode;
      right: PlanNode;
      joinType: 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti';
      leftKeys: BoundExpr[];
      rightKeys: BoundExpr[];
      /** Registry keys of the `=` operators. */
      eqKeys: string[];
      /** Further join condition over (left ++ right) columns. */
      extra?: BoundExpr;
      /**
       * NOT IN (an anti join): the first key pair is the NOT IN comparison, with SQL's NULL
       * rules; the other pairs and `extra` are the subquery's correlation (exec/not-in.ts).
       */
      nullAware?: boolean;
      /** A scalar subquery: more than one match for a row is an error. */
      singleMatch?: boolean;
    })
  | (Base & {
      op: 'nestLoop';
      left: PlanNode;
      right: PlanNode;
      joinType: 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti';
      cond?: BoundExpr;
      singleMatch?: boolean;
    })
  | (Base & {
      op: 'agg';
      input: PlanNode;
      groupKeys: BoundExpr[];
      aggs: AggSpec[];
      /** partial: output group keys ++ states; final: input is partial output; single: both. */
      phase: 'single' | 'partial' | 'final';
      strategy: 'plain' | 'hashed';
    })
  | (Base & { op: 'sort'; input: PlanNode; keys: SortKey[] })
  | (Base & { op: 'limit'; input: PlanNode; limit?: BoundExpr; offset?: BoundExpr })
  /** WindowAgg: its input sorted by PARTITION BY then ORDER BY; appends each call's values. */
  | (Base & { op: 'window'; input: PlanNode; calls: WindowCall[]; base: number })
  | (Base & { op: 'distinct'; input: PlanNode })
  | (Base & {
      op: 'setop';
      kind: 'union' | 'intersect' | 'except';
      all: boolean;
      left: PlanNode;
      right: PlanNode;
    })
  | (Base & { op: 'append'; inputs: PlanNode[] })
  | (Base & {
      op: 'motion';
      kind: 'gather' | 'redistribute' | 'broadcast';
      /** Slice id of the sending side (the subtree under this node). */
      sliceId: number;
      input: PlanNode;
      /** Redistribute: hash these output columns. */
      hashKeys?: number[];
      /** Gather merge: the order the senders produce, kept by merging. */
      mergeKeys?: SortKey[];
      /** The sending gang: all segments, one (direct dispatch) or the coordinator. */
      senders: 'segments' | 'entry' | { contents: number[] };
      /**
       * Redistribute and Broadcast: rows go to contents 0..receivers-1 (a table not yet expanded
       * by gpexpand lives on the first `numsegments` contents only); every segment if unset.
       */
      receivers?: number;
    });

/** DML that runs on segments, at the root of a statement's plan. */
export type DmlNode =
  | {
      op: 'insert';
      table: TableInfo;
      input: PlanNode;
      types: SqlType[];
      locus: Locus;
      /**
       * The input has General locus (same rows wherever it runs, nothing volatile): every
       * segment computes it and keeps the rows the table's policy gives to it, so a bulk
       * INSERT ... SELECT from generate_series moves no rows between instances.
       */
      keepOwnRows?: boolean;
    }
  | {
      op: 'modify';
      kind: 'update' | 'delete';
      table: TableInfo;
      input: PlanNode;
      /** Input column holding the row's ctid. */
      ctidCol: number;
      /** UPDATE: the new row's columns, over the input row. */
      newValues?: BoundExpr[];
      types: SqlType[];
      locus: Locus;
    };

export type PlanOp = PlanNode['op'];

/** A node's child plans, for walkers. */
export function children(n: PlanNode): PlanNode[] {
  switch (n.op) {
    case 'filter':
    case 'project':
    case 'agg':
    case 'sort':
    case 'limit':
    case 'distinct':
    case 'motion':
    case 'window':
      return [n.input];
    case 'hashJoin':
    case 'nestLoop':
    case 'setop':
      return [n.left, n.right];
    case 'append':
      return n.inputs;
    default:
      return [];
  }
}
