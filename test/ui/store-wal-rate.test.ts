import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClusterStore } from '../../src/ui/state/cluster-store.ts';

let store: ClusterStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

// The diagram's WAL rates were the last ones measured while the coordinator was down: a frozen
// "4.1 kB/s" on a pair that sent nothing.
describe("the store's WAL rates when the catalog cannot be read", () => {
  it('are dropped while the coordinator is down, not kept from the last read', async () => {
    const s = (store = new ClusterStore());
    await s.boot({ hosts: ['sdw1', 'sdw2'], segmentsPerHost: 1, mirroring: 'group' });
    const c = s.cluster!;
    await c.query('create table t (a int, b text) distributed by (a)');
    let n = 0;
    await vi.waitFor(
      async () => {
        await c.query(`insert into t select g, repeat('x', 200) from generate_series(${n}, ${n + 499}) g`);
        n += 500;
        await s.refresh();
        expect([...s.health.walRate.values()].some((r) => r > 0)).toBe(true);
      },
      { timeout: 15_000, interval: 50 },
    );
    await c.faults.crash(1);
    await vi.waitFor(
      async () => {
        await s.refresh();
        expect(s.catalogError).not.toBe('');
      },
      { timeout: 10_000, interval: 50 },
    );
    expect([...s.health.walRate.entries()]).toEqual([]);
  });
});
