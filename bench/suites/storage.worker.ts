// The storage engine under load, in a worker on real IndexedDB, as the product runs it.
import * as Comlink from 'comlink';
import { Instance } from '../../src/engine/instance/instance.ts';
import { realClock } from '../../src/engine/runtime/real-clock.ts';
import { Rmgr } from '../../src/engine/wal/record.ts';
import { IdbDisk } from '../../src/workers/idb-disk.ts';

let inst: Instance | undefined;
let disk: IdbDisk | undefined;
const REL = 16384;
let loads = 0;
let lastLoaded = REL;
const enc = new TextEncoder();

/** p50 and p99 of latencies (sorts them in place). */
function latencyPercentiles(lat: number[]): { p50: number; p99: number } {
  lat.sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0;
  return { p50: pct(0.5), p99: pct(0.99) };
}

const api = {
  async open(name: string, dataChecksums = true): Promise<void> {
    await IdbDisk.destroy(name);
    disk = await IdbDisk.open(name);
    await Instance.initdb(disk, { systemIdentifier: name, time: realClock.now(), dataChecksums });
    inst = await Instance.start({ disk, clock: realClock, trace: () => {} });
    const tx = inst.xact.begin();
    inst.createStorage(tx, REL);
    await inst.xact.commit(tx);
  },

  async close(): Promise<void> {
    const name = disk?.name;
    inst?.kill();
    disk?.close();
    if (name) await IdbDisk.destroy(name);
  },

  /** Writes `totalMB` of WAL in 512 KB flushes; returns MB/s of WAL made durable. */
  async walFlush(totalMB: number): Promise<number> {
    const i = inst!;
    const payload = new Uint8Array(8000).fill(7);
    const perFlush = 64;
    const rounds = Math.ceil((totalMB * 1024 * 1024) / (perFlush * 8024));
    const start = i.wal.flushedLsn;
    const t0 = performance.now();
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < perFlush; k++) i.wal.insert(Rmgr.xlog, 0x20, 0, payload);
      await i.wal.flush();
    }
    const secs = (performance.now() - t0) / 1000;
    await i.checkpoint(); // lets WAL go, so runs do not pile up on disk
    return (i.wal.flushedLsn - start) / (1024 * 1024) / secs;
  },

  /**
   * Bulk load: `rows` 100-byte rows into a fresh heap in one transaction, committed and
   * checkpointed (every page written, checksummed when checksums are on); rows/s.
   */
  async bulkLoad(rows: number): Promise<number> {
    const i = inst!;
    const rel = REL + 1 + loads++;
    const row = enc.encode('x'.repeat(100));
    const t0 = performance.now();
    const tx = i.xact.begin();
    i.createStorage(tx, rel);
    await i.heap(rel).insertMany(tx, {
      count: rows,
      size: () => row.length,
      write: (_k, page, _dv, at) => page.set(row, at),
    });
    await i.xact.commit(tx);
    await i.checkpoint();
    const secs = (performance.now() - t0) / 1000;
    lastLoaded = rel;
    return rows / secs;
  },

  /** Reads the last bulk-loaded heap through an empty buffer pool (every page verified); rows/s. */
  async coldScan(): Promise<number> {
    const i = inst!;
    await i.checkpoint();
    i.pool.reset();
    const t0 = performance.now();
    const tx = i.xact.begin();
    let n = 0;
    for await (const page of i.heap(lastLoaded).scan(tx.commandSnapshot())) n += page.length;
    return n / ((performance.now() - t0) / 1000);
  },

  /**
   * The product's disk alone: `ms` of sequential syncs, each after one small write at the end
   * of a WAL-like block (`bytes` changed bytes), as a lone commit's flush makes it; syncs/s.
   * With `burnUs`, a message task of that length runs after another meanwhile (`tasks` of them).
   */
  async diskSyncs(
    bytes: number,
    ms: number,
    burnUs = 0,
  ): Promise<{ value: number; extra: Record<string, number> }> {
    const d = disk!;
    let burning = burnUs > 0;
    const ch = new MessageChannel();
    let tasks = 0;
    ch.port1.onmessage = () => {
      if (!burning) return;
      const until = performance.now() + burnUs / 1000;
      while (performance.now() < until);
      tasks++;
      ch.port2.postMessage(0);
    };
    if (burning) ch.port2.postMessage(0);
    const lat: number[] = [];
    const block = new Uint8Array(8192);
    let off = 0;
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < ms) {
      if (off + bytes > block.length) off = 0;
      block.fill((n & 0xff) + 1, off, off + bytes);
      off += bytes;
      d.write('bench/syncs', n >> 10, block);
      const s0 = performance.now();
      await d.sync();
      lat.push((performance.now() - s0) * 1000);
      n++;
    }
    burning = false;
    ch.port1.close();
    return { value: n / ((performance.now() - t0) / 1000), extra: { ...latencyPercentiles(lat), tasks } };
  },

  /** `writers` sessions commit single-row transactions for `ms`; commits/s and latencies (µs). */
  async commits(writers: number, ms: number): Promise<{ value: number; extra: Record<string, number> }> {
    const i = inst!;
    const lat: number[] = [];
    const t0 = performance.now();
    const until = t0 + ms;
    let n = 0;
    const flushes0 = i.wal.stats.flushes;
    const session = async (s: number) => {
      while (performance.now() < until) {
        const c0 = performance.now();
        const tx = i.xact.begin();
        await i.heap(REL).insert(tx, enc.encode(`w${s}-${n++}`));
        await i.xact.commit(tx);
        lat.push((performance.now() - c0) * 1000);
      }
    };
    await Promise.all(Array.from({ length: writers }, (_, s) => session(s)));
    const secs = (performance.now() - t0) / 1000;
    return {
      value: lat.length / secs,
      extra: {
        ...latencyPercentiles(lat),
        commitsPerFlush: lat.length / Math.max(1, i.wal.stats.flushes - flushes0),
      },
    };
  },
};

export type StorageBenchWorker = typeof api;
Comlink.expose(api);
