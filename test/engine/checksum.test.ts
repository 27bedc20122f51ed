/**
 * Data page checksums (issue 19): on by default, set on every block written, verified on every
 * block read from disk; a flipped bit in a heap, append-optimized or catalog block is XX001
 * 'invalid page in block N of relation ...', never a wrong row or a JavaScript exception.
 */
import { describe, expect, it } from 'vitest';
import { createCluster, type SimCluster } from '../../src/engine/index.ts';
import { Instance } from '../../src/engine/instance/instance.ts';
import { readControl } from '../../src/engine/instance/control.ts';
import { noTrace } from '../../src/engine/runtime/clock.ts';
import { flipBit } from '../../src/engine/storage/bit-rot.ts';
import { blockChecksum, comparableBlock, storedChecksum } from '../../src/engine/storage/checksum.ts';
import { relationFile } from '../../src/engine/access/context.ts';
import { BLCKSZ } from '../../src/engine/storage/disk.ts';
import { MemoryDisk } from '../../src/engine/storage/memory-disk.ts';
import { ManualClock } from '../support/fake-clock.ts';
import { mulberry32 } from '../support/prng.ts';
import { heapRows } from '../support/heap-rows.ts';
import { rejection } from '../mirroring/scenarios/helpers.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();
const REL = 16384;

async function boot(disk = new MemoryDisk(), dataChecksums?: boolean) {
  const clock = new ManualClock();
  if (!disk.files('global/').length)
    await Instance.initdb(disk, {
      systemIdentifier: 'test',
      time: clock.now(),
      ...(dataChecksums === undefined ? {} : { dataChecksums }),
    });
  return Instance.start({ disk, clock, trace: noTrace });
}

async function aoRows(inst: Instance): Promise<string[]> {
  const tx = inst.xact.begin();
  const out: string[] = [];
  for await (const block of inst.appendOptimized(REL).scan(tx.commandSnapshot()))
    for (const r of block) out.push(dec.decode(r));
  return out.sort();
}

/** A relation with rows, checkpointed (its blocks on disk), then the instance stops. */
async function written(kind: 'heap' | 'ao', dataChecksums?: boolean) {
  const disk = new MemoryDisk();
  const inst = await boot(disk, dataChecksums);
  const tx = inst.xact.begin();
  inst.createStorage(tx, REL);
  for (let i = 0; i < 40; i++) {
    const row = enc.encode(`row${i}`);
    if (kind === 'heap') await inst.heap(REL).insert(tx, row);
    else inst.appendOptimized(REL).insert(tx, row);
  }
  await inst.xact.commit(tx);
  await inst.shutdown();
  return disk;
}

describe('data checksums', () => {
  it('are on by default: pg_control records them and every written block carries one', async () => {
    const disk = await written('heap');
    expect(readControl(disk)!.dataChecksums).toBe(true);
    const block = disk.read(relationFile(REL), 0)!;
    expect(storedChecksum(block)).toBe(blockChecksum(block, 0));
    expect(storedChecksum(block)).not.toBe(0);
  });

  it('a checksum depends on every bit of the block and on where the block is', () => {
    const r = mulberry32(19);
    const block = new Uint8Array(BLCKSZ).map(() => Math.floor(r() * 256));
    const c = blockChecksum(block, 7);
    expect(c).toBeGreaterThan(0);
    expect(blockChecksum(block, 8)).not.toBe(c);
    // The checksum's own bytes do not count.
    block[8] = block[8]! ^ 0xff;
    expect(blockChecksum(block, 7)).toBe(c);
    for (let k = 0; k < 300; k++) {
      const bit = Math.floor(r() * BLCKSZ * 8);
      if (bit >>> 3 === 8 || bit >>> 3 === 9) continue;
      const flip = () => (block[bit >>> 3] = block[bit >>> 3]! ^ (1 << (bit & 7)));
      flip();
      expect(blockChecksum(block, 7), `bit ${bit}`).not.toBe(c);
      flip();
    }
  });

  it.each(['heap', 'ao'] as const)(
    'a flipped bit in a %s block is XX001 on read, naming the block and the relation',
    async (kind) => {
      const disk = await written(kind);
      await flipBit(disk, relationFile(REL), 0, 5000 * 8 + 1);
      const inst = await boot(disk);
      const e = await rejection(kind === 'heap' ? heapRows(inst, REL) : aoRows(inst));
      expect(e.code).toBe('XX001');
      expect(e.message).toBe(`invalid page in block 0 of relation base/${REL}`);
      expect(e.detail).toMatch(/^page verification failed, calculated checksum \d+ but expected \d+$/);
      expect(inst.checksumFailures.count).toBe(1);
      expect(inst.checksumFailures.last).toMatchObject({ file: `base/${REL}`, block: 0 });
    },
  );

  it.each(['heap', 'ao'] as const)('an intact %s relation reads back whole', async (kind) => {
    const disk = await written(kind);
    const inst = await boot(disk);
    const rows = kind === 'heap' ? await heapRows(inst, REL) : await aoRows(inst);
    expect(rows).toHaveLength(40);
    expect(inst.checksumFailures.count).toBe(0);
  });

  it('without checksums a damaged page header is still XX001, not a JavaScript exception', async () => {
    const disk = await written('heap', false);
    expect(readControl(disk)!.dataChecksums).toBe(false);
    const block = disk.read(relationFile(REL), 0)!;
    expect(storedChecksum(block)).toBe(0);
    // pd_lower gets a bit far past pd_upper.
    await flipBit(disk, relationFile(REL), 0, 13 * 8 + 7);
    const inst = await boot(disk);
    const e = await rejection(heapRows(inst, REL));
    expect(e.code).toBe('XX001');
    expect(e.message).toBe(`invalid page in block 0 of relation base/${REL}`);
    expect(e.detail).toMatch(/corrupted page pointers/);
  });

  it('a page in the pool compares equal to its checksummed copy on disk; a damaged copy does not', async () => {
    const disk = await written('heap');
    const inst = await boot(disk);
    expect(await heapRows(inst, REL)).toHaveLength(40); // block 0 is in the pool now, checksum cleared
    const inPool = inst.pool.peek(relationFile(REL), 0)!;
    const onDisk = disk.read(relationFile(REL), 0)!;
    expect(storedChecksum(inPool)).toBe(0);
    expect(comparableBlock(onDisk, 0)).toEqual(inPool);
    onDisk[4000] = onDisk[4000]! ^ 1;
    expect(comparableBlock(onDisk, 0)).not.toEqual(inPool);
  });
});

describe('data checksums in a cluster', () => {
  it('SHOW data_checksums is on; a flipped bit in a catalog block stops the coordinator from starting with XX001', async () => {
    const c = (await createCluster({ runtime: 'sim', seed: 5, mirroring: 'none' })) as SimCluster;
    try {
      expect((await c.query('show data_checksums')).rows).toEqual([['on']]);
      await c.query('create table t (a int) distributed by (a)');
      await c.query('checkpoint');
      await c.faults.crash(1);
      await c.faults.corruptBlock(1, 'base/1259', 0); // pg_class
      const e = await rejection(c.faults.restart(1));
      expect(e.code).toBe('XX001');
      expect(e.message).toBe('invalid page in block 0 of relation base/1259');
    } finally {
      await c.close();
    }
  });

  it('a damaged block on a primary is XX001 for the query; failing over to the in-sync mirror serves every row, and gprecoverseg -F rebuilds the damaged instance', async () => {
    const c = (await createCluster({ runtime: 'sim', seed: 6, mirroring: 'group' })) as SimCluster;
    try {
      await c.query('create table t (a int, b text) distributed by (a)');
      await c.query("insert into t select g, 'row' || g from generate_series(1, 200) g");
      await c.query('checkpoint');
      const file = 'base/16384'; // the first table's relfilenode
      // The primary of content 0 reads the block from disk again after a restart.
      await c.faults.corruptBlock(2, file, 0);
      await c.faults.restart(2);
      const e = await rejection(c.query('select count(*) from t'));
      expect(e.code).toBe('XX001');
      expect(e.message).toContain(`invalid page in block 0 of relation ${file}`);
      // The DBA fails over: the damaged primary is stopped, FTS promotes its mirror.
      await c.faults.crash(2);
      await c.sim.advance(120_000);
      expect((await c.query('select count(*) from t')).rows).toEqual([[200]]);
      const r = await c.run('gprecoverseg -a -F');
      expect(r.exitCode).toBe(0);
      await c.sim.advance(120_000);
      await c.run('gprecoverseg -a -r');
      await c.sim.advance(120_000);
      expect((await c.query('select count(*), sum(a) from t')).rows).toEqual([[200, 20100]]);
    } finally {
      await c.close();
    }
  });
});
