/**
 * Recovery under load: a session keeps committing while gprecoverseg (incremental,
 * differential, full) rebuilds a failed former primary. Afterwards the pair is in sync, every
 * page of the recovered mirror is byte-identical to its primary's, and no acknowledged commit
 * is missing.
 */
import { describe, expect, it } from 'vitest';
import type { InlineCluster } from '../../src/engine/cluster/cluster.ts';
import { createCluster } from '../../src/engine/index.ts';
import { synced, waitFor } from '../support/wait.ts';

describe('gprecoverseg under load', () => {
  for (const mode of ['', '--differential', '-F']) {
    it(`gprecoverseg -a ${mode || '(incremental)'}: in sync, byte-identical pages, no acknowledged commit lost`, async () => {
      const c = (await createCluster({
        mirroring: 'group',
        timeScale: 200,
        settings: { shared_buffers: 32 },
      })) as InlineCluster;
      try {
        await c.query('create table t (a int, b text) distributed by (a)');
        await c.query("insert into t select i, repeat('x', i % 40) from generate_series(1, 6000) i");
        await synced(c);
        await c.faults.crash(2);
        await waitFor(async () => {
          await c.query('select gp_request_fts_probe_scan()');
          const r = await c.query('select role from gp_segment_configuration where dbid = 6');
          return r.rows[0]![0] === 'p';
        });
        // Changes the old primary does not have: the rewind must bring them.
        await c.query("update t set b = b || '+' where a % 9 = 0");
        let stop = false;
        const acked: number[] = [];
        const writer = (async () => {
          const s = await c.connect();
          for (let k = 100_000; !stop; k++) {
            await s.query(`insert into t values (${k}, 'load')`);
            acked.push(k);
          }
          await s.close();
        })();
        const r = await c.run(`gprecoverseg -a ${mode}`);
        await waitFor(() => acked.length >= 20, 10_000, 'writes during and after the recovery');
        stop = true;
        await writer;
        expect(r.exitCode).toBe(0);
        await synced(c);
        expect((await c.query("select count(*) from t where b = 'load'")).rows).toEqual([[acked.length]]);
        expect((await c.query('select count(*) from t where a <= 6000')).rows).toEqual([[6000]]);
        await c.query('checkpoint');
        const primary = c.nodes.get(6);
        const mirror = c.nodes.get(2);
        await waitFor(
          () => mirror.inst!.replayer.replayed >= primary.inst!.wal.flushedLsn,
          10_000,
          'mirror caught up',
        );
        await mirror.inst!.pool.flushAll();
        const files = primary.disk.files('base/');
        let pages = 0;
        for (const f of files) {
          const n = primary.disk.nblocks(f);
          expect(mirror.disk.nblocks(f), f).toBe(n);
          for (let b = 0; b < n; b++) {
            expect(mirror.disk.read(f, b), `${f} block ${b}`).toEqual(primary.disk.read(f, b));
            pages++;
          }
        }
        expect(pages).toBeGreaterThan(10);
      } finally {
        await c.close();
      }
    });
  }
});
