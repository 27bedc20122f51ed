/**
 * pg_sleep (issue 22): the session waits on the cluster's clock, statement_timeout and a cancel
 * end the wait with their errors, and a per-row call inside a query is refused, not skipped.
 */
import { afterEach, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';
import { clusterNow } from '../support/wait.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

it('pg_sleep waits on the time scale, ends at statement_timeout, and is refused per row', async () => {
  const c = (cluster = await createCluster({ mirroring: 'none', timeScale: 200 }));
  const s = await c.connect();
  const t0 = clusterNow(c);
  // 60 s of cluster time at 200x: 300 ms of wall time.
  expect(await s.query('select pg_sleep(60)')).toMatchObject({
    fields: [{ name: 'pg_sleep', type: 'void' }],
    rows: [['']],
  });
  expect(clusterNow(c) - t0).toBeGreaterThanOrEqual(295);
  expect((await s.query('select pg_sleep(null)')).rows).toEqual([[null]]);
  expect((await s.query('select pg_sleep(-1) as nap')).fields).toEqual([{ name: 'nap', type: 'void' }]);
  await s.query("set statement_timeout = '30s'");
  const t1 = clusterNow(c);
  await expect(s.query('select pg_sleep(3600)')).rejects.toMatchObject({
    code: '57014',
    message: 'canceling statement due to statement timeout',
  });
  // 30 s at 200x is 150 ms; an hour would be 18 s.
  expect(clusterNow(c) - t1).toBeLessThan(10_000);
  await s.query('reset statement_timeout');
  await s.query('create table z (a int) distributed by (a)');
  await s.query('insert into z values (1)');
  await expect(s.query('select pg_sleep(1) from z')).rejects.toMatchObject({ code: '0A000' });
  await s.close();
});
