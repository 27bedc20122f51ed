/**
 * One instance of the cluster, in its own Web Worker: its IndexedDB database is its disk, its
 * timers (FTS, walsender, checkpoints) run here, so a hidden tab's throttled main thread does
 * not slow the cluster. The orchestrator sends two ports once the worker says it is ready:
 * `control`, which this worker serves, and `upcall`, on which it calls the orchestrator.
 *
 * What a role needs beyond storage and replication is loaded on first need (role-modules.ts):
 * a mirror parses about a third of the engine until it is promoted, so a large cluster's
 * workers start sooner.
 */
import { serveProcess } from '../engine/cluster/process-host.ts';
import { ModuleLoader, type RoleModules } from '../engine/node/role-modules.ts';
import { realClock } from '../engine/runtime/real-clock.ts';
import type { PortLike } from '../engine/runtime/link-endpoint.ts';
import { IdbDisk } from './idb-disk.ts';

interface Start {
  control: PortLike;
  upcall: PortLike;
}

const modules: RoleModules = {
  segment: new ModuleLoader(() => import('../engine/server/segment.ts')),
  coordinator: new ModuleLoader(async () => {
    const [{ Coordinator }, { DistributedTxManager }] = await Promise.all([
      import('../engine/server/coordinator.ts'),
      import('../engine/server/dtm.ts'),
    ]);
    return { Coordinator, DistributedTxManager };
  }),
  sessions: new ModuleLoader(async () => {
    const [{ Session }, { UtilitySession }] = await Promise.all([
      import('../engine/server/session.ts'),
      import('../engine/server/utility-session.ts'),
    ]);
    return { Session, UtilitySession };
  }),
};
const utilities = new ModuleLoader(() => import('../engine/utilities/index.ts'));

const scope = self as unknown as DedicatedWorkerGlobalScope;
scope.addEventListener(
  'message',
  (e: MessageEvent<Start>) => {
    serveProcess(
      { clock: realClock, openDisk: (name) => IdbDisk.open(name), modules, utilities },
      e.data.control,
      e.data.upcall,
    );
  },
  { once: true },
);
scope.postMessage('ready');
