/**
 * What SHOW says is what runs: the storage settings of ClusterOptions.settings (gpinitsystem's
 * postgresql.conf) size the buffer pool of every instance, on the inline and worker runtimes;
 * checkpoint_timeout runs under the time scale, as every other timing does.
 */
import { afterEach, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';
import { waitFor } from '../support/wait.ts';

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

it('checkpoint_timeout runs under the time scale: SHOW says 30s, a primary checkpoints every 0.15 s', async () => {
  const c = (cluster = await createCluster({ timeScale: 200, settings: { checkpoint_timeout: 30 } }));
  expect((await c.query('show checkpoint_timeout')).rows).toEqual([['30s']]);
  await c.query('create table t (a int) distributed by (a)');
  // Without the scale, the next timed checkpoint would be 30 s of wall time away.
  for (let round = 0; round < 3; round++) {
    const before = (await c.instanceStatus(2)).checkpoint;
    await c.query(`insert into t select g from generate_series(1, 100) g`);
    await waitFor(
      async () => (await c.instanceStatus(2)).checkpoint !== before,
      10_000,
      'a timed checkpoint',
    );
  }
});
