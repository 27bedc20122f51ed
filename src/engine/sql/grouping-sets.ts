/**
 * GROUP BY ROLLUP, CUBE and GROUPING SETS, and GROUPING(). A query with several grouping sets is
 * the union of one grouped query per set (Postgres' definition of them): in the branch for a
 * set, every grouping expression outside the set is NULL in the select list and HAVING (not
 * inside aggregate arguments, which still see the input rows), and GROUPING(...) is the bitmask
 * of the arguments outside the set. ORDER BY, LIMIT and DISTINCT apply to the whole result.
 *
 * The union's plan is not Greenplum's (one Sort or HashAggregate per set under a single Motion),
 * so EXPLAIN refuses such a query rather than show a plan Greenplum would not run.
 */
import { sqlError } from '../errors.ts';
import type { CallExpr, Expr, Literal, Query, SelectStmt, SelectTarget, SortItem } from './ast.ts';
import { isAggregateName } from './aggregates.ts';
import type { Cursor } from './cursor.ts';
import { parseExpr } from './parse-expr.ts';

/** One GROUP BY element, as written. */
type GroupingElement =
  | { kind: 'expr'; expr: Expr }
  | { kind: 'empty' }
  | { kind: 'rollup' | 'cube'; items: Expr[][] }
  | { kind: 'sets'; elements: GroupingElement[] };

/** A ROLLUP or CUBE item: `a` or `(a, b)` (a row constructor groups its columns together). */
function item(e: Expr): Expr[] {
  return e.kind === 'row' ? e.items : [e];
}

function parseElement(c: Cursor): GroupingElement {
  if (c.isOp('(') && c.isOp(')', 1)) {
    c.next();
    c.next();
    return { kind: 'empty' };
  }
  if ((c.isWord('rollup') || c.isWord('cube')) && c.isOp('(', 1)) {
    const kind = c.next().value as 'rollup' | 'cube';
    c.expectOp('(');
    const items: Expr[][] = [];
    do items.push(item(parseExpr(c)));
    while (c.acceptOp(','));
    c.expectOp(')');
    return { kind, items };
  }
  if (c.isWord('grouping') && c.isWord('sets', 1)) {
    c.next();
    c.next();
    c.expectOp('(');
    const elements: GroupingElement[] = [];
    do elements.push(parseElement(c));
    while (c.acceptOp(','));
    c.expectOp(')');
    return { kind: 'sets', elements };
  }
  const e = parseExpr(c);
  // Inside GROUPING SETS a parenthesised list is one set; at the top level it is a row value.
  return e.kind === 'row'
    ? { kind: 'sets', elements: [{ kind: 'expr', expr: e }] }
    : { kind: 'expr', expr: e };
}

/** The sets an element stands for (Postgres' expansion order). */
function expand(el: GroupingElement, top: boolean): Expr[][] {
  switch (el.kind) {
    case 'expr':
      return [top || el.expr.kind !== 'row' ? [el.expr] : el.expr.items];
    case 'empty':
      return [[]];
    case 'rollup':
      return el.items.map((_, i) => el.items.slice(0, el.items.length - i).flat()).concat([[]]);
    case 'cube': {
      const n = el.items.length;
      const out: Expr[][] = [];
      for (let mask = (1 << n) - 1; mask >= 0; mask--)
        out.push(el.items.filter((_, i) => mask & (1 << (n - 1 - i))).flat());
      return out;
    }
    case 'sets':
      return el.elements.flatMap((e) =>
        e.kind === 'expr' && e.expr.kind === 'row' ? [e.expr.items] : expand(e, false),
      );
  }
}

/**
 * Parses a GROUP BY list. Plain expressions only: the list itself. With ROLLUP, CUBE, GROUPING
 * SETS or (): the grouping sets, the cross product of the elements' sets.
 */
export function parseGroupBy(c: Cursor): { groupBy: Expr[]; sets?: Expr[][] } {
  const elements: GroupingElement[] = [];
  do elements.push(parseElement(c));
  while (c.acceptOp(','));
  if (elements.every((e) => e.kind === 'expr'))
    return { groupBy: elements.map((e) => (e as { expr: Expr }).expr) };
  let sets: Expr[][] = [[]];
  for (const el of elements) {
    const mine = expand(el, true);
    sets = sets.flatMap((s) => mine.map((m) => [...s, ...m]));
  }
  return { groupBy: [], sets };
}

/** A structural key for an expression: its shape without source positions. */
function key(e: unknown): string {
  return JSON.stringify(e, (k, v: unknown) => (k === 'pos' ? undefined : v));
}

const nullOf = (expr: Expr, pos: number, unlessConstant = false): Expr => ({
  kind: 'nullOf',
  expr,
  pos,
  ...(unlessConstant ? { unlessConstant } : {}),
});
const intAt = (n: number, pos: number): Literal => ({
  kind: 'literal',
  value: n,
  literalType: 'integer',
  text: String(n),
  pos,
});
/** GROUPING()'s value: an int4 expression, not a bare number (which ORDER BY would take as a position). */
const groupingValue = (n: number, pos: number): Expr => ({
  kind: 'cast',
  expr: intAt(n, pos),
  type: { name: 'int4', pos },
  pos,
});

/** The column name Postgres gives a select-list entry without an alias, where it is a name. */
function outputName(e: Expr): string | undefined {
  if (e.kind === 'column') return e.name;
  if (e.kind === 'call') return e.name;
  return undefined;
}

/** Targets for a branch: an entry whose whole expression is replaced keeps its column name. */
function targetsForBranch(
  targets: SelectTarget[],
  all: Map<string, Expr>,
  present: Set<string>,
): SelectTarget[] {
  // Each grouping expression's own entry: the first whose whole expression it is (where
  // Postgres puts the grouping column); repeats elsewhere are expressions like any other.
  const own = new Map<string, number>();
  targets.forEach((t, i) => {
    if (t.kind === 'expr' && all.has(key(t.expr)) && !own.has(key(t.expr))) own.set(key(t.expr), i);
  });
  return targets.map((t, i) => {
    if (t.kind !== 'expr') return t;
    const whole = key(t.expr);
    const expr =
      own.get(whole) === i && !present.has(whole)
        ? nullOf(t.expr, t.expr.pos ?? 0)
        : forBranch(t.expr, all, present);
    const name = t.alias ?? (expr !== t.expr && key(expr) !== key(t.expr) ? outputName(t.expr) : undefined);
    return { ...t, expr, ...(name ? { alias: name } : {}) };
  });
}

/**
 * Rewrites `node` for the branch grouping by `present`: grouping expressions not in it become
 * NULL, GROUPING() calls their bitmask. Aggregate arguments and subqueries are left alone.
 */
function forBranch<T>(node: T, all: Map<string, Expr>, present: Set<string>): T {
  const walk = (n: unknown): unknown => {
    if (Array.isArray(n)) return n.map(walk);
    if (typeof n !== 'object' || n === null) return n;
    const o = n as { kind?: string; pos?: number };
    if (o.kind === 'call') {
      const call = o as CallExpr;
      if (call.name === 'grouping' && !call.over) {
        let mask = 0;
        for (const a of call.args) {
          const k = key(a);
          if (!all.has(k))
            throw sqlError(
              'grouping_error',
              'arguments to GROUPING must be grouping expressions of the associated query level',
              {
                position: a.pos,
              },
            );
          mask = (mask << 1) | (present.has(k) ? 0 : 1);
        }
        return groupingValue(mask, call.pos);
      }
      if (isAggregateName(call.name) || call.over) return n;
    }
    // A grouping expression (a scalar subquery too) is matched whole: kept when its set has it
    // (its parts untouched, though some may be absent from the set), else a NULL of its type.
    const k = key(n);
    if (all.has(k)) return present.has(k) ? n : nullOf(n as Expr, o.pos ?? 0, true);
    if (o.kind === 'exists' || o.kind === 'subquery' || o.kind === 'inSubquery') return n;
    return Object.fromEntries(Object.entries(n).map(([f, v]) => [f, walk(v)]));
  };
  return walk(node) as T;
}

/** An output-column ordinal (`GROUP BY ROLLUP(1)`) as the select-list expression it names. */
function resolveOrdinal(e: Expr, targets: SelectTarget[]): Expr {
  if (e.kind !== 'literal' || e.literalType !== 'integer') return e;
  const t = targets[Number(e.value) - 1];
  if (!t || t.kind !== 'expr')
    throw sqlError('invalid_column_reference', `GROUP BY position ${String(e.value)} is not in select list`, {
      position: e.pos,
    });
  return t.expr;
}

/**
 * The union of one grouped query per grouping set. ORDER BY items that repeat a select-list
 * expression become its ordinal, as the union orders by output columns.
 */
function groupingSetsUnion(q: SelectStmt, sets: Expr[][], tail: SortItem[]): Query {
  if (key(q.targets).includes('"over":'))
    throw sqlError('feature_not_supported', 'window functions with grouping sets are not supported', {
      position: q.pos,
    });
  const resolved = sets.map((s) => s.map((e) => resolveOrdinal(e, q.targets)));
  const all = new Map<string, Expr>();
  for (const s of resolved) for (const e of s) all.set(key(e), e);
  const branches: SelectStmt[] = resolved.map((s) => {
    const present = new Set(s.map(key));
    const groupBy = [...new Map(s.map((e) => [key(e), e])).values()];
    const having = q.having ? forBranch(q.having, all, present) : undefined;
    return {
      ...q,
      distinct: false,
      orderBy: [],
      targets: targetsForBranch(q.targets, all, present),
      groupBy,
      // GROUP BY (): one row however many input rows, as an aggregate without GROUP BY.
      ...(having
        ? { having }
        : groupBy.length
          ? {}
          : { having: { kind: 'literal', value: true, literalType: 'boolean', pos: q.pos } }),
    } as SelectStmt;
  });
  let u: Query = branches[0]!;
  for (const b of branches.slice(1))
    u = { kind: 'setop', op: 'union', all: !q.distinct, left: u, right: b, orderBy: [], pos: q.pos };
  if (u.kind === 'select') u = { ...u, distinct: q.distinct };
  const ordinals = new Map(q.targets.map((t, i) => [t.kind === 'expr' ? key(t.expr) : '', i + 1]));
  u.orderBy = tail.map((s) => {
    const n = ordinals.get(key(s.expr));
    return n === undefined || s.expr.kind === 'column' ? s : { ...s, expr: intAt(n, s.expr.pos) };
  });
  if (u.kind === 'setop') u.fromGroupingSets = true;
  return u;
}

/** Whether a query (or one inside it) was written with grouping sets. */
export function hasGroupingSets(q: unknown): boolean {
  return key(q).includes('"fromGroupingSets":true');
}

/**
 * Rewrites the SELECTs of a parsed query (its set-operation arms included) that have several
 * grouping sets into their unions; a SELECT's own ORDER BY, LIMIT and OFFSET go to its union.
 */
export function rewriteGroupingSets(q: Query): Query {
  if (q.kind === 'setop')
    return { ...q, left: rewriteGroupingSets(q.left), right: rewriteGroupingSets(q.right) };
  if (q.kind !== 'select') return q;
  if (!q.groupingSets) return plainGrouping(q);
  const { groupingSets, limit, offset, ...rest } = q;
  const u = groupingSetsUnion(rest, groupingSets, q.orderBy);
  if (u.kind === 'select') return { ...u, ...(limit ? { limit } : {}), ...(offset ? { offset } : {}) };
  return { ...u, ...(limit ? { limit } : {}), ...(offset ? { offset } : {}) };
}

/** GROUPING(...) in a query with one grouping set (a plain GROUP BY): 0 for each argument. */
export function plainGrouping(q: SelectStmt): SelectStmt {
  if (!key([q.targets, q.having, q.orderBy]).includes('"name":"grouping"')) return q;
  const present = new Map(q.groupBy.map((e) => [key(resolveOrdinal(e, q.targets)), e]));
  const keys = new Set(present.keys());
  return {
    ...q,
    targets: targetsForBranch(q.targets, present, keys),
    ...(q.having ? { having: forBranch(q.having, present, keys) } : {}),
    orderBy: forBranch(q.orderBy, present, keys),
  };
}
