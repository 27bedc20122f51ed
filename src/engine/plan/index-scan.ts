/**
 * Index scans: a scan whose filter compares a prefix of a btree index's columns with constants
 * reads the index for the matching rows instead of the whole table. Postgres' planner costs
 * this; without statistics (ANALYZE keeps none here) it picks the index where the quals are
 * selective by its default estimates, and so does this choice:
 *
 * - equality on the index's leading column (and on as many following ones as the quals pin),
 *   optionally a range or an IN list of constants on the next: an Index Scan;
 * - a range bounded on both sides (`a between 10 and 20`) on the leading column: an Index Scan;
 * - a range open on one side (default selectivity one third): a Seq Scan, unless
 *   enable_seqscan is off. enable_indexscan off never uses an index.
 *
 * The executor still applies the scan's whole filter to each row it fetches, so the index only
 * decides which rows are read, never which ones qualify.
 */
import type { BoundExpr } from '../sql/expr-bound.ts';
import type { Value } from '../sql/types.ts';
import type { IndexScanSpec, TableInfo } from './plan.ts';

/** What the planner may use (enable_indexscan, enable_seqscan). */
export interface ScanMethods {
  indexscan: boolean;
  seqscan: boolean;
}

type Op = '=' | '<' | '<=' | '>' | '>=';
const FLIP: Record<Op, Op> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
const TEXTUAL = new Set(['text', 'varchar']);

/** A qual `column op constant` (either way round) on one of the table's columns. */
interface Comparison {
  column: number;
  op: Op;
  value: Value;
  qual: BoundExpr;
}

function comparison(q: BoundExpr, table: TableInfo): Comparison | undefined {
  if (q.kind !== 'func' || q.args.length !== 2) return undefined;
  const m = /^op(=|<=|>=|<|>)\(/.exec(q.key);
  if (!m) return undefined;
  const [a, b] = q.args as [BoundExpr, BoundExpr];
  let op = m[1] as Op;
  let col: BoundExpr = a;
  let cst: BoundExpr = b;
  if (a.kind === 'const' && b.kind === 'col') {
    col = b;
    cst = a;
    op = FLIP[op];
  }
  if (col.kind !== 'col' || cst.kind !== 'const' || cst.value === null) return undefined;
  const column = table.columns[col.index];
  if (!column) return undefined; // ctid, gp_segment_id
  // The index compares values of the column's type: only a constant of that type bounds it.
  const same =
    cst.type.name === column.type.name || (TEXTUAL.has(cst.type.name) && TEXTUAL.has(column.type.name));
  if (!same) return undefined;
  return { column: col.index, op, value: cst.value, qual: q };
}

/** A qual `column IN (constants)` on one of the table's columns: its distinct non-NULL values. */
function inList(
  q: BoundExpr,
  table: TableInfo,
): { column: number; values: Value[]; qual: BoundExpr } | undefined {
  if (q.kind !== 'in' || q.not || q.arg.kind !== 'col') return undefined;
  const column = table.columns[q.arg.index];
  if (!column) return undefined;
  const values: Value[] = [];
  for (const item of q.list) {
    if (item.kind !== 'const') return undefined;
    if (item.value === null) continue; // never equal to anything
    const same =
      item.type.name === column.type.name || (TEXTUAL.has(item.type.name) && TEXTUAL.has(column.type.name));
    if (!same) return undefined;
    values.push(item.value);
  }
  return { column: q.arg.index, values, qual: q };
}

function conjuncts(e: BoundExpr): BoundExpr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

/** The index scan for a scan of `table` filtered by `filter`, if one should be used. */
export function chooseIndexScan(
  table: TableInfo,
  filter: BoundExpr | undefined,
  methods: ScanMethods,
): IndexScanSpec | undefined {
  if (!filter || !table.indexes?.length || !methods.indexscan) return undefined;
  const quals = conjuncts(filter);
  const cmps = quals.map((q) => comparison(q, table)).filter((c): c is Comparison => c !== undefined);
  const ins = quals.map((q) => inList(q, table)).filter((c) => c !== undefined);
  if (!cmps.length && !ins.length) return undefined;
  let best: { spec: IndexScanSpec; score: number } | undefined;
  for (const index of table.indexes) {
    const eq: Value[] = [];
    const conds: BoundExpr[] = [];
    let k = 0;
    for (; k < index.columns.length; k++) {
      const c = cmps.find((x) => x.column === index.columns[k] && x.op === '=');
      if (!c) break;
      eq.push(c.value);
      conds.push(c.qual);
    }
    const next = index.columns[k];
    const list = next === undefined ? undefined : ins.find((x) => x.column === next);
    if (list) {
      // One equality per listed value, on this column: as selective as an equality.
      const spec: IndexScanSpec = { index, conds: [...conds, list.qual], anyOf: list.values };
      if (eq.length) {
        spec.lower = { key: eq.slice(), inclusive: true };
        spec.upper = { key: eq.slice(), inclusive: true };
      }
      const score = eq.length * 4 + 3;
      if (!best || score > best.score) best = { spec, score };
      continue;
    }
    const lo =
      next === undefined ? undefined : cmps.find((x) => x.column === next && (x.op === '>' || x.op === '>='));
    const hi =
      next === undefined ? undefined : cmps.find((x) => x.column === next && (x.op === '<' || x.op === '<='));
    const selective = eq.length > 0 || (lo !== undefined && hi !== undefined);
    if (!selective && (methods.seqscan || (!lo && !hi))) continue;
    const spec: IndexScanSpec = { index, conds };
    if (lo) {
      conds.push(lo.qual);
      spec.lower = { key: [...eq, lo.value], inclusive: lo.op === '>=' };
    } else if (eq.length) spec.lower = { key: eq.slice(), inclusive: true };
    if (hi) {
      conds.push(hi.qual);
      spec.upper = { key: [...eq, hi.value], inclusive: hi.op === '<=' };
    } else if (eq.length) spec.upper = { key: eq.slice(), inclusive: true };
    // More pinned columns first; a unique index whose every column is pinned reads one row.
    const score =
      eq.length * 4 +
      (lo ? 1 : 0) +
      (hi ? 1 : 0) +
      (index.unique && eq.length === index.columns.length ? 2 : 0);
    if (!best || score > best.score) best = { spec, score };
  }
  return best?.spec;
}
