/**
 * The browser runtime's entry: registers the IndexedDB disk, so that
 * `createCluster({ storage: 'indexeddb' })` works, and the worker runtime, so that
 * `createCluster({ runtime: 'worker' })` runs every instance in its own Web Worker; re-exports
 * the public API.
 */
import { registerDiskProvider, registerWorkerRuntime } from '../engine/index.ts';
import { IdbDisk } from './idb-disk.ts';
import { workerSpawner, type WorkerSpawnerOptions } from './worker-spawner.ts';

export {
  clusterOpenElsewhere,
  deleteCluster,
  savedCluster,
  savedClusters,
  type SavedClusterInfo,
} from './lab-storage.ts';
export { topologyStoreProblem } from './topology-store.ts';
export type { SavedTopology } from '../engine/cluster/process-cluster.ts';
export { startsOnResume } from '../engine/cluster/process-cluster.ts';

registerDiskProvider('indexeddb', (name) => IdbDisk.open(name));
registerWorkerRuntime(() => workerSpawner(spawnerOptions));

let spawnerOptions: WorkerSpawnerOptions = {};

/** Where the worker runtime loads its instance worker from (e.g. a prebuilt bundle). */
export function configureWorkerRuntime(options: WorkerSpawnerOptions): void {
  spawnerOptions = options;
}

export * from '../engine/index.ts';
export { IdbDisk } from './idb-disk.ts';
