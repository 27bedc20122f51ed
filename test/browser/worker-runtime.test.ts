/**
 * The worker runtime in Chromium: every instance in its own Web Worker with its own IndexedDB
 * database, linked by MessageChannels the orchestrator hands out. Outcomes are asserted as on
 * the inline runtime: rows, catalog states, errors.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/workers/index.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function waitFor<T>(cond: () => Promise<T | undefined | false>, ms: number, what: string): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (performance.now() > deadline) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const configOf = async (c: Cluster) =>
  (
    await c.query(
      'select dbid, content, role, preferred_role, mode, status from gp_segment_configuration order by dbid',
    )
  ).rows as [number, number, string, string, string, string][];

const unique = (what: string) => `wrt-${what}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;

describe('worker runtime', () => {
  it('boots 1+1+4x2 instances as workers on IndexedDB, runs SQL, and fails a primary over', async () => {
    const name = unique('failover');
    cluster = await createCluster({
      runtime: 'worker',
      storage: 'indexeddb',
      name,
      mirroring: 'group',
      standby: true,
      timeScale: 100,
    });
    const c = cluster;
    const dbs = (await indexedDB.databases()).map((d) => d.name).filter((n) => n?.startsWith(name));
    expect(dbs.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `${name}-dbid${i + 1}`).sort());
    await c.query('create table t (id int, v text) distributed by (id)');
    await c.query(`insert into t select i, 'v' || i from generate_series(1, 500) i`);
    expect((await c.query('select count(*), sum(id) from t')).rows).toEqual([[500, 125250]]);
    await waitFor(
      async () => (await configOf(c)).every((r) => (r[4] === 's' || r[0] === 1) && r[5] === 'u'),
      30_000,
      'every pair in sync',
    );
    await c.faults.crash(2);
    await waitFor(
      async () => {
        await c.query('select gp_request_fts_probe_scan()');
        return (await configOf(c)).find((r) => r[0] === 2)?.[5] === 'd';
      },
      30_000,
      'dbid 2 marked down',
    );
    const rows = await configOf(c);
    expect(rows.find((r) => r[1] === 0 && r[0] !== 2)?.slice(2)).toEqual(['p', 'm', 'n', 'u']);
    expect((await c.query('select count(*) from t')).rows).toEqual([[500]]);
    await c.query(`insert into t values (501, 'after')`);
    expect((await c.query('select count(*) from t')).rows).toEqual([[501]]);
  });
});
