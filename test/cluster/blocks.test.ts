/**
 * Cluster.blocks reads an instance's blocks inside its process, on every runtime: as its disk
 * holds them, or as the running instance sees them (its buffer pool over its disk).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';
import { sameBytes } from '../../src/engine/storage/disk.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const count = async (c: Cluster, dbid: number, prefix: string, view: 'disk' | 'instance') =>
  (await c.blocks(dbid, prefix, view)).length;

describe('Cluster.blocks', () => {
  it('the instance view follows files written straight to disk, read after read', async () => {
    const c = (cluster = await createCluster({ mirroring: 'none' }));
    await c.query('create table t (a int, b text) distributed by (a)');
    const before = await count(c, 2, 'pg_wal/', 'instance');
    for (let i = 0; i < 5; i++)
      await c.query(`insert into t select g, repeat('x', 200) from generate_series(1, 400) g`);
    const wal = await c.blocks(2, 'pg_wal/', 'instance');
    expect(wal.length).toBeGreaterThan(before);
    // The WAL is written straight to disk: both views hold the same blocks.
    const onDisk = await c.blocks(2, 'pg_wal/', 'disk');
    expect(wal.map((b) => `${b.file}:${b.block}`)).toEqual(onDisk.map((b) => `${b.file}:${b.block}`));
    expect(wal.every((b, i) => sameBytes(b.bytes, onDisk[i]!.bytes))).toBe(true);
  });

  it('a stopped instance has its disk to read and no instance view; unknown dbids and views are refused', async () => {
    const c = (cluster = await createCluster({ mirroring: 'none' }));
    await c.faults.crash(2);
    expect(await count(c, 2, 'global/', 'disk')).toBeGreaterThan(0);
    await expect(c.blocks(2, '', 'instance')).rejects.toMatchObject({ code: '55000' });
    await expect(c.blocks(99)).rejects.toMatchObject({ code: '42704' });
    await expect(c.blocks(2, '', 'memory' as never)).rejects.toMatchObject({ code: '22023' });
  });
});
