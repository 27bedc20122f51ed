/**
 * What SHOW says is what runs: the storage settings of ClusterOptions.settings (gpinitsystem's
 * postgresql.conf) size the buffer pool and time the checkpoints, on every instance, on the
 * inline and worker runtimes; checkpoint_timeout is cluster time, divided by the time scale.
 */
import { afterEach, expect, it } from 'vitest';
import { createCluster, type Cluster, type ClusterEvent } from '../../src/engine/index.ts';
import { waitFor } from '../support/wait.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

it('shared_buffers and checkpoint_timeout from the settings are the ones the instances run with', async () => {
  const c = (cluster = await createCluster({
    mirroring: 'group',
    timeScale: 200,
    settings: { shared_buffers: '1MB', checkpoint_timeout: 30 },
  }));
  expect((await c.query('show shared_buffers')).rows).toEqual([['1MB']]);
  expect((await c.query('show checkpoint_timeout')).rows).toEqual([['30s']]);
  for (const dbid of [1, 2, 5]) expect((await c.instanceStatus(dbid)).buffers?.shared_buffers).toBe(128);
  // 30 s of cluster time is 150 ms here: a primary checkpoints on its own, again and again.
  const checkpoints: ClusterEvent[] = [];
  c.subscribe((e) => {
    if (e.kind === 'checkpoint' && e.dbid === 2) checkpoints.push(e);
  });
  await waitFor(async () => checkpoints.length >= 3, 5_000, 'three timed checkpoints on dbid 2');
});
