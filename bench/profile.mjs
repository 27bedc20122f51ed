// Where the engine's time goes, in Node: runs one of the cluster suite's workloads on an
// in-memory cluster (inline runtime, `storage: 'memory'`, so no IndexedDB) under the V8 CPU
// profiler and prints the functions with the most self time, and the most inclusive time.
// The engine's TypeScript is loaded through Vite's SSR module loader (no build step).
//
//   node bench/profile.mjs <bulk|count|group|commits> [--rows N] [--hosts N] [--segments N]
//                          [--sessions N] [--ms N] [--top N] [--out file.cpuprofile] [--profile 0]
//                          [--mirroring none|group|spread] [--runtime inline|worker]
// --runtime worker: the worker runtime's orchestration, its processes in this thread (as the
// node-worker test project runs them), so its protocol costs show without threads.
//
// e.g. node bench/profile.mjs bulk --rows 200000 --hosts 1 --segments 1
// The .cpuprofile (--out) opens in Chromium DevTools' Performance panel or speedscope.
// --profile 0 runs the workload without the profiler (its figure then is not slowed down).
import { createServer } from 'vite';
import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));

function parse(argv) {
  const o = {
    workload: argv[0],
    rows: 200_000,
    hosts: 1,
    segments: 1,
    sessions: 8,
    ms: 2000,
    top: 30,
    profile: 1,
  };
  for (let i = 1; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    if (k === 'out') o.out = argv[i + 1];
    else if (k === 'mirroring') o.mirroring = argv[i + 1];
    else if (k === 'runtime') o.runtime = argv[i + 1];
    else if (k in o) o[k] = Number(argv[i + 1]);
    else throw new Error(`unknown option ${argv[i]}`);
  }
  if (!['bulk', 'count', 'group', 'commits'].includes(o.workload))
    throw new Error('usage: node bench/profile.mjs <bulk|count|group|commits> [--rows N] ...');
  return o;
}

/** Self and inclusive time per function (name + file:line), from a V8 CPU profile. */
function summarize(profile, top) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const dt = new Map();
  for (let i = 0; i < profile.samples.length; i++)
    dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const label = (n) => {
    const f = n.callFrame;
    const url = f.url ? relative(repoRoot, f.url.replace(/^file:\/\//, '').replace(/\?.*$/, '')) : '';
    return `${f.functionName || '(anonymous)'}  ${url}${url ? `:${f.lineNumber + 1}` : ''}`;
  };
  const self = new Map();
  const incl = new Map();
  let total = 0;
  for (const [id, us] of dt) {
    total += us;
    const n = byId.get(id);
    self.set(label(n), (self.get(label(n)) ?? 0) + us);
    // Inclusive: count each function once per sample stack (recursion would double-count).
    const seen = new Set();
    for (let cur = id; cur != null; cur = parent.get(cur)) {
      const l = label(byId.get(cur));
      if (seen.has(l)) continue;
      seen.add(l);
      incl.set(l, (incl.get(l) ?? 0) + us);
    }
  }
  const show = (title, m) => {
    console.log(`\n${title} (of ${(total / 1000).toFixed(0)} ms sampled)`);
    for (const [l, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(
        `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${l}`,
      );
  };
  show('self time', self);
  show('inclusive time', incl);
}

async function main() {
  const o = parse(process.argv.slice(2));
  const server = await createServer({
    root: repoRoot,
    logLevel: 'warn',
    configFile: false,
    server: { middlewareMode: true, hmr: false, watch: null },
    optimizeDeps: { noDiscovery: true },
  });
  try {
    const { createCluster } = await server.ssrLoadModule('/src/engine/index.ts');
    if (o.runtime === 'worker') {
      const create = await server.ssrLoadModule('/src/engine/cluster/create.ts');
      const { inThreadSpawner } = await server.ssrLoadModule('/src/engine/cluster/in-thread-spawner.ts');
      const { realClock } = await server.ssrLoadModule('/src/engine/runtime/real-clock.ts');
      create.registerWorkerRuntime(() => inThreadSpawner(realClock));
    }
    const hosts = Array.from({ length: o.hosts }, (_, i) => `sdw${i + 1}`);
    const c = await createCluster({
      hosts,
      segmentsPerHost: o.segments,
      storage: 'memory',
      name: 'profile',
      mirroring: o.mirroring ?? 'none',
      runtime: o.runtime ?? 'inline',
    });
    const q = (sql) => c.query(sql);
    await q('create table b (id int, v int, s text) distributed by (id)');
    await q('create table c (id int, v int, s text) distributed by (id)');
    const load = `insert into b select i, i % 100, 'row' || i from generate_series(1, ${o.rows}) i`;
    if (o.workload !== 'bulk') await q(load);

    const inspector = o.profile ? new Session() : undefined;
    if (inspector) {
      inspector.connect();
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.setSamplingInterval', { interval: 200 });
      await inspector.post('Profiler.start');
    }
    const t0 = performance.now();
    let what;
    if (o.workload === 'bulk') {
      await q(load);
      what = `${o.rows} rows, ${((o.rows / (performance.now() - t0)) * 1000).toFixed(0)} rows/s`;
    } else if (o.workload === 'count' || o.workload === 'group') {
      const sql =
        o.workload === 'count' ? 'select count(*) from b' : 'select v, count(*), sum(id) from b group by v';
      const each = [];
      for (let i = 0; i < 7; i++) {
        const t = performance.now();
        await q(sql);
        each.push(performance.now() - t);
      }
      const median = [...each].sort((a, b) => a - b)[3];
      what = `7 queries over ${o.rows} rows, median ${median.toFixed(0)} ms (${each.map((m) => m.toFixed(0)).join(', ')})`;
    } else {
      const sessions = await Promise.all(Array.from({ length: o.sessions }, () => c.connect()));
      const dbids = (await q('select dbid from gp_segment_configuration order by dbid')).rows.map((r) =>
        Number(r[0]),
      );
      const walStats = () =>
        Promise.all(dbids.map((d) => c.instanceStatus(d).then((s) => s.wal?.flushes ?? 0)));
      const flushes0 = await walStats();
      let key = 0;
      let n = 0;
      // CPU time per commit: on a shared machine, commits/s moves with the neighbours' load;
      // the CPU this process spent on each commit much less.
      const cpu0 = process.cpuUsage();
      const until = t0 + o.ms;
      await Promise.all(
        sessions.map(async (s) => {
          while (performance.now() < until) {
            const k = key++;
            await s.query(`insert into c values (${k}, ${k % 100}, 'row${k}')`);
            n++;
          }
        }),
      );
      const cpu = process.cpuUsage(cpu0);
      what = `${o.sessions} sessions, ${((n / (performance.now() - t0)) * 1000).toFixed(0)} commits/s, ${((cpu.user + cpu.system) / n).toFixed(0)} µs CPU per commit`;
      const flushes = (await walStats()).map((f, i) => f - flushes0[i]);
      what += `; WAL flushes per commit by dbid: ${dbids.map((d, i) => `${d}: ${(flushes[i] / n).toFixed(2)}`).join(', ')}`;
    }
    const ms = performance.now() - t0;
    const profile = inspector ? (await inspector.post('Profiler.stop')).profile : undefined;
    inspector?.disconnect();
    console.log(
      `${o.workload}: ${what} (${ms.toFixed(0)} ms; ${o.hosts} host(s) × ${o.segments} segment(s), memory storage)`,
    );
    if (profile && o.out) {
      await writeFile(o.out, JSON.stringify(profile));
      console.log(`wrote ${o.out}`);
    }
    if (profile) summarize(profile, o.top);
    await c.close();
  } finally {
    await server.close();
  }
}

main().catch((e) => {
  console.error(e?.stack ?? e);
  process.exit(1);
});
