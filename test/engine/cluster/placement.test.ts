import { describe, expect, it } from 'vitest';
import {
  detectMirroring,
  parseSegmentConfiguration,
  toGpaddmirrorsFile,
  toGpinitsystemConfig,
  toGprecoversegFile,
} from '../../../src/engine/topology/placement-files.ts';
import {
  PlacementError,
  planCluster,
  validatePlacement,
  type SegmentConfig,
} from '../../../src/engine/topology/placement.ts';
import {
  customPlacement,
  placeMirrorsForExisting,
  validateCustomPlacement,
} from '../../../src/engine/topology/mirror-placement.ts';
import {
  validateSegmentConfiguration,
  whatIfHostFails,
} from '../../../src/engine/topology/placement-checks.ts';

type Row = [number, number, string, string, string, string, number, string, string];

function rows(config: readonly SegmentConfig[]): Row[] {
  return config.map((r) => [
    r.dbid,
    r.content,
    r.role,
    r.preferred_role,
    r.mode,
    r.status,
    r.port,
    r.hostname,
    r.datadir,
  ]);
}

function mirrorHosts(config: readonly SegmentConfig[]): string[] {
  return config
    .filter((r) => r.content >= 0 && r.role === 'm')
    .sort((a, b) => a.content - b.content)
    .map((r) => r.hostname);
}

function thrown(f: () => unknown): PlacementError {
  try {
    f();
  } catch (e) {
    if (e instanceof PlacementError) return e;
    throw e;
  }
  throw new Error('expected a PlacementError');
}

const FOUR = ['sdw1', 'sdw2', 'sdw3', 'sdw4'];

describe('planCluster (gpinitsystem)', () => {
  it('lays out the gpdemo-like default: 2 hosts × 2 segments, group mirrors, standby', () => {
    const config = planCluster({
      hosts: ['sdw1', 'sdw2'],
      segmentsPerHost: 2,
      mirroring: 'group',
      standbyHost: 'scdw',
    });
    expect(rows(config)).toEqual([
      [1, -1, 'p', 'p', 'n', 'u', 5432, 'cdw', '/data/coordinator/gpseg-1'],
      [2, 0, 'p', 'p', 's', 'u', 6000, 'sdw1', '/data/primary/gpseg0'],
      [3, 1, 'p', 'p', 's', 'u', 6001, 'sdw1', '/data/primary/gpseg1'],
      [4, 2, 'p', 'p', 's', 'u', 6000, 'sdw2', '/data/primary/gpseg2'],
      [5, 3, 'p', 'p', 's', 'u', 6001, 'sdw2', '/data/primary/gpseg3'],
      [6, 0, 'm', 'm', 's', 'u', 7000, 'sdw2', '/data/mirror/gpseg0'],
      [7, 1, 'm', 'm', 's', 'u', 7001, 'sdw2', '/data/mirror/gpseg1'],
      [8, 2, 'm', 'm', 's', 'u', 7000, 'sdw1', '/data/mirror/gpseg2'],
      [9, 3, 'm', 'm', 's', 'u', 7001, 'sdw1', '/data/mirror/gpseg3'],
      [10, -1, 'm', 'm', 's', 'u', 5432, 'scdw', '/data/coordinator/gpseg-1'],
    ]);
    expect(config.every((r) => r.address === r.hostname)).toBe(true);
    expect(validateSegmentConfiguration(config)).toEqual([]);
  });

  it('without mirrors, primaries are mode n (invariant 7) and there are no mirror rows', () => {
    const config = planCluster({
      hosts: ['sdw1', 'sdw2'],
      segmentsPerHost: 3,
      mirroring: 'none',
      portBase: 40000,
    });
    expect(config).toHaveLength(7);
    expect(config.filter((r) => r.content >= 0).every((r) => r.mode === 'n' && r.role === 'p')).toBe(true);
    expect(config.map((r) => r.port)).toEqual([5432, 40000, 40001, 40002, 40000, 40001, 40002]);
    expect(validateSegmentConfiguration(config)).toEqual([]);
  });

  it('group on 4 hosts × 2: all mirrors of a host on the next host, wrapping', () => {
    const config = planCluster({ hosts: FOUR, segmentsPerHost: 2, mirroring: 'group' });
    expect(mirrorHosts(config)).toEqual(['sdw2', 'sdw2', 'sdw3', 'sdw3', 'sdw4', 'sdw4', 'sdw1', 'sdw1']);
    expect(detectMirroring(config)).toBe('group');
  });

  it('spread on 4 hosts × 2: the j-th primary of host h on host h+1+j', () => {
    const config = planCluster({ hosts: FOUR, segmentsPerHost: 2, mirroring: 'spread' });
    expect(mirrorHosts(config)).toEqual(['sdw2', 'sdw3', 'sdw3', 'sdw4', 'sdw4', 'sdw1', 'sdw1', 'sdw2']);
    // Ports never collide: the j-th mirror keeps MIRROR_PORT_BASE + j.
    expect(
      config.filter((r) => r.role === 'm' && r.hostname === 'sdw3').map((r) => [r.content, r.port]),
    ).toEqual([
      [1, 7001],
      [2, 7000],
    ]);
    expect(detectMirroring(config)).toBe('spread');
    expect(validateSegmentConfiguration(config)).toEqual([]);
  });

  it('moves the coordinator host to the front when it is also a segment host', () => {
    const config = planCluster({ hosts: ['sdw1', 'cdw'], segmentsPerHost: 1, mirroring: 'none' });
    expect(config.filter((r) => r.content >= 0).map((r) => r.hostname)).toEqual(['cdw', 'sdw1']);
  });

  it('refuses spread mirroring with too few hosts, with gpinitsystem message', () => {
    const e = thrown(() => planCluster({ hosts: ['sdw1', 'sdw2'], segmentsPerHost: 2, mirroring: 'spread' }));
    expect(e.code).toBe('SPREAD_INSUFFICIENT_HOSTS');
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(
      'Request made for spread mirroring via --mirror-mode option, but insufficient hosts available. ' +
        'Number of separate hosts must be greater than number of segment instances per host',
    );
    expect(() =>
      planCluster({ hosts: ['sdw1', 'sdw2', 'sdw3'], segmentsPerHost: 2, mirroring: 'spread' }),
    ).not.toThrow();
    expect(thrown(() => planCluster({ hosts: ['sdw1'], segmentsPerHost: 1, mirroring: 'spread' })).code).toBe(
      'SPREAD_INSUFFICIENT_HOSTS',
    );
  });

  it('allows group mirroring on one host (as the demo cluster) with a warning', () => {
    const options = { hosts: ['sdw1'], segmentsPerHost: 2, mirroring: 'group' as const };
    const problems = validatePlacement(options);
    expect(problems.map((p) => [p.code, p.severity])).toEqual([['SAME_HOST_MIRROR', 'warning']]);
    const config = planCluster(options);
    expect(config.filter((r) => r.role === 'm').every((r) => r.hostname === 'sdw1')).toBe(true);
  });

  it('refuses duplicate hosts, no segments, overlapping and out-of-range ports', () => {
    expect(
      thrown(() => planCluster({ hosts: ['a', 'a'], segmentsPerHost: 1, mirroring: 'none' })).message,
    ).toBe('Duplicate segment instance hostname exists in hostfile_gpinitsystem');
    expect(thrown(() => planCluster({ hosts: ['a'], segmentsPerHost: 0, mirroring: 'none' })).message).toBe(
      'Number of primary directories 0 (zero)',
    );
    expect(thrown(() => planCluster({ hosts: [], segmentsPerHost: 1, mirroring: 'none' })).code).toBe(
      'NO_HOSTS',
    );
    expect(
      thrown(() =>
        planCluster({ hosts: ['a', 'b'], segmentsPerHost: 4, mirroring: 'group', mirrorPortBase: 6002 }),
      ).message,
    ).toBe('PORT_BASE AND MIRROR_PORT_BASE define overlapping ranges.');
    expect(
      thrown(() => planCluster({ hosts: ['a'], segmentsPerHost: 2, mirroring: 'none', portBase: 5431 }))
        .message,
    ).toBe('COORDINATOR_PORT overlaps with PORT_BASE.');
    expect(
      thrown(() => planCluster({ hosts: ['a'], segmentsPerHost: 2, mirroring: 'none', portBase: 65535 }))
        .message,
    ).toBe('65536 is outside the valid range for parameter "port" (1 .. 65535)');
    expect(
      thrown(() =>
        planCluster({
          hosts: ['a', 'b'],
          segmentsPerHost: 1,
          mirroring: 'group',
          mirrorDataDirectory: '/data/primary',
        }),
      ).message,
    ).toBe('Conflict between data directory and mirror data directory (/data/primary).');
    expect(
      thrown(() => planCluster({ hosts: ['a'], segmentsPerHost: 1, mirroring: 'none', standbyHost: 'cdw' }))
        .message,
    ).toBe('cannot create standby on the same host and port');
  });

  it('validatePlacement lists every problem without throwing', () => {
    const problems = validatePlacement({ hosts: ['a', 'a'], segmentsPerHost: 2, mirroring: 'spread' });
    expect(problems.map((p) => p.code)).toEqual(['DUPLICATE_HOST', 'SPREAD_INSUFFICIENT_HOSTS']);
    expect(validatePlacement({ hosts: FOUR, segmentsPerHost: 2, mirroring: 'spread' })).toEqual([]);
  });
});

describe('whatIfHostFails', () => {
  it('group: the next host carries twice the primaries', () => {
    const impact = whatIfHostFails(
      planCluster({ hosts: FOUR, segmentsPerHost: 2, mirroring: 'group' }),
      'sdw2',
    );
    expect(impact.failedOver.map((f) => [f.content, f.toHost])).toEqual([
      [2, 'sdw3'],
      [3, 'sdw3'],
    ]);
    expect(impact.actingPrimariesPerHost).toEqual({ sdw1: 2, sdw3: 4, sdw4: 2 });
    expect(impact.mirrorsLost.map((m) => m.content)).toEqual([0, 1]);
    expect(impact.survives).toBe(true);
  });

  it('spread: the load spreads over the other hosts', () => {
    const impact = whatIfHostFails(
      planCluster({ hosts: FOUR, segmentsPerHost: 2, mirroring: 'spread' }),
      'sdw2',
    );
    expect(impact.failedOver.map((f) => [f.content, f.toHost])).toEqual([
      [2, 'sdw3'],
      [3, 'sdw4'],
    ]);
    expect(impact.actingPrimariesPerHost).toEqual({ sdw1: 2, sdw3: 3, sdw4: 3 });
  });

  it('double faults: mirror on the same host, mirror down, pair not in sync; mirrorless contents go down', () => {
    const single = planCluster({ hosts: ['sdw1'], segmentsPerHost: 2, mirroring: 'group' });
    expect(whatIfHostFails(single, 'sdw1').doubleFaults.map((d) => d.reason)).toEqual([
      'mirror-on-same-host',
      'mirror-on-same-host',
    ]);
    const config = planCluster({
      hosts: ['sdw1', 'sdw2'],
      segmentsPerHost: 2,
      mirroring: 'group',
      standbyHost: 'scdw',
    });
    const m0 = config.find((r) => r.content === 0 && r.role === 'm');
    if (m0) Object.assign(m0, { status: 'd', mode: 'n' });
    for (const r of config.filter((x) => x.content === 1)) r.mode = 'n';
    const impact = whatIfHostFails(config, 'sdw1');
    expect(impact.doubleFaults).toEqual([
      { content: 0, dbid: 2, reason: 'mirror-down' },
      { content: 1, dbid: 3, reason: 'mirror-not-in-sync' },
    ]);
    expect(impact.survives).toBe(false);
    const none = planCluster({ hosts: ['sdw1', 'sdw2'], segmentsPerHost: 1, mirroring: 'none' });
    expect(whatIfHostFails(none, 'sdw2').unmirroredDown).toEqual([{ content: 1, dbid: 3 }]);
    expect(whatIfHostFails(config, 'cdw').coordinatorLost).toBe(true);
    expect(whatIfHostFails(config, 'scdw').standbyLost).toBe(true);
  });
});

describe('placeMirrorsForExisting (gpaddmirrors)', () => {
  const mirrorless = () =>
    planCluster({
      hosts: ['sdw1', 'sdw2', 'sdw3'],
      segmentsPerHost: 2,
      mirroring: 'none',
      standbyHost: 'scdw',
    });

  it('group: mirrors of each host on the next host by name, port = lowest primary port + index + 1000', () => {
    const plan = placeMirrorsForExisting(mirrorless(), ['sdw1', 'sdw2', 'sdw3'], 'group');
    expect(rows(plan.mirrors)).toEqual([
      [9, 0, 'm', 'm', 'n', 'd', 7000, 'sdw2', '/data/mirror/gpseg0'],
      [10, 1, 'm', 'm', 'n', 'd', 7001, 'sdw2', '/data/mirror/gpseg1'],
      [11, 2, 'm', 'm', 'n', 'd', 7000, 'sdw3', '/data/mirror/gpseg2'],
      [12, 3, 'm', 'm', 'n', 'd', 7001, 'sdw3', '/data/mirror/gpseg3'],
      [13, 4, 'm', 'm', 'n', 'd', 7000, 'sdw1', '/data/mirror/gpseg4'],
      [14, 5, 'm', 'm', 'n', 'd', 7001, 'sdw1', '/data/mirror/gpseg5'],
    ]);
    expect(plan.config.filter((r) => r.content >= 0 && r.role === 'p').every((r) => r.mode === 'n')).toBe(
      true,
    );
    expect(validateSegmentConfiguration(plan.config)).toEqual([]);
  });

  it('spread: host i sends its j-th primary to host i+1+j, skipping itself', () => {
    const plan = placeMirrorsForExisting(mirrorless(), ['sdw1', 'sdw2', 'sdw3'], 'spread', 2000);
    expect(plan.mirrors.map((m) => [m.content, m.hostname, m.port])).toEqual([
      [0, 'sdw2', 8000],
      [1, 'sdw3', 8000],
      [2, 'sdw3', 8001],
      [3, 'sdw1', 8000],
      [4, 'sdw1', 8001],
      [5, 'sdw2', 8001],
    ]);
  });

  // clsAddMirrors' GpMirrorBuildCalculator starts at max(dbid) + 1 and passes each dbid to
  // gp_add_segment; get_availableDbId()'s lowest free one would be the old coordinator's 1.
  it('numbers mirrors from one past the highest dbid, as gpaddmirrors does', () => {
    const config = mirrorless().filter((r) => r.dbid !== 1); // as after gpactivatestandby
    const standby = config.find((r) => r.content === -1);
    if (standby) Object.assign(standby, { role: 'p', preferred_role: 'p' });
    const plan = placeMirrorsForExisting(config, ['sdw1', 'sdw2', 'sdw3'], 'group');
    expect(plan.mirrors.map((m) => m.dbid)).toEqual([9, 10, 11, 12, 13, 14]);
  });

  it('refuses a mirrored cluster and a port offset outside 6432..61000, verbatim', () => {
    const mirrored = planCluster({ hosts: ['a', 'b'], segmentsPerHost: 1, mirroring: 'group' });
    expect(thrown(() => placeMirrorsForExisting(mirrored, ['a', 'b'], 'group')).message).toBe(
      'GPDB physical mirroring cannot be added. The cluster is already configured with Mirrors.',
    );
    expect(
      thrown(() => placeMirrorsForExisting(mirrorless(), ['sdw1', 'sdw2', 'sdw3'], 'group', 20000)).message,
    ).toBe(
      'Value of port offset supplied via -p option produces ports outside of the valid range' +
        'Mirror port base range must be between 6432 and 61000',
    );
  });

  it('warns that spread degenerates with too few hosts (gpaddmirrors does not check)', () => {
    const config = planCluster({ hosts: ['sdw1', 'sdw2'], segmentsPerHost: 2, mirroring: 'none' });
    const plan = placeMirrorsForExisting(config, ['sdw1', 'sdw2'], 'spread');
    expect(plan.warnings.join(' ')).toMatch(/Spread mirroring needs more hosts/);
    expect(plan.mirrors.map((m) => m.hostname)).toEqual(['sdw2', 'sdw2', 'sdw1', 'sdw1']);
  });
});

describe('customPlacement (gpaddmirrors -i)', () => {
  const mirrorless = () =>
    planCluster({ hosts: ['sdw1', 'sdw2', 'sdw3'], segmentsPerHost: 1, mirroring: 'none' });

  it('places each mirror where asked', () => {
    const plan = customPlacement(mirrorless(), [
      { content: 0, host: 'sdw3' },
      { content: 1, host: 'sdw1' },
      { content: 2, host: 'sdw2', port: 9000, datadir: '/mirrors/gpseg2' },
    ]);
    expect(
      plan.mirrors.map((m) => [m.dbid, m.content, m.hostname, m.port, m.datadir, m.mode, m.status]),
    ).toEqual([
      [5, 0, 'sdw3', 7000, '/data/mirror/gpseg0', 'n', 'd'],
      [6, 1, 'sdw1', 7000, '/data/mirror/gpseg1', 'n', 'd'],
      [7, 2, 'sdw2', 9000, '/mirrors/gpseg2', 'n', 'd'],
    ]);
  });

  it('refuses a mirror on its primary host, a wrong count, unknown contents and port clashes', () => {
    const same = thrown(() =>
      customPlacement(mirrorless(), [
        { content: 0, host: 'sdw1' },
        { content: 1, host: 'sdw3' },
        { content: 2, host: 'sdw1' },
      ]),
    );
    expect(same.code).toBe('SAME_HOST_MIRROR');
    expect(same.message).toMatch(/^The mirror of content 0 is on sdw1, the host of its primary/);
    const problems = validateCustomPlacement(mirrorless(), [{ content: 7, host: 'sdw2' }]);
    expect(problems.map((p) => p.message)).toEqual([
      'Invalid content 7 specified in input file',
      'Wrong number of mirrors specified (specified 1 mirror(s) for 3 primarie(s))',
    ]);
    expect(
      thrown(() =>
        customPlacement(mirrorless(), [
          { content: 0, host: 'sdw2', port: 6000 },
          { content: 1, host: 'sdw3' },
          { content: 2, host: 'sdw1' },
        ]),
      ).message,
    ).toBe("Segment dbid's 3 and 5 on host sdw2 cannot have the same port 6000.");
  });
});

describe('export', () => {
  it('writes a gpinitsystem_config for group and spread layouts', () => {
    const group = toGpinitsystemConfig(
      planCluster({ hosts: ['sdw1', 'sdw2'], segmentsPerHost: 2, mirroring: 'group', standbyHost: 'scdw' }),
    );
    expect(group).toBe(
      [
        '# gpinitsystem_config exported by MPP HA Lab',
        '# Segment hosts (hostfile_gpinitsystem): sdw1 sdw2',
        'ARRAY_NAME="MPP HA Lab"',
        'SEG_PREFIX=gpseg',
        'TRUSTED_SHELL=ssh',
        'ENCODING=UNICODE',
        'PORT_BASE=6000',
        'declare -a DATA_DIRECTORY=(/data/primary /data/primary)',
        'COORDINATOR_HOSTNAME=cdw',
        'COORDINATOR_DIRECTORY=/data/coordinator',
        'COORDINATOR_PORT=5432',
        'MACHINE_LIST_FILE=./hostfile_gpinitsystem',
        'MIRROR_PORT_BASE=7000',
        'declare -a MIRROR_DATA_DIRECTORY=(/data/mirror /data/mirror)',
        '# Run: gpinitsystem -c gpinitsystem_config -h hostfile_gpinitsystem -s scdw',
        '',
      ].join('\n'),
    );
    const spread = toGpinitsystemConfig(
      planCluster({ hosts: FOUR, segmentsPerHost: 2, mirroring: 'spread' }),
    );
    expect(spread).toContain('--mirror-mode=spread');
    const none = toGpinitsystemConfig(planCluster({ hosts: ['a'], segmentsPerHost: 1, mirroring: 'none' }));
    expect(none).not.toContain('MIRROR_PORT_BASE');
  });

  it('writes the -I form for a custom layout', () => {
    const base = planCluster({ hosts: ['sdw1', 'sdw2', 'sdw3'], segmentsPerHost: 1, mirroring: 'none' });
    const plan = customPlacement(base, [
      { content: 0, host: 'sdw3' },
      { content: 1, host: 'sdw1' },
      { content: 2, host: 'sdw1' },
    ]);
    const text = toGpinitsystemConfig(plan.config);
    expect(text).toContain('QD_PRIMARY_ARRAY=cdw~cdw~5432~/data/coordinator/gpseg-1~1~-1');
    expect(text).toContain('sdw3~sdw3~7000~/data/mirror/gpseg0~5~0');
    expect(text).toContain('# Run: gpinitsystem -I gpinitsystem_config');
  });

  it('writes gpaddmirrors and gprecoverseg files', () => {
    const config = planCluster({ hosts: ['sdw1', 'sdw2'], segmentsPerHost: 1, mirroring: 'group' });
    expect(toGpaddmirrorsFile(config)).toBe(
      '0|sdw2|7000|/data/mirror/gpseg0\n1|sdw1|7000|/data/mirror/gpseg1\n',
    );
    for (const r of config.filter((x) => x.hostname === 'sdw1')) {
      r.status = 'd';
    }
    expect(toGprecoversegFile(config)).toBe(
      'sdw1|6000|/data/primary/gpseg0\nsdw1|7000|/data/mirror/gpseg1\n',
    );
    const moved = toGprecoversegFile(
      config,
      new Map([[2, { address: 'sdw3', port: 6000, datadir: '/data/primary/gpseg0' }]]),
    );
    expect(moved.split('\n')[0]).toBe('sdw1|6000|/data/primary/gpseg0 sdw3|6000|/data/primary/gpseg0');
  });
});

describe('parseSegmentConfiguration', () => {
  const aligned = ` dbid | content | role | preferred_role | mode | status | port |  hostname  |  address   |          datadir
------+---------+------+----------------+------+--------+------+------------+------------+---------------------------
    1 |      -1 | p    | p              | n    | u    | 5432 | cdw        | cdw        | /data/coordinator/gpseg-1
    2 |       0 | p    | p              | s    | u    | 6000 | sdw1       | sdw1       | /data/primary/gpseg0
    4 |       0 | m    | m              | s    | u    | 7000 | sdw2       | sdw2       | /data/mirror/gpseg0
    3 |       1 | p    | p              | s    | u    | 6000 | sdw2       | sdw2       | /data/primary/gpseg1
    5 |       1 | m    | m              | s    | u    | 7000 | sdw1       | sdw1       | /data/mirror/gpseg1
(5 rows)
`;

  it('reads psql aligned output, sorted by dbid', () => {
    const config = parseSegmentConfiguration(aligned);
    expect(config.map((r) => r.dbid)).toEqual([1, 2, 3, 4, 5]);
    expect(config[3]).toEqual({
      dbid: 4,
      content: 0,
      role: 'm',
      preferred_role: 'm',
      mode: 's',
      status: 'u',
      port: 7000,
      hostname: 'sdw2',
      address: 'sdw2',
      datadir: '/data/mirror/gpseg0',
    });
  });

  it('reads CSV with a header, and round-trips a planned cluster', () => {
    const config = planCluster({ hosts: FOUR, segmentsPerHost: 2, mirroring: 'spread', standbyHost: 'scdw' });
    const csv =
      'dbid,content,role,preferred_role,mode,status,port,hostname,address,datadir\n' +
      config
        .map((r) =>
          [
            r.dbid,
            r.content,
            r.role,
            r.preferred_role,
            r.mode,
            r.status,
            r.port,
            r.hostname,
            r.address,
            `"${r.datadir}"`,
          ].join(','),
        )
        .join('\n');
    expect(parseSegmentConfiguration(csv)).toEqual(config);
  });

  it('says which line is wrong', () => {
    const bad = aligned.replace('| 6000 | sdw2', '| 60x0 | sdw2');
    const e = thrown(() => parseSegmentConfiguration(bad));
    expect(e.message).toBe('line 6: invalid port "60x0"');
    expect(e.line).toBe(6);
    expect(thrown(() => parseSegmentConfiguration(aligned.replace('(5 rows)', '(6 rows)'))).message).toBe(
      'line 8: the footer says 6 rows but 5 were read',
    );
    expect(thrown(() => parseSegmentConfiguration('dbid,content\n1,-1')).message).toBe(
      'line 1: column "role" is missing from the header',
    );
    expect(
      thrown(() =>
        parseSegmentConfiguration(
          aligned.replace('| m    | m              | s', '| x    | m              | s'),
        ),
      ).message,
    ).toBe('line 5: invalid role "x" (expected p or m)');
    expect(
      thrown(() =>
        parseSegmentConfiguration(
          aligned.replace(
            '    5 |       1 | m    | m              | s    | u    | 7000 | sdw1       | sdw1       | /data/mirror/gpseg1\n',
            '    5 |       1 | m    | m              | s    | u\n',
          ),
        ),
      ).message,
    ).toBe('line 7: expected 10 fields, found 6');
  });

  it('refuses configurations that break the catalog invariants', () => {
    const broken = aligned.replace(
      '|       0 | m    | m              | s    | u',
      '|       0 | m    | m              | n    | u',
    );
    const e = thrown(() => parseSegmentConfiguration(broken));
    expect(e.code).toBe('INVALID_CONFIGURATION');
    expect(e.message).toBe(
      'Invalid GpArray: content 0 has primary status/mode u/s and mirror status/mode u/n',
    );
  });
});
