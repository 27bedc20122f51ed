import { describe, expect, it } from 'vitest';
import { Instance } from '../../src/engine/instance/instance.ts';
import { MemoryDisk } from '../../src/engine/storage/memory-disk.ts';
import { noTrace } from '../../src/engine/runtime/clock.ts';
import { readControl } from '../../src/engine/instance/control.ts';
import { ManualClock } from '../support/fake-clock.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

async function boot(disk = new MemoryDisk(), settings = {}) {
  const clock = new ManualClock();
  if (!disk.files('global/').length)
    await Instance.initdb(disk, { systemIdentifier: 'test', time: clock.now() });
  const inst = await Instance.start({ disk, clock, trace: noTrace }, settings);
  return { inst, disk, clock };
}

async function rows(inst: Instance, rel: number): Promise<string[]> {
  const tx = inst.xact.begin();
  const out: string[] = [];
  for await (const page of inst.heap(rel).scan(tx.commandSnapshot()))
    for (const r of page) out.push(dec.decode(r.data));
  return out.sort();
}

describe('Instance storage engine', () => {
  it('keeps committed rows across a crash and drops uncommitted ones', async () => {
    const { inst, disk } = await boot();
    const t1 = inst.xact.begin();
    inst.createStorage(t1, 16384);
    await inst.heap(16384).insert(t1, enc.encode('a'));
    await inst.heap(16384).insert(t1, enc.encode('b'));
    await inst.xact.commit(t1);
    const t2 = inst.xact.begin();
    await inst.heap(16384).insert(t2, enc.encode('lost'));
    inst.kill();
    disk.crash();
    const again = await Instance.start({ disk, clock: new ManualClock(), trace: noTrace });
    expect(await rows(again, 16384)).toEqual(['a', 'b']);
    expect(again.recovery!.wasCleanShutdown).toBe(false);
  });

  it('sees its own writes, not others in flight', async () => {
    const { inst } = await boot();
    const t1 = inst.xact.begin();
    await inst.heap(1).insert(t1, enc.encode('x'));
    t1.nextCommand();
    const own: string[] = [];
    for await (const p of inst.heap(1).scan(t1.commandSnapshot()))
      for (const r of p) own.push(dec.decode(r.data));
    expect(own).toEqual(['x']);
    expect(await rows(inst, 1)).toEqual([]);
    await inst.xact.commit(t1);
    expect(await rows(inst, 1)).toEqual(['x']);
  });

  it('update and delete are durable after a crash; rolled-back ones are not', async () => {
    const { inst, disk } = await boot(new MemoryDisk(), { shared_buffers: 4 });
    const t1 = inst.xact.begin();
    const tids = [];
    for (let i = 0; i < 500; i++) tids.push(await inst.heap(7).insert(t1, enc.encode(`row-${i}`)));
    await inst.xact.commit(t1);
    const t2 = inst.xact.begin();
    const snap = t2.commandSnapshot();
    expect(await inst.heap(7).delete(t2, tids[0]!, snap)).toBe('ok');
    const upd = await inst.heap(7).update(t2, tids[1]!, enc.encode('updated'), snap);
    expect(typeof upd).toBe('object');
    await inst.xact.commit(t2);
    const t3 = inst.xact.begin();
    const s3 = t3.commandSnapshot();
    await inst.heap(7).delete(t3, tids[2]!, s3);
    inst.xact.abort(t3);
    inst.kill();
    disk.crash();
    const again = await Instance.start(
      { disk, clock: new ManualClock(), trace: noTrace },
      { shared_buffers: 4 },
    );
    const got = await rows(again, 7);
    expect(got).toHaveLength(499);
    expect(got).toContain('updated');
    expect(got).not.toContain('row-0');
    expect(got).not.toContain('row-1');
    expect(got).toContain('row-2');
  });

  it('checkpoints bound recovery and survive a clean shutdown', async () => {
    const { inst, disk } = await boot();
    const t1 = inst.xact.begin();
    await inst.heap(5).insert(t1, enc.encode('k'));
    await inst.xact.commit(t1);
    await inst.checkpoint();
    await inst.shutdown();
    disk.crash();
    const again = await Instance.start({ disk, clock: new ManualClock(), trace: noTrace });
    expect(again.recovery!.wasCleanShutdown).toBe(true);
    expect(again.recovery!.records).toBe(1);
    expect(await rows(again, 5)).toEqual(['k']);
  });

  it('a checkpoint with no dirty pages makes its record and pg_control durable in one sync', async () => {
    const { inst, disk } = await boot();
    const t1 = inst.xact.begin();
    await inst.heap(5).insert(t1, enc.encode('k'));
    await inst.xact.commit(t1);
    await inst.checkpoint(); // writes the page
    const before = disk.stats.syncs;
    await inst.checkpoint();
    expect(disk.stats.syncs - before).toBe(1);
    const at = inst.control.checkpoint;
    // Crashed right after: pg_control points at the last checkpoint, whose record is there.
    inst.kill();
    disk.crash();
    expect(readControl(disk)!.checkpoint).toBe(at);
    const again = await Instance.start({ disk, clock: new ManualClock(), trace: noTrace });
    expect(again.recovery!.records).toBe(1);
    expect(await rows(again, 5)).toEqual(['k']);
  });

  it('initdb writes the first checkpoint and pg_control in one sync', async () => {
    const disk = new MemoryDisk();
    await Instance.initdb(disk, { systemIdentifier: 'test', time: 0 });
    expect(disk.stats.syncs).toBe(1);
    disk.crash();
    expect(readControl(disk)!.state).toBe('shut down');
  });

  it('append-optimized rows appear at commit and survive a crash', async () => {
    const { inst, disk } = await boot();
    const t1 = inst.xact.begin();
    const ao = inst.appendOptimized(9);
    for (let i = 0; i < 2000; i++) ao.insert(t1, enc.encode(`ao-${i}`));
    await inst.xact.commit(t1);
    const t2 = inst.xact.begin();
    ao.insert(t2, enc.encode('never'));
    ao.flush(t2);
    inst.kill();
    disk.crash();
    const again = await Instance.start({ disk, clock: new ManualClock(), trace: noTrace });
    const tx = again.xact.begin();
    let n = 0;
    for await (const blk of again.appendOptimized(9).scan(tx.commandSnapshot())) n += blk.length;
    expect(n).toBe(2000);
  });

  it('prepared transactions survive a crash and can then be committed', async () => {
    const { inst, disk } = await boot();
    const t1 = inst.xact.begin();
    await inst.heap(3).insert(t1, enc.encode('p'));
    await inst.xact.prepare(t1, 'dtx-1');
    inst.kill();
    disk.crash();
    const again = await Instance.start({ disk, clock: new ManualClock(), trace: noTrace });
    expect([...again.xact.prepared.keys()]).toEqual(['dtx-1']);
    expect(await rows(again, 3)).toEqual([]);
    await again.xact.finishPrepared('dtx-1', true);
    expect(await rows(again, 3)).toEqual(['p']);
  });

  it('the distributed log (xid of a committed prepared transaction → gid) survives a crash, by redo and across a checkpoint', async () => {
    const { inst, disk } = await boot();
    const t1 = inst.xact.begin();
    await inst.heap(3).insert(t1, enc.encode('a'));
    await inst.xact.prepare(t1, 'e-7');
    const xid1 = t1.xid;
    await inst.xact.finishPrepared('e-7', true);
    await inst.checkpoint(); // the first commit is now before the redo point
    const t2 = inst.xact.begin();
    await inst.heap(3).insert(t2, enc.encode('b'));
    await inst.xact.prepare(t2, 'e-8');
    const xid2 = t2.xid;
    await inst.xact.finishPrepared('e-8', true);
    inst.kill();
    disk.crash();
    const again = await Instance.start({ disk, clock: new ManualClock(), trace: noTrace });
    expect([...again.xact.distributedLog]).toEqual([
      [xid1, 'e-7'],
      [xid2, 'e-8'],
    ]);
  });
});
