// `npm run bench`: serves bench/index.html with Vite, runs it in headless system Chromium,
// prints a table, writes bench/results/latest.json (+ a timestamped copy).
//
//   npm run bench -- [--quick] [--filter <text>] [--timeout <seconds>] [--cpu-profile <file>]
//
// Exit status is non-zero only when the page (or a case) threw, or the deadline passed;
// a missed target is reported as FAIL in the table and the JSON, not as a failed run.
import { build, createServer } from 'vite';
import { chromium } from 'playwright';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, cpus, platform, arch } from 'node:os';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumPath, chromiumArgs } from '../scripts/chromium-path.mjs';
import { profileWorkers, selfTimeSummary } from './worker-profiles.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(benchDir);
const resultsDir = join(benchDir, 'results');

function usage(code) {
  console.log(
    'Usage: npm run bench -- [--quick] [--filter <text>] [--timeout <seconds>] [--cpu-profile <file>] [--js-flags <flags>]\n' +
      '  --quick            fewer repetitions per case (3 instead of 5, unless a case says otherwise)\n' +
      '  --filter <text>    only cases whose "suite/name" contains <text> (case-insensitive;\n' +
      '                     a|b: either), plus the cases their targets refer to\n' +
      '  --timeout <s>      overall deadline for the page (default 1200; 2700 without --quick)\n' +
      "  --cpu-profile <f>  writes the page main thread's V8 CPU profile to <f>, and each running\n" +
      "                     worker's, in 1 s chunks, to <f>.workers.json, with a summary of each\n" +
      '  --js-flags <flags> V8 flags for Chromium, e.g. --trace-deopt (V8 prints them on the\n' +
      "                     browser's stdout: run with DEBUG=pw:browser to see it)",
  );
  process.exit(code);
}

function parseArgs(argv) {
  const opts = { quick: false, filter: undefined, timeoutS: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? a.split(/=(.*)/s) : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v == null) {
        console.error(`bench: ${flag} needs a value`);
        usage(2);
      }
      return v;
    };
    if (flag === '--quick') opts.quick = true;
    else if (flag === '--filter') opts.filter = value();
    else if (flag === '--timeout') opts.timeoutS = Number(value());
    else if (flag === '--cpu-profile') opts.cpuProfile = value();
    else if (flag === '--js-flags') opts.jsFlags = value();
    else if (flag === '--help' || flag === '-h') usage(0);
    else {
      console.error(`bench: unknown option ${a}`);
      usage(2);
    }
  }
  // On a busy day here a quick run took over 10 minutes (7 cases were left when 600 s ran out):
  // the deadlines leave room for about twice that.
  opts.timeoutS ??= opts.quick ? 1200 : 2700;
  if (!(opts.timeoutS > 0)) {
    console.error('bench: --timeout must be a positive number of seconds');
    usage(2);
  }
  return opts;
}

// ---------------------------------------------------------------------------------------------
// Formatting

function fmt(x) {
  if (x == null || !Number.isFinite(x)) return '';
  const a = Math.abs(x);
  if (a >= 99.95) return Math.round(x).toLocaleString('en-US');
  return a >= 9.995 ? x.toFixed(1) : x.toFixed(2);
}

function table(header, rows, rightAligned) {
  // Drop columns that are empty in every row (e.g. the target columns when no case has one).
  const keep = header.map((_, i) => rows.some((r) => r[i] !== ''));
  header = header.filter((_, i) => keep[i]);
  rows = rows.map((r) => r.filter((_, i) => keep[i]));
  rightAligned = new Set(
    [...rightAligned].filter((i) => keep[i]).map((i) => keep.slice(0, i).filter(Boolean).length),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Evaluates a result's target against the reference case of the same run. */
function checkTarget(r, byName) {
  const t = r.target;
  if (!t) return undefined;
  if (t.limit != null) {
    const base = { limit: t.limit, higherIsBetter: t.higherIsBetter };
    if (r.error || !Number.isFinite(r.median)) return { ...base, status: 'ERROR' };
    const pass = t.higherIsBetter ? r.median >= t.limit : r.median <= t.limit;
    return { ...base, actual: r.median / t.limit, status: pass ? 'PASS' : 'FAIL' };
  }
  const ref = byName.get(t.relativeTo);
  const base = { relativeTo: t.relativeTo, ratio: t.ratio, higherIsBetter: t.higherIsBetter };
  if (!ref) return { ...base, status: 'NO-REF', note: `reference case "${t.relativeTo}" did not run` };
  if (r.error || ref.error || !Number.isFinite(r.median) || !Number.isFinite(ref.median) || ref.median === 0)
    return { ...base, status: 'ERROR', reference: ref.median ?? null };
  const actual = r.median / ref.median;
  const pass = t.higherIsBetter ? actual >= t.ratio : actual <= t.ratio;
  return {
    ...base,
    reference: ref.median,
    referenceUnit: ref.unit,
    required: t.ratio * ref.median,
    actual,
    status: pass ? 'PASS' : 'FAIL',
    ...(ref.unit !== r.unit ? { note: `units differ: ${r.unit} vs ${ref.unit}` } : {}),
  };
}

function withUnit(x, unit) {
  const s = fmt(x);
  return s && `${s} ${unit}`;
}

function printTable(results) {
  if (!results.length) {
    console.log('(no results)');
    return;
  }
  const header = [
    'suite',
    'name',
    'median',
    'unit',
    'p50',
    'p99',
    'min',
    'max',
    'runs',
    'target',
    'ratio',
    'status',
  ];
  const rows = results.map((r) => {
    const c = r.targetCheck;
    const bound = c?.limit != null ? `${fmt(c.limit)} ${r.unit}` : c ? `${c.ratio}x "${c.relativeTo}"` : '';
    const target = c ? `${c.higherIsBetter ? '>=' : '<='} ${bound}` : '';
    return [
      r.suite,
      r.name,
      r.error ? 'ERROR' : fmt(r.median),
      r.unit,
      withUnit(r.extra?.p50, r.percentileUnit ?? r.unit),
      withUnit(r.extra?.p99, r.percentileUnit ?? r.unit),
      fmt(r.min),
      fmt(r.max),
      String(r.runs),
      target,
      c?.actual != null ? c.actual.toFixed(2) : '',
      c ? c.status : r.error ? 'ERROR' : '',
    ];
  });
  console.log(table(header, rows, new Set([2, 4, 5, 6, 7, 8, 10])));
}

// ---------------------------------------------------------------------------------------------

/** Builds src/workers/instance.worker.ts into bench/.build; returns its URL path. */
async function buildInstanceWorker({ readableNames = false } = {}) {
  const outDir = join(benchDir, '.build');
  await build({
    configFile: false,
    root: repoRoot,
    logLevel: 'error',
    publicDir: false,
    build: {
      outDir,
      emptyOutDir: true,
      // Minified, as the site's build ships it: an entry every worker parses, and the chunks a
      // role loads on first need (role-modules.ts); under --cpu-profile, not minified, so the
      // printed summaries name the engine's functions.
      minify: !readableNames,
      target: 'es2022',
      // Beside it, so a CPU profile of the workers (DevTools, CDP) names the engine's functions.
      sourcemap: true,
      // A worker has no document to put <link rel=modulepreload> in.
      modulePreload: false,
      rolldownOptions: {
        input: join(repoRoot, 'src/workers/instance.worker.ts'),
        output: { format: 'es', entryFileNames: 'instance.worker.js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  });
  return '/bench/.build/instance.worker.js';
}

/**
 * Serves bench/.build as a static host serves a site's build: the file as it is, cacheable. The
 * dev server would run every one of the 130 workers' requests for it through its module
 * transforms, uncached, and the boot rows would measure the dev server instead of the boot.
 */
function staticBuild() {
  return {
    name: 'bench-static-build',
    configureServer(server) {
      server.middlewares.use('/bench/.build', async (req, res, next) => {
        const file = join(benchDir, '.build', decodeURIComponent((req.url ?? '/').split('?')[0]));
        if (!file.startsWith(join(benchDir, '.build'))) return next();
        try {
          const body = await readFile(file);
          res.setHeader('Content-Type', 'text/javascript');
          res.setHeader('Cache-Control', 'max-age=3600');
          res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
          res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
          res.end(body);
        } catch {
          next();
        }
      });
    },
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const startedAt = new Date();
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('Chromium not found (see scripts/check-chromium.mjs)');

  // The worker runtime's instance worker as one file, as a build ships it: served by the dev
  // server module by module, every worker would load the whole engine in ~150 requests.
  const workerBundle = await buildInstanceWorker({ readableNames: opts.cpuProfile !== undefined });
  const server = await createServer({
    root: repoRoot,
    logLevel: 'warn',
    clearScreen: false,
    plugins: [staticBuild()],
    server: {
      host: '127.0.0.1',
      port: 0,
      strictPort: true,
      // Other people edit the tree while the bench runs: never reload the page under it.
      hmr: false,
      watch: null,
      // Cross-origin isolation gives performance.now() 5 µs instead of 100 µs resolution,
      // which the per-round-trip percentiles need.
      headers: {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      },
    },
    // Pre-bundle up front so a late dependency discovery cannot reload the page mid-run.
    // PGlite (the cluster suite's reference) must not be pre-bundled: it finds its .wasm and
    // .data files next to its own module (new URL(..., import.meta.url)), which pre-bundling
    // would move. Served straight from node_modules, it loads offline.
    optimizeDeps: {
      entries: ['bench/index.html'],
      include: ['comlink', 'idb'],
      exclude: ['@electric-sql/pglite'],
    },
  });
  let context;
  let profileDir;
  const cleanup = async () => {
    await context?.close().catch(() => {});
    await server.close().catch(() => {});
    if (profileDir) await rm(profileDir, { recursive: true, force: true }).catch(() => {});
  };
  const onSignal = () => {
    console.error('\nbench: interrupted');
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    await server.listen();
    const addr = server.httpServer?.address();
    if (!addr || typeof addr === 'string') throw new Error('Vite did not report a TCP address');
    const url = new URL(`http://127.0.0.1:${addr.port}/bench/index.html`);
    if (opts.quick) url.searchParams.set('quick', '1');
    if (opts.filter) url.searchParams.set('filter', opts.filter);
    url.searchParams.set('workerBundle', workerBundle);

    // A persistent (on-disk) profile: a plain browser.newContext() is off-the-record, and
    // Chromium keeps off-the-record IndexedDB in memory, which would make the IDB rows fiction.
    profileDir = await mkdtemp(join(tmpdir(), 'mpp-bench-profile-'));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath,
      args: opts.jsFlags ? [...chromiumArgs, `--js-flags=${opts.jsFlags}`] : chromiumArgs,
      headless: true,
    });
    const browserVersion = context.browser()?.version() ?? null;
    const page = context.pages()[0] ?? (await context.newPage());

    let env = {};
    let caseList = [];
    let current;
    let results = [];
    let fatal;
    let settle;
    const finished = new Promise((resolve) => (settle = resolve));

    await page.exposeFunction('__benchReport', (ev) => {
      switch (ev.type) {
        case 'start':
          if (caseList.length) console.error('bench: the page reloaded; results so far are discarded');
          env = ev.env;
          caseList = ev.cases;
          results = [];
          console.error(
            `bench: ${caseList.length} case(s)${opts.quick ? ', quick' : ''}` +
              `${opts.filter ? `, filter "${opts.filter}"` : ''}; ${browserVersion ?? 'Chromium'}` +
              `, crossOriginIsolated=${env.crossOriginIsolated}, timer ${fmt(env.timerResolutionUs)} µs`,
          );
          if (!caseList.length) console.error('bench: no case matches the filter');
          break;
        case 'case-start':
          current = ev;
          process.stderr.write(
            `  [${results.length + 1}/${caseList.length}] ${ev.suite} / ${ev.name} (${ev.runs} runs) … `,
          );
          break;
        case 'result': {
          const r = ev.result;
          results.push(r);
          current = undefined;
          process.stderr.write(
            r.error
              ? `ERROR after ${(r.ms / 1000).toFixed(1)} s\n`
              : `${fmt(r.median)} ${r.unit} (${(r.ms / 1000).toFixed(1)} s)\n`,
          );
          break;
        }
        case 'done':
          settle();
          break;
        case 'fatal':
          fatal ??= ev.error;
          settle();
          break;
      }
    });
    page.on('pageerror', (err) => {
      fatal ??= err.stack ?? String(err);
      settle();
    });
    page.on('crash', () => {
      fatal ??= 'the page crashed';
      settle();
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning')
        console.error(`  [page ${msg.type()}] ${msg.text()}`);
    });
    page.on('worker', (w) =>
      w.on('console', (msg) => {
        if (msg.type() === 'error') console.error(`  [worker error] ${msg.text()}`);
      }),
    );

    let timer;
    const deadline = new Promise((resolve) => {
      timer = setTimeout(() => resolve('deadline'), opts.timeoutS * 1000);
    });
    // --cpu-profile: the page's main thread under the V8 sampling profiler, for DevTools.
    const cdp = opts.cpuProfile ? await context.newCDPSession(page) : undefined;
    const workerProfiles = cdp ? await profileWorkers(cdp) : undefined;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp.send('Profiler.start');
    }
    await page.goto(url.href, { waitUntil: 'load' });
    const outcome = await Promise.race([finished.then(() => 'finished'), deadline]);
    clearTimeout(timer);
    if (cdp) {
      const { profile } = await cdp.send('Profiler.stop');
      await writeFile(opts.cpuProfile, JSON.stringify(profile));
      console.error(`bench: the page's main-thread CPU profile is in ${opts.cpuProfile}`);
      const workers = (await workerProfiles?.stop()) ?? [];
      if (workers.length > 0) {
        const file = opts.cpuProfile.replace(/(\.cpuprofile)?$/, '.workers.json');
        await writeFile(file, JSON.stringify(workers.map((w) => ({ title: w.title, chunks: w.chunks }))));
        console.error(`bench: ${workers.length} workers' CPU profiles (in 1 s chunks) are in ${file}`);
        for (const w of workers) console.error(`worker ${w.title}: ${selfTimeSummary(w.chunks).join('\n')}`);
      }
    }
    if (outcome === 'deadline') {
      process.stderr.write('\n');
      fatal ??=
        `deadline of ${opts.timeoutS} s exceeded` +
        (current ? ` while running "${current.suite} / ${current.name}"` : '') +
        ` (${results.length}/${caseList.length} cases done); raise it with --timeout <seconds>`;
    }

    // -------------------------------------------------------------------------------------------
    const byName = new Map(results.map((r) => [r.name, r]));
    for (const r of results) {
      const check = checkTarget(r, byName);
      if (check) r.targetCheck = check;
    }
    const finishedAt = new Date();
    const report = {
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      options: { quick: opts.quick, filter: opts.filter ?? null },
      env: {
        ...env,
        browser: browserVersion,
        node: process.version,
        platform: platform(),
        arch: arch(),
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? null,
      },
      results,
      ...(fatal ? { fatal } : {}),
    };

    console.log('');
    printTable(results);
    const errors = results.filter((r) => r.error);
    for (const r of errors) console.error(`\nERROR in ${r.suite} / ${r.name}:\n${r.error}`);
    if (fatal) console.error(`\nbench: page failed: ${fatal}`);
    const checks = results.map((r) => r.targetCheck).filter(Boolean);
    if (checks.length) {
      const n = (s) => checks.filter((c) => c.status === s).length;
      console.log(
        `\ntargets: ${n('PASS')} pass, ${n('FAIL')} fail` +
          (n('NO-REF') + n('ERROR') ? `, ${n('NO-REF') + n('ERROR')} not evaluated` : ''),
      );
    }

    await mkdir(resultsDir, { recursive: true });
    const json = JSON.stringify(report, null, 2) + '\n';
    const stamped = join(resultsDir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(join(resultsDir, 'latest.json'), json);
    await writeFile(stamped, json);
    console.log(
      `\nwrote ${relative(repoRoot, join(resultsDir, 'latest.json'))} and ${relative(repoRoot, stamped)}`,
    );

    return fatal || errors.length ? 1 : 0;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error('bench:', err?.stack ?? err);
    process.exit(1);
  },
);
