// The worker side of the raw suite: IndexedDB measured where the product uses it (inside a
// dedicated worker), plus the echo ends for the message-passing rows. Timing of the IndexedDB
// rows happens here, so the Comlink call that starts a measurement is not part of it.
// Plain IndexedDB API (no idb wrapper) on the timed path: these are the raw limits.
import * as Comlink from 'comlink';
import { pingPong } from './ping-pong.ts';

const STORE = 's';

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

function deleteDB(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.deleteDatabase(name);
    r.onsuccess = () => resolve();
    r.onerror = () => reject(r.error ?? new Error(`deleteDatabase(${name}) failed`));
    // Blocked only if a connection is still open somewhere; ours are closed before deleting.
    r.onblocked = () => reject(new Error(`deleteDatabase(${name}) blocked by an open connection`));
  });
}

/** Deletes then creates `name` with one out-of-line-key object store. */
async function freshDB(name: string): Promise<IDBDatabase> {
  await deleteDB(name);
  const open = indexedDB.open(name, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE);
  return req(open);
}

function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  for (let o = 0; o < n; o += 65536) crypto.getRandomValues(b.subarray(o, Math.min(n, o + 65536)));
  return b;
}

export interface SingleTxnResult {
  txnPerSec: number;
  txns: number;
  ms: number;
  p50Ms: number;
  p99Ms: number;
}

export interface ChunkResult {
  mbPerSec: number;
  bytes: number;
  txns: number;
  ms: number;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] ?? NaN;
}

/** Open connections by database name, kept across the runs of one case. */
const open = new Map<string, { db: IDBDatabase; nextKey: number }>();

function conn(name: string): { db: IDBDatabase; nextKey: number } {
  const c = open.get(name);
  if (!c) throw new Error(`database ${name} is not open (call openFresh first)`);
  return c;
}

const api = {
  /** Deletes `name` if it exists, creates it empty and keeps the connection for the runs. */
  async openFresh(name: string): Promise<void> {
    open.get(name)?.db.close();
    open.delete(name);
    const db = await freshDB(name);
    // One untimed transaction: the first write pays for backing-store start-up.
    const tx = db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).put(new Uint8Array(100), -1);
    await done(tx);
    open.set(name, { db, nextKey: 0 });
  },

  /** Closes and deletes `name`. */
  async closeAndDelete(name: string): Promise<void> {
    open.get(name)?.db.close();
    open.delete(name);
    await deleteDB(name);
  },

  /**
   * Readwrite transactions on the open database `db`, each putting one `recordBytes` record
   * under a new key; `inFlight` of them at a time (1: each awaited before the next is created,
   * as a WAL flusher that waits for its sync would). Stops after `maxTxns` or `maxMs`,
   * whichever comes first.
   */
  async singleRecordTxns(opts: {
    /** Several: lane i of the `inFlight` writes to the i-th (modulo their number). */
    db: string | string[];
    durability: IDBTransactionDurability;
    maxTxns: number;
    maxMs: number;
    recordBytes: number;
    inFlight?: number;
  }): Promise<SingleTxnResult> {
    const names = typeof opts.db === 'string' ? [opts.db] : opts.db;
    const record = randomBytes(opts.recordBytes);
    const lat: number[] = [];
    const t0 = performance.now();
    let now = t0;
    let issued = 0;
    const one = async (_: unknown, lane: number): Promise<void> => {
      const c = conn(names[lane % names.length]!);
      while (issued < opts.maxTxns && performance.now() - t0 < opts.maxMs) {
        issued++;
        const s = performance.now();
        const tx = c.db.transaction(STORE, 'readwrite', { durability: opts.durability });
        tx.objectStore(STORE).put(record, c.nextKey++);
        await done(tx);
        now = performance.now();
        lat.push(now - s);
      }
    };
    await Promise.all(Array.from({ length: opts.inFlight ?? 1 }, one));
    const ms = now - t0;
    lat.sort((a, b) => a - b);
    return {
      txnPerSec: (lat.length * 1000) / ms,
      txns: lat.length,
      ms,
      p50Ms: pct(lat, 50),
      p99Ms: pct(lat, 99),
    };
  },

  /**
   * Appends `totalBytes` to the open database `db` as `chunkBytes` ArrayBuffers under new keys,
   * `perTxn` puts per readwrite transaction, one transaction at a time (each awaited before the
   * next, as a WAL flusher would). Chunks hold random bytes so that value compression cannot
   * flatter the figure.
   */
  async chunkWrites(opts: {
    db: string;
    durability: IDBTransactionDurability;
    chunkBytes: number;
    perTxn: number;
    totalBytes: number;
  }): Promise<ChunkResult> {
    const c = conn(opts.db);
    const pool = Array.from({ length: 16 }, () => randomBytes(opts.chunkBytes).buffer);
    const chunks = Math.ceil(opts.totalBytes / opts.chunkBytes);
    let txns = 0;
    const t0 = performance.now();
    for (let i = 0; i < chunks;) {
      const tx = c.db.transaction(STORE, 'readwrite', { durability: opts.durability });
      const store = tx.objectStore(STORE);
      for (let j = 0; j < opts.perTxn && i < chunks; j++, i++) store.put(pool[i % pool.length], c.nextKey++);
      await done(tx);
      txns++;
    }
    const ms = performance.now() - t0;
    const bytes = chunks * opts.chunkBytes;
    return { mbPerSec: bytes / 1048576 / (ms / 1000), bytes, txns, ms };
  },

  /** Closes (if open here) and deletes each database; also clears leftovers of an interrupted run. */
  async deleteDBs(names: string[]): Promise<void> {
    for (const n of names) await api.closeAndDelete(n);
  },

  /** Echoes every message straight back on `port`, transferring ArrayBuffers back. */
  attachEcho(port: MessagePort): void {
    port.onmessage = (e: MessageEvent<unknown>) => {
      const d = e.data;
      if (d instanceof ArrayBuffer) port.postMessage(d, [d]);
      else port.postMessage(d);
    };
  },

  /**
   * Round trips of a small object over `port` to another worker that echoes (attachEcho), one
   * in flight, timed here: how long one instance's call to another takes on the worker runtime
   * before any work is done. Latencies in ms, after `warmup` untimed round trips.
   */
  async pingPeer(
    port: MessagePort,
    n: number,
    warmup: number,
  ): Promise<{ lat: Float64Array; totalMs: number }> {
    const r = await pingPong(port, n, warmup);
    port.close();
    return r;
  },

  /** Serves a trivial Comlink object on `port`. */
  attachComlink(port: MessagePort): void {
    Comlink.expose(
      {
        noop(x: number): number {
          return x;
        },
      },
      port,
    );
  },
};

export type RawWorkerApi = typeof api;
export interface ComlinkNoop {
  noop(x: number): number;
}

Comlink.expose(api);
