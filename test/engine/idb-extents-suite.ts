/**
 * IdbDisk's extents (src/workers/idb-extents.ts) as stored: runs of blocks in one record per
 * chunk, patched by block records, cut by truncates, and read back after a crash. Run in Node
 * (fake-indexeddb) and in Chromium (real IndexedDB).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BLCKSZ } from '../../src/engine/storage/disk.ts';
import { IdbDisk } from '../../src/workers/idb-disk.ts';
import { EXTENT_BLOCKS as E, EXTENT_MIN_BLOCKS as M, decodeExtent } from '../../src/workers/idb-extents.ts';
import { createDatabase, idbFixture, page, rawRecords, uniqueDbName, type IdbEnv } from './disk-contract.ts';

export function idbExtentsSuite(name: string, env: IdbEnv): void {
  describe(`IdbDisk extents: ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const c of cleanups.splice(0)) await c();
    });
    async function fixture() {
      const f = await idbFixture(env);
      cleanups.push(f.cleanup);
      const factory = f.options.idbFactory ?? indexedDB;
      const keys = async (store: 'blocks' | 'extents') =>
        (await rawRecords(f.name, factory, store)).map((r) => r.key);
      /** Two chunks and two blocks of `f`, block b holding page(b + 1), synced. */
      const run = async () => {
        for (let b = 0; b < 2 * E + 2; b++) f.disk.write('f', b, page(b + 1));
        await f.disk.sync();
      };
      return { ...f, factory, keys, run };
    }
    const expectBlocks = (d: IdbDisk, bytes: (number | undefined)[]) => {
      expect(d.nblocks('f')).toBe(bytes.length);
      bytes.forEach((byte, b) =>
        expect(d.read('f', b), `block ${b}`).toEqual(byte === undefined ? undefined : page(byte)),
      );
    };
    const firstRun = Array.from({ length: 2 * E + 2 }, (_, b) => b + 1);
    const extentBytes = 2 + 2 * E + E * BLCKSZ;

    it('stores a run of blocks as one record per full chunk, and the blocks past them as their own', async () => {
      const f = await fixture();
      await f.run();
      expect(await f.keys('extents')).toEqual([
        ['f', 0],
        ['f', E],
      ]);
      expect(await f.keys('blocks')).toEqual([
        ['f', 2 * E],
        ['f', 2 * E + 1],
      ]);
      const extents = await rawRecords(f.name, f.factory, 'extents');
      expect((extents[0]!.value as ArrayBuffer).byteLength).toBe(extentBytes);
      expect(decodeExtent(extents[1]!.value as ArrayBuffer).map((s) => s.data[0])).toEqual(
        firstRun.slice(E, 2 * E),
      );
      expect(f.disk.stats).toEqual({
        syncs: 1,
        blocksSynced: 2 * E + 2,
        bytesSynced: 2 * extentBytes + 2 * BLCKSZ,
      });
      expect(f.current().durableBytes()).toBe((2 * E + 2) * BLCKSZ);
      const d = await f.crash();
      expectBlocks(d as IdbDisk, firstRun);
      expect((d as IdbDisk).durableBytes()).toBe((2 * E + 2) * BLCKSZ);
    });

    it('patches an extent with a block record, and drops the record when the extent is rewritten', async () => {
      const f = await fixture();
      await f.run();
      f.disk.write('f', 3, page(100)); // a whole page changed: too large for the journal
      await f.disk.sync();
      expect(await f.keys('blocks')).toEqual([
        ['f', 3],
        ['f', 2 * E],
        ['f', 2 * E + 1],
      ]);
      // The extent still holds the block's older copy; the record shadows it.
      const extent = (await rawRecords(f.name, f.factory, 'extents'))[0]!.value as ArrayBuffer;
      expect(decodeExtent(extent)[3]!.data).toEqual(page(4));
      let d = (await f.crash()) as IdbDisk;
      expectBlocks(
        d,
        firstRun.map((v, b) => (b === 3 ? 100 : v)),
      );

      // Enough of the chunk's other blocks to rewrite its extent.
      const rewritten = Array.from({ length: M }, (_, i) => (i < 3 ? i : i + 1));
      for (const b of rewritten) d.write('f', b, page(200 - b));
      await d.sync();
      expect(await f.keys('blocks')).toEqual([
        ['f', 2 * E],
        ['f', 2 * E + 1],
      ]);
      d = (await f.crash()) as IdbDisk;
      expectBlocks(
        d,
        firstRun.map((v, b) => (rewritten.includes(b) ? 200 - b : b === 3 ? 100 : v)),
      );
    });

    it('cuts an extent at a truncate in its chunk, so the blocks cut off never come back', async () => {
      const f = await fixture();
      await f.run();
      f.disk.write('f', 2, page(50)); // a block record inside the chunk that is cut
      await f.disk.sync();
      f.disk.truncate('f', 5);
      await f.disk.sync();
      expect(await f.keys('extents')).toEqual([['f', 0]]);
      expect(await f.keys('blocks')).toEqual([]);
      const extent = (await rawRecords(f.name, f.factory, 'extents'))[0]!.value as ArrayBuffer;
      expect(decodeExtent(extent).map((s) => [s.slot, s.data[0]])).toEqual([
        [0, 1],
        [1, 2],
        [2, 50],
        [3, 4],
        [4, 5],
      ]);
      expect(f.current().durableBytes()).toBe(5 * BLCKSZ);
      let d = (await f.crash()) as IdbDisk;
      expectBlocks(d, [1, 2, 50, 4, 5]);
      // A block past the cut, written alone: the blocks between stay missing.
      d.write('f', 7, page(77));
      await d.sync();
      d = (await f.crash()) as IdbDisk;
      expectBlocks(d, [1, 2, 50, 4, 5, undefined, undefined, 77]);
      d.unlink('f');
      await d.sync();
      expect(await f.keys('extents')).toEqual([]);
      expect(((await f.crash()) as IdbDisk).files()).toEqual([]);
    });

    it('opens a version 2 database (blocks and journal) and stores extents in it', async () => {
      const options = env();
      const factory = options.idbFactory ?? indexedDB;
      const dbName = uniqueDbName('disk-v2');
      cleanups.push(() => IdbDisk.destroy(dbName, options));
      await createDatabase(factory, dbName, 2, (db) => {
        db.createObjectStore('blocks').put(page(6).buffer, ['f', 0]);
        db.createObjectStore('journal');
      });
      const disk = await IdbDisk.open(dbName, options);
      expect(disk.read('f', 0)).toEqual(page(6));
      for (let b = 1; b <= M; b++) disk.write('f', b, page(b));
      await disk.sync();
      disk.close();
      const again = await IdbDisk.open(dbName, options);
      expectBlocks(again, [6, ...Array.from({ length: M }, (_, i) => i + 1)]);
      again.close();
      expect((await rawRecords(dbName, factory, 'extents')).map((r) => r.key)).toEqual([['f', 0]]);
    });
  });
}
