/**
 * Long work yields the thread (issue 16): a checkpoint writing a pool full of dirty pages, and a
 * base backup or a differential copy from a source's snapshot, let macrotasks (probes, WAL
 * acknowledgements, timers) run between their blocks, and their result is the same as before.
 * The clock here always says the slice is used up, so every yield point yields: what the test
 * sees does not depend on how fast this machine is.
 */
import { describe, expect, it } from 'vitest';
import { Instance } from '../../src/engine/instance/instance.ts';
import { noTrace, type Clock } from '../../src/engine/runtime/clock.ts';
import { baseBackup } from '../../src/engine/replication/basebackup.ts';
import { snapshotSource, takeSnapshot } from '../../src/engine/replication/copy-source.ts';
import { copyChangedBlocks } from '../../src/engine/replication/rewind.ts';
import { BLCKSZ, sameBytes } from '../../src/engine/storage/disk.ts';
import { MemoryDisk } from '../../src/engine/storage/memory-disk.ts';
import { ManualClock } from '../support/fake-clock.ts';
import { heapRows } from '../support/heap-rows.ts';

const REL = 16384;
const ROWS = 3000;

/** A manual clock whose every slice is used up. */
class EagerClock extends ManualClock implements Clock {
  yields = 0;
  override shouldYield(): boolean {
    return true;
  }
  override yield(): Promise<void> {
    this.yields++;
    return super.yield();
  }
}

async function loaded(clock: Clock): Promise<{ inst: Instance; disk: MemoryDisk }> {
  const disk = new MemoryDisk();
  await Instance.initdb(disk, { systemIdentifier: 'test', time: clock.now() });
  const inst = await Instance.start({ disk, clock, trace: noTrace });
  const tx = inst.xact.begin();
  inst.createStorage(tx, REL);
  const pad = 'x'.repeat(200);
  for (let i = 0; i < ROWS; i++) await inst.heap(REL).insert(tx, new TextEncoder().encode(`${i}:${pad}`));
  await inst.xact.commit(tx);
  return { inst, disk };
}

/** Counts the macrotasks that ran while `work` was in flight. */
async function ticksDuring<T>(work: () => Promise<T>): Promise<{ result: T; ticks: number }> {
  let ticks = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    ticks++;
    setImmediate(tick);
  };
  setImmediate(tick);
  try {
    return { result: await work(), ticks };
  } finally {
    running = false;
  }
}

function sameFiles(a: MemoryDisk, b: MemoryDisk, names: string[]): void {
  for (const f of names) {
    expect(b.nblocks(f), f).toBe(a.nblocks(f));
    for (let i = 0; i < a.nblocks(f); i++)
      expect(sameBytes(a.read(f, i)!, b.read(f, i)!), `${f} ${i}`).toBe(true);
  }
}

describe('long copies and checkpoints yield the thread', () => {
  it('a heap scan whose filter keeps nothing still hands back a batch per batch of tuples read', async () => {
    // The executor checks for cancels and yields the thread between batches: a scan that held
    // its batches back until it had rows to send would run a whole no-match scan in one go.
    const { inst } = await loaded(new EagerClock());
    const tx = inst.xact.begin();
    let batches = 0;
    let kept = 0;
    for await (const b of inst.heap(REL).scanInPlace(tx.commandSnapshot(), 100, () => undefined)) {
      batches++;
      kept += b.length;
    }
    expect(kept).toBe(0);
    expect(batches).toBeGreaterThanOrEqual(ROWS / 200);
    let seen = 0;
    for await (const b of inst.heap(REL).scanInPlace(tx.commandSnapshot(), 100, () => 1)) seen += b.length;
    expect(seen).toBe(ROWS);
    inst.xact.abort(tx);
  });

  it('a checkpoint writes its dirty pages with macrotasks running between them', async () => {
    const clock = new EagerClock();
    const { inst } = await loaded(clock);
    const dirty = inst.pool.dirtyFrames().length;
    expect(dirty).toBeGreaterThan(20);
    const { ticks } = await ticksDuring(() => inst.checkpoint());
    expect(ticks).toBeGreaterThanOrEqual(dirty / 2);
    expect(inst.pool.dirtyFrames()).toHaveLength(0);
    inst.kill();
    const again = await Instance.start({ disk: inst.disk, clock, trace: noTrace });
    expect(await heapRows(again, REL)).toHaveLength(ROWS);
  });

  it('a base backup from a snapshot yields between blocks and copies every block', async () => {
    const clock = new EagerClock();
    const { inst, disk } = await loaded(clock);
    const snap = await takeSnapshot(inst, true);
    const target = new MemoryDisk();
    const blocks = snap.files.reduce((n, f) => n + f.present.length, 0);
    const { result, ticks } = await ticksDuring(() => baseBackup(snapshotSource(snap, clock), target));
    expect(ticks).toBeGreaterThanOrEqual(blocks / 2);
    expect(result.bytes).toBeGreaterThan(disk.nblocks(inst.heap(REL).file) * BLCKSZ);
    sameFiles(disk, target, [inst.heap(REL).file]);
  });

  it('a differential copy from a snapshot yields and leaves the target equal to the source', async () => {
    const clock = new EagerClock();
    const { inst, disk } = await loaded(clock);
    const target = new MemoryDisk();
    await baseBackup(snapshotSource(await takeSnapshot(inst, true), clock), target);
    // The source moves on; the target catches up block by block.
    const tx = inst.xact.begin();
    for (let i = 0; i < 500; i++) await inst.heap(REL).insert(tx, new TextEncoder().encode(`more ${i}`));
    await inst.xact.commit(tx);
    const snap = await takeSnapshot(inst, false);
    const { result, ticks } = await ticksDuring(() => copyChangedBlocks(snapshotSource(snap, clock), target));
    expect(result.bytes).toBeGreaterThan(0);
    expect(ticks).toBeGreaterThanOrEqual(result.total / BLCKSZ / 2);
    sameFiles(disk, target, [inst.heap(REL).file]);
  });

  it('the source packs its snapshot in slices, and the snapshot is the disk at one point', async () => {
    const clock = new EagerClock();
    const { inst } = await loaded(clock);
    // Rows committed while the snapshot is being packed are not in it, and nothing is torn.
    let wrote = false;
    const checkpoints = inst.checkpointer.stats.checkpoints;
    const writer = (async () => {
      // After the snapshot's checkpoint: its point is the turn that checkpoint's end resumes.
      while (inst.checkpointer.stats.checkpoints === checkpoints) await clock.yield();
      const tx = inst.xact.begin();
      for (let i = 0; i < 200; i++) await inst.heap(REL).insert(tx, new TextEncoder().encode(`late ${i}`));
      await inst.xact.commit(tx);
      await inst.checkpoint();
      wrote = true;
    })();
    const snap = await takeSnapshot(inst, true);
    // The writer ran to its end while the snapshot was being packed.
    expect(wrote).toBe(true);
    await writer;
    const target = new MemoryDisk();
    await baseBackup(snapshotSource(snap, clock), target);
    const copy = await Instance.start({ disk: target, clock, trace: noTrace });
    expect(await heapRows(copy, REL)).toHaveLength(ROWS);
  });
});
