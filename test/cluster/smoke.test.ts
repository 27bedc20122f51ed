import { describe, expect, it } from 'vitest';
import { createCluster } from '../../src/engine/index.ts';

describe('cluster smoke', () => {
  it('creates a table, inserts, selects across segments', async () => {
    const c = await createCluster();
    try {
      const r0 = await c.query('create table t (a int, b text) distributed by (a)');
      expect(r0.command).toBe('CREATE TABLE');
      const r1 = await c.query("insert into t values (1, 'one'), (2, 'two'), (3, 'three')");
      expect(r1.rowCount).toBe(3);
      const r2 = await c.query('select a, b from t order by a');
      expect(r2.rows).toEqual([
        [1, 'one'],
        [2, 'two'],
        [3, 'three'],
      ]);
      const r3 = await c.query('select count(*), sum(a) from t');
      expect(r3.rows).toEqual([[3, 6]]);
      const r4 = await c.query('insert into t select i, i::text from generate_series(10, 109) i');
      expect(r4.rowCount).toBe(100);
      const r5 = await c.query('select gp_segment_id, count(*) from t group by 1 order by 1');
      expect(r5.rows.length).toBe(4);
      const r6 = await c.query("update t set b = b || '!' where a < 3");
      expect(r6.rowCount).toBe(2);
      const r7 = await c.query('delete from t where a >= 100');
      expect(r7.rowCount).toBe(10);
      expect((await c.query('select count(*) from t')).rows).toEqual([[93]]);
      const j = await c.query('select x.a, y.b from t x join t y on x.a = y.a + 1 where x.a < 4 order by 1');
      expect(j.rows).toEqual([
        [2, 'one!'],
        [3, 'two!'],
      ]);
      const ex = await c.query('explain select * from t where a = 1');
      expect(ex.rows.map((r) => r[0]).join('\n')).toContain('Gather Motion 1:1');
    } finally {
      await c.close();
    }
  });
});
