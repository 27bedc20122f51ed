// The worker runtime (issue "Browser runtime"): every instance in its own Web Worker on its own
// IndexedDB database. How long a cluster of each size takes to boot (target: 1+1+64x2 = 130
// instances in under 3 s, issue "At the limit of the browser"), with the floor under it measured
// in the same run: 130 workers that load nothing, and 130 that load the instance worker's
// entry and boot nothing; then commits/s and latency beside the inline runtime on the same shape
// and the same IndexedDB disks (so the difference is the workers and their links),
// and the longest main-thread task while it runs a workload (target: none over 100 ms). The raw
// MessageChannel round trip is the raw suite's row of the same run.
import { registerSuite, type BenchCase, type BenchSample } from '../harness.ts';
import {
  configureWorkerRuntime,
  createCluster,
  deleteCluster,
  type Cluster,
} from '../../src/workers/index.ts';
import { longestTaskDuring } from './lab.ts';

// run.mjs builds the instance worker into one file, as a site build does; the page opened by
// hand from the dev server (no parameter) loads it module by module, which is much slower.
const workerBundle = new URLSearchParams(location.search).get('workerBundle');
if (workerBundle) configureWorkerRuntime({ workerUrl: workerBundle });

const hosts = (n: number) => Array.from({ length: n }, (_, i) => `sdw${i + 1}`);

function boot(runtime: 'worker' | 'inline', primaries: number, name: string): Promise<Cluster> {
  const segmentsPerHost = 2;
  return createCluster({
    runtime,
    hosts: hosts(Math.max(2, primaries / segmentsPerHost)),
    segmentsPerHost,
    mirroring: 'group',
    standby: true,
    storage: 'indexeddb',
    name,
  });
}

function bootCase(primaries: number): BenchCase {
  return {
    suite: 'workers',
    name: `worker boot of 1+1+${primaries}x2 instances (ms)`,
    unit: 'ms',
    runs: 5,
    quickRuns: 3,
    ...(primaries === 64 ? { target: { limit: 3_000, higherIsBetter: false } } : {}),
    async run() {
      const name = `bench-workers-boot-${primaries}`;
      const t0 = performance.now();
      const c = await boot('worker', primaries, name);
      const ms = performance.now() - t0;
      await c.close();
      await deleteCluster(name);
      return ms;
    },
  };
}

/**
 * A primary's executor starts on the first statement dispatched to it (node/lazy-executor.ts),
 * and its code loads once the boot has returned, in the background (ProcessApi.warm), so a boot
 * ends before 64 workers compile it. This row times the first statement, a CREATE TABLE that
 * every segment runs, right after the boot returns (the loads still under way) or after a pause
 * (a person reading the screen first); the `warm` extra is a second CREATE TABLE just after it.
 */
function firstStatementCase(primaries: number, pauseMs: number): BenchCase {
  const when = pauseMs ? `${pauseMs / 1000} s after` : 'right after';
  return {
    suite: 'workers',
    name: `first statement ${when} a worker boot of 1+1+${primaries}x2: CREATE TABLE on every segment (ms)`,
    unit: 'ms',
    runs: 3,
    quickRuns: 1,
    async run() {
      const name = `bench-workers-first-${primaries}-${pauseMs}`;
      const c = await boot('worker', primaries, name);
      try {
        if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
        const t0 = performance.now();
        await c.query('create table first_statement (a int) distributed by (a)');
        const first = performance.now() - t0;
        const t1 = performance.now();
        await c.query('create table second_statement (a int) distributed by (a)');
        return { value: first, extra: { warm: performance.now() - t1 } };
      } finally {
        await c.close();
        await deleteCluster(name);
      }
    },
  };
}

/** Workers the instance spawner would start for 1+1+64x2, all at once, as a boot starts them. */
const BOOT_WORKERS = 130;

/**
 * The time until `count` module workers of `url` have all said they are ready (posted their
 * first message), spawned at once; then they are terminated.
 */
async function spawnAll(url: string, count: number, name = (i: number) => `floor ${i}`): Promise<number> {
  const workers: Worker[] = [];
  const t0 = performance.now();
  try {
    await Promise.all(
      Array.from(
        { length: count },
        (_, i) =>
          new Promise<void>((resolve, reject) => {
            const w = new Worker(url, { type: 'module', name: name(i) });
            workers.push(w);
            w.addEventListener('message', () => resolve(), { once: true });
            w.addEventListener('error', (e) => reject(new Error(e.message || 'the worker failed to load')));
          }),
      ),
    );
    return performance.now() - t0;
  } finally {
    for (const w of workers) w.terminate();
  }
}

/**
 * A worker that creates its own IndexedDB database (named after the worker), with the stores an
 * instance's disk has, commits one small readwrite transaction in it, closes it and says ready:
 * the least IndexedDB work an instance's boot does (it opens its disk and syncs at least once).
 */
const IDB_FLOOR_WORKER = `
const open = indexedDB.open(self.name, 1);
open.onupgradeneeded = () => {
  open.result.createObjectStore('blocks');
  open.result.createObjectStore('journal');
};
open.onerror = () => { throw open.error; };
open.onsuccess = () => {
  const db = open.result;
  const tx = db.transaction('journal', 'readwrite');
  tx.objectStore('journal').put(new ArrayBuffer(512), 0);
  tx.onerror = () => { throw tx.error; };
  tx.oncomplete = () => { db.close(); postMessage('ready'); };
};`;

const idbFloorName = (i: number) => `bench-boot-floor-idb-${i}`;

async function deleteIdbFloorDatabases(): Promise<void> {
  await Promise.all(
    Array.from(
      { length: BOOT_WORKERS },
      (_, i) =>
        new Promise<void>((resolve, reject) => {
          const r = indexedDB.deleteDatabase(idbFloorName(i));
          r.onsuccess = () => resolve();
          r.onerror = () => reject(r.error ?? new Error('could not delete a floor database'));
        }),
    ),
  );
}

/** The floor under a boot: spawning the workers, and each compiling the entry it runs. */
function bootFloorCases(): BenchCase[] {
  let empty: string | undefined;
  let idb: string | undefined;
  return [
    {
      suite: 'workers',
      name: `worker boot floor: ${BOOT_WORKERS} empty module workers spawned (ms)`,
      unit: 'ms',
      runs: 5,
      quickRuns: 3,
      setup() {
        empty = URL.createObjectURL(new Blob(["postMessage('ready');"], { type: 'text/javascript' }));
        return Promise.resolve();
      },
      teardown() {
        if (empty) URL.revokeObjectURL(empty);
        return Promise.resolve();
      },
      run: () => spawnAll(empty!, BOOT_WORKERS),
    },
    {
      suite: 'workers',
      // The instance worker says it is ready once its entry is loaded, before any boot.
      name: `worker boot floor: ${BOOT_WORKERS} instance workers spawned, entry loaded, none booted (ms)`,
      unit: 'ms',
      runs: 5,
      quickRuns: 3,
      run() {
        if (!workerBundle) throw new Error('needs ?workerBundle= (npm run bench builds it)');
        return spawnAll(workerBundle, BOOT_WORKERS);
      },
    },
    {
      suite: 'workers',
      // Each instance has its own IndexedDB database: the browser creates 130 of them, and
      // commits their first transactions, with the same 2 cores the workers start on.
      name: `worker boot floor: ${BOOT_WORKERS} empty workers, each creating its own IndexedDB database and committing one transaction (ms)`,
      unit: 'ms',
      runs: 5,
      quickRuns: 3,
      async setup() {
        idb = URL.createObjectURL(new Blob([IDB_FLOOR_WORKER], { type: 'text/javascript' }));
        await deleteIdbFloorDatabases();
      },
      async teardown() {
        if (idb) URL.revokeObjectURL(idb);
        await deleteIdbFloorDatabases();
      },
      async run() {
        try {
          return await spawnAll(idb!, BOOT_WORKERS, idbFloorName);
        } finally {
          // Each run creates its databases afresh, as a new cluster's boot does.
          await deleteIdbFloorDatabases();
        }
      },
    },
  ];
}

/** WAL flushes and the time their syncs took, summed over the acting segment primaries. */
async function primaryWalSyncs(c: Cluster): Promise<{ flushes: number; syncMs: number }> {
  const r = await c.query("select dbid from gp_segment_configuration where content >= 0 and role = 'p'");
  const stats = await Promise.all(r.rows.map((row) => c.instanceStatus(Number(row[0]))));
  return stats.reduce(
    (sum, s) => ({ flushes: sum.flushes + (s.wal?.flushes ?? 0), syncMs: sum.syncMs + (s.wal?.syncMs ?? 0) }),
    { flushes: 0, syncMs: 0 },
  );
}

/**
 * Single-row autocommit INSERTs from `sessions` sessions for 3 s; p50/p99 latency in µs, and the
 * primaries' WAL syncs: per commit, and their mean latency (each runtime's instances time their
 * own, in their own thread: a worker's or the page's).
 */
async function commitsFor(c: Cluster, sessions: number): Promise<BenchSample> {
  const before = await primaryWalSyncs(c);
  const lat: number[] = [];
  const until = performance.now() + 3000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: sessions }, async (_, s) => {
      const session = await c.connect();
      for (let i = 0; performance.now() < until; i++) {
        const t = performance.now();
        await session.query(`insert into w values (${s * 1_000_000 + i}, ${i})`);
        lat.push((performance.now() - t) * 1000);
      }
      await session.close();
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const at = (q: number) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))] ?? 0;
  const after = await primaryWalSyncs(c);
  const flushes = after.flushes - before.flushes;
  return {
    value: lat.length / secs,
    extra: {
      p50: at(0.5),
      p99: at(0.99),
      commits: lat.length,
      walSyncsPerCommit: flushes / Math.max(1, lat.length),
      walSyncMeanUs: flushes ? ((after.syncMs - before.syncMs) * 1000) / flushes : 0,
    },
  };
}

function commitCase(runtime: 'worker' | 'inline', sessions: number): BenchCase {
  let c: Cluster | undefined;
  const name = `bench-workers-commits-${runtime}-${sessions}`;
  return {
    suite: 'workers',
    name: `${runtime} commits/s, ${sessions} session${sessions > 1 ? 's' : ''}, 1+1+4x2 mirrored`,
    unit: 'commits/s',
    percentileUnit: 'µs',
    runs: 5,
    quickRuns: 3,
    async setup() {
      c = await boot(runtime, 4, name);
      await c.query('create table w (a int, b int) distributed by (a)');
    },
    async teardown() {
      await c?.close();
      await deleteCluster(name);
    },
    run: () => commitsFor(c!, sessions),
  };
}

function longTaskCase(): BenchCase {
  let c: Cluster | undefined;
  const name = 'bench-workers-longtask';
  return {
    suite: 'workers',
    name: 'longest main-thread task while 1+1+16x2 (worker) commits (ms)',
    unit: 'ms',
    runs: 3,
    target: { limit: 100, higherIsBetter: false },
    async setup() {
      c = await boot('worker', 16, name);
      await c.query('create table w (a int, b int) distributed by (a)');
    },
    async teardown() {
      await c?.close();
      await deleteCluster(name);
    },
    run: () => longestTaskDuring(c!),
  };
}

registerSuite([
  ...bootFloorCases(),
  bootCase(4),
  bootCase(16),
  bootCase(64),
  firstStatementCase(64, 0),
  firstStatementCase(64, 3000),
  ...[1, 8].flatMap((n) => [commitCase('inline', n), commitCase('worker', n)]),
  longTaskCase(),
]);
