/**
 * Data page checksums (initdb -k; gpinitsystem turns them on by default).
 *
 * Every block of a relation file (heap pages, append-optimized blocks, the catalog) carries a
 * 16-bit checksum at bytes 8..9 — pd_checksum in the page header, the same offset in an AO
 * block header. It is computed over the whole block, with those two bytes taken as zero, and
 * mixed with the block number, so a block written at the wrong place fails too. It is set on the
 * copy that goes to disk and checked when a block comes back from disk; pages in memory are
 * never checksummed, so a page changed by redo on a mirror is byte-identical to its primary's
 * once both are written.
 *
 * The hash: eight lanes of FNV-1a-style mixing over the block's 32-bit words (a lane per word
 * position modulo 8, so no dependency chain is longer than a lane), folded into one with the
 * block number, reduced to 1..65535 (0 is never a checksum, as in Postgres).
 */
import { sqlError, type SqlError } from '../errors.ts';
import { BLCKSZ } from './disk.ts';

/** Byte offset of the checksum in every relation block. */
export const CHECKSUM_OFFSET = 8;

const FNV_PRIME = 16777619;

function words(block: Uint8Array): Uint32Array {
  if (block.byteOffset % 4 === 0) return new Uint32Array(block.buffer, block.byteOffset, BLCKSZ / 4);
  return new Uint32Array(block.slice().buffer, 0, BLCKSZ / 4);
}

const mix = (lane: number, word: number): number => {
  const h = Math.imul(lane ^ word, FNV_PRIME);
  return h ^ (h >>> 17);
};

/** The checksum of `block` as block number `blockNo` (its own checksum bytes ignored). */
export function blockChecksum(block: Uint8Array, blockNo: number): number {
  const w = words(block);
  // Eight lanes in locals; word 2 holds the checksum in its low half (bytes 8..9).
  let a0 = mix(0x811c9dc5, w[0]!);
  let a1 = mix(0x5bd1e995, w[1]!);
  let a2 = mix(0x1b873593, w[2]! & 0xffff0000);
  let a3 = mix(0xcc9e2d51, w[3]!);
  let a4 = mix(0x85ebca6b, w[4]!);
  let a5 = mix(0xc2b2ae35, w[5]!);
  let a6 = mix(0x27d4eb2f, w[6]!);
  let a7 = mix(0x165667b1, w[7]!);
  for (let i = 8; i < w.length; i += 8) {
    a0 = mix(a0, w[i]!);
    a1 = mix(a1, w[i + 1]!);
    a2 = mix(a2, w[i + 2]!);
    a3 = mix(a3, w[i + 3]!);
    a4 = mix(a4, w[i + 4]!);
    a5 = mix(a5, w[i + 5]!);
    a6 = mix(a6, w[i + 6]!);
    a7 = mix(a7, w[i + 7]!);
  }
  let h = blockNo >>> 0;
  for (const l of [a0, a1, a2, a3, a4, a5, a6, a7]) h = Math.imul(h ^ l, FNV_PRIME) ^ (l >>> 15);
  h ^= h >>> 16;
  return ((h & 0xffff) % 65535) + 1;
}

/** The checksum stored in a block. */
export function storedChecksum(block: Uint8Array): number {
  return block[CHECKSUM_OFFSET]! | (block[CHECKSUM_OFFSET + 1]! << 8);
}

/** Sets the block's checksum in place (on the copy about to be written). */
export function setChecksum(block: Uint8Array, blockNo: number): void {
  const c = blockChecksum(block, blockNo);
  block[CHECKSUM_OFFSET] = c & 0xff;
  block[CHECKSUM_OFFSET + 1] = c >>> 8;
}

/** Clears the checksum bytes (a page as it lives in memory). */
export function clearChecksum(block: Uint8Array): void {
  block[CHECKSUM_OFFSET] = 0;
  block[CHECKSUM_OFFSET + 1] = 0;
}

function isAllZero(block: Uint8Array): boolean {
  const w = words(block);
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) return false;
  return true;
}

/**
 * XX001 as Postgres reports a page that fails verification (the WARNING it logs first, with the
 * two checksums, is the detail here).
 */
export function invalidPage(file: string, blockNo: number, detail?: string): SqlError {
  return sqlError('data_corrupted', `invalid page in block ${blockNo} of relation ${file}`, {
    ...(detail ? { detail } : {}),
    hint: 'The block is damaged on this instance\'s disk. Fail over to its mirror and rebuild this instance with "gprecoverseg -F".',
  });
}

/**
 * A block read from disk, verified: an all-zero block (never written) passes; otherwise its
 * checksum must match (when checksums are on) and `header` (a layout check) must accept it.
 */
export function verifyBlock(
  block: Uint8Array,
  file: string,
  blockNo: number,
  checksums: boolean,
  header?: (block: Uint8Array) => string | undefined,
): void {
  const stored = storedChecksum(block);
  if (checksums) {
    if (stored === 0 && isAllZero(block)) return;
    const calculated = blockChecksum(block, blockNo);
    if (calculated !== stored)
      throw invalidPage(
        file,
        blockNo,
        `page verification failed, calculated checksum ${calculated} but expected ${stored}`,
      );
  } else if (isAllZero(block)) return;
  const bad = header?.(block);
  if (bad) throw invalidPage(file, blockNo, bad);
}

/**
 * A block as it is compared with another instance's copy (the explorer, gp_replica_check): a
 * verified checksum is masked, as gp_replica_check masks it, so a page still in one pool equals
 * its written twin; a block whose checksum fails keeps it, and differs.
 */
export function comparableBlock(block: Uint8Array, blockNo: number): Uint8Array {
  const stored = storedChecksum(block);
  if (stored === 0 || blockChecksum(block, blockNo) !== stored) return block;
  const copy = block.slice();
  clearChecksum(copy);
  return copy;
}
