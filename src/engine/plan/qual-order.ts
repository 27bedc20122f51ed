/**
 * The order a filter's conjuncts run in, as Postgres' order_qual_clauses sets it (and so
 * Greenplum's planner): cheapest first by cost_qual_eval's per-row estimate, written order
 * among equals. It decides which conjunct stops a row first, so a costly one that would fail
 * (a cast out of range) never runs on a row a cheap one already rejected, as in Postgres.
 *
 * Costs, in cpu_operator_cost units, after constant folding (a constant subexpression costs
 * nothing): an operator or function call 1 (every built-in's procost), a cast through text
 * output and input 2, between string types 0, other casts 1; GREATEST and LEAST 1; IN (list)
 * half an operator per constant item, one per item otherwise; columns, constants, InitPlan
 * results, AND, OR, NOT, CASE, COALESCE and IS tests nothing of their own.
 */
import type { BoundExpr } from '../sql/expr-bound.ts';
import { isStringType, type TypeId } from '../sql/types.ts';
import { getFunction, isImmutable } from '../sql/functions.ts';
import { isStableCast } from '../sql/types-cast.ts';
import { notInQuals } from '../sql/eval.ts';

export function qualCost(e: BoundExpr): number {
  // Postgres folds constant subexpressions before it costs a qual: they cost nothing.
  if (foldable(e)) return 0;
  switch (e.kind) {
    case 'const':
    case 'col':
    case 'param':
    case 'caseTest':
      return 0;
    case 'func':
      // Postgres passes a json builder's "any" argument as it is: no call to cost.
      return (e.implicit ? 0 : 1) + sum(e.args);
    case 'cast':
      return castCost(e.arg.type.name, e.type.name) + qualCost(e.arg);
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
      // A list of constants is one array test (half an operator per item); with a column in it,
      // Postgres writes the test as an OR of one = per item.
      return (e.list.every(foldable) ? e.list.length * 0.5 : e.list.length) + qualCost(e.arg) + sum(e.list);
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

/** A cast's own cost: a cast function 1, an I/O conversion (output then input) 2, a relabel 0. */
function castCost(from: TypeId, to: TypeId): number {
  if (isStringType(from) && isStringType(to)) return 0;
  if (from === 'bool' && isStringType(to)) return 1; // booltext
  if (isStringType(from) || isStringType(to)) return 2;
  if (from === 'json' || from === 'jsonb' || to === 'json' || to === 'jsonb') return 2; // I/O
  return 1;
}

/** Whether Postgres' eval_const_expressions folds it: constants under immutable operations only. */
function foldable(e: BoundExpr): boolean {
  switch (e.kind) {
    case 'const':
      return !e.initplan;
    case 'func':
      return isImmutable(getFunction(e.key)) && e.args.every(foldable);
    case 'cast':
      return !isStableCast(e.arg.type.name, e.type.name) && foldable(e.arg);
    case 'not':
    case 'isNull':
    case 'isBool':
      return foldable(e.arg);
    case 'and':
    case 'or':
    case 'coalesce':
    case 'minmax':
      return e.args.every(foldable);
    case 'distinct':
    case 'nullif':
      return foldable(e.left) && foldable(e.right);
    case 'in':
      return foldable(e.arg) && e.list.every(foldable);
    default:
      return false;
  }
}

function sum(args: BoundExpr[]): number {
  return args.reduce((n, a) => n + qualCost(a), 0);
}

/** Conjuncts cheapest first; equal costs keep their written order (a stable sort). */
export function orderQuals(quals: BoundExpr[]): BoundExpr[] {
  // A NOT IN is Postgres' AND of <> tests, each a qual of its own, ordered with the others.
  const conjuncts = quals.flatMap((q) => (q.kind === 'in' && q.not ? notInQuals(q) : [q]));
  if (conjuncts.length < 2) return conjuncts;
  return conjuncts
    .map((c, i) => ({ c, i, cost: qualCost(c) }))
    .sort((a, b) => a.cost - b.cost || a.i - b.i)
    .map((x) => x.c);
}
