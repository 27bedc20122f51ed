/**
 * Sort keys compared in line (integer and date keys) order rows exactly as the general
 * comparison does: every direction and NULLS placement, on more rows than one sorted run, so
 * the merges run too. The reference is a JS sort by SQL's rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster, Session } from '../../../src/engine/index.ts';
import { sqlCluster } from '../../support/sql-cluster.ts';

let c: Cluster;
let s: Session;
/** Rows of t: (id, a int4 with NULLs and ties, d date with NULLs). */
const rows: [number, number | null, number | null][] = [];
beforeAll(async () => {
  ({ c, s } = await sqlCluster());
  await s.query('create table t (id int, a int, d date) distributed by (id)');
  // 10,000 rows: more than one 4,096-row run per segment.
  await s.query(`insert into t select g, case when g % 11 = 0 then null else (g * 7919) % 97 - 48 end,
    case when g % 13 = 0 then null else date '2026-01-01' + (g * 31) % 400 end from generate_series(1, 10000) g`);
  for (let g = 1; g <= 10000; g++)
    rows.push([g, g % 11 === 0 ? null : ((g * 7919) % 97) - 48, g % 13 === 0 ? null : (g * 31) % 400]);
}, 120_000);
afterAll(async () => {
  await s.close();
  await c.close();
});

/** SQL's order of two values for one key: NULLs last ascending, first descending, unless said. */
function order(x: number | null, y: number | null, desc: boolean, nullsFirst: boolean): number {
  if (x === y) return 0;
  if (x === null) return nullsFirst ? -1 : 1;
  if (y === null) return nullsFirst ? 1 : -1;
  return (x < y ? -1 : 1) * (desc ? -1 : 1);
}

describe('ORDER BY on integer and date keys', () => {
  // With d, the keys are compared row to row; on integers alone, as columns of doubles.
  for (const [aDesc, aNullsFirst] of [
    [false, false],
    [true, true],
    [false, true],
    [true, false],
  ] as const)
    for (const d of ['asc', 'desc', undefined] as const)
      it(`a ${aDesc ? 'desc' : 'asc'} nulls ${aNullsFirst ? 'first' : 'last'}${d ? `, d ${d}` : ''}, id`, async () => {
        const keys = `a ${aDesc ? 'desc' : 'asc'} nulls ${aNullsFirst ? 'first' : 'last'}${d ? `, d ${d}` : ''}, id`;
        const dDesc = d === 'desc';
        const want = [...rows]
          .sort(
            (x, y) =>
              order(x[1], y[1], aDesc, aNullsFirst) ||
              (d ? order(x[2], y[2], dDesc, dDesc) : 0) ||
              x[0] - y[0],
          )
          .map((x) => x[0]);
        // A window over every row sorts all 10,000 in one Sort (runs and merges) below it.
        const ranked = await s.query(`select id, row_number() over (order by ${keys}) from t`);
        const rank = new Map(ranked.rows.map((x) => [x[0] as number, Number(x[1])]));
        expect(want.map((id) => rank.get(id))).toEqual(want.map((_, i) => i + 1));
        // LIMIT: each segment's top-N sort decides which rows reach the coordinator.
        const top = await s.query(`select id from t order by ${keys} limit 300`);
        expect(top.rows.map((x) => x[0])).toEqual(want.slice(0, 300));
      });
});
