/**
 * What SHOW says is what runs: the storage settings of ClusterOptions.settings (gpinitsystem's
 * postgresql.conf) size the buffer pool of every instance, on the inline and worker runtimes.
 */
import { afterEach, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

it('shared_buffers from the settings is the one the instances run with', async () => {
  const c = (cluster = await createCluster({
    mirroring: 'group',
    timeScale: 200,
    settings: { shared_buffers: '1MB', checkpoint_timeout: 45 },
  }));
  expect((await c.query('show shared_buffers')).rows).toEqual([['1MB']]);
  expect((await c.query('show checkpoint_timeout')).rows).toEqual([['45s']]);
  for (const dbid of [1, 2, 5]) expect((await c.instanceStatus(dbid)).buffers?.shared_buffers).toBe(128);
});
