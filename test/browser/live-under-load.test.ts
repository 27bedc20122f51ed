/**
 * Live under load on the worker runtime with the site's defaults (group mirroring, a standby,
 * time compressed 30x, IndexedDB disks): a 100,000-row load, a GROUP BY over it and a
 * ten-million-pair join run while FTS probes every primary at the compressed interval. No
 * primary is taken for failed, no mirror is marked down, every statement returns the right
 * answer. The million-row insert runs in the node project (test/load) and, on this runtime in
 * Chromium, in the bench's live suite, which fails when FTS raises any alarm.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCluster, type Cluster, type ClusterEvent } from '../../src/workers/index.ts';

const ALARMS = /^(fts\.(failover|promote|double_fault|mirror_down|mirror_up)|link\.timeout|instance\.crash)$/;

describe('the site cluster under load (worker runtime)', () => {
  let c: Cluster;
  const alarms: ClusterEvent[] = [];
  let healthy: unknown[][];
  const catalog = async () =>
    (
      await c.query(
        'select dbid, role, preferred_role, mode, status from gp_segment_configuration order by dbid',
      )
    ).rows;

  beforeAll(async () => {
    c = await createCluster({
      runtime: 'worker',
      storage: 'indexeddb',
      name: `load-${Date.now()}-${Math.floor(Math.random() * 1e6)}`,
      mirroring: 'group',
      standby: true,
      timeScale: 30,
    });
    c.subscribe((e) => {
      if (ALARMS.test(e.kind)) alarms.push(e);
    });
    // Every pair streaming and in sync before the load starts.
    const deadline = performance.now() + 60_000;
    for (;;) {
      const rows = await catalog();
      if (rows.every((r) => r[0] === 1 || (r[3] === 's' && r[4] === 'u'))) break;
      if (performance.now() > deadline) throw new Error(`pairs not in sync: ${JSON.stringify(rows)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    healthy = await catalog();
  }, 120_000);

  afterAll(async () => {
    await c?.close();
  });

  it('two 50,000-row inserts, with FTS probing every primary meanwhile', async () => {
    await c.query('create table big (id int, pad text) distributed by (id)');
    const probes = async () =>
      Promise.all([2, 3, 4, 5].map(async (dbid) => (await c.instanceStatus(dbid)).ftsProbe?.probes ?? 0));
    const before = await probes();
    for (const n of [50_000, 50_000]) {
      const r = await c.query(`insert into big select g, repeat('x', 200) from generate_series(1, ${n}) g`);
      expect(r.rowCount).toBe(n);
    }
    // The inserts spanned FTS probes (every 2 s at this time scale; the pair took 10-30 s
    // here), each answered: what "live under load" means. The bench's live suite loads
    // 1,000,000 rows and times the probes.
    const after = await probes();
    for (let i = 0; i < before.length; i++) expect(after[i]!).toBeGreaterThan(before[i]!);
    expect(alarms).toEqual([]);
    // A deadline for a hang, not a speed target (the bench measures load speed).
  }, 600_000);

  it('a 100,000-row GROUP BY', async () => {
    const r = await c.query('select id % 10 as k, count(*), sum(length(pad)) from big group by 1 order by 1');
    expect(r.rows).toEqual(Array.from({ length: 10 }, (_, k) => [k, 10_000, 10_000 * 200]));
    expect(alarms).toEqual([]);
  }, 240_000);

  it('a join comparing 10,000,000 pairs', async () => {
    await c.query('create table l (a int) distributed by (a)');
    await c.query('create table r (b int) distributed by (b)');
    await c.query('insert into l select generate_series(1, 10000)');
    await c.query('insert into r select generate_series(1, 1000)');
    const r = await c.query('select count(*) from l, r where a % 1000 = b - 1');
    expect(r.rows).toEqual([[10_000]]);
  }, 240_000);

  it('no failover, no mirror marked down, every probe answered', async () => {
    expect(alarms).toEqual([]);
    expect(await catalog()).toEqual(healthy);
    for (const dbid of [2, 3, 4, 5]) {
      const probe = (await c.instanceStatus(dbid)).ftsProbe;
      expect(probe?.probes).toBeGreaterThan(0);
      // Every probe answered (how fast is the benchmark's to measure, not a timed test's).
      expect(probe!.failures).toBe(0);
    }
  });
});
