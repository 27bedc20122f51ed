/**
 * A person's recorded run on the sim runtime: their SQL (on a session kept open across steps),
 * utilities, faults and waits become steps; replaying the steps from the start reaches the same
 * catalog, history, event trace and virtual time after every step; taking over at a step drops
 * what followed and records from there.
 */
import { describe, expect, it } from 'vitest';
import { SimRun, type Shape, type Step, type StepValue } from '../../src/engine/index.ts';

const shape: Shape = { mirroring: 'group', hosts: ['sdw1', 'sdw2'], segmentsPerHost: 2 };

/** A failover, recovery and rebalance under bank transfers, as a person would do them. */
const actions: Step[] = [
  { op: 'sql', text: 'create table notes (id int, t text) distributed by (id)' },
  { op: 'sql', text: 'begin', session: 1 },
  { op: 'sql', text: "insert into notes values (1, 'before')", session: 1 },
  { op: 'transfers', n: 3, salt: 5 },
  { op: 'sql', text: "insert into notes values (2, 'after')", session: 1 },
  { op: 'sql', text: 'commit', session: 1 },
  { op: 'crash', target: 2 },
  { op: 'transfers', n: 2, salt: 6 },
  // FTS's minute under the bank workload: transfers on content 0 fail until its mirror serves.
  { op: 'load', clients: 3, ms: 60_000, salt: 8 },
  { op: 'utility', command: 'gpstate -e' },
  { op: 'restart', target: 2 },
  { op: 'utility', command: 'gprecoverseg -a' },
  // The pair shows synchronized at FTS's next probe once the mirror has caught up (-r before
  // that says "No segments to rebalance", as Greenplum's does).
  { op: 'wait', ms: 60_000 },
  { op: 'utility', command: 'gprecoverseg -a -r' },
  { op: 'wait', ms: 30_000 },
  { op: 'transfers', n: 4, salt: 7 },
  { op: 'sql', text: 'select count(*), sum(balance) from bank' },
  { op: 'sql', text: 'select t from notes order by id', session: 1 },
  { op: 'disconnect', session: 1 },
];

async function state(run: SimRun) {
  return {
    log: [...run.log],
    virtualMs: run.virtualMs,
    trace: run.cluster.sim.trace.length,
    config: (await run.cluster.query('select * from gp_segment_configuration order by dbid')).rows,
    history: (await run.cluster.query('select * from gp_configuration_history')).rows,
  };
}

describe('a recorded run', () => {
  it('gives back what each action returned, and replays to the same states after every step', async () => {
    const original = await SimRun.begin(31, [], 'wal', shape);
    const seen: Awaited<ReturnType<typeof state>>[] = [];
    const values: StepValue[] = [];
    try {
      for (const a of actions) {
        values.push((await original.record(a)).value);
        // Snapshot without reading through the cluster (a read would drive the simulation).
        seen.push({
          log: [...original.log],
          virtualMs: original.virtualMs,
          trace: original.cluster.sim.trace.length,
          config: [],
          history: [],
        });
      }
      expect(original.failure).toBeUndefined();
      const last = await state(original);
      expect(original.plan).toEqual(actions);
      // The session's transaction committed; the person's last query saw every account.
      const sum = values[16]!;
      expect(sum.kind).toBe('rows');
      expect(sum.kind === 'rows' && sum.result.rows[0]).toEqual([8, 800]);
      // The console-like session's transaction spanned a workload step and committed whole.
      const notes = values[17]!;
      expect(notes.kind === 'rows' && notes.result.rows).toEqual([['before'], ['after']]);
      const gpstate = values[9]!;
      expect(gpstate.kind === 'output' && gpstate.stdout).toMatch(
        /Segments with Primary and Mirror Roles Switched|mirror/i,
      );
      // Under load, clients ran transfers through the whole minute: some failed while content 0
      // had no primary, later ones committed on the promoted mirror.
      const loadStep = actions.findIndex((x) => x.op === 'load');
      const during = original.ops.filter(
        (o) => o.start >= original.stepTimes[loadStep]!.start && o.end <= original.stepTimes[loadStep]!.end,
      );
      expect(during.length).toBeGreaterThan(30);
      expect(during.some((o) => o.outcome === 'failed')).toBe(true);
      expect(during.filter((o) => o.outcome === 'ok').length).toBeGreaterThan(during.length / 2);
      expect(original.log[loadStep]).toMatch(
        new RegExp(`-> ${during.filter((o) => o.outcome === 'ok').length}/${during.length} committed`),
      );
      // FTS promoted content 0's mirror; gprecoverseg and the rebalance put it back.
      expect(last.history.map((r) => String(r[2]))).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /FTS: update role, status, and mode for dbid 2 with contentid 0 to m, d, and n/,
          ),
        ]),
      );
      const roles = last.config.filter((r) => r[1] === 0).map((r) => [r[0], r[2], r[3]]);
      expect(roles).toEqual([
        [2, 'p', 'p'],
        [6, 'm', 'm'],
      ]);

      const replay = await SimRun.begin(31, actions, 'wal', shape);
      try {
        for (let i = 0; i < actions.length; i++) {
          await replay.step();
          expect({
            log: [...replay.log],
            virtualMs: replay.virtualMs,
            trace: replay.cluster.sim.trace.length,
          }).toEqual({
            log: seen[i]!.log,
            virtualMs: seen[i]!.virtualMs,
            trace: seen[i]!.trace,
          });
        }
        expect(await state(replay)).toEqual(last);
        expect(replay.cluster.sim.trace).toEqual(original.cluster.sim.trace);
      } finally {
        await replay.close();
      }
    } finally {
      await original.close();
    }
  }, 120_000);

  it('takes over at a step: what followed is dropped, what is recorded follows', async () => {
    const run = await SimRun.begin(32, actions.slice(0, 9), 'wal', shape);
    try {
      await expect(run.record({ op: 'wait', ms: 1 })).rejects.toThrow(/Take over at this step/);
      for (let i = 0; i < 7; i++) await run.step();
      run.takeOver();
      expect(run.plan).toHaveLength(7);
      // Content 0's primary crashed at step 6: FTS promotes its mirror within a minute.
      await run.record({ op: 'wait', ms: 60_000 });
      const { value: v } = await run.record({ op: 'sql', text: 'select count(*) from bank' });
      expect(v.kind === 'rows' && v.result.rows).toEqual([[8]]);
      const { value: bad, note } = await run.record({ op: 'sql', text: 'select * from no_such_table' });
      expect(bad.kind === 'error' && (bad.error as { code?: string }).code).toBe('42P01');
      expect(run.log.at(-1)).toMatch(/-> error: 42P01/);
      expect(note).toMatch(/^error: 42P01/);
      // What a link or file would refuse is refused when recorded (22023), and not recorded.
      const steps = run.plan.length;
      for (const step of [
        { op: 'delay', dbid: 2, ms: 12.5 },
        { op: 'sql', text: 'x'.repeat(100_001) },
      ] as Step[])
        await expect(run.record(step)).rejects.toMatchObject({ code: '22023' });
      expect(run.plan).toHaveLength(steps);
      expect(run.failure).toBeUndefined();
    } finally {
      await run.close();
    }
  }, 60_000);
});

describe('a recorded step that cannot end', () => {
  it("says when it waited on the person's own open transaction", async () => {
    const run = await SimRun.begin(33, [], 'wal', shape);
    try {
      await run.record({ op: 'sql', text: 'begin', session: 1 });
      await run.record({ op: 'sql', text: 'update bank set balance = balance', session: 1 });
      await expect(run.record({ op: 'transfers', n: 1, salt: 1 })).rejects.toThrow(
        /no call hangs.*Session 1 held a transaction open/s,
      );
      // Taken over from step 2, the replay's session has no client: it is closed first.
      const again = await SimRun.begin(33, run.plan.slice(0, 2), 'wal', shape);
      try {
        for (let i = 0; i < 2; i++) await again.step();
        expect(again.takeOver()).toEqual([1]);
        await again.record({ op: 'disconnect', session: 1 });
        const { value } = await again.record({ op: 'transfers', n: 1, salt: 1 });
        expect(value.kind).toBe('none');
        expect(again.log.at(-1)).toMatch(/1\/1 committed/);
      } finally {
        await again.close();
      }
    } finally {
      await run.close();
    }
  }, 60_000);
});
