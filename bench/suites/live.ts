// Live under load (issue "Live under load"): the site's cluster (worker runtime, IndexedDB, group
// mirroring, a standby, time compressed 30x) answering FTS while it loads a million rows.
// One measurement per run feeds four rows: the probe round trip (p50 / p99) idle and during the
// insert (target p99 under load <= 50 ms), the longest main-thread task during the insert
// (target <= 50 ms) and the insert's rows/s. Probe round trips are FTS's own figures (the
// coordinator times every probe it sends); a second session asks for probe scans back to back
// (gp_request_fts_probe_scan) so there are enough of them.
import { registerSuite, type BenchCase, type BenchSample } from '../harness.ts';
import {
  configureWorkerRuntime,
  createCluster,
  deleteCluster,
  type Cluster,
  type ClusterEvent,
} from '../../src/workers/index.ts';

const workerBundle = new URLSearchParams(location.search).get('workerBundle');
if (workerBundle) configureWorkerRuntime({ workerUrl: workerBundle });

const ROWS = Number(new URLSearchParams(location.search).get('liveRows') ?? 1_000_000);
const NAME = 'bench-live';

interface Measurement {
  /** Probes that got no answer within the probe timeout during the insert (FTS retries them). */
  failedProbes: number;
  idle: { p50: number; p99: number; probes: number };
  load: { p50: number; p99: number; probes: number; worst: number };
  longestTaskMs: number;
  rowsPerSec: number;
}

const measured: Measurement[] = [];
let cluster: Cluster | undefined;
/** What FTS did, for the error when the cluster was not live. */
const alarms: ClusterEvent[] = [];

function percentiles(xs: number[]): { p50: number; p99: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

/** Probe round trips FTS recorded since `before` (per primary: its recent ones past that count). */
async function probeTimes(c: Cluster, before: Map<number, number>): Promise<number[]> {
  const coordinator = await c.instanceStatus(1);
  const out: number[] = [];
  for (const t of coordinator.ftsProbes ?? []) {
    const fresh = t.probes - t.failures - (before.get(t.dbid) ?? 0);
    out.push(...t.recentMs.slice(-Math.max(0, Math.min(fresh, t.recentMs.length))));
  }
  return out;
}

async function probeCounts(c: Cluster): Promise<Map<number, number>> {
  const coordinator = await c.instanceStatus(1);
  return new Map((coordinator.ftsProbes ?? []).map((t) => [t.dbid, t.probes - t.failures]));
}

/** Asks for probe scans back to back until `done()`, from a session of its own. */
async function probeWhile(c: Cluster, done: () => boolean): Promise<void> {
  const s = await c.connect();
  while (!done()) await s.query('select gp_request_fts_probe_scan()');
  await s.close();
}

async function measure(c: Cluster): Promise<Measurement> {
  await c.query('drop table if exists live_big');
  await c.query('create table live_big (id int, pad text) distributed by (id)');
  // Idle: 2 s of probe scans.
  let before = await probeCounts(c);
  const idleUntil = performance.now() + 2000;
  await probeWhile(c, () => performance.now() > idleUntil);
  const idle = await probeTimes(c, before);
  // Under load: the insert, with probe scans and the main thread watched meanwhile.
  before = await probeCounts(c);
  const failedBefore = (await c.instanceStatus(1)).ftsProbes?.reduce((n, t) => n + t.failures, 0) ?? 0;
  const tasks: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) tasks.push(e.duration);
  });
  obs.observe({ type: 'longtask', buffered: false });
  let inserting = true;
  const t0 = performance.now();
  const insert = c
    .query(`insert into live_big select g, repeat('x', 200) from generate_series(1, ${ROWS}) g`)
    .finally(() => (inserting = false));
  await Promise.all([insert, probeWhile(c, () => !inserting)]);
  const secs = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  const load = await probeTimes(c, before);
  const failedAfter = (await c.instanceStatus(1)).ftsProbes?.reduce((n, t) => n + t.failures, 0) ?? 0;
  const failovers = (
    await c.query(
      "select count(*) from gp_segment_configuration where role <> preferred_role or status = 'd'",
    )
  ).rows[0]![0] as number;
  if (failovers > 0)
    throw new Error(
      `the cluster was not live under load: ${JSON.stringify(alarms.splice(0))} ${JSON.stringify(
        (await c.query('select * from gp_segment_configuration order by dbid')).rows,
      )}`,
    );
  return {
    failedProbes: failedAfter - failedBefore,
    idle: { ...percentiles(idle), probes: idle.length },
    load: { ...percentiles(load), probes: load.length, worst: Math.max(...load) },
    longestTaskMs: Math.max(0, ...tasks),
    rowsPerSec: ROWS / secs,
  };
}

const RUNS = 3;

const loadCase: BenchCase = {
  suite: 'live',
  name: 'FTS probe round trip during a 1,000,000-row insert, site cluster (ms p99)',
  unit: 'ms',
  runs: RUNS,
  quickRuns: RUNS,
  target: { limit: 50, higherIsBetter: false },
  async setup() {
    measured.length = 0;
    if (!PerformanceObserver.supportedEntryTypes.includes('longtask'))
      throw new Error('this browser reports no long tasks: the rows cannot be measured');
    await deleteCluster(NAME);
    cluster = await createCluster({
      runtime: 'worker',
      storage: 'indexeddb',
      name: NAME,
      mirroring: 'group',
      standby: true,
      timeScale: 30,
    });
    await cluster.query('select gp_request_fts_probe_scan()');
    cluster.subscribe((e) => {
      if (/^(fts\.(?!cycle)|link\.timeout|walsender\.(unreachable|disconnected))/.test(e.kind))
        alarms.push(e);
    });
  },
  async teardown() {
    await cluster?.close();
    cluster = undefined;
    await deleteCluster(NAME);
  },
  async run(): Promise<BenchSample> {
    const m = await measure(cluster!);
    measured.push(m);
    return {
      value: m.load.p99,
      extra: {
        p50: m.load.p50,
        p99: m.load.p99,
        probes: m.load.probes,
        worst: m.load.worst,
        failedProbes: m.failedProbes,
      },
    };
  },
};

/** A row read off the measurement of the same run index. */
function derived(
  name: string,
  unit: string,
  pick: (m: Measurement) => BenchSample,
  target?: BenchCase['target'],
): BenchCase {
  let i = 0;
  return {
    suite: 'live',
    name,
    unit,
    runs: RUNS,
    quickRuns: RUNS,
    ...(target ? { target } : {}),
    async setup() {
      i = 0;
    },
    async run() {
      const m = measured[i++];
      if (!m) throw new Error(`no measurement for run ${i}: the probe row did not run`);
      return pick(m);
    },
  };
}

registerSuite([
  loadCase,
  derived('FTS probe round trip, idle site cluster (ms p99)', 'ms', (m) => ({
    value: m.idle.p99,
    extra: { p50: m.idle.p50, p99: m.idle.p99, probes: m.idle.probes },
  })),
  derived(
    'longest main-thread task during a 1,000,000-row insert, site cluster (ms)',
    'ms',
    (m) => m.longestTaskMs,
    { limit: 50, higherIsBetter: false },
  ),
  derived('bulk load rows/s, 1,000,000 rows, site cluster (worker runtime)', 'rows/s', (m) => m.rowsPerSec),
]);
