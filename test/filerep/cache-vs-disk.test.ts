/**
 * Inside a file-replicating pair, read from inside each instance's process (so on every
 * runtime): a heap block cached in the primary's buffer pool differs from the mirror's on-disk
 * image until a checkpoint writes it; then the mirror's files equal the primary's block for
 * block; a failover serves every committed row (the mirror applied the replicated log).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, type BlockImage, type Cluster } from '../../src/engine/index.ts';
import { sameBytes } from '../../src/engine/storage/disk.ts';
import { comparableBlock } from '../../src/engine/storage/checksum.ts';
import { relationFile } from '../../src/engine/access/context.ts';
import { waitFor } from '../support/wait.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** A group-mirrored file-replication cluster, FTS probing when asked. */
async function start(): Promise<Cluster> {
  return (cluster = await createCluster({
    mirroring: 'group',
    replication: 'filerep',
    timeScale: 200,
    // No timed checkpoint between the reads of two processes: only the test's own.
    settings: { gp_fts_probe_interval: 3600, checkpoint_timeout: 86400 },
  }));
}

const PRIMARY = 2;
const MIRROR = 6;

/** `file:block` of every block that differs between the two sets, or is in one only. */
function differing(a: BlockImage[], b: BlockImage[]): string[] {
  const key = (x: BlockImage) => `${x.file}:${x.block}`;
  const theirs = new Map(b.map((x) => [key(x), x.bytes]));
  const out = a.filter((x) => !sameBytes(x.bytes, theirs.get(key(x)) ?? new Uint8Array())).map(key);
  const mine = new Set(a.map(key));
  return [...out, ...b.map(key).filter((k) => !mine.has(k))];
}

/** The pair's disks, each read inside its own process. */
async function pairDiffers(c: Cluster, prefix = ''): Promise<string[]> {
  return differing(await c.blocks(PRIMARY, prefix), await c.blocks(MIRROR, prefix));
}

async function block(c: Cluster, dbid: number, file: string, view: 'disk' | 'instance') {
  return (await c.blocks(dbid, file, view)).find((b) => b.file === file && b.block === 0)?.bytes;
}

describe('file replication: cache vs disk', () => {
  it('a cached heap block differs on the mirror until a checkpoint; then every file is identical; failover keeps every row', async () => {
    const c = await start();
    await c.query('create table t (a int, b text) distributed by (a)');
    await c.query('checkpoint');
    await c.query("insert into t select i, 'row ' || i from generate_series(1, 300) i");
    const oid = (await c.query('select localoid from gp_distribution_policy')).rows[0]![0] as number;
    const file = relationFile(oid);
    const cached = await block(c, PRIMARY, file, 'instance');
    expect(cached, 'the heap page is in the primary buffer pool').toBeDefined();
    const onMirror = await block(c, MIRROR, file, 'disk');
    expect(!onMirror || !sameBytes(onMirror, cached!), "the mirror's image is older").toBe(true);
    // The commit's log is on the mirror already: sync-replicated before the commit returned.
    const wal = await c.blocks(PRIMARY, 'pg_wal/');
    expect(wal.length).toBeGreaterThan(0);
    expect(differing(wal, await c.blocks(MIRROR, 'pg_wal/'))).toEqual([]);
    // The instance details' block map says the same: the table's pages are cached only.
    const states = async () =>
      ((await c.instanceStatus(2)).fileRep!.blocks ?? []).filter((b) => b.file === file).map((b) => b.state);
    expect(await states()).toContain('cached');
    await c.query('checkpoint');
    expect(new Set(await states())).toEqual(new Set(['replicated']));
    // The written copy carries its checksum; the page in the pool does not (checksum.ts).
    const written = await block(c, MIRROR, file, 'disk');
    expect(sameBytes(comparableBlock(written!, 0), (await block(c, PRIMARY, file, 'instance'))!)).toBe(true);
    expect(await pairDiffers(c)).toEqual([]);
    // A passive mirror runs no instance: there is no "as it sees it" to read.
    await expect(c.blocks(MIRROR, '', 'instance')).rejects.toMatchObject({ code: '55000' });
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
    const oid = (await c.query('select localoid from gp_distribution_policy')).rows[0]![0] as number;
    const file = relationFile(oid);
    // No checkpoint: every file equal already (nothing of the table waits in a cache).
    expect(await pairDiffers(c)).toEqual([]);
    expect((await c.blocks(MIRROR, file)).filter((b) => b.file === file).length).toBeGreaterThan(0);
  });
});
