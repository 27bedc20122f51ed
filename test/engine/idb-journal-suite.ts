/**
 * IdbDisk's sync journal (src/workers/idb-disk.ts): a small sync is one record of the byte
 * ranges that changed; a large one, or one that truncates, folds the journal into the blocks.
 * Run in Node (fake-indexeddb) and in Chromium (real IndexedDB), against a model of what must be
 * durable after every sync and crash.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BLCKSZ } from '../../src/engine/storage/disk.ts';
import { IdbDisk } from '../../src/workers/idb-disk.ts';
import { createDatabase, idbFixture, page, rawRecords, uniqueDbName, type IdbEnv } from './disk-contract.ts';

/** A block whose bytes `from`..`to` are `byte`, the rest taken from `base` (zeros by default). */
function patched(from: number, to: number, byte: number, base?: Uint8Array): Uint8Array {
  const b = base ? base.slice() : new Uint8Array(BLCKSZ);
  b.fill(byte, from, to);
  return b;
}

/** A small deterministic PRNG (mulberry32), so a failing seed can be replayed. */
function rng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

type Files = Map<string, Map<number, Uint8Array>>;

/** A run of up to 40 whole pages from a random block, as a WAL flush or a bulk load writes. */
function writeRun(
  disk: IdbDisk,
  file: string,
  blocks: Map<number, Uint8Array>,
  next: (n: number) => number,
  span: number,
): void {
  const from = next(span);
  const to = Math.min(span, from + 1 + next(40));
  for (let block = from; block < to; block++) {
    const data = page(next(256));
    disk.write(file, block, data);
    blocks.set(block, data);
  }
}

function copyFiles(f: Files): Files {
  return new Map([...f].map(([name, blocks]) => [name, new Map(blocks)]));
}

/** The disk holds exactly what the model says is durable, file by file. */
function expectDurable(d: IdbDisk, durable: Files, fileNames: string[], seed: number): void {
  for (const file of fileNames) {
    const blocks = durable.get(file) ?? new Map<number, Uint8Array>();
    const n = blocks.size === 0 ? 0 : Math.max(...blocks.keys()) + 1;
    expect(d.nblocks(file), `${file} length (seed ${seed})`).toBe(n);
    for (let b = 0; b < n; b++) {
      const got = d.read(file, b);
      const want = blocks.get(b);
      // The deep comparison only where the bytes differ: it is slow over thousands of blocks.
      if (!sameBytes(got, want)) expect(got, `${file}/${b} (seed ${seed})`).toEqual(want);
    }
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * `inFlightSeeds`: the seeds of the costliest model test; Node and Chromium run different ones,
 * so CI covers more of them for the same time.
 */
export function idbJournalSuite(name: string, env: IdbEnv, inFlightSeeds: readonly number[]): void {
  describe(`IdbDisk sync journal: ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      vi.restoreAllMocks();
      for (const c of cleanups.splice(0)) await c();
    });
    async function fixture() {
      const f = await idbFixture(env);
      cleanups.push(f.cleanup);
      return { ...f, factory: f.options.idbFactory ?? indexedDB };
    }

    it('syncs a small change as one journal record of the changed bytes, and reads it back', async () => {
      const f = await fixture();
      const base = page(5);
      f.disk.write('wal', 0, base);
      await f.disk.sync(); // a whole page: into the blocks
      expect(await rawRecords(f.name, f.factory, 'journal')).toEqual([]);
      const bytes0 = f.disk.stats.bytesSynced;

      f.disk.write('wal', 0, patched(4000, 4100, 9, base));
      f.disk.write('wal', 1, patched(0, 103, 7)); // a new block: stored without its trailing zeros
      await f.disk.sync();
      const journal = await rawRecords(f.name, f.factory, 'journal');
      expect(journal).toHaveLength(1);
      // Each changed range is whole 4-byte words: 4000..4100, and 0..103 of the new block.
      expect(f.disk.stats.bytesSynced - bytes0).toBe(100 + 103);
      expect((journal[0]!.value as ArrayBuffer).byteLength).toBeLessThan(300);
      // The blocks store still holds the page as it was before the journaled change.
      const blocks = await rawRecords(f.name, f.factory, 'blocks');
      expect(blocks.map((r) => r.key)).toEqual([['wal', 0]]);
      expect(new Uint8Array(blocks[0]!.value as ArrayBuffer)[4000]).toBe(5);

      const again = await f.crash();
      expect(again.read('wal', 0)).toEqual(patched(4000, 4100, 9, base));
      expect(again.read('wal', 1)).toEqual(patched(0, 103, 7));
      expect(again.nblocks('wal')).toBe(2);
    });

    it('folds the journal into the blocks at a truncate, and at a sync of whole pages', async () => {
      const f = await fixture();
      f.disk.write('f', 0, patched(0, 10, 1));
      f.disk.write('g', 0, patched(0, 10, 2));
      await f.disk.sync();
      expect(await rawRecords(f.name, f.factory, 'journal')).toHaveLength(1);
      f.disk.truncate('g', 0);
      await f.disk.sync();
      expect(await rawRecords(f.name, f.factory, 'journal')).toEqual([]);
      expect((await rawRecords(f.name, f.factory)).map((r) => r.key)).toEqual([['f', 0]]);

      f.disk.write('f', 0, patched(0, 20, 3));
      await f.disk.sync();
      expect(await rawRecords(f.name, f.factory, 'journal')).toHaveLength(1);
      f.disk.write('h', 0, page(4));
      await f.disk.sync();
      expect(await rawRecords(f.name, f.factory, 'journal')).toEqual([]);
      const d = await f.crash();
      expect(d.files()).toEqual(['f', 'h']);
      expect(d.read('f', 0)).toEqual(patched(0, 20, 3));
    });

    it('folds once the journal holds 256 records', async () => {
      const f = await fixture();
      for (let i = 0; i < 256; i++) {
        f.disk.write('wal', 0, patched(0, 4 * (i + 1), i % 250));
        await f.disk.sync();
      }
      expect(await rawRecords(f.name, f.factory, 'journal')).toHaveLength(256);
      f.disk.write('wal', 0, patched(0, 2000, 251));
      await f.disk.sync();
      expect(await rawRecords(f.name, f.factory, 'journal')).toEqual([]);
      expect((await f.crash()).read('wal', 0)).toEqual(patched(0, 2000, 251));
    });

    it('keeps a failed small sync pending, merged with the writes made after it', async () => {
      const f = await fixture();
      const base = page(1);
      f.disk.write('f', 0, base);
      await f.disk.sync();
      const first = patched(100, 200, 2, base);
      f.disk.write('f', 0, first);
      f.setFull(true);
      await expect(f.disk.sync()).rejects.toMatchObject({ code: '53100' });
      f.setFull(false);
      f.disk.write('f', 0, patched(6000, 6100, 3, first));
      await f.disk.sync();
      expect((await f.crash()).read('f', 0)).toEqual(patched(6000, 6100, 3, first));
    });

    it('stores a block written back in its own cache array in full (a view changed in place)', async () => {
      const f = await fixture();
      f.disk.write('f', 0, page(5));
      await f.disk.sync();
      const v = f.disk.view('f', 0)!;
      v.fill(0, 1); // against the Disk contract, which says views are read-only
      v[0] = 9;
      f.disk.write('f', 0, v);
      await f.disk.sync();
      expect((await f.crash()).read('f', 0)).toEqual(patched(0, 1, 9));
    });

    it('opens a version 1 database (blocks only) and journals on top of it', async () => {
      const options = env(); // one factory for the whole test (Node gives each call a fresh one)
      const factory = options.idbFactory ?? indexedDB;
      const dbName = uniqueDbName('disk-v1');
      cleanups.push(() => IdbDisk.destroy(dbName, options));
      await createDatabase(factory, dbName, 1, (db) => {
        db.createObjectStore('blocks').put(page(6).buffer, ['f', 0]);
      });
      const disk = await IdbDisk.open(dbName, options);
      expect(disk.read('f', 0)).toEqual(page(6));
      disk.write('f', 0, patched(0, 8, 7, page(6)));
      await disk.sync();
      disk.close();
      const again = await IdbDisk.open(dbName, options);
      expect(again.read('f', 0)).toEqual(patched(0, 8, 7, page(6)));
      again.close();
    });

    // Blocks 0..4 for the journal; seeds 9-11 write over 100 blocks, with runs of whole pages
    // (up to 40), so that folds store extents, patch them with block records and cut them.
    it.each([
      [1, 5],
      [2, 5],
      [3, 5],
      [9, 100],
      [10, 100],
      [11, 100],
    ])(
      'matches a model of what is durable over random writes, truncates, syncs, failures and crashes (seed %i, %i blocks)',
      async (seed, span) => {
        const f = await fixture();
        const next = rng(seed);
        let cache: Files = new Map();
        let durable: Files = new Map();
        const fileNames = ['wal', 'base/1', 'global/pg_control'];
        let journaled = 0;
        let folded = 0;
        let extentsSeen = 0;
        const check = () => expectDurable(f.current(), durable, fileNames, seed);
        for (let op = 0; op < 160; op++) {
          const r = next(100);
          const file = fileNames[next(fileNames.length)]!;
          const blocks = cache.get(file) ?? new Map<number, Uint8Array>();
          cache.set(file, blocks);
          if (r < 55 && span > 5 && next(4) === 0) writeRun(f.current(), file, blocks, next, span);
          else if (r < 55) {
            const block = next(span);
            const old = blocks.get(block);
            let data: Uint8Array;
            if (next(8) === 0) data = page(next(256));
            else {
              const from = next(BLCKSZ);
              data = patched(from, Math.min(BLCKSZ, from + 1 + next(600)), next(256), old);
            }
            f.current().write(file, block, data);
            blocks.set(block, data);
          } else if (r < 62) {
            const n = next(span - 1);
            f.current().truncate(file, n);
            for (const b of [...blocks.keys()]) if (b >= n) blocks.delete(b);
          } else if (r < 65) {
            f.current().unlink(file);
            blocks.clear();
          } else if (r < 88) {
            const before = (await rawRecords(f.name, f.factory, 'journal')).length;
            await f.current().sync();
            const after = (await rawRecords(f.name, f.factory, 'journal')).length;
            if (after > before) journaled++;
            else if (after === 0 && before > 0) folded++;
            extentsSeen = Math.max(extentsSeen, (await rawRecords(f.name, f.factory, 'extents')).length);
            durable = copyFiles(cache);
          } else if (r < 93) {
            f.setFull(true);
            await expect(f.current().sync()).rejects.toMatchObject({ code: '53100' });
            f.setFull(false);
          } else {
            await f.crash();
            cache = copyFiles(durable);
            check();
          }
        }
        await f.current().sync();
        durable = copyFiles(cache);
        await f.crash();
        await check();
        // The run went through both kinds of sync.
        if (span > 5) expect(extentsSeen).toBeGreaterThan(1);
        else {
          expect(journaled).toBeGreaterThan(3);
          expect(folded).toBeGreaterThan(1);
        }
      },
    );
    // Each seed twice: over 3 blocks (the journal), and over 100 with runs of whole pages (extents).
    it.each(inFlightSeeds.flatMap((seed) => [[seed, 3] as const, [seed + 10, 100] as const]))(
      'matches the model with syncs left in flight while writing, and failed transactions (seed %i, %i blocks)',
      async (seed, span) => {
        const f = await fixture();
        const next = rng(seed);
        let cache: Files = new Map();
        let durable: Files = new Map();
        // A sync makes durable what had been written when it took its batch, which it does
        // synchronously as it starts (idb-disk.ts, syncNow): the model is copied right there.
        const follow = (d: IdbDisk) => {
          const inner = d as unknown as { syncNow(): Promise<void> };
          const syncNow = inner.syncNow.bind(d);
          inner.syncNow = async () => {
            const batch = copyFiles(cache);
            await syncNow();
            durable = batch;
          };
        };
        follow(f.current());
        // A failed transaction: the next put's transaction aborts after the put is issued, so
        // the sync fails later, while writes go on (the journal's and the fold's alike).
        let failPuts = 0;
        const put = IDBObjectStore.prototype.put;
        vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
          this: IDBObjectStore,
          value: unknown,
          key?: IDBValidKey,
        ) {
          const request = put.call(this, value, key);
          if (failPuts > 0) {
            failPuts--;
            const tx = this.transaction;
            queueMicrotask(() => {
              try {
                tx.abort();
              } catch {
                // Already finished: then it did not fail.
              }
            });
          }
          return request;
        });
        let inFlight: Promise<unknown>[] = [];
        const cursor = new Map<string, number>();
        const fileNames = ['wal', 'base/1', 'global/pg_control'];
        const check = () => expectDurable(f.current(), durable, fileNames, seed);
        for (let op = 0; op < 400; op++) {
          const r = next(100);
          const file = fileNames[next(fileNames.length)]!;
          const blocks = cache.get(file) ?? new Map<number, Uint8Array>();
          cache.set(file, blocks);
          // Mostly small changes to a few blocks (the journal's case); truncates and whole
          // pages, which fold it, now and then.
          const write = (file: string, blocks: Map<number, Uint8Array>) => {
            if (span > 3 && next(6) === 0) return writeRun(f.current(), file, blocks, next, span);
            const block = next(span);
            const old = blocks.get(block);
            // Near where this block was last changed, as WAL appends and pg_control rewrites
            // are: so that syncs stay small enough for the journal.
            const at = `${file}/${block}`;
            const from = Math.min(BLCKSZ - 1, (cursor.get(at) ?? next(BLCKSZ)) + next(64));
            cursor.set(at, from >= BLCKSZ - 300 ? next(BLCKSZ) : from);
            const data =
              next(20) === 0
                ? page(next(256))
                : patched(from, Math.min(BLCKSZ, from + 1 + next(300)), next(256), old);
            f.current().write(file, block, data);
            blocks.set(block, data);
          };
          if (r < 40) write(file, blocks);
          else if (r < 41) {
            const n = next(span + 1);
            f.current().truncate(file, n);
            for (const b of [...blocks.keys()]) if (b >= n) blocks.delete(b);
          } else if (r < 42) {
            f.current().unlink(file);
            blocks.clear();
          } else if (r < 70) {
            if (next(4) === 0) failPuts = 1;
            inFlight.push(
              f
                .current()
                .sync()
                .catch(() => undefined),
            );
            // Writes while it is in flight, to the blocks it is making durable.
            for (let k = next(4); k > 0; k--) write(file, blocks);
            if (next(2) === 0) await new Promise((resolve) => setTimeout(resolve, 0));
          } else if (r < 86) {
            await new Promise((resolve) => setTimeout(resolve, 0));
          } else if (r < 93) {
            await Promise.all(inFlight);
            inFlight = [];
            failPuts = 0;
          } else {
            // Power loss with syncs in flight: each still lands or fails; then the disk reopens.
            f.current().close();
            await Promise.all(inFlight);
            inFlight = [];
            failPuts = 0;
            await f.crash();
            follow(f.current());
            cache = copyFiles(durable);
            check();
          }
        }
        await Promise.all(inFlight);
        failPuts = 0;
        await f.current().sync();
        await f.crash();
        check();
      },
    );
  });
}
