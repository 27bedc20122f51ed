/** VALUES lists and set operations (UNION [ALL], INTERSECT, EXCEPT), with their ORDER BY and LIMIT. */
import { sqlError } from '../errors.ts';
import type { Query } from '../sql/ast.ts';
import { bindExpr, coerce } from '../sql/bind-expr.ts';
import type { BoundExpr } from '../sql/expr-bound.ts';
import { commonType, requireEquality, T, type SqlType } from '../sql/types.ts';
import type { PlanNode, SortKey } from './plan.ts';
import type { PlannedQuery, Planner } from './planner.ts';
import { Scope } from './scope.ts';

/** A VALUES list: each column's type is the common type of its rows. */
export function planValues(
  p: Planner,
  q: Extract<Query, { kind: 'values' }>,
): PlannedQuery & { mergeKeys?: SortKey[] } {
  const empty = new Scope([]);
  const width = q.rows[0]?.length ?? 0;
  const bound = q.rows.map((row) => {
    if (row.length !== width)
      throw sqlError('syntax_error', 'VALUES lists must all be the same length', { position: q.pos });
    return row.map((e) => {
      if (e.kind === 'default')
        throw sqlError('syntax_error', 'DEFAULT is not allowed in this context', { position: e.pos });
      return bindExpr(e, p.exprScope(empty, 'VALUES'));
    });
  });
  const types: SqlType[] = [];
  for (let c = 0; c < width; c++) {
    const t = commonType(bound.map((r) => r[c]!.type));
    types.push(t.name === 'unknown' ? T.text : t);
  }
  const rows = bound.map((r) => r.map((e, c) => coerce(e, types[c]!, 'implicit')));
  let node: PlanNode = { op: 'values', rows, types, locus: { kind: 'general' } };
  const columns = types.map((type, i) => ({ name: `column${i + 1}`, type }));
  const scope = new Scope(columns.map((c) => ({ rel: undefined, name: c.name, type: c.type })));
  const keys = q.orderBy.map((item) =>
    p.bindSortKey(
      item,
      scope,
      columns.map((c, i) => ({ kind: 'col', index: i, type: c.type }) as BoundExpr),
      columns.map((c) => c.name),
    ),
  );
  node = p.sortAndLimit(node, keys, q.limit, q.offset).node;
  return { node, columns };
}

/** UNION, INTERSECT, EXCEPT: on the coordinator, where equal rows meet. */
export function planSetOp(
  p: Planner,
  q: Extract<Query, { kind: 'setop' }>,
): PlannedQuery & { mergeKeys?: SortKey[] } {
  // A chain of UNION ALL (left-deep as parsed) is one Append of its operands, planned in a
  // loop: a 2,000-way UNION ALL recurses no deeper than a two-way one.
  const operands: Query[] = [q.right];
  let first: Query = q.left;
  if (q.op === 'union' && q.all)
    while (
      first.kind === 'setop' &&
      first.op === 'union' &&
      first.all &&
      !first.orderBy.length &&
      first.limit === undefined &&
      first.offset === undefined
    ) {
      operands.push(first.right);
      first = first.left;
    }
  operands.push(first);
  operands.reverse();
  const planned = operands.map((o) => p.planQuery(o));
  const l = planned[0]!;
  for (const r of planned.slice(1))
    if (l.columns.length !== r.columns.length)
      throw sqlError(
        'syntax_error',
        `each ${q.op.toUpperCase()} query must have the same number of columns`,
        {
          position: q.pos,
        },
      );
  // Types resolve pairwise from the left, as nested set operations do.
  const types = l.columns.map((c, i) => {
    let t = c.type;
    for (const r of planned.slice(1)) t = commonType([t, r.columns[i]!.type], q.op.toUpperCase());
    return t.name === 'unknown' ? T.text : t;
  });
  const cast = (x: PlannedQuery) =>
    p.project(
      x.node,
      x.columns.map((c, i) => coerce({ kind: 'col', index: i, type: c.type }, types[i]!, 'implicit')),
    );
  // Set operations run where equal rows meet: on the coordinator (small results) for simplicity.
  const inputs = planned.map((x) => p.toEntry(cast(x)));
  let node: PlanNode =
    inputs.length > 2
      ? { op: 'append', inputs, types, locus: { kind: 'entry' } }
      : {
          op: 'setop',
          kind: q.op,
          all: q.all,
          left: inputs[0]!,
          right: inputs[1]!,
          types,
          locus: { kind: 'entry' },
        };
  if (!q.all) for (const t of types) requireEquality(t, q.pos);
  const columns = l.columns.map((c, i) => ({ name: c.name, type: types[i]! }));
  const scope = new Scope(columns.map((c) => ({ rel: undefined, name: c.name, type: c.type })));
  const outs = columns.map((c, i) => ({ kind: 'col', index: i, type: c.type }) as BoundExpr);
  const keys = q.orderBy.map((item) =>
    p.bindSortKey(
      item,
      scope,
      outs,
      columns.map((c) => c.name),
    ),
  );
  node = p.sortAndLimit(node, keys, q.limit, q.offset).node;
  return { node, columns };
}
