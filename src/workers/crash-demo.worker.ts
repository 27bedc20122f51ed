/**
 * The crash-recovery demo's instance: one storage engine on its own IndexedDB database, in its
 * own worker. The page commits rows through it, terminates the worker mid-work (memory gone,
 * IndexedDB kept), then starts a fresh worker that runs crash recovery from that database.
 */
import * as Comlink from 'comlink';
import { Instance } from '../engine/instance/instance.ts';
import { realClock } from '../engine/runtime/real-clock.ts';
import { formatLsn } from '../engine/storage/lsn.ts';
import { IdbDisk } from './idb-disk.ts';

const REL = 16384;
const enc = new TextEncoder();
const dec = new TextDecoder();
let inst: Instance | undefined;

export interface DemoRecovery {
  redoFrom: string;
  end: string;
  records: number;
  stopReason: string;
  abortedXids: number;
  wasCleanShutdown: boolean;
  rows: number;
}

const api = {
  /** Opens (and if new, initialises) the instance: this runs crash recovery. */
  async open(name: string): Promise<DemoRecovery> {
    const disk = await IdbDisk.open(name);
    if (disk.files('global/').length === 0) {
      await Instance.initdb(disk, { systemIdentifier: name, time: realClock.now() });
      inst = await Instance.start({ disk, clock: realClock, trace: () => {} });
      const tx = inst.xact.begin();
      inst.createStorage(tx, REL);
      await inst.xact.commit(tx);
    } else {
      inst = await Instance.start({ disk, clock: realClock, trace: () => {} });
    }
    const r = inst.recovery!;
    return {
      redoFrom: formatLsn(r.redoFrom),
      end: formatLsn(r.end),
      records: r.records,
      stopReason: r.stopReason,
      abortedXids: r.abortedXids.length,
      wasCleanShutdown: r.wasCleanShutdown,
      rows: (await api.keys()).length,
    };
  },

  /**
   * Commits `sessions` concurrent streams of single-row transactions until the worker dies,
   * telling `ack` about each commit once it is durable.
   */
  async run(sessions: number, ack: (keys: string[]) => void): Promise<void> {
    const i = inst!;
    let n = 0;
    const pendingAcks: string[] = [];
    let flushScheduled = false;
    const session = async (s: number) => {
      for (;;) {
        const key = `s${s}-${n++}`;
        const tx = i.xact.begin();
        await i.heap(REL).insert(tx, enc.encode(key));
        await i.xact.commit(tx);
        pendingAcks.push(key);
        if (!flushScheduled) {
          flushScheduled = true;
          queueMicrotask(() => {
            flushScheduled = false;
            ack(pendingAcks.splice(0));
          });
        }
      }
    };
    await Promise.all(Array.from({ length: sessions }, (_, s) => session(s)));
  },

  async keys(): Promise<string[]> {
    const i = inst!;
    const tx = i.xact.begin();
    const out: string[] = [];
    for await (const page of i.heap(REL).scan(tx.commandSnapshot()))
      for (const r of page) out.push(dec.decode(r.data));
    return out;
  },
};

export type CrashDemoWorker = typeof api;
Comlink.expose(api);
