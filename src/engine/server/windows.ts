/**
 * Window functions. A SELECT with window calls is split in two: the query without them (its
 * FROM, WHERE, GROUP BY and HAVING, yielding every value the windows and the select list need),
 * planned with WindowAgg nodes on top (windowPlan: Greenplum's Redistribute Motion on the
 * PARTITION BY key, a Sort, the WindowAgg on the segments; a Gather first for a window over
 * everything); and the SELECT rewritten over its rows (the rest of the select list, DISTINCT,
 * ORDER BY and LIMIT), which reads that plan where it reads the work table. One plan runs it all,
 * and EXPLAIN shows it.
 */
import { sqlError } from '../errors.ts';
import { Planner, type PlannerEnv, type WorkTable } from '../plan/planner.ts';
import { targetName } from '../plan/target-names.ts';
import { onSegments, redistribute } from '../plan/locus.ts';
import { windowKeys, type Locus, type PlanNode, type SortKey, type WindowCall } from '../plan/plan.ts';
import type { BoundExpr } from '../sql/expr-bound.ts';
import type { CallExpr, Expr, Query, SelectStmt, SelectTarget, SortItem } from '../sql/ast.ts';
import { argTypeAt, isVolatileName } from '../sql/functions.ts';
import { resolveAggregate, isAggregateName } from '../sql/aggregates.ts';
import { requireEquality, requireOrdering, type SqlType } from '../sql/types.ts';
import { selectBlocks } from '../sql/select-blocks.ts';
import { WINDOW_FUNCTIONS, windowResultType } from '../exec/window.ts';

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
 * Plans every window of the statement and rewrites each SELECT that calls them into one over
 * their rows (a work table that is a plan), before the statement is planned.
 */
export async function computeWindows(
  root: unknown,
  env: PlannerEnv,
  prepare: (q: Query) => Promise<void>,
): Promise<void> {
  for (const q of windowBlocks(root)) await computeOne(q, env, prepare);
}

async function computeOne(
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
  const table: WorkTable = {
    columns: [
      ...planned.columns.map((c, i) =>
        i < starCols
          ? { name: `\u0001s${i}`, type: c.type }
          : { name: `\u0001c${i - starCols}`, type: c.type },
      ),
      ...calls.map((w, i) => ({
        name: `\u0001w${i}`,
        type: windowResultType(
          w,
          planned.columns.map((c) => c.type),
          starCols,
        ),
      })),
    ],
    rows: [],
    plan: windowPlan(env, inner, calls, starCols, sameColumns(split.inner, starCols)),
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

/**
 * The plan of a query's windows, as Greenplum's planner makes it: the query under the windows,
 * then for each group of calls with the same PARTITION BY and ORDER BY, a WindowAgg over its rows
 * sorted that way. With a PARTITION BY the rows are first redistributed on its key (unless
 * already distributed by it), so each segment computes whole partitions; without one they are
 * gathered and the coordinator computes. The values come out in the calls' order.
 */
function windowPlan(
  env: PlannerEnv,
  inner: SelectStmt,
  calls: WindowCall[],
  base: number,
  same: (col: number) => number,
): PlanNode {
  const planner = new Planner(env);
  const planned = planner.planInPlace(inner);
  let node = planned.node;
  const width = node.types.length;
  const groups = new Map<string, WindowCall[]>();
  for (const w of calls) {
    const key = JSON.stringify(specKey(w.call));
    groups.set(key, [...(groups.get(key) ?? []), w]);
  }
  const order: WindowCall[] = [];
  for (const group of groups.values()) {
    const keys = windowKeys(group[0]!, base);
    if (keys.partition.length && onSegments(node.locus)) {
      if (!distributedBy(node.locus, keys.partition, same))
        node = redistribute(node, keys.partition, planner.slices);
    } else node = planner.toEntry(node);
    const sortKeys: SortKey[] = [
      ...keys.partition.map((c) => ({ expr: colOf(node, c), descending: false, nullsFirst: false })),
      ...keys.order.map((o) => ({
        expr: colOf(node, o.col),
        descending: o.descending,
        nullsFirst: o.nullsFirst,
      })),
    ];
    if (sortKeys.length)
      node = { op: 'sort', input: node, keys: sortKeys, types: node.types, locus: node.locus };
    const types = [...node.types, ...group.map((w) => windowResultType(w, node.types, base))];
    node = { op: 'window', input: node, calls: group, base, types, locus: node.locus };
    order.push(...group);
  }
  // Back to the calls' order after the inner columns.
  const exprs: BoundExpr[] = node.types.slice(0, width).map((_, i) => colOf(node, i));
  for (const w of calls) exprs.push(colOf(node, width + order.indexOf(w)));
  return { op: 'project', input: node, exprs, types: exprs.map((e) => e.type), locus: node.locus };
}

const colOf = (n: PlanNode, index: number): BoundExpr => ({ kind: 'col', index, type: n.types[index]! });

/** An AST node's text with its positions left out: what makes two expressions the same. */
function textOf(x: unknown): string {
  const strip = (y: unknown): unknown => {
    if (Array.isArray(y)) return y.map(strip);
    if (typeof y !== 'object' || y === null) return y;
    return Object.fromEntries(
      Object.entries(y)
        .filter(([k]) => k !== 'pos')
        .map(([k, v]) => [k, strip(v)]),
    );
  };
  return JSON.stringify(strip(x));
}

/** What makes two calls' windows the same: their PARTITION BY and ORDER BY. */
function specKey(call: CallExpr): unknown {
  const spec = call.over!;
  return textOf({ p: spec.partitionBy, o: spec.orderBy });
}

/** Each computed column's first twin (the same expression computed for another call), or itself. */
function sameColumns(values: SelectTarget[], base: number): (col: number) => number {
  const first = new Map<string, number>();
  const twin = values.map((t, i) => {
    // A volatile expression computed twice gives two values: no twin.
    const key = t.kind === 'expr' && !callsVolatile(t.expr) ? textOf(t.expr) : `*${i}`;
    if (!first.has(key)) first.set(key, i);
    return first.get(key)!;
  });
  return (col) => (col >= base ? base + twin[col - base]! : col);
}

function callsVolatile(e: unknown): boolean {
  if (Array.isArray(e)) return e.some(callsVolatile);
  if (typeof e !== 'object' || e === null) return false;
  const n = e as { kind?: string; name?: unknown };
  if (n.kind === 'call' && typeof n.name === 'string' && isVolatileName(n.name)) return true;
  return Object.values(e).some(callsVolatile);
}

/** Whether rows of equal `keys` are already on one segment: every hash key is among them. */
function distributedBy(locus: Locus, keys: number[], same: (col: number) => number): boolean {
  const wanted = new Set(keys.map(same));
  return locus.kind === 'hashed' && locus.keys.every((k) => k.some((c) => wanted.has(same(c))));
}
