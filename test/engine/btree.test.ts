import { describe, expect, it } from 'vitest';
import { Instance } from '../../src/engine/instance/instance.ts';
import { MemoryDisk } from '../../src/engine/storage/memory-disk.ts';
import { noTrace } from '../../src/engine/runtime/clock.ts';
import { T, compareValues, type Value } from '../../src/engine/sql/types.ts';
import type { BtreeIndex, ScanBounds } from '../../src/engine/access/btree.ts';
import type { Tid } from '../../src/engine/storage/page.ts';
import { readMeta } from '../../src/engine/access/btree-page.ts';
import { ManualClock } from '../support/fake-clock.ts';

const TYPES = [T.int4, T.text];
const REL = 16390;

async function boot(disk = new MemoryDisk()) {
  if (!disk.files('global/').length) await Instance.initdb(disk, { systemIdentifier: 'test', time: 0 });
  return Instance.start({ disk, clock: new ManualClock(), trace: noTrace }, { shared_buffers: 16 });
}

/** A seeded stream of numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Entry {
  key: Value[];
  tid: Tid;
}

function randomEntries(n: number, seed: number): Entry[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    // Few distinct first columns (long runs of equal keys), NULLs, and wide text to split often.
    key: [r() < 0.05 ? null : Math.floor(r() * 40), 'x'.repeat(Math.floor(r() * 300)) + String(i % 7)],
    tid: { block: Math.floor(i / 50), offset: (i % 50) + 1 },
  }));
}

const cmp = (a: Value, b: Value): number =>
  a === null ? (b === null ? 0 : 1) : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0;

function expected(entries: Entry[], b: ScanBounds): string[] {
  const within = (k: Value[]) => {
    if (b.lower) {
      const c = b.lower.key.reduce<number>((acc, v, i) => acc || cmp(k[i]!, v), 0);
      if (c < 0 || (c === 0 && !b.lower.inclusive)) return false;
    }
    if (b.upper) {
      const c = b.upper.key.reduce<number>((acc, v, i) => acc || cmp(k[i]!, v), 0);
      if (c > 0 || (c === 0 && !b.upper.inclusive)) return false;
    }
    return true;
  };
  return entries
    .filter((e) => within(e.key))
    .sort(
      (x, y) =>
        cmp(x.key[0]!, y.key[0]!) ||
        cmp(x.key[1]!, y.key[1]!) ||
        x.tid.block - y.tid.block ||
        x.tid.offset - y.tid.offset,
    )
    .map((e) => `${e.tid.block},${e.tid.offset}`);
}

async function scanned(ix: BtreeIndex, b: ScanBounds): Promise<string[]> {
  const out: string[] = [];
  for await (const tids of ix.scan(b)) for (const t of tids) out.push(`${t.block},${t.offset}`);
  return out;
}

const BOUNDS: ScanBounds[] = [
  {},
  { lower: { key: [7], inclusive: true }, upper: { key: [7], inclusive: true } },
  { lower: { key: [3], inclusive: false }, upper: { key: [12], inclusive: true } },
  { lower: { key: [30], inclusive: true } },
  { upper: { key: [0], inclusive: false } },
  { lower: { key: [39], inclusive: false } },
];

describe('btree index', () => {
  it('a bottom-up build and one-at-a-time inserts give the same order, on every range', async () => {
    const entries = randomEntries(6000, 1);
    const inst = await boot();
    const tx = inst.xact.begin();
    inst.createStorage(tx, REL);
    inst.createStorage(tx, REL + 1);
    const built = inst.btree(REL, 'built', TYPES, compareValues);
    await built.build(tx, entries.slice());
    const grown = inst.btree(REL + 1, 'grown', TYPES, compareValues);
    await grown.build(tx, []);
    for (const e of entries) expect(await grown.insert(tx, e.key, e.tid)).toBe('ok');
    await inst.xact.commit(tx);
    for (const b of BOUNDS) {
      const want = expected(entries, b);
      expect(await scanned(built, b)).toEqual(want);
      expect(await scanned(grown, b)).toEqual(want);
    }
    // Deep enough to have split internal pages: the root is two levels above the leaves.
    for (const ix of [built, grown]) {
      const meta = await inst.pool.pin(ix.file, 0);
      expect(readMeta(meta.page).level).toBeGreaterThanOrEqual(2);
      inst.pool.unpin(meta);
    }
  });

  it('inserts concurrent with scans lose nothing, and redo after a crash rebuilds the same tree', async () => {
    const disk = new MemoryDisk();
    const inst = await boot(disk);
    const entries = randomEntries(1500, 2);
    const tx = inst.xact.begin();
    inst.createStorage(tx, REL);
    const ix = inst.btree(REL, 'ix', TYPES, compareValues);
    await ix.build(tx, entries.slice(0, 200));
    await inst.xact.commit(tx);
    const t2 = inst.xact.begin();
    // Scans run while the inserts split pages: each finds at least the entries it started with.
    const before = expected(entries.slice(0, 200), {});
    const scans = Array.from({ length: 5 }, () => scanned(ix, {}));
    await Promise.all(entries.slice(200).map((e) => ix.insert(t2, e.key, e.tid)));
    for (const s of await Promise.all(scans)) expect(s.filter((x) => before.includes(x))).toEqual(before);
    await inst.xact.commit(t2);
    const pages: Uint8Array[] = [];
    for (let b = 0; b < inst.pool.nblocks(ix.file); b++) {
      const f = await inst.pool.pin(ix.file, b);
      pages.push(f.page.slice());
      inst.pool.unpin(f);
    }
    inst.kill();
    disk.crash();
    const again = await boot(disk);
    const ix2 = again.btree(REL, 'ix', TYPES, compareValues);
    for (const b of BOUNDS) expect(await scanned(ix2, b)).toEqual(expected(entries, b));
    // Byte for byte, page LSNs included: what a mirror replaying the WAL would hold.
    for (let b = 0; b < pages.length; b++) {
      const f = await again.pool.pin(ix2.file, b);
      expect(Buffer.from(f.page.subarray(10)).equals(Buffer.from(pages[b]!.subarray(10)))).toBe(true);
      expect(Buffer.from(f.page.subarray(0, 8))).toEqual(Buffer.from(pages[b]!.subarray(0, 8)));
      again.pool.unpin(f);
    }
  });

  it('refuses an entry larger than a third of a page', async () => {
    const inst = await boot();
    const tx = inst.xact.begin();
    inst.createStorage(tx, REL);
    const ix = inst.btree(REL, 'wide', TYPES, compareValues);
    await ix.build(tx, []);
    await expect(ix.insert(tx, [1, 'y'.repeat(3000)], { block: 0, offset: 1 })).rejects.toMatchObject({
      code: '54000',
      message: expect.stringMatching(
        /^index row size \d+ exceeds btree version 4 maximum 2704 for index "wide"$/,
      ),
    });
  });
});
