// The simulation explorer: random workloads and faults on simulated clusters, invariants checked
// after every step (src/engine/sim). Each seed is one run; a failing seed is shrunk to a short
// plan and printed as a test to paste into test/sim/regressions.test.ts.
//
//   npm run explore -- [--seeds N] [--from S] [--steps M] [--shrink RUNS] [--trace] [--filerep]
//
// --filerep: the clusters mirror by Greenplum 5 file replication instead of WAL streaming.
//
// e.g. npm run explore -- --seeds 5000 --from 1000 --steps 60
// The engine's TypeScript is loaded through Vite's SSR module loader (no build step).
import { createServer } from 'vite';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));

function parse(argv) {
  const o = { seeds: 200, from: 1, steps: 30, shrink: 60, trace: false, filerep: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i].replace(/^--/, '');
    if (k === 'trace' || k === 'filerep') o[k] = true;
    else if (k in o) o[k] = Number(argv[++i]);
    else {
      console.error(`explore: unknown option ${argv[i]}`);
      console.error(
        'usage: npm run explore -- [--seeds N] [--from S] [--steps M] [--shrink RUNS] [--trace] [--filerep]',
      );
      process.exit(2);
    }
  }
  for (const k of ['seeds', 'from', 'steps', 'shrink'])
    if (!Number.isInteger(o[k]) || o[k] < 0) {
      console.error(`explore: --${k} needs a whole number, not ${o[k]}`);
      process.exit(2);
    }
  return o;
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
  let failed = 0;
  try {
    const { explore, reproduction, encodeRun } = await server.ssrLoadModule('/src/engine/index.ts');
    const t0 = performance.now();
    for (let seed = o.from; seed < o.from + o.seeds; seed++) {
      const replication = o.filerep ? 'filerep' : 'wal';
      const e = await explore(seed, o.steps, { shrinkRuns: o.shrink, replication });
      if (!e.result.failure) {
        if (o.trace) console.log(e.result.log.join('\n'));
        continue;
      }
      failed++;
      const f = e.result.failure;
      console.log(`\nseed ${seed}: ${f.invariant} (after step ${f.step}): ${f.message}`);
      console.log(e.result.log.slice(Math.max(0, f.step - 5), f.step + 1).join('\n'));
      if (e.shrunk) {
        console.log(`\nshrunk to ${e.shrunk.plan.length} step(s) in ${e.shrunk.runs} run(s):\n`);
        console.log(reproduction(seed, e.shrunk.plan, e.shrunk.failure, replication));
        // The same run as a lab link: the Simulation panel replays it to the failing step
        // (links carry seeds from 1, as the lab's seed field does).
        if (seed >= 1) {
          const code = await encodeRun({ seed, replication, plan: e.shrunk.plan, at: e.shrunk.failure.step });
          console.log(
            `\nopen in the lab (npm run dev, then this address): http://localhost:5173/#run=${code}`,
          );
        }
      }
    }
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(
      `\nexplored seeds ${o.from}..${o.from + o.seeds - 1} (${o.steps} steps each${o.filerep ? ', file replication' : ''}) in ${s} s: ${failed} failed`,
    );
  } finally {
    await server.close();
  }
  process.exit(failed ? 1 : 0);
}

await main();
