/**
 * Greenplum 5 file replication at the storage level: a primary whose disk replicates every
 * block write to its mirror (asynchronously) and every sync (synchronously); Change Tracking
 * while the mirror is away; incremental and full resynchronization.
 */
import { describe, expect, it } from 'vitest';
import { comparableBlock } from '../../../src/engine/storage/checksum.ts';
import { Instance } from '../../../src/engine/instance/instance.ts';
import { MemoryDisk } from '../../../src/engine/storage/memory-disk.ts';
import { noTrace } from '../../../src/engine/runtime/clock.ts';
import { relationFile } from '../../../src/engine/access/context.ts';
import { sameBytes, type Disk } from '../../../src/engine/storage/disk.ts';
import { FileRepPrimaryDisk, type FileOp, type FileRepPeer } from '../../../src/engine/filerep/filerep.ts';
import { FileRepMirror } from '../../../src/engine/filerep/mirror.ts';
import { isFileRepMeta } from '../../../src/engine/filerep/block-set.ts';
import { ManualClock } from '../../support/fake-clock.ts';
import { heapRows } from '../../support/heap-rows.ts';

const enc = new TextEncoder();
const REL = 16384;

async function primaryWithMirror(settings = {}) {
  const local = new MemoryDisk();
  const mirrorDisk = new MemoryDisk();
  const mirror = new FileRepMirror(mirrorDisk);
  const disk = new FileRepPrimaryDisk(local, mirror);
  const clock = new ManualClock();
  await Instance.initdb(disk, { systemIdentifier: 'filerep', time: clock.now() });
  const inst = await Instance.start({ disk, clock, trace: noTrace }, settings);
  const t = inst.xact.begin();
  inst.createStorage(t, REL);
  await inst.xact.commit(t);
  return { inst, disk, local, mirrorDisk, mirror, clock };
}

async function insert(inst: Instance, values: string[]): Promise<void> {
  const t = inst.xact.begin();
  for (const v of values) await inst.heap(REL).insert(t, enc.encode(v));
  await inst.xact.commit(t);
}

const rows = (inst: Instance) => heapRows(inst, REL);

/** Blocks whose bytes differ between two disks (the change tracking log aside). */
function differing(a: Disk, b: Disk): string[] {
  const out: string[] = [];
  const files = new Set([...a.files(), ...b.files()].filter((f) => !isFileRepMeta(f)));
  for (const f of files) {
    const n = Math.max(a.nblocks(f), b.nblocks(f));
    for (let i = 0; i < n; i++) {
      const x = a.read(f, i);
      const y = b.read(f, i);
      if (!x || !y || !sameBytes(x, y)) out.push(`${f}:${i}`);
    }
  }
  return out;
}

/** A mirror that can be taken away (its link refuses) and brought back. */
class FlakyPeer implements FileRepPeer {
  up = true;
  readonly inner: FileRepMirror;
  constructor(inner: FileRepMirror) {
    this.inner = inner;
  }
  apply(ops: FileOp[]): Promise<void> {
    return this.up ? this.inner.apply(ops) : Promise.reject(new Error('mirror unreachable'));
  }
  sync(): Promise<void> {
    return this.up ? this.inner.sync() : Promise.reject(new Error('mirror unreachable'));
  }
}

describe('file replication (Greenplum 5)', () => {
  it('a cached heap block differs on the mirror until a checkpoint writes it; then the files are identical', async () => {
    const { inst, local, mirrorDisk } = await primaryWithMirror();
    await insert(inst, ['a', 'b', 'c']);
    const file = relationFile(REL);
    const cached = inst.pool.peek(file, 0);
    expect(cached, 'the heap page is in the buffer pool').toBeDefined();
    const onMirror = mirrorDisk.read(file, 0);
    expect(!onMirror || !sameBytes(onMirror, cached!), 'the mirror has an older image').toBe(true);
    // The commit's WAL is on the mirror already: sync-replicated.
    expect(differing(local, mirrorDisk).filter((b) => b.startsWith('pg_wal/'))).toEqual([]);
    await inst.checkpoint();
    // The written copy carries its checksum; the page in the pool does not (checksum.ts).
    expect(sameBytes(comparableBlock(mirrorDisk.read(file, 0)!, 0), cached!)).toBe(true);
    expect(differing(local, mirrorDisk)).toEqual([]);
  });

  it('after a failover every committed row is there: the mirror starts from its files and applies the replicated log', async () => {
    const { inst, mirrorDisk } = await primaryWithMirror();
    await insert(inst, ['before-1', 'before-2']);
    await inst.checkpoint();
    await insert(inst, ['after-1', 'after-2', 'after-3']); // in the primary's cache only, and in the WAL
    inst.kill(); // the primary fails
    const promoted = await Instance.start({ disk: mirrorDisk, clock: new ManualClock(), trace: noTrace });
    expect(await rows(promoted)).toEqual(['after-1', 'after-2', 'after-3', 'before-1', 'before-2']);
  });

  it('Change Tracking while the mirror is away; incremental resynchronization sends exactly the tracked blocks', async () => {
    const local = new MemoryDisk();
    const mirrorDisk = new MemoryDisk();
    const peer = new FlakyPeer(new FileRepMirror(mirrorDisk));
    const disk = new FileRepPrimaryDisk(local, peer);
    const clock = new ManualClock();
    await Instance.initdb(disk, { systemIdentifier: 'filerep', time: clock.now() });
    let inst = await Instance.start({ disk, clock, trace: noTrace });
    const t = inst.xact.begin();
    inst.createStorage(t, REL);
    await inst.xact.commit(t);
    await insert(inst, ['x']);
    await inst.checkpoint();
    expect(disk.mode).toBe('s');
    let lost = 0;
    disk.onMirrorLost = () => lost++;
    peer.up = false;
    // Commits go on: the primary does not wait for a mirror it cannot reach.
    await insert(
      inst,
      Array.from({ length: 300 }, (_, i) => `ct-${i}`),
    );
    await inst.checkpoint();
    expect(disk.mode).toBe('c');
    expect(lost).toBe(1);
    const tracked = disk.tracker.size;
    expect(tracked).toBeGreaterThan(0);
    // The log is on the primary's disk: it survives a primary restart.
    inst.kill();
    local.crash();
    const again = new FileRepPrimaryDisk(local, undefined);
    expect(again.mode).toBe('c');
    expect(again.tracker.size).toBe(tracked);
    inst = await Instance.start({ disk: again, clock, trace: noTrace });
    peer.up = true;
    // Crash recovery on the restarted primary changed blocks too: the log has them as well.
    const log = again.tracker.size;
    expect(log).toBeGreaterThanOrEqual(tracked);
    const r = await again.resynchronize(peer, false);
    expect(r.blocks).toBe(log); // exactly the blocks the change tracking log names
    expect(again.tracker.size).toBe(0);
    expect(again.mode).toBe('s');
    await inst.checkpoint();
    expect(differing(local, mirrorDisk)).toEqual([]);
    const promoted = await Instance.start({ disk: mirrorDisk, clock: new ManualClock(), trace: noTrace });
    expect((await rows(promoted)).length).toBe(301);
  });

  it('full resynchronization (-F) sends every block of every file', async () => {
    const { inst, disk, local } = await primaryWithMirror();
    await insert(inst, ['a']);
    await inst.checkpoint();
    const fresh = new MemoryDisk();
    const r = await disk.resynchronize(new FileRepMirror(fresh), true);
    const all = local.files().reduce((n, f) => n + local.nblocks(f), 0);
    expect(r.blocks).toBe(all);
    expect(differing(local, fresh)).toEqual([]);
  });

  it("a mirror that stops answering holds the primary's commits until FTS moves it to Change Tracking", async () => {
    const local = new MemoryDisk();
    const peer = new FlakyPeer(new FileRepMirror(new MemoryDisk()));
    const disk = new FileRepPrimaryDisk(local, peer, { waitForFts: true });
    const clock = new ManualClock();
    await Instance.initdb(disk, { systemIdentifier: 'filerep', time: clock.now() });
    const inst = await Instance.start({ disk, clock, trace: noTrace });
    const t = inst.xact.begin();
    inst.createStorage(t, REL);
    await inst.xact.commit(t);
    let lost = 0;
    disk.onMirrorLost = () => lost++;
    peer.up = false;
    let committed = false;
    const commit = insert(inst, ['held']).then(() => (committed = true));
    // Every pending step of the commit has run (memory disks answer at once): it is held.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(committed).toBe(false);
    expect(disk.faulted).toBe(true);
    expect(disk.mode).toBe('s'); // the catalog still says synchronized until FTS decides
    expect(lost).toBe(1);
    disk.startChangeTracking(); // FTS probed the primary and marked the mirror down
    await commit;
    expect(disk.mode).toBe('c');
    expect(disk.faulted).toBe(false);
    expect(disk.tracker.size).toBeGreaterThan(0);
    expect(await rows(inst)).toEqual(['held']);
  });

  it('a late FTS decision does not end a resynchronization that began since', async () => {
    const local = new MemoryDisk();
    const peer = new FlakyPeer(new FileRepMirror(new MemoryDisk()));
    const disk = new FileRepPrimaryDisk(local, undefined, { waitForFts: true });
    const clock = new ManualClock();
    await Instance.initdb(disk, { systemIdentifier: 'filerep', time: clock.now() });
    const inst = await Instance.start({ disk, clock, trace: noTrace });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let planned!: () => void;
    const started = new Promise<void>((r) => (planned = r));
    const resync = disk.resynchronize(peer, false, { pace: () => held, planned });
    await started;
    expect(disk.mode).toBe('r');
    disk.startChangeTracking(); // FTS's answer to an earlier probe, arriving late
    expect(disk.mode).toBe('r');
    release();
    await resync;
    expect(disk.mode).toBe('s');
    await inst.checkpoint();
    expect(differing(local, peer.inner.disk)).toEqual([]);
  });

  it('the result is reported in the same turn the pair becomes Synchronized, before its last sync returns', async () => {
    const { inst, disk } = await primaryWithMirror();
    await insert(inst, ['a']);
    const peer = new FlakyPeer(new FileRepMirror(new MemoryDisk()));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let syncsHeld = 0;
    const sync = peer.sync.bind(peer);
    // The mirror's sync once the pair reads Synchronized is held: the result must not wait for it.
    peer.sync = async () => {
      if (disk.mode === 's') {
        syncsHeld++;
        await held;
      }
      return sync();
    };
    let modeWhenReported: string | undefined;
    let reported: { full: boolean; blocks: number } | undefined;
    const resync = disk.resynchronize(peer, true, {
      synchronized: (r) => {
        modeWhenReported = disk.mode;
        reported = r;
      },
    });
    await expect.poll(() => syncsHeld).toBe(1);
    expect(disk.mode).toBe('s');
    expect(modeWhenReported).toBe('s');
    expect(reported?.full).toBe(true);
    expect(reported!.blocks).toBeGreaterThan(0);
    release();
    expect(await resync).toEqual(expect.objectContaining({ full: true, blocks: reported!.blocks }));
  });

  it('a full resynchronization that did not finish is full again: the next one empties the mirror first', async () => {
    const { inst, disk } = await primaryWithMirror();
    await insert(inst, ['a', 'b']);
    await inst.checkpoint();
    // A new mirror's disk holds a file the primary does not have (a former life).
    const stale = new MemoryDisk();
    stale.write('base/99999', 0, new Uint8Array(8192));
    const target = new FlakyPeer(new FileRepMirror(stale));
    target.up = false; // it fails before anything arrives
    await expect(disk.resynchronize(target, true)).rejects.toThrow();
    expect(disk.mode).toBe('c');
    target.up = true;
    const again = await disk.resynchronize(target, false); // asked for incremental: the log says full
    expect(again.full).toBe(true);
    expect(stale.nblocks('base/99999')).toBe(0);
    expect(differing(disk, stale)).toEqual([]);
  });

  it('a former primary rejoining as a mirror reports the blocks its change tracking log names', async () => {
    const disk = new MemoryDisk();
    const primary = new FileRepPrimaryDisk(disk, undefined); // no mirror: change tracking
    primary.write('base/16384', 3, new Uint8Array(8192));
    await primary.sync();
    const asMirror = new FileRepMirror(disk);
    expect(asMirror.suspects().files()).toEqual([{ file: 'base/16384', blocks: [3], whole: false }]);
  });
});
