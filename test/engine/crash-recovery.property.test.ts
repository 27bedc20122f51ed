/**
 * Property: after any sequence of transactions, checkpoints and eviction pressure, a crash at
 * any point (optionally tearing the last unsynced writes) and recovery leave exactly the
 * committed rows, each with its last committed value. Runs on the memory disk and on the
 * IndexedDB disk (fake-indexeddb).
 */
import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Instance } from '../../src/engine/instance/instance.ts';
import { MemoryDisk } from '../../src/engine/storage/memory-disk.ts';
import { noTrace } from '../../src/engine/runtime/clock.ts';
import type { Disk } from '../../src/engine/storage/disk.ts';
import { IdbDisk } from '../../src/workers/idb-disk.ts';
import { ManualClock } from '../support/fake-clock.ts';
import { CrashWorkload, expected, matches, readState, type Op } from '../support/crash-workload.ts';

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<Op>({ op: 'begin' }) },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('insert' as const),
      tx: fc.nat(2),
      key: fc.nat(40),
      value: fc.nat(999),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('bulkInsert' as const),
      tx: fc.nat(2),
      key: fc.nat(40),
      count: fc.integer({ min: 1, max: 300 }),
      value: fc.nat(999),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('update' as const),
      tx: fc.nat(2),
      key: fc.nat(40),
      value: fc.nat(999),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), tx: fc.nat(2), key: fc.nat(40) }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('aoInsert' as const), tx: fc.nat(2), value: fc.nat(999) }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('commit' as const), tx: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('abort' as const), tx: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.constant<Op>({ op: 'checkpoint' }) },
);

const scenarioArb = fc.record({
  ops: fc.array(opArb, { minLength: 5, maxLength: 120 }),
  sharedBuffers: fc.constantFrom(3, 8, 64),
  inFlightCommit: fc.boolean(),
  torn: fc.boolean(),
  tornKeep: fc.nat(20),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

interface DiskUnderTest {
  disk: Disk;
  /** Power loss; returns the disk as the restarted instance sees it. */
  crash(s: Scenario): Promise<Disk>;
  dispose(): Promise<void>;
}

async function runScenario(s: Scenario, make: () => Promise<DiskUnderTest>): Promise<void> {
  const d = await make();
  try {
    const clock = new ManualClock();
    await Instance.initdb(d.disk, { systemIdentifier: 'prop', time: clock.now() });
    const settings = { shared_buffers: s.sharedBuffers };
    const inst = await Instance.start({ disk: d.disk, clock, trace: noTrace }, settings);
    const w = new CrashWorkload(inst);
    await w.setup();
    for (const o of s.ops) await w.apply(o);
    if (s.inFlightCommit) {
      w.apply({ op: 'begin' }).catch(() => undefined);
      void w.commitInFlight()?.catch(() => undefined);
    }
    inst.kill();
    const disk = await d.crash(s);
    const again = await Instance.start({ disk, clock, trace: noTrace }, settings);
    const got = await readState(again);
    if (!matches(got, w)) {
      expect(got).toEqual(expected(w.committed));
    }
    // Recovery is repeatable: crash again right away, recover again, same data.
    again.kill();
    const disk2 = await d.crash({ ...s, torn: false });
    const third = await Instance.start({ disk: disk2, clock, trace: noTrace }, settings);
    expect(await readState(third)).toEqual(got);
  } finally {
    await d.dispose();
  }
}

describe('crash recovery property', () => {
  it('memory disk: every acknowledged commit survives, nothing else (with torn writes)', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, (s) =>
        runScenario(s, async () => {
          // Syncs take a macrotask, so a commit started before the crash is really in flight.
          const disk = new MemoryDisk(() => new Promise((resolve) => setImmediate(resolve)));
          disk.latencyMs = 1;
          return {
            disk,
            crash: async (sc) => {
              disk.crash(sc.torn ? 'torn' : 'lose-unsynced', sc.tornKeep);
              return disk;
            },
            dispose: async () => {},
          };
        }),
      ),
      { numRuns: 150 },
    );
  });

  let n = 0;
  it('IndexedDB disk (fake-indexeddb): every acknowledged commit survives, nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, (s) =>
        runScenario(s, async () => {
          const name = `prop-${n++}`;
          let disk = await IdbDisk.open(name);
          return {
            disk,
            crash: async () => {
              disk.close();
              disk = await IdbDisk.open(name);
              return disk;
            },
            dispose: async () => {
              disk.close();
              await IdbDisk.destroy(name);
            },
          };
        }),
      ),
      { numRuns: 40 },
    );
  });
});
