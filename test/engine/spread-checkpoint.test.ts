/**
 * checkpoint_completion_target runs: a checkpoint the timer starts spreads its page writes over
 * that share of checkpoint_timeout, pausing checkpoint_write_delay while ahead of schedule, as
 * Postgres' CheckpointWriteDelay does; a CHECKPOINT asked for meanwhile makes it hurry.
 */
import { describe, expect, it } from 'vitest';
import { Instance, type StorageSettings } from '../../src/engine/instance/instance.ts';
import { noTrace } from '../../src/engine/runtime/clock.ts';
import { MemoryDisk } from '../../src/engine/storage/memory-disk.ts';
import { ManualClock } from '../support/fake-clock.ts';

const REL = 16384;

async function withDirtyPages(settings: Partial<StorageSettings>) {
  const clock = new ManualClock();
  const disk = new MemoryDisk();
  await Instance.initdb(disk, { systemIdentifier: 'test', time: clock.now() });
  const inst = await Instance.start({ disk, clock, trace: noTrace }, settings);
  const tx = inst.xact.begin();
  inst.createStorage(tx, REL);
  const pad = 'x'.repeat(400);
  for (let i = 0; i < 2000; i++) await inst.heap(REL).insert(tx, new TextEncoder().encode(`${i}:${pad}`));
  await inst.xact.commit(tx);
  return { clock, inst, dirty: inst.pool.dirtyFrames().length };
}

/** Advances the manual clock in steps until `done()`, giving the instance's work its turns. */
async function runClock(
  clock: ManualClock,
  step: number,
  done: () => boolean,
  limitMs: number,
): Promise<number> {
  const start = clock.now();
  while (!done()) {
    if (clock.now() - start > limitMs) throw new Error(`not done after ${limitMs} ms of clock time`);
    clock.advance(step);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  }
  return clock.now() - start;
}

/** Lets `ms` of clock time pass, giving the instance's work its turns. */
async function letPass(clock: ManualClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 100) {
    clock.advance(100);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  }
}

/** A timed checkpoint of a 600 s interval (target 0.9) that has been writing for `ms`. */
async function spreadCheckpointRunning(ms: number) {
  const timeout = 600_000;
  const { clock, inst } = await withDirtyPages({
    checkpoint_timeout: timeout,
    checkpoint_completion_target: 0.9,
    checkpoint_write_delay: 100,
  });
  clock.advance(timeout);
  await letPass(clock, ms);
  return { clock, inst, timeout };
}

describe('spread checkpoints', () => {
  it('a timed checkpoint takes about checkpoint_completion_target of checkpoint_timeout', async () => {
    // 0.5 x 10 s is 5 s: fewer than the pages to write times the 100 ms pause, so the pace, not
    // the pause count, decides when it ends.
    const timeout = 10_000;
    const { clock, inst, dirty } = await withDirtyPages({
      checkpoint_timeout: timeout,
      checkpoint_completion_target: 0.5,
      checkpoint_write_delay: 100,
    });
    expect(dirty * 100).toBeGreaterThan(timeout);
    const before = inst.checkpointer.stats.checkpoints;
    // The timer starts it; then it paces its writes against the clock.
    clock.advance(timeout);
    const took = await runClock(clock, 50, () => inst.checkpointer.stats.checkpoints > before, 10 * timeout);
    expect(took).toBeGreaterThan(0.4 * timeout);
    expect(took).toBeLessThan(0.6 * timeout);
    expect(inst.pool.dirtyFrames()).toHaveLength(0);
  });

  it('CHECKPOINT during a spread checkpoint makes it finish at full speed', async () => {
    // Spread: a few seconds of clock time write only part of the pages.
    const { clock, inst, timeout } = await spreadCheckpointRunning(3_000);
    expect(inst.pool.dirtyFrames().length).toBeGreaterThan(0);
    let done = false;
    void inst.checkpoint().then(() => (done = true));
    const took = await runClock(clock, 100, () => done, timeout);
    // The running checkpoint hurries, then the requested one runs: no pause on either.
    expect(took).toBeLessThan(2_000);
  });

  it('CHECKPOINT that joins a queued timed checkpoint does not wait on its pacing', async () => {
    const { clock, inst, timeout } = await spreadCheckpointRunning(1_000);
    // The timer fires again while the first runs: a spread one is queued; then new dirty pages.
    void inst.checkpointer.run('spread');
    const tx = inst.xact.begin();
    for (let i = 0; i < 2000; i++)
      await inst.heap(REL).insert(tx, new TextEncoder().encode(`more ${i} ${'y'.repeat(400)}`));
    await inst.xact.commit(tx);
    let done = false;
    void inst.checkpoint().then(() => (done = true));
    // The queued checkpoint runs as the strongest kind asked of it: immediate, not spread.
    expect(await runClock(clock, 100, () => done, timeout)).toBeLessThan(2_000);
  });

  it('CHECKPOINT alone writes at full speed', async () => {
    const { clock, inst } = await withDirtyPages({
      checkpoint_timeout: 600_000,
      checkpoint_completion_target: 0.9,
    });
    let done = false;
    void inst.checkpoint().then(() => (done = true));
    expect(await runClock(clock, 100, () => done, 600_000)).toBeLessThan(1_000);
  });
});
