/**
 * gprecoverseg's incremental recovery (pg_rewind) when the WAL it needs is gone. The test stops
 * instances from inside (a clean shutdown) and rewrites a segment of WAL on disk, which only the
 * inline runtime exposes: the node-worker project leaves this file out.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster } from '../../src/engine/index.ts';
import type { InlineCluster } from '../../src/engine/cluster/cluster.ts';
import { readControl } from '../../src/engine/instance/control.ts';
import { BLCKSZ } from '../../src/engine/storage/disk.ts';
import { WalFiles } from '../../src/engine/wal/segments.ts';
import { waitFor } from '../support/wait.ts';
import { pair, synced } from '../mirroring/scenarios/helpers.ts';

let cluster: InlineCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('gprecoverseg when the WAL a rewind needs is gone', () => {
  it("a rewind whose WAL is gone fails for that segment with pg_rewind's message; the others recover; -F then rebuilds it", async () => {
    const c = (cluster = (await createCluster({
      runtime: 'inline',
      mirroring: 'group',
      timeScale: 200,
    })) as InlineCluster);
    await c.query('create table r (a int, b text) distributed by (a)');
    await c.query("insert into r select i, 'v' from generate_series(1, 400) i");
    await synced(c);
    // sdw1's instances stop cleanly, then the host is lost: FTS promotes their mirrors.
    for (const dbid of [2, 3]) await c.nodes.get(dbid).inst!.shutdown();
    await c.faults.crash('sdw1');
    await waitFor(async () => {
      await c.query('select gp_request_fts_probe_scan()');
      return (await pair(c, 0)) === 'mpnd,pmnu' && (await pair(c, 1)) === 'mpnd,pmnu';
    });
    await c.query("insert into r select i, 'after' from generate_series(401, 500) i");
    // On dbid 2 the WAL pg_rewind would read back from its last checkpoint is gone (overwritten).
    const disk = c.nodes.get(2).disk;
    const ctl = readControl(disk)!;
    const wal = new WalFiles(disk, ctl.walSegmentSize, ctl.history);
    disk.write(
      wal.fileFor(ctl.checkpoint),
      Math.floor((ctl.checkpoint % ctl.walSegmentSize) / BLCKSZ),
      new Uint8Array(BLCKSZ),
    );
    await disk.sync();
    const r = await c.run('gprecoverseg -a');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/sdw1 \(dbid 2\): pg_rewind: fatal: could not find previous WAL record at/);
    expect(r.stdout).toContain(
      'You must run either gprecoverseg --differential or gprecoverseg -F for all incremental failures',
    );
    expect(r.stdout).not.toMatch(/dbid 3\): pg_rewind: fatal/);
    await waitFor(async () => {
      await c.query('select gp_request_fts_probe_scan()');
      return (await pair(c, 1)) === 'mpsu,pmsu';
    });
    expect(await pair(c, 0)).toBe('mpnd,pmnu');
    expect((await c.run('gprecoverseg -aF')).exitCode).toBe(0);
    await synced(c);
    expect((await c.query('select count(*) from r')).rows).toEqual([[500]]);
  });
});
