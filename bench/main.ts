// The bench page: runs the selected cases one after another and reports each result to
// bench/run.mjs (window.__benchReport, exposed by Playwright) and to the page itself.
// Query: ?quick=1 for fewer repetitions, ?filter=<text> to run only matching cases.
import {
  plannedRuns,
  runCase,
  selectCases,
  type BenchContext,
  type BenchEvent,
  type BenchResult,
} from './harness.ts';
import './suites/index.ts';

declare global {
  interface Window {
    __benchReport?: (event: BenchEvent) => Promise<void>;
    __benchResults?: BenchResult[];
    __benchDone?: boolean;
    __benchError?: string;
  }
}

const params = new URLSearchParams(location.search);
const filter = params.get('filter') ?? undefined;
const ctx: BenchContext = { quick: params.get('quick') === '1', filter };

const statusEl = document.getElementById('status')!;
const rowsEl = document.getElementById('rows')!;

async function report(event: BenchEvent): Promise<void> {
  await window.__benchReport?.(event);
}

function fmt(x: number | undefined): string {
  if (x == null || !Number.isFinite(x)) return '';
  const a = Math.abs(x);
  return a >= 99.95 ? x.toFixed(0) : a >= 9.995 ? x.toFixed(1) : x.toFixed(2);
}

function withUnit(x: number | undefined, unit: string): string {
  const s = fmt(x);
  return s && `${s} ${unit}`;
}

function render(r: BenchResult): void {
  const tr = document.createElement('tr');
  const cells = [
    r.suite,
    r.name,
    fmt(r.median),
    r.unit,
    withUnit(r.extra['p50'], r.percentileUnit),
    withUnit(r.extra['p99'], r.percentileUnit),
    String(r.runs),
    r.samples.map(fmt).join(' '),
  ];
  for (const c of cells) {
    const td = document.createElement('td');
    td.textContent = c;
    tr.append(td);
  }
  rowsEl.append(tr);
  if (r.error) {
    const err = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = cells.length;
    td.className = 'error';
    td.textContent = r.error;
    err.append(td);
    rowsEl.append(err);
  }
}

/** Smallest observable step of performance.now(), in µs (5 when cross-origin isolated, else ~100). */
function timerResolutionUs(): number {
  let best = Infinity;
  for (let i = 0; i < 50; i++) {
    const a = performance.now();
    let b = performance.now();
    while (b === a) b = performance.now();
    best = Math.min(best, b - a);
  }
  return best * 1000;
}

function fatal(e: unknown): void {
  const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
  window.__benchError = msg;
  statusEl.textContent = `Failed: ${msg}`;
  void report({ type: 'fatal', error: msg });
}

window.addEventListener('error', (e) => fatal(e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => fatal(e.reason));

async function main(): Promise<void> {
  const cases = selectCases(filter);
  const env = {
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated,
    timerResolutionUs: timerResolutionUs(),
    quick: ctx.quick,
    filter: filter ?? null,
    storagePersisted: (await navigator.storage?.persisted?.()) ?? null,
  };
  await report({ type: 'start', cases: cases.map((c) => ({ suite: c.suite, name: c.name })), env });
  const results: BenchResult[] = [];
  window.__benchResults = results;
  for (const [i, c] of cases.entries()) {
    statusEl.textContent = `Running ${i + 1}/${cases.length}: ${c.suite} / ${c.name}…`;
    await report({ type: 'case-start', suite: c.suite, name: c.name, runs: plannedRuns(c, ctx) });
    const r = await runCase(c, ctx);
    results.push(r);
    render(r);
    await report({ type: 'result', result: r });
  }
  const failed = results.filter((r) => r.error).length;
  statusEl.textContent = `Done: ${results.length} cases${failed ? `, ${failed} failed` : ''}.`;
  window.__benchDone = true;
  await report({ type: 'done', results });
}

main().catch(fatal);
