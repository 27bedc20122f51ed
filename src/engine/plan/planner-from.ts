/**
 * FROM with WHERE, as Postgres' planner treats a comma-separated FROM list: the list's items are
 * relations joined by inner joins, so each WHERE conjunct can be applied where its columns first
 * meet. A conjunct over one relation filters that relation before any join (and may pin its
 * scan to one segment); a conjunct over several becomes a join condition (an equality between
 * two relations, a hash join's key). Joins are ordered greedily: from the first relation, the
 * next one joined is the first in FROM order that a condition connects to those already joined,
 * a cross join only when none is. Planning stays quadratic in the number of relations (Postgres
 * bounds its exhaustive search with join_collapse_limit and GEQO; a greedy order is the bound
 * here), and `SELECT ... FROM t1, ..., t50 WHERE t1.a = t2.b AND ...` joins along the chain
 * instead of building a cross product.
 *
 * Conjuncts holding subqueries stay in WHERE: they are pulled up into semi and anti joins (or
 * answered by InitPlans) over the joined relation.
 */
import type { Expr, FromItem } from '../sql/ast.ts';
import { bindBooleanCondition } from '../sql/bind-expr.ts';
import type { BoundExpr } from '../sql/expr-bound.ts';
import type { Planner, RelPlan } from './planner.ts';
import { andAll, joinBound, splitAnd } from './planner-join.ts';
import { columnsOf, remapColumns, Scope } from './scope.ts';
import { andAst, conjuncts } from './planner-sublink.ts';

/**
 * Does the expression hold a subquery that must be joined (a correlated one)? An uncorrelated
 * one ran as an InitPlan: its result is a constant to the binder.
 */
function hasSublink(e: unknown, initplans?: Map<object, unknown>): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const k = (e as { kind?: string }).kind;
  if ((k === 'exists' || k === 'inSubquery' || k === 'subquery') && 'query' in e)
    return !initplans?.has(e) || hasSublink((e as { expr?: unknown }).expr, initplans);
  return Object.values(e).some((v) =>
    Array.isArray(v) ? v.some((x) => hasSublink(x, initplans)) : hasSublink(v, initplans),
  );
}

interface Conjunct {
  cond: BoundExpr;
  /** Relations (FROM positions) it reads. */
  rels: Set<number>;
  /** An equality: a hash join key once its two sides are joined. */
  equality: boolean;
}

/** An explicit join whose inputs can be planned as members of the FROM list. */
function flattenable(item: FromItem): item is Extract<FromItem, { kind: 'join' }> {
  return (
    item.kind === 'join' &&
    (item.joinType === 'inner' || item.joinType === 'cross') &&
    !item.natural &&
    !item.using &&
    !hasSublink(item.on)
  );
}

/** Plans FROM and the WHERE conjuncts it can place; returns what is left of WHERE. */
export function planFromWhere(
  planner: Planner,
  items: FromItem[],
  where: Expr | undefined,
): { rel: RelPlan; where: Expr | undefined } {
  // The relations: FROM list items, inner joins opened up (their ON conditions join the
  // conjuncts, bound in their own scope, as written).
  const leaves: FromItem[] = [];
  const ons: { on: Expr; from: number; to: number }[] = [];
  const open = (item: FromItem) => {
    if (!flattenable(item)) return void leaves.push(item);
    const from = leaves.length;
    open(item.left);
    open(item.right);
    if (item.on) ons.push({ on: item.on, from, to: leaves.length });
  };
  items.forEach(open);
  if (leaves.length < 2) return { rel: planner.planFrom(items), where };
  const rels = leaves.map((item) => planner.planFromItem(item));
  const offsets: number[] = [];
  let width = 0;
  for (const r of rels) {
    offsets.push(width);
    width += r.scope.columns.length;
  }
  const relOf = (col: number) => {
    let i = offsets.length - 1;
    while (offsets[i]! > col) i--;
    return i;
  };
  const scope = new Scope(rels.flatMap((r) => r.scope.columns));
  const rest: Expr[] = [];
  const placed: Conjunct[] = [];
  const place = (cond: BoundExpr) => {
    for (const c of splitAnd(cond)) {
      const cols = columnsOf(c);
      const equality = c.kind === 'func' && c.key.startsWith('op=(') && c.args.length === 2;
      placed.push({ cond: c, rels: new Set([...cols].map(relOf)), equality });
    }
  };
  for (const { on, from, to } of ons) {
    const local = new Scope(rels.slice(from, to).flatMap((r) => r.scope.columns));
    const cond = bindBooleanCondition(on, planner.exprScope(local, 'JOIN/ON'), 'JOIN/ON');
    place(remapColumns(cond, (c) => c + offsets[from]!));
  }
  for (const c of where ? conjuncts(where) : []) {
    if (hasSublink(c, planner.env.initplans)) {
      rest.push(c);
      continue;
    }
    const cond = bindBooleanCondition(c, planner.exprScope(scope, 'WHERE'), 'WHERE');
    if (!columnsOf(cond).size) {
      rest.push(c);
      continue;
    }
    place(cond);
  }
  // An ON conjunct of constants only (ON false): the joins are inner, so it may filter any
  // relation; the first one.
  for (const p of placed) if (!p.rels.size) p.rels.add(0);

  // Filters of one relation first.
  const units = rels.map((r, i) => {
    const own = placed.filter((p) => p.rels.size === 1 && p.rels.has(i));
    if (!own.length) return r;
    const local = own.map((p) => remapColumns(p.cond, (c) => c - offsets[i]!));
    return planner.filterRel(r, andAll(local.flatMap(splitAnd)));
  });
  const pending = placed.filter((p) => p.rels.size > 1);

  // Greedy join order along the conditions.
  const joined = new Set<number>([0]);
  /** Global column of each column of the current relation. */
  let layout: number[] = rels[0]!.scope.columns.map((_, c) => offsets[0]! + c);
  let cur: RelPlan = units[0]!;
  const connects = (i: number, eqOnly: boolean) =>
    pending.some(
      (p) => (!eqOnly || p.equality) && p.rels.has(i) && [...p.rels].every((r) => r === i || joined.has(r)),
    );
  while (joined.size < rels.length) {
    const remaining = rels.map((_, i) => i).filter((i) => !joined.has(i));
    const next =
      remaining.find((i) => connects(i, true)) ?? remaining.find((i) => connects(i, false)) ?? remaining[0]!;
    joined.add(next);
    const nextLayout = rels[next]!.scope.columns.map((_, c) => offsets[next]! + c);
    const combined = [...layout, ...nextLayout];
    const at = new Map(combined.map((g, i) => [g, i]));
    const ready = pending.filter((p) => [...p.rels].every((r) => joined.has(r)));
    for (const p of ready) pending.splice(pending.indexOf(p), 1);
    const cond = ready.length
      ? andAll(ready.flatMap((p) => splitAnd(remapColumns(p.cond, (g) => at.get(g)!))))
      : undefined;
    cur = joinBound(planner, cur, units[next]!, cond ? 'inner' : 'cross', cond);
    layout = combined;
  }
  // Columns back in FROM order.
  const at = new Map(layout.map((g, i) => [g, i]));
  const node = planner.project(
    cur.node,
    scope.columns.map((col, g) => ({ kind: 'col', index: at.get(g)!, type: col.type }) as BoundExpr),
  );
  return { rel: { node, scope }, where: andAst(rest) };
}
