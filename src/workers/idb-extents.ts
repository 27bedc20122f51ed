/**
 * IdbDisk's extents (idb-disk.ts): how a fold stores the blocks it makes durable.
 *
 * Why: IndexedDB's cost is per request as much as per byte. In Chromium, 512 KB per transaction
 * ran at 18-31 MB/s as 8 KB puts and 49-93 MB/s as 64 KB puts. A WAL flush or a bulk load writes
 * runs of consecutive blocks, so a fold stores a chunk of EXTENT_BLOCKS aligned blocks as one
 * record (an extent) when enough of them changed, and lone blocks as records of their own.
 * The bench's WAL flush of 512 KB, against 64 KB raw puts in the same run (quick runs):
 * 8 KB records 0.53; extents of 4 blocks 0.64, 7 (inline values) 0.53, 8 0.60, 16 1.04,
 * 32 1.16-1.41, 64 0.81. Chromium keeps a value over 64 KiB in a file of its own, and fewer,
 * larger files win up to 256 KB.
 *
 * Rules (the store layout's invariants):
 * - An extent `[file, first block of its chunk]` holds every block of the chunk that existed
 *   when it was written.
 * - A block record `[file, block]` shadows that block's copy in its chunk's extent: a chunk with
 *   an extent that changes in a few blocks is patched with block records, not rewritten.
 * - Writing an extent deletes its chunk's block records in the same transaction, so each block's
 *   newest durable copy is the block record if one exists, and the extent's otherwise.
 * - A truncate to the middle of a chunk rewrites that chunk's extent without the blocks cut off.
 */
import { BLCKSZ } from '../engine/storage/disk.ts';
import { trimmedEnd } from './idb-journal.ts';

/** Blocks per extent: 256 KB, the record size that measured fastest per byte (above). */
export const EXTENT_BLOCKS = 32;
/**
 * A chunk is stored as one extent when a fold puts at least this many of its blocks: at most
 * twice the bytes of block records, in one request instead of many.
 */
export const EXTENT_MIN_BLOCKS = 16;

const ABSENT = 0xffff;

export function chunkOf(block: number): number {
  return Math.floor(block / EXTENT_BLOCKS);
}

/**
 * An extent record: a u16 count of slots; per slot a u16 length (ABSENT for a block that does
 * not exist); then each present block's bytes up to its last non-zero byte, in slot order. It
 * describes itself, so a record reads the same whatever EXTENT_BLOCKS is when it is read.
 */
export function encodeExtent(slots: readonly (Uint8Array | undefined)[]): ArrayBuffer {
  const ends = slots.map((b) => (b ? trimmedEnd(b) : ABSENT));
  const header = 2 + 2 * slots.length;
  let size = header;
  for (const end of ends) if (end !== ABSENT) size += end;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint16(0, slots.length, true);
  let at = header;
  ends.forEach((end, slot) => {
    view.setUint16(2 + 2 * slot, end, true);
    if (end === ABSENT) return;
    out.set(slots[slot]!.subarray(0, end), at);
    at += end;
  });
  return out.buffer;
}

/** The blocks of an extent record, each whole (its trailing zeros restored). */
export function decodeExtent(record: ArrayBuffer): { slot: number; data: Uint8Array }[] {
  const bytes = new Uint8Array(record);
  const view = new DataView(record);
  const out: { slot: number; data: Uint8Array }[] = [];
  const count = view.getUint16(0, true);
  let at = 2 + 2 * count;
  for (let slot = 0; slot < count; slot++) {
    const end = view.getUint16(2 + 2 * slot, true);
    if (end === ABSENT) continue;
    const data = new Uint8Array(BLCKSZ);
    data.set(bytes.subarray(at, at + end));
    out.push({ slot, data });
    at += end;
  }
  return out;
}

/** What one fold writes for one file. */
export interface FilePlan {
  /** Block records, each a copy of the block without its trailing zeros. */
  puts: [number, ArrayBuffer][];
  /** Extent records by their chunk's first block, each replacing the chunk's block records. */
  extents: [number, ArrayBuffer][];
  /** Every block the plan makes durable, in either form (for quota and accounting). */
  blocks: number[];
}

/**
 * The records a fold writes for one file, from the cache as it is now.
 * - `touched`: the blocks changed since they were last made durable (written or journaled).
 * - `truncateTo`: the file's lowest truncation since the last fold, if any.
 * - `extents`: the chunks that have a durable extent.
 */
export function planFile(
  cache: ReadonlyMap<number, Uint8Array> | undefined,
  touched: Iterable<number>,
  truncateTo: number | undefined,
  extents: ReadonlySet<number> | undefined,
): FilePlan {
  const byChunk = new Map<number, number[]>();
  for (const block of touched) {
    if (!cache?.has(block)) continue; // truncated away since it was written
    const chunk = chunkOf(block);
    const list = byChunk.get(chunk);
    if (list) list.push(block);
    else byChunk.set(chunk, [block]);
  }
  // The extent of a chunk cut in its middle still holds the blocks cut off: rewrite it.
  const cut = truncateTo !== undefined && truncateTo % EXTENT_BLOCKS !== 0 ? chunkOf(truncateTo) : undefined;
  const rewrite = cut !== undefined && extents?.has(cut) ? cut : undefined;
  if (rewrite !== undefined && !byChunk.has(rewrite)) byChunk.set(rewrite, []);
  const plan: FilePlan = { puts: [], extents: [], blocks: [] };
  for (const chunk of [...byChunk.keys()].sort((a, b) => a - b)) {
    const blocks = byChunk.get(chunk)!.sort((a, b) => a - b);
    if (chunk === rewrite || blocks.length >= EXTENT_MIN_BLOCKS) {
      const slots: (Uint8Array | undefined)[] = [];
      for (let slot = 0; slot < EXTENT_BLOCKS; slot++) {
        const data = cache?.get(chunk * EXTENT_BLOCKS + slot);
        slots.push(data);
        if (data) plan.blocks.push(chunk * EXTENT_BLOCKS + slot);
      }
      if (slots.some((s) => s !== undefined)) plan.extents.push([chunk * EXTENT_BLOCKS, encodeExtent(slots)]);
    } else {
      for (const block of blocks) {
        const data = cache!.get(block)!;
        plan.puts.push([
          block,
          data.buffer.slice(data.byteOffset, data.byteOffset + trimmedEnd(data)) as ArrayBuffer,
        ]);
        plan.blocks.push(block);
      }
    }
  }
  return plan;
}
