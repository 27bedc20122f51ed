/**
 * The explorer itself: its plans replay exactly, and its invariants catch what they are for
 * (each check is made to fail once, on purpose).
 */
import { describe, expect, it } from 'vitest';
import {
  createCluster,
  generatePlan,
  runPlan,
  SimRun,
  type SimCluster,
  type Step,
} from '../../src/engine/index.ts';
import { blocksThatDiffer } from '../../src/engine/cluster/sim-cluster.ts';
import { outcomeUnknown } from '../../src/engine/sim/checks.ts';
import { MemoryDisk } from '../../src/engine/storage/memory-disk.ts';
import { BLCKSZ } from '../../src/engine/storage/disk.ts';

describe('explorer', () => {
  it('a seed replays to the same trace and the same outcome', async () => {
    const plan = generatePlan(17, 20);
    expect(generatePlan(17, 20)).toEqual(plan);
    const a = await runPlan(17, plan);
    const b = await runPlan(17, plan);
    expect(a.failure).toBeUndefined();
    expect(b.log).toEqual(a.log);
    expect(b.trace.join('\n')).toBe(a.trace.join('\n'));
    expect(a.log.length).toBe(21);
  });

  it('a run looked at through its watcher between steps is the same run, event for event', async () => {
    const plan = generatePlan(7, 12);
    const alone = await SimRun.begin(7, plan);
    while (!alone.done) await alone.step();
    const unwatched = [...alone.cluster.sim.trace];
    await alone.close();

    const run = await SimRun.begin(7, plan);
    const w = run.cluster.watcher;
    // What the lab reads at each step's end, and more: sessions, an instance's view, its blocks.
    const look = async () => {
      await w.query('select * from gp_segment_configuration');
      await w.query('select * from gp_configuration_history');
      await w
        .query('select gp_segment_id, state, sent_lsn, sync_state from gp_stat_replication')
        .catch(() => 0);
      const s = await w.connect();
      await s.query('show gp_fts_probe_interval');
      await s.close();
      await w.instanceStatus(2);
      await w.blocks(2, 'global/').catch(() => 0);
    };
    await look();
    while (!run.done) {
      await run.step();
      await look();
    }
    expect(run.log).toEqual(alone.log);
    expect(run.cluster.sim.trace.join('\n')).toBe(unwatched.join('\n'));
    // Looking only: a fault or a utility through the watcher is refused, and changes nothing.
    expect(() => w.faults.crash(2)).toThrow(/only looks/);
    await expect(w.run('gpstate')).rejects.toMatchObject({ code: '0A000' });
    await run.close();
  });

  it('after the repair it compares every mirrored content and the standby page by page', async () => {
    const r = await runPlan(1, [{ op: 'appends', n: 3, salt: 1 }]);
    expect(r.failure).toBeUndefined();
    expect(r.compared).toEqual([-1, 0, 1, 2, 3, 4, 5]); // seed 1: 3 hosts × 2, spread
  });

  it('the page comparison sees a mirror that differs from its primary, and a missing block', async () => {
    const c = (await createCluster({ runtime: 'sim', seed: 5, mirroring: 'group' })) as SimCluster;
    try {
      await c.query('create table t (a int) distributed by (a)');
      await c.query('insert into t select generate_series(1, 200)');
      expect(await c.sim.differingBlocks(0)).toEqual([]);
      await c.faults.crash(6);
      expect(await c.sim.differingBlocks(0)).toBeUndefined(); // a down mirror: nothing to compare
    } finally {
      await c.close();
    }
    const a = new MemoryDisk();
    const b = new MemoryDisk();
    const page = new Uint8Array(BLCKSZ).fill(7);
    a.write('base/16384', 0, page);
    b.write('base/16384', 0, page);
    expect(blocksThatDiffer(a, b, 'base/')).toEqual([]);
    page[100] = 8;
    b.write('base/16384', 0, page);
    a.write('base/16385', 0, page);
    expect(blocksThatDiffer(a, b, 'base/')).toEqual(['base/16384 block 0', 'base/16385 block 0']);
  });

  it('activating a standby that fell behind is refused by the explorer (it would lose commits)', async () => {
    const plan: Step[] = [
      { op: 'partition', a: ['scdw'], b: ['cdw', 'sdw1', 'sdw2'] },
      { op: 'wait', ms: 300_000 },
      { op: 'ddl', id: 1 },
      { op: 'coordinatorFailover' },
    ];
    const r = await runPlan(2, plan);
    expect(r.failure).toBeUndefined();
    expect(r.log[3]).toContain('skipped: the standby is not synchronized');
  });
});

describe('outcomeUnknown', () => {
  // Which COMMIT errors leave the client unable to know: the explorer then does not count the
  // transfer as failed. A crashed coordinator's session finds its connection closed (08006).
  it.each([
    ['08006', true],
    ['08007', true],
    ['57P01', true],
    ['40001', false],
    ['23505', false],
    ['57014', false],
  ])('%s: %s', (code, unknown) => {
    expect(outcomeUnknown({ code })).toBe(unknown);
  });
});
