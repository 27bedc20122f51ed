/**
 * WAL streaming builds the mirror by redo: after both sides checkpoint with no traffic, every
 * page of every relation file on the mirror is byte-identical to the primary's, as
 * gp_replica_check compares them inside each instance (so on every runtime).
 */
import { describe, expect, it } from 'vitest';
import { createCluster } from '../../src/engine/index.ts';

describe('WAL streaming', () => {
  it('a mirror replayed from WAL has the primary pages byte for byte', async () => {
    const c = await createCluster({
      mirroring: 'group',
      timeScale: 200,
      settings: { shared_buffers: 16 },
    });
    try {
      await c.query('create table t (a int, b text) distributed by (a)');
      await c.query("insert into t select i, repeat('x', i % 50) from generate_series(1, 12000) i");
      await c.query("update t set b = b || '!' where a % 7 = 0");
      await c.query('delete from t where a % 11 = 0');
      await c.query('create table ao (a int, b int) with (appendoptimized=true) distributed by (a)');
      await c.query('insert into ao select i, i from generate_series(1, 2000) i');
      await c.query('delete from ao where a % 5 = 0');
      await c.query('checkpoint');
      const r = await c.run('gp_replica_check');
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      const compared = [...r.stdout.matchAll(/: (\d+) block\(s\) compared/g)].map((m) => Number(m[1]));
      expect(compared).toHaveLength(4);
      // The heap, the append-optimized table and its visibility map, on every pair.
      for (const blocks of compared) expect(blocks).toBeGreaterThan(20);
      const status = await c.instanceStatus(2);
      expect(status.integrity?.replicaCheck).toMatchObject({ mirror: 6, differing: [] });
    } finally {
      await c.close();
    }
  });
});
