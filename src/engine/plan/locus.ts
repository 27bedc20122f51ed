/**
 * Motions: moving rows so that an operator sees them where it needs them. The planner asks
 * these helpers to bring a subplan to the coordinator (Gather), to hash it on some columns
 * (Redistribute), or to copy it to every segment (Broadcast).
 */
import type { BoundExpr } from '../sql/expr-bound.ts';
import type { SqlType } from '../sql/types.ts';
import { children, type Locus, type PlanNode, type SortKey } from './plan.ts';

export class SliceCounter {
  next = 1;
}

export function onSegments(l: Locus): boolean {
  return l.kind === 'hashed' || l.kind === 'strewn' || l.kind === 'replicated' || l.kind === 'single';
}

function senders(n: PlanNode): 'segments' | 'entry' | { contents: number[] } {
  const l = n.locus;
  if (l.kind === 'single') return { contents: [l.content] };
  if (l.kind === 'entry' || l.kind === 'general') return 'entry';
  // Every segment holds a replicated relation whole: one of them sends it.
  if (l.kind === 'replicated') return { contents: [0] };
  const direct = directDispatch(n);
  if (direct) return { contents: direct };
  return l.numsegments === undefined ? 'segments' : { contents: firstContents(l.numsegments) };
}

/** Contents 0..n-1: where a table over `n` segments lives. */
export function firstContents(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The number of segments a locus spreads over (undefined: all of them). */
export function locusSegments(l: Locus): number | undefined {
  return l.kind === 'hashed' || l.kind === 'strewn' || l.kind === 'replicated' ? l.numsegments : undefined;
}

/** `l`'s spread, carried onto a locus derived from it. */
export function spreadLike<T extends Locus>(derived: T, l: Locus): T {
  const n = locusSegments(l);
  return n === undefined ? derived : { ...derived, numsegments: n };
}

/**
 * Direct dispatch: when every table scanned in a slice is pinned to known contents (a filter
 * on the whole distribution key) and no rows come into it from other slices, the slice runs
 * only there.
 */
export function directDispatch(n: PlanNode): number[] | undefined {
  const scans: Extract<PlanNode, { op: 'scan' }>[] = [];
  let other = false;
  const walk = (x: PlanNode) => {
    // Rows a motion brings in may belong on any segment: such a slice runs everywhere.
    if (x.op === 'motion') {
      other = true;
      return;
    }
    if (x.op === 'scan') scans.push(x);
    else if (x.op === 'systemScan') other = true;
    for (const c of children(x)) walk(c);
  };
  walk(n);
  if (other || !scans.length || scans.some((s) => !s.directContents || s.locus.kind !== 'hashed'))
    return undefined;
  const set = new Set<number>();
  for (const s of scans) for (const c of s.directContents!) set.add(c);
  return [...set].sort((a, b) => a - b);
}

/** Brings `n` to the coordinator. Replicated data is read from one segment only. */
export function gather(n: PlanNode, slices: SliceCounter, mergeKeys?: SortKey[]): PlanNode {
  if (n.locus.kind === 'entry' || n.locus.kind === 'general') return n;
  const from: 'segments' | { contents: number[] } =
    n.locus.kind === 'replicated' ? { contents: [0] } : (senders(n) as 'segments' | { contents: number[] });
  const m: PlanNode = {
    op: 'motion',
    kind: 'gather',
    sliceId: slices.next++,
    input: n,
    senders: from,
    types: n.types,
    locus: { kind: 'entry' },
  };
  if (mergeKeys && mergeKeys.length) m.mergeKeys = mergeKeys;
  return m;
}

/**
 * Hashes `n` on output columns `keys` across the segments, or across the first `receivers`
 * of them (to join or fill a table gpexpand has not expanded yet).
 */
export function redistribute(
  n: PlanNode,
  keys: number[],
  slices: SliceCounter,
  receivers?: number,
): PlanNode {
  const keyTypes = keys.map((k) => n.types[k]!);
  const locus: Locus = keys.length
    ? { kind: 'hashed', keys: keys.map((k) => [k]), keyTypes }
    : { kind: 'strewn' };
  const m: PlanNode = {
    op: 'motion',
    kind: 'redistribute',
    sliceId: slices.next++,
    input: n,
    hashKeys: keys,
    senders: senders(n),
    types: n.types,
    locus: receivers === undefined ? locus : { ...locus, numsegments: receivers },
  };
  if (receivers !== undefined) m.receivers = receivers;
  return m;
}

/** Copies `n` to every segment (or to the first `receivers`). */
export function broadcast(n: PlanNode, slices: SliceCounter, receivers?: number): PlanNode {
  if (n.locus.kind === 'general') return n;
  if (n.locus.kind === 'replicated' && (n.locus.numsegments ?? Infinity) >= (receivers ?? Infinity)) return n;
  const m: PlanNode = {
    op: 'motion',
    kind: 'broadcast',
    sliceId: slices.next++,
    input: n,
    senders: senders(n),
    types: n.types,
    locus: receivers === undefined ? { kind: 'replicated' } : { kind: 'replicated', numsegments: receivers },
  };
  if (receivers !== undefined) m.receivers = receivers;
  return m;
}

/** Integer types hash alike (as cdbhash does), so int4 and int8 keys co-locate. */
export function hashCompatible(a: SqlType, b: SqlType): boolean {
  const ints = ['int2', 'int4', 'int8'];
  if (ints.includes(a.name) && ints.includes(b.name)) return true;
  const texts = ['text', 'varchar'];
  if (texts.includes(a.name) && texts.includes(b.name)) return true;
  return a.name === b.name;
}

/**
 * For each hash key of locus `l`, the index into `cols` of a column holding that key (of a type
 * that hashes alike); undefined unless every key is found. Rows equal on `cols` then share a
 * segment, and another input hashed on the matching columns is co-located with this one.
 */
export function matchHashKeys(
  l: Locus,
  cols: (number | undefined)[],
  types: SqlType[],
): number[] | undefined {
  if (l.kind !== 'hashed') return undefined;
  const out: number[] = [];
  for (let i = 0; i < l.keys.length; i++) {
    const alts = l.keys[i]!;
    const j = cols.findIndex(
      (c, j) => c !== undefined && alts.includes(c) && hashCompatible(l.keyTypes[i]!, types[j]!),
    );
    if (j < 0) return undefined;
    out.push(j);
  }
  return out;
}

/** Do rows equal on these output columns always share a segment? */
export function colocatedOn(n: PlanNode, cols: (number | undefined)[], types: SqlType[]): boolean {
  return matchHashKeys(n.locus, cols, types) !== undefined;
}

/** Output column index when `e` is a plain column reference. */
export function columnIndex(e: BoundExpr): number | undefined {
  return e.kind === 'col' ? e.index : undefined;
}

/** The locus after a projection: a hash key survives while one column holding it is kept. */
export function projectLocus(l: Locus, exprs: BoundExpr[]): Locus {
  if (l.kind !== 'hashed') return l;
  const keys = l.keys.map((alts) =>
    exprs.flatMap((e, at) => (e.kind === 'col' && alts.includes(e.index) ? [at] : [])),
  );
  if (keys.some((k) => !k.length)) return spreadLike({ kind: 'strewn' }, l);
  return { ...l, keys };
}

/** A locus over columns moved right by `offset` (the right input of a join). */
export function shiftLocus(l: Locus, offset: number): Locus {
  if (l.kind !== 'hashed') return l;
  return { ...l, keys: l.keys.map((alts) => alts.map((k) => k + offset)) };
}

/** Held on every segment (or computable anywhere): joining with it moves nothing. */
export function everywhere(l: Locus): boolean {
  return l.kind === 'general' || (l.kind === 'replicated' && l.numsegments === undefined);
}

/** Two loci spread over the same segments (a hash over 2 segments places a key elsewhere than over 4). */
export function sameSpread(a: Locus, b: Locus): boolean {
  return locusSegments(a) === locusSegments(b);
}
