/**
 * Sorting that yields: one Array.prototype.sort over a million rows is a second or more of
 * the thread the instance answers probes on. Runs of RUN items are sorted natively, then
 * merged pairwise (bottom-up), with an interrupts check between runs and every RUN items of a
 * merge. Stable, as Array.prototype.sort is: a tie keeps the earlier item first.
 */
import type { SortKey } from '../plan/plan.ts';
import { compareValues, type Value } from '../sql/types.ts';
import type { Row } from './context.ts';
import type { Interrupts } from './interrupts.ts';

const RUN = 4096;

/** One pairwise merge of src[lo, mid) and src[mid, hi) into dst, resumable. */
interface Merge<T> {
  src: T[];
  dst: T[];
  cmp: (a: T, b: T) => number;
  i: number;
  j: number;
  k: number;
  mid: number;
  hi: number;
}

/**
 * Moves up to `budget` items of `m` into place; true once the merge is done. A plain function,
 * not a loop inside the async sort: V8 (Maglev) discards a loop's on-stack code each time it
 * ends inside an async function, and the merge then ran unoptimized.
 */
function mergeSome<T>(m: Merge<T>, budget: number): boolean {
  const { src, dst, cmp, mid, hi } = m;
  let { i, j, k } = m;
  const stop = Math.min(hi, k + budget);
  while (k < stop && i < mid && j < hi) dst[k++] = cmp(src[j]!, src[i]!) < 0 ? src[j++]! : src[i++]!;
  while (k < stop && i < mid) dst[k++] = src[i++]!;
  while (k < stop && j < hi) dst[k++] = src[j++]!;
  m.i = i;
  m.j = j;
  m.k = k;
  return k === hi;
}

export async function sortInSlices<T>(
  items: T[],
  cmp: (a: T, b: T) => number,
  interrupts: Interrupts,
): Promise<T[]> {
  const n = items.length;
  if (n <= RUN) return items.sort(cmp);
  let src: T[] = [];
  for (let lo = 0; lo < n; lo += RUN) {
    const run = items.slice(lo, lo + RUN).sort(cmp);
    for (const x of run) src.push(x);
    await interrupts.check();
  }
  let dst: T[] = new Array<T>(n);
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      const m: Merge<T> = { src, dst, cmp, i: lo, j: mid, k: lo, mid, hi };
      while (!mergeSome(m, RUN)) await interrupts.check();
    }
    [src, dst] = [dst, src];
    await interrupts.check();
  }
  return src;
}

/** One sort key's order of two values (nulls placed as the key says). */
export function compareKey(x: Value, y: Value, k: SortKey): number {
  if (x === null || y === null) {
    if (x === null && y === null) return 0;
    const nullFirst = k.nullsFirst ? -1 : 1;
    return x === null ? nullFirst : -nullFirst;
  }
  const c = compareValues(x, y, k.expr.type);
  return k.descending ? -c : c;
}

/** Types whose values are JS numbers that `<` orders as SQL does (no NaN, no bigint). */
const PLAIN_NUMBERS = new Set(['int2', 'int4', 'date']);

/** Compares rows of computed sort keys, key i at position i. */
function keyComparator(keys: SortKey[]): (a: Row, b: Row) => number {
  const nk = keys.length;
  if (keys.every((k) => PLAIN_NUMBERS.has(k.expr.type.name))) {
    // The common sort on integer keys, compared in line: a sort calls this n log n times.
    const descending = keys.map((k) => k.descending);
    return (a, b) => {
      for (let i = 0; i < nk; i++) {
        const x = a[i] as number | null;
        const y = b[i] as number | null;
        if (x === y) continue;
        if (x === null || y === null) return compareKey(x, y, keys[i]!);
        return x < y !== descending[i] ? -1 : 1;
      }
      return 0;
    };
  }
  return (a, b) => {
    for (let i = 0; i < nk; i++) {
      const c = compareKey(a[i]!, b[i]!, keys[i]!);
      if (c !== 0) return c;
    }
    return 0;
  };
}

/** Integer types: JS numbers, never infinite (dates can be), so ±Infinity can stand for NULL. */
const INTEGERS = new Set(['int2', 'int4']);

/**
 * Items in the order of their computed keys (`k`, key i at position i), stably. On integer keys
 * each key becomes a column of doubles (descending negated, NULL as ±Infinity where it sorts)
 * and what is sorted is the items' positions, compared by reading those columns: the comparison
 * a sort makes n log n times is two loads and a subtraction.
 */
export async function sortByKeys<T extends { k: Row }>(
  items: T[],
  keys: SortKey[],
  interrupts: Interrupts,
): Promise<T[]> {
  if (!keys.every((k) => INTEGERS.has(k.expr.type.name))) {
    const kcmp = keyComparator(keys);
    return sortInSlices(items, (a, b) => kcmp(a.k, b.k), interrupts);
  }
  const n = items.length;
  // The columns, the positions and their sorted copy count against statement_mem meanwhile.
  const bytes = n * (8 * keys.length + 16);
  interrupts.reserve(bytes, 'a Sort');
  try {
    return await sortPositions(items, keys, interrupts);
  } finally {
    interrupts.release(bytes);
  }
}

/** sortByKeys on integer keys: positions sorted by columns of doubles. */
async function sortPositions<T extends { k: Row }>(
  items: T[],
  keys: SortKey[],
  interrupts: Interrupts,
): Promise<T[]> {
  const n = items.length;
  const cols = keys.map((key, i) => keyColumn(items, i, key));
  const nk = cols.length;
  const byPosition = (x: number, y: number): number => {
    for (let i = 0; i < nk; i++) {
      const col = cols[i]!;
      const d = col[x]! - col[y]!;
      if (d < 0) return -1;
      if (d > 0) return 1;
    }
    return x - y;
  };
  const positions = await sortInSlices(
    Array.from({ length: n }, (_, i) => i),
    byPosition,
    interrupts,
  );
  return positions.map((i) => items[i]!);
}

/** Key `i` of every item as a double that orders as the key says (see sortByKeys). */
function keyColumn(items: { k: Row }[], i: number, key: SortKey): Float64Array {
  const col = new Float64Array(items.length);
  const none = key.nullsFirst ? -Infinity : Infinity;
  for (let r = 0; r < items.length; r++) {
    const v = items[r]!.k[i] as number | null;
    col[r] = v === null ? none : key.descending ? -v : v;
  }
  return col;
}
