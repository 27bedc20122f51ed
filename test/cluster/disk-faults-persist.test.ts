/**
 * A disk fault belongs to the disk: set on a stopped instance, it holds when the instance starts
 * (its crash recovery cannot write its checkpoint on a full disk), on every runtime; freed, the
 * instance starts.
 */
import { afterEach, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

it('a full disk set while the instance is down refuses its restart until it is freed', async () => {
  const c = (cluster = await createCluster({ timeScale: 200 }));
  await c.query('create table t (a int) distributed by (a)');
  await c.query('insert into t select generate_series(1, 100)');
  await c.faults.crash(2);
  await c.faults.diskFull(2, true);
  await expect(c.faults.restart(2)).rejects.toThrow(/disk|space/i);
  expect((await c.instanceStatus(2)).running).toBe(false);
  await c.faults.diskFull(2, false);
  await c.faults.restart(2);
  expect((await c.instanceStatus(2)).running).toBe(true);
  expect((await c.query('select count(*) from t')).rows).toEqual([[100]]);
});
