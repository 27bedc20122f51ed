/**
 * LATERAL (issue 22): the answers are compared with PostgreSQL in the differential corpus
 * (15-lateral.sql); here, what the lab does differently on purpose, on a mirrored cluster.
 */
import { afterEach, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';
import { synced } from '../support/wait.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

it("EXPLAIN refuses a LATERAL query rather than show a plan that is not Greenplum's; the query runs", async () => {
  const c = (cluster = await createCluster({ mirroring: 'none', timeScale: 200 }));
  await c.query('create table cu (id int, n int) distributed by (id)');
  await c.query('create table od (oid int, cid int, amount int) distributed by (oid)');
  await c.query('insert into cu select i, i % 4 from generate_series(1, 20) i');
  await c.query('insert into od select i, i % 25, i from generate_series(1, 200) i');
  const q =
    'select cu.id, t.oid from cu, lateral (select oid from od where od.cid = cu.id order by amount desc limit 2) t';
  await expect(c.query(`explain ${q}`)).rejects.toMatchObject({
    code: '0A000',
    message: 'EXPLAIN of a query with LATERAL is not supported',
  });
  const r = await c.query(`${q} order by 1, 2`);
  // Customer i has orders i, i + 25, ..., the top two by amount being the last two.
  expect(r.rows.slice(0, 2)).toEqual([
    [1, 151],
    [1, 176],
  ]);
  expect(r.rows).toHaveLength(40);
  // A function in FROM reads the items before it without the word LATERAL, as in Postgres.
  const g = await c.query('select sum(g) from cu, generate_series(1, cu.n) g');
  expect(g.rows).toEqual([[5 * (0 + 1 + 3 + 6)]]);
  // `*` shows the item's own columns, not the keys it is joined back on.
  const star = await c.query(
    'select * from cu, lateral (select count(*) as k from od where od.cid = cu.id) s where cu.id = 3',
  );
  expect(star.fields.map((f) => f.name)).toEqual(['id', 'n', 'k']);
  expect(star.rows).toEqual([[3, 3, 8]]);
});

it('a LATERAL query gives the same rows after a failover', async () => {
  const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
  await synced(c);
  await c.query('create table cu (id int) distributed by (id)');
  await c.query('create table od (oid int, cid int, amount int) distributed by (oid)');
  await c.query('insert into cu select generate_series(1, 30)');
  await c.query('insert into od select i, i % 31, i * 7 % 100 from generate_series(1, 600) i');
  const q =
    'select cu.id, s.total, s.top from cu left join lateral (select sum(amount) as total, max(amount) as top from od where od.cid = cu.id) s on true order by 1';
  const before = await c.query(q);
  await c.faults.crash(2);
  await c.query('select gp_request_fts_probe_scan()');
  const after = await c.query(q);
  expect(after.rows).toEqual(before.rows);
  expect(before.rows).toHaveLength(30);
});
