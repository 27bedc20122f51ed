// The cluster core under SQL load (issue "Cluster core"): our inline runtime (every instance
// in one thread, linked by MessageChannels + Comlink) on IndexedDB, in a dedicated worker, beside
// PGlite on `idb://` in another worker, measured in the same run. Targets: a 1-segment
// mirrorless cluster at least matches PGlite's rows/s on the bulk load and its commits/s at 8
// sessions. See bench/README.md ("Cluster rows") for what each row measures.
//
// A case runs against a "fixture": one worker holding one cluster (or one PGlite). The bulk
// load and the count(*)/GROUP BY rows of an engine share a fixture, so the 1M-row table is
// loaded once; commit rows get a fresh one each. A fixture is destroyed (engine closed, its
// IndexedDB databases deleted, worker terminated) after the last case of the run that uses it,
// and before any other fixture is created, so only one engine is alive at a time.
import * as Comlink from 'comlink';
import {
  registerSuite,
  selectCases,
  type BenchCase,
  type BenchContext,
  type BenchSample,
} from '../harness.ts';
import type { ClusterBenchWorker } from './cluster.worker.ts';
import type { PgliteBenchWorker } from './pglite.worker.ts';
import type { TimedQuery } from './sql-workload.ts';

/** Rows of the bulk load (and of the table count(*) / GROUP BY read). */
const BULK_ROWS = 1_000_000;
/** Rows of the table gpexpand redistributes. */
const EXPAND_ROWS = 200_000;
/** How long each commit-rate run loops, in ms. */
const COMMIT_MS = 2000;

/** The methods both workers offer once open. */
type EngineApi = Comlink.Remote<
  Pick<
    ClusterBenchWorker & PgliteBenchWorker,
    'destroy' | 'bulkLoad' | 'ensureLoaded' | 'timed' | 'createCommitTable' | 'commits'
  >
>;

interface FixtureSpec {
  key: string;
  /** Where the engine keeps its disks: a memory fixture leaves no IndexedDB database behind. */
  storage: 'indexeddb' | 'memory';
  /** Spawns the worker and opens the engine under a unique name. */
  start(name: string): Promise<{ worker: Worker; api: EngineApi }>;
}

interface Fixture {
  key: string;
  storage: FixtureSpec['storage'];
  worker: Worker;
  api: EngineApi;
}

let live: Fixture | undefined;
let seq = 0;
/** Which fixture each case name uses (filled by registration). */
const fixtureOf = new Map<string, string>();

/** Spawns a worker and runs `open` on it; on failure, cleans up what it made. */
async function startWorker<T extends EngineApi>(
  worker: Worker,
  open: (api: T) => Promise<unknown>,
): Promise<{ worker: Worker; api: EngineApi }> {
  const api = Comlink.wrap(worker) as unknown as T;
  try {
    await open(api);
  } catch (e) {
    await api.destroy().catch(() => undefined);
    api[Comlink.releaseProxy]();
    worker.terminate();
    throw e;
  }
  return { worker, api };
}

const clusterFixture = (
  key: string,
  hosts: string[],
  segmentsPerHost: number,
  mirroring: 'none' | 'group' = 'none',
  replication: 'wal' | 'filerep' = 'wal',
  runtime: 'inline' | 'worker' = 'inline',
  storage: 'indexeddb' | 'memory' = 'indexeddb',
): FixtureSpec => ({
  key,
  storage,
  start: (name) =>
    startWorker<Comlink.Remote<ClusterBenchWorker>>(
      new Worker(new URL('./cluster.worker.ts', import.meta.url), { type: 'module' }),
      (api) =>
        api.open(
          name,
          hosts,
          segmentsPerHost,
          mirroring,
          replication,
          runtime,
          workerBundle ?? undefined,
          storage,
        ),
    ),
});

/** The instance worker as one built file (run.mjs builds it, as the site's build ships it). */
const workerBundle = new URLSearchParams(location.search).get('workerBundle');

const pgliteFixture = (key: string): FixtureSpec => ({
  key,
  storage: 'indexeddb',
  start: (name) =>
    startWorker<Comlink.Remote<PgliteBenchWorker>>(
      new Worker(new URL('./pglite.worker.ts', import.meta.url), { type: 'module' }),
      (api) => api.open(name),
    ),
});

async function destroyLive(): Promise<void> {
  const f = live;
  live = undefined;
  if (!f) return;
  try {
    // Guards the clean-up itself: every engine here leaves at least one database behind.
    const deleted = await f.api.destroy();
    if (!deleted.length && f.storage === 'indexeddb')
      throw new Error(`${f.key}: found no IndexedDB database to delete`);
  } finally {
    f.api[Comlink.releaseProxy]();
    f.worker.terminate();
  }
}

async function acquire(spec: FixtureSpec): Promise<Fixture> {
  if (live?.key === spec.key) return live;
  await destroyLive();
  const name = `bench-${spec.key}-${Date.now().toString(36)}-${seq++}`;
  const { worker, api } = await spec.start(name);
  live = { key: spec.key, storage: spec.storage, worker, api };
  return live;
}

/** Destroys the live fixture unless a case later in this run uses it too. */
async function release(caseName: string, ctx: BenchContext): Promise<void> {
  if (!live) return;
  const order = selectCases(ctx.filter).map((c) => c.name);
  const later = order.slice(order.indexOf(caseName) + 1);
  if (later.some((n) => fixtureOf.get(n) === live?.key)) return;
  await destroyLive();
}

function fixtureCase(
  spec: FixtureSpec,
  c: Omit<BenchCase, 'setup' | 'teardown' | 'run'> & {
    prepare?(f: Fixture): Promise<void>;
    run(f: Fixture): Promise<BenchSample>;
  },
): BenchCase {
  const { prepare, run, ...rest } = c;
  fixtureOf.set(c.name, spec.key);
  let fixture: Fixture | undefined;
  return {
    ...rest,
    async setup() {
      fixture = await acquire(spec);
      await prepare?.(fixture);
    },
    run() {
      if (!fixture) throw new Error('setup did not run');
      return run(fixture);
    },
    async teardown(ctx) {
      fixture = undefined;
      await release(c.name, ctx);
    },
  };
}

const ROWS_LABEL = BULK_ROWS >= 1_000_000 ? `${BULK_ROWS / 1_000_000}M` : `${BULK_ROWS / 1000}k`;
const QUERY_LABELS = {
  join: `join redistributing ${ROWS_LABEL} rows (x.id = y.v)`,
  window: `row_number() over (partition by v order by id), ${ROWS_LABEL} rows`,
};

/** Bulk load, count(*) and GROUP BY rows on one fixture: the load's last run leaves the table. */
function loadAndQueryCases(
  suite: string,
  spec: FixtureSpec,
  name: (what: string) => string,
  target?: BenchCase['target'],
  queryTarget?: (query: TimedQuery) => BenchCase['target'],
  /** Queries timed beyond count(*) and GROUP BY. */
  more: ('join' | 'window')[] = [],
): BenchCase[] {
  // Also after the timed load: it checkpoints the load's pages before a query is timed.
  const ensureLoaded = async (f: Fixture) => {
    await f.api.ensureLoaded(BULK_ROWS);
  };
  const query = (what: string, method: TimedQuery): BenchCase =>
    fixtureCase(spec, {
      suite,
      name: name(what),
      unit: 'ms',
      // The median of 7 after one warm-up query: each worker of the worker runtime warms its
      // own JIT, and its first two timed queries still ran 40% slower than the later ones.
      runs: 7,
      quickRuns: 3,
      ...(queryTarget?.(method) ? { target: queryTarget(method) } : {}),
      async prepare(f) {
        await ensureLoaded(f);
        await f.api.timed(method); // warm-up, untimed
      },
      run: (f) => f.api.timed(method),
    });
  return [
    fixtureCase(spec, {
      suite,
      name: name(`bulk load rows/s (INSERT ... SELECT ${ROWS_LABEL})`),
      unit: 'rows/s',
      runs: 3,
      quickRuns: 1,
      ...(target ? { target } : {}),
      run: (f) => f.api.bulkLoad(BULK_ROWS),
    }),
    query(`count(*) over ${ROWS_LABEL} rows`, 'count'),
    query(`GROUP BY over ${ROWS_LABEL} rows`, 'groupBy'),
    ...more.map((q) => query(QUERY_LABELS[q], q)),
  ];
}

/** Single-row autocommit INSERTs from `sessions` sessions, on a fresh fixture. */
function commitCase(
  suite: string,
  spec: FixtureSpec,
  name: string,
  sessions: number,
  target?: BenchCase['target'],
): BenchCase {
  return fixtureCase(spec, {
    suite,
    name,
    unit: 'commits/s',
    percentileUnit: 'µs',
    runs: 5,
    quickRuns: 3,
    ...(target ? { target } : {}),
    prepare: (f) => f.api.createCommitTable(),
    run: (f) => f.api.commits(sessions, COMMIT_MS),
  });
}

/** A commit row on the engine's memory disks (suite "ceiling"), named after its IndexedDB twin. */
function ceilingCase(
  key: string,
  hosts: string[],
  segmentsPerHost: number,
  mirroring: 'none' | 'group',
  sessions: number,
  name: string,
): BenchCase {
  const spec = clusterFixture(`ceiling-${key}`, hosts, segmentsPerHost, mirroring, 'wal', 'inline', 'memory');
  return commitCase('ceiling', spec, `${name}, memory disks`, sessions);
}

const HOSTS_2 = ['sdw1', 'sdw2'];
const commitsName = (sessions: number) =>
  `single-row autocommit INSERT commits/s, ${sessions} session${sessions > 1 ? 's' : ''}`;
const PGLITE_BULK = `pglite bulk load rows/s (INSERT ... SELECT ${ROWS_LABEL})`;
const PGLITE_COMMITS_8 = `pglite ${commitsName(8)}`;

registerSuite([
  // 2 hosts × 2 segments.
  ...loadAndQueryCases('cluster', clusterFixture('cluster-2x2', HOSTS_2, 2), (w) => w),
  ...[1, 8, 64].map((n) =>
    commitCase('cluster', clusterFixture(`cluster-2x2-commits${n}`, HOSTS_2, 2), commitsName(n), n),
  ),
  // MPP in the browser (issue "At the limit of the browser"): 4 segments, each in its own Web
  // Worker, scan their quarters side by side; PGlite is one thread. Target: 1.5x PGlite's time.
  ...loadAndQueryCases(
    'cluster',
    clusterFixture('cluster-worker-4x1', ['sdw1', 'sdw2', 'sdw3', 'sdw4'], 1, 'none', 'wal', 'worker'),
    (w) => `${w}, worker runtime, 4 segments`,
    undefined,
    (method) =>
      method === 'count' || method === 'groupBy'
        ? {
            relativeTo: `pglite ${method === 'count' ? `count(*) over ${ROWS_LABEL} rows` : `GROUP BY over ${ROWS_LABEL} rows`}`,
            ratio: 0.67,
            higherIsBetter: false,
          }
        : undefined,
    ['join', 'window'],
  ),
  // 1 segment, mirrorless: the configuration the targets are stated for.
  ...loadAndQueryCases('cluster', clusterFixture('cluster-1seg', ['sdw1'], 1), (w) => `${w}, 1 segment`, {
    relativeTo: PGLITE_BULK,
    ratio: 1,
    higherIsBetter: true,
  }),
  commitCase(
    'cluster',
    clusterFixture('cluster-1seg-commits8', ['sdw1'], 1),
    `${commitsName(8)}, 1 segment`,
    8,
    {
      relativeTo: PGLITE_COMMITS_8,
      ratio: 1,
      higherIsBetter: true,
    },
  ),
  // The same on the worker runtime, the one the site uses (the coordinator and the segment each
  // in a Web Worker of their own); no target.
  commitCase(
    'cluster',
    clusterFixture('cluster-1seg-commits8-worker', ['sdw1'], 1, 'none', 'wal', 'worker'),
    `${commitsName(8)}, 1 segment, worker runtime`,
    8,
  ),
  // Mirrors with synchronous replication on the same 2 x 2 shape: what sync rep costs against the
  // mirrorless rows above (issue "At the limit of the browser": at least 0.8 of them at 8
  // sessions, 0.85 at 64), and how long a failover takes.
  ...(
    [
      [8, 0.8],
      [64, 0.85],
    ] as const
  ).map(([n, ratio]) =>
    commitCase(
      'mirroring',
      clusterFixture(`cluster-2x2-mirrored-commits${n}`, HOSTS_2, 2, 'group'),
      `${commitsName(n)}, group mirrors + sync rep`,
      n,
      { relativeTo: commitsName(n), ratio, higherIsBetter: true },
    ),
  ),
  // The engine's ceiling: the commit rows above again, on the engine's memory disks, whose sync
  // costs a task of the event loop and no IndexedDB transaction. What is left is the engine's own
  // CPU and its hops between instances on one thread. No targets: these say where the time goes.
  ceilingCase('1seg-8', ['sdw1'], 1, 'none', 8, `${commitsName(8)}, 1 segment`),
  ceilingCase('2x2-8', HOSTS_2, 2, 'none', 8, commitsName(8)),
  ceilingCase('2x2-mirrored-8', HOSTS_2, 2, 'group', 8, `${commitsName(8)}, group mirrors + sync rep`),
  ceilingCase('2x2-64', HOSTS_2, 2, 'none', 64, commitsName(64)),
  ceilingCase('2x2-mirrored-64', HOSTS_2, 2, 'group', 64, `${commitsName(64)}, group mirrors + sync rep`),
  ...(['inline', 'worker'] as const).map((runtime) =>
    fixtureCase(clusterFixture(`cluster-2x2-failover-${runtime}`, HOSTS_2, 2, 'group', 'wal', runtime), {
      suite: 'mirroring',
      name: `primary crash to first commit on the promoted mirror (ms)${runtime === 'worker' ? ', worker runtime' : ''}`,
      unit: 'ms',
      // Each run fails content 0's primary over; the pair is recovered and rebalanced after it.
      runs: 5,
      quickRuns: 1,
      prepare: async () => undefined,
      run: (f) =>
        (f.api as unknown as Comlink.Remote<{ failoverTime(): Promise<BenchSample> }>).failoverTime(),
    }),
  ),
  // gpexpand (issue "gpexpand"): phase 2's rows/s and the bytes it wrote, beside the bulk load.
  fixtureCase(clusterFixture('cluster-2x2-expand', HOSTS_2, 2, 'group'), {
    suite: 'expansion',
    name: `gpexpand redistribution rows/s (2 x 2 to 4 x 2, group mirrors, ${EXPAND_ROWS / 1000}k rows)`,
    unit: 'rows/s',
    // Each run on a fresh cluster (the worker opens it again): the same shape every time.
    runs: 3,
    quickRuns: 1,
    prepare: async () => undefined,
    run: (f) =>
      (f.api as unknown as Comlink.Remote<{ expansion(rows: number): Promise<BenchSample> }>).expansion(
        EXPAND_ROWS,
      ),
  }),
  // Greenplum 5 file replication on the same shape: commits (every sync waits for the mirror's),
  // failover, and an incremental resynchronization after changing 1, 10 and 100% of a segment.
  commitCase(
    'mirroring',
    clusterFixture('cluster-2x2-filerep-commits64', HOSTS_2, 2, 'group', 'filerep'),
    `${commitsName(64)}, group mirrors, file replication`,
    64,
  ),
  fixtureCase(clusterFixture('cluster-2x2-filerep-failover', HOSTS_2, 2, 'group', 'filerep'), {
    suite: 'mirroring',
    name: 'file replication: primary crash to first commit on the promoted mirror (ms)',
    unit: 'ms',
    runs: 1,
    prepare: async () => undefined,
    run: (f) => (f.api as unknown as Comlink.Remote<{ failoverTime(): Promise<BenchSample> }>).failoverTime(),
  }),
  ...[1, 10, 100].map((pct) =>
    fixtureCase(clusterFixture('cluster-2x1-filerep-recovery', HOSTS_2, 1, 'group', 'filerep'), {
      suite: 'recovery',
      name: `file replication: gprecoverseg -a (resynchronization) after changing ${pct}% of a segment (ms)`,
      unit: 'ms',
      runs: 1,
      prepare: async () => undefined,
      run: (f) =>
        (
          f.api as unknown as Comlink.Remote<{ recoveryCost(m: string, p: number): Promise<BenchSample> }>
        ).recoveryCost('', pct),
    }),
  ),
  // Recovery cost (issue "Recovery"): time and bytes moved by each gprecoverseg mode after
  // changing 1%, 10% and 100% of a segment.
  ...(['', '--differential', '-F'] as const).flatMap((mode) =>
    [1, 10, 100].map((pct) =>
      fixtureCase(clusterFixture('cluster-2x1-recovery', HOSTS_2, 1, 'group'), {
        suite: 'recovery',
        name: `gprecoverseg -a ${mode || '(incremental)'} after changing ${pct}% of a segment (ms)`,
        unit: 'ms',
        runs: 1,
        prepare: async () => undefined,
        run: (f) =>
          (
            f.api as unknown as Comlink.Remote<{ recoveryCost(m: string, p: number): Promise<BenchSample> }>
          ).recoveryCost(mode, pct),
      }),
    ),
  ),
  // The reference: PGlite on idb://, same statements.
  ...loadAndQueryCases('pglite', pgliteFixture('pglite'), (w) => `pglite ${w}`, undefined, undefined, [
    'join',
    'window',
  ]),
  ...[1, 8].map((n) =>
    commitCase('pglite', pgliteFixture(`pglite-commits${n}`), `pglite ${commitsName(n)}`, n),
  ),
]);
