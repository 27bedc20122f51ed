// Raw platform limits the engine's targets are expressed against. See bench/README.md for
// what each row means. Every case gets its own fresh worker (spawned in setup, terminated in
// teardown) so one row's garbage or open handles cannot leak into the next.
import * as Comlink from 'comlink';
import {
  percentile,
  registerSuite,
  type BenchCase,
  type BenchContext,
  type BenchSample,
} from '../harness.ts';
import type { ComlinkNoop, RawWorkerApi } from './raw-idb.worker.ts';
import { pingPong } from './ping-pong.ts';

const SUITE = 'raw';
const KB = 1024;
const MB = 1024 * 1024;

const DB_SINGLE = 'bench-raw-single-record';
const DB_SINGLE_STRICT = 'bench-raw-single-record-strict';
const DB_CHUNKS = 'bench-raw-64k-chunks';
const DB_FOUR = [0, 1, 2, 3].map((i) => `${DB_SINGLE}-${i}`);
const ALL_DBS = [DB_SINGLE, DB_SINGLE_STRICT, DB_CHUNKS, ...DB_FOUR];

/** Round trips per message-passing sample, after ROUND_TRIP_WARMUP untimed ones. */
const ROUND_TRIPS = 2000;
const ROUND_TRIP_WARMUP = 200;

interface Spawned {
  worker: Worker;
  api: Comlink.Remote<RawWorkerApi>;
}

function spawn(): Spawned {
  const worker = new Worker(new URL('./raw-idb.worker.ts', import.meta.url), { type: 'module' });
  return { worker, api: Comlink.wrap<RawWorkerApi>(worker) };
}

/** A raw case running against its own worker; `prepare` runs once after the worker is up. */
function workerCase<S>(spec: {
  name: string;
  unit: string;
  percentileUnit?: string;
  runs?: number;
  prepare(w: Spawned, ctx: BenchContext): Promise<S>;
  run(w: Spawned, state: S, ctx: BenchContext): Promise<BenchSample>;
  dispose?(state: S): void;
}): BenchCase {
  let w: Spawned | undefined;
  let state: S | undefined;
  return {
    suite: SUITE,
    name: spec.name,
    unit: spec.unit,
    ...(spec.percentileUnit != null ? { percentileUnit: spec.percentileUnit } : {}),
    ...(spec.runs != null ? { runs: spec.runs } : {}),
    async setup(ctx) {
      w = spawn();
      await w.api.deleteDBs(ALL_DBS);
      state = await spec.prepare(w, ctx);
    },
    run(ctx) {
      if (!w) throw new Error('setup did not run');
      return spec.run(w, state as S, ctx);
    },
    async teardown() {
      if (!w) return;
      try {
        if (state !== undefined) spec.dispose?.(state);
        await w.api.deleteDBs(ALL_DBS);
      } finally {
        w.api[Comlink.releaseProxy]();
        w.worker.terminate();
        w = undefined;
        state = undefined;
      }
    },
  };
}

function latencySample(latMs: ArrayLike<number>, totalMs: number): BenchSample {
  const us = Array.from(latMs, (x) => x * 1000);
  const p50 = percentile(us, 50);
  return {
    value: p50,
    extra: { p50, p99: percentile(us, 99), meanUs: (totalMs * 1000) / us.length, n: us.length },
  };
}

/**
 * `count` 64 KB ArrayBuffers sent to the worker and back, each way in the transfer list, with
 * `window` buffers in flight; bytes are counted once per round trip.
 */
function transferLoop(port: MessagePort, count: number, window: number, bytes: number): Promise<BenchSample> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let back = 0;
    const t0 = performance.now();
    port.onmessage = (e: MessageEvent<ArrayBuffer>) => {
      back++;
      if (e.data.byteLength !== bytes) {
        port.onmessage = null;
        reject(new Error(`echo returned ${e.data.byteLength} bytes, expected ${bytes}`));
        return;
      }
      if (sent < count) {
        sent++;
        port.postMessage(e.data, [e.data]);
      } else if (back === count) {
        port.onmessage = null;
        const ms = performance.now() - t0;
        resolve({
          value: (count * bytes) / MB / (ms / 1000),
          extra: { usPerRoundTrip: (ms * 1000) / count, buffers: count, inFlight: window },
        });
      }
    };
    for (let i = 0; i < window && sent < count; i++) {
      const b = new Uint8Array(bytes);
      crypto.getRandomValues(b.subarray(0, Math.min(bytes, 65536)));
      sent++;
      port.postMessage(b.buffer, [b.buffer]);
    }
  });
}

/**
 * Round trips between two workers over a MessageChannel, as two instances of the worker runtime
 * talk (the page only hands out the ports): timed inside the first worker.
 */
function peerRoundTrip(): BenchCase {
  let peer: Spawned | undefined;
  return workerCase({
    name: 'worker-to-worker messagechannel round trip µs',
    unit: 'µs',
    async prepare() {
      peer = spawn();
    },
    async run(w) {
      const { port1, port2 } = new MessageChannel();
      await peer!.api.attachEcho(Comlink.transfer(port2, [port2]));
      const r = await w.api.pingPeer(Comlink.transfer(port1, [port1]), ROUND_TRIPS, ROUND_TRIP_WARMUP);
      return latencySample(r.lat, r.totalMs);
    },
    dispose() {
      peer?.worker.terminate();
      peer = undefined;
    },
  });
}

/** A MessageChannel whose far end the worker serves with `attach`. */
async function channelTo(w: Spawned, attach: 'attachEcho' | 'attachComlink'): Promise<MessagePort> {
  const { port1, port2 } = new MessageChannel();
  await w.api[attach](Comlink.transfer(port2, [port2]));
  return port1;
}

const singleRecord = (
  name: string,
  db: string | string[],
  durability: IDBTransactionDurability,
  inFlight = 1,
): BenchCase =>
  workerCase({
    name,
    unit: 'txn/s',
    percentileUnit: 'µs',
    prepare: async (w) => {
      for (const name of typeof db === 'string' ? [db] : db) await w.api.openFresh(name);
    },
    async run(w) {
      const r = await w.api.singleRecordTxns({
        db,
        durability,
        maxTxns: 500 * inFlight,
        maxMs: 2000,
        recordBytes: 100,
        inFlight,
      });
      return {
        value: r.txnPerSec,
        extra: { p50: r.p50Ms * 1000, p99: r.p99Ms * 1000, txns: r.txns, ms: r.ms },
      };
    },
  });

/**
 * 32 MB appended as `chunkBytes` ArrayBuffers, 16 per transaction. Chromium stores any value
 * whose serialization exceeds 64 KiB as a separate blob file (IDBValueWrapper::kWrapThreshold),
 * so a 64 KB ArrayBuffer (64 KiB + a few header bytes) takes the blob path; the 63 KB row shows
 * the inline (LevelDB) path next to it.
 */
const chunkCase = (name: string, chunkBytes: number): BenchCase =>
  workerCase({
    name,
    unit: 'MB/s',
    runs: 7,
    prepare: (w) => w.api.openFresh(DB_CHUNKS),
    async run(w) {
      const r = await w.api.chunkWrites({
        db: DB_CHUNKS,
        durability: 'default',
        chunkBytes,
        perTxn: 16,
        totalBytes: 32 * MB,
      });
      return { value: r.mbPerSec, extra: { txns: r.txns, ms: r.ms, msPerTxn: r.ms / r.txns } };
    },
  });

export const rawCases: BenchCase[] = [
  singleRecord('idb single-record txn/s', DB_SINGLE, 'default'),
  singleRecord('idb single-record txn/s (strict)', DB_SINGLE_STRICT, 'strict'),
  // The limit a disk that keeps two syncs in flight (IdbDisk) works against.
  singleRecord('idb single-record txn/s, 2 in flight', DB_SINGLE, 'default', 2),
  singleRecord('idb single-record txn/s, 4 databases, one in flight on each', DB_FOUR, 'default', 4),
  chunkCase('idb 64KB-chunk MB/s', 64 * KB),
  chunkCase('idb 63KB-chunk MB/s (inline)', 63 * KB),
  workerCase({
    name: 'messagechannel round trip µs',
    unit: 'µs',
    prepare: (w) => channelTo(w, 'attachEcho'),
    run: async (_w, port) => {
      const r = await pingPong(port, ROUND_TRIPS, ROUND_TRIP_WARMUP);
      return latencySample(r.lat, r.totalMs);
    },
    dispose: (port) => port.close(),
  }),
  peerRoundTrip(),
  workerCase({
    name: 'comlink round trip µs',
    unit: 'µs',
    async prepare(w) {
      const port = await channelTo(w, 'attachComlink');
      return { port, remote: Comlink.wrap<ComlinkNoop>(port) };
    },
    async run(_w, { remote }) {
      for (let i = 0; i < ROUND_TRIP_WARMUP; i++) await remote.noop(i);
      const lat = new Float64Array(ROUND_TRIPS);
      const t0 = performance.now();
      for (let i = 0; i < ROUND_TRIPS; i++) {
        const t = performance.now();
        await remote.noop(i);
        lat[i] = performance.now() - t;
      }
      return latencySample(lat, performance.now() - t0);
    },
    dispose({ port, remote }) {
      remote[Comlink.releaseProxy]();
      port.close();
    },
  }),
  workerCase({
    name: 'messagechannel MB/s transfer',
    unit: 'MB/s',
    prepare: (w) => channelTo(w, 'attachEcho'),
    run: (_w, port) => transferLoop(port, 4096, 8, 64 * KB),
    dispose: (port) => port.close(),
  }),
];

registerSuite(rawCases);
