import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '../../src/engine/storage/memory-disk.ts';
import { WalFiles, segmentFileName } from '../../src/engine/wal/segments.ts';
import { WalWriter } from '../../src/engine/wal/writer.ts';
import { WalReader } from '../../src/engine/wal/reader.ts';
import { formatLsn, parseLsn } from '../../src/engine/storage/lsn.ts';
import { crc32c } from '../../src/engine/wal/crc32c.ts';
import { BLCKSZ } from '../../src/engine/storage/disk.ts';
import { Instance } from '../../src/engine/instance/instance.ts';
import { noTrace } from '../../src/engine/runtime/clock.ts';
import { ManualClock } from '../support/fake-clock.ts';

const SEG = 64 * 1024;

function setup() {
  const disk = new MemoryDisk();
  const files = new WalFiles(disk, SEG, [{ tli: 1, begin: 0 }]);
  const writer = new WalWriter(files, disk, 40, 0);
  return { disk, files, writer, reader: new WalReader(files) };
}

function payload(i: number, len: number): Uint8Array {
  return new Uint8Array(len).map((_, j) => (i * 31 + j) & 0xff);
}

describe('WAL', () => {
  it('CRC-32C matches the standard check value', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
  });

  it('formats and parses LSNs as Postgres does', () => {
    expect(formatLsn(0x16b3748)).toBe('0/16B3748');
    expect(formatLsn(0x1_0000_0010)).toBe('1/10');
    expect(parseLsn('1/10')).toBe(0x1_0000_0010);
    expect(parseLsn('zz')).toBeUndefined();
    expect(segmentFileName(1, 3, 16 * 1024 * 1024)).toBe('pg_wal/000000010000000000000003');
  });

  it('reads back records that span blocks and segments, in order', async () => {
    const { writer, reader } = setup();
    const starts: number[] = [];
    for (let i = 0; i < 200; i++)
      starts.push(writer.insert(3, 0, i + 3, payload(i, 100 + ((i * 997) % 3000))).start);
    await writer.flush();
    const got = [...reader.scan(starts[0]!)];
    expect(got.map((r) => r.lsn)).toEqual(starts);
    expect(got.every((r, i) => r.xid === i + 3 && r.payload.length === 100 + ((i * 997) % 3000))).toBe(true);
    expect(got[57]!.payload).toEqual(payload(57, 100 + ((57 * 997) % 3000)));
    expect(writer.insertLsn).toBeGreaterThan(SEG); // it crossed into a second segment
  });

  it('reads a record whose header is split across two blocks', async () => {
    const { writer, reader } = setup();
    // The first record ends 10 bytes before the block's end: the second one's 24-byte header
    // starts there and ends in the next block.
    const first = writer.insert(3, 0, 5, payload(1, BLCKSZ - 10 - 40 - 24));
    const second = writer.insert(3, 0, 6, payload(2, 300));
    expect(second.start).toBe(BLCKSZ - 10);
    await writer.flush();
    const got = [...reader.scan(first.start)];
    expect(got.map((r) => [r.lsn, r.xid])).toEqual([
      [first.start, 5],
      [second.start, 6],
    ]);
    expect(got[1]!.payload).toEqual(payload(2, 300));
  });

  it('names the segment file of the new timeline once the timeline switches', () => {
    const { files } = setup();
    expect(files.fileFor(100)).toBe(segmentFileName(1, 0, SEG));
    files.switchTimeline(2, 100);
    expect(files.fileFor(100)).toBe(segmentFileName(2, 0, SEG));
    expect(files.fileFor(SEG + 5)).toBe(segmentFileName(2, 1, SEG));
  });

  it('stops at a flipped byte and says where; nothing after it is returned', async () => {
    const { disk, writer, reader, files } = setup();
    const starts: number[] = [];
    for (let i = 0; i < 50; i++) starts.push(writer.insert(3, 0, 7, payload(i, 500)).start);
    await writer.flush();
    const victim = starts[20]! + 24 + 100; // inside record 20's payload
    const file = files.fileFor(victim);
    const block = Math.floor((victim % SEG) / BLCKSZ);
    const data = disk.read(file, block)!;
    data[victim % BLCKSZ]! ^= 0x40;
    disk.write(file, block, data);
    const scan = reader.scan(starts[0]!);
    const seen: number[] = [];
    let r = scan.next();
    while (!r.done) {
      seen.push(r.value.lsn);
      r = scan.next();
    }
    expect(seen).toEqual(starts.slice(0, 20));
    expect(r.value.lsn).toBe(starts[20]);
    expect(r.value.reason).toBe(
      `incorrect resource manager data checksum in record at ${formatLsn(starts[20]!)}`,
    );
  });

  it('group commit: concurrent flushes share disk syncs', async () => {
    const { writer, disk } = setup();
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 64; i++) {
      const { end } = writer.insert(1, 0, i + 3, payload(i, 40));
      waits.push(writer.flush(end));
    }
    await Promise.all(waits);
    expect(writer.flushedLsn).toBe(writer.insertLsn);
    expect(disk.stats.syncs).toBeLessThanOrEqual(2);
  });

  // One thread runs every session: when a flush ends, work already queued (another session
  // on its way to commit) inserts before the next flush starts, and that flush covers both.
  it('group commit: a record that missed a flush waits for the queued work, so one flush covers it too', async () => {
    const run = async (yieldThread: boolean) => {
      const disk = new MemoryDisk();
      const files = new WalFiles(disk, SEG, [{ tli: 1, begin: 0 }]);
      const nextTask = () => new Promise<void>((r) => setImmediate(r));
      const writer = new WalWriter(files, disk, 40, 0, yieldThread ? { yieldThread: nextTask } : {});
      const first = writer.flush(writer.insert(1, 0, 3, payload(0, 40)).end);
      // Inserted while the first flush is in flight: it waits for the next one.
      const second = writer.flush(writer.insert(1, 0, 4, payload(1, 40)).end);
      // A session whose work was queued before the first flush ended.
      const third = new Promise<void>((resolve) =>
        setImmediate(() => void writer.flush(writer.insert(1, 0, 5, payload(2, 40)).end).then(resolve)),
      );
      await Promise.all([first, second, third]);
      expect(writer.flushedLsn).toBe(writer.insertLsn);
      return disk.stats.syncs;
    };
    expect(await run(true)).toBe(2);
    expect(await run(false)).toBe(3);
  });

  it("times each flush's disk sync, and only the sync: stats.syncMs", async () => {
    const disk = new MemoryDisk();
    const files = new WalFiles(disk, SEG, [{ tli: 1, begin: 0 }]);
    let now = 0;
    const sync = disk.sync.bind(disk);
    disk.sync = async () => {
      now += 7; // each sync takes 7 ms of wall time
      return sync();
    };
    const writer = new WalWriter(files, disk, 40, 0, { elapsedMs: () => now });
    now += 100; // time before the flushes is not counted
    await writer.flush(writer.insert(1, 0, 3, payload(0, 40)).end);
    await writer.flush(writer.insert(1, 0, 4, payload(1, 40)).end);
    expect(writer.stats).toEqual(expect.objectContaining({ flushes: 2, syncMs: 14 }));
    // Without a wall timer (the simulator), nothing is timed.
    const untimed = setup().writer;
    await untimed.flush(untimed.insert(1, 0, 3, payload(0, 40)).end);
    expect(untimed.stats).toEqual(expect.objectContaining({ flushes: 1, syncMs: 0 }));
  });

  it('a corrupt record before the flushed end is not the end of the WAL: crash recovery refuses to go on without later commits', async () => {
    const disk = new MemoryDisk();
    const clock = new ManualClock();
    await Instance.initdb(disk, { systemIdentifier: 't', time: clock.now() });
    const inst = await Instance.start({ disk, clock, trace: noTrace });
    const enc = new TextEncoder();
    const ends: number[] = [];
    for (let i = 0; i < 3; i++) {
      const tx = inst.xact.begin();
      await inst.heap(10).insert(tx, enc.encode(`v${i}`));
      await inst.xact.commit(tx);
      ends.push(inst.wal.insertLsn);
    }
    inst.kill();
    // Flip a byte inside the second transaction's records.
    const at = ends[0]! + 30;
    const file = inst.files.fileFor(at);
    const blk = Math.floor((at % inst.files.segSize) / BLCKSZ);
    const data = disk.read(file, blk)!;
    data[at % BLCKSZ]! ^= 0xff;
    disk.write(file, blk, data);
    await disk.sync();
    disk.crash();
    // The commits after it were flushed (pg_control says how far): starting without them would
    // lose committed work, so the instance refuses to start (its mirror takes over).
    const e = await Instance.start({ disk, clock, trace: noTrace }).then(
      () => undefined,
      (x: unknown) => x as { code?: string; message?: string; detail?: string },
    );
    expect(e?.code).toBe('XX001');
    expect(e?.message).toContain(`invalid record at ${formatLsn(ends[0]!)} in file "${file}"`);
    expect(e?.detail).toMatch(/at 0\/[0-9A-F]+/);
  });
});
