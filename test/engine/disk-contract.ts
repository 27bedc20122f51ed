/**
 * The contract every Disk implementation passes (see src/engine/storage/disk.ts), run against
 * MemoryDisk and IdbDisk in Node (fake-indexeddb) and IdbDisk in Chromium (real IndexedDB), plus
 * the IdbDisk-specific suite shared by both of IdbDisk's environments.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BLCKSZ, DiskError, type Disk } from '../../src/engine/storage/disk.ts';
import { IdbDisk, type IdbDiskOptions } from '../../src/workers/idb-disk.ts';

/** One disk under test and the ways to restart it. */
export interface DiskFixture {
  disk: Disk;
  /** A clean restart: the disk as a new process would open it (callers sync first). */
  reopen: () => Promise<Disk>;
  /** Power loss: unsynced writes are gone; returns the disk as it comes back. */
  crash: () => Promise<Disk>;
  /**
   * Makes every later sync (of the current disk) fail with "No space left on device", or stops
   * it: the lab's diskFull fault, through Disk.setFaults.
   */
  setFull: (full: boolean) => void;
  /** Releases what the fixture holds (closes connections, deletes databases). */
  cleanup?: () => Promise<void>;
}

/** A block filled with `byte`. */
export function page(byte: number): Uint8Array {
  return new Uint8Array(BLCKSZ).fill(byte);
}

/** The fill byte of a block, or undefined when the block is missing (checks the block is uniform). */
export function byteOf(disk: Disk, file: string, block: number): number | undefined {
  const b = disk.read(file, block);
  if (!b) return undefined;
  expect(b.length).toBe(BLCKSZ);
  expect(b.every((x) => x === b[0])).toBe(true);
  return b[0];
}

/** Registers the Disk contract for one implementation. */
export function diskContract(name: string, make: () => Promise<DiskFixture>): void {
  describe(`Disk contract: ${name}`, () => {
    const fixtures: DiskFixture[] = [];
    async function fixture(): Promise<DiskFixture> {
      const f = await make();
      fixtures.push(f);
      return f;
    }
    afterEach(async () => {
      for (const f of fixtures.splice(0)) await f.cleanup?.();
    });

    it('reads back what was written, and nothing for blocks never written', async () => {
      const { disk } = await fixture();
      expect(disk.read('base/1', 0)).toBeUndefined();
      disk.write('base/1', 0, page(7));
      disk.write('base/1', 1, page(8));
      expect(byteOf(disk, 'base/1', 0)).toBe(7);
      expect(byteOf(disk, 'base/1', 1)).toBe(8);
      expect(disk.read('base/1', 2)).toBeUndefined();
      expect(disk.read('base/2', 0)).toBeUndefined();
      disk.write('base/1', 0, page(9));
      expect(byteOf(disk, 'base/1', 0)).toBe(9);
    });

    it('rejects writes that are not one block', async () => {
      const { disk } = await fixture();
      expect(() => disk.write('f', 0, new Uint8Array(BLCKSZ - 1))).toThrow();
      expect(() => disk.write('f', 0, new Uint8Array(BLCKSZ + 1))).toThrow();
      expect(disk.nblocks('f')).toBe(0);
    });

    it('copies on write and on read', async () => {
      const { disk } = await fixture();
      const src = page(1);
      disk.write('f', 0, src);
      src.fill(2);
      expect(byteOf(disk, 'f', 0)).toBe(1);
      const got = disk.read('f', 0)!;
      got.fill(3);
      expect(byteOf(disk, 'f', 0)).toBe(1);
      expect(disk.read('f', 0)).not.toBe(disk.read('f', 0));
    });

    it('view() shows the current bytes of a block without a copy, and nothing for a missing one', async () => {
      const { disk } = await fixture();
      expect(disk.view('f', 0)).toBeUndefined();
      disk.write('f', 0, page(1));
      expect(disk.view('f', 0)).toEqual(page(1));
      expect(disk.view('f', 0)).toBe(disk.view('f', 0));
      disk.write('f', 0, page(2));
      expect(disk.view('f', 0)![0]).toBe(2);
      disk.truncate('f', 0);
      expect(disk.view('f', 0)).toBeUndefined();
    });

    it('stores a view into a bigger buffer as just that block', async () => {
      const { disk, crash } = await fixture();
      const big = new Uint8Array(3 * BLCKSZ);
      big
        .fill(4, 0, BLCKSZ)
        .fill(5, BLCKSZ, 2 * BLCKSZ)
        .fill(6, 2 * BLCKSZ);
      disk.write('f', 0, big.subarray(BLCKSZ, 2 * BLCKSZ));
      await disk.sync();
      const d = await crash();
      expect(byteOf(d, 'f', 0)).toBe(5);
    });

    it('counts blocks as highest written + 1', async () => {
      const { disk } = await fixture();
      expect(disk.nblocks('f')).toBe(0);
      disk.write('f', 0, page(1));
      expect(disk.nblocks('f')).toBe(1);
      disk.write('f', 4, page(1));
      expect(disk.nblocks('f')).toBe(5);
      expect(disk.read('f', 2)).toBeUndefined();
    });

    it('truncates', async () => {
      const { disk } = await fixture();
      for (let b = 0; b < 5; b++) disk.write('f', b, page(b + 1));
      disk.truncate('f', 2);
      expect(disk.nblocks('f')).toBe(2);
      expect(byteOf(disk, 'f', 1)).toBe(2);
      expect(disk.read('f', 2)).toBeUndefined();
      expect(disk.read('f', 4)).toBeUndefined();
      disk.truncate('f', 10);
      expect(disk.nblocks('f')).toBe(2);
      disk.truncate('missing', 0);
      expect(disk.files()).toEqual(['f']);
      disk.truncate('f', 0);
      expect(disk.nblocks('f')).toBe(0);
      expect(disk.files()).toEqual([]);
    });

    it('unlinks', async () => {
      const { disk } = await fixture();
      disk.write('a', 0, page(1));
      disk.write('b', 0, page(2));
      disk.unlink('a');
      expect(disk.read('a', 0)).toBeUndefined();
      expect(disk.nblocks('a')).toBe(0);
      expect(disk.files()).toEqual(['b']);
      disk.unlink('never-existed');
      disk.write('a', 1, page(3));
      expect(disk.nblocks('a')).toBe(2);
      expect(disk.read('a', 0)).toBeUndefined();
    });

    it('lists files sorted, filtered by prefix', async () => {
      const { disk } = await fixture();
      for (const f of ['pg_wal/000002', 'base/16384', 'pg_wal/000001', 'base/1', 'global/pg_control'])
        disk.write(f, 0, page(1));
      expect(disk.files()).toEqual([
        'base/1',
        'base/16384',
        'global/pg_control',
        'pg_wal/000001',
        'pg_wal/000002',
      ]);
      expect(disk.files('pg_wal/')).toEqual(['pg_wal/000001', 'pg_wal/000002']);
      expect(disk.files('base/1')).toEqual(['base/1', 'base/16384']);
      expect(disk.files('nothing')).toEqual([]);
    });

    it('keeps synced data across a restart', async () => {
      const { disk, reopen } = await fixture();
      disk.write('base/1', 0, page(1));
      disk.write('base/1', 1, page(2));
      disk.write('pg_wal/1', 0, page(3));
      await disk.sync();
      const d = await reopen();
      expect(d.files()).toEqual(['base/1', 'pg_wal/1']);
      expect(d.nblocks('base/1')).toBe(2);
      expect(byteOf(d, 'base/1', 0)).toBe(1);
      expect(byteOf(d, 'base/1', 1)).toBe(2);
      expect(byteOf(d, 'pg_wal/1', 0)).toBe(3);
    });

    it('loses unsynced writes in a crash and keeps the synced ones', async () => {
      const { disk, crash } = await fixture();
      disk.write('f', 0, page(1));
      await disk.sync();
      disk.write('f', 0, page(2));
      disk.write('f', 1, page(3));
      disk.write('g', 0, page(4));
      const d = await crash();
      expect(byteOf(d, 'f', 0)).toBe(1);
      expect(d.read('f', 1)).toBeUndefined();
      expect(d.nblocks('f')).toBe(1);
      expect(d.files()).toEqual(['f']);
    });

    it('keeps the last write of a block when several are synced together', async () => {
      const { disk, crash } = await fixture();
      disk.write('f', 0, page(1));
      disk.write('f', 0, page(2));
      disk.truncate('f', 0);
      disk.write('f', 0, page(3));
      disk.write('f', 1, page(4));
      disk.write('f', 0, page(5));
      await disk.sync();
      const d = await crash();
      expect(byteOf(d, 'f', 0)).toBe(5);
      expect(byteOf(d, 'f', 1)).toBe(4);
    });

    it('makes unlink and truncate durable only at sync', async () => {
      const { disk, crash } = await fixture();
      for (let b = 0; b < 4; b++) disk.write('t', b, page(1));
      disk.write('u', 0, page(2));
      await disk.sync();
      disk.unlink('u');
      disk.truncate('t', 1);
      let d = await crash();
      expect(d.files()).toEqual(['t', 'u']);
      expect(d.nblocks('t')).toBe(4);
      d.unlink('u');
      d.truncate('t', 1);
      await d.sync();
      d = await crash();
      expect(d.files()).toEqual(['t']);
      expect(d.nblocks('t')).toBe(1);
      expect(d.read('t', 2)).toBeUndefined();
    });

    it('syncs a file unlinked then recreated as the new file only', async () => {
      const { disk, crash } = await fixture();
      for (let b = 0; b < 3; b++) disk.write('f', b, page(1));
      await disk.sync();
      disk.unlink('f');
      disk.write('f', 1, page(2));
      await disk.sync();
      const d = await crash();
      expect(d.nblocks('f')).toBe(2);
      expect(d.read('f', 0)).toBeUndefined();
      expect(byteOf(d, 'f', 1)).toBe(2);
      expect(d.read('f', 2)).toBeUndefined();
    });

    it('covers the writes of every caller when syncs overlap', async () => {
      const { disk, crash } = await fixture();
      disk.write('f', 0, page(1));
      const first = disk.sync();
      disk.write('f', 1, page(2));
      const second = disk.sync();
      await second;
      const d = await crash();
      expect(byteOf(d, 'f', 0)).toBe(1);
      expect(byteOf(d, 'f', 1)).toBe(2);
      await expect(first).resolves.toBeUndefined();
    });

    it('fails a sync on a full disk, keeps the batch pending, and succeeds once space is back', async () => {
      const f = await fixture();
      const { disk } = f;
      disk.write('keep', 0, page(9));
      await disk.sync();
      disk.write('f', 0, page(1));
      disk.write('f', 1, page(2));
      disk.unlink('keep');
      f.setFull(true);
      const err: unknown = await disk.sync().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DiskError);
      expect(err).toMatchObject({
        code: '53100',
        message: 'could not write to file: No space left on device',
      });
      // The cache still shows the writes; nothing of the failed batch is durable.
      expect(byteOf(disk, 'f', 1)).toBe(2);
      await expect(disk.sync()).rejects.toMatchObject({ code: '53100' });
      // Newer writes land on top of the failed batch.
      disk.write('f', 1, page(3));
      disk.write('g', 0, page(4));
      f.setFull(false);
      await disk.sync();
      const d = await f.crash();
      expect(d.files()).toEqual(['f', 'g']);
      expect(byteOf(d, 'f', 0)).toBe(1);
      expect(byteOf(d, 'f', 1)).toBe(3);
      expect(byteOf(d, 'g', 0)).toBe(4);
    });

    it('checkIO succeeds out of band: pending writes stay pending, and a full disk fails it', async () => {
      const f = await fixture();
      f.disk.write('f', 0, page(1));
      const stats = { ...f.disk.stats };
      await f.disk.checkIO();
      // It carried nothing of the data: the write is still unsynced, no sync was counted.
      expect(f.disk.stats).toEqual(stats);
      expect(f.disk.files()).toEqual(['f']);
      const lost = await f.crash();
      expect(lost.files()).toEqual([]);
      f.setFull(true);
      await expect(lost.checkIO()).rejects.toMatchObject({ code: '53100' });
      f.setFull(false);
      await lost.checkIO();
    });

    it("a slow disk (the lab's slowDisk fault) delays every sync and I/O check until it is lifted", async () => {
      const { disk } = await fixture();
      const timed = async (work: Promise<void>): Promise<number> => {
        const t0 = performance.now();
        await work;
        return performance.now() - t0;
      };
      disk.setFaults({ latencyMs: 120 });
      disk.write('f', 0, page(1));
      // A timer never fires early (a millisecond of rounding aside).
      expect(await timed(disk.sync())).toBeGreaterThanOrEqual(118);
      expect(await timed(disk.checkIO())).toBeGreaterThanOrEqual(118);
      disk.setFaults({ latencyMs: 0 });
      disk.write('f', 1, page(2));
      await disk.sync();
      expect(byteOf(disk, 'f', 1)).toBe(2);
    });

    it('loses a failed batch in a crash, keeping the last successful sync', async () => {
      const f = await fixture();
      f.disk.write('f', 0, page(1));
      await f.disk.sync();
      f.disk.write('f', 0, page(2));
      f.disk.write('f', 1, page(3));
      f.disk.unlink('g');
      f.setFull(true);
      await expect(f.disk.sync()).rejects.toBeInstanceOf(DiskError);
      const d = await f.crash();
      expect(byteOf(d, 'f', 0)).toBe(1);
      expect(d.nblocks('f')).toBe(1);
    });

    it('counts syncs and the blocks and bytes they wrote', async () => {
      const f = await fixture();
      const { disk } = f;
      expect(disk.stats).toEqual({ syncs: 0, blocksSynced: 0, bytesSynced: 0 });
      disk.write('f', 0, page(1));
      disk.write('f', 1, page(1));
      disk.write('g', 0, page(1));
      await disk.sync();
      expect(disk.stats).toEqual({ syncs: 1, blocksSynced: 3, bytesSynced: 3 * BLCKSZ });
      disk.write('f', 2, page(1));
      f.setFull(true);
      await expect(disk.sync()).rejects.toBeInstanceOf(DiskError);
      expect(disk.stats).toEqual({ syncs: 1, blocksSynced: 3, bytesSynced: 3 * BLCKSZ });
      f.setFull(false);
      await disk.sync();
      expect(disk.stats).toEqual({ syncs: 2, blocksSynced: 4, bytesSynced: 4 * BLCKSZ });
      disk.unlink('g');
      await disk.sync();
      expect(disk.stats).toEqual({ syncs: 3, blocksSynced: 4, bytesSynced: 4 * BLCKSZ });
    });
  });
}

/** Where an IdbDisk test finds IndexedDB: a fresh fake factory in Node, the real one in a browser. */
export type IdbEnv = () => IdbDiskOptions;

let dbCounter = 0;
/** A database name no other test (or earlier run, in a real browser) uses. */
export function uniqueDbName(prefix = 'disk-test'): string {
  const rand = Math.floor(Math.random() * 2 ** 32).toString(36);
  return `${prefix}-${Date.now().toString(36)}-${rand}-${++dbCounter}`;
}

/** A DiskFixture over an IdbDisk: crash/reopen close the connection without syncing and open anew. */
export async function idbFixture(env: IdbEnv): Promise<
  DiskFixture & {
    current: () => IdbDisk;
    name: string;
    options: IdbDiskOptions;
    cleanup: () => Promise<void>;
  }
> {
  const options = env();
  const name = uniqueDbName();
  let current = await IdbDisk.open(name, options);
  const restart = async (): Promise<Disk> => {
    current.close();
    current = await IdbDisk.open(name, options);
    return current;
  };
  return {
    disk: current,
    name,
    options,
    current: () => current,
    reopen: restart,
    crash: restart,
    setFull: (full) => current.setFaults({ full }),
    cleanup: async () => {
      current.close();
      await IdbDisk.destroy(name, options);
    },
  };
}

/** Creates the database `name` at `version` as an older disk would have, with `setup` as its upgrade. */
export function createDatabase(
  factory: IDBFactory,
  name: string,
  version: number,
  setup: (db: IDBDatabase) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = factory.open(name, version);
    req.onupgradeneeded = () => setup(req.result);
    req.onsuccess = () => {
      req.result.close();
      resolve();
    };
    req.onerror = () => reject(req.error);
  });
}

/** Reads the raw stored records of a database's store, to check the on-disk layout. */
export async function rawRecords(
  name: string,
  factory: IDBFactory,
  store: 'blocks' | 'extents' | 'journal' = 'blocks',
): Promise<{ key: IDBValidKey; value: unknown }[]> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = factory.open(name);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  try {
    return await new Promise((resolve, reject) => {
      const out: { key: IDBValidKey; value: unknown }[] = [];
      const req = db.transaction(store, 'readonly').objectStore(store).openCursor();
      req.onsuccess = () => {
        const c = req.result;
        if (!c) return resolve(out);
        out.push({ key: c.key, value: c.value });
        c.continue();
      };
      req.onerror = () => reject(req.error);
    });
  } finally {
    db.close();
  }
}

/** IdbDisk behaviour beyond the Disk contract: layout, quota, coalescing, closing, deletion. */
export function idbDiskSuite(name: string, env: IdbEnv): void {
  describe(`IdbDisk: ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    async function fixture() {
      const f = await idbFixture(env);
      cleanups.push(f.cleanup);
      return f;
    }
    afterEach(async () => {
      vi.restoreAllMocks();
      for (const c of cleanups.splice(0)) await c();
    });

    /** Replaces IDBObjectStore.prototype.put for the rest of the test. */
    function patchPut(
      impl: (
        put: IDBObjectStore['put'],
        store: IDBObjectStore,
        value: unknown,
        key?: IDBValidKey,
      ) => IDBRequest,
    ) {
      const put = IDBObjectStore.prototype.put;
      vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
        this: IDBObjectStore,
        value: unknown,
        key?: IDBValidKey,
      ) {
        return impl(put, this, value, key);
      });
    }

    async function keys(f: { name: string; options: IdbDiskOptions }): Promise<IDBValidKey[]> {
      return (await rawRecords(f.name, f.options.idbFactory ?? indexedDB)).map((r) => r.key);
    }

    it('stores a block without its trailing zeros and reads it back whole', async () => {
      const f = await fixture();
      const tail = new Uint8Array(BLCKSZ);
      tail.set([7, 0, 9], 100); // zeros inside are kept; only the trailing run goes
      f.disk.write('wal', 0, tail);
      f.disk.write('wal', 1, new Uint8Array(BLCKSZ));
      f.disk.write('wal', 2, page(3));
      await f.disk.sync();
      const sizes = (await rawRecords(f.name, f.options.idbFactory ?? indexedDB)).map(
        (r) => (r.value as ArrayBuffer).byteLength,
      );
      expect(sizes).toEqual([103, 0, BLCKSZ]);
      expect(f.disk.stats.bytesSynced).toBe(103 + BLCKSZ);
      const again = await f.reopen();
      expect(again.read('wal', 0)).toEqual(tail);
      expect(again.read('wal', 1)).toEqual(new Uint8Array(BLCKSZ));
      expect(again.read('wal', 2)).toEqual(page(3));
    });

    it('maps QuotaExceededError to disk_full and commits nothing of the batch', async () => {
      const f = await fixture();
      for (let b = 0; b < 3; b++) f.disk.write('f', b, page(1));
      await f.disk.sync();
      f.disk.unlink('f');
      f.disk.write('g', 0, page(2));
      f.disk.write('g', 1, page(2));
      let calls = 0;
      patchPut((put, store, value, key) => {
        if (++calls === 2) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return put.call(store, value, key);
      });
      await expect(f.disk.sync()).rejects.toMatchObject({ name: 'DiskError', code: '53100' });
      vi.restoreAllMocks();
      expect(await keys(f)).toEqual([
        ['f', 0],
        ['f', 1],
        ['f', 2],
      ]);
      await f.disk.sync();
      expect(await keys(f)).toEqual([
        ['g', 0],
        ['g', 1],
      ]);
      expect(f.disk.stats).toEqual({ syncs: 2, blocksSynced: 5, bytesSynced: 5 * BLCKSZ });
    });

    // A sync of 150 blocks issues its puts in slices of 64, awaiting each slice's last one: the
    // failure lands in the first slice, the second, or the last one nobody awaits. Every third
    // block, so that each is a record of its own (idb-extents.ts).
    it.each([10, 100, 140])(
      'a sync of many blocks whose request %i fails reports that failure and commits none of it',
      async (failing) => {
        const f = await fixture();
        for (let b = 0; b < 150; b++) f.disk.write('f', 3 * b, page(1));
        await f.disk.sync();
        for (let b = 0; b < 150; b++) f.disk.write('f', 3 * b, page(2));
        let calls = 0;
        // add() of an existing key fails its request asynchronously, aborting the transaction.
        patchPut((put, store, value, key) =>
          ++calls === failing ? store.add(value, key) : put.call(store, value, key),
        );
        const failed = await f.disk.sync().then(
          () => undefined,
          (e: unknown) => e as { name: string; code: string; message: string },
        );
        expect(failed).toMatchObject({ name: 'DiskError', code: '58030' });
        // The cause, not the AbortError of the request that was awaited.
        expect(failed?.message).toMatch(/ConstraintError/);
        vi.restoreAllMocks();
        const d = await f.crash();
        for (const b of [0, failing - 1, 149]) expect(byteOf(d, 'f', 3 * b)).toBe(1);
      },
    );

    it('maps an aborted transaction to io_error and keeps the batch pending', async () => {
      const f = await fixture();
      f.disk.write('f', 0, page(1));
      f.disk.write('h', 0, page(1));
      await f.disk.sync();
      f.disk.unlink('h');
      f.disk.write('f', 0, page(2));
      // add() of an existing key fails its request, which aborts the transaction asynchronously.
      patchPut((_put, store, value, key) => store.add(value, key));
      await expect(f.disk.sync()).rejects.toMatchObject({ name: 'DiskError', code: '58030' });
      vi.restoreAllMocks();
      expect(await keys(f)).toEqual([
        ['f', 0],
        ['h', 0],
      ]);
      await f.disk.sync();
      const d = await f.crash();
      expect(d.files()).toEqual(['f']);
      expect(byteOf(d, 'f', 0)).toBe(2);
    });

    it('stores each block as its own ArrayBuffer under [file, block]', async () => {
      const f = await fixture();
      const big = new Uint8Array(2 * BLCKSZ).fill(3);
      f.disk.write('base/1', 2, big.subarray(BLCKSZ));
      f.disk.write('base/1', 0, page(1));
      f.disk.write('a', 0, page(2));
      await f.disk.sync();
      const records = await rawRecords(f.name, f.options.idbFactory ?? indexedDB);
      expect(records.map((r) => r.key)).toEqual([
        ['a', 0],
        ['base/1', 0],
        ['base/1', 2],
      ]);
      for (const r of records) {
        expect(Object.prototype.toString.call(r.value)).toBe('[object ArrayBuffer]');
        expect((r.value as ArrayBuffer).byteLength).toBe(BLCKSZ);
      }
      expect(new Uint8Array(records[2]!.value as ArrayBuffer)[0]).toBe(3);
    });

    it('coalesces: the last write per block is the one synced', async () => {
      const f = await fixture();
      for (let i = 1; i <= 5; i++) f.disk.write('f', 0, page(i));
      expect(f.current().pendingWrites).toBe(1);
      await f.disk.sync();
      expect(f.disk.stats).toEqual({ syncs: 1, blocksSynced: 1, bytesSynced: BLCKSZ });
      expect(f.current().pendingWrites).toBe(0);
      expect(byteOf(await f.crash(), 'f', 0)).toBe(5);
    });

    it('takes the batch when sync is called: later writes wait for the next sync', async () => {
      const f = await fixture();
      f.disk.write('f', 0, page(1));
      const p = f.disk.sync();
      f.disk.write('f', 0, page(2));
      f.disk.write('f', 1, page(2));
      await p;
      expect(f.current().pendingWrites).toBe(2);
      expect(byteOf(await f.crash(), 'f', 0)).toBe(1);
    });

    it('enforces quotaBytes against the durable size after the batch', async () => {
      const f = await fixture();
      const disk = f.current();
      disk.quotaBytes = 2 * BLCKSZ;
      disk.write('f', 0, page(1));
      disk.write('f', 1, page(1));
      await disk.sync();
      expect(disk.durableBytes()).toBe(2 * BLCKSZ);
      disk.write('f', 0, page(2)); // an overwrite takes no new space
      await disk.sync();
      disk.write('g', 0, page(3));
      await expect(disk.sync()).rejects.toMatchObject({ name: 'DiskError', code: '53100' });
      expect(disk.durableBytes()).toBe(2 * BLCKSZ);
      disk.truncate('f', 1); // frees a block, in the same batch as the pending write
      await disk.sync();
      expect(disk.durableBytes()).toBe(2 * BLCKSZ);
      const d = await f.crash();
      expect(d.files()).toEqual(['f', 'g']);
      expect(d.nblocks('f')).toBe(1);
      expect(byteOf(d, 'f', 0)).toBe(2);
      expect((d as IdbDisk).durableBytes()).toBe(2 * BLCKSZ);
    });

    it('rejects syncs with an I/O error once closed', async () => {
      const f = await fixture();
      const disk = f.current();
      disk.write('f', 0, page(1));
      disk.close();
      expect(disk.closed).toBe(true);
      await expect(disk.sync()).rejects.toMatchObject({ name: 'DiskError', code: '58030' });
      expect(disk.pendingWrites).toBe(1);
    });

    it('lets destroy delete the database while it is open', async () => {
      const f = await fixture();
      const disk = f.current();
      disk.write('f', 0, page(1));
      await disk.sync();
      await IdbDisk.destroy(f.name, f.options);
      expect(disk.closed).toBe(true);
      await expect(disk.sync()).rejects.toMatchObject({ code: '58030' });
      const fresh = await f.reopen();
      expect(fresh.files()).toEqual([]);
    });

    it('round-trips many blocks across many files', async () => {
      const f = await fixture();
      for (let file = 0; file < 10; file++)
        for (let b = 0; b < 50; b++) f.disk.write(`base/${file}`, b, page((file * 50 + b) % 251));
      await f.disk.sync();
      f.disk.truncate('base/3', 10);
      f.disk.unlink('base/7');
      await f.disk.sync();
      const d = await f.reopen();
      expect(d.files()).toHaveLength(9);
      expect(d.nblocks('base/3')).toBe(10);
      expect(d.nblocks('base/9')).toBe(50);
      expect(byteOf(d, 'base/9', 49)).toBe((9 * 50 + 49) % 251);
      expect(d.stats.syncs).toBe(0);
    });
  });
}
