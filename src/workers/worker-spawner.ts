/**
 * The worker runtime's spawner: each instance is a module Worker named by its role and dbid,
 * started with a ready handshake (a worker that fails to load or answer in time is an error,
 * never a hang), and crashed by worker.terminate(): its memory and unsynced writes are lost,
 * its IndexedDB database stays.
 */
import type { ProcessSpawner, SpawnedProcess } from '../engine/index.ts';
import { IdbDisk } from './idb-disk.ts';

/** How long a new worker may take to load its modules and say it is ready. */
const READY_TIMEOUT_MS = 30_000;

export function workerSpawner(): ProcessSpawner {
  return {
    spawn: (label) => spawnWorker(label),
    destroyDisks: async (name, dbids) => {
      await Promise.all(dbids.map((dbid) => IdbDisk.destroy(`${name}-dbid${dbid}`)));
    },
  };
}

function spawnWorker(label: string): Promise<SpawnedProcess> {
  const worker = new Worker(new URL('./instance.worker.ts', import.meta.url), {
    type: 'module',
    name: label,
  });
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
