/**
 * The browser runtime's entry: registers the IndexedDB disk so that
 * `createCluster({ storage: 'indexeddb' })` works, and re-exports the public API.
 */
import { registerDiskProvider } from '../engine/index.ts';
import { IdbDisk } from './idb-disk.ts';

registerDiskProvider('indexeddb', (name) => IdbDisk.open(name));

export * from '../engine/index.ts';
export { IdbDisk } from './idb-disk.ts';
