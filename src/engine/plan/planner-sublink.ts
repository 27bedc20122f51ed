/**
 * Correlated subqueries become joins, as Greenplum's planner pulls them up:
 * - `EXISTS (SELECT ... WHERE inner.k = outer.k ...)` in WHERE → a semi join on k;
 * - `NOT EXISTS` → an anti join; `x IN (SELECT y ...)` → a semi join on x = y;
 * - `x NOT IN (SELECT y ...)` → a null-aware anti join (a NULL anywhere makes it unknown);
 * - a scalar subquery in the select list → a left join that must match at most one row.
 * Uncorrelated subqueries never get here: they ran first, as InitPlans.
 */
import { sqlError } from '../errors.ts';
import type { ColumnRef, Expr, Query, SelectStmt, SelectTarget } from '../sql/ast.ts';
import { bindBooleanCondition, bindExpr, coerce, type BindScope } from '../sql/bind-expr.ts';
import type { BoundExpr } from '../sql/expr-bound.ts';
import { resolveOperator } from '../sql/functions.ts';
import { commonType, T } from '../sql/types.ts';
import { queryHasAggregates } from './planner-agg.ts';
import { placeEquiJoin, placeJoin } from './join-place.ts';
import type { PlanNode } from './plan.ts';
import type { Planner, RelPlan } from './planner.ts';
import { columnsOf, remapColumns, Scope } from './scope.ts';

type Sublink = {
  kind: 'exists' | 'inSubquery' | 'subquery';
  query: Query;
  pos: number;
  not?: boolean;
  expr?: Expr;
};

interface Decorrelated {
  inner: RelPlan;
  outerKeys: BoundExpr[];
  innerKeys: BoundExpr[];
  /** Conditions over (outer ++ inner) columns that are not simple equalities. */
  extra: BoundExpr[];
}

/** Splits an AND tree of AST conjuncts. */
export function conjuncts(e: Expr): Expr[] {
  return e.kind === 'binary' && e.op === 'and' ? [...conjuncts(e.left), ...conjuncts(e.right)] : [e];
}

/** The AND of AST conjuncts (undefined for none). */
export function andAst(parts: Expr[]): Expr | undefined {
  return parts.reduce<Expr | undefined>(
    (acc, p) => (acc ? { kind: 'binary', op: 'and', left: acc, right: p, pos: p.pos } : p),
    undefined,
  );
}

/** Pulls correlated EXISTS / IN conjuncts of WHERE up into joins; returns what is left of WHERE. */
export function pullUpSublinks(
  planner: Planner,
  rel: RelPlan,
  where: Expr,
): { rel: RelPlan; where: Expr | undefined } {
  const rest: Expr[] = [];
  let cur = rel;
  for (const c of conjuncts(where)) {
    let node: Expr = c;
    let negated = false;
    if (
      node.kind === 'unary' &&
      node.op === 'not' &&
      (node.operand.kind === 'exists' || node.operand.kind === 'inSubquery')
    ) {
      negated = true;
      node = node.operand;
    }
    if ((node.kind === 'exists' || node.kind === 'inSubquery') && !planner.env.initplans.has(node)) {
      const not = negated !== (node.kind === 'inSubquery' && node.not);
      cur = semiJoin(planner, cur, node as Sublink, not);
      continue;
    }
    rest.push(c);
  }
  return { rel: cur, where: andAst(rest) };
}

function semiJoin(planner: Planner, outer: RelPlan, link: Sublink, not: boolean): RelPlan {
  const q = simpleSelect(link.query, link.pos);
  const d = decorrelate(planner, outer, q, link.pos);
  let nullAware = false;
  if (link.kind === 'inSubquery') {
    const targets = bindInnerTargets(planner, d.inner, q.targets);
    if (targets.length !== 1)
      throw sqlError('syntax_error', 'subquery has too many columns', { position: link.pos });
    const x = bindExpr(link.expr!, planner.exprScope(outer.scope, 'WHERE'));
    const t = commonType([x.type, targets[0]!.type]);
    d.outerKeys.unshift(coerce(x, t, 'implicit'));
    d.innerKeys.unshift(coerce(targets[0]!, t, 'implicit'));
    nullAware = not;
  }
  const joinType = not ? 'anti' : 'semi';
  const node = joinNodes(planner, outer.node, d, joinType, nullAware, false);
  return { node, scope: outer.scope };
}

/** Scalar subqueries in the select list that refer to the outer query: left joins. */
export function attachScalarSubqueries(
  planner: Planner,
  rel: RelPlan,
  targets: SelectTarget[],
  columns: Map<object, number>,
): RelPlan {
  let cur = rel;
  const found: Sublink[] = [];
  const walk = (n: unknown) => {
    if (typeof n !== 'object' || n === null) return;
    if (Array.isArray(n)) return n.forEach(walk);
    const node = n as Sublink;
    if (node.kind === 'subquery' && node.query && !('alias' in (n as object))) {
      if (!planner.env.initplans.has(node)) found.push(node);
      return;
    }
    Object.values(n).forEach(walk);
  };
  walk(targets);
  for (const link of found) {
    const q = simpleSelect(link.query, link.pos);
    const d = decorrelate(planner, cur, q, link.pos);
    const values = bindInnerTargets(planner, d.inner, q.targets);
    if (values.length !== 1)
      throw sqlError('syntax_error', 'subquery must return only one column', { position: link.pos });
    // The inner side carries the value as an extra column; the join allows one match per row.
    const innerWidth = d.inner.node.types.length;
    const inner: RelPlan = {
      node: planner.project(d.inner.node, [
        ...d.inner.node.types.map((type, i) => ({ kind: 'col', index: i, type }) as BoundExpr),
        values[0]!,
      ]),
      scope: new Scope([
        ...d.inner.scope.columns,
        { rel: undefined, name: '', type: values[0]!.type, hidden: true },
      ]),
    };
    const node = joinNodes(planner, cur.node, { ...d, inner }, 'left', false, true);
    const outerWidth = cur.node.types.length;
    columns.set(link, outerWidth + innerWidth);
    const hiddenInner = inner.scope.columns.map((c) => ({ ...c, name: '', hidden: true }));
    cur = { node, scope: new Scope([...cur.scope.columns, ...hiddenInner]) };
  }
  return cur;
}

function simpleSelect(q: Query, pos: number): SelectStmt {
  if (
    q.kind !== 'select' ||
    q.groupBy.length ||
    q.having ||
    q.distinct ||
    q.limit ||
    q.offset ||
    queryHasAggregates(q)
  )
    throw sqlError(
      'feature_not_supported',
      'correlated subqueries with aggregates, grouping, LIMIT or set operations are not supported',
      {
        position: pos,
      },
    );
  return q;
}

/** Plans the subquery's FROM and sorts its WHERE into inner filters, join keys and the rest. */
function decorrelate(planner: Planner, outer: RelPlan, q: SelectStmt, pos: number): Decorrelated {
  let inner = planner.planFrom(q.from);
  const no = outer.scope.columns.length;
  // Inner names shadow outer ones, as nested scopes do in SQL.
  const scope: BindScope = {
    clause: 'WHERE',
    resolveColumn: (ref: ColumnRef) => {
      const i = inner.scope.lookup(ref);
      if (i !== undefined) return { kind: 'col', index: no + i, type: inner.scope.columns[i]!.type };
      const visible = [...inner.scope.columns, ...outer.scope.columns];
      // A name qualified by the subquery's own relation is that level's: its error (lookup failed).
      if (ref.table !== undefined && inner.scope.columns.some((c) => c.rel === ref.table))
        return inner.scope.resolve(ref, visible);
      return outer.scope.resolve(ref, visible);
    },
  };
  const outerKeys: BoundExpr[] = [];
  const innerKeys: BoundExpr[] = [];
  const extra: BoundExpr[] = [];
  const local: BoundExpr[] = [];
  for (const c of q.where ? conjuncts(q.where) : []) {
    const b = bindBooleanCondition(c, scope, 'WHERE');
    const cols = [...columnsOf(b)];
    if (cols.every((i) => i >= no)) {
      local.push(remapColumns(b, (i) => i - no));
      continue;
    }
    if (b.kind === 'func' && b.key.startsWith('op=(') && b.args.length === 2) {
      const [x, y] = b.args as [BoundExpr, BoundExpr];
      const xs = [...columnsOf(x)];
      const ys = [...columnsOf(y)];
      const isOuter = (s: number[]) => s.length > 0 && s.every((i) => i < no);
      const isInner = (s: number[]) => s.length > 0 && s.every((i) => i >= no);
      if (isOuter(xs) && isInner(ys)) {
        outerKeys.push(x);
        innerKeys.push(remapColumns(y, (i) => i - no));
        continue;
      }
      if (isInner(xs) && isOuter(ys)) {
        outerKeys.push(y);
        innerKeys.push(remapColumns(x, (i) => i - no));
        continue;
      }
    }
    extra.push(b);
  }
  if (local.length) {
    const cond: BoundExpr = local.length === 1 ? local[0]! : { kind: 'and', args: local, type: T.bool };
    inner = {
      node: { op: 'filter', input: inner.node, cond, types: inner.node.types, locus: inner.node.locus },
      scope: inner.scope,
    };
  }
  void pos;
  return { inner, outerKeys, innerKeys, extra };
}

function bindInnerTargets(planner: Planner, inner: RelPlan, targets: SelectTarget[]): BoundExpr[] {
  return planner.bindTargets(targets, inner.scope).exprs;
}

function joinNodes(
  planner: Planner,
  left: PlanNode,
  d: Decorrelated,
  joinType: 'semi' | 'anti' | 'left',
  nullAware: boolean,
  singleMatch: boolean,
): PlanNode {
  const right = d.inner.node;
  const extra = d.extra.length
    ? d.extra.length === 1
      ? d.extra[0]!
      : ({ kind: 'and', args: d.extra, type: T.bool } as BoundExpr)
    : undefined;
  const types = joinType === 'left' ? [...left.types, ...right.types] : left.types;
  if (d.outerKeys.length) {
    const eqKeys = d.outerKeys.map((k, i) => {
      const t = commonType([k.type, d.innerKeys[i]!.type]);
      d.outerKeys[i] = coerce(k, t, 'implicit');
      d.innerKeys[i] = coerce(d.innerKeys[i]!, t, 'implicit');
      return resolveOperator('=', [t, t]).key;
    });
    // NOT IN needs every inner row its correlation admits, whatever its value: co-locate on
    // the correlation keys only, or bring the whole inner side to every outer row.
    const placeKeys = nullAware ? 1 : 0;
    const {
      left: l,
      right: r,
      locus,
    } = d.outerKeys.length > placeKeys
      ? placeEquiJoin(
          left,
          right,
          d.outerKeys.slice(placeKeys),
          d.innerKeys.slice(placeKeys),
          joinType,
          planner.slices,
          planner.keepLeftInPlace,
        )
      : placeJoin(left, right, joinType, planner.slices);
    const node: PlanNode = {
      op: 'hashJoin',
      left: l,
      right: r,
      joinType,
      leftKeys: d.outerKeys,
      rightKeys: d.innerKeys,
      eqKeys,
      types,
      locus,
    };
    if (extra) node.extra = extra;
    if (nullAware) node.nullAware = true;
    if (singleMatch) node.singleMatch = true;
    return node;
  }
  const { left: l, right: r, locus } = placeJoin(left, right, joinType, planner.slices);
  const node: PlanNode = { op: 'nestLoop', left: l, right: r, joinType, types, locus };
  if (extra) node.cond = extra;
  if (singleMatch) node.singleMatch = true;
  return node;
}
