/**
 * Which of its table's columns each scan of a slice must decode, and which outputs each
 * projection must compute: those the nodes above it use, as Postgres' planner gives a scan only
 * the target list its consumers need. A count(*) decodes
 * no column; GROUP BY v, sum(id) decodes two of three. Where a node's use of its input is not
 * spelt out column by column (a window, a set operation, a final aggregate), every column counts
 * as used: over-counting costs time, never a wrong row.
 */
import { children, type PlanNode } from '../plan/plan.ts';
import { getFunction } from '../sql/functions.ts';

/** Columns needed of a node's output: a set of indexes, or every one. */
type Need = Set<number> | 'all';

/**
 * The columns each scan under `root` decodes: those `used` of `root`'s output needs (its
 * receivers' use of a Motion's rows, `motionsUsed`), or all of it.
 */
export function scanWants(root: PlanNode, used?: readonly number[]): Map<PlanNode, boolean[]> {
  const out = new Map<PlanNode, boolean[]>();
  visit(root, used ? new Set(used) : 'all', out);
  return out;
}

type Motion = Extract<PlanNode, { op: 'motion' }>;

/**
 * For each Motion of a statement's plan, the columns of its rows that the receiving slice
 * uses (its hash and merge keys among them), or undefined for all: as a Greenplum Motion's
 * target list carries only what is needed above it, the sending slice decodes and sends only
 * those, the others as NULL.
 */
export function motionsUsed(root: PlanNode): Map<Motion, number[] | undefined> {
  const motions = new Map<Motion, number[] | undefined>();
  visit(root, 'all', new Map(), motions);
  return motions;
}

function visit(
  n: PlanNode,
  need: Need,
  out: Map<PlanNode, boolean[]>,
  motions?: Map<Motion, number[] | undefined>,
): void {
  switch (n.op) {
    case 'scan': {
      // Its output: the table's columns, then ctid and gp_segment_id when it makes them.
      const used = union(need, colsOf(n.filter), colsOf(n.index));
      out.set(
        n,
        Array.from({ length: n.types.length }, (_, i) => used === 'all' || used.has(i)),
      );
      return;
    }
    case 'filter':
      return visit(n.input, union(need, colsOf(n.cond)), out, motions);
    case 'project': {
      // As Postgres drops a subquery's unused outputs (remove_unused_subquery_outputs), an output
      // nothing above uses is not computed (execProject gives NULL): its inputs may not be
      // decoded, and computing it on NULLs could fail (1/x). A volatile one is still computed.
      const keep = n.exprs.map((e, i) => need === 'all' || need.has(i) || hasVolatile(e));
      out.set(n, keep);
      return visit(n.input, colsOf(n.exprs.filter((_, i) => keep[i])), out, motions);
    }
    case 'agg':
      return visit(n.input, n.phase === 'final' ? 'all' : colsOf([n.groupKeys, n.aggs]), out, motions);
    case 'sort':
      return visit(n.input, union(need, colsOf(n.keys)), out, motions);
    case 'limit':
      return visit(n.input, need, out, motions);
    case 'hashJoin':
    case 'nestLoop': {
      const left = n.left.types.length;
      const both = n.op === 'hashJoin' ? colsOf([n.extra]) : colsOf([n.cond]);
      const fromOutput = n.joinType === 'semi' || n.joinType === 'anti' ? restrict(need, 0, left) : need;
      const all = union(fromOutput, both);
      const leftKeys = n.op === 'hashJoin' ? colsOf(n.leftKeys) : new Set<number>();
      const rightKeys = n.op === 'hashJoin' ? colsOf(n.rightKeys) : new Set<number>();
      visit(n.left, union(restrict(all, 0, left), leftKeys), out, motions);
      visit(n.right, union(shift(restrict(all, left, Infinity), -left), rightKeys), out, motions);
      return;
    }
    case 'motion': {
      // A receive point: what is under it is another slice, which sends what is needed here.
      if (!motions) return;
      const used = union(need, new Set(n.hashKeys ?? []), colsOf(n.mergeKeys));
      motions.set(n, used === 'all' ? undefined : [...used].sort((a, b) => a - b));
      return visit(n.input, used, new Map(), motions);
    }
    default:
      // window, distinct, setop, append: every column; leaves (values, result...) have none.
      for (const c of children(n)) visit(c, 'all', out, motions);
  }
}

/** Whether an expression calls a VOLATILE function (random(), clock_timestamp()): unknown keys count. */
function hasVolatile(x: unknown): boolean {
  if (Array.isArray(x)) return x.some(hasVolatile);
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  if (o['kind'] === 'func' && typeof o['key'] === 'string') {
    try {
      if (getFunction(o['key']).volatile) return true;
    } catch {
      return true;
    }
  }
  for (const k in o) if (k !== 'type' && hasVolatile(o[k])) return true;
  return false;
}

/**
 * The input columns an expression (or any plan data holding expressions) reads: every
 * `{ kind: 'col', index }` in it, however deep, so a new kind of expression is covered too.
 */
function colsOf(x: unknown): Set<number> {
  const out = new Set<number>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const e of v) walk(e);
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    const o = v as Record<string, unknown>;
    if (o['kind'] === 'col' && typeof o['index'] === 'number') out.add(o['index']);
    for (const k in o) if (k !== 'type') walk(o[k]);
  };
  walk(x);
  return out;
}

function union(a: Need, ...rest: Set<number>[]): Need {
  if (a === 'all') return 'all';
  const out = new Set(a);
  for (const s of rest) for (const i of s) out.add(i);
  return out;
}

function restrict(need: Need, from: number, to: number): Need {
  if (need === 'all')
    return to === Infinity ? 'all' : new Set(Array.from({ length: to - from }, (_, i) => from + i));
  return new Set([...need].filter((i) => i >= from && i < to));
}

function shift(need: Need, by: number): Need {
  return need === 'all' ? 'all' : new Set([...need].map((i) => i + by));
}
