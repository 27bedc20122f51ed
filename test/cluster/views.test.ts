/**
 * Views (issue 22) as a DBA meets them around HA: they are catalog, so they stream to the standby
 * and survive gpactivatestandby and a coordinator restart; writes through a view are refused as
 * Greenplum refuses them; EXPLAIN shows the plan of the view's query. Their SQL is compared with
 * PostgreSQL in the differential corpus (12-views.sql).
 */
import { afterEach, expect, it } from 'vitest';
import { createCluster, SqlError, type Cluster } from '../../src/engine/index.ts';
import { run } from '../support/run-utility.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

it('a view survives a coordinator restart and gpactivatestandby, and refuses writes through it', async () => {
  const c = (cluster = await createCluster({ mirroring: 'group', standby: true, timeScale: 200 }));
  await c.query('create table sales (id int, region text, amount int) distributed by (id)');
  await c.query("insert into sales select i, 'r' || (i % 3), i from generate_series(1, 300) i");
  await c.query(
    'create view by_region as select region, sum(amount) as total, count(*) as n from sales group by region',
  );
  const expected = (await c.query('select * from by_region order by region')).rows;
  expect(expected).toHaveLength(3);
  await expect(c.query("insert into by_region values ('x', 1, 1)")).rejects.toMatchObject({
    code: '0A000',
    message: 'cannot change view "by_region"',
  });
  await expect(c.query('delete from by_region')).rejects.toMatchObject({ code: '0A000' });
  await expect(c.query('truncate by_region')).rejects.toMatchObject({ code: '42809' });
  const plan = (await c.query('explain select * from by_region')).rows.map((r) => String(r[0])).join('\n');
  expect(plan).toContain('Gather Motion');
  expect(plan).toContain('Seq Scan on sales');
  await c.faults.crash(1);
  await c.faults.restart(1);
  expect((await c.query('select * from by_region order by region')).rows).toEqual(expected);
  await c.faults.crash(1);
  await expect(c.query('select 1')).rejects.toBeInstanceOf(SqlError);
  await run(c, 'gpactivatestandby -a -d /data/coordinator/gpseg-1');
  expect((await c.query('select * from by_region order by region')).rows).toEqual(expected);
  expect((await c.query("select definition from pg_views where viewname = 'by_region'")).rows).toEqual([
    ['select region, sum(amount) as total, count(*) as n from sales group by region'],
  ]);
});
