/**
 * The IndexedDB schema of an instance's disk (idb-disk.ts): its stores, its version, and the
 * upgrade of older databases in place. The store layout is described in idb-disk.ts.
 */
import { openDB, wrap, type DBSchema, type IDBPDatabase } from 'idb';

/** The typed schema of an instance's disk database. */
export interface DiskDb extends DBSchema {
  blocks: { key: [string, number]; value: ArrayBuffer };
  extents: { key: [string, number]; value: ArrayBuffer };
  journal: { key: number; value: ArrayBuffer };
}

const DB_VERSION = 3;

/**
 * Whether an IndexedDB database of this version and these stores (sorted, as objectStoreNames
 * lists them) is an instance's disk, of this version or an older one this code upgrades.
 */
export function isDiskSchema(version: number, stores: readonly string[]): boolean {
  const expected = [['blocks'], ['blocks', 'journal'], ['blocks', 'extents', 'journal']][version - 1];
  return expected !== undefined && stores.join() === expected.join();
}

/** The upgrade ladder: one rung per schema version. */
function upgrade(db: IDBPDatabase<DiskDb>, oldVersion: number): void {
  if (oldVersion < 1) db.createObjectStore('blocks');
  if (oldVersion < 2) db.createObjectStore('journal');
  if (oldVersion < 3) db.createObjectStore('extents');
}

export async function openDiskDb(
  name: string,
  factory: IDBFactory | undefined,
): Promise<IDBPDatabase<DiskDb>> {
  if (!factory)
    return openDB<DiskDb>(name, DB_VERSION, { upgrade: (db, oldVersion) => upgrade(db, oldVersion) });
  // idb's openDB always uses the global factory; this is its open path for a given one.
  const request = factory.open(name, DB_VERSION);
  request.addEventListener('upgradeneeded', (event) =>
    upgrade(wrap(request.result) as unknown as IDBPDatabase<DiskDb>, event.oldVersion),
  );
  return (await wrap(request)) as unknown as IDBPDatabase<DiskDb>;
}
