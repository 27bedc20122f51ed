/**
 * Aggregation (GROUP BY, aggregates, HAVING) in two phases: a partial aggregate on each
 * segment, a motion, and a final aggregate that combines the partial states — or one phase
 * when the input is already hashed on the grouping keys (every group lives on one segment).
 */
import { sqlError } from '../errors.ts';
import type { CallExpr, Expr, SelectStmt, SortItem } from '../sql/ast.ts';
import {
  bindAggregateCall,
  bindBooleanCondition,
  bindExpr,
  coerce,
  isAggregateName,
  type BindScope,
} from '../sql/bind-expr.ts';
import type { BoundExpr } from '../sql/expr-bound.ts';
import { requireEquality, T, type SqlType } from '../sql/types.ts';
import { colocatedOn, columnIndex, gather, onSegments, redistribute, spreadLike } from './locus.ts';
import type { AggSpec, PlanNode, SortKey } from './plan.ts';
import type { Planner, RelPlan } from './planner.ts';
import { mapExpr, sameExpr, Scope } from './scope.ts';

/** Does the select list, HAVING or ORDER BY call an aggregate (outside subqueries)? */
export function queryHasAggregates(q: SelectStmt): boolean {
  const exprs: Expr[] = [];
  for (const t of q.targets) if (t.kind === 'expr') exprs.push(t.expr);
  if (q.having) exprs.push(q.having);
  for (const o of q.orderBy) exprs.push(o.expr);
  return exprs.some(hasAgg);
}

function hasAgg(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const n = e as { kind?: string; name?: string };
  if (n.kind === 'call' && n.name && isAggregateName(n.name)) return true;
  if (n.kind === 'subquery' || n.kind === 'exists' || n.kind === 'inSubquery') return false;
  return Object.values(e).some((v) => (Array.isArray(v) ? v.some(hasAgg) : hasAgg(v)));
}

export interface AggPlan {
  node: PlanNode;
  targets: BoundExpr[];
  names: string[];
  order: { key: SortKey; item: SortItem }[];
  scope: Scope;
}

/** Marker for an aggregate's output inside expressions bound over the input. */
const AGG_MARK = -1_000_000;

export function planAggregation(planner: Planner, rel: RelPlan, q: SelectStmt): AggPlan {
  const scope = rel.scope;
  const aggs: AggSpec[] = [];
  const bindAgg = (call: CallExpr, bindArg: (e: Expr) => BoundExpr): BoundExpr => {
    const inner: BindScope = planner.exprScope(scope, 'aggregate function calls');
    const nested = (e: Expr) => {
      if (hasAgg(e))
        throw sqlError('grouping_error', 'aggregate function calls cannot be nested', { position: call.pos });
      return bindExpr(e, inner);
    };
    void bindArg;
    const b = bindAggregateCall(call, nested);
    const spec: AggSpec = { key: b.key, args: b.args, distinct: b.distinct, name: b.name, type: b.type };
    if (b.filter) spec.filter = b.filter;
    if (b.order) spec.order = b.order;
    const existing = aggs.findIndex((a) => sameSpec(a, spec));
    const idx = existing >= 0 ? existing : aggs.push(spec) - 1;
    return { kind: 'param', index: AGG_MARK - idx, type: b.type };
  };
  const withAggs = (clause: string): BindScope => ({
    ...planner.exprScope(scope, clause),
    bindAggregate: bindAgg,
  });

  // GROUP BY items: an output ordinal, an output alias, or an expression over the input.
  const { exprs: rawTargets, names } = planner.bindTargets(q.targets, scope, withAggs('SELECT'));
  const groupKeys: BoundExpr[] = q.groupBy.map((g) => {
    if (g.kind === 'literal' && g.literalType === 'integer') {
      // Postgres' scanner reads a literal past int4 as a float: not a position.
      if (Math.abs(Number(g.text ?? g.value)) > 2147483647)
        throw sqlError('syntax_error', 'non-integer constant in GROUP BY', { position: g.pos });
      const n = Number(g.value);
      if (n < 1 || n > rawTargets.length)
        throw sqlError('invalid_column_reference', `GROUP BY position ${n} is not in select list`, {
          position: g.pos,
        });
      const t = rawTargets[n - 1]!;
      if (containsAgg(t))
        throw sqlError('grouping_error', 'aggregate functions are not allowed in GROUP BY', {
          position: g.pos,
        });
      return t;
    }
    if (g.kind === 'column' && g.table === undefined && scope.lookup(g) === undefined) {
      const at = names.indexOf(g.name);
      if (at >= 0) return rawTargets[at]!;
    }
    if (hasAgg(g))
      throw sqlError('grouping_error', 'aggregate functions are not allowed in GROUP BY', {
        position: g.pos,
      });
    return bindExpr(g, planner.exprScope(scope, 'GROUP BY'));
  });
  groupKeys.forEach((k, i) => requireEquality(k.type, q.groupBy[i]?.pos));

  // Expressions over the aggregate's output: group keys first, then the aggregates.
  const nk = groupKeys.length;
  const lift = (e: BoundExpr, pos: number): BoundExpr =>
    mapExpr(e, (x) => {
      const k = groupKeys.findIndex((g) => sameExpr(g, x));
      if (k >= 0) return { kind: 'col', index: k, type: x.type };
      if (x.kind === 'param' && x.index <= AGG_MARK)
        return { kind: 'col', index: nk + (AGG_MARK - x.index), type: x.type };
      if (x.kind === 'col') {
        const c = scope.columns[x.index]!;
        throw sqlError(
          'grouping_error',
          `column "${c.rel ? `${c.rel}.` : ''}${c.name}" must appear in the GROUP BY clause or be used in an aggregate function`,
          { position: pos },
        );
      }
      return undefined;
    });
  const targets = rawTargets.map((t, i) => lift(t, q.targets[i]?.pos ?? q.pos));
  let having: BoundExpr | undefined;
  if (q.having) having = lift(bindBooleanCondition(q.having, withAggs('HAVING'), 'HAVING'), q.having.pos);
  const order = q.orderBy.map((item) => {
    const key = planner.bindSortKey(item, scope, rawTargets, names, withAggs('ORDER BY'));
    return { item, key: { ...key, expr: lift(key.expr, item.pos) } };
  });

  const outTypes: SqlType[] = [...groupKeys.map((g) => g.type), ...aggs.map((a) => a.type)];
  let node = distributeAgg(planner, rel.node, groupKeys, aggs, outTypes);
  if (having) node = { op: 'filter', input: node, cond: having, types: node.types, locus: node.locus };
  const aggScope = new Scope(outTypes.map((type, i) => ({ rel: undefined, name: `agg${i}`, type })));
  return { node, targets, names, order, scope: aggScope };
}

function sameSpec(a: AggSpec, b: AggSpec): boolean {
  return (
    a.key === b.key &&
    a.distinct === b.distinct &&
    a.args.length === b.args.length &&
    a.args.every((x, i) => sameExpr(x, b.args[i]!)) &&
    (a.filter === undefined) === (b.filter === undefined) &&
    (!a.filter || sameExpr(a.filter, b.filter!)) &&
    (a.order?.length ?? 0) === (b.order?.length ?? 0) &&
    (a.order ?? []).every(
      (o, i) =>
        o.descending === b.order![i]!.descending &&
        o.nullsFirst === b.order![i]!.nullsFirst &&
        sameExpr(o.expr, b.order![i]!.expr),
    )
  );
}

function containsAgg(e: BoundExpr): boolean {
  let found = false;
  mapExpr(e, (x) => {
    if (x.kind === 'param' && x.index <= AGG_MARK) found = true;
    return undefined;
  });
  return found;
}

/** Places the aggregate: one phase when groups are co-located, two phases otherwise. */
function distributeAgg(
  planner: Planner,
  input: PlanNode,
  keys: BoundExpr[],
  aggs: AggSpec[],
  outTypes: SqlType[],
): PlanNode {
  const strategy = keys.length ? 'hashed' : 'plain';
  const keyCols = keys.map(columnIndex);
  const single = (n: PlanNode): PlanNode => ({
    op: 'agg',
    input: n,
    groupKeys: keys,
    aggs,
    phase: 'single',
    strategy,
    types: outTypes,
    locus: keys.length ? groupLocus(n, keyCols, outTypes) : n.locus,
  });
  if (!onSegments(input.locus) || input.locus.kind === 'single') return single(input);
  if (input.locus.kind === 'replicated') return single(gather(input, planner.slices));
  // Every group on one segment: the input is hashed on (a subset of) the grouping keys.
  if (
    keys.length &&
    colocatedOn(
      input,
      keyCols,
      keys.map((k) => k.type),
    )
  )
    return single(input);
  if (aggs.some((a) => a.distinct || a.order)) {
    // DISTINCT and ordered aggregates: bring every row of a group together first.
    if (!keys.length) return single(gather(input, planner.slices));
    const hashed = redistributeOn(planner, input, keys);
    return single(hashed);
  }
  // Two phases: partial states per segment, then combine.
  const partialTypes: SqlType[] = [...keys.map((k) => k.type), ...aggs.map(() => T.text)];
  const partial: PlanNode = {
    op: 'agg',
    input,
    groupKeys: keys,
    aggs,
    phase: 'partial',
    strategy,
    types: partialTypes,
    locus: input.locus,
  };
  const finalKeys: BoundExpr[] = keys.map((k, i) => ({ kind: 'col', index: i, type: k.type }));
  const combine = (n: PlanNode): PlanNode => ({
    op: 'agg',
    input: n,
    groupKeys: finalKeys,
    aggs,
    phase: 'final',
    strategy,
    types: outTypes,
    locus: n.locus,
  });
  if (!keys.length) return combine(gather(partial, planner.slices));
  return combine(
    redistribute(
      partial,
      keys.map((_, i) => i),
      planner.slices,
    ),
  );
}

function redistributeOn(planner: Planner, input: PlanNode, keys: BoundExpr[]): PlanNode {
  const cols = keys.map(columnIndex);
  if (cols.every((c) => c !== undefined)) return redistribute(input, cols as number[], planner.slices);
  // Hash on computed keys: project them as extra columns first.
  const exprs: BoundExpr[] = [
    ...input.types.map((type, i) => ({ kind: 'col', index: i, type }) as BoundExpr),
    ...keys,
  ];
  const projected = planner.project(input, exprs);
  return redistribute(
    projected,
    keys.map((_, i) => input.types.length + i),
    planner.slices,
  );
}

/** The aggregate's output locus: hashed on the group-key columns that hold the input's keys. */
function groupLocus(n: PlanNode, keyCols: (number | undefined)[], outTypes: SqlType[]): PlanNode['locus'] {
  const l = n.locus;
  if (l.kind !== 'hashed') return l;
  const keys = l.keys.map((alts) =>
    keyCols.flatMap((c, at) => (c !== undefined && alts.includes(c) ? [at] : [])),
  );
  if (keys.some((k) => !k.length)) return spreadLike({ kind: 'strewn' }, l);
  void outTypes;
  return { ...l, keys };
}

export { coerce };
