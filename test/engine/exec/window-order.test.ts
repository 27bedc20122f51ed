/**
 * Two windows with different keys (each spec gets its own Sort and WindowAgg), one on
 * segments after a Redistribute Motion and one on the coordinator; NULL partition keys form one
 * partition, ties rank alike. The reference is computed in JS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster, Session } from '../../../src/engine/index.ts';
import { sqlCluster } from '../../support/sql-cluster.ts';

let c: Cluster;
let s: Session;
/** Rows of w: (id, g with NULLs, x with ties). */
const rows: [number, number | null, number][] = [];
beforeAll(async () => {
  ({ c, s } = await sqlCluster());
  await s.query('create table w (id int, g int, x int) distributed by (id)');
  await s.query(
    'insert into w select i, case when i % 5 = 0 then null else i % 7 end, (i * 37) % 50 from generate_series(1, 6000) i',
  );
  for (let i = 1; i <= 6000; i++) rows.push([i, i % 5 === 0 ? null : i % 7, (i * 37) % 50]);
}, 120_000);
afterAll(async () => {
  await s.close();
  await c.close();
});

describe('window functions in order', () => {
  it('row_number by partition (NULLs together) and rank over other keys', async () => {
    const r = await s.query(
      'select id, row_number() over (partition by g order by x, id), rank() over (order by x desc) from w',
    );
    const got = new Map(r.rows.map((x) => [x[0] as number, [Number(x[1]), Number(x[2])]]));
    const rowNumber = new Map<number, number>();
    const parts = new Map<number | null, [number, number | null, number][]>();
    for (const row of rows) parts.set(row[1], [...(parts.get(row[1]) ?? []), row]);
    for (const part of parts.values())
      part.sort((a, b) => a[2] - b[2] || a[0] - b[0]).forEach((row, i) => rowNumber.set(row[0], i + 1));
    const rank = new Map(rows.map((row) => [row[0], 1 + rows.filter((o) => o[2] > row[2]).length]));
    expect(rows.map((row) => got.get(row[0]))).toEqual(
      rows.map((row) => [rowNumber.get(row[0]), rank.get(row[0])]),
    );
  });
});
