/**
 * MPP in the browser: on the worker runtime a query's slice runs on every segment, each segment
 * in its own Web Worker, so a scan over 4 segments runs on 4 threads. EXPLAIN ANALYZE with
 * gp_enable_explain_allstat shows what each segment's scan did; each instance reports the thread
 * (JavaScript realm) it runs in. The inline runtime, all in the page's thread, is the contrast.
 */
import { afterEach, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/workers/index.ts';
import { REALM } from '../../src/engine/runtime/realm.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const ROWS = 20_000;

/** The scan's allstat entries: segment, rows. */
async function scanPerSegment(c: Cluster): Promise<{ seg: number; rows: number }[]> {
  const s = await c.connect();
  try {
    await s.query('set gp_enable_explain_allstat = on');
    const plan = (await s.query('explain analyze select count(*) from t')).rows.map((r) => String(r[0]));
    const scan = plan.findIndex((l) => l.includes('Seq Scan on t'));
    const allstat = plan[scan + 1] ?? '';
    expect(allstat).toMatch(/^ +allstat: seg_firststart_total_ntuples\/.*\/\/end$/);
    return [...allstat.matchAll(/\/seg(\d+)_[\d.]+ ms_[\d.]+ ms_(\d+)/g)].map((m) => ({
      seg: Number(m[1]),
      rows: Number(m[2]),
    }));
  } finally {
    await s.close();
  }
}

async function realms(c: Cluster): Promise<{ coordinator: string; segments: string[] }> {
  const dbids = (
    await c.query(
      "select dbid from gp_segment_configuration where content >= 0 and role = 'p' order by content",
    )
  ).rows.map((r) => Number(r[0]));
  const realm = async (dbid: number) => (await c.instanceStatus(dbid)).realm ?? '';
  return { coordinator: await realm(1), segments: await Promise.all(dbids.map(realm)) };
}

async function loaded(runtime: 'worker' | 'inline'): Promise<Cluster> {
  const c = (cluster = await createCluster({
    runtime,
    storage: 'indexeddb',
    name: `mpp-${runtime}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`,
    hosts: ['sdw1', 'sdw2', 'sdw3', 'sdw4'],
    segmentsPerHost: 1,
    mirroring: 'none',
  }));
  await c.query('create table t (id int, v int, s text) distributed by (id)');
  await c.query(`insert into t select i, i % 100, 'row' || i from generate_series(1, ${ROWS}) i`);
  return c;
}

it("worker runtime: a count(*)'s scan runs on each of the 4 segments, in 4 distinct workers", async () => {
  const c = await loaded('worker');
  const perSegment = (await c.query('select gp_segment_id, count(*) from t group by 1 order by 1')).rows.map(
    (r) => ({ seg: Number(r[0]), rows: Number(r[1]) }),
  );
  const scans = await scanPerSegment(c);
  expect(scans).toEqual(perSegment);
  expect(scans.map((x) => x.seg)).toEqual([0, 1, 2, 3]);
  expect(scans.reduce((n, x) => n + x.rows, 0)).toBe(ROWS);
  const r = await realms(c);
  expect(new Set(r.segments).size).toBe(4);
  expect(r.segments).not.toContain(r.coordinator);
  expect(r.segments).not.toContain(REALM);
  expect(r.coordinator).not.toBe(REALM);
}, 90_000);

it('inline runtime: the same scan runs on the 4 segments, all in the page’s thread', async () => {
  const c = await loaded('inline');
  expect((await scanPerSegment(c)).map((x) => x.seg)).toEqual([0, 1, 2, 3]);
  const r = await realms(c);
  expect(new Set([...r.segments, r.coordinator])).toEqual(new Set([REALM]));
}, 90_000);
