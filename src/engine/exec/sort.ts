/**
 * Sorting that yields: one Array.prototype.sort over a million rows is a second or more of
 * the thread the instance answers probes on. Runs of RUN items are sorted natively, then
 * merged pairwise (bottom-up), with an interrupts check between runs and every RUN items of a
 * merge. Stable, as Array.prototype.sort is: a tie keeps the earlier item first.
 */
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
