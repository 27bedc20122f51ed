/**
 * Runs the crash workload (random transactions, checkpoints, eviction pressure) on real
 * IndexedDB in a real worker, reporting each commit's resulting state before it starts and
 * after it is acknowledged. The test terminates this worker at a random moment.
 */
import * as Comlink from 'comlink';
import { Instance } from '../../src/engine/instance/instance.ts';
import { realClock } from '../../src/engine/runtime/real-clock.ts';
import { IdbDisk } from '../../src/workers/idb-disk.ts';
import { CrashWorkload, expected, readState, type Op } from '../support/crash-workload.ts';
import { mulberry32 } from '../support/prng.ts';

export interface Reporter {
  /** A commit is about to start; `state` is what the data will be if it commits. */
  intent(n: number, state: { heap: string[]; ao: string[] }): Promise<void>;
  acked(n: number): void;
}

let inst: Instance | undefined;

function randomOp(rnd: () => number): Op {
  const r = rnd();
  const tx = Math.floor(rnd() * 3);
  const key = Math.floor(rnd() * 30);
  const value = Math.floor(rnd() * 1000);
  if (r < 0.1) return { op: 'begin' };
  if (r < 0.4) return { op: 'insert', tx, key, value };
  if (r < 0.55) return { op: 'update', tx, key, value };
  if (r < 0.65) return { op: 'delete', tx, key };
  if (r < 0.75) return { op: 'aoInsert', tx, value };
  if (r < 0.92) return { op: 'commit', tx };
  if (r < 0.97) return { op: 'abort', tx };
  return { op: 'checkpoint' };
}

const api = {
  async start(name: string, fresh: boolean): Promise<void> {
    const disk = await IdbDisk.open(name);
    if (fresh) await Instance.initdb(disk, { systemIdentifier: name, time: realClock.now() });
    inst = await Instance.start({ disk, clock: realClock, trace: () => {} }, { shared_buffers: 6 });
  },

  /** Runs random ops forever (until terminated). */
  async run(seed: number, reporter: Reporter): Promise<void> {
    const w = new CrashWorkload(inst!);
    await w.setup();
    const rnd = mulberry32(seed);
    let commits = 0;
    for (;;) {
      const op = randomOp(rnd);
      if (op.op === 'commit') {
        // Announce what a commit will produce before it starts, so the page knows every
        // state the disk may legitimately hold.
        const probe = w.preview(op.tx);
        if (probe) {
          const n = ++commits;
          await reporter.intent(n, expected(probe));
          await w.apply(op);
          reporter.acked(n);
          continue;
        }
      }
      await w.apply(op);
    }
  },

  async state(): Promise<{ heap: string[]; ao: string[] }> {
    return readState(inst!);
  },
};

export type CrashPropertyWorker = typeof api;
Comlink.expose(api);
