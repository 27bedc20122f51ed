/**
 * gpmovemirrors and gprecoverseg to new places (-p, two-group -i lines): the mirrors are
 * stopped, marked down by FTS, rebuilt by a full copy in their new place, and come back in
 * sync there, while the data stays intact. Files that cannot work change nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';
import { synced, waitFor } from '../support/wait.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function row(c: Cluster, dbid: number): Promise<unknown[]> {
  const r = await c.query(
    `select role, status, mode, hostname, port, datadir from gp_segment_configuration where dbid = ${dbid}`,
  );
  return r.rows[0]!;
}

async function setup(): Promise<Cluster> {
  const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
  await c.query('create table mv (a int, b text) distributed by (a)');
  await c.query("insert into mv select i, 'v' || i from generate_series(1, 3000) i");
  await synced(c);
  return c;
}

describe('gpmovemirrors', () => {
  it('moves a mirror to a new host while writes go on; it comes back in sync there', async () => {
    const c = await setup();
    const [, , , host, port, dir] = await row(c, 6);
    c.files.set('move', `${String(host)}|${String(port)}|${String(dir)} sdw3|7100|/data2/mirror/gpseg0\n`);
    let stop = false;
    let written = 0;
    const writer = (async () => {
      const s = await c.connect();
      while (!stop) {
        await s.query(`insert into mv values (${10_000 + written})`);
        written++;
      }
      await s.close();
    })();
    const r = await c.run('gpmovemirrors -i move');
    stop = true;
    await writer;
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('pg_basebackup: base backup completed');
    await synced(c);
    expect(await row(c, 6)).toEqual(['m', 'u', 's', 'sdw3', 7100, '/data2/mirror/gpseg0']);
    expect((await c.query('select count(*) from mv')).rows).toEqual([[3000 + written]]);
    // It really lives on sdw3 now: losing that host takes it down, not the primaries.
    await c.faults.crash('sdw3');
    await waitFor(async () => {
      await c.query('select gp_request_fts_probe_scan()');
      return (await row(c, 6))[1] === 'd';
    });
    expect((await c.query('select count(*) from mv')).rows).toEqual([[3000 + written]]);
  });

  it('refuses files that cannot work, changing nothing; identical lines only warn', async () => {
    const c = await setup();
    const before = (await c.query('select * from gp_segment_configuration order by dbid')).rows;
    expect((await c.run('gpmovemirrors')).exitCode).toBe(2);
    expect((await c.run('gpmovemirrors -i nofile')).exitCode).toBe(3);
    c.files.set('bad', 'sdw2|7000\n');
    const bad = await c.run('gpmovemirrors -i bad');
    expect(bad.exitCode).toBe(3);
    expect(bad.stdout).toContain('Invalid input file on line 1 of file bad: expected 2 groups but found 1');
    c.files.set('unknown', 'nohost|7000|/x sdw3|7000|/y\n');
    expect((await c.run('gpmovemirrors -i unknown')).exitCode).toBe(3);
    const [, , , host, port, dir] = await row(c, 6);
    const here = `${String(host)}|${String(port)}|${String(dir)}`;
    const [, , , h7, p7] = await row(c, 7);
    c.files.set('clash', `${here} ${String(h7)}|${String(p7)}|/elsewhere\n`);
    const clash = await c.run('gpmovemirrors -i clash');
    expect(clash.exitCode).toBe(3);
    expect(clash.stdout).toMatch(/Segment dbid's 6 and 7 on host \S+ cannot have the same port \d+\./);
    c.files.set('same', `${here} ${here}\n`);
    const same = await c.run('gpmovemirrors -i same');
    expect(same.exitCode).toBe(0);
    expect(same.stdout).toContain('request to move a mirror with identical attributes');
    expect((await c.query('select * from gp_segment_configuration order by dbid')).rows).toEqual(before);
  });
});

describe('gprecoverseg to a new host', () => {
  it('-p: after a host failure the failed segments are rebuilt on the spare host', async () => {
    const c = await setup();
    await c.faults.crash('sdw1');
    await waitFor(async () => {
      await c.query('select gp_request_fts_probe_scan()');
      const r = await c.query(
        "select count(*) from gp_segment_configuration where hostname = 'sdw1' and status = 'd'",
      );
      return r.rows[0]![0] === 4;
    });
    // A name no file could carry is refused before anything changes.
    const bad = await c.run("gprecoverseg -a -p 'sdw3|x'");
    expect(bad.exitCode).toBe(2);
    expect(bad.stdout).toContain("Invalid hostname 'sdw3|x' given with -p");
    // A spare host more than needed is only a warning, as in Greenplum.
    const r = await c.run('gprecoverseg -a -p sdw3,sdw4');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('The following recovery hosts were not needed:');
    expect(r.stdout).toMatch(/WARNING\]:-\tsdw4/);
    expect(r.stdout).toContain('Synchronization mode       = Full');
    await synced(c);
    const moved = await c.query(
      "select dbid, role, hostname from gp_segment_configuration where content >= 0 and hostname = 'sdw3' order by dbid",
    );
    expect(moved.rows.map((x) => x[2])).toEqual(['sdw3', 'sdw3', 'sdw3', 'sdw3']);
    expect(moved.rows.every((x) => x[1] === 'm')).toBe(true);
    expect((await c.query('select count(*) from mv')).rows).toEqual([[3000]]);
  });

  it('-i with a second location group rebuilds that segment there', async () => {
    const c = await setup();
    await c.faults.crash(6);
    await waitFor(async () => {
      await c.query('select gp_request_fts_probe_scan()');
      return (await row(c, 6))[1] === 'd';
    });
    const [, , , host, port, dir] = await row(c, 6);
    c.files.set('rec', `${String(host)}|${String(port)}|${String(dir)} sdw3|7200|/data3/gpseg0\n`);
    const r = await c.run('gprecoverseg -a -i rec');
    expect(r.exitCode).toBe(0);
    await synced(c);
    expect(await row(c, 6)).toEqual(['m', 'u', 's', 'sdw3', 7200, '/data3/gpseg0']);
  });

  it('an interrupt once the copy is done cannot stop the recovery: it completes, exit 0', async () => {
    // Inline: the interrupt lands at the very event that follows the copy (the worker runtime
    // passes it on to the coordinator's process a moment later).
    const c = (cluster = await createCluster({ runtime: 'inline', mirroring: 'group', timeScale: 200 }));
    await synced(c);
    await c.faults.crash(6);
    await waitFor(async () => {
      await c.query('select gp_request_fts_probe_scan()');
      return (await row(c, 6))[1] === 'd';
    });
    const ctl = new AbortController();
    const off = c.subscribe((e) => {
      if (e.kind === 'recovery.bytes' && e.dbid === 6) ctl.abort();
    });
    const r = await c.run('gprecoverseg -aF', { signal: ctl.signal });
    off();
    expect(ctl.signal.aborted).toBe(true);
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.stdout).toContain('[WARNING]:-Recieved SIGINT signal, terminating gprecoverseg');
    expect(r.stdout).toContain(
      '[INFO]:-Not able to terminate the recovery process since it has been completed successfully.',
    );
    expect(r.stdout).toContain('Segments successfully recovered.');
    await synced(c);
    expect((await row(c, 6)).slice(0, 3)).toEqual(['m', 'u', 's']);
  });

  it('a cancelled move backs its catalog change out: the row is back in its old place, down, and recovers there', async () => {
    const c = await setup();
    await c.faults.crash(6);
    await waitFor(async () => {
      await c.query('select gp_request_fts_probe_scan()');
      return (await row(c, 6))[1] === 'd';
    });
    const old = await row(c, 6);
    const [, , , host, port, dir] = old;
    c.files.set('rec', `${String(host)}|${String(port)}|${String(dir)} sdw3|7200|/data3/gpseg0\n`);
    const ctl = new AbortController();
    const hold = c.faults.suspend('gprecoverseg_copy', 6);
    const run = c.run('gprecoverseg -a -i rec', { signal: ctl.signal });
    await hold.reached;
    expect((await row(c, 6)).slice(3)).toEqual(['sdw3', 7200, '/data3/gpseg0']);
    ctl.abort();
    hold.release();
    const r = await run;
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('Reverting the gp_segment_configuration updates for these mirrors');
    expect(r.stdout).toContain('Failed to recover the following segments');
    expect(r.stdout).toContain('[WARNING]:-Recieved SIGINT signal, terminating gprecoverseg');
    expect(r.stdout).toContain('[ERROR]:-gprecoverseg process was interrupted by the user.');
    expect(await row(c, 6)).toEqual(['m', 'd', 'n', host, port, dir]);
    expect((await c.run('gpstate -e')).stdout).not.toContain('Segments in recovery');
    const history = await c.query(
      'select "desc" from gp_configuration_history where dbid = 6 and "desc" like \'%backout%\'',
    );
    expect(history.rows.length).toBe(1);
    expect((await c.run('gprecoverseg -aF')).exitCode).toBe(0);
    await synced(c);
    expect(await row(c, 6)).toEqual(['m', 'u', 's', host, port, dir]);
  });
});
