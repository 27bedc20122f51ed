import { describe, expect, it } from 'vitest';
import { trimmedEnd } from '../../src/workers/idb-journal.ts';
import { BLCKSZ } from '../../src/engine/storage/disk.ts';

/** The reference: the byte loop the word scan must agree with. */
function byByte(block: Uint8Array): number {
  let end = block.length;
  while (end > 0 && block[end - 1] === 0) end--;
  return end;
}

describe('trimmedEnd: one past the last non-zero byte', () => {
  it('agrees with a byte scan at every last-byte position of a block', () => {
    const block = new Uint8Array(BLCKSZ);
    expect(trimmedEnd(block)).toBe(0);
    for (let at = 0; at < BLCKSZ; at += at < 64 ? 1 : 61) {
      block.fill(0);
      block[at] = 0x80;
      if (at > 3) block[at - 3] = 1;
      expect(trimmedEnd(block)).toBe(at + 1);
    }
    block.fill(0xff);
    expect(trimmedEnd(block)).toBe(BLCKSZ);
  });

  it('agrees on views at unaligned offsets and lengths', () => {
    const buffer = new Uint8Array(BLCKSZ + 16);
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const offset = seed % 9;
      const length = (seed >>> 8) % 300;
      buffer.fill(0);
      const last = length === 0 ? -1 : (seed >>> 16) % (length + 1);
      if (last >= 0 && last < length) buffer[offset + last] = 1 + (seed % 255);
      const view = buffer.subarray(offset, offset + length);
      expect(trimmedEnd(view), `offset ${offset} length ${length}`).toBe(byByte(view));
    }
  });
});
