/**
 * The bank's client-side ledger: it finds an acknowledged transfer the table lost (which a
 * conserved sum cannot), leaves out accounts of transfers unsettled while it reads, and keeps
 * an indeterminate COMMIT's accounts out for good.
 */
import { describe, expect, it } from 'vitest';
import { BankLedger } from '../../src/ui/workload/bank-ledger.ts';

const bank = (n: number, balance = 1000): [number, number][] =>
  Array.from({ length: n }, (_, i) => [i + 1, balance]);

describe('BankLedger', () => {
  it('finds an acknowledged transfer that is not in the balances, though the sum is conserved', async () => {
    const l = new BankLedger();
    l.baseline(bank(4));
    l.acknowledged(l.begin(1, 2, 30));
    l.failed(l.begin(3, 4, 5));
    const kept = await l.verify(async () => [
      [1, 970],
      [2, 1030],
      [3, 1000],
      [4, 1000],
    ]);
    expect(kept).toEqual({ checked: 4, unsettled: 0, wrong: [] });
    // The same table without the acknowledged transfer: the sum is still 4000.
    const lost = await l.verify(async () => bank(4));
    expect(lost.wrong).toEqual([
      { id: 1, expected: 970, actual: 1000 },
      { id: 2, expected: 1030, actual: 1000 },
    ]);
  });

  it('leaves out accounts of transfers running or started while it reads, and of unknown COMMITs', async () => {
    const l = new BankLedger();
    l.baseline(bank(6));
    const running = l.begin(1, 2, 10);
    l.unknown(l.begin(3, 4, 10));
    const kept = await l.verify(async () => {
      // Starts and commits while the balances are read: they may show it or not.
      l.acknowledged(l.begin(5, 6, 7));
      return [
        [1, 990],
        [2, 1010],
        [3, 1000],
        [4, 1000],
        [5, 993],
        [6, 1007],
      ];
    });
    expect(kept).toEqual({ checked: 0, unsettled: 6, wrong: [] });
    l.acknowledged(running);
    const after = await l.verify(async () => [
      [1, 990],
      [2, 1010],
      [3, 990],
      [4, 1010],
      [5, 993],
      [6, 1007],
    ]);
    // The unknown COMMIT's accounts stay out; the others are now exact.
    expect(after).toEqual({ checked: 4, unsettled: 2, wrong: [] });
    expect(l.doubtful).toBe(1);
  });
});
