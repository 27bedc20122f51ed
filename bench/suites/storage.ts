// The storage engine's WAL and commit path on real IndexedDB in a worker, beside the raw
// limits of the same run (issue "Foundation"): WAL flush ≥ 70% of raw 64 KB-chunk MB/s, and
// commits/s at 64 writers ≥ 5× raw single-record transactions/s (group commit).
import * as Comlink from 'comlink';
import { registerSuite, type BenchCase } from '../harness.ts';
import type { StorageBenchWorker } from './storage.worker.ts';

function storageCase(
  name: string,
  unit: string,
  body: (
    api: Comlink.Remote<StorageBenchWorker>,
  ) => Promise<number | { value: number; extra: Record<string, number> }>,
  extra: Partial<BenchCase> = {},
): BenchCase {
  let worker: Worker | undefined;
  let api: Comlink.Remote<StorageBenchWorker> | undefined;
  return {
    suite: 'storage',
    name,
    unit,
    ...extra,
    async setup() {
      worker = new Worker(new URL('./storage.worker.ts', import.meta.url), { type: 'module' });
      api = Comlink.wrap<StorageBenchWorker>(worker);
      await api.open(`bench-storage-${name.replace(/\W+/g, '-')}`, !name.includes('checksums off'));
    },
    async teardown() {
      await api?.close();
      worker?.terminate();
    },
    run: () => body(api!),
  };
}

registerSuite([
  storageCase('WAL flush MB/s', 'MB/s', (api) => api.walFlush(16), {
    runs: 5,
    target: { relativeTo: 'idb 64KB-chunk MB/s', ratio: 0.7, higherIsBetter: true },
  }),
  // The product's disk beside the raw row: what IdbDisk's journal and bookkeeping add to one
  // IndexedDB transaction per sync (a lone commit's flush changes a few hundred bytes).
  storageCase('IdbDisk syncs/s, 300 bytes changed each', 'syncs/s', (api) => api.diskSyncs(300, 1000), {
    runs: 3,
    percentileUnit: 'µs',
  }),
  // The same while the thread runs one 300 µs message task after another, as an instance's
  // thread does under load: how long a sync's completion waits for its turn.
  storageCase(
    'IdbDisk syncs/s, 300 bytes changed each, thread busy with 300 µs tasks',
    'syncs/s',
    (api) => api.diskSyncs(300, 1000, 300),
    { runs: 3, percentileUnit: 'µs' },
  ),
  ...[1, 8, 64].map((writers) =>
    storageCase(
      `commits/s, ${writers} writer${writers > 1 ? 's' : ''}`,
      'commits/s',
      (api) => api.commits(writers, 1500),
      {
        percentileUnit: 'µs',
        runs: 3,
        ...(writers === 64
          ? { target: { relativeTo: 'idb single-record txn/s', ratio: 5, higherIsBetter: true } }
          : {}),
      },
    ),
  ),
  // The price of data checksums (issue 19): the same work with them on (the default) and off.
  ...(['on', 'off'] as const).flatMap((sums) => [
    storageCase(`bulk load rows/s (100k rows + checkpoint), checksums ${sums}`, 'rows/s', (api) =>
      api.bulkLoad(100_000),
    ),
    storageCase(
      `cold scan rows/s (100k rows, empty buffer pool), checksums ${sums}`,
      'rows/s',
      async (api) => {
        await api.bulkLoad(100_000);
        return api.coldScan();
      },
    ),
    storageCase(`commits/s, 8 writers, checksums ${sums}`, 'commits/s', (api) => api.commits(8, 1500), {
      percentileUnit: 'µs',
      runs: 3,
    }),
  ]),
]);
