/**
 * Plans the explorer once failed on, shrunk; each names the bug it found. They replay exactly
 * (same seed, same plan, same trace), so they keep those bugs fixed.
 */
import { describe, expect, it } from 'vitest';
import {
  createCluster,
  runPlan,
  type QueryResult,
  type SimCluster,
  type Step,
} from '../../src/engine/index.ts';

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

/**
 * In-doubt distributed transactions (issue 19): schedules where a segment failed in the middle of
 * a commit, shrunk by hand from what seeded fault schedules found.
 */
describe('regressions: in-doubt distributed transactions', () => {
  /** A group-mirrored sim cluster with the bank, and which ids live on which content. */
  async function bank(seed: number) {
    const c = (await createCluster({
      runtime: 'sim',
      seed,
      mirroring: 'group',
      standby: true,
    })) as SimCluster;
    await c.query('create table bank (id int, balance int) distributed by (id)');
    await c.query('insert into bank select i, 100 from generate_series(1, 8) i');
    const rows = (await c.query('select id, gp_segment_id from bank order by id')).rows as number[][];
    const on = (content: number) => rows.filter((r) => r[1] === content).map((r) => r[0]!);
    // Group mirroring: contents 0 and 1 have their primaries (dbids 2, 3) on sdw1 and their
    // mirrors (6, 7) on sdw2; contents 2 and 3 the other way round.
    const a = on(0).length ? 0 : 1;
    return { c, content: a, id: on(a)[0]!, other: (on(2)[0] ?? on(3)[0])! };
  }

  const settledCommit = (p: Promise<QueryResult>) =>
    p.then(
      (r) => r,
      (e: unknown) => e as Error,
    );

  /** A transfer of `amount` from `id` to `other` whose COMMIT is held at COMMIT PREPARED on `dbid`. */
  async function transferHeldInSecondPhase(
    c: SimCluster,
    amount: number,
    id: number,
    other: number,
    dbid: number,
  ) {
    const s = await c.connect();
    await s.query('begin');
    await s.query(`update bank set balance = balance - ${amount} where id = ${id}`);
    await s.query(`update bank set balance = balance + ${amount} where id = ${other}`);
    const hold = c.faults.suspend('finish_prepared_start_of_function', dbid);
    const commit = settledCommit(s.query('commit'));
    await hold.reached;
    return { s, commit, hold };
  }

  it('a transfer whose primary dies in the second phase, its mirror already down, commits: the COMMIT says so, DTX recovery finishes it once the host is back, readers never see half of it', async () => {
    const { c, content, id, other } = await bank(11);
    try {
      await c.faults.crash(6 + content);
      await c.sim.advance(180_000); // FTS marks the mirror down and turns sync rep off
      const { commit, hold } = await transferHeldInSecondPhase(c, 10, id, other, 2 + content);
      await c.faults.crash('sdw1');
      hold.release();
      const r = await c.sim.drive(commit);
      // Committed (the distributed commit record is written): not a connection error.
      expect(r).not.toBeInstanceOf(Error);
      const done = r as QueryResult;
      expect(done.command).toBe('COMMIT');
      expect(done.notices.join('\n')).toContain("unable to complete 'Commit Prepared' broadcast");
      // Its former primaries refuse to start (their mirrors took over); the restart says so.
      await expect(c.faults.restart('sdw1')).rejects.toMatchObject({ code: '55000' });
      await c.sim.advance(90_000); // one gp_dtx_recovery_interval, and some
      expect(c.sim.instances().flatMap((i) => i.prepared)).toEqual([]);
      expect((await c.query('select sum(balance), count(*) from bank')).rows).toEqual([[800, 8]]);
      expect((await c.query(`select balance from bank where id = ${id}`)).rows).toEqual([[90]]);
      expect((await c.query(`select balance from bank where id = ${other}`)).rows).toEqual([[110]]);
      expect((await c.query(`update bank set balance = balance + 1 where id = ${id}`)).rowCount).toBe(1);
    } finally {
      await c.close();
    }
  });

  it('a COMMIT whose second phase outlives a failover succeeds (retried on the promoted mirror), and a one-phase commit whose reply was lost reports the commit', async () => {
    const { c, content, id, other } = await bank(12);
    try {
      const { s, commit, hold } = await transferHeldInSecondPhase(c, 5, id, other, 2 + content);
      await c.faults.crash(2 + content);
      hold.release();
      const r = await c.sim.drive(commit);
      expect(r).not.toBeInstanceOf(Error);
      expect((r as QueryResult).command).toBe('COMMIT');
      expect((await c.query('select sum(balance) from bank')).rows).toEqual([[800]]);
      expect((await c.query(`select balance from bank where id = ${id}`)).rows).toEqual([[95]]);
      // One phase: the row reaches its primary and commits; the reply is lost in a crash of
      // that primary (its mirror, in sync, is promoted and has the commit).
      await c.query('create table one (a int) distributed by (a)');
      const otherContent = Number(
        (await c.query(`select gp_segment_id from bank where id = ${other}`)).rows[0]![0],
      );
      const target = c.sim.instances().find((i) => i.content === otherContent && i.acting === 'primary')!;
      c.faults.delay(1, 2_000); // the coordinator's messages: the reply is still on its way...
      const insert = settledCommit(s.query(`insert into one values (${other})`));
      await c.sim.advance(3_000);
      await c.faults.crash(target.dbid); // ...when the primary that committed dies
      c.faults.delay(1, 0);
      const ins = await c.sim.drive(insert);
      const count = Number((await c.query('select count(*) from one')).rows[0]![0]);
      // It committed (the promoted mirror has it): the INSERT says so, no connection error.
      expect(count).toBe(1);
      expect(ins).not.toBeInstanceOf(Error);
    } finally {
      await c.close();
    }
  });

  it("the issue's shrunk schedule: a content's mirror crashes, then its primary's host during three transfers, then the host restarts", () =>
    replay(11, [
      { op: 'crash', target: 6 },
      { op: 'wait', ms: 120_000 },
      { op: 'transfers', n: 3, salt: 5, during: { op: 'crash', target: 'sdw1', afterMs: 6 } },
      { op: 'restart', target: 'sdw1' },
    ]));

  it("a one-phase commit found in a restarted primary's WAL is confirmed only once its mirror has it (a rebalance right after lost it)", () =>
    replay(290, [
      { op: 'transfers', n: 1, salt: 192927031, during: { op: 'crash', target: 'sdw1', afterMs: 28 } },
      { op: 'appends', n: 5, salt: 581052489 },
      { op: 'recoverseg', flags: '--differential' },
      { op: 'delay', dbid: 2, ms: 1625 },
      { op: 'appends', n: 3, salt: 650113510, during: { op: 'restart', target: 'sdw2', afterMs: 15 } },
      { op: 'recoverseg', flags: '-r' },
    ]));

  it('a segment that restarts between two statements of a transaction loses its gang: the transaction cannot commit half of a transfer', () =>
    replay(523, [
      { op: 'appends', n: 1, salt: 757653081 },
      { op: 'transfers', n: 2, salt: 431228669 },
      { op: 'transfers', n: 4, salt: 687756903 },
      { op: 'transfers', n: 2, salt: 994487184, during: { op: 'restart', target: 4, afterMs: 3 } },
    ]));

  it("a sync in flight on a slow disk when its host crashes never lands over the restarted instance's WAL (pg_rewind found a checkpoint the source never had)", () =>
    replay(21928, [
      { op: 'slowDisk', dbid: 9, ms: 389 },
      { op: 'transfers', n: 3, salt: 919947223 },
      { op: 'transfers', n: 1, salt: 645423698, during: { op: 'crash', target: 'sdw2', afterMs: 4 } },
      { op: 'wait', ms: 90000 },
      { op: 'recoverseg', flags: '--differential' },
      { op: 'transfers', n: 3, salt: 158681787, during: { op: 'crash', target: 'sdw1', afterMs: 12 } },
    ]));

  it('gprecoverseg and FTS change gp_segment_configuration in turn (one exclusive writer): a recovery right after a coordinator restart is not failed with 40001', () =>
    replay(51370, [
      { op: 'wait', ms: 30000 },
      { op: 'transfers', n: 3, salt: 88914230 },
      { op: 'partition', a: ['sdw2'], b: ['cdw', 'sdw1', 'sdw3', 'scdw'] },
      { op: 'wait', ms: 300000 },
      { op: 'recoverseg', flags: '--differential' },
      { op: 'transfers', n: 3, salt: 118964116, during: { op: 'crash', target: 1, afterMs: 21 } },
    ]));

  it('restarting the coordinator while a segment host is down with transfers prepared settles (no link call waits an hour)', async () => {
    const c = (await createCluster({
      runtime: 'sim',
      seed: 3,
      mirroring: 'group',
      standby: true,
    })) as SimCluster;
    try {
      await c.query('create table bank (id int, balance int) distributed by (id)');
      await c.query('insert into bank select i, 100 from generate_series(1, 8) i');
      const sessions = await Promise.all([1, 2, 3, 4, 5, 6].map(() => c.connect()));
      const work = Promise.all(
        sessions.map(async (s, i) => {
          try {
            await s.query('begin');
            await s.query(`update bank set balance = balance - 1 where id = ${i + 1}`);
            await s.query(`update bank set balance = balance + 1 where id = ${((i + 3) % 8) + 1}`);
            await s.query('commit');
          } catch {
            // The coordinator went down under it.
          }
        }),
      );
      await c.sim.advance(5);
      await c.faults.crash(1);
      await c.faults.crash('sdw1');
      await c.sim.drive(work, 'transfers', 60_000);
      const t0 = c.sim.now();
      await c.sim.drive(c.faults.restart(1), 'restart', 600_000);
      expect(c.sim.now() - t0).toBeLessThan(600_000);
      await expect(c.faults.restart('sdw1')).rejects.toMatchObject({ code: '55000' });
      await c.sim.advance(300_000);
      expect((await c.query('select sum(balance), count(*) from bank')).rows).toEqual([[800, 8]]);
      expect(c.sim.instances().flatMap((i) => i.prepared)).toEqual([]);
    } finally {
      await c.close();
    }
  });
});
