/**
 * The browser runtime's entry: registers the IndexedDB disk, so that
 * `createCluster({ storage: 'indexeddb' })` works, and the worker runtime, so that
 * `createCluster({ runtime: 'worker' })` runs every instance in its own Web Worker; re-exports
 * the public API.
 */
import { registerDiskProvider, registerWorkerRuntime } from '../engine/index.ts';
import { IdbDisk } from './idb-disk.ts';
import { workerSpawner } from './worker-spawner.ts';

export { deleteCluster, savedCluster } from './worker-spawner.ts';

registerDiskProvider('indexeddb', (name) => IdbDisk.open(name));
registerWorkerRuntime(() => workerSpawner());

export * from '../engine/index.ts';
export { IdbDisk } from './idb-disk.ts';
