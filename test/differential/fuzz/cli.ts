/**
 * `npm run fuzz:sql -- [--seeds N] [--from S] [--statements M] [--shapes 1seg,2x2,3x2]
 *  [--no-pg] [--no-tlp] [--shrink RUNS]`: generates a case per seed (a schema and M statements),
 * runs it on every shape and on PostgreSQL, and prints each failure shrunk, as a regression case
 * to paste into test/differential/fuzz/regressions/. Exit status 1 when anything failed.
 */
import { startPgServer, type PgServer } from '../pg-server.ts';
import { generateCase } from './queries.ts';
import { regressionCase, runCase, type RunOptions } from './runner.ts';
import { shrink } from './shrink.ts';
import { clusterFactory, pgFactory, SHAPES } from './systems.ts';

interface Options {
  seeds: number;
  from: number;
  statements: number;
  shapes: string[];
  pg: boolean;
  tlp: boolean;
  shrink: number;
}

const USAGE =
  'usage: npm run fuzz:sql -- [--seeds N] [--from S] [--statements M] [--shapes 1seg,2x2,3x2] [--no-pg] [--no-tlp] [--shrink RUNS]';

function parseArgs(argv: string[]): Options {
  const o: Options = {
    seeds: 50,
    from: 1,
    statements: 20,
    shapes: Object.keys(SHAPES),
    pg: true,
    tlp: true,
    shrink: 400,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`${a} needs a whole number\n${USAGE}`);
      return v;
    };
    if (a === '--seeds') o.seeds = num();
    else if (a === '--from') o.from = num();
    else if (a === '--statements') o.statements = num();
    else if (a === '--shrink') o.shrink = num();
    else if (a === '--no-pg') o.pg = false;
    else if (a === '--no-tlp') o.tlp = false;
    else if (a === '--shapes') {
      o.shapes = (argv[++i] ?? '').split(',').filter(Boolean);
      for (const s of o.shapes) if (!SHAPES[s]) throw new Error(`unknown shape ${s}\n${USAGE}`);
    } else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  return o;
}

export async function main(argv: string[]): Promise<number> {
  let o: Options;
  try {
    o = parseArgs(argv);
  } catch (e) {
    console.error(`fuzz:sql: ${(e as Error).message}`);
    return 2;
  }
  let server: PgServer | undefined;
  const t0 = performance.now();
  let statements = 0;
  let tlpChecks = 0;
  let failed = 0;
  const unsupported = new Map<string, number>();
  let eager = 0;
  try {
    const db = o.pg ? await (server = await startPgServer()).database('fuzz') : undefined;
    const reference = db ? pgFactory(db) : undefined;
    const shapes = o.shapes.map(clusterFactory);
    const base: RunOptions = { shapes, tlp: o.tlp, ...(reference ? { reference } : {}) };
    for (let seed = o.from; seed < o.from + o.seeds; seed++) {
      const c = generateCase(seed, o.statements);
      const r = await runCase(c, base);
      statements += r.statements;
      tlpChecks += r.tlpChecks;
      eager += r.eager.length;
      for (const u of r.unsupported) {
        const msg = u.split(' :: ')[0]!;
        unsupported.set(msg, (unsupported.get(msg) ?? 0) + 1);
      }
      if ((seed - o.from + 1) % 50 === 0)
        console.log(`... seed ${seed}: ${statements} statements on each shape, ${failed} failed so far`);
      if (!r.failure) continue;
      failed++;
      const f = r.failure;
      console.log(`\nseed ${seed}: ${f.kind} on ${f.shape} at statement ${f.stmt + 1}\n${f.report}`);
      if (o.shrink) {
        const only: RunOptions = { ...base, shapes: [clusterFactory(f.shape)] };
        const s = await shrink(c, f, async (cand) => (await runCase(cand, only)).failure, o.shrink);
        console.log(`\nshrunk in ${s.runs} run(s):\n${s.failure.report}\n`);
        console.log(regressionCase(s.case, s.failure, `${f.kind} on ${f.shape}`));
      }
    }
  } finally {
    await server?.stop();
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(
    `\nfuzzed seeds ${o.from}..${o.from + o.seeds - 1}: ${statements} statements on each of ${o.shapes.join(', ')}` +
      `${o.pg ? ' against PostgreSQL' : ''}, ${tlpChecks} TLP checks, in ${secs} s: ${failed} failed`,
  );
  if (eager)
    console.log(
      `${eager} statement(s) with a join, a subquery or a float aggregate raised a data exception on one side only (rows computed, or the order they are added in, depend on the plan)`,
    );
  if (unsupported.size) {
    console.log(
      `refused (0A000 not built, 53200 past statement_mem) where PostgreSQL answers (${[...unsupported.values()].reduce((a, b) => a + b, 0)}):`,
    );
    for (const [m, n] of [...unsupported].sort((a, b) => b[1] - a[1])) console.log(`  ${n} × ${m}`);
  }
  return failed ? 1 : 0;
}
