/**
 * Bad input never does damage (issue 20): every utility checks its flags and its whole input
 * file before it changes anything, exits 2 (gpmovemirrors 3) with Greenplum's wording, and
 * leaves gp_segment_configuration exactly as it was, every instance still running.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';
import { synced, waitFor } from '../support/wait.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const files = (c: Cluster) => (c as unknown as { files: Map<string, string> }).files;

async function catalog(c: Cluster): Promise<unknown[][]> {
  return (await c.query('select * from gp_segment_configuration order by dbid')).rows;
}

/** `address|port|datadir` of a dbid. */
async function loc(c: Cluster, dbid: number): Promise<string> {
  const r = await c.query(`select address, port, datadir from gp_segment_configuration where dbid = ${dbid}`);
  return r.rows[0]!.join('|');
}

/**
 * Runs `line`; expects the exit code and text, printed once (gplog writes an error to stdout
 * only; optparse's to stderr only), and the catalog and the data untouched.
 */
async function refused(c: Cluster, line: string, exit: number, text: string | RegExp): Promise<void> {
  const before = await catalog(c);
  const r = await c.run(line);
  expect(r.exitCode, `${line}\n${r.stdout}${r.stderr}`).toBe(exit);
  const out = r.stdout + r.stderr;
  if (typeof text === 'string') expect(out.split(text).length - 1, out).toBe(1);
  else expect(out.match(new RegExp(text.source, 'g'))?.length, out).toBe(1);
  // Nothing was stopped either: FTS, asked to probe now, finds every instance as it was.
  await c.query('select gp_request_fts_probe_scan()');
  expect(await catalog(c)).toEqual(before);
  expect((await c.query('select count(*) from t')).rows).toEqual([[100]]);
}

async function mirrored(standby = false): Promise<Cluster> {
  const c = (cluster = await createCluster({ mirroring: 'group', standby, timeScale: 200 }));
  await c.query('create table t (a int) distributed by (a)');
  await c.query('insert into t select generate_series(1, 100)');
  await synced(c);
  return c;
}

describe('gprecoverseg refuses what cannot work, changing nothing', () => {
  it('flags: bad batch sizes, bad numbers, unknown options and refused combinations exit 2; combined short flags work', async () => {
    const c = await mirrored();
    await refused(c, 'gprecoverseg -a -B 0', 2, 'Invalid parallelDegree value provided with -B argument: 0');
    await refused(
      c,
      'gprecoverseg -a -B 65',
      2,
      'Invalid parallelDegree value provided with -B argument: 65',
    );
    await refused(
      c,
      'gprecoverseg -a -b 129',
      2,
      'Invalid parallelPerHost value provided with -b argument: 129',
    );
    await refused(
      c,
      'gprecoverseg -a -B abc',
      2,
      "gprecoverseg: error: option -B: invalid integer value: 'abc'",
    );
    await refused(c, 'gprecoverseg -ax', 2, 'gprecoverseg: error: no such option: -x');
    await refused(c, 'gprecoverseg -a -i', 2, 'gprecoverseg: error: -i option requires 1 argument');
    await refused(c, 'gprecoverseg -a extra', 2, 'too many arguments: only options may be specified');
    await refused(c, 'gprecoverseg -rF', 2, '-F option is not supported with -r option');
    await refused(c, 'gprecoverseg -i f -o g', 2, 'Invalid -i provided with -o argument');
    await refused(
      c,
      'gprecoverseg -a --disable-replay-lag',
      2,
      '--disable-replay-lag should be used only with -r',
    );
    await refused(
      c,
      'gprecoverseg -r --replay-lag x',
      2,
      "option --replay-lag: invalid floating-point value: 'x'",
    );
    // optparse's combined short flags, and -B / -b in range, are accepted.
    const ok = await c.run('gprecoverseg -avF -B 4 -b8');
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toContain('No segments to recover');
    // optparse's unambiguous long-option prefixes, and its help (exit 0).
    expect((await c.run('gprecoverseg -a --diff')).stdout).toContain('No segments to recover');
    const help = await c.run('gprecoverseg --help');
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^Usage: gprecoverseg \[--help\] \[options\]/);
    expect(help.stdout).toContain('--differential');
  });

  it('-i: the coordinator, a healthy primary, a duplicate line, three groups, a bad port: exit 2, nothing stopped', async () => {
    const c = await mirrored();
    await c.faults.crash(6);
    await waitFor(async () => {
      await c.query('select gp_request_fts_probe_scan()');
      return (
        (await c.query('select status from gp_segment_configuration where dbid = 6')).rows[0]![0] === 'd'
      );
    });
    const failed = await loc(c, 6);
    const cases: [string, string][] = [
      [`${await loc(c, 1)}\n`, 'names dbid 1, a coordinator'],
      [`${failed}\n${await loc(c, 3)}\n`, 'Segment to recover from for content 1 is not a primary'],
      [
        `${failed}\n\n${failed}\n`,
        'config file lines 1 and 3 conflict: Cannot recover the same failed segment',
      ],
      [
        `${failed} sdw3|7000|/data/m0 sdw3|7001|/data/m1\n`,
        'line 1 of file f: expected 1 or 2 groups but found 3',
      ],
      [`${failed} sdw3|abc|/data/m0\n`, 'Invalid port on line 1'],
      [`${failed} sdw3|99999|/data/m0\n`, 'Invalid port on line 1'],
      [`${failed} sdw3|7000|relative/dir\n`, 'it must be a full path'],
      [`${failed} sdw3|7000\n`, 'line 1 of file f: expected 3 parts on new segment group, obtained 2'],
      [`# a comment\n${failed} sdw1|6000|/data/elsewhere\n`, 'cannot have the same port 6000'],
      [`nohost|7000|/x\n`, 'A segment to recover was not found in configuration'],
    ];
    for (const [text, message] of cases) {
      files(c).set('f', text);
      await refused(c, 'gprecoverseg -a -i f', 2, message);
    }
    // The coordinator and the primaries are still running: the data is served.
    expect((await c.query('select count(*) from t')).rows).toEqual([[100]]);
    files(c).set('f', `${failed}\n`);
    expect((await c.run('gprecoverseg -a -i f')).exitCode).toBe(0);
    await synced(c);
  });

  it('-r skips a pair that is not synchronized, rebalances the others, and recovers the down one', async () => {
    const c = await mirrored();
    // Both contents of sdw1 fail over to sdw2; their former primaries come back as mirrors.
    await c.faults.crash('sdw1');
    await waitFor(async () => {
      await c.query('select gp_request_fts_probe_scan()');
      const r = await c.query(
        "select count(*) from gp_segment_configuration where hostname = 'sdw1' and status = 'd'",
      );
      return r.rows[0]![0] === 4;
    });
    // The former primaries do not start by themselves, and the restart says so.
    await expect(c.faults.restart('sdw1')).rejects.toMatchObject({
      message: expect.stringMatching(/^dbid 2, dbid 3 did not start/),
    });
    expect((await c.run('gprecoverseg -a')).exitCode).toBe(0);
    await synced(c);
    // Content 0's mirror (its preferred primary, dbid 2) dies before the rebalance.
    await c.faults.crash(2);
    await waitFor(async () => {
      await c.query('select gp_request_fts_probe_scan()');
      return (
        (await c.query('select status from gp_segment_configuration where dbid = 2')).rows[0]![0] === 'd'
      );
    });
    const r = await c.run('gprecoverseg -a -r');
    expect(r.stdout).toContain(
      'Not rebalancing primary segment dbid 6 with its mirror dbid 2 because one is either down, unreachable, or not synchronized',
    );
    expect(r.stdout).toContain('The rebalance operation has completed with WARNINGS');
    expect(r.exitCode).toBe(0);
    await synced(c);
    const roles = await c.query(
      'select dbid, role, preferred_role, status from gp_segment_configuration where content in (0, 1) order by dbid',
    );
    // Content 1 is back in its preferred roles; content 0 is whole again, still switched.
    expect(roles.rows).toEqual([
      [2, 'm', 'p', 'u'],
      [3, 'p', 'p', 'u'],
      [6, 'p', 'm', 'u'],
      [7, 'm', 'm', 'u'],
    ]);
    expect((await c.query('select count(*) from t')).rows).toEqual([[100]]);
  });
});

describe('the other utilities refuse what cannot work, changing nothing', () => {
  it('gpaddmirrors -i: two mirrors for one content, bad ports, an empty directory, a mirror on its own primary', async () => {
    const c = (cluster = await createCluster({ timeScale: 200 }));
    await c.query('create table t (a int) distributed by (a)');
    await c.query('insert into t select generate_series(1, 100)');
    const good = [
      '0|sdw2|7000|/data/mirror/gpseg0',
      '1|sdw2|7001|/data/mirror/gpseg1',
      '2|sdw1|7000|/data/mirror/gpseg2',
      '3|sdw1|7001|/data/mirror/gpseg3',
    ];
    const cases: [string[], string][] = [
      [
        [good[0]!, good[0]!.replace('7000', '7005'), good[2]!, good[3]!],
        'Content 0 is given two mirrors, on lines 1 and 2',
      ],
      [[good[0]!.replace('7000', 'abc'), ...good.slice(1)], 'Invalid port on line 1'],
      [[good[0]!, good[1]!.replace('7001', '99999'), ...good.slice(2)], 'Invalid port on line 2'],
      [[good[0]!, good[1]!, good[2]!.replace('7000', '-5'), good[3]!], 'Invalid port on line 3'],
      [[...good.slice(0, 3), good[3]!.replace('7001', '0')], 'Invalid port on line 4'],
      [[good[0]!.replace('/data/mirror/gpseg0', ''), ...good.slice(1)], 'Invalid directory on line 1'],
      [
        ['0|sdw1|6000|/data/primary/gpseg0', ...good.slice(1)],
        "Segment dbid's 6 and 2 on host sdw1 cannot have the same port 6000.",
      ],
      [['0|sd w2|7000|/data/mirror/gpseg0', ...good.slice(1)], 'Invalid address on line 1'],
      [['9|sdw2|7000|/data/mirror/gpseg0', ...good.slice(1)], 'Invalid content 9 specified in input file'],
      [good.slice(1), 'Wrong number of mirrors specified (specified 3 mirror(s) for 4 primarie(s))'],
    ];
    for (const [lines, message] of cases) {
      files(c).set('m', lines.join('\n') + '\n');
      await refused(c, 'gpaddmirrors -a -i m', 2, message);
    }
    await refused(c, 'gpaddmirrors -a -B 0', 2, 'Invalid batch_size value provided with -B argument: 0');
    await refused(c, 'gpaddmirrors -a -m dirs', 2, 'Unable to read the data directory file dirs');
    files(c).set('m', good.join('\n') + '\n');
    expect((await c.run('gpaddmirrors -a -i m')).exitCode).toBe(0);
    await synced(c);
  });

  it('gpinitstandby: a port that is not a number, a port or directory a segment uses, a name no file can carry', async () => {
    const c = await mirrored();
    await refused(
      c,
      'gpinitstandby -a -s scdw -P abc',
      2,
      "gpinitstandby: error: option -P: invalid integer value: 'abc'",
    );
    await refused(c, 'gpinitstandby -a -s scdw -P 70000', 2, 'Invalid port 70000 given with -P');
    await refused(c, 'gpinitstandby -a -s sdw2 -P 6000', 2, 'cannot have the same port 6000');
    await refused(c, "gpinitstandby -a -s 'sc dw'", 2, 'not a valid host name');
    await refused(c, 'gpinitstandby -a -P 5433', 2, 'No action provided in the options.');
    await refused(c, 'gpinitstandby -a -s scdw -r', 2, 'Options -s and -r cannot be specified together.');
    await refused(
      c,
      'gpinitstandby -n',
      2,
      'Cannot use -n option when standby coordinator has not yet been configured',
    );
    expect((await c.run('gpinitstandby -a -s scdw')).exitCode).toBe(0);
  });

  it('gpactivatestandby -f while the coordinator runs: refused, the coordinator keeps serving', async () => {
    const c = await mirrored(true);
    await refused(
      c,
      'gpactivatestandby -f -d /data/coordinator/gpseg-1',
      2,
      'Active postgres process on coordinator',
    );
    await refused(
      c,
      'gpactivatestandby -af -d /data/coordinator/gpseg-1',
      2,
      'Need to stop current coordinator before activating the standby.',
    );
  });

  it('gpmovemirrors: two mirrors into one directory, a primary, bad batch sizes: exit 2 or 3, nothing stopped', async () => {
    const c = await mirrored();
    files(c).set(
      'two',
      `${await loc(c, 6)} sdw3|7100|/data/moved\n${await loc(c, 7)} sdw3|7101|/data/moved\n`,
    );
    await refused(
      c,
      'gpmovemirrors -i two',
      3,
      "on host sdw3 cannot have the same data directory '/data/moved'",
    );
    files(c).set('primary', `${await loc(c, 2)} sdw3|7100|/data/moved\n`);
    await refused(c, 'gpmovemirrors -i primary', 3, 'Old mirror segment is not currently in a mirror role');
    await refused(
      c,
      'gpmovemirrors -i two -B 65',
      2,
      'Invalid value for argument -B. Value must be >= 1 and <= 64',
    );
    await refused(c, 'gpmovemirrors', 2, 'Missing argument. -i or --input is a required argument.');
  });

  it('a host name the files cannot carry is refused where the cluster is laid out', async () => {
    await expect(createCluster({ hosts: ['sdw1', 'sdw|2'] })).rejects.toThrow(/Invalid host name 'sdw\|2'/);
  });
});
