/**
 * A sorted subquery alone in FROM keeps its order through a filter and the outer projection, as
 * in Postgres (its path keys), so a LIMIT above it takes the first rows of that order and the
 * Gather Motion merges on it (EXPLAIN: Merge Key), as Greenplum's does. Before, the gather
 * concatenated the segments' sorted runs: LIMIT 3 returned three rows of whichever segment
 * answered first.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sqlCluster } from '../support/sql-cluster.ts';
import type { Cluster, Session } from '../../src/engine/index.ts';

let c: Cluster;
let s: Session;
beforeAll(async () => {
  ({ c, s } = await sqlCluster(
    'create table t (a int, b int) distributed by (a)',
    'insert into t select i, (i * 7) % 13 from generate_series(1, 40) i',
  ));
});
afterAll(() => c.close());

const rows = async (sql: string) => (await s.query(sql)).rows;

it('a LIMIT over a sorted subquery takes the first rows of its order', async () => {
  expect(await rows('select x, y from (select a x, b y from t order by y, x) s limit 3')).toEqual([
    [13, 0],
    [26, 0],
    [39, 0],
  ]);
  expect(
    await rows('select x from (select a x, b y from t order by y desc, x) s where x > 5 limit 4'),
  ).toEqual([[11], [24], [37], [9]]);
  expect(
    await rows('select x + 1 from (select a x, b y from t order by y desc, x) s limit 2 offset 1'),
  ).toEqual([[25], [38]]);
});

it('every row in the order, merged at the gather', async () => {
  const all = await rows('select x, y from (select a x, b y from t order by y, x) s');
  const expected = [...all].sort((p, q) => Number(p[1]) - Number(q[1]) || Number(p[0]) - Number(q[0]));
  expect(all).toHaveLength(40);
  expect(all).toEqual(expected);
  const plan = (await rows('explain select x from (select a x, b y from t order by y, x) s')).map(
    (r) => r[0],
  );
  expect(plan.join('\n')).toMatch(/Gather Motion 2:1[^\n]*\n\s+Merge Key: t\.b, t\.a/);
});

it('its own ORDER BY, DISTINCT or aggregate still decide', async () => {
  expect(
    await rows('select x from (select a x, b y from t order by y, x) s order by x desc limit 2'),
  ).toEqual([[40], [39]]);
  expect(
    await rows('select distinct y from (select a x, b y from t order by y, x) s order by 1 limit 2'),
  ).toEqual([[0], [1]]);
  expect(await rows('select count(*) from (select a x, b y from t order by y, x) s')).toEqual([[40]]);
});
