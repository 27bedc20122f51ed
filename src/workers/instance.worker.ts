/**
 * One instance of the cluster, in its own Web Worker: its IndexedDB database is its disk, its
 * timers (FTS, walsender, checkpoints) run here, so a hidden tab's throttled main thread does
 * not slow the cluster. The orchestrator sends two ports once the worker says it is ready:
 * `control`, which this worker serves, and `upcall`, on which it calls the orchestrator.
 */
import { serveProcess } from '../engine/cluster/process-host.ts';
import { realClock } from '../engine/runtime/real-clock.ts';
import type { PortLike } from '../engine/runtime/link-endpoint.ts';
import { IdbDisk } from './idb-disk.ts';

interface Start {
  control: PortLike;
  upcall: PortLike;
}

const scope = self as unknown as DedicatedWorkerGlobalScope;
scope.addEventListener(
  'message',
  (e: MessageEvent<Start>) => {
    serveProcess({ clock: realClock, openDisk: (name) => IdbDisk.open(name) }, e.data.control, e.data.upcall);
  },
  { once: true },
);
scope.postMessage('ready');
