/**
 * Typed random expressions: every template states its argument types and its result type as
 * PostgreSQL resolves it, so a generated expression is well typed on both systems. Divisors
 * go through NULLIF(…, 0); what may still fail (overflow, out-of-range dates, NaN to integer)
 * fails the same way on both, and is compared by SQLSTATE.
 */
import { CAST_NAME, type Ex, type Query, type Ty } from './ast.ts';
import type { Rng } from './random.ts';
import { valueFor } from './schema.ts';

/** A column in scope: how to write it and its type. */
export interface ColRef {
  ref: string;
  ty: Ty;
}

type Template = readonly [result: Ty, template: string, args: readonly Ty[]];

const ORDERED: readonly Ty[] = ['int4', 'int8', 'numeric', 'float8', 'text', 'date', 'timestamp'];

/** Compound expressions by result type. */
const TEMPLATES: readonly Template[] = [
  ['int4', '($1 + $2)', ['int4', 'int4']],
  ['int4', '($1 - $2)', ['int4', 'int4']],
  ['int4', '($1 * $2)', ['int4', 'int4']],
  ['int4', '($1 / NULLIF($2, 0))', ['int4', 'int4']],
  ['int4', '($1 % NULLIF($2, 0))', ['int4', 'int4']],
  ['int4', 'abs($1)', ['int4']],
  ['int4', '(- $1)', ['int4']],
  ['int4', 'length($1)', ['text']],
  ['int4', 'strpos($1, $2)', ['text', 'text']],
  ['int4', '($1 - $2)', ['date', 'date']],
  ['int4', '$1::int', ['int8']],
  ['int4', 'round($1)::int', ['numeric']],
  ['int4', "date_part('day', $1)::int", ['date']],
  ['int4', "date_part('month', $1)::int", ['timestamp']],
  ['int4', 'ascii($1)', ['text']],
  ['int8', '($1 + $2)', ['int8', 'int8']],
  ['int8', '($1 * $2)', ['int8', 'int4']],
  ['int8', '($1 - $2)', ['int8', 'int8']],
  ['int8', '$1::bigint', ['int4']],
  ['int8', 'abs($1)', ['int8']],
  ['int8', '($1 / NULLIF($2, 0))', ['int8', 'int8']],
  ['numeric', '($1 + $2)', ['numeric', 'numeric']],
  ['numeric', '($1 - $2)', ['numeric', 'numeric']],
  ['numeric', '($1 * $2)', ['numeric', 'numeric']],
  ['numeric', '($1 / NULLIF($2, 0))', ['numeric', 'numeric']],
  ['numeric', 'round($1, 1)', ['numeric']],
  ['numeric', 'trunc($1)', ['numeric']],
  ['numeric', 'abs($1)', ['numeric']],
  ['numeric', 'floor($1)', ['numeric']],
  ['numeric', 'ceil($1)', ['numeric']],
  ['numeric', 'mod($1, NULLIF($2, 0))', ['numeric', 'numeric']],
  ['numeric', '$1::numeric', ['int4']],
  ['numeric', '$1::numeric', ['int8']],
  ['numeric', '$1::numeric', ['float8']],
  ['numeric', '($1 * 1.5)', ['int4']],
  ['numeric', '(- $1)', ['numeric']],
  ['float8', '($1 + $2)', ['float8', 'float8']],
  ['float8', '($1 * $2)', ['float8', 'float8']],
  ['float8', '($1 - $2)', ['float8', 'float8']],
  ['float8', '($1 / NULLIF($2, 0))', ['float8', 'float8']],
  ['float8', '$1::float8', ['int4']],
  ['float8', '$1::float8', ['numeric']],
  ['float8', 'abs($1)', ['float8']],
  ['float8', 'floor($1)', ['float8']],
  ['text', '($1 || $2)', ['text', 'text']],
  ['text', 'upper($1)', ['text']],
  ['text', 'lower($1)', ['text']],
  ['text', 'substr($1, 2)', ['text']],
  ['text', 'substr($1, 1, 2)', ['text']],
  ['text', 'left($1, 2)', ['text']],
  ['text', 'right($1, 1)', ['text']],
  ['text', "replace($1, 'a', 'xy')", ['text']],
  ['text', 'btrim($1)', ['text']],
  ['text', "lpad($1, 4, '*')", ['text']],
  ['text', 'rpad($1, 3)', ['text']],
  ['text', 'reverse($1)', ['text']],
  ['text', 'initcap($1)', ['text']],
  ['text', "split_part($1, 'b', 1)", ['text']],
  ['text', 'md5($1)', ['text']],
  ['text', "translate($1, 'ab', 'ba')", ['text']],
  ['text', 'repeat($1, 2)', ['text']],
  ['text', 'concat($1, $2)', ['text', 'int4']],
  ['text', '$1::text', ['int4']],
  ['text', '$1::text', ['int8']],
  ['text', '$1::text', ['numeric']],
  ['text', '$1::text', ['float8']],
  ['text', '$1::text', ['date']],
  ['text', '$1::text', ['timestamp']],
  ['text', '$1::text', ['bool']],
  ['date', '($1 + $2)', ['date', 'int4']],
  ['date', '($1 - 3)', ['date']],
  ['date', "date_trunc('month', $1)::date", ['date']],
  ['date', '$1::date', ['timestamp']],
  ['timestamp', '$1::timestamp', ['date']],
  ['timestamp', "date_trunc('hour', $1)", ['timestamp']],
  // JSON: to_json(b) of every type, jsonb's canonical key order and numbers, -> and ->>.
  ...(['int4', 'int8', 'numeric', 'float8', 'text', 'date', 'timestamp', 'bool'] as const).map(
    (t): Template => ['text', "(jsonb_build_object('k', $1) ->> 'k')", [t]],
  ),
  ['text', "jsonb_build_object('bb', $1, 'a', $2, 'bb', $3)::text", ['text', 'numeric', 'int4']],
  ['text', 'json_build_object($1, $2)::text', ['text', 'float8']],
  ['text', '(json_build_array($1, $2) ->> 1)', ['date', 'timestamp']],
  ['text', '(jsonb_build_array($1, $2, $3) -> -1)::text', ['int8', 'text', 'numeric']],
  ['text', 'to_json($1)::text', ['float8']],
  ['text', 'to_jsonb($1)::text', ['numeric']],
  ['int4', 'jsonb_array_length(jsonb_build_array($1, $2))', ['text', 'date']],
  // ->> (not -> then a cast): a JSON null or a NaN string would fail the cast, and where it fails
  // would then depend on the order Postgres evaluates quals in (cheapest first).
  ['numeric', "(jsonb_build_object('n', $1) ->> 'n')::numeric", ['numeric']],
];

const BY_TYPE = new Map<Ty, Template[]>();
for (const t of TEMPLATES) BY_TYPE.set(t[0], [...(BY_TYPE.get(t[0]) ?? []), t]);

/** Where subqueries may go and which columns they may correlate with. */
export interface ExprContext {
  cols: ColRef[];
  /** Columns of the enclosing query (for correlated subqueries). */
  outer: ColRef[];
  /** Builds a subquery returning one column of a type (correlated with `outer` when given). */
  subquery?: (ty: Ty, outer: ColRef[], kind: 'in' | 'exists' | 'scalar') => Query | undefined;
  edge: boolean;
}

export function lit(rng: Rng, ty: Ty, edge: boolean): Ex {
  const v = valueFor(rng, ty, edge);
  const typed = ty === 'int4' ? v : `${v}::${CAST_NAME[ty]}`;
  return { t: typed, a: [], ty };
}

export const leaf = (c: ColRef): Ex => ({ t: c.ref, a: [], ty: c.ty });

export class ExprGen {
  readonly rng: Rng;

  constructor(rng: Rng) {
    this.rng = rng;
  }

  /** An expression of type `ty` over the context's columns. */
  expr(ty: Ty, cx: ExprContext, depth: number): Ex {
    if (ty === 'bool') return this.bool(cx, depth);
    const cols = cx.cols.filter((c) => c.ty === ty);
    const r = this.rng;
    if (depth <= 0 || r.chance(0.35)) {
      if (cols.length && r.chance(0.8)) return leaf(r.pick(cols));
      return lit(r, ty, cx.edge);
    }
    const k = r.int(10);
    if (k === 0)
      return { t: 'COALESCE($1, $2)', a: [this.expr(ty, cx, depth - 1), this.expr(ty, cx, 0)], ty };
    if (k === 1)
      return {
        t: r.chance(0.5) ? 'CASE WHEN $1 THEN $2 ELSE $3 END' : 'CASE WHEN $1 THEN $2 END',
        a: [this.bool(cx, depth - 1), this.expr(ty, cx, depth - 1), this.expr(ty, cx, depth - 1)],
        ty,
      };
    if (k === 2 && ty !== 'text')
      return {
        t: r.pick(['GREATEST($1, $2)', 'LEAST($1, $2)', 'NULLIF($1, $2)']),
        a: [this.expr(ty, cx, depth - 1), this.expr(ty, cx, depth - 1)],
        ty,
      };
    if (k === 3 && cx.subquery && r.chance(0.3)) {
      const q = cx.subquery(ty, r.chance(0.5) ? cx.cols : [], 'scalar');
      if (q) return { t: '($q)', a: [], ty, q };
    }
    const tpl = r.pick(BY_TYPE.get(ty) ?? []);
    return { t: tpl[1], a: tpl[2].map((at) => this.expr(at, cx, depth - 1)), ty };
  }

  /** A condition over the context's columns, subqueries included when the context allows. */
  bool(cx: ExprContext, depth: number): Ex {
    const r = this.rng;
    const bools = cx.cols.filter((c) => c.ty === 'bool');
    if (depth <= 0 && bools.length && r.chance(0.2)) return leaf(r.pick(bools));
    const ty = this.comparableType(cx);
    const x = () => this.expr(ty, cx, Math.min(depth, 1));
    const k = depth <= 0 ? r.int(6) : r.int(14);
    switch (k) {
      case 0:
      case 1:
        return { t: `($1 ${r.pick(['=', '<>', '<', '<=', '>', '>='])} $2)`, a: [x(), x()], ty: 'bool' };
      case 2:
        return { t: r.pick(['($1 IS NULL)', '($1 IS NOT NULL)']), a: [x()], ty: 'bool' };
      case 3:
        return {
          t: r.pick(['($1 BETWEEN $2 AND $3)', '($1 NOT BETWEEN $2 AND $3)']),
          a: [x(), x(), x()],
          ty: 'bool',
        };
      case 4:
        return { t: r.pick(['($1 IN ($2, $3))', '($1 NOT IN ($2, $3))']), a: [x(), x(), x()], ty: 'bool' };
      case 5:
        return {
          t: r.pick(['($1 IS DISTINCT FROM $2)', '($1 IS NOT DISTINCT FROM $2)']),
          a: [x(), x()],
          ty: 'bool',
        };
      case 6:
      case 7:
        return {
          t: r.pick(['($1 AND $2)', '($1 OR $2)']),
          a: [this.bool(cx, depth - 1), this.bool(cx, depth - 1)],
          ty: 'bool',
        };
      case 8:
        return {
          t: r.pick(['(NOT $1)', '(($1) IS TRUE)', '(($1) IS NOT FALSE)', '(($1) IS UNKNOWN)']),
          a: [this.bool(cx, depth - 1)],
          ty: 'bool',
        };
      case 9: {
        const text = this.expr('text', cx, 1);
        return {
          t: r.pick(["($1 LIKE 'a%')", "($1 NOT LIKE '%b')", "($1 ILIKE '_b%')", "starts_with($1, 'a')"]),
          a: [text],
          ty: 'bool',
        };
      }
      default: {
        const sub = cx.subquery ? this.subqueryPredicate(cx, ty) : undefined;
        return sub ?? { t: '($1 = $2)', a: [x(), x()], ty: 'bool' };
      }
    }
  }

  /** EXISTS / NOT EXISTS / IN / NOT IN / a comparison with a scalar subquery. */
  private subqueryPredicate(cx: ExprContext, ty: Ty): Ex | undefined {
    const r = this.rng;
    const correlate = r.chance(0.6) ? cx.cols : [];
    const kind = r.pick(['exists', 'in', 'notin', 'scalar'] as const);
    if (kind === 'exists') {
      const q = cx.subquery!(ty, correlate.length ? correlate : cx.cols, 'exists');
      return q ? { t: r.chance(0.5) ? 'EXISTS ($q)' : 'NOT EXISTS ($q)', a: [], ty: 'bool', q } : undefined;
    }
    if (kind === 'scalar') {
      const q = cx.subquery!(ty, [], 'scalar');
      return q
        ? { t: `($1 ${r.pick(['=', '<', '>='])} ($q))`, a: [this.expr(ty, cx, 1)], ty: 'bool', q }
        : undefined;
    }
    const q = cx.subquery!(ty, correlate, 'in');
    if (!q) return undefined;
    return {
      t: kind === 'in' ? '($1 IN ($q))' : '($1 NOT IN ($q))',
      a: [this.expr(ty, cx, 1)],
      ty: 'bool',
      q,
    };
  }

  /** A type worth comparing: mostly one the context has columns of. */
  comparableType(cx: ExprContext): Ty {
    const have = cx.cols.filter((c) => ORDERED.includes(c.ty));
    if (have.length && this.rng.chance(0.85)) return this.rng.pick(have).ty;
    return this.rng.pick(ORDERED);
  }
}
