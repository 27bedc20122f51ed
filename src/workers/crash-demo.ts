/**
 * Main-thread side of the crash-recovery demo: start an instance in a worker, commit rows,
 * kill the worker while commits are in flight, restart it, and check every acknowledged
 * commit came back.
 */
import * as Comlink from 'comlink';
import type { CrashDemoWorker, DemoRecovery } from './crash-demo.worker.ts';
import { IdbDisk } from './idb-disk.ts';

export interface CrashDemoResult {
  acknowledged: number;
  recovered: number;
  missing: string[];
  recovery: DemoRecovery;
}

function spawn(): { worker: Worker; api: Comlink.Remote<CrashDemoWorker> } {
  const worker = new Worker(new URL('./crash-demo.worker.ts', import.meta.url), {
    type: 'module',
    name: 'crash-demo',
  });
  return { worker, api: Comlink.wrap<CrashDemoWorker>(worker) };
}

/** Runs the demo on a fresh database; kills the worker after `killAfterAcks` acknowledged commits. */
export async function runCrashDemo(
  options: { name?: string; sessions?: number; killAfterAcks?: number } = {},
) {
  const name = options.name ?? `crash-demo-${Math.floor(performance.now())}`;
  await IdbDisk.destroy(name);
  const first = spawn();
  await first.api.open(name);
  const acked = new Set<string>();
  const target = options.killAfterAcks ?? 200;
  await new Promise<void>((resolve) => {
    void first.api.run(
      options.sessions ?? 8,
      Comlink.proxy((keys: string[]) => {
        for (const k of keys) acked.add(k);
        if (acked.size >= target) resolve();
      }),
    );
  });
  first.worker.terminate(); // the crash: commits in flight, WAL buffers and caches are gone
  const second = spawn();
  const recovery = await second.api.open(name);
  const keys = new Set(await second.api.keys());
  second.worker.terminate();
  await IdbDisk.destroy(name);
  const missing = [...acked].filter((k) => !keys.has(k));
  return { acknowledged: acked.size, recovered: keys.size, missing, recovery } satisfies CrashDemoResult;
}
