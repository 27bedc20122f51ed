/**
 * The standby coordinator: catalog WAL streams to it; when the coordinator fails, gpactivatestandby
 * promotes it with the catalog, the segment data and the distributed transactions intact.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, SqlError, type Cluster } from '../../src/engine/index.ts';
import { waitFor } from '../support/wait.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const OPTS = { mirroring: 'group' as const, standby: true, timeScale: 200 };

describe('standby coordinator', () => {
  it('streams the catalog to the standby (gp_segment_id -1) and keeps its row m/m/s/u', async () => {
    const c = (cluster = await createCluster(OPTS));
    const row = await c.query(
      'select dbid, content, role, preferred_role, mode, status, hostname from gp_segment_configuration where content = -1 order by dbid',
    );
    expect(row.rows).toEqual([
      [1, -1, 'p', 'p', 'n', 'u', 'cdw'],
      [10, -1, 'm', 'm', 's', 'u', 'scdw'],
    ]);
    const rep = await waitFor(async () => {
      const r = await c.query(
        "select gp_segment_id, application_name, state from gp_stat_replication where gp_segment_id = -1 and state = 'streaming'",
      );
      return r.rows.length === 1 ? r : undefined;
    });
    expect(rep.rows).toEqual([[-1, 'gp_walreceiver', 'streaming']]);
  });

  it('gpactivatestandby after a coordinator crash: catalog, data and failover history survive; FTS runs again', async () => {
    const c = (cluster = await createCluster(OPTS));
    await c.query('create table before_crash (a int, b text) distributed by (a)');
    await c.query("insert into before_crash select i, 'v' || i from generate_series(1, 500) i");
    await c.query('select gp_request_fts_probe_scan()');
    // A segment failover recorded by FTS before the coordinator goes.
    await c.faults.crash(3);
    await c.query('select gp_request_fts_probe_scan()');
    await c.faults.crash(1);
    await expect(c.query('select 1')).rejects.toBeInstanceOf(SqlError);
    const refuse = await c.run('gpactivatestandby -d /wrong/dir');
    expect(refuse.exitCode).toBe(2);
    const r = await c.run('gpactivatestandby -d /data/coordinator/gpseg-1');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('The activation of the standby coordinator has completed successfully.');
    // Log lines name the host a utility runs on: gpactivatestandby runs on the standby's, and
    // every utility after it on the new coordinator's.
    expect(r.stdout.split('\n')[0]).toMatch(/^gpactivatestandby:scdw:gpadmin-\[/);
    expect(r.stdout).not.toMatch(/:cdw:gpadmin-/);
    expect((await c.run('gpstate -f')).stdout.split('\n')[0]).toMatch(/^gpstate:scdw:gpadmin-\[INFO\]/);
    const conf = await c.query(
      'select dbid, role, preferred_role, mode, hostname from gp_segment_configuration where content = -1',
    );
    // Alone now: not syncing to any standby (mode n, as a coordinator row without one shows).
    expect(conf.rows).toEqual([[10, 'p', 'p', 'n', 'scdw']]);
    expect((await c.query('select count(*) from before_crash')).rows).toEqual([[500]]);
    const pair = await c.query(
      'select dbid, role, status from gp_segment_configuration where content = 1 order by dbid',
    );
    expect(pair.rows).toEqual([
      [3, 'm', 'd'],
      [7, 'p', 'u'],
    ]);
    // A segment failure during or after the outage is detected by the new coordinator's FTS.
    await c.faults.crash(4);
    await c.query('select gp_request_fts_probe_scan()');
    const p2 = await c.query(
      'select dbid, role, status from gp_segment_configuration where content = 2 order by dbid',
    );
    expect(p2.rows).toEqual([
      [4, 'm', 'd'],
      [8, 'p', 'u'],
    ]);
    // The old coordinator cannot come back as coordinator.
    await expect(c.faults.restart(1)).rejects.toMatchObject({
      detail: expect.stringMatching(/lower Timeline ID/),
    });
    // The old coordinator's files are still on cdw: gpinitstandby will not initialize over them.
    const dir = '/data/coordinator/gpseg-1';
    const over = await c.run('gpinitstandby -s cdw -a');
    expect(over.exitCode).toBe(2);
    expect(over.stdout).toContain(`Checking for data directory ${dir} on cdw`);
    expect(over.stdout).toContain('[ERROR]:-Data directory already exists on host cdw');
    expect(over.stdout).toContain(
      '[ERROR]:-Error initializing standby coordinator: coordinator data directory exists',
    );
    expect(over.stderr).toBe('');
    expect((await c.query('select count(*) from gp_segment_configuration where content = -1')).rows).toEqual([
      [1],
    ]);
    // What a DBA does first (Greenplum's documented repair): move it away, on its host.
    expect((await c.run(`ssh cdw rm -rf ${dir}/`)).exitCode).toBe(0);
    // gpinitstandby re-protects the new coordinator.
    const init = await c.run('gpinitstandby -s cdw -a');
    expect(init.exitCode).toBe(0);
    expect(init.stdout).toMatch(/^gpinitstandby:scdw:gpadmin-\[INFO\]/);
    await waitFor(
      async () =>
        (
          await c.query(
            "select count(*) from gp_stat_replication where gp_segment_id = -1 and state = 'streaming'",
          )
        ).rows[0]![0] === 1,
    );
  });

  it('refuses while the coordinator is alive; with both down only -f activates', async () => {
    const c = (cluster = await createCluster(OPTS));
    const alive = await c.run('gpactivatestandby -d /data/coordinator/gpseg-1');
    expect(alive.exitCode).toBe(2);
    expect(alive.stdout).toContain('Need to stop current coordinator before activating the standby.');
    await c.faults.crash(10);
    await c.faults.crash(1);
    const plain = await c.run('gpactivatestandby -d /data/coordinator/gpseg-1');
    expect(plain.exitCode).toBe(2);
    expect(plain.stdout).toContain('Force activation required');
    const forced = await c.run('gpactivatestandby -f -d /data/coordinator/gpseg-1');
    expect(forced.exitCode).toBe(0);
    expect((await c.query('select count(*) from gp_segment_configuration')).rows).toEqual([[9]]);
  });

  it('a distributed transaction prepared at the crash is resolved by DTX recovery on the standby', async () => {
    const c = (cluster = await createCluster(OPTS));
    await c.query('create table dtx (a int) distributed by (a)');
    await waitFor(
      async () =>
        (
          await c.query(
            "select count(*) from gp_stat_replication where gp_segment_id = -1 and state = 'streaming'",
          )
        ).rows[0]![0] === 1,
    );
    const hold = c.faults.suspend('finish_prepared_start_of_function', 2);
    const s = await c.connect();
    await s.query('begin');
    await s.query('insert into dtx select generate_series(1, 60)');
    const commit = s.query('commit').catch((e: unknown) => e);
    await hold.reached;
    // The distributed commit record is on the standby (sync rep on the coordinator).
    await c.faults.crash(1);
    hold.release();
    expect(await commit).toBeInstanceOf(SqlError);
    expect((await c.run('gpactivatestandby -d /data/coordinator/gpseg-1')).exitCode).toBe(0);
    expect((await c.query('select count(*) from dtx')).rows).toEqual([[60]]);
  });

  it('gpinitstandby checks: a second standby, the same host and port', async () => {
    const c = (cluster = await createCluster(OPTS));
    const twice = await c.run('gpinitstandby -s sdw1 -a');
    expect(twice.exitCode).toBe(2);
    expect(twice.stdout).toContain('Standby coordinator already configured');
    expect(twice.stdout).toContain('If you want to start the stopped standby coordinator, use the -n option');
    expect((await c.run('gpinitstandby -r -a')).exitCode).toBe(0);
    expect((await c.query('select count(*) from gp_segment_configuration where content = -1')).rows).toEqual([
      [1],
    ]);
    const sameDir = await c.run('gpinitstandby -s cdw -a');
    expect(sameDir.exitCode).toBe(2);
    expect(sameDir.stdout).toContain('Data directory already exists on host cdw');
    expect(sameDir.stdout).toContain(
      'Error initializing standby coordinator: coordinator data directory exists',
    );
    const same = await c.run('gpinitstandby -s cdw -S /data/standby/gpseg-1 -a');
    expect(same.exitCode).toBe(2);
    expect(same.stdout).toContain('cannot create standby on the same host and port');
    expect((await c.run('gpinitstandby -s scdw -a')).exitCode).toBe(0);
    expect((await c.run('gpinitstandby -n')).stdout).toContain(
      'Standy coordinator is already up and running',
    );
  });
});
