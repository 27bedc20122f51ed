/**
 * count(*) without GROUP BY adds up its input's batch lengths instead of stepping per row
 * (exec/agg.ts): it must count exactly the rows the snapshot sees, over many batches, and
 * leave FILTER, DISTINCT, other aggregates and GROUP BY to the per-row path.
 */
import { afterEach, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

it('count(*) counts the visible rows across batches, and leaves FILTER and GROUP BY to the per-row path', async () => {
  const c = (cluster = await createCluster({ mirroring: 'none' }));
  await c.query('create table t (a int, b int) distributed by (a)');
  // 6,000 rows: several 1,024-row batches on each segment.
  await c.query('insert into t select g, g % 7 from generate_series(1, 6000) g');
  await c.query('delete from t where a % 10 = 0'); // 600 rows gone
  await c.query('update t set b = b + 1 where a % 10 = 1'); // 600 new versions, old ones dead
  const other = await c.connect();
  await other.query('begin');
  await other.query('insert into t select g, 0 from generate_series(10001, 10500) g'); // not committed
  const one = async (sql: string) => (await c.query(sql)).rows;

  expect(await one('select count(*) from t')).toEqual([[5400]]);
  expect(await one('select count(*), count(*) from t')).toEqual([[5400, 5400]]);
  expect(await one('select count(*) from t where a > 3000')).toEqual([[2700]]);
  expect(await one('select count(*) filter (where b = 0) from t')).toEqual([[686]]);
  expect(await one('select count(*), sum(a) from t')).toEqual([[5400, 16_200_000]]);
  expect(await one('select b, count(*) from t where b = 7 group by b')).toEqual([[7, 86]]);
  expect(await one('select count(*) from (select 1 from t limit 10) s')).toEqual([[10]]);

  // Its own uncommitted rows count for the session that wrote them.
  expect((await other.query('select count(*) from t')).rows).toEqual([[5900]]);
  await other.query('rollback');
  await other.close();
  expect(await one('select count(*) from t')).toEqual([[5400]]);
});
