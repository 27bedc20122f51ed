/** The workload panel's commits/s: a mean over the last 5 one-second samples. */
import { describe, expect, it } from 'vitest';
import { commitRate } from '../../src/ui/workload/bank-workload.ts';

const samples = (...commits: number[]) => commits.map((c, i) => ({ t: i + 1, commits: c }));

describe('commitRate', () => {
  it.each([
    [[], '0'],
    [[4], '4.0'],
    // A steady 4/s whose seconds see 0 and 8 by turns reads 4, not whichever came last.
    [[0, 8, 0, 8, 0, 8, 0], '3.2'],
    [[8, 0, 8, 0, 8], '4.8'],
    [[3, 5, 4, 4, 4], '4.0'],
    [[12, 9, 10, 10, 9], '10'],
  ])('%j -> %s', (commits, want) => {
    expect(commitRate(samples(...commits))).toBe(want);
  });

  it('counts only the samples after the workload started', () => {
    // Seconds 1-4 before a stop, at 8/s; started again after second 4, at 2/s.
    expect(commitRate(samples(8, 8, 8, 8, 2, 2), 4)).toBe('2.0');
    expect(commitRate(samples(8, 8, 8, 8), 4)).toBe('0');
  });
});
