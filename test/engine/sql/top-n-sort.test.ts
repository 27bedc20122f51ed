/**
 * ORDER BY ... LIMIT is a top-N sort: memory follows LIMIT + OFFSET, not the input (fuzzer
 * seeds 40035 and 50019: a skewed self-join under ORDER BY ... LIMIT 8 failed with 53200 where
 * PostgreSQL answers), and the rows kept are exactly a full sort's first rows, ties included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster, Session } from '../../../src/engine/index.ts';
import { sqlCluster } from '../../support/sql-cluster.ts';

let c: Cluster;
let s: Session;
beforeAll(async () => {
  ({ c, s } = await sqlCluster());
  await s.query('create table t (id int, k int, pad text) distributed by (id)');
  await s.query(`insert into t select g, g % 7, repeat('x', 100) from generate_series(1, 40000) g`);
  await s.query(`set statement_mem = '2MB'`);
}, 120_000);
afterAll(async () => {
  await s.close();
  await c.close();
});

describe('ORDER BY ... LIMIT under statement_mem', () => {
  it('a full sort of the table is past statement_mem: 53200', async () => {
    await expect(s.query('select * from t order by k, id')).rejects.toMatchObject({ code: '53200' });
  });

  it('with LIMIT and OFFSET it is a top-N sort and answers', async () => {
    const r = await s.query('select id, k from t order by k desc, id limit 5 offset 3');
    expect(r.rows).toEqual([
      [27, 6],
      [34, 6],
      [41, 6],
      [48, 6],
      [55, 6],
    ]);
  });

  it("the rows kept are a full sort's first rows, at every bound", async () => {
    await s.query('reset statement_mem');
    // The whole order computed here: k descending, then id (unique), so only one answer is right.
    const all = Array.from({ length: 40000 }, (_, i) => i + 1).sort((a, b) => (b % 7) - (a % 7) || a - b);
    for (const [limit, offset] of [
      [1, 0],
      [10, 0],
      [100, 50],
      [2500, 10],
      [5000, 4999],
    ] as const) {
      const r = await s.query(`select id from t order by k desc, id limit ${limit} offset ${offset}`);
      expect(r.rows.map((x) => x[0])).toEqual(all.slice(offset, offset + limit));
    }
    // Ties on the only key: the keys kept are the smallest ones.
    const ks = await s.query('select k from t order by k limit 6000');
    expect(ks.rows.map((x) => x[0])).toEqual([...Array(5714).fill(0), ...Array(286).fill(1)]);
  });
});
