// The lab's page (issues "Browser runtime" and "The lab"): the cluster the lab runs today, in
// the page's own thread (inline runtime, memory disks), while a workload commits: the longest
// main-thread task (the budget is 100 ms), and how long a cluster of each size takes to boot.
// The worker runtime is to move the instances off this thread; these rows are its baseline.
import { registerSuite, type BenchCase, type BenchSample } from '../harness.ts';
import { createCluster, type Cluster } from '../../src/engine/index.ts';

const hosts = (n: number) => Array.from({ length: n }, (_, i) => `sdw${i + 1}`);

/** Boots 1 coordinator + 1 standby + `primaries` primaries with as many mirrors. */
function boot(primaries: number): Promise<Cluster> {
  const segmentsPerHost = 2;
  return createCluster({
    hosts: hosts(Math.max(2, primaries / segmentsPerHost)),
    segmentsPerHost,
    mirroring: 'group',
    standby: true,
    storage: 'memory',
    name: `bench-lab-${primaries}`,
  });
}

function bootCase(primaries: number): BenchCase {
  return {
    suite: 'lab',
    name: `inline boot of 1+1+${primaries}x2 instances (ms)`,
    unit: 'ms',
    runs: 3,
    async run() {
      const t0 = performance.now();
      const c = await boot(primaries);
      const ms = performance.now() - t0;
      await c.close();
      return ms;
    },
  };
}

function longTaskCase(primaries: number): BenchCase {
  let c: Cluster | undefined;
  return {
    suite: 'lab',
    name: `longest main-thread task while 1+1+${primaries}x2 (inline) commits (ms)`,
    unit: 'ms',
    runs: 3,
    async setup() {
      c = await boot(primaries);
      await c.query('create table w (a int, b int) distributed by (a)');
    },
    async teardown() {
      await c?.close();
    },
    run: () => longestTaskDuring(c!),
  };
}

/**
 * The longest main-thread task (PerformanceObserver longtask) while 8 sessions commit single
 * rows for 3 s; refuses to run where the browser reports no long tasks.
 */
export async function longestTaskDuring(cluster: Cluster): Promise<BenchSample> {
  if (!PerformanceObserver.supportedEntryTypes.includes('longtask'))
    throw new Error('this browser reports no long tasks: the row cannot be measured');
  const tasks: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) tasks.push(e.duration);
  });
  obs.observe({ type: 'longtask', buffered: false });
  const until = performance.now() + 3000;
  let commits = 0;
  await Promise.all(
    Array.from({ length: 8 }, async (_, s) => {
      for (let i = 0; performance.now() < until; i++) {
        await cluster.query(`insert into w values (${s * 100_000 + i}, ${i})`);
        commits++;
      }
    }),
  );
  // Let the observer deliver the last entries.
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  const longest = Math.max(0, ...tasks);
  return {
    value: longest,
    extra: { tasksOver50ms: tasks.length, tasksOver100ms: tasks.filter((d) => d > 100).length, commits },
  };
}

registerSuite([bootCase(4), bootCase(16), bootCase(64), longTaskCase(16)]);
