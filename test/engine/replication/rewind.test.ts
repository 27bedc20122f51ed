/**
 * pg_rewind at the engine level: a primary keeps writing after its mirror was promoted (the
 * two diverge); rewinding the old primary from the promoted mirror copies only what it changed
 * since the last common checkpoint, and after replay as a standby it holds exactly the new
 * primary's rows. When its own WAL back to that checkpoint is gone, the rewind fails with
 * pg_rewind's message.
 */
import { describe, expect, it } from 'vitest';
import { Instance } from '../../../src/engine/instance/instance.ts';
import { MemoryDisk } from '../../../src/engine/storage/memory-disk.ts';
import { noTrace } from '../../../src/engine/runtime/clock.ts';
import { baseBackup } from '../../../src/engine/replication/basebackup.ts';
import { localSource } from '../../../src/engine/replication/copy-source.ts';
import { rewind, RewindError } from '../../../src/engine/replication/rewind.ts';
import { ManualClock } from '../../support/fake-clock.ts';
import { heapRows } from '../../support/heap-rows.ts';

const enc = new TextEncoder();
const REL = 16384;
const SEG = 64 * 1024; // small WAL segments, so checkpoints recycle them quickly

async function insert(inst: Instance, n: number, tag: string, first = false): Promise<void> {
  const tx = inst.xact.begin();
  if (first) inst.createStorage(tx, REL);
  for (let i = 0; i < n; i++) await inst.heap(REL).insert(tx, enc.encode(`${tag}-${i}-${'x'.repeat(60)}`));
  await inst.xact.commit(tx);
}

const rows = (inst: Instance) => heapRows(inst, REL);

/** A primary A with a mirror B built from a base backup, B promoted; A then writes `later` more rows. */
async function diverged(later: number, checkpointsAfter: number) {
  const clock = new ManualClock();
  const rt = (disk: MemoryDisk) => ({ disk, clock, trace: noTrace });
  const aDisk = new MemoryDisk();
  await Instance.initdb(aDisk, { systemIdentifier: 'sys', walSegmentSize: SEG, time: 0 });
  const a = await Instance.start(rt(aDisk));
  await insert(a, 200, 'common', true);
  await a.checkpoint();
  await insert(a, 20, 'before');
  const bDisk = new MemoryDisk();
  await baseBackup(localSource(a), bDisk);
  const b = await Instance.startStandby(rt(bDisk));
  await b.replayer.replayAvailable(true);
  await b.finishRecovery(true); // B: the promoted mirror, on a new timeline
  await insert(b, 30, 'new-primary');
  // A goes on alone for a while (as an isolated old primary would), then stops.
  await insert(a, later, 'old-primary-only');
  for (let i = 0; i < checkpointsAfter; i++) await a.checkpoint();
  await a.shutdown();
  a.kill();
  return { a, aDisk, b, clock, rt };
}

describe('rewind (pg_rewind)', () => {
  it('copies the blocks the old primary changed since the divergence; replayed as a standby it equals the new primary', async () => {
    const { aDisk, b, rt } = await diverged(40, 0);
    const r = await rewind(localSource(b), aDisk);
    expect(r.bytes).toBeGreaterThan(0);
    expect(r.bytes).toBeLessThan(r.total / 2);
    const standby = await Instance.startStandby(rt(aDisk));
    await standby.replayer.replayAvailable(true);
    expect(standby.timeline).toBe(b.timeline);
    const want = await rows(b);
    expect(want.filter((x) => x.startsWith('old-primary-only'))).toEqual([]);
    await standby.finishRecovery(true);
    expect(await rows(standby)).toEqual(want);
  });

  it("fails with pg_rewind's message when the old primary's WAL back to the common checkpoint was recycled", async () => {
    const { aDisk, b } = await diverged(3000, 3);
    await expect(rewind(localSource(b), aDisk)).rejects.toThrow(RewindError);
    await expect(rewind(localSource(b), aDisk)).rejects.toThrow(/could not find previous WAL record/);
  });
});
