/**
 * Inside a file-replicating pair (the inline runtime exposes its instances): a heap block
 * cached in the primary's buffer pool differs from the mirror's on-disk image until a
 * checkpoint writes it; then the mirror's files equal the primary's block for block; a
 * failover serves every committed row (the mirror applied the replicated log).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster } from '../../src/engine/index.ts';
import type { InlineCluster } from '../../src/engine/cluster/cluster.ts';
import { isFileRepMeta } from '../../src/engine/filerep/block-set.ts';
import { sameBytes, type Disk } from '../../src/engine/storage/disk.ts';
import { relationFile } from '../../src/engine/storage/context.ts';

let cluster: InlineCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** A group-mirrored file-replication cluster on the inline runtime, FTS probing when asked. */
async function start(): Promise<InlineCluster> {
  return (cluster = (await createCluster({
    runtime: 'inline',
    mirroring: 'group',
    replication: 'filerep',
    timeScale: 200,
    settings: { gp_fts_probe_interval: 3600 },
  })) as InlineCluster);
}

function differing(a: Disk, b: Disk): string[] {
  const out: string[] = [];
  for (const f of new Set([...a.files(), ...b.files()].filter((x) => !isFileRepMeta(x))))
    for (let i = 0; i < Math.max(a.nblocks(f), b.nblocks(f)); i++) {
      const x = a.read(f, i);
      const y = b.read(f, i);
      if (!x || !y || !sameBytes(x, y)) out.push(`${f}:${i}`);
    }
  return out;
}

describe('file replication: cache vs disk', () => {
  it('a cached heap block differs on the mirror until a checkpoint; then every file is identical; failover keeps every row', async () => {
    const c = await start();
    await c.query('create table t (a int, b text) distributed by (a)');
    await c.query('checkpoint');
    await c.query("insert into t select i, 'row ' || i from generate_series(1, 300) i");
    const primary = c.nodes.get(2);
    const mirror = c.nodes.get(6);
    const inst = primary.inst!;
    const oid = (await c.query('select localoid from gp_distribution_policy')).rows[0]![0] as number;
    const file = relationFile(oid);
    const cached = inst.pool.peek(file, 0);
    expect(cached, 'the heap page is in the primary buffer pool').toBeDefined();
    const onMirror = mirror.fileRepMirror!.disk.read(file, 0);
    expect(!onMirror || !sameBytes(onMirror, cached!), "the mirror's image is older").toBe(true);
    // The commit's log is on the mirror already: sync-replicated before the commit returned.
    const wal = (d: Disk) => d.files('pg_wal/');
    expect(
      differing(primary.fileRep!.disk, mirror.fileRepMirror!.disk).filter((b) =>
        wal(primary.fileRep!.disk).some((f) => b.startsWith(f)),
      ),
    ).toEqual([]);
    await c.query('checkpoint');
    expect(sameBytes(mirror.fileRepMirror!.disk.read(file, 0)!, inst.pool.peek(file, 0)!)).toBe(true);
    expect(differing(primary.fileRep!.disk, mirror.fileRepMirror!.disk)).toEqual([]);
    // More rows, cached only; the primary fails; the promoted mirror applies the log.
    await c.query("insert into t select i, 'late ' || i from generate_series(301, 600) i");
    await c.faults.crash(2);
    await c.query('select gp_request_fts_probe_scan()');
    expect((await c.query('select count(*) from t')).rows).toEqual([[600]]);
  });

  it('append-optimized blocks are written at once, so they are on the mirror when the commit returns', async () => {
    const c = await start();
    await c.query('create table ao (a int, b int) with (appendoptimized=true) distributed by (a)');
    await c.query('insert into ao select i, i from generate_series(1, 2000) i');
    const primary = c.nodes.get(2).fileRep!.disk;
    const mirror = c.nodes.get(6).fileRepMirror!.disk;
    // No checkpoint: every file equal already (nothing of the table waits in a cache).
    expect(differing(primary, mirror)).toEqual([]);
    const aoFiles = primary.files('base/').filter((f) => primary.nblocks(f) > 0);
    expect(aoFiles.length).toBeGreaterThan(0);
  });
});
