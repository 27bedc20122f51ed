/**
 * The utilities' shared options do what they say or are refused (issue 20: never accepted and
 * ignored): -q keeps INFO lines off the screen, -v / -D add DEBUG lines with the commands run
 * on each instance, gprecoverseg --no-progress drops the copy's progress lines, -d must name the
 * coordinator's data directory, and -l / --hba-hostnames (no log files, no pg_hba.conf in the
 * lab) exit 2 with why, changing nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';
import { synced, waitFor } from '../support/wait.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function mirrored(): Promise<Cluster> {
  const c = (cluster = await createCluster({ mirroring: 'group', standby: true, timeScale: 200 }));
  await c.query('create table t (a int) distributed by (a)');
  await c.query('insert into t select generate_series(1, 2000)');
  await synced(c);
  return c;
}

async function catalog(c: Cluster): Promise<unknown[][]> {
  return (await c.query('select * from gp_segment_configuration order by dbid')).rows;
}

async function mirrorDown(c: Cluster, dbid: number): Promise<void> {
  await c.faults.crash(dbid);
  await waitFor(async () => (await catalog(c)).some((r) => r[0] === dbid && r[5] === 'd'), 20_000);
}

describe("the utilities' shared options", () => {
  it('-l and --hba-hostnames are refused on every utility, exit 2, nothing changed', async () => {
    const c = await mirrored();
    const before = await catalog(c);
    for (const line of [
      'gprecoverseg -a -l /tmp/logs',
      'gpstate -l /tmp/logs',
      'gpaddmirrors -a -l /tmp/logs',
      'gpinitstandby -a -r -l /tmp/logs',
      'gpactivatestandby -a -l /tmp/logs',
      'gpstop -a -l /tmp/logs',
      'gpstart -a -l /tmp/logs',
    ]) {
      const r = await c.run(line);
      expect(r.exitCode, line).toBe(2);
      expect(r.stderr, line).toContain('-l: the lab writes no log files');
    }
    for (const line of ['gprecoverseg -a --hba-hostnames', 'gpinitstandby -a -r --hba-hostnames']) {
      const r = await c.run(line);
      expect(r.exitCode, line).toBe(2);
      expect(r.stderr, line).toContain('--hba-hostnames: the lab has no pg_hba.conf');
    }
    expect(await catalog(c)).toEqual(before);
    expect((await c.query('select count(*) from t')).rows).toEqual([[2000]]);
  });

  it('-d must be the coordinator data directory', async () => {
    const c = await mirrored();
    const before = await catalog(c);
    for (const line of [
      'gprecoverseg -a -d /data/elsewhere',
      'gpstate -d /data/elsewhere',
      'gpstop -a -d /data/elsewhere',
    ]) {
      const r = await c.run(line);
      expect(r.exitCode, line).toBe(2);
      expect(r.stdout + r.stderr, line).toMatch(/\/data\/elsewhere/);
    }
    const ok = await c.run('gpstate -d /data/coordinator/gpseg-1');
    expect(ok.exitCode).toBe(0);
    expect(await catalog(c)).toEqual(before);
  });

  it('-q hides INFO, -v shows DEBUG commands, --no-progress drops progress lines', async () => {
    const c = await mirrored();
    const quiet = await c.run('gpstate -q');
    expect(quiet.exitCode).toBe(0);
    expect(quiet.stdout).not.toMatch(/\[INFO\]/);
    await mirrorDown(c, 6);
    const verbose = await c.run('gprecoverseg -a -F -v --no-progress');
    expect(verbose.exitCode, verbose.stdout).toBe(0);
    expect(verbose.stdout).toMatch(/\[DEBUG\]:-Running Command: pg_basebackup .* -D \/data\/mirror\/gpseg0/);
    expect(verbose.stdout).toMatch(/\[DEBUG\]:-Running Command: pg_ctl -D \/data\/mirror\/gpseg0 .* start/);
    expect(verbose.stdout).not.toMatch(/ kB \(\d+%\)$/m);
    await synced(c);
    await mirrorDown(c, 7);
    const plain = await c.run('gprecoverseg -a -F');
    expect(plain.exitCode, plain.stdout).toBe(0);
    expect(plain.stdout).not.toMatch(/\[DEBUG\]/);
    expect(plain.stdout).toMatch(/kB \(100%\)/);
  });
});
