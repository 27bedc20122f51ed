/**
 * gpconfig (issue 20): -c / -r edit postgresql.conf on every instance's disk, nothing changes
 * until gpstop -u (reloadable settings) or a restart (postmaster ones); -s shows live values,
 * --file the files, --file-compare both; -l lists. Refusals exit 1 and change no file. What SHOW
 * says after a reload is what runs: FTS probes at the new interval. Inline and worker runtimes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, type Cluster, type ClusterEvent } from '../../src/engine/index.ts';
import { synced, waitFor } from '../support/wait.ts';
import { run } from '../support/run-utility.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function mirrored(timeScale = 200): Promise<Cluster> {
  const c = (cluster = await createCluster({ mirroring: 'group', standby: true, timeScale }));
  await synced(c);
  return c;
}

const show = async (c: Cluster, name: string) => (await c.query(`show ${name}`)).rows[0]![0];

describe('gpconfig', () => {
  it('-c writes every file; the value runs only after gpstop -u, in new and open sessions alike', async () => {
    const c = await mirrored();
    const open = await c.connect();
    const setter = await c.connect();
    await setter.query('set statement_mem = 200000');
    const out = await run(c, 'gpconfig -c statement_mem -v 500MB');
    expect(out).toContain("[INFO]:-completed successfully with parameters '-c statement_mem -v 500MB'");
    // Written, not loaded: live values unchanged, the files say 500MB.
    expect(await show(c, 'statement_mem')).toBe('125MB');
    expect(await run(c, 'gpconfig -s statement_mem')).toContain(
      'Values on all segments are consistent\nGUC              : statement_mem\nCoordinator value: 125MB\nSegment     value: 125MB\n',
    );
    const files = await run(c, 'gpconfig -s statement_mem --file');
    expect(files).toContain('Coordinator value: 500MB\nSegment     value: 500MB');
    const cmp = await run(c, 'gpconfig -s statement_mem --file-compare');
    expect(cmp).toContain('WARNING: GUCS ARE OUT OF SYNC: ');
    expect(cmp).toContain('[context: 0] [dbid: 2] [name: statement_mem] [value: 125MB | file: 500MB]');
    await run(c, 'gpstop -u');
    expect(await show(c, 'statement_mem')).toBe('500MB');
    expect((await open.query('show statement_mem')).rows).toEqual([['500MB']]);
    // A value SET in the session outranks the file.
    expect((await setter.query('show statement_mem')).rows).toEqual([['200000kB']]);
    expect(await run(c, 'gpconfig -s statement_mem --file-compare')).toContain(
      'Coordinator value: 500MB | file: 500MB\nSegment     value: 500MB | file: 500MB',
    );
    // --debug shows the command run for each file; without it there is no DEBUG line.
    expect(await run(c, 'gpconfig -c statement_mem -v 500MB --debug')).toContain(
      '[DEBUG]:-Running Command: gpconfig_helper.py on sdw1: /data/primary/gpseg0/postgresql.conf',
    );
    expect(await run(c, 'gpconfig -c statement_mem -v 500MB')).not.toContain('[DEBUG]');
    // -r comments the line out: after a reload the default is back.
    await run(c, 'gpconfig -r statement_mem');
    await run(c, 'gpstop -u');
    expect(await show(c, 'statement_mem')).toBe('125MB');
    expect(await run(c, 'gpconfig -s statement_mem --file')).toContain(
      'No value is set on coordinator\nNo value is set on segments',
    );
    await open.close();
    await setter.close();
  });

  it('-m for the coordinator and --coordinatoronly: segments keep their own value', async () => {
    const c = await mirrored();
    await run(c, 'gpconfig -c statement_timeout -v 1min -m 2min');
    await run(c, 'gpstop -u');
    expect(await show(c, 'statement_timeout')).toBe('2min');
    expect(await run(c, 'gpconfig -s statement_timeout')).toContain(
      'Coordinator value: 2min\nSegment     value: 1min',
    );
    await run(c, 'gpconfig -c statement_timeout -v 3min --coordinatoronly');
    const files = await run(c, 'gpconfig -s statement_timeout --file');
    // The coordinator's and standby's files differ from the segments' now: listed one by one.
    expect(files).toContain('Values on all segments are consistent');
    expect(files).toContain('Coordinator value: 3min\nSegment     value: 1min');
  });

  it('a postmaster setting waits for a restart; SHOW keeps telling what runs', async () => {
    const c = await mirrored();
    await run(c, 'gpconfig -c max_connections -v 800 -m 300');
    await run(c, 'gpstop -u');
    expect(await show(c, 'max_connections')).toBe('250');
    await run(c, 'gpstop -a -r');
    expect(await show(c, 'max_connections')).toBe('300');
    expect(await run(c, 'gpconfig -s max_connections')).toContain(
      'Coordinator value: 300\nSegment     value: 800',
    );
  });

  it('a reloaded FTS probe interval is the one FTS probes at', async () => {
    // 60 s / 20 = 3 s between scans; after the change 10 s / 20 = 0.5 s.
    const c = await mirrored(20);
    await run(c, 'gpconfig -c gp_fts_probe_interval -v 10s --coordinatoronly');
    await run(c, 'gpstop -u');
    expect(await show(c, 'gp_fts_probe_interval')).toBe('10s');
    const cycles: ClusterEvent[] = [];
    const off = c.subscribe((e) => {
      if (e.kind === 'fts.cycle') cycles.push(e);
    });
    await waitFor(async () => cycles.length >= 3, 2_800, 'three FTS scans within one old interval');
    off();
  });

  it("a stopped instance's file is edited too; -P and -M follow the current roles", async () => {
    const c = await mirrored();
    await c.faults.crash(2);
    await c.query('select gp_request_fts_probe_scan()');
    expect((await c.instanceStatus(2)).role).toBe('down');
    // dbid 2 is content 0's mirror now (down), dbid 6 its primary.
    await run(c, 'gpconfig -c gp_fts_probe_retries -P 4 -M 6');
    const files = await run(c, 'gpconfig -s gp_fts_probe_retries --file');
    expect(files).toContain('WARNING: GUCS ARE OUT OF SYNC: ');
    expect(files).toContain('[context: -1] [dbid: 1] [name: gp_fts_probe_retries] [not set in file]');
    expect(files).toContain('[context: 0] [dbid: 2] [name: gp_fts_probe_retries] [value: 6]');
    expect(files).toContain('[context: 0] [dbid: 6] [name: gp_fts_probe_retries] [value: 4]');
    expect(files).toContain('[context: 1] [dbid: 3] [name: gp_fts_probe_retries] [value: 4]');
    // The down instance is not reloaded: exit 1, as Greenplum's gpstop -u.
    expect(await run(c, 'gpstop -u', 1)).toContain('Some segment postmasters were not reloaded');
    const live = await run(c, 'gpconfig -s gp_fts_probe_retries');
    expect(live).toContain('Coordinator value: 5\nSegment     value: 4');
    // The coordinator has no line: it keeps the default.
    expect(await show(c, 'gp_fts_probe_retries')).toBe('5');
  });

  it('refusals exit 1, print the message twice, and change no file', async () => {
    const c = await mirrored();
    const before = await run(c, 'gpconfig -s statement_mem --file');
    const cases: [string, string][] = [
      ['gpconfig', 'No action specified.  See the --help info.'],
      ['gpconfig -c statement_mem', 'change requested but value not specified'],
      ['gpconfig -c statement_mem -v 1MB -r statement_mem', 'remove action does not take a value'],
      [
        'gpconfig -c statement_mem -v 1MB -P 2MB',
        'cannot use both value option and primaryvalue/mirrorvalue option',
      ],
      [
        'gpconfig -c statement_mem -m 1MB -v 1MB --coordinatoronly',
        'when changing a parameter on the coordinator only',
      ],
      ['gpconfig -l --file', "'--file' option must accompany '--show' option"],
      ['gpconfig -s statement_mem --file --file-compare', 'cannot be used together'],
      ['gpconfig -c no_such_guc -v 1', 'not a valid GUC: no_such_guc'],
      ['gpconfig -c server_version -v 1', "not a modifiable GUC: 'server_version'"],
      ['gpconfig -c port -v 7000', "The parameter 'port' is not modifiable with this tool"],
      ['gpconfig -c max_connections -v 100', 'the value of max_connections must be greater on the segments'],
      [
        'gpconfig -c statement_mem -v lots',
        'new GUC value failed validation: invalid value for parameter "statement_mem"',
      ],
      ['gpconfig -c statement_mem -v 1MB --skipvalidation', '--skipvalidation'],
      ['gpconfig -s no_such_guc', 'guc does not exist: no_such_guc'],
    ];
    for (const [line, message] of cases) {
      const r = await c.run(line);
      expect(r.exitCode, line).toBe(1);
      expect(r.stdout.split('\n').filter((l) => l.includes(message)).length, `${line}\n${r.stdout}`).toBe(2);
    }
    expect(await run(c, 'gpconfig -s statement_mem --file')).toBe(before);
  });

  it('-l lists pg_settings; -s port lists each content; the coordinator down refuses', async () => {
    const c = await mirrored();
    const list = await run(c, 'gpconfig -l');
    expect(list).toContain(
      '[name: statement_mem] [unit: kB] [context: user] [vartype: integer] [min_val: 1000] [max_val: 2147483647]',
    );
    expect(list).toContain('[name: gp_fts_probe_interval] [unit: s] [context: sighup] [vartype: integer]');
    const port = await run(c, 'gpconfig -s port');
    expect(port).toContain(
      'GUC                 : port\nContext:    -1 Value: 5432\nContext:     0 Value: 6000',
    );
    await run(c, 'gpstop -a');
    const down = await run(c, 'gpconfig -s statement_mem', 1);
    expect(down).toContain('This script can only be run when the database is up.');
  });
});
