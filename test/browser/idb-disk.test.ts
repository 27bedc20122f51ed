// The Disk contract against Chromium's real IndexedDB (the global factory), as the workers use it.
import { diskContract, idbDiskSuite, idbFixture, type IdbEnv } from '../engine/disk-contract.ts';
import { idbExtentsSuite } from '../engine/idb-extents-suite.ts';
import { idbJournalSuite } from '../engine/idb-journal-suite.ts';

const realIdb: IdbEnv = () => ({});

diskContract('IdbDisk on Chromium IndexedDB', () => idbFixture(realIdb));
idbDiskSuite('Chromium IndexedDB', realIdb);
idbExtentsSuite('Chromium IndexedDB', realIdb);
idbJournalSuite('Chromium IndexedDB', realIdb, [6, 7]);
