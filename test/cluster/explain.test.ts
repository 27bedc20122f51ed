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
