/**
 * The bound (typed) expression tree: plain data, no closures, so plans can cross workers by
 * structured clone. Functions and operators are referenced by registry key (functions.ts).
 */
import type { CoercionContext } from './types-cast.ts';
import type { SqlType, Value } from './types.ts';

export type BoundExpr =
  /**
   * A constant; `pos` (1-based) is kept for untyped literals so coercion errors can point at
   * them; `initplan` marks a subquery's result, which constant folding leaves alone.
   */
  | { kind: 'const'; value: Value; type: SqlType; pos?: number; initplan?: true }
  /** Column `index` of the input row. */
  | { kind: 'col'; index: number; type: SqlType }
  /** `ctx.params[index]` (subquery results, bind parameters). */
  | { kind: 'param'; index: number; type: SqlType }
  /** A function or operator call by registry key. */
  /** `implicit`: a conversion the binder added (to_json of a json builder's "any" argument). */
  | { kind: 'func'; key: string; args: BoundExpr[]; type: SqlType; implicit?: true }
  /** A type conversion (castValue) of `arg` to `type`. */
  | { kind: 'cast'; arg: BoundExpr; type: SqlType; context: CoercionContext }
  | { kind: 'and'; args: BoundExpr[]; type: SqlType }
  | { kind: 'or'; args: BoundExpr[]; type: SqlType }
  | { kind: 'not'; arg: BoundExpr; type: SqlType }
  | { kind: 'isNull'; arg: BoundExpr; not: boolean; type: SqlType }
  | { kind: 'isBool'; arg: BoundExpr; test: 'true' | 'false' | 'unknown'; not: boolean; type: SqlType }
  /** `left IS [NOT] DISTINCT FROM right`; `key` is the `=` operator. */
  | { kind: 'distinct'; left: BoundExpr; right: BoundExpr; key: string; not: boolean; type: SqlType }
  /** `arg [NOT] IN (list)` with one `=` operator (all items coerced to a common type). */
  | { kind: 'in'; arg: BoundExpr; list: BoundExpr[]; key: string; not: boolean; type: SqlType }
  /** LIKE / ILIKE (`ci`); `key` is the resolved `~~`/`~~*` operator. */
  | {
      kind: 'like';
      arg: BoundExpr;
      pattern: BoundExpr;
      escape?: BoundExpr;
      ci: boolean;
      not: boolean;
      key: string;
      type: SqlType;
    }
  /** CASE; in the simple form `arg` is evaluated once and `caseTest` nodes in `when` read it. */
  | {
      kind: 'case';
      arg?: BoundExpr;
      whens: { when: BoundExpr; then: BoundExpr }[];
      else: BoundExpr;
      type: SqlType;
    }
  | { kind: 'caseTest'; type: SqlType }
  | { kind: 'coalesce'; args: BoundExpr[]; type: SqlType }
  /** NULLIF(left, right); `key` is the `=` operator. */
  | { kind: 'nullif'; left: BoundExpr; right: BoundExpr; key: string; type: SqlType }
  | { kind: 'minmax'; op: 'greatest' | 'least'; args: BoundExpr[]; type: SqlType };

/** A bound aggregate call, for the planner (see bindAggregateCall). */
export interface BoundAggCall {
  name: string;
  /** aggregates.ts registry key. */
  key: string;
  args: BoundExpr[];
  distinct: boolean;
  star: boolean;
  filter?: BoundExpr;
  /** `ORDER BY` inside the call: the aggregate sees its rows sorted so. */
  order?: AggOrder[];
  type: SqlType;
}

/** One ORDER BY item of an aggregate call. */
export interface AggOrder {
  expr: BoundExpr;
  descending: boolean;
  nullsFirst: boolean;
}
