/**
 * ROLLUP, CUBE and GROUPING SETS (issue 22): the results are compared with PostgreSQL in the
 * differential corpus (11-grouping-sets.sql); here, what the lab does differently on purpose.
 */
import { afterEach, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

it("EXPLAIN refuses a query with grouping sets rather than show a plan that is not Greenplum's", async () => {
  const c = (cluster = await createCluster({ mirroring: 'none', timeScale: 200 }));
  await c.query('create table g (a int, b int) distributed by (a)');
  await c.query('insert into g select i, i % 3 from generate_series(1, 30) i');
  for (const q of [
    'select b, count(*) from g group by rollup (b)',
    'select * from (select b, count(*) from g group by cube (a, b)) s',
  ])
    await expect(c.query(`explain ${q}`), q).rejects.toMatchObject({
      code: '0A000',
      message: 'EXPLAIN of a query with grouping sets is not supported',
    });
  // A plain GROUP BY still explains; GROUPING() of it is 0.
  expect((await c.query('explain select b, count(*) from g group by b')).rows.length).toBeGreaterThan(2);
  expect((await c.query('select b, grouping(b) from g group by b order by b')).rows).toEqual([
    [0, 0],
    [1, 0],
    [2, 0],
  ]);
  expect((await c.query('select b, count(*) from g group by rollup (b) order by b nulls last')).rows).toEqual(
    [
      [0, 10],
      [1, 10],
      [2, 10],
      [null, 30],
    ],
  );
  await expect(c.query('select b, row_number() over () from g group by rollup (b)')).rejects.toMatchObject({
    code: '0A000',
  });
});
