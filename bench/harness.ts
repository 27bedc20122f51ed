// The bench registry and runner. Suites register cases; main.ts runs them in the page and
// hands the results to bench/run.mjs (through window.__benchReport, when Playwright exposed
// it) and to the DOM (when the page is opened by hand from `npm start`).

/** What a case's run() returns: one sample, optionally with side figures (p50, p99, counts...). */
export type BenchSample = number | { value: number; extra?: Record<string, number> };

/** Options a run was started with, handed to every setup() and run(). */
export interface BenchContext {
  /** --quick: fewer repetitions. Cases may also shrink their own workload, but should not need to. */
  quick: boolean;
  /** --filter, as given (selectCases(filter) is the run's case list, in order). */
  filter?: string;
}

/**
 * A target expressed against another case of the same run, e.g. "WAL flush MB/s ≥ 70% of raw
 * 64 KB-chunk MB/s": `{ relativeTo: 'idb 64KB-chunk MB/s', ratio: 0.7, higherIsBetter: true }`.
 * higherIsBetter: pass when median ≥ ratio × reference; otherwise pass when median ≤ ratio × reference.
 */
export interface BenchTarget {
  /** The `name` of another case (any suite); it is run too even when --filter left it out. */
  relativeTo?: string;
  ratio?: number;
  /** An absolute bound in the case's own unit, instead of a reference case (e.g. boot ≤ 10 000 ms). */
  limit?: number;
  higherIsBetter: boolean;
}

export interface BenchCase {
  suite: string;
  /** Unique across all suites: targets refer to cases by name. */
  name: string;
  unit: string;
  /**
   * Unit of the `p50` / `p99` extras, which the table prints as columns; default `unit`.
   * (E.g. a txn/s row whose p50/p99 are per-transaction latencies in µs.)
   */
  percentileUnit?: string;
  /** Timed repetitions; default 5 (3 with --quick). */
  runs?: number;
  /** Repetitions with --quick; default min(runs, 3). */
  quickRuns?: number;
  target?: BenchTarget;
  /** Once before the runs (untimed): spawn workers, open databases... */
  setup?(ctx: BenchContext): Promise<void>;
  /** Once after the runs, also when a run threw. */
  teardown?(ctx: BenchContext): Promise<void>;
  /** One repetition. Measure inside (performance.now()); return the figure in `unit`. */
  run(ctx: BenchContext): Promise<BenchSample>;
}

/** One case's outcome, as run.mjs receives it. */
export interface BenchResult {
  suite: string;
  name: string;
  unit: string;
  percentileUnit: string;
  target?: BenchTarget;
  runs: number;
  samples: number[];
  median: number;
  min: number;
  max: number;
  /** Median over runs of each extra figure. */
  extra: Record<string, number>;
  /** Every run's extras, in run order. */
  extraSamples: Record<string, number>[];
  ms: number;
  error?: string;
}

export type BenchEvent =
  | { type: 'start'; cases: { suite: string; name: string }[]; env: Record<string, unknown> }
  | { type: 'case-start'; suite: string; name: string; runs: number }
  | { type: 'result'; result: BenchResult }
  | { type: 'done'; results: BenchResult[] }
  | { type: 'fatal'; error: string };

const registry: BenchCase[] = [];

/** Adds cases to the registry (call once per suite module, at import time). */
export function registerSuite(cases: BenchCase[]): void {
  for (const c of cases) {
    if (registry.some((r) => r.name === c.name)) throw new Error(`bench case registered twice: ${c.name}`);
    registry.push(c);
  }
}

export function registeredCases(): readonly BenchCase[] {
  return registry;
}

/**
 * The cases whose "suite/name" contains `filter` (case-insensitive; `a|b` for either), plus the
 * references of their targets, in registration order.
 */
export function selectCases(filter: string | undefined): BenchCase[] {
  const alternatives = filter?.toLowerCase().split('|');
  const picked = new Set(
    registry
      .filter(
        (c) => !alternatives || alternatives.some((f) => `${c.suite}/${c.name}`.toLowerCase().includes(f)),
      )
      .map((c) => c.name),
  );
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of registry) {
      const ref = c.target?.relativeTo;
      if (picked.has(c.name) && ref != null && !picked.has(ref) && registry.some((r) => r.name === ref)) {
        picked.add(ref);
        grew = true;
      }
    }
  }
  return registry.filter((c) => picked.has(c.name));
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length)));
  return s[rank - 1]!;
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.stack ?? `${e.name}: ${e.message}`;
  return String(e);
}

/** How many timed repetitions `c` gets under `ctx`. */
export function plannedRuns(c: BenchCase, ctx: BenchContext): number {
  return ctx.quick ? (c.quickRuns ?? Math.min(c.runs ?? 5, 3)) : (c.runs ?? 5);
}

/** Runs one case: setup, `runs` timed repetitions, teardown. Never throws; errors land in `error`. */
export async function runCase(c: BenchCase, ctx: BenchContext): Promise<BenchResult> {
  const runs = plannedRuns(c, ctx);
  const samples: number[] = [];
  const extraSamples: Record<string, number>[] = [];
  const t0 = performance.now();
  let error: string | undefined;
  try {
    await c.setup?.(ctx);
    for (let i = 0; i < runs; i++) {
      const r = await c.run(ctx);
      const value = typeof r === 'number' ? r : r.value;
      if (!Number.isFinite(value)) throw new Error(`run ${i + 1} returned a non-finite value: ${value}`);
      samples.push(value);
      extraSamples.push(typeof r === 'number' ? {} : (r.extra ?? {}));
    }
  } catch (e) {
    error = errorText(e);
  } finally {
    try {
      await c.teardown?.(ctx);
    } catch (e) {
      error = (error ? error + '\n' : '') + 'teardown: ' + errorText(e);
    }
  }
  const keys = [...new Set(extraSamples.flatMap((x) => Object.keys(x)))];
  const extra: Record<string, number> = {};
  for (const k of keys) {
    extra[k] = median(extraSamples.map((x) => x[k]).filter((v): v is number => v != null));
  }
  return {
    suite: c.suite,
    name: c.name,
    unit: c.unit,
    percentileUnit: c.percentileUnit ?? c.unit,
    ...(c.target ? { target: c.target } : {}),
    runs: samples.length,
    samples,
    median: median(samples),
    min: samples.length ? Math.min(...samples) : NaN,
    max: samples.length ? Math.max(...samples) : NaN,
    extra,
    extraSamples,
    ms: performance.now() - t0,
    ...(error != null ? { error } : {}),
  };
}
