/**
 * WAL streaming builds the mirror by redo: after both sides checkpoint with no traffic, every
 * page of every relation file on the mirror is byte-identical to the primary's.
 */
import { describe, expect, it } from 'vitest';
import type { InlineCluster } from '../../src/engine/cluster/cluster.ts';
import { createCluster } from '../../src/engine/index.ts';
import { waitFor } from '../support/wait.ts';

describe('WAL streaming', () => {
  it('a mirror replayed from WAL has the primary pages byte for byte', async () => {
    const c = (await createCluster({
      mirroring: 'group',
      timeScale: 200,
      settings: { shared_buffers: 16 },
    })) as InlineCluster;
    try {
      await c.query('create table t (a int, b text) distributed by (a)');
      await c.query("insert into t select i, repeat('x', i % 50) from generate_series(1, 12000) i");
      await c.query("update t set b = b || '!' where a % 7 = 0");
      await c.query('delete from t where a % 11 = 0');
      await c.query('create table ao (a int, b int) with (appendoptimized=true) distributed by (a)');
      await c.query('insert into ao select i, i from generate_series(1, 2000) i');
      await c.query('delete from ao where a % 5 = 0');
      await c.query('checkpoint');
      const primary = c.nodes.get(2);
      const mirror = c.nodes.get(6);
      // Wait until the mirror has replayed everything the primary flushed, then restartpoint.
      await waitFor(
        () => mirror.inst!.replayer.replayed >= primary.inst!.wal.flushedLsn,
        10_000,
        'mirror caught up',
      );
      await mirror.inst!.pool.flushAll();
      const files = primary.disk.files('base/');
      expect(files.length).toBeGreaterThanOrEqual(3);
      let pages = 0;
      for (const f of files) {
        const n = primary.disk.nblocks(f);
        expect(mirror.disk.nblocks(f)).toBe(n);
        for (let b = 0; b < n; b++) {
          expect(mirror.disk.read(f, b), `${f} block ${b}`).toEqual(primary.disk.read(f, b));
          pages++;
        }
      }
      expect(pages).toBeGreaterThan(20);
    } finally {
      await c.close();
    }
  });
});
