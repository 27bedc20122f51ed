/**
 * Joins: a FROM item's JOIN (NATURAL and USING included), and the placement of a join's inputs.
 * An equality between the two sides makes a hash join, co-located when both sides are hashed on
 * its keys, else with a motion (join-place.ts); any other condition a nested loop.
 */
import type { Expr, FromItem } from '../sql/ast.ts';
import { bindBooleanCondition } from '../sql/bind-expr.ts';
import type { BoundExpr } from '../sql/expr-bound.ts';
import { T } from '../sql/types.ts';
import { placeEquiJoin, placeJoin } from './join-place.ts';
import type { PlanNode } from './plan.ts';
import type { Planner, RelPlan } from './planner.ts';
import { columnsOf, remapColumns, Scope } from './scope.ts';

/** A JOIN item of FROM; NATURAL and USING become equalities on the columns they name. */
export function planJoinItem(p: Planner, j: Extract<FromItem, { kind: 'join' }>): RelPlan {
  const left = p.planFromItem(j.left);
  const right = p.planFromItem(j.right);
  if (j.natural || j.using) {
    const names =
      j.using ??
      left.scope.columns
        .filter((c) => !c.hidden && right.scope.columns.some((r) => !r.hidden && r.name === c.name))
        .map((c) => c.name);
    let cond: Expr | undefined;
    for (const n of names) {
      const eq: Expr = {
        kind: 'binary',
        op: '=',
        left: {
          kind: 'column',
          table: left.scope.columns.find((c) => c.name === n)?.rel,
          name: n,
          pos: j.pos,
        } as Expr,
        right: {
          kind: 'column',
          table: right.scope.columns.find((c) => c.name === n)?.rel,
          name: n,
          pos: j.pos,
        } as Expr,
        pos: j.pos,
      };
      cond = cond ? { kind: 'binary', op: 'and', left: cond, right: eq, pos: j.pos } : eq;
    }
    const joined = join(p, left, right, j.joinType === 'cross' ? 'inner' : j.joinType, cond, j.pos);
    // USING columns appear once: hide the right side's copies.
    const cols = joined.scope.columns.map((c, i) =>
      i >= left.scope.columns.length && names.includes(c.name) ? { ...c, merged: true } : c,
    );
    return { node: joined.node, scope: new Scope(cols) };
  }
  return join(p, left, right, j.joinType, j.on, j.pos);
}

/** Joins two relations, placing motions as needed. */
export function join(
  p: Planner,
  left: RelPlan,
  right: RelPlan,
  type: 'inner' | 'left' | 'right' | 'full' | 'cross',
  on: Expr | undefined,
  pos: number,
): RelPlan {
  if (type === 'right') {
    // A right join is a left join with the sides swapped; columns are put back in order.
    const swapped = join(p, right, left, 'left', on, pos);
    const nr = right.scope.columns.length;
    const exprs: BoundExpr[] = [
      ...left.scope.columns.map((c, i) => ({ kind: 'col', index: nr + i, type: c.type }) as BoundExpr),
      ...right.scope.columns.map((c, i) => ({ kind: 'col', index: i, type: c.type }) as BoundExpr),
    ];
    return {
      node: p.project(swapped.node, exprs),
      scope: new Scope([...left.scope.columns, ...right.scope.columns]),
    };
  }
  const scope = new Scope([...left.scope.columns, ...right.scope.columns]);
  const cond = on ? bindBooleanCondition(on, p.exprScope(scope, 'JOIN/ON'), 'JOIN/ON') : undefined;
  return joinBound(p, left, right, type, cond);
}

/** Joins two relations on a bound condition over (left ++ right) columns. */
export function joinBound(
  p: Planner,
  left: RelPlan,
  right: RelPlan,
  type: 'inner' | 'left' | 'full' | 'cross',
  cond: BoundExpr | undefined,
): RelPlan {
  const scope = new Scope([...left.scope.columns, ...right.scope.columns]);
  const nLeft = left.scope.columns.length;
  const conjuncts = cond ? splitAnd(cond) : [];
  const leftKeys: BoundExpr[] = [];
  const rightKeys: BoundExpr[] = [];
  const eqKeys: string[] = [];
  const rest: BoundExpr[] = [];
  for (const c of conjuncts) {
    const eq = equiJoinKey(c, nLeft);
    if (eq) {
      leftKeys.push(eq.left);
      rightKeys.push(remapColumns(eq.right, (i) => i - nLeft));
      eqKeys.push(eq.key);
    } else rest.push(c);
  }
  const extra = rest.length ? andAll(rest) : undefined;
  const types = [...left.node.types, ...right.node.types];
  const joinType = type === 'cross' ? 'inner' : type;
  if (leftKeys.length) {
    const {
      left: l,
      right: r,
      locus,
    } = placeEquiJoin(left.node, right.node, leftKeys, rightKeys, joinType, p.slices, p.keepLeftInPlace);
    const node: PlanNode = {
      op: 'hashJoin',
      left: l,
      right: r,
      joinType,
      leftKeys,
      rightKeys,
      eqKeys,
      types,
      locus,
    };
    if (extra) node.extra = extra;
    return { node, scope };
  }
  const { left: l, right: r, locus } = placeJoin(left.node, right.node, joinType, p.slices);
  const node: PlanNode = { op: 'nestLoop', left: l, right: r, joinType, types, locus };
  if (extra) node.cond = extra;
  return { node, scope };
}

export function splitAnd(e: BoundExpr): BoundExpr[] {
  return e.kind === 'and' ? e.args.flatMap(splitAnd) : [e];
}

export function andAll(parts: BoundExpr[]): BoundExpr {
  return parts.length === 1 ? parts[0]! : { kind: 'and', args: parts, type: T.bool };
}

/** `l = r` with l over the left input only and r over the right input only. */
function equiJoinKey(
  c: BoundExpr,
  nLeft: number,
): { left: BoundExpr; right: BoundExpr; key: string } | undefined {
  if (c.kind !== 'func' || c.args.length !== 2) return undefined;
  if (!c.key.startsWith('op=(')) return undefined;
  const [a, b] = c.args as [BoundExpr, BoundExpr];
  const ca = columnsOf(a);
  const cb = columnsOf(b);
  if (!ca.size || !cb.size) return undefined;
  const allLeft = (s: Set<number>) => [...s].every((i) => i < nLeft);
  const allRight = (s: Set<number>) => [...s].every((i) => i >= nLeft);
  if (allLeft(ca) && allRight(cb)) return { left: a, right: b, key: c.key };
  if (allLeft(cb) && allRight(ca)) return { left: b, right: a, key: c.key };
  return undefined;
}
