import { describe, expect, it } from 'vitest';
import { createCluster } from '../../src/engine/index.ts';

describe('cluster smoke', () => {
  it('CREATE TEMP TABLE makes a table of the session alone: another never sees it, nor the catalog', async () => {
    const c = await createCluster();
    try {
      for (const sql of [
        'create temp table tt (a int)',
        'create temporary table tt (a int)',
        'create global temporary table tt (a int)',
        'create temp table tt as select 1 as a',
      ]) {
        // c.query is a session of its own: the table goes when it closes.
        expect((await c.query(sql)).command, sql).toMatch(/CREATE TABLE|SELECT/);
        await expect(c.query('select * from tt'), sql).rejects.toMatchObject({ code: '42P01' });
      }
      expect((await c.query("select count(*) from pg_tables where tablename = 'tt'")).rows).toEqual([[0]]);
    } finally {
      await c.close();
    }
  });

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

describe('INSERT ... SELECT from generate_series (computed on every segment)', () => {
  it('places each row once, where its policy puts it, for hash, random and replicated tables', async () => {
    const c = await createCluster({ mirroring: 'none' });
    try {
      await c.query('create table h (a int, b text) distributed by (a)');
      await c.query('create table r (a int) distributed randomly');
      await c.query('create table p (a int) distributed replicated');
      expect(
        (await c.query('insert into h select i, i::text from generate_series(1, 1000) i')).rowCount,
      ).toBe(1000);
      expect((await c.query('insert into r select generate_series(1, 1000)')).rowCount).toBe(1000);
      expect((await c.query('insert into p select generate_series(1, 10)')).rowCount).toBe(10);
      expect((await c.query('select count(*), count(distinct a), sum(a) from h')).rows).toEqual([
        [1000, 1000, 500500],
      ]);
      expect((await c.query('select count(*), count(distinct a) from r')).rows).toEqual([[1000, 1000]]);
      // Every row sits on the segment its key hashes to: joining on the key needs no motion and
      // finds every row (a row on the wrong segment would be missed by the co-located join).
      expect((await c.query('select count(*) from h x join h y on x.a = y.a')).rows).toEqual([[1000]]);
      const spread = await c.query('select gp_segment_id, count(*) from r group by 1 order by 1');
      expect(spread.rows).toEqual([0, 1, 2, 3].map((s) => [s, 250]));
      // A replicated table joins a hashed one on each segment with no motion: every segment's copy
      // must hold all ten rows for the join to find them all.
      expect((await c.query('select count(*) from h join p on h.a = p.a')).rows).toEqual([[10]]);
      expect(
        (await c.query('explain select count(*) from h join p on h.a = p.a')).rows.join('\n'),
      ).not.toMatch(/Redistribute|Broadcast/);
    } finally {
      await c.close();
    }
  });

  it('computes volatile sources once, on the coordinator: exactly one row per generated value', async () => {
    const c = await createCluster({ mirroring: 'none' });
    try {
      await c.query('create table v (a int, x float8) distributed by (x)');
      expect(
        (await c.query('insert into v select i, random() from generate_series(1, 500) i')).rowCount,
      ).toBe(500);
      expect((await c.query('select count(*), count(distinct a) from v')).rows).toEqual([[500, 500]]);
    } finally {
      await c.close();
    }
  });
});
