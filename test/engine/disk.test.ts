// IdbDisk runs on fake-indexeddb here: `auto` installs the IDB globals (IDBKeyRange, and the classes
// idb's wrappers check against); each fixture still gets a fresh factory of its own.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { BLCKSZ } from '../../src/engine/storage/disk.ts';
import { MemoryDisk } from '../../src/engine/storage/memory-disk.ts';
import { diskContract, idbDiskSuite, idbFixture, type IdbEnv } from './disk-contract.ts';
import { idbExtentsSuite } from './idb-extents-suite.ts';
import { idbJournalSuite } from './idb-journal-suite.ts';

diskContract('MemoryDisk', async () => {
  const disk = new MemoryDisk((ms) => new Promise((r) => setTimeout(r, ms)));
  const restart = async () => {
    disk.crash();
    return disk;
  };
  return {
    disk,
    reopen: restart,
    crash: restart,
    setFull: (full) => disk.setFaults({ full }),
  };
});

const fakeIdb: IdbEnv = () => ({ idbFactory: new IDBFactory() });

diskContract('IdbDisk on fake-indexeddb', () => idbFixture(fakeIdb));
idbDiskSuite('fake-indexeddb', fakeIdb);
idbExtentsSuite('fake-indexeddb', fakeIdb);
idbJournalSuite('fake-indexeddb', fakeIdb, [4, 5]);

describe('MemoryDisk: a sync in flight when the machine loses power', () => {
  // A slow disk whose syncs land when the test says so.
  function slowDisk() {
    const gates: (() => void)[] = [];
    const disk = new MemoryDisk(() => new Promise<void>((r) => gates.push(r)));
    disk.latencyMs = 100;
    const land = async () => {
      gates.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    };
    return { disk, land };
  }
  const block = (byte: number) => new Uint8Array(BLCKSZ).fill(byte);

  it('never lands after the crash over what the restarted instance wrote', async () => {
    const { disk, land } = slowDisk();
    disk.write('f', 0, block(1));
    const old = disk.sync().then(
      () => 'landed',
      (e: Error) => e.message,
    );
    disk.crash();
    disk.write('f', 0, block(2));
    const fresh = disk.sync();
    await land();
    expect(await old).toMatch(/lost power/);
    await land();
    await fresh;
    disk.crash();
    expect(disk.read('f', 0)?.[0]).toBe(2);
  });

  it('is unsynced at the crash: lost, or torn with the pending writes after it', async () => {
    const { disk } = slowDisk();
    disk.write('f', 0, block(1));
    void disk.sync().catch(() => undefined);
    disk.crash();
    expect(disk.read('f', 0)).toBeUndefined();

    disk.write('f', 0, block(3));
    void disk.sync().catch(() => undefined);
    disk.write('f', 1, block(4));
    disk.crash('torn', 2);
    expect(disk.read('f', 0)?.[0]).toBe(3);
    const torn = disk.read('f', 1)!;
    expect([torn[0], torn[BLCKSZ - 1]]).toEqual([4, 0]);
  });

  it('lands in the order the syncs were issued', async () => {
    const { disk, land } = slowDisk();
    disk.write('f', 0, block(1));
    const first = disk.sync();
    // The disk is fast again: the second sync has no delay, yet it must not land first.
    disk.latencyMs = 0;
    disk.write('f', 0, block(2));
    const second = disk.sync();
    await land();
    await Promise.all([first, second]);
    disk.crash();
    expect(disk.read('f', 0)?.[0]).toBe(2);
  });

  it.each(['full', 'failNextSync'] as const)(
    'a failed sync (%s) fails the syncs issued behind it, and its writes stay older than theirs',
    async (fault) => {
      const { disk, land } = slowDisk();
      const outcome = (p: Promise<void>) =>
        p.then(
          () => 'landed',
          (e: Error) => e.message,
        );
      disk.write('f', 0, block(1));
      const a = outcome(disk.sync());
      disk.write('f', 0, block(2));
      const b = outcome(disk.sync());
      disk.faults[fault] = true;
      await land();
      await land();
      expect(await a).not.toBe('landed');
      expect(await b).not.toBe('landed');
      disk.faults.full = false;
      disk.faults.failNextSync = false;
      disk.latencyMs = 0;
      await disk.sync();
      disk.crash();
      expect(disk.read('f', 0)?.[0]).toBe(2);
      // The disk is healthy again: later syncs land.
      disk.write('f', 1, block(3));
      await disk.sync();
      disk.crash();
      expect(disk.read('f', 1)?.[0]).toBe(3);
    },
  );
});
