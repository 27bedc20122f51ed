/**
 * Planned maintenance (issue 20): gpstop and gpstart with Greenplum 7's options, lines and exit
 * codes. A stopped cluster refuses SQL, keeps every committed row, and starts again from its
 * catalog (segments marked down are skipped for gprecoverseg); gpstop --host takes one segment
 * host out for maintenance, its primaries failing over, and gprecoverseg brings it back.
 * Runs on the inline and the worker runtime.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';
import { synced, waitFor } from '../support/wait.ts';
import { run } from '../support/run-utility.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function catalog(c: Cluster): Promise<unknown[][]> {
  return (
    await c.query(
      'select dbid, content, role, preferred_role, mode, status from gp_segment_configuration order by dbid',
    )
  ).rows;
}

async function mirrored(standby = true): Promise<Cluster> {
  const c = (cluster = await createCluster({ mirroring: 'group', standby, timeScale: 200 }));
  await c.query('create table t (a int) distributed by (a)');
  await c.query('insert into t select generate_series(1, 100)');
  await synced(c);
  return c;
}

describe('gpstop and gpstart', () => {
  it('stop the whole cluster cleanly and start it again with every row', async () => {
    const c = await mirrored();
    const before = await catalog(c);
    const out = await run(c, 'gpstop -a -M fast');
    expect(out).toContain("Commencing Coordinator instance shutdown with mode='fast'");
    expect(out).toContain('Stopping coordinator standby host scdw mode=fast');
    expect(out).toContain('Commencing parallel primary segment instance shutdown, please wait...');
    expect(out).toContain('Commencing parallel mirror segment instance shutdown, please wait...');
    expect(out).toContain('Successfully shutdown 8 of 8 segment instances ');
    expect(out).toContain('Database successfully shutdown with no errors reported');
    for (let dbid = 1; dbid <= 10; dbid++) expect((await c.instanceStatus(dbid)).role).toBe('down');
    await expect(c.query('select 1')).rejects.toMatchObject({
      message: expect.stringMatching(/coordinator is not running/),
      hint: expect.stringContaining('start it with gpstart -a'),
    });
    // Stopped is stopped: a second gpstop has nothing to stop.
    expect(await run(c, 'gpstop -a', 2)).toContain(
      'postmaster.pid file does not exist.  is Greenplum instance already stopped?',
    );
    const started = await run(c, 'gpstart -a');
    expect(started).toContain(
      'Commencing parallel primary and mirror segment instance startup, please wait...',
    );
    expect(started).toContain('Successfully started 8 of 8 segment instances ');
    expect(started).toContain('Starting standby coordinator');
    expect(started).toContain('Database successfully started');
    expect((await c.query('select count(*) from t')).rows).toEqual([[100]]);
    await synced(c);
    expect(await catalog(c)).toEqual(before);
    expect(await run(c, 'gpstart -a', 2)).toContain('gpstart error: Coordinator instance process running');
  });

  it('gpstop -r restarts, -m stops the coordinator alone, -y leaves the standby running', async () => {
    const c = await mirrored();
    expect(await run(c, 'gpstop -a -r -M fast')).toContain('Restarting System...');
    expect((await c.query('select count(*) from t')).rows).toEqual([[100]]);
    await run(c, 'gpstop -a -m -M fast');
    expect((await c.instanceStatus(1)).role).toBe('down');
    expect((await c.instanceStatus(2)).role).toBe('primary');
    // The segments kept running: gpstart starts the coordinator and the standby only.
    expect(await run(c, 'gpstart -a')).toContain('Successfully started 8 of 8 segment instances ');
    await run(c, 'gpstop -a -y -M immediate');
    expect((await c.instanceStatus(2)).role).toBe('down');
    expect((await c.instanceStatus(10)).role).toBe('standby');
    const out = await run(c, 'gpstart -a -y');
    expect(out).toContain('No standby coordinator configured.  skipping...');
    expect((await c.query('select count(*) from t')).rows).toEqual([[100]]);
  });

  it('smart mode waits for sessions; if they stay, nothing is stopped and it says what to run', async () => {
    const c = await mirrored(false);
    const s = await c.connect();
    await s.query('select 1');
    const out = await run(c, 'gpstop -a -t 120', 2);
    expect(out).toContain('There were 1 user connections at the start of the shutdown.');
    expect(out).toContain('gpstop -M fast');
    expect((await s.query('select count(*) from t')).rows).toEqual([[100]]);
    await s.close();
    expect(await run(c, 'gpstop -a')).toContain("with mode='smart'");
  });

  it('-Mfast is fast mode; gpstart refuses -t, which it could not honour, starting nothing', async () => {
    const c = await mirrored(false);
    const s = await c.connect();
    // Fast mode does not wait for the open session (smart would, and give up with exit 2).
    expect(await run(c, 'gpstop -a -Mfast')).toContain("with mode='fast'");
    await s.close().catch(() => undefined);
    const refused = await c.run('gpstart -a -t 300');
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('-t: the lab starts each instance without a pg_ctl time limit');
    expect((await c.instanceStatus(2)).role).toBe('down');
    await run(c, 'gpstart -a');
    expect((await c.query('select count(*) from t')).rows).toEqual([[100]]);
  });

  it('gpstart skips segments marked down, with Greenplum lines, and gprecoverseg brings them back', async () => {
    const c = await mirrored(false);
    await c.faults.crash(6); // a mirror: FTS marks it down
    await waitFor(async () => (await catalog(c)).some((r) => r[0] === 6 && r[5] === 'd'), 20_000);
    await run(c, 'gpstop -a -M fast');
    const out = await run(c, 'gpstart -a');
    expect(out).toContain(
      'Skipping startup of segment marked down in configuration: on sdw2 directory /data/mirror/gpseg0 <<<<<',
    );
    expect(out).toContain('Successfully started 7 of 7 segment instances, skipped 1 other segments ');
    expect(out).toContain('Number of segments not attempted to start: 1');
    expect((await c.instanceStatus(6)).role).toBe('down');
    await run(c, 'gprecoverseg -a');
    await synced(c);
    expect((await c.query('select count(*) from t')).rows).toEqual([[100]]);
  });

  it('gpstart cannot reach a host: its instances are not started, FTS fails over to the mirrors and marks the rest down', async () => {
    const c = await mirrored(false);
    await run(c, 'gpstop -a -M fast');
    await c.faults.partition(['cdw'], ['sdw1']);
    const out = await run(c, 'gpstart -a', 1);
    expect(out).toContain('Host sdw1 is unreachable');
    expect(out).toContain("DBID:2  FAILED  host:'sdw1'");
    expect(out).toContain('Number of segments which failed to start:  4');
    await waitFor(async () => {
      const rows = await catalog(c);
      const on = (dbid: number) => rows.find((r) => r[0] === dbid)!;
      return [2, 3, 8, 9].every((d) => on(d)[5] === 'd') && on(6)[2] === 'p' && on(7)[2] === 'p';
    }, 20_000);
    expect((await c.query('select count(*) from t')).rows).toEqual([[100]]);
  });

  it('gpstop --host takes a segment host out: its primaries fail over; gprecoverseg and -r bring it back', async () => {
    const c = await mirrored();
    const out = await run(c, 'gpstop -a --host sdw1 -M fast');
    expect(out).toContain('Successfully shutdown 4 of 8 segment instances ');
    expect(out).toContain('Recognizing new cluster state...');
    await waitFor(async () => (await catalog(c)).filter((r) => r[5] === 'd').length === 4, 20_000);
    const rows = await catalog(c);
    // Every content is served by its copy on sdw2.
    expect(rows.filter((r) => (r[1] as number) >= 0 && r[2] === 'p' && r[5] === 'u')).toHaveLength(4);
    await c.query('insert into t select generate_series(101, 150)');
    await run(c, 'gprecoverseg -a');
    await synced(c);
    await run(c, 'gprecoverseg -a -r');
    await synced(c);
    expect(
      (await catalog(c)).filter((r) => r[2] !== r[3] || r[5] !== 'u' || (r[1] !== -1 && r[4] !== 's')),
    ).toEqual([]);
    expect((await c.query('select count(*) from t')).rows).toEqual([[150]]);
  });

  it('refusals change nothing: bad flags exit 2, a host with the coordinator or both halves of a pair is refused', async () => {
    const c = await mirrored();
    const before = await catalog(c);
    expect(await run(c, 'gpstop -a -M slow', 2)).toContain(
      "option -M: invalid choice: 'slow' (choose from 'fast', 'immediate', 'smart')",
    );
    expect(await run(c, 'gpstop -a -t 10', 2)).toContain(
      'Invalid timeout value.  Must be greater than 120 seconds.',
    );
    expect(await run(c, 'gpstop -a -B 0', 2)).toContain('Invalid value for parallel degree: 0');
    expect(await run(c, 'gpstop -a --host sdw1 -r', 2)).toContain(
      "Incompatible flags. Cannot mix '--host' option with '-r' for restart.",
    );
    expect(await run(c, 'gpstop -a --host sdw1 -m', 2)).toContain(
      "Cannot mix '--host' option with stopping coordinator-only.",
    );
    expect(await run(c, 'gpstop -a --host cdw', 2)).toContain(
      "Specified host 'cdw' has the coordinator or standby coordinator on it.",
    );
    expect(await run(c, 'gpstop -a --host nowhere', 1)).toContain(
      "host 'nowhere' is not found in gp_segment_configuration",
    );
    expect(await run(c, 'gpstart -a -m', 2)).toContain('gpstart error: Coordinator instance process running');
    // A primary whose mirror is down is not in sync: its host cannot be stopped.
    await c.faults.crash(6);
    await waitFor(async () => (await catalog(c)).some((r) => r[0] === 6 && r[5] === 'd'), 20_000);
    expect(await run(c, 'gpstop -a --host sdw1', 2)).toMatch(
      /Segment 'sdw1:\/data\/primary\/gpseg0:content=0:dbid=2' not synchronized\. Aborting\./,
    );
    await c.query('select gp_request_fts_probe_scan()');
    const others = (rows: unknown[][]) => rows.filter((r) => r[1] !== 0);
    expect(others(await catalog(c))).toEqual(others(before));
    expect((await c.query('select count(*) from t')).rows).toEqual([[100]]);
  });
});

describe('gpstart -m and -R', () => {
  it('-m starts the coordinator alone in utility mode; gpstop -m stops it; -R reserves every slot for superusers', async () => {
    const c = await mirrored();
    await run(c, 'gpstop -a -M fast');
    const out = await run(c, 'gpstart -a -m');
    expect(out).toContain('Coordinator-only start requested. If a standby is configured, this command');
    expect(out).toContain('Coordinator Started...');
    expect(out).not.toContain('Database successfully started');
    // Only utility-mode connections, as Greenplum's FATAL says.
    await expect(c.query('select 1')).rejects.toMatchObject({
      code: '57P03',
      message: 'System was started in single node mode - only utility mode connections are allowed',
    });
    const u = await c.connect({ utility: true });
    expect((await u.query('select count(*) from gp_segment_configuration')).rows).toEqual([[10]]);
    // Table rows are on the segments, which it does not reach; and it changes nothing.
    await expect(u.query('select count(*) from t')).rejects.toMatchObject({ code: '0A000' });
    await expect(u.query('insert into t values (1)')).rejects.toMatchObject({ code: '0A000' });
    await u.close();
    for (const dbid of [2, 6, 10]) expect((await c.instanceStatus(dbid)).running).toBe(false);
    // gpstate -e asks the segments, not only the catalog: every one is down, though marked up.
    const e = await run(c, 'gpstate -e', 1);
    expect(e).toContain('Downed Segments');
    expect(e).toMatch(/sdw1\s+6000\s+Up\s+Down/);
    expect(e).not.toContain('All segments are running normally');
    // Its summary reads the catalog in utility mode, as gpstate does: no CRITICAL failure.
    expect(await run(c, 'gpstate')).toContain('Total segment instance count from metadata');
    expect(await run(c, 'gpstart -a', 2)).toContain('Coordinator instance process running');
    await run(c, 'gpstop -a -m');
    const r = await run(c, 'gpstart -a -R');
    expect(r).toContain('Starting Coordinator instance in admin and RESTRICTED mode');
    expect(r).toContain('in RESTRICTED mode');
    expect((await c.query('show superuser_reserved_connections')).rows).toEqual([['250']]);
    expect((await c.query('select count(*) from t')).rows).toEqual([[100]]);
    await run(c, 'gpstop -a -r');
    expect((await c.query('show superuser_reserved_connections')).rows).toEqual([['10']]);
    expect((await c.query('select count(*) from t')).rows).toEqual([[100]]);
  });
});
