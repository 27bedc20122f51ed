/** gpaddmirrors on a mirrorless cluster under load, and its refusals. */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';
import { synced, waitFor } from '../support/wait.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('gpaddmirrors', () => {
  it('adds group mirrors while writes go on; they sync, and a failover then keeps every row', async () => {
    const c = (cluster = await createCluster({ timeScale: 200 }));
    await c.query('create table t (a int) distributed by (a)');
    await c.query('insert into t select generate_series(1, 1000)');
    let stop = false;
    let n = 1000;
    const writer = (async () => {
      while (!stop) await c.query(`insert into t values (${++n})`);
    })();
    const r = await c.run('gpaddmirrors -a');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Mirror segments have been added; data synchronization is in progress.');
    // add_mirrors' steps, in Greenplum's order, each once.
    const steps = [
      '4 segment(s) to add',
      'Setting up the required segments for recovery',
      'Updating configuration for mirrors',
      'Initiating segment recovery. Upon completion, will start the successfully recovered segments',
      'sdw2 (dbid 6): pg_basebackup: base backup completed',
      'Triggering FTS probe',
      'Mirror segments have been added',
    ].map((line) => {
      expect(r.stdout.split(line), line).toHaveLength(2);
      return r.stdout.indexOf(line);
    });
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    const rows = await c.query(
      "select dbid, content, role, preferred_role, hostname, port from gp_segment_configuration where role = 'm' and content >= 0 order by content",
    );
    expect(rows.rows).toEqual([
      [6, 0, 'm', 'm', 'sdw2', 7000],
      [7, 1, 'm', 'm', 'sdw2', 7001],
      [8, 2, 'm', 'm', 'sdw1', 7000],
      [9, 3, 'm', 'm', 'sdw1', 7001],
    ]);
    await synced(c);
    stop = true;
    await writer;
    await c.faults.crash(3);
    await c.query('select gp_request_fts_probe_scan()');
    expect((await c.query('select count(*) from t')).rows).toEqual([[n]]);
    const again = await c.run('gpaddmirrors -a');
    expect(again.exitCode).toBe(2);
    expect(again.stdout).toContain(
      '[ERROR]:-gpaddmirrors error: GPDB physical mirroring cannot be added.  The cluster is already configured with Mirrors.',
    );
    // Refused before any directory is asked for.
    expect(again.stdout).not.toContain('Enter mirror segment data directory');
  });

  it('a base backup that fails is reported as RecoveryResult reports it, and the run exits 1', async () => {
    const c = (cluster = await createCluster({ timeScale: 200 }));
    await c.query('create table t (a int) distributed by (a)');
    await c.query('insert into t select generate_series(1, 100)');
    // Content 1's primary is down: its mirror has nothing to copy from.
    await c.faults.crash(3);
    const r = await c.run('gpaddmirrors -a');
    expect(r.exitCode, r.stdout).toBe(1);
    const failure = r.stdout.slice(r.stdout.indexOf('Failed to add the following segments'));
    expect(failure).toMatch(
      /^Failed to add the following segments\n.*\[INFO\]:- hostname: sdw2; port: 7001; datadir: \/data\/mirror\/gpseg1\n/,
    );
    expect(r.stdout).toContain('sdw2 (dbid 6): pg_basebackup: base backup completed');
    expect(r.stdout).toContain('[ERROR]:-gpaddmirrors failed. Please check the output for more details.');
    expect(r.stdout).not.toContain('Mirror segments have been added');
    expect(r.stdout.indexOf('Triggering FTS probe')).toBeGreaterThan(r.stdout.indexOf('Failed to add'));
  });

  // Without -i or -m Greenplum asks where each mirror's directory goes (as many locations as the
  // busiest host has primaries), even with -a, which only skips the confirmation.
  it('asks for the mirror data directory locations; -m reads them from a file', async () => {
    const c = (cluster = await createCluster({ timeScale: 200 }));
    const files = (c as unknown as { files: Map<string, string> }).files;
    const sample = async (cmd: string) => {
      const r = await c.run(cmd);
      return { ...r, file: files.get('sample') ?? '' };
    };
    // Without a pipe the lab answers /data/mirror, and shows each question and answer.
    const own = await sample('gpaddmirrors -o sample');
    expect(own.exitCode, own.stdout).toBe(0);
    expect(own.stdout).toContain(
      'Enter mirror segment data directory location 1 of 2 >\n> /data/mirror\nEnter mirror segment data directory location 2 of 2 >\n> /data/mirror\n',
    );
    expect(own.file).toBe(
      '0|sdw2|7000|/data/mirror/gpseg0\n1|sdw2|7001|/data/mirror/gpseg1\n2|sdw1|7000|/data/mirror/gpseg2\n3|sdw1|7001|/data/mirror/gpseg3\n',
    );
    // Piped answers: a blank line is asked again, a relative path explained and asked again, and
    // each location is normalized. The first location serves each host's first mirror.
    const piped = await sample("printf '\\nm1\\n/m1//\\n/m2/./x/..\\n' | gpaddmirrors -o sample");
    expect(piped.exitCode, piped.stdout).toBe(0);
    expect(piped.stdout).toContain("Path entered is invalid; it must be a full path.  Path: 'm1'");
    expect(piped.stdout.match(/location 1 of 2 >/g)).toHaveLength(3);
    expect(piped.file).toBe(
      '0|sdw2|7000|/m1/gpseg0\n1|sdw2|7001|/m2/gpseg1\n2|sdw1|7000|/m1/gpseg2\n3|sdw1|7001|/m2/gpseg3\n',
    );
    // Input that runs out is Python's EOFError: nothing written, nothing changed.
    files.delete('sample');
    const eof = await sample("printf '/m1\\n' | gpaddmirrors -a");
    expect(eof.exitCode).toBe(2);
    expect(eof.stdout).toContain('EOF when reading a line');
    // -m: one full path per line, exactly as many as asked for.
    files.set('dirs', '/m3\n\n/m4\n');
    expect((await sample('gpaddmirrors -m dirs -o sample')).file).toContain('0|sdw2|7000|/m3/gpseg0\n');
    files.set('dirs', '/m3\n');
    // As simple_main reports an exception it has no special case for.
    expect((await c.run('gpaddmirrors -a -m dirs')).stdout).toContain(
      "[CRITICAL]:-gpaddmirrors failed. (Reason='Number of data directories must equal 2 but 1 were read from dirs') exiting...",
    );
    files.set('dirs', '/m3\n/m4\n/m5\n');
    expect((await c.run('gpaddmirrors -a -m dirs')).stdout).toContain(
      'Number of data directories must equal 2 but more were read from dirs',
    );
    files.set('dirs', 'm3\n/m4\n/m5\n');
    expect((await c.run('gpaddmirrors -a -m dirs')).stdout).toContain(
      "Path entered config file is invalid; it must be a full path.  Path: 'm3'",
    );
    files.set('dirs', '/m3\nm4\n');
    expect((await c.run('gpaddmirrors -a -m dirs')).stdout).toContain(
      "Path entered config file is invalid; it must be a full path.  Path: 'm4'",
    );
    expect((await c.query("select count(*) from gp_segment_configuration where role = 'm'")).rows).toEqual([
      [0],
    ]);
    // What it shows before it asks to go on: each mirror beside its primary.
    const added = await c.run("printf '/m1\\n/m2\\nn\\n' | gpaddmirrors");
    expect(added.exitCode).toBe(4);
    const info = (line: string) => `gpaddmirrors:cdw:gpadmin-[INFO]:-${line}\n`;
    expect(added.stdout).toContain(
      [
        'Mirror 1 of 4',
        '--------------------------------------------',
        '   Primary instance host        = sdw1',
        '   Primary instance address     = sdw1',
        '   Primary instance directory   = /data/primary/gpseg0',
        '   Primary instance port        = 6000',
        '   Mirror instance host         = sdw2',
        '   Mirror instance address      = sdw2',
        '   Mirror instance directory    = /m1/gpseg0',
        '   Mirror instance port         = 7000',
      ]
        .map(info)
        .join(''),
    );
    expect(added.stdout).toContain(
      info('Greenplum coordinator data directory    = /data/coordinator/gpseg-1'),
    );
    expect((await c.query("select count(*) from gp_segment_configuration where role = 'm'")).rows).toEqual([
      [0],
    ]);
  });

  it('-o writes the placement; -p checks the port range', async () => {
    const c = (cluster = await createCluster({ timeScale: 200 }));
    const o = await c.run('gpaddmirrors -o sample');
    expect(o.exitCode).toBe(0);
    expect((c as unknown as { files: Map<string, string> }).files.get('sample')).toContain('0|sdw2|7000|');
    const bad = await c.run('gpaddmirrors -a -p 60000');
    expect(bad.exitCode).toBe(2);
    expect(bad.stdout).toMatch(/outside of the valid range/);
    // Checked before the directories are asked for: a short pipe does not hide it.
    const early = await c.run("printf '/m1\\n' | gpaddmirrors -a -p 60000");
    expect(early.stdout).toContain(
      '[ERROR]:-gpaddmirrors: error: Value of port offset supplied via -p option',
    );
    expect(early.stdout).not.toContain('Enter mirror segment data directory');
  });

  it('after a standby activation gpaddmirrors numbers mirrors past the highest dbid, leaving the old coordinator its dbid 1 and its directory; a failover keeps every row', async () => {
    const c = (cluster = await createCluster({ standby: true, timeScale: 200 }));
    // Only a standby that streams has every catalog change (the coordinator waits for it then).
    await waitFor(
      async () =>
        (
          await c.query(
            "select count(*) from gp_stat_replication where gp_segment_id = -1 and state = 'streaming'",
          )
        ).rows[0]![0] === 1,
    );
    await c.query('create table t (a int) distributed by (a)');
    await c.faults.crash(1);
    expect((await c.run('gpactivatestandby -a -d /data/coordinator/gpseg-1')).exitCode).toBe(0);
    expect((await c.run('gpaddmirrors -a')).exitCode).toBe(0);
    // clsAddMirrors numbers them one past the highest dbid (the activated standby's 6) and hands
    // them to gp_add_segment itself, not get_availableDbId()'s lowest free one (the old 1).
    const m = await c.query(
      "select dbid, content from gp_segment_configuration where role = 'm' order by dbid",
    );
    expect(m.rows).toEqual([
      [7, 0],
      [8, 1],
      [9, 2],
      [10, 3],
    ]);
    expect((await c.dataDirectories()).find((d) => d.dbid === 1)).toEqual({
      dbid: 1,
      hostname: 'cdw',
      datadir: '/data/coordinator/gpseg-1',
      retired: true,
    });
    await waitFor(
      async () =>
        (await c.query("select count(*) from gp_segment_configuration where content = 0 and mode = 's'"))
          .rows[0]![0] === 2,
    );
    await c.query('insert into t select generate_series(1, 100)');
    const before = (await c.query('select gp_segment_id, count(*) from t group by 1 order by 1')).rows;
    // Content 0's primary fails: its mirror, dbid 7, has every acknowledged row.
    await c.faults.crash(2);
    await waitFor(
      async () =>
        (await c.query('select role from gp_segment_configuration where dbid = 7')).rows[0]![0] === 'p',
    );
    expect((await c.query('select gp_segment_id, count(*) from t group by 1 order by 1')).rows).toEqual(
      before,
    );
  });
});
