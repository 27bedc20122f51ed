/**
 * gpstate's options as Greenplum 7 has them: -i (each instance's version; a down one cannot
 * give it), -p (ports), -q (warnings only), one report at a time, optparse's errors.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';
import { waitFor } from '../support/wait.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** The messages of gplog lines, without the prefix. */
const messages = (out: string) =>
  out
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^[^[]*\[(\w+)\]:-/, '$1 '));

describe('gpstate options', () => {
  it('-i lists every instance with its version; a down mirror is a warning row and the summary says so', async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', standby: true, timeScale: 200 }));
    const ok = await c.run('gpstate -i');
    expect(ok.exitCode).toBe(0);
    const lines = messages(ok.stdout);
    const header = lines.findIndex((l) => /^INFO {4}Host +Datadir +Port +Version$/.test(l));
    expect(header).toBeGreaterThan(0);
    const rows = lines.slice(header + 1, header + 11);
    // Coordinator, standby, then each pair primary first.
    expect(rows.map((r) => r.split(/\s+/)[1])).toEqual([
      'cdw',
      'scdw',
      'sdw1',
      'sdw2',
      'sdw1',
      'sdw2',
      'sdw2',
      'sdw1',
      'sdw2',
      'sdw1',
    ]);
    expect(rows.every((r) => r.includes('PostgreSQL 12.12 (Greenplum Database 7.0.0'))).toBe(true);
    expect(lines).toContain('INFO All segments are running the same software version');

    await c.faults.crash(6);
    await waitFor(async () => {
      await c.query('select gp_request_fts_probe_scan()');
      return (
        (await c.query('select status from gp_segment_configuration where dbid = 6')).rows[0]![0] === 'd'
      );
    });
    const down = messages((await c.run('gpstate -i')).stdout);
    expect(
      down.some((l) =>
        /^WARNING sdw2 +\/data\/mirror\/gpseg0 +7000 +unable to retrieve version +<<<<<<<<$/.test(l),
      ),
    ).toBe(true);
    expect(down).toContain(
      'WARNING Unable to retrieve version data from all segments.  Review table above for details.',
    );
  });

  it('-p lists the coordinator port and each segment port in pair order', async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    const lines = messages((await c.run('gpstate -p')).stdout);
    expect(lines).toContain('INFO --Coordinator segment instance  /data/coordinator/gpseg-1  port = 5432');
    const header = lines.findIndex((l) => /^INFO {4}Host +Datadir +Port$/.test(l));
    expect(lines[header + 1]).toMatch(/^INFO {4}sdw1 +\/data\/primary\/gpseg0 +6000$/);
    expect(lines[header + 2]).toMatch(/^INFO {4}sdw2 +\/data\/mirror\/gpseg0 +7000$/);
  });

  it('-q shows warnings only; two reports at once, a bad -B or an unknown option exit 2', async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    // With a mirror down, -q keeps gpstate -m's warning and drops the INFO lines.
    await c.faults.crash(6);
    await waitFor(async () => {
      await c.query('select gp_request_fts_probe_scan()');
      return (
        (await c.query('select status from gp_segment_configuration where dbid = 6')).rows[0]![0] === 'd'
      );
    });
    expect((await c.run('gpstate -m')).stdout).toContain('[INFO]');
    const quiet = await c.run('gpstate -q -m');
    expect(quiet.exitCode).toBe(0);
    expect(quiet.stdout).not.toContain('[INFO]');
    expect(quiet.stdout).toContain('[WARNING]');
    const two = await c.run('gpstate -m -c');
    expect(two.exitCode).toBe(2);
    expect(two.stdout).toContain('gpstate: error: Too many output options specified');
    expect((await c.run('gpstate -B 0')).stdout).toContain(
      'Invalid parallelDegree provided with -B argument: 0',
    );
    const unknown = await c.run('gpstate -z');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('gpstate: error: no such option: -z');
    expect((await c.run('gpstate -mq')).exitCode).toBe(0);
  });

  it('-c keeps each pair in its preferred columns: after a failover the preferred primary stays on the left', async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    await c.faults.crash(2);
    await waitFor(async () => {
      await c.query('select gp_request_fts_probe_scan()');
      return (await c.query('select role from gp_segment_configuration where dbid = 6')).rows[0]![0] === 'p';
    });
    const lines = messages((await c.run('gpstate -c')).stdout);
    const content0 = lines.find((l) => l.includes('/data/primary/gpseg0'))!;
    expect(content0).toMatch(
      /^INFO {4}Mirror Active, Primary Failed +\S.* +sdw1 +\/data\/primary\/gpseg0 +6000 +sdw2 +\/data\/mirror\/gpseg0 +7000$/,
    );
    // Every column starts where its heading does, long statuses and directories included.
    const columnsLineUp = (out: string, heading: RegExp, first: string) => {
      const ls = messages(out);
      const h = ls.findIndex((l) => heading.test(l));
      const starts = (l: string) => [...l.matchAll(/ {2,}(\S)/g)].map((m) => m.index! + m[0].length - 1);
      const rows = ls.slice(h + 1).filter((l) => l.includes(first));
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows)
        expect(starts(r.replace(/^WARNING /, 'INFO    ').replace(/ +<+$/, ''))).toEqual(starts(ls[h]!));
    };
    columnsLineUp((await c.run('gpstate -c')).stdout, /Status +Data State/, '/data/');
    columnsLineUp((await c.run('gpstate -m')).stdout, /Mirror +Datadir/, '/data/mirror');
  });

  it("-s: the coordinator block, each instance with its PID, and its pair's WAL positions, in every runtime", async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', standby: true, timeScale: 200 }));
    await c.query('create table s (a int) distributed by (a)');
    await c.query('insert into s select generate_series(1, 100)');
    await waitFor(async () => {
      await c.query('select gp_request_fts_probe_scan()');
      const r = await c.query(
        "select count(*) from gp_segment_configuration where content >= 0 and mode <> 's'",
      );
      return r.rows[0]![0] === 0;
    });
    const lines = messages((await c.run('gpstate -s')).stdout);
    expect(lines).toContain('INFO    Coordinator host                                 = cdw');
    expect(lines).toContain('INFO    Coordinator port                                 = 5432');
    expect(lines).toContain('INFO    Coordinator standby                              = scdw');
    expect(lines).toContain(
      'INFO    Standby coordinator status                       = Standby host passive',
    );
    // Not "Unknown": the primaries are asked over the coordinator's links.
    expect(lines.filter((l) => /Bytes remaining to send to mirror = 0$/.test(l))).toHaveLength(4);
    expect(lines.filter((l) => /Mirror status += Streaming$/.test(l))).toHaveLength(4);
    expect(lines.filter((l) => /WAL Replay Location += [0-9A-F]+\/[0-9A-F]+$/.test(l))).toHaveLength(8);
    expect(lines.filter((l) => /^INFO {7}PID += \d+$/.test(l))).toHaveLength(8);
  });
});
