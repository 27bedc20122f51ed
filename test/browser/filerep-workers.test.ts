/**
 * Greenplum 5 file replication on the worker runtime in Chromium: primaries replicate their
 * blocks to passive mirror workers over MessageChannels, every disk an IndexedDB database.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/workers/index.ts';
import { waitFor } from '../support/wait.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const pair = async (c: Cluster, content: number) =>
  (
    await c.query(
      `select role, preferred_role, mode, status from gp_segment_configuration where content = ${content} order by preferred_role desc`,
    )
  ).rows
    .map((r) => r.join(''))
    .join(',');

const probeUntil = (c: Cluster, content: number, want: string) =>
  waitFor(
    async () => {
      await c.query('select gp_request_fts_probe_scan()');
      return (await pair(c, content)) === want;
    },
    30_000,
    `content ${content} ${want}`,
  );

describe('file replication on workers', () => {
  it('failover into Change Tracking, incremental resynchronization, rebalance: no row lost', async () => {
    const c = (cluster = await createCluster({
      runtime: 'worker',
      storage: 'indexeddb',
      name: `frw-${Date.now()}-${Math.floor(Math.random() * 1e6)}`,
      mirroring: 'group',
      replication: 'filerep',
      timeScale: 100,
    }));
    expect(await pair(c, 0)).toBe('ppsu,mmsu');
    const mirror = await c.instanceStatus(6);
    expect(mirror).toMatchObject({ running: true, role: 'mirror', fileRep: { role: 'mirror' } });
    await c.query('create table t (a int, b int) distributed by (a)');
    await c.query('insert into t select i, i from generate_series(1, 1000) i');
    await c.faults.crash(2); // the primary's worker is terminated
    await probeUntil(c, 0, 'mpsd,pmcu');
    expect((await c.query('select count(*) from t')).rows).toEqual([[1000]]);
    await c.query('insert into t select i, i from generate_series(1001, 2000) i');
    await c.query('checkpoint');
    const tracking = (await c.instanceStatus(6)).fileRep!;
    expect(tracking.mode).toBe('c');
    expect(tracking.changeTrackingBlocks).toBeGreaterThan(0);
    const r = await c.run('gprecoverseg -a');
    expect(r.exitCode).toBe(0);
    // The plan gprecoverseg reports is the one the primary made (on IndexedDB the plan is made
    // after the change tracking log's sync: reading it earlier reported 0 blocks).
    const planned = Number(/incremental resynchronization of (\d+) blocks from dbid 6/.exec(r.stdout)?.[1]);
    expect(planned).toBeGreaterThanOrEqual(tracking.changeTrackingBlocks);
    await probeUntil(c, 0, 'mpsu,pmsu');
    // The primary records the result in the turn its pair becomes Synchronized: a probe that
    // reads it so finds the result there.
    const last = (await c.instanceStatus(6)).fileRep!.lastResync!;
    expect(last.tracked).toBeGreaterThanOrEqual(tracking.changeTrackingBlocks);
    expect(last.blocks).toBe(planned);
    const rb = await c.run('gprecoverseg -ar');
    expect(rb.exitCode).toBe(0);
    await probeUntil(c, 0, 'ppsu,mmsu');
    expect((await c.query('select count(*), sum(b) from t')).rows).toEqual([[2000, 2001000]]);
  });
});
