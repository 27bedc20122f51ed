/**
 * The fuzzer's own small syntax tree: what the generator builds, the shrinker simplifies and
 * `render*` turns into SQL. Expressions are templates (`($1 + $2)`) over typed arguments, so
 * shrinking can replace a node by an argument of the same type without knowing the operator.
 */

/** The value types the fuzzer generates. */
export type Ty = 'int4' | 'int8' | 'numeric' | 'float8' | 'text' | 'date' | 'timestamp' | 'bool';

export const CAST_NAME: Record<Ty, string> = {
  int4: 'int',
  int8: 'bigint',
  numeric: 'numeric',
  float8: 'float8',
  text: 'text',
  date: 'date',
  timestamp: 'timestamp',
  bool: 'boolean',
};

/** An expression: `t` with `$1..$n` replaced by the rendered `a`, and `$q` by the subquery. */
export interface Ex {
  t: string;
  a: Ex[];
  ty: Ty;
  q?: Query;
  /** An aggregate call (no aggregate may appear inside it). */
  agg?: boolean;
}

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'cross';

export type From =
  | { k: 'table'; name: string; alias: string }
  | { k: 'join'; type: JoinType; l: From; r: From; on?: Ex }
  | { k: 'sub'; q: Query; alias: string; lateral?: boolean };

export interface Item {
  e: Ex;
  as?: string;
}

/** ORDER BY an output column (1-based). */
export interface OrderKey {
  n: number;
  desc: boolean;
  nulls?: 'first' | 'last';
}

export interface Select {
  k: 'select';
  /** `WITH name AS (q), ...`: derived tables hoisted into common table expressions. */
  with?: { name: string; q: Query }[];
  distinct: boolean;
  items: Item[];
  from: From[];
  where?: Ex;
  group: Ex[];
  /** `GROUP BY ROLLUP (...)` / `CUBE (...)` over the group keys. */
  groupKind?: 'rollup' | 'cube';
  having?: Ex;
  order: OrderKey[];
  limit?: number;
  offset?: number;
}

export interface SetOp {
  k: 'setop';
  op: 'union' | 'intersect' | 'except';
  all: boolean;
  l: Query;
  r: Query;
  order: OrderKey[];
  limit?: number;
  offset?: number;
}

export type Query = Select | SetOp;

export type Dml = Extract<Stmt, { k: 'insert' | 'update' | 'delete' }>;

export type Stmt =
  /** `lock`: the query ends in FOR UPDATE / FOR SHARE (Greenplum locks the tables it reads). */
  | { k: 'query'; q: Query; lock?: 'UPDATE' | 'SHARE' }
  | { k: 'insert'; table: string; cols: string[]; q: Query }
  | { k: 'update'; table: string; alias: string; sets: { col: string; e: Ex }[]; from: From[]; where?: Ex }
  | { k: 'delete'; table: string; alias: string; using: From[]; where?: Ex }
  /**
   * Changes around a savepoint, `BEGIN; SAVEPOINT s1; <undone>; ROLLBACK TO SAVEPOINT s1;
   * <kept>; COMMIT` (the generator uses one change twice: undone, then done once more), checked
   * by the tables' contents.
   */
  | { k: 'savepoint'; undone: Dml; kept: Dml }
  /** A statement written out in full (edge inputs, regression cases). */
  | { k: 'raw'; sql: string };

export interface ColSpec {
  name: string;
  ty: Ty;
  /** The column's type in CREATE TABLE (`numeric(12,2)`, `varchar(12)`...). */
  ddl: string;
}

export type PolicySpec = { k: 'hash'; cols: string[] } | { k: 'random' } | { k: 'replicated' };

export interface TableSpec {
  name: string;
  cols: ColSpec[];
  policy: PolicySpec;
  ao: boolean;
  /** Rows as SQL literals. */
  rows: string[][];
  /** Btree indexes on heap tables: built before the rows go in (`early`) or over them. */
  indexes?: { cols: string[]; early: boolean }[];
  /** A view `v_<name>` of the whole table, which queries may read in its place. */
  view?: boolean;
  /** CREATE TEMP TABLE: the session's own, on every segment. */
  temp?: boolean;
}

/** One generated test: a schema with data, then statements run in order. */
export interface Case {
  seed: number;
  tables: TableSpec[];
  stmts: Stmt[];
  /** `SET enable_seqscan = off` before the statements (both systems): index scans wherever one fits. */
  seqscanOff?: boolean;
}

// ---- rendering --------------------------------------------------------------------------------

export function renderEx(e: Ex): string {
  return e.t.replace(/\$(\d+|q)/g, (_, k: string) =>
    k === 'q' ? renderQuery(e.q!) : renderEx(e.a[Number(k) - 1]!),
  );
}

function renderFrom(f: From): string {
  switch (f.k) {
    case 'table':
      return `${f.name} ${f.alias}`;
    case 'sub':
      return `${f.lateral ? 'LATERAL ' : ''}(${renderQuery(f.q)}) ${f.alias}`;
    case 'join': {
      const r = f.r.k === 'join' ? `(${renderFrom(f.r)})` : renderFrom(f.r);
      if (f.type === 'cross') return `${renderFrom(f.l)} CROSS JOIN ${r}`;
      return `${renderFrom(f.l)} ${f.type.toUpperCase()} JOIN ${r} ON ${f.on ? renderEx(f.on) : 'true'}`;
    }
  }
}

function renderTail(q: { order: OrderKey[]; limit?: number; offset?: number }): string {
  let s = '';
  if (q.order.length)
    s += ` ORDER BY ${q.order
      .map((o) => `${o.n}${o.desc ? ' DESC' : ''}${o.nulls ? ` NULLS ${o.nulls.toUpperCase()}` : ''}`)
      .join(', ')}`;
  if (q.limit !== undefined) s += ` LIMIT ${q.limit}`;
  if (q.offset !== undefined) s += ` OFFSET ${q.offset}`;
  return s;
}

export function renderQuery(q: Query): string {
  if (q.k === 'setop') {
    const side = (x: Query) =>
      x.k === 'setop' || x.order.length || x.limit !== undefined || x.offset !== undefined
        ? `(${renderQuery(x)})`
        : renderQuery(x);
    return `${side(q.l)} ${q.op.toUpperCase()}${q.all ? ' ALL' : ''} ${side(q.r)}${renderTail(q)}`;
  }
  let s = q.with?.length ? `WITH ${q.with.map((w) => `${w.name} AS (${renderQuery(w.q)})`).join(', ')} ` : '';
  s += `SELECT ${q.distinct ? 'DISTINCT ' : ''}${q.items
    .map((i) => renderEx(i.e) + (i.as ? ` AS ${i.as}` : ''))
    .join(', ')}`;
  if (q.from.length) s += ` FROM ${q.from.map(renderFrom).join(', ')}`;
  if (q.where) s += ` WHERE ${renderEx(q.where)}`;
  if (q.group.length) {
    const keys = q.group.map(renderEx).join(', ');
    s += ` GROUP BY ${q.groupKind ? `${q.groupKind.toUpperCase()} (${keys})` : keys}`;
  }
  if (q.having) s += ` HAVING ${renderEx(q.having)}`;
  return s + renderTail(q);
}

export function renderStmt(s: Stmt): string {
  switch (s.k) {
    case 'raw':
      return s.sql;
    case 'query':
      return s.lock ? `${renderQuery(s.q)} FOR ${s.lock}` : renderQuery(s.q);
    case 'insert':
      return `INSERT INTO ${s.table} (${s.cols.join(', ')}) ${renderQuery(s.q)}`;
    case 'update': {
      let sql = `UPDATE ${s.table} ${s.alias} SET ${s.sets.map((x) => `${x.col} = ${renderEx(x.e)}`).join(', ')}`;
      if (s.from.length) sql += ` FROM ${s.from.map(renderFrom).join(', ')}`;
      if (s.where) sql += ` WHERE ${renderEx(s.where)}`;
      return sql;
    }
    case 'delete': {
      let sql = `DELETE FROM ${s.table} ${s.alias}`;
      if (s.using.length) sql += ` USING ${s.using.map(renderFrom).join(', ')}`;
      if (s.where) sql += ` WHERE ${renderEx(s.where)}`;
      return sql;
    }
    case 'savepoint':
      return `BEGIN; SAVEPOINT s1; ${renderStmt(s.undone)}; ROLLBACK TO SAVEPOINT s1; ${renderStmt(s.kept)}; COMMIT`;
  }
}

/** The name of a table's view (TableSpec.view). */
export function viewOf(table: string): string {
  return `v_${table}`;
}

/** CREATE TABLE and INSERT statements that build a table (Greenplum clauses included). */
export function renderTable(t: TableSpec): string[] {
  const cols = t.cols.map((c) => `${c.name} ${c.ddl}`).join(', ');
  const withAo = t.ao ? ' WITH (appendoptimized=true)' : '';
  const dist =
    t.policy.k === 'hash'
      ? `DISTRIBUTED BY (${t.policy.cols.join(', ')})`
      : t.policy.k === 'random'
        ? 'DISTRIBUTED RANDOMLY'
        : 'DISTRIBUTED REPLICATED';
  const out = [`CREATE ${t.temp ? 'TEMP ' : ''}TABLE ${t.name} (${cols})${withAo} ${dist}`];
  const index = (ix: { cols: string[] }) => `CREATE INDEX ON ${t.name} (${ix.cols.join(', ')})`;
  for (const ix of t.indexes ?? []) if (ix.early) out.push(index(ix));
  for (let i = 0; i < t.rows.length; i += 50)
    out.push(
      `INSERT INTO ${t.name} VALUES ${t.rows
        .slice(i, i + 50)
        .map((r) => `(${r.join(', ')})`)
        .join(', ')}`,
    );
  for (const ix of t.indexes ?? []) if (!ix.early) out.push(index(ix));
  if (t.view) out.push(`CREATE VIEW ${viewOf(t.name)} AS SELECT * FROM ${t.name}`);
  return out;
}

/** The statements that rebuild a case's tables, then its statements, as SQL. */
export function renderCase(c: Case): { setup: string[]; stmts: string[] } {
  return { setup: caseSetup(c), stmts: c.stmts.map(renderStmt) };
}

/** The schema's statements, and the planner setting the case runs with. */
export function caseSetup(c: Case): string[] {
  return [...c.tables.flatMap(renderTable), ...(c.seqscanOff ? ['SET enable_seqscan = off'] : [])];
}

/** Tables a statement reads or writes (by name, as rendered). */
export function tablesOf(sql: string, tables: TableSpec[]): TableSpec[] {
  return tables.filter((t) => new RegExp(`\\b${t.name}\\b`).test(sql));
}
