/**
 * In Chromium, on real IndexedDB, inside real Workers that are terminated mid-work: every
 * acknowledged commit survives the crash, and the data is exactly some committed state at or
 * after the last acknowledged one.
 */
import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import { IdbDisk } from '../../src/workers/idb-disk.ts';
import { runCrashDemo } from '../../src/workers/crash-demo.ts';
import type { CrashPropertyWorker, Reporter } from './crash-property.worker.ts';
import { waitFor } from '../support/wait.ts';

function spawn() {
  const worker = new Worker(new URL('./crash-property.worker.ts', import.meta.url), { type: 'module' });
  return { worker, api: Comlink.wrap<CrashPropertyWorker>(worker) };
}

describe('crash recovery in a real worker on real IndexedDB', () => {
  it('the lab demo: eight sessions commit, the worker is killed, all acknowledged rows return', async () => {
    const r = await runCrashDemo({ name: `demo-test-${Date.now()}`, killAfterAcks: 150 });
    expect(r.acknowledged).toBeGreaterThanOrEqual(150);
    expect(r.missing).toEqual([]);
    expect(r.recovered).toBeGreaterThanOrEqual(r.acknowledged);
    expect(r.recovery.wasCleanShutdown).toBe(false);
  });

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
    it(`random workload, seed ${seed}: terminate mid-work, recover, compare with the model`, async () => {
      const name = `crash-prop-${seed}-${Date.now()}`;
      await IdbDisk.destroy(name);
      const states = new Map<number, { heap: string[]; ao: string[] }>();
      let lastAck = 0;
      const reporter: Reporter = {
        intent: async (n, state) => {
          states.set(n, state);
        },
        acked: (n) => {
          lastAck = Math.max(lastAck, n);
        },
      };
      const a = spawn();
      await a.api.start(name, true);
      void a.api.run(seed, Comlink.proxy(reporter)).catch(() => undefined);
      // Let it commit a while, then kill it at a moment that depends on the seed.
      await waitFor(() => lastAck >= 10 + seed * 7, 60_000);
      await new Promise((r) => setTimeout(r, seed * 3));
      a.worker.terminate();

      const b = spawn();
      await b.api.start(name, false);
      const got = await b.api.state();
      b.worker.terminate();
      await IdbDisk.destroy(name);

      const candidates = [...states].filter(([n]) => n >= lastAck).map(([, s]) => JSON.stringify(s));
      expect(candidates.length).toBeGreaterThan(0);
      expect(candidates).toContain(JSON.stringify(got));
    });
  }
});
