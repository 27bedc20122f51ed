/**
 * Damaged WAL and control files (issue 19): replay stops at an invalid record only where that is
 * the end of what was flushed; damage before the flushed end (pg_control records it with every
 * flush) is corruption, and the instance refuses to start. Every error names the file.
 */
import { describe, expect, it } from 'vitest';
import { createCluster, type SimCluster } from '../../src/engine/index.ts';
import { CONTROL_FILE, readControl } from '../../src/engine/instance/control.ts';
import { Instance } from '../../src/engine/instance/instance.ts';
import { noTrace } from '../../src/engine/runtime/clock.ts';
import { flipBit } from '../../src/engine/storage/bit-rot.ts';
import { BLCKSZ } from '../../src/engine/storage/disk.ts';
import { MemoryDisk } from '../../src/engine/storage/memory-disk.ts';
import type { WalFiles } from '../../src/engine/wal/segments.ts';
import { ManualClock } from '../support/fake-clock.ts';
import { heapRows } from '../support/heap-rows.ts';
import { rejection } from '../mirroring/scenarios/helpers.ts';

const enc = new TextEncoder();
const REL = 16384;

async function start(disk: MemoryDisk) {
  return Instance.start({ disk, clock: new ManualClock(), trace: noTrace });
}

const rows = (inst: Instance) => heapRows(inst, REL);

/** An instance with ten committed rows, each commit flushed; `mark` is the flushed end after the third. */
async function tenCommits() {
  const disk = new MemoryDisk();
  await Instance.initdb(disk, { systemIdentifier: 'wal', time: 0 });
  const inst = await start(disk);
  const t = inst.xact.begin();
  inst.createStorage(t, REL);
  await inst.xact.commit(t);
  let mark = 0;
  for (let i = 0; i < 10; i++) {
    const tx = inst.xact.begin();
    await inst.heap(REL).insert(tx, enc.encode(`r${i}`));
    await inst.xact.commit(tx);
    if (i === 2) mark = inst.wal.flushedLsn;
  }
  const flushed = inst.wal.flushedLsn;
  const files = inst.files;
  inst.kill();
  disk.crash();
  return { disk, mark, flushed, files };
}

/** Flips a bit of the WAL byte at `lsn`. */
function damageWal(disk: MemoryDisk, files: WalFiles, lsn: number): Promise<void> {
  const block = Math.floor((lsn % files.segSize) / BLCKSZ);
  return flipBit(disk, files.fileFor(lsn), block, (lsn % BLCKSZ) * 8 + 2);
}

describe('damaged WAL', () => {
  it('pg_control records the end of the flushed WAL with every flush', async () => {
    const { disk, flushed } = await tenCommits();
    expect(readControl(disk)!.walFlushed).toBe(flushed);
  });

  it('a flipped bit in a record before the flushed end is corruption: the instance refuses to start, naming the file', async () => {
    const { disk, mark, files } = await tenCommits();
    await damageWal(disk, files, mark + 30);
    const e = await rejection(start(disk));
    expect(e.code).toBe('XX001');
    expect(e.message).toMatch(
      /^WAL ends before the end of its flushed WAL: invalid record at 0\/[0-9A-F]+ in file "pg_wal\/000000010000000000000000", flushed up to 0\/[0-9A-F]+$/,
    );
    expect(e.detail).toMatch(
      /incorrect resource manager data checksum|invalid record length|incorrect prev-link/,
    );
    expect(e.hint).toContain('gprecoverseg -F');
  });

  it('a torn record after the flushed end is just the end of the WAL: every committed row is there', async () => {
    const { disk, flushed, files } = await tenCommits();
    // Half a record that never got its flush: a plausible header, then nothing.
    const block = Math.floor((flushed % files.segSize) / BLCKSZ);
    const page = disk.read(files.fileFor(flushed), block)!;
    const at = flushed % BLCKSZ;
    const v = new DataView(page.buffer);
    if (at + 8 <= BLCKSZ) {
      v.setUint32(at, 4000, true);
      v.setUint32(at + 4, 77, true);
    }
    disk.write(files.fileFor(flushed), block, page);
    await disk.sync();
    const inst = await start(disk);
    expect(await rows(inst)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9']);
    expect(inst.recovery!.end).toBe(flushed);
  });

  it('a deleted pg_control is 58P01 naming it, not "never initialised"', async () => {
    const { disk } = await tenCommits();
    disk.unlink(CONTROL_FILE);
    await disk.sync();
    const e = await rejection(start(disk));
    expect(e.code).toBe('58P01');
    expect(e.message).toBe('could not open file "global/pg_control": No such file or directory');
  });

  it('a deleted WAL segment is 58P01 naming it', async () => {
    const { disk, files, mark } = await tenCommits();
    disk.unlink(files.fileFor(mark));
    await disk.sync();
    const e = await rejection(start(disk));
    expect(e.code).toBe('58P01');
    expect(e.message).toBe(
      'could not open file "pg_wal/000000010000000000000000": No such file or directory',
    );
  });

  it('an empty data directory is still "never initialised"', async () => {
    const e = await rejection(start(new MemoryDisk()));
    expect(e.message).toBe('the data directory is empty: the instance was never initialised');
  });
});

describe('damaged WAL in a cluster', () => {
  it('a primary whose WAL is damaged before its flushed end refuses to restart; its mirror takes over with every acknowledged row', async () => {
    const c = (await createCluster({ runtime: 'sim', seed: 21, mirroring: 'group' })) as SimCluster;
    try {
      await c.query('create table t (a int) distributed by (a)');
      await c.query('insert into t select generate_series(1, 100)');
      const mark = parseLsn((await c.instanceStatus(2)).walFlushed);
      for (let i = 0; i < 5; i++)
        await c.query(`insert into t select generate_series(${101 + i * 100}, ${200 + i * 100})`);
      await c.faults.crash(2);
      const lsn = mark + 40;
      await c.faults.corruptBlock(
        2,
        'pg_wal/000000010000000000000000',
        Math.floor(lsn / BLCKSZ),
        (lsn % BLCKSZ) * 8,
      );
      const e = await rejection(c.faults.restart(2));
      expect(e.code).toBe('XX001');
      expect(e.message).toContain('WAL ends before the end of its flushed WAL');
      await c.sim.advance(180_000); // FTS promotes the mirror
      expect(
        (
          await c.query(
            'select dbid, role, status from gp_segment_configuration where content = 0 order by dbid',
          )
        ).rows,
      ).toEqual([
        [2, 'm', 'd'],
        [6, 'p', 'u'],
      ]);
      expect((await c.query('select count(*), sum(a) from t')).rows).toEqual([[600, 180300]]);
    } finally {
      await c.close();
    }
  });
});

function parseLsn(text: string): number {
  const [hi, lo] = text.split('/');
  return parseInt(hi!, 16) * 0x1_0000_0000 + parseInt(lo!, 16);
}
