/**
 * The byte-range bookkeeping of IdbDisk's sync journal (idb-disk.ts): which bytes of a block
 * changed since the last sync, and the encoding of one small sync's changed ranges as a single
 * journal record (one ArrayBuffer: IndexedDB clones it without walking an object graph).
 */
import { BLCKSZ } from '../engine/storage/disk.ts';

export interface ChangedRange {
  lo: number;
  hi: number;
}

/** A block new since the last sync: no version of it is durable, so its trailing zeros are not stored. */
export const WHOLE_BLOCK: ChangedRange = Object.freeze({ lo: 0, hi: BLCKSZ });
/** Every byte of a block that may have a durable version: stored in full, zeros included. */
export const ALL_BYTES: ChangedRange = Object.freeze({ lo: 0, hi: BLCKSZ });

/** One changed byte range of a block, as a small sync journals it. */
export interface Fragment {
  file: string;
  block: number;
  offset: number;
  bytes: Uint8Array;
}

/** The first and one past the last byte where two blocks differ; undefined when equal. */
export function changedRange(a: Uint8Array, b: Uint8Array): ChangedRange | undefined {
  // Blocks are whole arrays of BLCKSZ bytes at offset 0: compare them a word at a time.
  const wa = new Uint32Array(a.buffer, a.byteOffset, BLCKSZ / 4);
  const wb = new Uint32Array(b.buffer, b.byteOffset, BLCKSZ / 4);
  let lo = 0;
  while (lo < wa.length && wa[lo] === wb[lo]) lo++;
  if (lo === wa.length) return undefined;
  let hi = wa.length;
  while (hi > lo && wa[hi - 1] === wb[hi - 1]) hi--;
  return { lo: lo * 4, hi: hi * 4 };
}

/** Both ranges; a block that is new since the last sync stays new (nothing of it is durable). */
export function union(a: ChangedRange, b: ChangedRange): ChangedRange {
  if (a === WHOLE_BLOCK || b === WHOLE_BLOCK) return WHOLE_BLOCK;
  return { lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) };
}

/**
 * One past a block's last non-zero byte. Skips zero words first: a new instance's sync trims
 * every block it wrote, in a worker whose code is still cold, so a byte loop was a visible part
 * of a large cluster's boot.
 */
export function trimmedEnd(block: Uint8Array): number {
  let end = block.length;
  if ((block.byteOffset & 3) === 0 && (end & 3) === 0) {
    const words = new Uint32Array(block.buffer, block.byteOffset, end >> 2);
    let w = words.length;
    while (w > 0 && words[w - 1] === 0) w--;
    end = w << 2;
  }
  while (end > 0 && block[end - 1] === 0) end--;
  return end;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** A journal record: per fragment, u16 name length, name (UTF-8), u32 block, u16 offset, u16 length, bytes. */
export function encodeFragments(fragments: Fragment[]): ArrayBuffer {
  const names = fragments.map((f) => textEncoder.encode(f.file));
  let size = 0;
  fragments.forEach((f, i) => (size += 10 + names[i]!.length + f.bytes.length));
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  fragments.forEach((f, i) => {
    const name = names[i]!;
    view.setUint16(at, name.length);
    out.set(name, at + 2);
    at += 2 + name.length;
    view.setUint32(at, f.block);
    view.setUint16(at + 4, f.offset);
    view.setUint16(at + 6, f.bytes.length);
    out.set(f.bytes, at + 8);
    at += 8 + f.bytes.length;
  });
  return out.buffer;
}

export function decodeFragments(record: ArrayBuffer): Fragment[] {
  const bytes = new Uint8Array(record);
  const view = new DataView(record);
  const out: Fragment[] = [];
  let at = 0;
  while (at < bytes.length) {
    const nameLength = view.getUint16(at);
    const file = textDecoder.decode(bytes.subarray(at + 2, at + 2 + nameLength));
    at += 2 + nameLength;
    const block = view.getUint32(at);
    const offset = view.getUint16(at + 4);
    const length = view.getUint16(at + 6);
    out.push({ file, block, offset, bytes: bytes.subarray(at + 8, at + 8 + length) });
    at += 8 + length;
  }
  return out;
}
