/**
 * EXPLAIN names columns as psql shows them (table.column, or the expression), never by
 * position ($0): issue 21's last point, on the plan of issue 18's query.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';

let c: Cluster;
beforeAll(async () => {
  c = await createCluster({ hosts: ['sdw1', 'sdw2'], segmentsPerHost: 1, mirroring: 'none' });
  await c.query('create table tags (tag text, emp_id int) distributed by (tag)');
  await c.query('create table emp (id int, name text) distributed by (id)');
}, 60_000);
afterAll(async () => {
  await c.close();
});

const explain = async (sql: string) => (await c.query(`explain ${sql}`)).rows.map((r) => String(r[0]));

it('a join, its redistribution, its aggregate and its sort are shown with column names', async () => {
  const plan = await explain(
    'select t.tag, count(*) from tags t join emp e on e.id = t.emp_id where e.name <> $$x$$ group by t.tag order by t.tag',
  );
  const text = plan.join('\n');
  expect(text).not.toMatch(/\$\d/);
  expect(text).toMatch(/Hash Key: tags\.emp_id/);
  expect(text).toMatch(/Hash Cond: \((tags\.emp_id = emp\.id|emp\.id = tags\.emp_id)\)/);
  expect(text).toMatch(/Filter: \(emp\.name <> 'x'::text\)/);
  expect(text).toMatch(/Group Key: tags\.tag/);
  expect(text).toMatch(/Sort Key: tags\.tag/);
});

it("windows get Greenplum's plan: a Redistribute Motion on the PARTITION BY key, the WindowAgg on the segments", async () => {
  const plan = await explain(
    'select e.name, row_number() over (partition by e.name order by e.id) from emp e order by 1',
  );
  expect(plan).toEqual([
    'Gather Motion 2:1  (slice2; segments: 2)',
    '  Merge Key: emp.name',
    '  ->  Sort',
    '        Sort Key: emp.name',
    '        ->  WindowAgg',
    '              Partition By: emp.name',
    '              Order By: emp.id',
    '              ->  Sort',
    '                    Sort Key: emp.name, emp.id',
    '                    ->  Redistribute Motion 2:2  (slice1; segments: 2)',
    '                          Hash Key: emp.name',
    '                          ->  Seq Scan on emp',
    'Optimizer: Postgres query optimizer',
  ]);
  // Partitioned by the distribution key: every partition is on one segment already.
  const local = (await explain('select id, sum(id) over (partition by id) from emp')).join('\n');
  expect(local).toMatch(/WindowAgg\n\s+Partition By: emp\.id/);
  expect(local).not.toMatch(/Redistribute/);
  // A window over every row is computed on the coordinator, after the Gather.
  expect(await explain('select id, rank() over (order by id desc) from emp')).toEqual([
    'WindowAgg',
    '  Order By: emp.id DESC',
    '  ->  Sort',
    '        Sort Key: emp.id DESC',
    '        ->  Gather Motion 2:1  (slice1; segments: 2)',
    '              ->  Seq Scan on emp',
    'Optimizer: Postgres query optimizer',
  ]);
});

it('a window plan computed on the segments counts each partition whole', async () => {
  await c.query('create table w (k int, g text) distributed by (k)');
  await c.query("insert into w select n, 'g' || (n % 5) from generate_series(1, 200) n");
  // count(*) over the partition equals the group's size only if the whole partition met on one segment.
  const r = await c.query(
    'select g, count(*) over (partition by g) = 40 as whole, row_number() over (partition by g order by k) from w order by g, 3',
  );
  expect(r.rows).toHaveLength(200);
  expect(r.rows.every((row) => row[1] === true)).toBe(true);
  expect(r.rows.slice(0, 3)).toEqual([
    ['g0', true, 1],
    ['g0', true, 2],
    ['g0', true, 3],
  ]);
});

it('a WITH query is planned where it is used, as Greenplum does with gp_cte_sharing off: no CTE Scan, each reference its own plan', async () => {
  await c.query('create table ct (a int, b int) distributed by (a)');
  const once = await explain(
    'with x as (select a, count(*) as n from ct group by a) select * from x where n > 1',
  );
  expect(once.join('\n')).not.toMatch(/CTE Scan|Shared Scan/);
  // Grouped by the distribution key: one phase, on the segments, under the Gather.
  expect(once[0]).toMatch(/^Gather Motion 2:1 {2}\(slice1; segments: 2\)$/);
  expect(once.filter((l) => /HashAggregate/.test(l))).toHaveLength(1);
  const twice = await explain(
    'with x as (select b, count(*) as n from ct group by b) select * from x join x y on x.b = y.n',
  );
  // Each reference aggregates ct on its own: two scans, two two-phase aggregates.
  expect(twice.filter((l) => /Seq Scan on ct/.test(l))).toHaveLength(2);
  expect(twice.filter((l) => /Finalize HashAggregate/.test(l))).toHaveLength(2);
  expect(twice.filter((l) => /Hash Key: ct\.b/.test(l))).toHaveLength(2);
});
