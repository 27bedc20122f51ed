/**
 * What a slice sends and computes is narrowed to what is used above it (exec/columns-used.ts):
 * a Motion carries only the columns its receivers use, and a subquery's output nobody reads is
 * not computed, as Postgres drops unused subquery outputs. An unused output computed on the
 * NULLs of columns that were not sent would fail (1/x, a cast of text): these queries return
 * rows in Postgres, and must here. (Found by review: they failed with "division by zero".)
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sqlCluster } from '../support/sql-cluster.ts';
import type { Cluster, Session } from '../../src/engine/index.ts';

let c: Cluster;
let s: Session;
beforeAll(async () => {
  ({ c, s } = await sqlCluster(
    'create table t5 (a int, b int, c text) distributed by (a)',
    'insert into t5 select i, i, i::text from generate_series(1, 20) i',
    'create table t6 (a int, b int, c text) distributed by (a)',
    "insert into t6 select i, i % 4, 'x' || i from generate_series(1, 20) i",
  ));
});
afterAll(() => c.close());

const count = async (sql: string) => (await s.query(`select count(*) from (${sql}) q`)).rows[0]![0];

it.each([
  // Joined on a column that is redistributed, the unused output's column is not sent.
  ['select t6.c from t6 join (select b, 1/greatest(a, 0) y from t5) s on s.b = t6.b', 15],
  [
    'select t6.c from t6 where exists (select 1 from (select b, 1/greatest(a, 0) y from t5) z where z.b = t6.b)',
    15,
  ],
  ['select t6.c, z.b from t6 left join (select b, 1/greatest(a, 0) y from t5) z on z.b = t6.b', 20],
  // Gathered under a LIMIT, and within one slice.
  ['select x from (select a as x, 1/greatest(b, 0) y from t5 limit 100) s', 20],
  ["select x from (select a as x, coalesce(c, 'q')::int y from t5 limit 100) s", 20],
  ["select x from (select a as x, concat(c, '')::int y from t5 order by a limit 100) s", 20],
  ['select x from (select a as x, 1/greatest(b, 0) y from t5) s', 20],
])('%s returns its rows', async (sql, rows) => {
  expect(await count(sql)).toBe(rows);
});

it('still computes an unused output when it is volatile, and the used ones exactly', async () => {
  // The used output is right; the volatile unused one is computed (random() is never NULL).
  expect((await s.query('select sum(x) from (select a as x, 1/greatest(b, 0) y from t5) q')).rows).toEqual([
    [210],
  ]);
  const r = await s.query('select count(*) from (select a, random() r from t5) q where r is not null');
  expect(r.rows).toEqual([[20]]);
});
