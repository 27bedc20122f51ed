/**
 * The public API of the engine: what the lab UI, embedders, benchmarks and tests use.
 * Everything not exported here is internal.
 */
export { ENGINE_VERSION, SERVER_VERSION_STRING } from './version.ts';
export { SqlError } from './errors.ts';
export { createCluster } from './cluster/cluster.ts';
export { registerDiskProvider, type DiskProvider } from './cluster/disk-providers.ts';
export type {
  Cluster,
  ClusterEvent,
  ClusterOptions,
  Faults,
  QueryResult,
  Session,
  UtilityResult,
  RunOptions,
} from './cluster/api.ts';
