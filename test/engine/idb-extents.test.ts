/**
 * IdbDisk's extent planning (src/workers/idb-extents.ts) as tables: which records a fold writes
 * for one file, and the extent record's encoding. The stored layout on IndexedDB is checked in
 * idb-extents-suite.ts.
 */
import { describe, expect, it } from 'vitest';
import { BLCKSZ } from '../../src/engine/storage/disk.ts';
import { isDiskSchema } from '../../src/workers/idb-schema.ts';
import {
  EXTENT_BLOCKS,
  EXTENT_MIN_BLOCKS,
  decodeExtent,
  encodeExtent,
  planFile,
} from '../../src/workers/idb-extents.ts';

function blockOf(byte: number, length = BLCKSZ): Uint8Array {
  const b = new Uint8Array(BLCKSZ);
  b.fill(byte, 0, length);
  return b;
}

function cacheOf(blocks: number[]): Map<number, Uint8Array> {
  return new Map(blocks.map((b) => [b, blockOf((b % 250) + 1)]));
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

const E = EXTENT_BLOCKS;
const M = EXTENT_MIN_BLOCKS;

describe('extent records', () => {
  it('round-trip present blocks, without trailing zeros, and leave absent slots absent', () => {
    const slots: (Uint8Array | undefined)[] = Array.from({ length: E }, () => undefined);
    slots[0] = blockOf(1);
    slots[2] = blockOf(3, 100);
    slots[3] = new Uint8Array(BLCKSZ);
    slots[E - 1] = blockOf(8, 1);
    const record = encodeExtent(slots);
    // A header of 2 + 2 bytes per slot, then 8192 + 100 + 0 + 1 bytes of data.
    expect(record.byteLength).toBe(2 + 2 * E + BLCKSZ + 100 + 1);
    expect(decodeExtent(record)).toEqual([
      { slot: 0, data: blockOf(1) },
      { slot: 2, data: blockOf(3, 100) },
      { slot: 3, data: new Uint8Array(BLCKSZ) },
      { slot: E - 1, data: blockOf(8, 1) },
    ]);
  });

  it('read the same whatever their number of slots', () => {
    expect(decodeExtent(encodeExtent([undefined, blockOf(2)]))).toEqual([{ slot: 1, data: blockOf(2) }]);
  });
});

describe('planFile: which records a fold writes for one file', () => {
  interface Row {
    what: string;
    cached: number[];
    touched: number[];
    truncateTo?: number;
    extents?: number[];
    puts: number[];
    /** Extents by their first block. */
    extentsAt: number[];
    blocks: number[];
  }
  const rows: Row[] = [
    {
      what: 'a lone block: a record of its own',
      cached: [0, 1, 2],
      touched: [1],
      puts: [1],
      extentsAt: [],
      blocks: [1],
    },
    {
      what: 'fewer than the minimum blocks of a chunk: still block records',
      cached: range(0, E),
      touched: range(0, M - 1),
      puts: range(0, M - 1),
      extentsAt: [],
      blocks: range(0, M - 1),
    },
    {
      what: 'the minimum of a chunk: the chunk as one extent, untouched blocks included',
      cached: range(0, E),
      touched: range(0, M),
      puts: [],
      extentsAt: [0],
      blocks: range(0, E),
    },
    {
      what: 'a WAL flush of 2E blocks from block E-1: extents for full chunks, a record at the edge',
      cached: range(0, 3 * E - 1),
      touched: range(E - 1, 3 * E - 1),
      puts: [E - 1],
      extentsAt: [E, 2 * E],
      blocks: [E - 1, ...range(E, 3 * E - 1)],
    },
    {
      what: 'a block of a chunk with an extent: a block record that shadows it',
      cached: range(0, E),
      touched: [5],
      extents: [0],
      puts: [5],
      extentsAt: [],
      blocks: [5],
    },
    {
      what: 'a touched block truncated away since: nothing',
      cached: [0],
      touched: [0, 3],
      truncateTo: 1,
      puts: [0],
      extentsAt: [],
      blocks: [0],
    },
    {
      what: 'a cut in the middle of a chunk with an extent: the extent is rewritten',
      cached: range(0, E + 3),
      touched: [],
      truncateTo: E + 3,
      extents: [0, 1],
      puts: [],
      extentsAt: [E],
      blocks: range(E, E + 3),
    },
    {
      what: 'a cut in the middle of a chunk without an extent: nothing to rewrite',
      cached: range(0, E + 3),
      touched: [],
      truncateTo: E + 3,
      extents: [0],
      puts: [],
      extentsAt: [],
      blocks: [],
    },
    {
      what: 'a cut at a chunk boundary: nothing to rewrite (the range delete takes the rest)',
      cached: range(0, E),
      touched: [],
      truncateTo: E,
      extents: [0, 1],
      puts: [],
      extentsAt: [],
      blocks: [],
    },
    {
      what: 'a sparse chunk: an extent of the blocks that exist',
      cached: range(0, M).map((i) => 2 * E + 2 * i),
      touched: range(0, M).map((i) => 2 * E + 2 * i),
      puts: [],
      extentsAt: [2 * E],
      blocks: range(0, M).map((i) => 2 * E + 2 * i),
    },
  ];
  it.each(rows)('$what', ({ cached, touched, truncateTo, extents, puts, extentsAt, blocks }) => {
    const cache = cacheOf(cached);
    const plan = planFile(cache, touched, truncateTo, extents ? new Set(extents) : undefined);
    expect(plan.puts.map(([b]) => b)).toEqual(puts);
    expect(plan.extents.map(([first]) => first)).toEqual(extentsAt);
    expect(plan.blocks).toEqual(blocks);
    // Each record holds the cache's bytes of its blocks.
    for (const [b, data] of plan.puts) expect(new Uint8Array(data)).toEqual(cache.get(b));
    for (const [first, data] of plan.extents)
      for (const { slot, data: bytes } of decodeExtent(data)) expect(bytes).toEqual(cache.get(first + slot));
  });

  it('copies the bytes: a later write to the cache does not change a planned record', () => {
    const cache = cacheOf(range(0, E));
    const plan = planFile(cache, range(0, E), undefined, undefined);
    const single = planFile(cache, [0], undefined, undefined);
    cache.get(0)!.fill(99);
    expect(decodeExtent(plan.extents[0]![1])[0]!.data).toEqual(blockOf(1));
    expect(new Uint8Array(single.puts[0]![1])).toEqual(blockOf(1));
  });
});

describe('isDiskSchema: the databases the lab recognizes as an instance disk', () => {
  it.each([
    [1, ['blocks'], true],
    [2, ['blocks', 'journal'], true],
    [3, ['blocks', 'extents', 'journal'], true],
    [3, ['blocks', 'journal'], false],
    [2, ['blocks', 'extents', 'journal'], false],
    [4, ['blocks', 'extents', 'journal'], false],
    [1, ['blocks', 'other'], false],
    [0, [], false],
  ] as const)('version %i with stores %j: %s', (version, stores, expected) => {
    expect(isDiskSchema(version, stores)).toBe(expected);
  });
});
