/**
 * Plans the explorer once failed on, shrunk; each names the bug it found. They replay exactly
 * (same seed, same plan, same trace), so they keep those bugs fixed.
 */
import { describe, expect, it } from 'vitest';
import { runPlan, type Step } from '../../src/engine/index.ts';

async function replay(seed: number, plan: Step[], replication: 'wal' | 'filerep' = 'wal'): Promise<void> {
  const r = await runPlan(seed, plan, replication);
  expect(
    r.failure,
    r.failure ? `${r.failure.invariant}: ${r.failure.message}\n${r.log.join('\n')}` : '',
  ).toBeUndefined();
}

describe('explorer regressions', () => {
  it('a mirror promoted in the catalog but down when PROMOTE came is promoted when FTS probes it again', () =>
    replay(4, [
      { op: 'crash', target: 'sdw1' },
      { op: 'partition', a: ['sdw2'], b: ['cdw', 'sdw1', 'scdw'] },
      { op: 'transfers', n: 1, salt: 9473514 },
    ]));

  it('coordinator commits do not hang while the standby is partitioned away', () =>
    replay(70, [
      { op: 'partition', a: ['scdw'], b: ['cdw', 'sdw1', 'sdw2'] },
      { op: 'transfers', n: 3, salt: 248945540 },
    ]));

  it('a promotion that failed on a full disk is retried once the disk has room', () =>
    replay(11, [
      { op: 'partition', a: ['cdw'], b: ['sdw1', 'sdw2', 'sdw3', 'scdw'] },
      { op: 'diskFull', dbid: 8, full: true },
      { op: 'recoverseg', flags: '-r' },
      { op: 'heal' },
      { op: 'recoverseg', flags: '-F' },
    ]));

  it('an activated standby that crashes restarts as the coordinator and still sees every committed row', () =>
    replay(139, [{ op: 'coordinatorFailover' }, { op: 'crash', target: 10 }]));

  it("a mirror crashed mid-promotion comes back as a standby, is promoted again, and the dead incarnation's failing promotion does not kill the new one", () =>
    replay(92, [
      { op: 'slowDisk', dbid: 8, ms: 36 },
      { op: 'partition', a: ['sdw2'], b: ['cdw', 'sdw1', 'scdw'] },
      { op: 'transfers', n: 3, salt: 85417613 },
      { op: 'crash', target: 8 },
    ]));

  it('host crash, standby activation, differential recovery, then a crash of the new coordinator: one acting primary per content', () =>
    replay(26, [
      { op: 'crash', target: 'sdw2' },
      { op: 'coordinatorFailover' },
      { op: 'appends', n: 3, salt: 422867958 },
      { op: 'recoverseg', flags: '--differential' },
      { op: 'crash', target: 5 },
      { op: 'transfers', n: 4, salt: 916909856 },
      { op: 'crash', target: 10 },
      { op: 'restart', target: 5 },
    ]));

  it('gpaddmirrors after an activation gives dbid 1 to a mirror; the coordinator does not stream to it', () =>
    replay(1167, [
      { op: 'coordinatorFailover' },
      { op: 'addMirrors', spread: false },
      { op: 'wait', ms: 30000 },
      { op: 'appends', n: 4, salt: 434500202 },
      { op: 'crash', target: 4 },
      { op: 'crash', target: 2 },
      { op: 'recoverseg', flags: '-r' },
    ]));

  it('a coordinator that crashes twice in a row (no transaction between) still sees every committed row', () =>
    replay(2952, [
      { op: 'appends', n: 2, salt: 676342757 },
      { op: 'coordinatorFailover' },
      { op: 'restart', target: 8 },
      { op: 'crash', target: 8 },
    ]));

  it('the repair clears a full disk on the coordinator too (after two activations dbid 9 is the coordinator)', () =>
    replay(3809, [
      { op: 'coordinatorFailover' },
      { op: 'initStandby' },
      { op: 'coordinatorFailover' },
      { op: 'diskFull', dbid: 9, full: true },
      { op: 'appends', n: 4, salt: 784787671 },
    ]));
});

describe('explorer regressions: file replication', () => {
  it('a primary restarted before FTS saw it commits nothing until FTS decides: its mirror may have taken over', () =>
    replay(
      41,
      [
        { op: 'restart', target: 5 },
        { op: 'appends', n: 6, salt: 341519649 },
        { op: 'partition', a: ['cdw'], b: ['sdw1', 'sdw2', 'scdw'] },
      ],
      'filerep',
    ));

  it('never two primaries: a restarted primary cut off from the coordinator while its mirror is promoted', () =>
    replay(
      34,
      [
        { op: 'partition', a: ['cdw'], b: ['sdw1', 'sdw2', 'scdw'] },
        { op: 'appends', n: 5, salt: 136571133 },
        { op: 'restart', target: 7 },
      ],
      'filerep',
    ));

  it('gprecoverseg does not wait an hour on an acting primary it cannot reach', () =>
    replay(
      2,
      [
        { op: 'partition', a: ['cdw'], b: ['sdw1', 'sdw2', 'scdw'] },
        { op: 'transfers', n: 1, salt: 977582573 },
        { op: 'recoverseg', flags: '' },
      ],
      'filerep',
    ));

  it('a mirror whose first copy never happened (gpaddmirrors with its primary down) gets every file', () =>
    replay(
      23,
      [
        { op: 'restart', target: 2 },
        { op: 'crash', target: 2 },
        { op: 'addMirrors', spread: true },
      ],
      'filerep',
    ));

  it('a promotion that fails on a full disk ends the process; restarted, it serves as the primary', () =>
    replay(
      15,
      [
        { op: 'diskFull', dbid: 8, full: true },
        { op: 'crash', target: 'sdw1' },
        { op: 'transfers', n: 3, salt: 848719975 },
      ],
      'filerep',
    ));

  it('the copy check compares a pair only if FTS did not promote its mirror while the primary wrote its buffers', () =>
    replay(
      2973,
      [
        { op: 'delay', dbid: 2, ms: 1624 },
        { op: 'delay', dbid: 7, ms: 324 },
        { op: 'slowDisk', dbid: 11, ms: 172 },
        { op: 'coordinatorFailover' },
        { op: 'partition', a: ['scdw'], b: ['cdw', 'sdw1', 'sdw2', 'sdw3'] },
        { op: 'transfers', n: 2, salt: 181129851 },
        { op: 'slowDisk', dbid: 10, ms: 139 },
        { op: 'wait', ms: 90000 },
        { op: 'heal' },
      ],
      'filerep',
    ));

  it('a primary cut off from the coordinator keeps replicating to a mirror FTS could not promote yet', () =>
    replay(
      2088,
      [
        { op: 'addMirrors', spread: true },
        { op: 'restart', target: 'sdw1' },
        { op: 'ddl', id: 1 },
        { op: 'ddl', id: 2 },
        { op: 'slowDisk', dbid: 7, ms: 496 },
        { op: 'crash', target: 5 },
        { op: 'appends', n: 1, salt: 441782720 },
        { op: 'recoverseg', flags: '' },
        { op: 'partition', a: ['cdw'], b: ['sdw1', 'sdw2', 'scdw'] },
        { op: 'ddl', id: 3 },
        { op: 'appends', n: 3, salt: 706610681 },
        { op: 'initStandby' },
        { op: 'transfers', n: 4, salt: 550964114 },
        { op: 'heal' },
        { op: 'restart', target: 5 },
      ],
      'filerep',
    ));

  it('the copy check leaves out a pair whose mirror is being promoted (its instance writes those files)', () =>
    replay(
      3082,
      [
        { op: 'coordinatorFailover' },
        { op: 'slowDisk', dbid: 9, ms: 445 },
        { op: 'restart', target: 7 },
        { op: 'appends', n: 5, salt: 758806282 },
        { op: 'ddl', id: 1 },
        { op: 'appends', n: 2, salt: 461540575 },
        { op: 'partition', a: ['scdw'], b: ['cdw', 'sdw1', 'sdw2', 'sdw3'] },
        { op: 'heal' },
      ],
      'filerep',
    ));
});
