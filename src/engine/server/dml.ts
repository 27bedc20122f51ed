/**
 * INSERT, UPDATE and DELETE. Rows are routed by the table's distribution policy: computed on
 * the coordinator and sent straight to their segments when the source is constant (VALUES,
 * generate_series), or redistributed by a motion from wherever a query produces them. UPDATE
 * and DELETE run on the segments that hold the table; an UPDATE that changes the distribution
 * key moves the new row version to its new segment.
 */
import { settleAll } from './settle-all.ts';
import { SqlError, sqlError } from '../errors.ts';
import type { DefaultMarker, DeleteStmt, Expr, FromItem, InsertStmt, Query, UpdateStmt } from '../sql/ast.ts';
import { bindExpr, coerce } from '../sql/bind-expr.ts';
import { getFunction } from '../sql/functions.ts';
import type { BoundExpr } from '../sql/expr-bound.ts';
import { rowRouter } from '../sql/cdbhash.ts';
import { typeDisplayName, type SqlType } from '../sql/types.ts';
import { collect, exec } from '../exec/executor.ts';
import { Planner } from '../plan/planner.ts';
import { join } from '../plan/planner-join.ts';
import { redistribute, broadcast } from '../plan/locus.ts';
import { children, type DmlNode, type PlanNode, type TableInfo } from '../plan/plan.ts';
import { Scope } from '../plan/scope.ts';
import type { Session } from './session.ts';
import type { Row } from './protocol.ts';
import { commandResult, type QueryResult } from './results.ts';
import { runPlan } from './dispatcher.ts';
import { runInitPlans } from './initplans.ts';
import { noteParticipants, plannerEnv, refreshTables } from './statements.ts';
import { parseExpression } from '../sql/parser.ts';
import { checkNotNull } from './constraints.ts';

export async function runInsert(s: Session, stmt: InsertStmt): Promise<QueryResult> {
  if (stmt.returning) throw sqlError('feature_not_supported', 'INSERT ... RETURNING is not supported');
  const env = await plannerEnv(s, stmt);
  let table = env.tables.get(stmt.table.name);
  if (!table)
    throw sqlError('undefined_table', `relation "${stmt.table.name}" does not exist`, {
      position: stmt.table.pos,
    });
  if (await s.qd.locks.acquire(s.id, table.oid, 'RowExclusiveLock')) {
    await refreshTables(s, env);
    table = env.tables.get(stmt.table.name)!;
  }
  const targets = (stmt.columns ?? table.columns.map((c) => ({ name: c.name, pos: stmt.pos }))).map((c) => {
    const i = table.columns.findIndex((x) => x.name === c.name);
    if (i < 0)
      throw sqlError('undefined_column', `column "${c.name}" of relation "${table.name}" does not exist`, {
        position: c.pos,
      });
    return i;
  });
  if (new Set(targets).size !== targets.length)
    throw sqlError('duplicate_column', `column specified more than once`, { position: stmt.pos });
  await runInitPlans(s, stmt, env);
  const n = await insertInto(s, table, stmt.source, targets, env, stmt.columns === undefined);
  return commandResult('INSERT', n);
}

/** CREATE TABLE AS: the query's rows into a fresh table. */
export async function insertQueryInto(
  s: Session,
  table: TableInfo,
  q: Query,
  targets: number[],
): Promise<number> {
  const env = await plannerEnv(s, q);
  env.tables.set(table.name, table);
  await runInitPlans(s, q, env);
  return insertInto(s, table, q, targets, env);
}

async function insertInto(
  s: Session,
  table: TableInfo,
  source: Query | undefined,
  allTargets: number[],
  env: Awaited<ReturnType<typeof plannerEnv>>,
  implicitColumns = false,
): Promise<number> {
  const planner = new Planner(env);
  // Without a column list, a source narrower than the table fills its leading columns (the
  // rest take their defaults), as in Postgres; with a list the widths must match.
  let targets = allTargets;
  const sourceWidth =
    source?.kind === 'values' ? source.rows[0]?.length : source ? undefined : targets.length;
  if (implicitColumns && sourceWidth !== undefined && sourceWidth < targets.length)
    targets = targets.slice(0, sourceWidth);
  const empty = new Scope([]);
  // The source: VALUES rows (DEFAULT allowed) or a query.
  let node: PlanNode;
  let width: number;
  if (!source) {
    node = { op: 'result', exprs: [], types: [], locus: { kind: 'general' } };
    width = 0;
  } else if (source.kind === 'values' && !source.orderBy.length && !source.limit && !source.offset) {
    const rows = source.rows.map((row) => {
      if (row.length > targets.length)
        throw sqlError('syntax_error', 'INSERT has more expressions than target columns', {
          position: exprPos(row[targets.length]!),
        });
      if (row.length < targets.length)
        throw sqlError('syntax_error', 'INSERT has more target columns than expressions', {
          position: source.pos,
        });
      return row.map((e, i) =>
        e.kind === 'default'
          ? defaultFor(table, targets[i]!)
          : assignable(bindExpr(e, planner.exprScope(empty, 'VALUES')), table, targets[i]!, e.pos),
      );
    });
    node = {
      op: 'values',
      rows,
      types: targets.map((t) => table.columns[t]!.type),
      locus: { kind: 'general' },
    };
    width = targets.length;
  } else {
    const q = planner.planQuery(source);
    if (implicitColumns && q.columns.length < targets.length) targets = targets.slice(0, q.columns.length);
    if (q.columns.length > targets.length)
      throw sqlError('syntax_error', 'INSERT has more expressions than target columns', {
        position: source.pos,
      });
    if (q.columns.length < targets.length)
      throw sqlError('syntax_error', 'INSERT has more target columns than expressions', {
        position: source.pos,
      });
    const exprs = q.columns.map((c, i) =>
      assignable({ kind: 'col', index: i, type: c.type }, table, targets[i]!, source.pos),
    );
    node = planner.project(q.node, exprs);
    width = targets.length;
  }
  // Full table rows: target columns from the source, the rest from defaults (or NULL).
  const full: BoundExpr[] = table.columns.map((_, col) => {
    const at = targets.indexOf(col);
    return at >= 0 && at < width
      ? ({ kind: 'col', index: at, type: table.columns[col]!.type } as BoundExpr)
      : defaultFor(table, col);
  });
  node = planner.project(node, full);

  const oneStatement = s.autocommit;
  if (node.locus.kind === 'general' && worthComputingOnSegments(node)) {
    // A set-returning source (generate_series): every segment computes the same rows and
    // keeps its own, instead of the coordinator computing them and sending each one over.
    const root: DmlNode = {
      op: 'insert',
      table,
      input: node,
      types: [],
      locus: { kind: 'strewn' },
      keepOwnRows: true,
    };
    const dtx = await s.dtxContext(true);
    const r = await runPlan(s.qd.dispatchEnv(s, env.numSegments), root, dtx, s.statementTime);
    noteParticipants(s, r.touched, r.writers);
    return Number(r.rows[0]?.[0] ?? 0) / copiesPerRow(s, table);
  }
  if (node.locus.kind === 'general' || node.locus.kind === 'entry') {
    // Rows computed here (constants, or a query that ends on the coordinator, whose slices the
    // dispatcher runs), each sent to its segment.
    let rows: Row[];
    if (hasMotion(node)) {
      const r = await runPlan(
        s.qd.dispatchEnv(s, env.numSegments),
        node,
        await s.dtxContext(false),
        s.statementTime,
      );
      noteParticipants(s, r.touched, r.writers);
      rows = r.rows;
    } else {
      const ctx = s.qd.localContext(() => [], s);
      rows = await collect(
        exec(node.locus.kind === 'general' ? { ...node, locus: { kind: 'entry' } } : node, ctx),
      );
    }
    return routeRows(s, table, rows, oneStatement);
  }
  // Rows from a query on the segments: move each to the segment its key hashes to.
  let input = node;
  // A table gpexpand has not expanded yet takes rows on its own segments only.
  const receivers = tableSegments(s, table) < s.qd.numSegments ? tableSegments(s, table) : undefined;
  if (table.policy.kind === 'hash') input = redistribute(input, table.policy.keys, planner.slices, receivers);
  else if (table.policy.kind === 'replicated') input = broadcast(input, planner.slices, receivers);
  else input = redistribute(input, [], planner.slices, receivers);
  const root: DmlNode = { op: 'insert', table, input, types: [], locus: { kind: 'strewn' } };
  const dtx = await s.dtxContext(true);
  const r = await runPlan(s.qd.dispatchEnv(s, env.numSegments), root, dtx, s.statementTime);
  noteParticipants(s, r.touched, r.writers);
  return Number(r.rows[0]?.[0] ?? 0) / copiesPerRow(s, table);
}

/** The segments a table is spread over: all, or fewer while gpexpand has not expanded it. */
function tableSegments(s: Session, table: TableInfo): number {
  return s.qd.tableContents(table).length;
}

/** A replicated table's row is stored once per segment it is on; the command counts it once. */
function copiesPerRow(s: Session, table: TableInfo): number {
  return table.policy.kind === 'replicated' ? tableSegments(s, table) : 1;
}

function hasMotion(n: PlanNode): boolean {
  return n.op === 'motion' || children(n).some(hasMotion);
}

/**
 * Whether a General-locus source is worth running on every segment: it generates rows
 * (generate_series), and nothing in it could differ between segments (volatile functions such
 * as random(), or parameters computed on the coordinator).
 */
function worthComputingOnSegments(node: PlanNode): boolean {
  let generates = false;
  const sameEverywhere = (x: unknown): boolean => {
    if (Array.isArray(x)) return x.every(sameEverywhere);
    if (x === null || typeof x !== 'object') return true;
    const o = x as Record<string, unknown>;
    if (o.op === 'generateSeries') generates = true;
    if (o.op === 'scan' || o.op === 'systemScan' || o.op === 'motion' || o.kind === 'param') return false;
    if (o.kind === 'func' && getFunction(o.key as string).volatile) return false;
    return Object.values(o).every(sameEverywhere);
  };
  return sameEverywhere(node) && generates;
}

/** Sends computed rows to their segments; a single-segment autocommit commits in the same call. */
async function routeRows(s: Session, table: TableInfo, rows: Row[], oneStatement: boolean): Promise<number> {
  const n = tableSegments(s, table);
  const parts = new Map<number, Row[]>();
  const keys = table.policy.kind === 'hash' ? table.policy.keys : [];
  const route = rowRouter(
    keys,
    keys.map((k) => table.columns[k]!.type),
    n,
  );
  for (const r of rows) {
    checkNotNull(table, r);
    const targets =
      table.policy.kind === 'hash'
        ? [route(r)]
        : table.policy.kind === 'replicated'
          ? Array.from({ length: n }, (_, i) => i)
          : [s.qd.randomTarget++ % n];
    for (const c of targets) {
      const list = parts.get(c);
      if (list) list.push(r);
      else parts.set(c, [r]);
    }
  }
  if (!parts.size) return 0;
  const dtx = await s.dtxContext(true);
  const d = s.dtx!;
  // The DTM decides whether this write commits in its own round trip (one phase).
  const onePhase = s.qd.dtm.commitsInDispatch(d, oneStatement, parts.size);
  if (onePhase) s.beginCommit();
  await settleAll(
    [...parts].map(async ([c, list]) => {
      const send = () =>
        s.qd.dispatchCall(
          c,
          'insertRows',
          [{ dtx, table, rows: list, ...(onePhase ? { commitOnePhase: true } : {}) }],
          s,
        );
      if (onePhase) await s.qd.dtm.dispatchOnePhase(d, c, send);
      else await send();
      d.touched.add(c);
      d.writers.add(c);
    }),
  );
  return rows.length;
}

function exprPos(e: Expr | DefaultMarker): number {
  return e.pos;
}

/** The column's DEFAULT (or NULL), typed for the column. */
function defaultFor(table: TableInfo, col: number): BoundExpr {
  const c = table.columns[col]!;
  if (!c.default) return { kind: 'const', value: null, type: c.type };
  const ast = JSON.parse(c.default) as Expr;
  return assignable(
    bindExpr(ast, {
      resolveColumn: () => {
        throw sqlError('feature_not_supported', 'column references in DEFAULT');
      },
    }),
    table,
    col,
    0,
  );
}

/** Coerces a value for a column (assignment rules), with Postgres' INSERT/UPDATE error. */
function assignable(e: BoundExpr, table: TableInfo, col: number, pos: number): BoundExpr {
  const c = table.columns[col]!;
  try {
    return coerce(e, c.type, 'assignment', pos);
  } catch (err) {
    if (err instanceof SqlError && (err.code === '42804' || err.code === '42846'))
      throw sqlError(
        'datatype_mismatch',
        `column "${c.name}" is of type ${typeDisplayName(c.type)} but expression is of type ${typeDisplayName(e.type)}`,
        {
          hint: 'You will need to rewrite or cast the expression.',
          position: pos,
        },
      );
    throw err;
  }
}

// ---- UPDATE / DELETE ----------------------------------------------------------------------------

export async function runUpdate(s: Session, stmt: UpdateStmt): Promise<QueryResult> {
  if (stmt.returning) throw sqlError('feature_not_supported', 'UPDATE ... RETURNING is not supported');
  const n = await modify(
    s,
    'update',
    stmt.table.name,
    stmt.table.pos,
    stmt.alias,
    stmt.from,
    stmt.where,
    stmt,
  );
  return commandResult('UPDATE', n);
}

export async function runDelete(s: Session, stmt: DeleteStmt): Promise<QueryResult> {
  if (stmt.returning) throw sqlError('feature_not_supported', 'DELETE ... RETURNING is not supported');
  const n = await modify(
    s,
    'delete',
    stmt.table.name,
    stmt.table.pos,
    stmt.alias,
    stmt.using,
    stmt.where,
    stmt,
  );
  return commandResult('DELETE', n);
}

async function modify(
  s: Session,
  kind: 'update' | 'delete',
  name: string,
  pos: number,
  alias: string | undefined,
  from: FromItem[],
  where: Expr | undefined,
  stmt: UpdateStmt | DeleteStmt,
): Promise<number> {
  const env = await plannerEnv(s, stmt);
  let table = env.tables.get(name);
  if (!table) throw sqlError('undefined_table', `relation "${name}" does not exist`, { position: pos });
  // Greenplum without the global deadlock detector: UPDATE/DELETE lock the table exclusively.
  if (await s.qd.locks.acquire(s.id, table.oid, 'ExclusiveLock')) {
    await refreshTables(s, env);
    table = env.tables.get(name)!;
  }
  await runInitPlans(s, stmt, env);
  const planner = new Planner(env);
  planner.keepLeftInPlace = true;
  let rel = planner.planFromItem({
    kind: 'table',
    name: { name, pos },
    ...(alias ? { alias: { name: alias } } : {}),
    pos,
  });
  const ctidCol = table.columns.length;
  if (from.length) {
    // The other relations come to the target's rows (broadcast), so each row is changed in place.
    const other = planner.planFrom(from);
    const moved = { node: broadcast(other.node, planner.slices), scope: other.scope };
    rel = join(planner, rel, moved, 'inner', undefined, pos);
  }
  if (where) rel = planner.applyWhere(rel, where);
  let newValues: BoundExpr[] | undefined;
  if (kind === 'update') {
    const u = stmt as UpdateStmt;
    newValues = table.columns.map((c, i) => ({ kind: 'col', index: i, type: c.type }) as BoundExpr);
    for (const a of u.assignments) {
      const col = table.columns.findIndex((c) => c.name === a.column);
      if (col < 0)
        throw sqlError(
          'undefined_column',
          `column "${a.column}" of relation "${table.name}" does not exist`,
          { position: a.pos },
        );
      const value =
        a.value.kind === 'default'
          ? defaultFor(table, col)
          : assignable(bindExpr(a.value, planner.exprScope(rel.scope, 'UPDATE')), table, col, a.pos);
      newValues[col] = value;
    }
  }
  const root: DmlNode = {
    op: 'modify',
    kind,
    table,
    input: rel.node,
    ctidCol,
    types: [],
    locus: rel.node.locus,
  };
  if (newValues) root.newValues = newValues;
  const dtx = await s.dtxContext(true);
  const r = await runPlan(s.qd.dispatchEnv(s, env.numSegments), root, dtx, s.statementTime);
  noteParticipants(s, r.touched, r.writers);
  const count = Number(r.rows[0]?.[0] ?? 0);
  return count / copiesPerRow(s, table);
}

export type { SqlType };
export { parseExpression };
