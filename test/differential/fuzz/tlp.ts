/**
 * Ternary logic partitioning (SQLancer's TLP): for any predicate p, a query's rows are exactly
 * those of the same query with `WHERE p`, `WHERE NOT p` and `WHERE p IS NULL` (every row makes
 * p true, false or unknown). An oracle that needs no reference database: a row lost or
 * duplicated by a filter, a join or a motion shows as a difference between the two.
 */
import type { Ex, From, Query, Select, TableSpec } from './ast.ts';
import { ExprGen, type ColRef } from './exprs.ts';
import { Rng } from './random.ts';

/** Columns a FROM clause makes visible. */
export function fromColumns(from: From[], tables: TableSpec[]): ColRef[] {
  const out: ColRef[] = [];
  const walk = (f: From) => {
    if (f.k === 'join') {
      walk(f.l);
      walk(f.r);
    } else if (f.k === 'table') {
      const t = tables.find((x) => x.name === f.name);
      for (const c of t?.cols ?? []) out.push({ ref: `${f.alias}.${c.name}`, ty: c.ty });
    } else {
      let q: Query = f.q;
      while (q.k === 'setop') q = q.l;
      q.items.forEach((it, i) => out.push({ ref: `${f.alias}.${it.as ?? `x${i}`}`, ty: it.e.ty }));
    }
  };
  from.forEach(walk);
  return out;
}

const hasAggregate = (e: Ex): boolean => !!e.agg || e.a.some(hasAggregate);
/** A window function sees the rows that pass WHERE, so a partition changes its answer. */
const hasWindow = (e: Ex): boolean => e.t.includes(' OVER (') || e.a.some(hasWindow);

/** The partitioned form of `q`, when TLP applies to it (no grouping, aggregates, windows or LIMIT). */
export function tlpQuery(
  q: Query,
  tables: TableSpec[],
  seed: number,
): { query: Query; predicate: Ex } | undefined {
  if (q.k !== 'select' || !q.from.length || q.group.length || q.having) return undefined;
  if (
    q.limit !== undefined ||
    q.offset !== undefined ||
    q.items.some((i) => hasAggregate(i.e) || hasWindow(i.e))
  )
    return undefined;
  const cols = fromColumns(q.from, tables);
  const p = new ExprGen(new Rng(seed)).bool({ cols, outer: [], edge: false }, 1);
  const part = (t: string): Select => {
    const cond: Ex = { t, a: [p], ty: 'bool' };
    const where: Ex = q.where ? { t: '($1 AND $2)', a: [q.where, cond], ty: 'bool' } : cond;
    return { ...q, where, order: [] };
  };
  const op = 'union';
  const query: Query = {
    k: 'setop',
    op,
    all: !q.distinct,
    l: { k: 'setop', op, all: !q.distinct, l: part('($1)'), r: part('(NOT $1)'), order: [] },
    r: part('(($1) IS NULL)'),
    order: [],
  };
  return { query, predicate: p };
}
