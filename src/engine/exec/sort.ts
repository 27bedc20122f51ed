/**
 * Sorting that yields: one Array.prototype.sort over a million rows is a second or more of
 * the thread the instance answers probes on. Runs of RUN items are sorted natively, then
 * merged pairwise (bottom-up), with an interrupts check between runs and every RUN items of a
 * merge. Stable, as Array.prototype.sort is: a tie keeps the earlier item first.
 */
import type { Interrupts } from './interrupts.ts';

const RUN = 4096;

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
  let sinceCheck = 0;
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        dst[k++] = cmp(src[j]!, src[i]!) < 0 ? src[j++]! : src[i++]!;
        if (++sinceCheck === RUN) {
          sinceCheck = 0;
          await interrupts.check();
        }
      }
      while (i < mid) dst[k++] = src[i++]!;
      while (j < hi) dst[k++] = src[j++]!;
    }
    [src, dst] = [dst, src];
    await interrupts.check();
  }
  return src;
}
