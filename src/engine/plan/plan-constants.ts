/**
 * The errors of a plan's constant expressions, raised while planning as Postgres raises them
 * (eval_const_expressions folds every expression of the query before it runs), not when the
 * executor first reaches them: a LIMIT 0 or an empty table does not spare a failing constant.
 */
import type { BoundExpr } from '../sql/expr-bound.ts';
import { raiseConstantErrors } from '../sql/eval.ts';
import { children, type PlanNode } from './plan.ts';

/** The constant errors of every expression of a plan, top down (see planInPlace). */
export function raisePlanConstantErrors(n: PlanNode): void {
  for (const e of nodeExpressions(n)) raiseConstantErrors(e);
  for (const c of children(n)) raisePlanConstantErrors(c);
}

function nodeExpressions(n: PlanNode): BoundExpr[] {
  const some = (...xs: (BoundExpr | undefined)[]) => xs.filter((x): x is BoundExpr => x !== undefined);
  switch (n.op) {
    case 'project':
    case 'result':
      return n.exprs;
    case 'scan':
      return some(n.filter);
    case 'filter':
      return [n.cond];
    case 'values':
      return n.rows.flat();
    case 'generateSeries':
      return n.args;
    case 'hashJoin':
      return [...n.leftKeys, ...n.rightKeys, ...some(n.extra)];
    case 'nestLoop':
      return some(n.cond);
    case 'agg':
      return [...n.groupKeys, ...n.aggs.flatMap((a) => [...a.args, ...some(a.filter)])];
    case 'sort':
      return n.keys.map((k) => k.expr);
    case 'limit':
      return some(n.limit, n.offset);
    default:
      return [];
  }
}
