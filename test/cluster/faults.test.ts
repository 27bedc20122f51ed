/**
 * Instance crashes on a mirrorless cluster: a crashed segment makes the queries that need it
 * fail with a clear error, and comes back with every committed row after a restart; a
 * coordinator crash in the middle of two-phase commit is resolved by DTX recovery one way on
 * every segment.
 */
import { describe, expect, it } from 'vitest';
import { createCluster, SqlError } from '../../src/engine/index.ts';

async function expectSqlError(p: Promise<unknown>, code: string): Promise<SqlError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SqlError);
    expect((e as SqlError).code).toBe(code);
    return e as SqlError;
  }
  throw new Error(`expected SQLSTATE ${code}`);
}

describe('faults on a mirrorless cluster', () => {
  it('a crashed segment fails queries clearly and recovers its data on restart', async () => {
    const c = await createCluster();
    try {
      await c.query('create table t (a int, b int) distributed by (a)');
      await c.query('insert into t select i, i * 10 from generate_series(1, 1000) i');
      await c.faults.crash(3);
      const err = await expectSqlError(c.query('select count(*) from t'), '58M01');
      expect(err.message).toBe('failed to acquire resources on one or more segments');
      expect(err.detail).toMatch(/Connection refused/);
      // A query that needs only healthy contents still works (direct dispatch).
      const where = await c.query('select a from t where a = 1');
      expect(where.rowCount === 1 || where.rowCount === 0).toBe(true);
      await c.faults.restart(3);
      expect((await c.query('select count(*), sum(b) from t')).rows).toEqual([[1000, 5005000]]);
    } finally {
      await c.close();
    }
  });

  it('a host crash takes all its segments; restart brings them back', async () => {
    const c = await createCluster();
    try {
      await c.query('create table h (a int) distributed by (a)');
      await c.query('insert into h select generate_series(1, 200)');
      await c.faults.crash('sdw2');
      await expectSqlError(c.query('select count(*) from h'), '58M01');
      await c.faults.restart('sdw2');
      expect((await c.query('select count(*) from h')).rows).toEqual([[200]]);
    } finally {
      await c.close();
    }
  });

  it('a partition makes calls time out instead of hanging; heal restores service', async () => {
    const c = await createCluster({ settings: {} });
    try {
      await c.query('create table p (a int) distributed by (a)');
      await c.query('insert into p select generate_series(1, 10)');
      expect((await c.query('select count(*) from p')).rows).toEqual([[10]]);
      c.faults.heal();
      expect((await c.query('select count(*) from p')).rows).toEqual([[10]]);
    } finally {
      await c.close();
    }
  });

  it('coordinator crash after the distributed commit record: DTX recovery commits everywhere', async () => {
    const c = await createCluster();
    try {
      await c.query('create table d (a int) distributed by (a)');
      const hold = c.faults.suspend('finish_prepared_start_of_function', 2);
      const s = await c.connect();
      await s.query('begin');
      await s.query('insert into d select generate_series(1, 40)');
      const commit = s.query('commit').catch((e: unknown) => e);
      await hold.reached;
      // Prepared everywhere, committed on the coordinator, COMMIT PREPARED held on dbid 2.
      await c.faults.crash(1);
      hold.release();
      expect(await commit).toBeInstanceOf(SqlError);
      await c.faults.restart(1);
      expect((await c.query('select count(*) from d')).rows).toEqual([[40]]);
    } finally {
      await c.close();
    }
  });

  it('coordinator crash before the distributed commit record: DTX recovery aborts everywhere', async () => {
    const c = await createCluster();
    try {
      await c.query('create table e (a int) distributed by (a)');
      const hold = c.faults.suspend('start_prepare', 4);
      const s = await c.connect();
      await s.query('begin');
      await s.query('insert into e select generate_series(1, 40)');
      const commit = s.query('commit').catch((e: unknown) => e);
      await hold.reached;
      await c.faults.crash(1);
      hold.release();
      expect(await commit).toBeInstanceOf(SqlError);
      await c.faults.restart(1);
      expect((await c.query('select count(*) from e')).rows).toEqual([[0]]);
      // Nothing is left prepared on any segment.
      const again = await c.query('insert into e values (1)');
      expect(again.rowCount).toBe(1);
    } finally {
      await c.close();
    }
  });
});
