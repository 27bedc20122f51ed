/**
 * The SQL fuzzer in CI: fixed seeds, every statement on three cluster shapes (1 segment, 2x2,
 * 3x2 with spread mirrors) against PostgreSQL, with the TLP oracle on the queries it applies
 * to; then every shrunk failure kept in fuzz/regressions/ on every shape. Reproduce a failing
 * seed with `npm run fuzz:sql -- --seeds 1 --from <seed>` (it prints the shrunk case).
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareOutcomes } from './compare.ts';
import { parseCorpusFile } from './harness.ts';
import { startPgServer, type PgConnection, type PgServer } from './pg-server.ts';
import { generateCase } from './fuzz/queries.ts';
import { runCase } from './fuzz/runner.ts';
import { clusterFactory, pgFactory, SHAPES } from './fuzz/systems.ts';

/** Seeds and statements per seed: at least 300 statements on each shape. */
const SEEDS = Array.from({ length: 18 }, (_, i) => 1 + i);
const STATEMENTS = 20;
const REGRESSIONS = join(dirname(new URL(import.meta.url).pathname), 'fuzz', 'regressions');

let pg: PgServer | undefined;
let db: PgConnection | undefined;
let pgFailure: unknown;
beforeAll(async () => {
  try {
    pg = await startPgServer();
    db = await pg.database('fuzz_ci');
  } catch (e) {
    pgFailure = e;
  }
}, 120_000);
afterAll(async () => {
  await pg?.stop();
}, 60_000);
const reference = () => {
  if (!db) throw pgFailure instanceof Error ? pgFailure : new Error('PostgreSQL did not start');
  return pgFactory(db);
};
const shapes = Object.keys(SHAPES).map(clusterFactory);

describe('fuzzed statements against PostgreSQL', () => {
  let statements = 0;
  for (const seed of SEEDS)
    it(`seed ${seed}`, async () => {
      const r = await runCase(generateCase(seed, STATEMENTS), { reference: reference(), shapes, tlp: true });
      statements += r.statements;
      if (r.failure)
        expect.fail(
          `seed ${seed}: ${r.failure.kind} on ${r.failure.shape} at statement ${r.failure.stmt + 1}\n${r.failure.report}`,
        );
    }, 120_000);
  it('ran at least 300 statements on each shape', () => {
    expect(statements, 'statements run on each shape').toBeGreaterThanOrEqual(300);
  });
});

describe('fuzzer regressions on every shape', () => {
  const files = readdirSync(REGRESSIONS).filter((f) => f.endsWith('.sql'));
  it('has regression cases', () => expect(files.length).toBeGreaterThan(0));
  for (const file of files)
    it(
      file,
      async () => {
        const stmts = parseCorpusFile(join(REGRESSIONS, file), [], 'queries');
        const ref = await reference().open();
        for (const shape of shapes) {
          // A fresh reference database and cluster per shape: the case runs from its setup.
          const pgRun = shape === shapes[0] ? ref : await reference().open();
          const ours = await shape.open();
          try {
            for (const stmt of stmts) {
              const diff = compareOutcomes(stmt, await pgRun.run(stmt.sql), await ours.run(stmt.sql));
              if (diff) expect.fail(`${shape.name}: ${diff}`);
            }
          } finally {
            await ours.close();
          }
        }
      },
      120_000,
    );
});
