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
import { comparableBlock } from '../../src/engine/storage/checksum.ts';
import { relationFile } from '../../src/engine/access/context.ts';
import { waitFor } from '../support/wait.ts';

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
    // The instance details' block map says the same: the table's pages are cached only.
    const states = async () =>
      ((await c.instanceStatus(2)).fileRep!.blocks ?? []).filter((b) => b.file === file).map((b) => b.state);
    expect(await states()).toContain('cached');
    await c.query('checkpoint');
    expect(new Set(await states())).toEqual(new Set(['replicated']));
    // The written copy carries its checksum; the page in the pool does not (checksum.ts).
    expect(
      sameBytes(comparableBlock(mirror.fileRepMirror!.disk.read(file, 0)!, 0), inst.pool.peek(file, 0)!),
    ).toBe(true);
    expect(differing(primary.fileRep!.disk, mirror.fileRepMirror!.disk)).toEqual([]);
    // The mirror away: what is written now is tracked, not replicated.
    await c.faults.crash(6);
    await c.query('select gp_request_fts_probe_scan()');
    await c.query("insert into t select i, 'tracked ' || i from generate_series(1001, 1300) i");
    await c.query('checkpoint');
    expect(await states()).toContain('tracked');
    expect((await c.run('gprecoverseg -a')).exitCode).toBe(0);
    // Resynchronized, and FTS has recorded it (a failover needs the catalog to say s).
    await waitFor(
      async () => {
        await c.query('select gp_request_fts_probe_scan()');
        const r = await c.query(
          "select count(*) from gp_segment_configuration where content = 0 and mode = 's'",
        );
        return (await c.instanceStatus(2)).fileRep!.mode === 's' && Number(r.rows[0]![0]) === 2;
      },
      10_000,
      'resynchronized',
    );
    expect(new Set(await states())).toEqual(new Set(['replicated']));
    // More rows, cached only; the primary fails; the promoted mirror applies the log.
    await c.query("insert into t select i, 'late ' || i from generate_series(301, 600) i");
    await c.faults.crash(2);
    await c.query('select gp_request_fts_probe_scan()');
    expect((await c.query('select count(*) from t')).rows).toEqual([[900]]);
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
