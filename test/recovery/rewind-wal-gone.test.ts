/**
 * gprecoverseg's incremental recovery (pg_rewind) when the WAL it needs is gone. Everything here
 * goes through what a DBA has on every runtime: gpstop --host stops sdw1 cleanly (its primaries
 * fail over), pg_controldata on sdw1 says where dbid 2's last checkpoint record is, and the
 * bit-rot fault damages that record on the stopped instance's disk.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';
import { BLCKSZ } from '../../src/engine/storage/disk.ts';
import { parseLsn } from '../../src/engine/storage/lsn.ts';
import { segmentFileName } from '../../src/engine/wal/segments.ts';
import { waitFor } from '../support/wait.ts';
import { pair, synced } from '../mirroring/scenarios/helpers.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** A field of pg_controldata's output. */
function field(out: string, name: string): string {
  const line = out.split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`pg_controldata printed no "${name}":\n${out}`);
  return line.slice(name.length + 1).trim();
}

describe('gprecoverseg when the WAL a rewind needs is gone', () => {
  it("a rewind whose WAL is gone fails for that segment with pg_rewind's message; the others recover; -F then rebuilds it", async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    await c.query('create table r (a int, b text) distributed by (a)');
    await c.query("insert into r select i, 'v' from generate_series(1, 400) i");
    await synced(c);
    // sdw1 is stopped cleanly for maintenance: FTS promotes the mirrors of its primaries.
    expect((await c.run('gpstop --host sdw1 -a')).exitCode).toBe(0);
    await waitFor(async () => {
      await c.query('select gp_request_fts_probe_scan()');
      return (await pair(c, 0)) === 'mpnd,pmnu' && (await pair(c, 1)) === 'mpnd,pmnu';
    });
    await c.query("insert into r select i, 'after' from generate_series(401, 500) i");
    // On dbid 2 the WAL pg_rewind would read back from its last checkpoint is damaged.
    const datadir = (await c.query('select datadir from gp_segment_configuration where dbid = 2'))
      .rows[0]![0] as string;
    const ctl = await c.run(`ssh sdw1 pg_controldata -D ${datadir}`);
    expect(ctl.exitCode).toBe(0);
    expect(field(ctl.stdout, 'Database cluster state')).toBe('shut down');
    const at = parseLsn(field(ctl.stdout, 'Latest checkpoint location'))! + 30;
    const segSize = Number(field(ctl.stdout, 'Bytes per WAL segment'));
    const tli = Number(field(ctl.stdout, "Latest checkpoint's TimeLineID"));
    const file = segmentFileName(tli, Math.floor(at / segSize), segSize);
    await c.faults.corruptBlock(2, file, Math.floor((at % segSize) / BLCKSZ), (at % BLCKSZ) * 8);
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
