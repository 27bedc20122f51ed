/**
 * The order a filter's conjuncts run in, as Postgres' order_qual_clauses sets it (and so
 * Greenplum's planner): cheapest first by cost_qual_eval's per-row estimate, written order
 * among equals. It decides which conjunct stops a row first, so a costly one that would fail
 * (a cast out of range) never runs on a row a cheap one already rejected, as in Postgres.
 *
 * Costs, in cpu_operator_cost units: an operator or function call 1 (every built-in's procost),
 * a cast through text output and input 2, between string types 0, other casts 1; GREATEST and
 * LEAST 1; IN (list) half an operator per item; columns, constants, InitPlan results, AND, OR,
 * NOT, CASE, COALESCE and IS tests nothing of their own.
 */
import type { BoundExpr } from '../sql/expr-bound.ts';
import { isStringType } from '../sql/types.ts';

export function qualCost(e: BoundExpr): number {
  switch (e.kind) {
    case 'const':
    case 'col':
    case 'param':
    case 'caseTest':
      return 0;
    case 'func':
      return 1 + sum(e.args);
    case 'cast': {
      const from = e.arg.type.name;
      const to = e.type.name;
      const own = isStringType(from) && isStringType(to) ? 0 : isStringType(from) || isStringType(to) ? 2 : 1;
      return own + qualCost(e.arg);
    }
    case 'and':
    case 'or':
    case 'coalesce':
      return sum(e.args);
    case 'not':
    case 'isNull':
    case 'isBool':
      return qualCost(e.arg);
    case 'distinct':
    case 'nullif':
      return 1 + qualCost(e.left) + qualCost(e.right);
    case 'in':
      return Math.max(1, e.list.length * 0.5) + qualCost(e.arg) + sum(e.list);
    case 'like':
      return 1 + qualCost(e.arg) + qualCost(e.pattern) + (e.escape ? qualCost(e.escape) : 0);
    case 'case':
      return (
        (e.arg ? qualCost(e.arg) : 0) +
        e.whens.reduce((n, w) => n + qualCost(w.when) + qualCost(w.then), 0) +
        qualCost(e.else)
      );
    case 'minmax':
      return 1 + sum(e.args);
    default:
      return 0;
  }
}

function sum(args: BoundExpr[]): number {
  return args.reduce((n, a) => n + qualCost(a), 0);
}

/** Conjuncts cheapest first; equal costs keep their written order (a stable sort). */
export function orderQuals(conjuncts: BoundExpr[]): BoundExpr[] {
  if (conjuncts.length < 2) return conjuncts;
  return conjuncts
    .map((c, i) => ({ c, i, cost: qualCost(c) }))
    .sort((a, b) => a.cost - b.cost || a.i - b.i)
    .map((x) => x.c);
}
