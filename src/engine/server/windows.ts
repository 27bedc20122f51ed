/**
 * Window functions. A SELECT with window calls runs in two steps: the query without them (its
 * FROM, WHERE, GROUP BY and HAVING, yielding every value the windows and the select list need)
 * is dispatched like any query and its rows gathered; the windows are computed over them on the
 * coordinator (window.ts); the rest of the select list, DISTINCT, ORDER BY and LIMIT then run
 * over those rows. The answers are Postgres'; the plan is a Gather, not Greenplum's
 * Redistribute on the PARTITION BY key, so EXPLAIN of such a query is refused rather than
 * shown wrong.
 */
import { sqlError } from '../errors.ts';
import { Planner, targetName, type PlannerEnv, type WorkTable } from '../plan/planner.ts';
import type { CallExpr, Expr, Query, SelectStmt, SelectTarget, SortItem } from '../sql/ast.ts';
import { argTypeAt } from '../sql/functions.ts';
import { resolveAggregate, isAggregateName } from '../sql/aggregates.ts';
import { requireEquality, requireOrdering, type SqlType, type Value } from '../sql/types.ts';
import { runPlan } from './dispatcher.ts';
import { selectBlocks } from '../sql/select-blocks.ts';
import type { Session } from './session.ts';
import { computeWindow, WINDOW_FUNCTIONS, type WindowCall } from './window.ts';

const isWindowCall = (e: unknown): e is CallExpr =>
  typeof e === 'object' && e !== null && (e as CallExpr).kind === 'call' && !!(e as CallExpr).over;

/** Whether an expression holds a window call of its own query (nested queries not counted). */
function containsWindow(e: unknown): boolean {
  if (Array.isArray(e)) return e.some(containsWindow);
  if (typeof e !== 'object' || e === null) return false;
  if (isWindowCall(e)) return true;
  for (const [k, v] of Object.entries(e)) if (k !== 'query' && containsWindow(v)) return true;
  return false;
}

/** The SELECT blocks of a statement that call window functions, innermost first. */
const windowBlocks = (root: unknown): SelectStmt[] =>
  selectBlocks(root, (q) => containsWindow(q.targets) || containsWindow(q.orderBy.map((o) => o.expr)));

export function hasWindowFunctions(root: unknown): boolean {
  return windowBlocks(root).length > 0;
}

const col = (name: string, pos: number): Expr => ({ kind: 'column', name, pos });

/** Splits a query with windows into the query under them and what to compute over its rows. */
class Split {
  readonly inner: SelectTarget[] = [];
  readonly windows: { call: CallExpr; first: number }[] = [];
  private n = 0;

  /** A value the query under the windows computes; its column's name. */
  value(e: Expr): string {
    const name = `\u0001c${this.n++}`;
    this.inner.push({ kind: 'expr', expr: e, alias: name, pos: e.pos });
    return name;
  }

  /** The expression over the computed rows: window calls and window-free parts become columns. */
  outer(e: Expr): Expr {
    if (!containsWindow(e)) return col(this.value(e), e.pos);
    if (isWindowCall(e)) return col(this.window(e), e.pos);
    const node = e as Expr;
    if (node.kind === 'call' && isAggregateName(node.name))
      throw sqlError('grouping_error', 'aggregate function calls cannot contain window function calls', {
        position: node.pos,
      });
    return mapChildren(e, (x) => this.outer(x)) as Expr;
  }

  private window(call: CallExpr): string {
    const spec = call.over!;
    for (const part of [call.args, spec.partitionBy, spec.orderBy.map((o) => o.expr)])
      if (containsWindow(part))
        throw sqlError('windowing_error', 'window function calls cannot be nested', { position: call.pos });
    if (call.withinGroup)
      throw sqlError(
        'feature_not_supported',
        `OVER is not supported for ordered-set aggregate ${call.name}`,
        {
          position: call.pos,
        },
      );
    if (call.distinct)
      throw sqlError('feature_not_supported', 'DISTINCT is not implemented for window functions', {
        position: call.pos,
      });
    if (call.orderBy)
      throw sqlError('feature_not_supported', 'aggregate ORDER BY is not implemented for window functions', {
        position: call.pos,
      });
    const first = this.n;
    for (const a of call.args) this.value(a);
    if (call.filter) this.value(call.filter);
    for (const p of spec.partitionBy) this.value(p);
    for (const o of spec.orderBy) this.value(o.expr);
    this.windows.push({ call, first });
    return `\u0001w${this.windows.length - 1}`;
  }
}

/** A copy of an AST node with its expression children mapped (nested queries left alone). */
function mapChildren(node: object, f: (e: Expr) => Expr): object {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'query' ? v : mapValue(v, f);
  return out;
}

function mapValue(v: unknown, f: (e: Expr) => Expr): unknown {
  if (Array.isArray(v)) return v.map((x) => mapValue(x, f));
  if (typeof v !== 'object' || v === null) return v;
  if (typeof (v as { kind?: unknown }).kind === 'string') return f(v as Expr);
  return mapChildren(v, f);
}

/**
 * Computes every window of the statement and rewrites each SELECT that calls them into one over
 * its computed rows (a work table), before the statement is planned.
 */
export async function computeWindows(
  s: Session,
  root: unknown,
  env: PlannerEnv,
  prepare: (q: Query) => Promise<void>,
): Promise<void> {
  for (const q of windowBlocks(root)) await computeOne(s, q, env, prepare);
}

async function computeOne(
  s: Session,
  q: SelectStmt,
  env: PlannerEnv,
  prepare: (q: Query) => Promise<void>,
): Promise<void> {
  const split = new Split();
  // Stars pass through: each expands to the columns it stands for, counted by planning it.
  const stars: { index: number; count: number; names: string[] }[] = [];
  const outerTargets: SelectTarget[] = [];
  const base: SelectStmt = { ...q, targets: [], orderBy: [], distinct: false };
  delete base.limit;
  delete base.offset;
  const starTargets = q.targets.filter((t) => t.kind === 'star');
  for (const t of starTargets) {
    const planned = new Planner(env).planTop({ ...base, targets: [t] });
    stars.push({
      index: stars.length,
      count: planned.columns.length,
      names: planned.columns.map((c) => c.name),
    });
  }
  let starColumn = 0;
  for (const t of q.targets) {
    if (t.kind === 'star') {
      const st = stars.shift()!;
      for (let i = 0; i < st.count; i++)
        outerTargets.push({
          kind: 'expr',
          expr: col(`\u0001s${starColumn++}`, t.pos),
          alias: st.names[i]!,
          pos: t.pos,
        });
      continue;
    }
    const alias = t.alias ?? targetName(t.expr);
    outerTargets.push({ kind: 'expr', expr: split.outer(t.expr), alias, pos: t.pos });
  }
  // An output name or ordinal keeps meaning the output column; an expression is split.
  const isOutputName = (e: Expr) =>
    e.kind === 'column' && !e.table && outerTargets.some((t) => t.kind === 'expr' && t.alias === e.name);
  const outerOrder: SortItem[] = q.orderBy.map((o) =>
    isOutputName(o.expr) || o.expr.kind === 'literal' ? o : { ...o, expr: split.outer(o.expr) },
  );
  const inner: SelectStmt = { ...base, targets: [...starTargets, ...split.inner] };
  await prepare(inner);
  // Planned once for the argument types, which pick each aggregate (and its argument casts).
  let planned = new Planner(env).planTop(inner);
  const starCols = planned.columns.length - split.inner.length;
  const typeOf = (i: number): SqlType => planned.columns[starCols + i]!.type;
  let recast = false;
  const calls: WindowCall[] = split.windows.map(({ call, first }) => {
    const name = call.name;
    const argTypes = call.args.map((_, i) => typeOf(first + i));
    const spec = call.over!;
    spec.partitionBy.forEach((p, j) => requireEquality(typeOf(first + call.args.length + j), p.pos));
    spec.orderBy.forEach((o, j) =>
      requireOrdering(typeOf(first + call.args.length + spec.partitionBy.length + j), o.expr.pos),
    );
    if (!WINDOW_FUNCTIONS.has(name) && !isAggregateName(name))
      throw sqlError('undefined_function', `function ${name} does not exist`, { position: call.pos });
    if (!WINDOW_FUNCTIONS.has(name)) {
      const def = resolveAggregate(name, argTypes, call.star, call.pos);
      call.args.forEach((_, i) => {
        const want = argTypeAt(def, i);
        if (want === 'anytext' || want === argTypes[i]!.name) return;
        const target = split.inner[first + i] as Extract<SelectTarget, { kind: 'expr' }>;
        // An 'anyjson' argument reaches the aggregate as to_json of it, as the binder makes it.
        target.expr =
          want === 'anyjson'
            ? {
                kind: 'call',
                name: 'to_json',
                args: [target.expr],
                distinct: false,
                star: false,
                pos: call.pos,
              }
            : { kind: 'cast', expr: target.expr, type: { name: want, pos: call.pos }, pos: call.pos };
        recast = true;
      });
    }
    return { call, first, nargs: call.args.length };
  });
  if (recast) planned = new Planner(env).planTop(inner);
  const dtx = await s.dtxContext(false);
  const { rows } = await runPlan(s.qd.dispatchEnv(s), planned.node, dtx, s.statementTime);
  const types = planned.columns.map((c) => c.type);
  const computed: { values: Value[]; type: SqlType }[] = [];
  for (const w of calls) {
    await s.interrupts?.check();
    computed.push(computeWindow(w, rows, types, starCols, s.interrupts));
  }
  const table: WorkTable = {
    columns: [
      ...planned.columns.map((c, i) =>
        i < starCols
          ? { name: `\u0001s${i}`, type: c.type }
          : { name: `\u0001c${i - starCols}`, type: c.type },
      ),
      ...computed.map((c, i) => ({ name: `\u0001w${i}`, type: c.type })),
    ],
    rows: rows.map((r, i) => [...r, ...computed.map((c) => c.values[i] ?? null)]),
  };
  const name = `\u0001windows${++tables}`;
  (env.workTables ??= new Map()).set(name, table);
  // The SELECT becomes one over the computed rows (same DISTINCT, ORDER BY and LIMIT).
  const rewritten: SelectStmt = {
    kind: 'select',
    distinct: q.distinct,
    targets: outerTargets,
    from: [{ kind: 'table', name: { name, pos: q.pos }, pos: q.pos }],
    groupBy: [],
    orderBy: outerOrder,
    pos: q.pos,
    ...(q.limit ? { limit: q.limit } : {}),
    ...(q.offset ? { offset: q.offset } : {}),
  };
  for (const k of Object.keys(q)) delete (q as unknown as Record<string, unknown>)[k];
  Object.assign(q, rewritten);
}

let tables = 0;
