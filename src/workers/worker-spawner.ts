/**
 * The worker runtime's spawner: each instance is a module Worker named by its role and dbid,
 * started with a ready handshake (a worker that fails to load or answer in time is an error,
 * never a hang), and crashed by worker.terminate(): its memory and unsynced writes are lost,
 * its IndexedDB database stays.
 */
import type { ProcessSpawner, SpawnedProcess } from '../engine/index.ts';
import { clusterInUse } from '../engine/cluster/process-cluster.ts';
import { deleteCluster, diskName, lockName } from './lab-storage.ts';
import { IdbDisk } from './idb-disk.ts';
import { loadTopology, saveTopology } from './topology-store.ts';

/** How long a new worker may take to load its modules and say it is ready. */
const READY_TIMEOUT_MS = 30_000;

export interface WorkerSpawnerOptions {
  /**
   * The instance worker's script. Default: src/workers/instance.worker.ts as the bundler serves
   * it (one bundled file in a build; in the dev server, its modules one by one, which makes every
   * spawn load the whole engine module by module).
   */
  workerUrl?: string | URL;
}

export function workerSpawner(options: WorkerSpawnerOptions = {}): ProcessSpawner {
  return {
    spawn: (label) => spawnWorker(label, options.workerUrl),
    destroyDisks: (name) => deleteCluster(name),
    destroyDisk: (name, dbid) => IdbDisk.destroy(diskName(name, dbid)),
    lock: (name) => lockCluster(name),
    saveTopology,
    loadTopology,
  };
}

/**
 * Holds the Web Lock named after the cluster for as long as this page runs it: another tab (or
 * another element on this page) asking for the same name is refused at once, never queued.
 */
function lockCluster(name: string): Promise<() => void> {
  const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
  if (!locks) return Promise.resolve(() => undefined);
  return new Promise((resolve, reject) => {
    void locks
      .request(lockName(name), { ifAvailable: true }, (lock: Lock | null) => {
        if (!lock) {
          reject(clusterInUse(name));
          return undefined;
        }
        return new Promise<void>((release) => resolve(() => release()));
      })
      .catch(reject);
  });
}

function spawnWorker(label: string, url?: string | URL): Promise<SpawnedProcess> {
  const worker = url
    ? new Worker(url, { type: 'module', name: label })
    : new Worker(new URL('./instance.worker.ts', import.meta.url), { type: 'module', name: label });
  return new Promise<SpawnedProcess>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      worker.terminate();
      reject(new Error(`could not start the worker of ${label}: ${why}`));
    };
    const timer = setTimeout(() => fail(`no answer within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
    worker.addEventListener('error', (e) => fail(e.message || 'it failed to load'), { once: true });
    worker.addEventListener(
      'message',
      () => {
        clearTimeout(timer);
        const control = new MessageChannel();
        const upcall = new MessageChannel();
        worker.postMessage({ control: control.port1, upcall: upcall.port1 }, [control.port1, upcall.port1]);
        resolve({
          control: control.port2,
          upcall: upcall.port2,
          terminate: () => {
            worker.terminate();
            control.port2.close();
            upcall.port2.close();
          },
        });
      },
      { once: true },
    );
  });
}
