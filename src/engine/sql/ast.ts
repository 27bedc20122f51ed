/**
 * The typed syntax tree the parser produces: one discriminated union per grammar role
 * (`Statement`, `Query`, `FromItem`, `Expr`), each switched on `kind`.
 *
 * Invariants every node keeps:
 * 1. Names are already case-folded: unquoted identifiers are lower case, quoted ones are kept as
 *    written. Later stages compare names with `===`, never case-insensitively.
 * 2. `pos` is the 1-based character offset into the *whole* parsed string of the token a later
 *    stage should blame (an operator for `binary`, `::` or CAST for `cast`, the first name for
 *    `column` and `call`, the first token of a statement), as Postgres' `position` field.
 * 3. The tree holds syntax only: nothing here has been checked against the catalog or typed.
 *    Constructs the parser accepts but a later stage does not support must be rejected there
 *    with `feature_not_supported`, never silently ignored.
 */
import type { SqlType, Value } from './types.ts';

/** A possibly schema-qualified relation name, e.g. `public.t`. */
export interface QualifiedName {
  schema?: string;
  name: string;
  pos: number;
}

/** A type as written, canonicalised: `int4`, `int2`, `int8`, `numeric`, `float4`, `float8`, `text`,
 * `varchar`, `bpchar`, `bool`, `date`, `timestamp`, `timestamptz`; other names pass through folded
 * (`interval`, `serial`, `json`, ...) and the binder decides whether they exist. */
export interface TypeName {
  name: string;
  /** Type modifiers: `[n]` for varchar/bpchar, `[p]` or `[p, s]` for numeric, `[p]` for timestamps. */
  typmod?: number[];
  pos: number;
}

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

/** Arithmetic and string-concatenation operators. */
export const ARITHMETIC_OPS = ['+', '-', '*', '/', '%', '^', '||'] as const;

/** Comparison operators (`!=` arrives as `<>`). */
export const COMPARISON_OPS = ['=', '<>', '<', '>', '<=', '>='] as const;

/** json / jsonb member access, containment and key existence. */
export const JSON_OPS = ['->', '->>', '@>', '<@', '?'] as const;

/** Every binary operator, boolean AND/OR included. */
export const BINARY_OPS = [...ARITHMETIC_OPS, ...COMPARISON_OPS, ...JSON_OPS, 'and', 'or'] as const;

/** One of BINARY_OPS. */
export type BinaryOp = (typeof BINARY_OPS)[number];

/** Every expression node. */
export type Expr =
  | ColumnRef
  | Literal
  | BinaryExpr
  | UnaryExpr
  | IsExpr
  | IsDistinctExpr
  | BetweenExpr
  | InListExpr
  | InSubqueryExpr
  | ExistsExpr
  | ScalarSubquery
  | LikeExpr
  | CastExpr
  | CaseExpr
  | CallExpr
  | RowExpr
  | NullOfExpr
  | OuterValueExpr;

/**
 * A value of the query around this one, as a parameter (a LATERAL item's read of the items to
 * its left, server/lateral.ts): typed, not folded into a constant while planning.
 */
export interface OuterValueExpr {
  kind: 'outerValue';
  value: Value;
  type: SqlType;
  /** The column it stands for: the output column's name when it is selected bare. */
  name: string;
  pos: number;
}

/**
 * A NULL of `expr`'s type (`expr` is bound for its type only, its columns not read): what a
 * grouping expression outside a grouping set becomes in that set's branch (grouping-sets.ts).
 */
export interface NullOfExpr {
  kind: 'nullOf';
  expr: Expr;
  pos: number;
  /**
   * A repeat of the grouping expression rather than its own select-list entry: Postgres folds
   * it as any expression, so one that folds to a constant keeps that value (seed 20416).
   */
  unlessConstant?: boolean;
}

/** A column reference `a`, `t.a` or `s.t.a`; system columns such as `gp_segment_id` included. */
export interface ColumnRef {
  kind: 'column';
  schema?: string;
  table?: string;
  name: string;
  pos: number;
}

/**
 * A constant. Numeric literals keep their source `text` (sign included after folding `-1`), so the
 * binder can pick int4/int8/numeric exactly as Postgres does; `value` is only an approximation
 * for them. Strings hold the decoded `value`.
 */
export interface Literal {
  kind: 'literal';
  value: string | number | boolean | null;
  literalType: 'integer' | 'numeric' | 'string' | 'boolean' | 'null';
  text?: string;
  pos: number;
}

/** `left op right`; `pos` is the operator's. */
export interface BinaryExpr {
  kind: 'binary';
  op: BinaryOp;
  left: Expr;
  right: Expr;
  pos: number;
}

/** Prefix `-x`, `+x`, `NOT x`. A minus before a numeric literal is folded into the literal. */
export interface UnaryExpr {
  kind: 'unary';
  op: '-' | '+' | 'not';
  operand: Expr;
  pos: number;
}

/** `x IS [NOT] NULL | TRUE | FALSE | UNKNOWN`, and the postfix `ISNULL` / `NOTNULL`. */
export interface IsExpr {
  kind: 'is';
  test: 'null' | 'true' | 'false' | 'unknown';
  not: boolean;
  expr: Expr;
  pos: number;
}

/** `left IS [NOT] DISTINCT FROM right`. */
export interface IsDistinctExpr {
  kind: 'isDistinct';
  not: boolean;
  left: Expr;
  right: Expr;
  pos: number;
}

/** `x [NOT] BETWEEN [SYMMETRIC] low AND high`. */
export interface BetweenExpr {
  kind: 'between';
  not: boolean;
  symmetric: boolean;
  expr: Expr;
  low: Expr;
  high: Expr;
  pos: number;
}

/** `x [NOT] IN (a, b, ...)`. */
export interface InListExpr {
  kind: 'inList';
  not: boolean;
  expr: Expr;
  list: Expr[];
  pos: number;
}

/** `x [NOT] IN (SELECT ...)`. */
export interface InSubqueryExpr {
  kind: 'inSubquery';
  not: boolean;
  expr: Expr;
  query: Query;
  pos: number;
}

/** `EXISTS (SELECT ...)`. */
export interface ExistsExpr {
  kind: 'exists';
  query: Query;
  pos: number;
}

/** A parenthesised query used as a value: `(SELECT max(a) FROM t)`. */
export interface ScalarSubquery {
  kind: 'subquery';
  query: Query;
  pos: number;
}

/** `x [NOT] LIKE|ILIKE pattern [ESCAPE e]`. */
export interface LikeExpr {
  kind: 'like';
  op: 'like' | 'ilike';
  not: boolean;
  expr: Expr;
  pattern: Expr;
  escape?: Expr;
  pos: number;
}

/** `x::type`, `CAST(x AS type)`, and typed literals such as `date '2024-01-01'`. */
export interface CastExpr {
  kind: 'cast';
  expr: Expr;
  type: TypeName;
  pos: number;
}

/** `CASE [arg] WHEN w THEN t ... [ELSE e] END`; `arg` is present for the simple form. */
export interface CaseExpr {
  kind: 'case';
  arg?: Expr;
  whens: { when: Expr; then: Expr }[];
  else?: Expr;
  pos: number;
}

/**
 * A function or aggregate call: `f(a, b)`, `count(*)` (`star`), `count(DISTINCT x)`, plus the SQL
 * special forms rewritten as Postgres does: COALESCE/NULLIF/GREATEST/LEAST keep their names,
 * `EXTRACT(f FROM x)` becomes `date_part('f', x)`, `SUBSTRING(x FROM a FOR b)` becomes
 * `substring(x, a, b)`, `POSITION(a IN b)` becomes `position(b, a)`, `TRIM(...)` becomes
 * `btrim`/`ltrim`/`rtrim`, and `CURRENT_DATE`-style keywords become zero-argument calls.
 */
export interface CallExpr {
  kind: 'call';
  schema?: string;
  name: string;
  args: Expr[];
  distinct: boolean;
  star: boolean;
  /** `FILTER (WHERE ...)` on an aggregate. */
  filter?: Expr;
  /** `agg(x ORDER BY y)`: the order the aggregate sees its input rows in. */
  orderBy?: SortItem[];
  /** `OVER (...)`: a window function call. */
  over?: WindowSpec;
  /** `WITHIN GROUP (ORDER BY ...)`: an ordered-set aggregate's input order. */
  withinGroup?: SortItem[];
  pos: number;
}

/** `OVER ([PARTITION BY ...] [ORDER BY ...] [frame])`. */
export interface WindowSpec {
  /** `OVER w` (`bare`) or `OVER (w ORDER BY ...)`: a window of the WINDOW clause, resolved by the parser. */
  ref?: { name: string; bare: boolean };
  partitionBy: Expr[];
  orderBy: SortItem[];
  frame?: WindowFrame;
  pos: number;
}

/** `{ROWS | RANGE} [BETWEEN start AND end | start]`. */
export interface WindowFrame {
  mode: 'rows' | 'range';
  start: FrameBound;
  end: FrameBound;
  pos: number;
}

export interface FrameBound {
  kind: 'unboundedPreceding' | 'preceding' | 'currentRow' | 'following' | 'unboundedFollowing';
  /** `n PRECEDING` / `n FOLLOWING`: a constant row count (ROWS). */
  offset?: Expr;
  pos: number;
}

/** A row constructor `ROW(a, b)` or `(a, b)`. */
export interface RowExpr {
  kind: 'row';
  items: Expr[];
  pos: number;
}

/** The `DEFAULT` keyword where a value may be defaulted (VALUES rows, UPDATE SET). */
export interface DefaultMarker {
  kind: 'default';
  pos: number;
}

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

/** Anything that yields rows: a SELECT block, a set operation, or a VALUES list. */
export type Query = SelectStmt | SetOpStmt | ValuesStmt;

/** ORDER BY, LIMIT and OFFSET, which every query form may carry. */
/** `FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE [OF name, ...] [NOWAIT]`. */
export interface LockingClause {
  strength: 'UPDATE' | 'NO KEY UPDATE' | 'SHARE' | 'KEY SHARE';
  of: { name: string; pos: number }[];
  nowait: boolean;
  pos: number;
}

export interface QueryTail {
  orderBy: SortItem[];
  /** SELECT ... FOR UPDATE and its kin (sql/locking.ts). */
  locking?: LockingClause[];
  /**
   * Why the locking clause cannot be honoured here (DISTINCT, GROUP BY...), found while parsing
   * and raised once the names are checked, where Postgres' parse analysis raises it.
   */
  lockingRefused?: { message: string; position: number };
  /** Absent for no LIMIT and for LIMIT ALL. */
  limit?: Expr;
  offset?: Expr;
  /**
   * WITH queries nothing references: never run, but checked as Postgres checks them (a
   * missing column in one is still an error). The referenced ones are inlined (sql/cte.ts).
   */
  unusedCtes?: Query[];
  /**
   * WITH RECURSIVE queries that refer to themselves, computed before this query is planned
   * (server/recursive-cte.ts); references to one read its rows under the name `result`.
   */
  recursiveCtes?: RecursiveCte[];
}

/** `name AS (base UNION [ALL] step)`, `step` reading the rows of the last round as `work`. */
export interface RecursiveCte {
  name: string;
  columns?: string[];
  base: Query;
  step: Query;
  all: boolean;
  /** Internal relation names (no user can write them): the rounds' input, the whole result. */
  work: string;
  result: string;
  pos: number;
}

/** One WITH query: `name [(columns)] AS [[NOT] MATERIALIZED] (query)`. */
export interface CommonTableExpr {
  name: string;
  columns?: string[];
  query: Query;
  pos: number;
}

/** One ORDER BY item. `nulls` is absent when not written (Postgres: NULLS LAST for ASC). */
export interface SortItem {
  expr: Expr;
  descending: boolean;
  nulls?: 'first' | 'last';
  pos: number;
}

/** One SELECT block. */
export interface SelectStmt extends QueryTail {
  kind: 'select';
  distinct: boolean;
  targets: SelectTarget[];
  /** Comma-separated FROM items; empty without FROM. */
  from: FromItem[];
  where?: Expr;
  groupBy: Expr[];
  /** GROUP BY with ROLLUP, CUBE, GROUPING SETS or (): the sets, until the parser rewrites it. */
  groupingSets?: Expr[][];
  having?: Expr;
  pos: number;
}

/** A select-list (or RETURNING) entry: `expr [AS alias]`, `*`, or `t.*`. */
export type SelectTarget =
  { kind: 'expr'; expr: Expr; alias?: string; pos: number } | { kind: 'star'; table?: string; pos: number };

/** `left UNION|INTERSECT|EXCEPT [ALL] right`, with the tail applying to the combined result. */
export interface SetOpStmt extends QueryTail {
  kind: 'setop';
  op: 'union' | 'intersect' | 'except';
  all: boolean;
  left: Query;
  right: Query;
  pos: number;
  /** The union a query with several grouping sets stands for (sql/grouping-sets.ts). */
  fromGroupingSets?: true;
}

/** `VALUES (...), (...)`, standalone or as INSERT's source. */
export interface ValuesStmt extends QueryTail {
  kind: 'values';
  rows: (Expr | DefaultMarker)[][];
  pos: number;
}

/** A relation alias with optional column aliases: `AS g(i)`. */
export interface Alias {
  name: string;
  columns?: string[];
}

/** An item in FROM. */
export type FromItem = TableRef | SubqueryRef | FunctionRef | JoinExpr;

/** A table, `[schema.]name [AS alias]`. */
export interface TableRef {
  kind: 'table';
  name: QualifiedName;
  alias?: Alias;
  pos: number;
}

/** `(query) [AS] alias` (the alias is mandatory, as in Postgres 12). */
export interface SubqueryRef {
  kind: 'subquery';
  query: Query;
  alias: Alias;
  /** A reference to a WITH query of this name, inlined (errors name it as Postgres does). */
  cte?: string;
  /** `LATERAL (query) alias`: may refer to the FROM items before it. */
  lateral?: boolean;
  pos: number;
}

/** A set-returning function in FROM: `generate_series(1, 10) AS g(i)`. */
export interface FunctionRef {
  kind: 'function';
  call: CallExpr;
  alias?: Alias;
  /** Written with LATERAL (a function in FROM may refer to the items before it either way). */
  lateral?: boolean;
  pos: number;
}

/** `left [NATURAL] {INNER|LEFT|RIGHT|FULL|CROSS} JOIN right [ON cond | USING (cols)]`. */
export interface JoinExpr {
  kind: 'join';
  joinType: 'inner' | 'left' | 'right' | 'full' | 'cross';
  natural: boolean;
  left: FromItem;
  right: FromItem;
  on?: Expr;
  using?: string[];
  pos: number;
}

// ---------------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------------

/** Every statement the parser accepts. */
export type Statement =
  | Query
  | InsertStmt
  | UpdateStmt
  | DeleteStmt
  | CreateTableStmt
  | CreateTableAsStmt
  | DropTableStmt
  | TruncateStmt
  | ExpandTableStmt
  | BeginStmt
  | CommitStmt
  | RollbackStmt
  | SavepointStmt
  | ReleaseSavepointStmt
  | RollbackToSavepointStmt
  | SetStmt
  | SetTransactionStmt
  | ResetStmt
  | ShowStmt
  | ExplainStmt
  | CheckpointStmt
  | VacuumStmt
  | AnalyzeStmt
  | DeclareCursorStmt
  | FetchStmt
  | CloseCursorStmt
  | CreateViewStmt
  | DropViewStmt
  | CreateIndexStmt
  | DropIndexStmt
  | ReindexStmt
  | CopyStmt;

/** COPY's data format options (Postgres' defaults per format are filled in by the parser). */
export interface CopyOptions {
  format: 'text' | 'csv';
  delimiter: string;
  null: string;
  header: boolean;
  quote: string;
  escape: string;
}

/**
 * `COPY table [(cols)] FROM STDIN [options]`, `COPY {table [(cols)] | (query)} TO STDOUT
 * [options]`. The rows of FROM STDIN are the script's lines after the statement (copy-data.ts).
 */
export interface CopyStmt {
  kind: 'copy';
  table?: QualifiedName;
  columns?: { name: string; pos: number }[];
  query?: Query;
  direction: 'from' | 'to';
  options: CopyOptions;
  /** FROM STDIN: the data lines; undefined when the script gave none. */
  data?: string;
  pos: number;
}

/** `CREATE [OR REPLACE] VIEW name [(columns)] AS query`. */
export interface CreateViewStmt {
  kind: 'createView';
  name: QualifiedName;
  orReplace: boolean;
  columns?: string[];
  query: Query;
  /** The query as written, for pg_views.definition. */
  text: string;
  pos: number;
}

/** `CREATE [UNIQUE] INDEX [IF NOT EXISTS] [name] ON table [USING btree] (column, ...)`. */
export interface CreateIndexStmt {
  kind: 'createIndex';
  name?: string;
  unique: boolean;
  ifNotExists: boolean;
  table: QualifiedName;
  columns: { name: string; pos: number }[];
  pos: number;
}

/** `DROP INDEX [IF EXISTS] a, b [CASCADE | RESTRICT]`. */
export interface DropIndexStmt {
  kind: 'dropIndex';
  names: QualifiedName[];
  ifExists: boolean;
  cascade: boolean;
  pos: number;
}

/** `REINDEX {INDEX | TABLE} name`. */
export interface ReindexStmt {
  kind: 'reindex';
  target: 'index' | 'table';
  name: QualifiedName;
  pos: number;
}

/** `DROP VIEW [IF EXISTS] a, b [CASCADE | RESTRICT]`. */
export interface DropViewStmt {
  kind: 'dropView';
  names: QualifiedName[];
  ifExists: boolean;
  cascade: boolean;
  pos: number;
}

/** `DECLARE name ... CURSOR [WITH HOLD] FOR query`. */
export interface DeclareCursorStmt {
  kind: 'declareCursor';
  name: string;
  hold: boolean;
  query: Query;
  pos: number;
}

/** Where FETCH or MOVE goes: a count forward or backward, or an absolute or relative row. */
export interface FetchDirection {
  how: 'forward' | 'backward' | 'absolute' | 'relative';
  count: number | 'all';
}

/** `FETCH [direction] [FROM | IN] name`; `MOVE` the same without the rows. */
export interface FetchStmt {
  kind: 'fetch';
  move: boolean;
  direction: FetchDirection;
  name: string;
  pos: number;
}

/** `CLOSE name`, or `CLOSE ALL` (name undefined). */
export interface CloseCursorStmt {
  kind: 'closeCursor';
  name: string | undefined;
  pos: number;
}

/** `INSERT INTO t [(cols)] {query | VALUES ... | DEFAULT VALUES} [RETURNING ...]`. */
export interface InsertStmt {
  kind: 'insert';
  table: QualifiedName;
  alias?: string;
  columns?: { name: string; pos: number }[];
  /** Absent for DEFAULT VALUES. */
  source?: Query;
  returning?: SelectTarget[];
  pos: number;
}

/** `UPDATE t [AS a] SET c = v, ... [FROM ...] [WHERE ...] [RETURNING ...]`. */
export interface UpdateStmt {
  kind: 'update';
  table: QualifiedName;
  alias?: string;
  assignments: { column: string; value: Expr | DefaultMarker; pos: number }[];
  from: FromItem[];
  where?: Expr;
  returning?: SelectTarget[];
  pos: number;
}

/** `DELETE FROM t [AS a] [USING ...] [WHERE ...] [RETURNING ...]`. */
export interface DeleteStmt {
  kind: 'delete';
  table: QualifiedName;
  alias?: string;
  using: FromItem[];
  where?: Expr;
  returning?: SelectTarget[];
  pos: number;
}

/** Greenplum's distribution policy clause. */
export type DistributedBy =
  | { kind: 'hash'; columns: { name: string; pos: number }[]; pos: number }
  | { kind: 'randomly'; pos: number }
  | { kind: 'replicated'; pos: number };

/** One `key[=value]` in `WITH (...)`; the value is kept as text (`'true'`, `'row'`, `'5'`). */
export interface StorageOption {
  name: string;
  value?: string;
  pos: number;
}

/** A column in CREATE TABLE. */
export interface ColumnDef {
  name: string;
  type: TypeName;
  /** True for NOT NULL (or PRIMARY KEY); false when not written or written as NULL. */
  notNull: boolean;
  default?: Expr;
  primaryKey: boolean;
  pos: number;
}

/** `CREATE [TEMP] TABLE [IF NOT EXISTS] name (...) [WITH (...)] [DISTRIBUTED ...]`. */
export interface CreateTableStmt {
  kind: 'createTable';
  name: QualifiedName;
  ifNotExists: boolean;
  temporary: boolean;
  columns: ColumnDef[];
  /** A table-level `PRIMARY KEY (cols)`; column-level ones are on the ColumnDef. */
  primaryKey?: { columns: { name: string; pos: number }[]; pos: number };
  /** `UNIQUE (cols)` constraints, table-level and column-level (one column) alike. */
  unique?: { columns: { name: string; pos: number }[]; pos: number }[];
  options: StorageOption[];
  distributedBy?: DistributedBy;
  pos: number;
}

/** `CREATE TABLE name [(cols)] [WITH (...)] AS query [WITH [NO] DATA] [DISTRIBUTED ...]`. */
export interface CreateTableAsStmt {
  kind: 'createTableAs';
  name: QualifiedName;
  ifNotExists: boolean;
  temporary: boolean;
  columnNames?: string[];
  options: StorageOption[];
  query: Query;
  withData: boolean;
  distributedBy?: DistributedBy;
  pos: number;
}

/** `DROP TABLE [IF EXISTS] a, b [CASCADE | RESTRICT]`. */
export interface DropTableStmt {
  kind: 'dropTable';
  names: QualifiedName[];
  ifExists: boolean;
  cascade: boolean;
  pos: number;
}

/**
 * `ALTER TABLE [IF EXISTS] [ONLY] name EXPAND TABLE` (Greenplum 7): the table's rows spread
 * over every segment of an expanded cluster. The only ALTER TABLE form the engine has.
 */
export interface ExpandTableStmt {
  kind: 'expandTable';
  name: QualifiedName;
  ifExists: boolean;
  pos: number;
}

/** `TRUNCATE [TABLE] a, b [CASCADE | RESTRICT]`. */
export interface TruncateStmt {
  kind: 'truncate';
  names: QualifiedName[];
  cascade: boolean;
  pos: number;
}

/** Transaction characteristics from BEGIN / SET TRANSACTION. */
export interface TransactionModes {
  isolationLevel?: 'serializable' | 'repeatable read' | 'read committed' | 'read uncommitted';
  readOnly?: boolean;
  deferrable?: boolean;
}

/** `BEGIN [WORK|TRANSACTION] [modes]` or `START TRANSACTION [modes]`. */
export interface BeginStmt extends TransactionModes {
  kind: 'begin';
  /** Written as START TRANSACTION (the command tag differs). */
  start?: boolean;
  pos: number;
}

/** `COMMIT` / `END` [WORK|TRANSACTION]. */
export interface CommitStmt {
  kind: 'commit';
  pos: number;
}

/** `ROLLBACK` / `ABORT` [WORK|TRANSACTION]. */
export interface RollbackStmt {
  kind: 'rollback';
  pos: number;
}

/** `SAVEPOINT name`. */
export interface SavepointStmt {
  kind: 'savepoint';
  name: string;
  pos: number;
}

/** `RELEASE [SAVEPOINT] name`. */
export interface ReleaseSavepointStmt {
  kind: 'releaseSavepoint';
  name: string;
  pos: number;
}

/** `ROLLBACK [WORK|TRANSACTION] TO [SAVEPOINT] name`. */
export interface RollbackToSavepointStmt {
  kind: 'rollbackToSavepoint';
  name: string;
  pos: number;
}

/** One value in SET: the text as Postgres would hand it to the GUC (`'30s'`, `'on'`, `'-1'`). */
export interface SetValue {
  text: string;
  type: 'string' | 'number' | 'identifier';
  pos: number;
}

/** `SET [SESSION|LOCAL] name {TO|=} {value, ... | DEFAULT}`; `SET TIME ZONE x` sets `timezone`. */
export interface SetStmt {
  kind: 'set';
  name: string;
  local: boolean;
  /** True for `TO DEFAULT` (then `values` is empty). */
  toDefault: boolean;
  values: SetValue[];
  pos: number;
}

/** `SET [SESSION CHARACTERISTICS AS] TRANSACTION modes`. */
export interface SetTransactionStmt extends TransactionModes {
  kind: 'setTransaction';
  pos: number;
}

/** `RESET name` or `RESET ALL` (name `'all'`). */
export interface ResetStmt {
  kind: 'reset';
  name: string;
  pos: number;
}

/** `SHOW name` or `SHOW ALL` (name `'all'`). */
export interface ShowStmt {
  kind: 'show';
  name: string;
  pos: number;
}

/** `EXPLAIN [ANALYZE] [VERBOSE] stmt` or `EXPLAIN (option [value], ...) stmt`. */
export interface ExplainStmt {
  kind: 'explain';
  analyze: boolean;
  verbose: boolean;
  /** The parenthesised options as written (names folded), including analyze/verbose. */
  options: { name: string; value?: string; pos: number }[];
  statement: Query | InsertStmt | UpdateStmt | DeleteStmt | CreateTableAsStmt;
  pos: number;
}

/** `CHECKPOINT`. */
export interface CheckpointStmt {
  kind: 'checkpoint';
  pos: number;
}

/** `VACUUM [FULL] [FREEZE] [VERBOSE] [ANALYZE] [table, ...]`. */
export interface VacuumStmt {
  kind: 'vacuum';
  full: boolean;
  analyze: boolean;
  tables: QualifiedName[];
  pos: number;
}

/** `ANALYZE [VERBOSE] [table [(cols)], ...]`. */
export interface AnalyzeStmt {
  kind: 'analyze';
  tables: QualifiedName[];
  pos: number;
}
