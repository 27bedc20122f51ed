/**
 * The public API of the engine: what the lab UI, embedders, benchmarks and tests use.
 * Everything not exported here is internal.
 */
export { ENGINE_VERSION, SERVER_VERSION_STRING } from './version.ts';
export { SqlError } from './errors.ts';
export { clusterLayout, createCluster, registerWorkerRuntime, type StartHooks } from './cluster/create.ts';
export { DEFAULT_TIME_SCALE } from './cluster/cluster.ts';
export type { ProcessSpawner, SpawnedProcess } from './cluster/process-cluster.ts';
export { serveProcess } from './cluster/process-host.ts';
export type { ProcessRuntime } from './cluster/process-protocol.ts';
export type { SimCluster, SimControl, SimInstance } from './cluster/sim-cluster.ts';
export { SimulationTimeout } from './runtime/sim.ts';
export { registerDiskProvider, type DiskProvider } from './node/disk-providers.ts';
export { MemoryDisk } from './storage/memory-disk.ts';
export type {
  Cluster,
  ClusterEvent,
  EventKind,
  EventOf,
  ClusterOptions,
  Faults,
  QueryResult,
  Session,
  UtilityResult,
  RunOptions,
  TimeControl,
  InstanceStatus,
  IntegrityStatus,
  BlockImage,
  BlockView,
  DataDirectory,
} from './node/api.ts';
export type { FileRepStatus, ResyncResult } from './filerep/protocol.ts';
export type { ProbeTimes } from './server/fts-probe-times.ts';
export { runPlan, SimRun, type Failure, type RunResult } from './sim/explorer.ts';
export { explore, reproduction, type Exploration } from './sim/shrink.ts';
export { generatePlan, describeStep, shapeFor, SHAPES, type Shape, type Step } from './sim/steps.ts';
export { ACCOUNTS, OPENING_BALANCE, type ClientOp } from './sim/checks.ts';
export {
  decodeRun,
  encodeRun,
  readRunFile,
  runFile,
  RunLinkError,
  RUN_LINK_VERSION,
  type SharedRun,
} from './sim/run-link.ts';
export type { StepValue } from './sim/person.ts';
export {
  planCluster,
  validatePlacement,
  PlacementError,
  type PlanClusterOptions,
  type PlacementProblem,
  type MirroringMode,
  type SegmentConfig,
} from './topology/placement.ts';
export {
  customPlacement,
  validateCustomPlacement,
  type MirrorAssignment,
} from './topology/mirror-placement.ts';
export {
  validateSegmentConfiguration,
  whatIfHostFails,
  type HostFailureImpact,
} from './topology/placement-checks.ts';
export {
  detectMirroring,
  parseSegmentConfiguration,
  toGpaddmirrorsFile,
  toGpinitsystemConfig,
} from './topology/placement-files.ts';
export { backupDirectoryName } from './topology/config-files.ts';
export { copyDataSpan, isCopyFromStdin, scanStatements } from './sql/copy-data.ts';
export {
  ExpansionError,
  formatInputFile,
  layoutNewHosts,
  strategyOf,
  validateExpansion,
} from './utilities/gpexpand-input.ts';
