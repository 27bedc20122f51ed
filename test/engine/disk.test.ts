// IdbDisk runs on fake-indexeddb here: `auto` installs the IDB globals (IDBKeyRange, and the classes
// idb's wrappers check against); each fixture still gets a fresh factory of its own.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { MemoryDisk } from '../../src/engine/storage/memory-disk.ts';
import { diskContract, idbDiskSuite, idbFixture, type IdbEnv } from './disk-contract.ts';

diskContract('MemoryDisk', async () => {
  const disk = new MemoryDisk();
  const restart = async () => {
    disk.crash();
    return disk;
  };
  return {
    disk,
    reopen: restart,
    crash: restart,
    setFull: (full) => {
      disk.faults.full = full;
    },
  };
});

const fakeIdb: IdbEnv = () => ({ idbFactory: new IDBFactory() });

diskContract('IdbDisk on fake-indexeddb', () => idbFixture(fakeIdb));
idbDiskSuite('fake-indexeddb', fakeIdb);
