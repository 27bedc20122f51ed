/**
 * gp_replica_check (issue 19): a primary and its mirror compared block by block once the mirror
 * has replayed the primary's checkpoint; nothing listed for a synchronized pair, the damaged
 * block listed for a pair whose mirror's copy rotted. The result shows in the primary's
 * instance details.
 */
import { describe, expect, it } from 'vitest';
import { createCluster, type SimCluster } from '../../src/engine/index.ts';

async function cluster(seed: number): Promise<SimCluster> {
  const c = (await createCluster({ runtime: 'sim', seed, mirroring: 'group' })) as SimCluster;
  await c.query('create table h (a int, b text) distributed by (a)');
  await c.query('create table ao (a int, b text) with (appendonly=true) distributed by (a)');
  await c.query("insert into h select g, 'h' || g from generate_series(1, 400) g");
  await c.query("insert into ao select g, 'ao' || g from generate_series(1, 400) g");
  await c.query('checkpoint');
  await c.sim.advance(5_000);
  return c;
}

describe('gp_replica_check', () => {
  it('finds every synchronized pair equal, block for block, and says so in the instance details', async () => {
    const c = await cluster(31);
    try {
      const r = await c.run('gp_replica_check');
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      for (const content of [0, 1, 2, 3])
        expect(r.stdout).toMatch(
          new RegExp(`Replica check succeeded for content ${content} \\(primary dbid \\d+ `),
        );
      expect(r.stdout).toContain('All segment pairs are equal');
      const status = await c.instanceStatus(2);
      expect(status.integrity?.dataChecksums).toBe(true);
      expect(status.integrity?.replicaCheck).toMatchObject({ mirror: 6, differing: [] });
      expect(status.integrity!.replicaCheck!.blocks).toBeGreaterThan(1);
    } finally {
      await c.close();
    }
  });

  it('lists the block whose copy on the mirror rotted, and exits 1', async () => {
    const c = await cluster(32);
    try {
      // dbid 6 mirrors content 0 (dbid 2); its copy of the heap's first block gets a flipped bit.
      await c.faults.corruptBlock(6, 'base/16384', 0);
      const r = await c.run('gp_replica_check -c 0');
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toContain('Replica check failed for content 0 (primary dbid 2 ');
      expect(r.stdout).toContain('    base/16384 block 0\n');
      expect((await c.instanceStatus(2)).integrity?.replicaCheck?.differing).toEqual(['base/16384 block 0']);
      // The other pairs are untouched.
      expect((await c.run('gp_replica_check -c 1,2,3')).exitCode).toBe(0);
    } finally {
      await c.close();
    }
  });

  it('refuses arguments it does not know, as a usage error (exit 2)', async () => {
    const c = await cluster(33);
    try {
      const bad = await c.run('gp_replica_check -c x');
      expect(bad.exitCode).toBe(2);
      expect(bad.stderr).toContain('-c needs a comma-separated list of segment content ids, not "x"');
      expect((await c.run('gp_replica_check -c 9')).stderr).toContain('no segment with content 9');
      expect((await c.run('gp_replica_check --frobnicate')).exitCode).toBe(2);
    } finally {
      await c.close();
    }
  });
});
