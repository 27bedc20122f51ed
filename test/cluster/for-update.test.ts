/**
 * SELECT ... FOR UPDATE (issue 22) with Greenplum's lock level: without the global deadlock
 * detector (its default), the table is locked in ExclusiveLock mode until the transaction ends,
 * so another FOR UPDATE or an UPDATE waits, NOWAIT fails at once with 55P03, and a plain SELECT
 * goes on. The rows themselves are compared with PostgreSQL in 13-for-update.sql.
 */
import { afterEach, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';
import { waitFor } from '../support/wait.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

it('FOR UPDATE holds ExclusiveLock on the table to the end of the transaction', async () => {
  const c = (cluster = await createCluster({ mirroring: 'none', timeScale: 200 }));
  await c.query('create table acct (id int, bal int) distributed by (id)');
  await c.query('insert into acct select i, 100 from generate_series(1, 10) i');
  expect((await c.query('show gp_enable_global_deadlock_detector')).rows).toEqual([['off']]);
  const a = await c.connect();
  const b = await c.connect();
  await a.query('begin');
  expect((await a.query('select bal from acct where id = 1 for update')).rows).toEqual([[100]]);
  // A reader goes on.
  expect((await b.query('select count(*) from acct')).rows).toEqual([[10]]);
  await expect(b.query('select * from acct where id = 2 for update nowait')).rejects.toMatchObject({
    code: '55P03',
    message: 'could not obtain lock on relation "acct"',
  });
  let updated = false;
  const waiting = b.query('update acct set bal = bal + 1 where id = 2').then(() => (updated = true));
  // The update waits for the lock, as pg_stat_activity shows.
  await waitFor(async () => {
    const r = await c.query(
      "select wait_event_type, wait_event from pg_stat_activity where query like 'update acct%'",
    );
    return r.rows.length === 1 && r.rows[0]![0] === 'Lock' && r.rows[0]![1] === 'relation';
  });
  expect(updated).toBe(false);
  await a.query('update acct set bal = bal - 1 where id = 1');
  await a.query('commit');
  await waiting;
  expect((await c.query('select id, bal from acct where id <= 2 order by id')).rows).toEqual([
    [1, 99],
    [2, 101],
  ]);
  // FOR UPDATE inside a subquery is refused, not run without its lock.
  await expect(c.query('select * from (select id from acct for update) s')).rejects.toMatchObject({
    code: '0A000',
  });
  await a.close();
  await b.close();
});
