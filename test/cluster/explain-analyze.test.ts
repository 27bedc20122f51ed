/**
 * EXPLAIN ANALYZE runs the query and prints what each node did, as Greenplum 7 does: a node's
 * actual rows, loops and times from the segment that produced the most rows, each slice's
 * executor memory over its workers, statement_mem, planning and execution times. The counts
 * are checked against the data's own distribution (gp_segment_id).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';

let c: Cluster;
beforeAll(async () => {
  c = await createCluster({ hosts: ['sdw1', 'sdw2'], segmentsPerHost: 2, mirroring: 'none' });
  await c.query('create table t (a int, b int) distributed by (a)');
  await c.query('insert into t select i, i % 7 from generate_series(1, 5000) i');
  await c.query('create table u (b int, name text) distributed by (b)');
  await c.query("insert into u select i, 'n' || i from generate_series(0, 6) i");
}, 60_000);
afterAll(async () => {
  await c.close();
});

const analyze = async (sql: string) =>
  (await c.query(`explain analyze ${sql}`)).rows.map((r) => String(r[0]));
const ACTUAL = /\(actual time=(\d+\.\d{3})\.\.(\d+\.\d{3}) rows=(\d+) loops=(\d+)\)$/;

function actual(line: string | undefined): { rows: number; loops: number; first: number; total: number } {
  const m = ACTUAL.exec(line ?? '');
  if (!m) throw new Error(`no actual statistics in: ${line}`);
  return { first: Number(m[1]), total: Number(m[2]), rows: Number(m[3]), loops: Number(m[4]) };
}

it("count(*) on 4 segments: each node's rows, the busiest segment's scan, the slices' memory, the footer", async () => {
  const perSegment = (await c.query('select gp_segment_id, count(*) from t group by 1 order by 1')).rows.map(
    (r) => Number(r[1]),
  );
  expect(perSegment).toHaveLength(4);
  const plan = await analyze('select count(*) from t');
  const at = (name: string) => plan.find((l) => l.includes(name));
  expect(actual(at('Finalize Aggregate')).rows).toBe(1);
  // Four partial counts were gathered; the scan line is the segment that read the most rows.
  expect(actual(at('Gather Motion 4:1  (slice1; segments: 4)')).rows).toBe(4);
  expect(actual(at('Partial Aggregate')).rows).toBe(1);
  const scan = actual(at('Seq Scan on t'));
  expect(scan).toMatchObject({ rows: Math.max(...perSegment), loops: 1 });
  expect(scan.total).toBeGreaterThanOrEqual(scan.first);
  expect(plan.slice(plan.indexOf('Optimizer: Postgres query optimizer'))).toEqual([
    'Optimizer: Postgres query optimizer',
    expect.stringMatching(/^Planning Time: \d+\.\d{3} ms$/),
    expect.stringMatching(/^ {2}\(slice0\) {4}Executor memory: \d+K bytes\.$/),
    expect.stringMatching(
      /^ {2}\(slice1\) {4}Executor memory: \d+K bytes avg x 4 workers, \d+K bytes max \(seg[0-3]\)\.$/,
    ),
    'Memory used:  128000kB',
    expect.stringMatching(/^Execution Time: \d+\.\d{3} ms$/),
  ]);
});

it('a redistributed join and a top-N sort show every node, the hash side as the Hash', async () => {
  const join = await analyze('select * from t join u on t.b = u.b where t.a <= 70');
  const gathered = actual(join[0]);
  expect(gathered.rows).toBe(70);
  const hash = join.find((l) => l.trim().startsWith('->  Hash ('));
  // u's 7 rows are spread by b over the 4 segments: the busiest holds 2 or more.
  expect(actual(hash).rows).toBeGreaterThanOrEqual(2);
  expect(join.filter((l) => ACTUAL.test(l) || l.includes('never executed'))).toHaveLength(6);
  const top = await analyze('select * from t order by a limit 3');
  expect(actual(top[0]).rows).toBe(3);
  expect(actual(top.find((l) => l.includes('->  Sort'))).rows).toBe(3);
  // Direct dispatch: one segment ran the slice.
  const one = await analyze('select * from t where a = 5');
  expect(one.find((l) => l.includes('Executor memory') && l.includes('slice1'))).toMatch(/\d+K bytes\.$/);
  expect(actual(one.find((l) => l.includes('Seq Scan on t'))).rows).toBe(1);
});

it('gp_enable_explain_allstat prints what each segment did, under each node that ran on segments', async () => {
  const perSegment = (await c.query('select gp_segment_id, count(*) from t group by 1 order by 1')).rows.map(
    (r) => Number(r[1]),
  );
  const session = await c.connect();
  try {
    const plain = (await session.query('explain analyze select count(*) from t')).rows.map((r) =>
      String(r[0]),
    );
    expect(plain.some((l) => l.includes('allstat'))).toBe(false);
    await session.query('set gp_enable_explain_allstat = on');
    expect((await session.query('show gp_enable_explain_allstat')).rows).toEqual([['on']]);
    const plan = (await session.query('explain analyze select count(*) from t')).rows.map((r) =>
      String(r[0]),
    );
    const scan = plan.findIndex((l) => l.includes('Seq Scan on t'));
    // Below the scan's line, at its details' indentation: one entry per segment, in order.
    const line = plan[scan + 1]!;
    const m =
      /^( +)allstat: seg_firststart_total_ntuples((?:\/seg\d+_[\d.]+ ms_[\d.]+ ms_\d+)+)\/\/end$/.exec(line);
    expect(m, line).not.toBeNull();
    expect(m![1]!.length).toBe(plan[scan]!.indexOf('->') + 6);
    const entries = m![2]!
      .split('/')
      .slice(1)
      .map((e) => e.split('_'));
    expect(entries.map((e) => e[0])).toEqual(['seg0', 'seg1', 'seg2', 'seg3']);
    expect(entries.map((e) => Number(e[3]))).toEqual(perSegment);
    // Greenplum's times: three decimals under 10 ms, none from there.
    for (const e of entries)
      for (const t of [e[1]!, e[2]!])
        expect(t).toMatch(Number.parseFloat(t) < 10 ? /^\d\.\d{3} ms$|^0 ms$/ : /^\d+ ms$/);
    // The coordinator's nodes (Finalize Aggregate, the Gather Motion's receiving end) print none.
    expect(plan.filter((l) => l.includes('allstat'))).toHaveLength(2);
    expect(plan[1]).not.toContain('allstat');
  } finally {
    await session.close();
  }
});

it('refuses what EXPLAIN refuses, and runs the statement: its errors are the statement’s', async () => {
  await expect(c.query('explain analyze delete from t')).rejects.toMatchObject({ code: '0A000' });
  await expect(c.query('explain analyze select 1/0 from t')).rejects.toMatchObject({ code: '22012' });
});
