/**
 * Validates the differential corpus against PostgreSQL alone: every statement not marked
 * `-- error XXXXX` must succeed, every marked one must fail with exactly that SQLSTATE, ORDER BY
 * queries must be comparable (keys are output columns, or the query is marked `-- ordered`),
 * and the harness' float formatting must reproduce Postgres' float4/float8 output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeOrder, compareOutcomes, FileRun, loadCorpus, stripGreenplum, title } from './harness.ts';
import type { CorpusFile, OurResult, OurSystem, Outcome, Statement } from './harness.ts';
import { generatedCorpus } from './generate.ts';
import { startPgServer } from './pg-server.ts';
import type { PgServer } from './pg-server.ts';
import { float4Text, float8Text } from './pg-text.ts';

const files: CorpusFile[] = [...loadCorpus(), generatedCorpus()];

let pg: PgServer | undefined;
let pgFailure: unknown;
beforeAll(async () => {
  // Remembered rather than thrown so every test reports it (e.g. the apt-get hint).
  pg = await startPgServer().catch((e: unknown) => {
    pgFailure = e;
    return undefined;
  });
}, 120_000);
afterAll(async () => {
  await pg?.stop();
}, 60_000);
const server = () => {
  if (!pg) throw pgFailure instanceof Error ? pgFailure : new Error('PostgreSQL did not start');
  return pg;
};

describe('corpus', () => {
  it('has at least 300 tested queries', () => {
    const counts = Object.fromEntries(
      files.map((f) => [f.name, f.statements.filter((s) => s.section === 'queries').length]),
    );
    const total = Object.values(counts).reduce((x, y) => x + y, 0);
    expect(total, JSON.stringify(counts)).toBeGreaterThanOrEqual(300);
  });
});

files.forEach((file, index) => {
  describe(`pg: ${file.name}`, () => {
    const run = new FileRun(file, index, server, null);
    beforeAll(
      () => run.open().catch((e: unknown) => run.markBroken(`opening the database failed: ${e}`)),
      60_000,
    );
    afterAll(() => run.close());
    for (const stmt of file.statements) {
      it(title(stmt), async () => {
        const { problem, outcome } = await run.validate(stmt);
        if (problem) expect.fail(problem);
        const names = outcome?.ok && outcome.fields.length ? outcome.fields.map((f) => f.name) : null;
        const order = orderProblem(stmt, names);
        if (order) expect.fail(order);
      });
    }
  });
});

function orderProblem(stmt: Statement, names: string[] | null): string | null {
  if (!names || stmt.order) return null;
  const info = analyzeOrder(stmt.sql, names);
  if (info && !info.keyColumns)
    return `${stmt.file}:${stmt.line}: an ORDER BY key is not an output column; mark the query "-- ordered" if its ORDER BY is a total order, else "-- unordered"`;
  return null;
}

describe('harness', () => {
  it('formats floats exactly as PostgreSQL does', async () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const vals = [
      0.1,
      1 / 3,
      1e15,
      1e14,
      1e-5,
      1e-4,
      1e20,
      1e21,
      123456789.125,
      5e-324,
      2 ** 53,
      1234567,
      123456,
    ];
    for (let i = 0; i < 400; i++) vals.push((rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20));
    for (let i = 0; i < 100; i++) vals.push(Math.round(rnd() * 1e6) / 10 ** Math.floor(rnd() * 8));
    const list = vals.map((v) => `'${v}'`).join(',');
    const r8 = await server().query(`SELECT x::float8::text FROM unnest(ARRAY[${list}]::float8[]) x`);
    const v4 = vals.filter((v) => Math.abs(v) > 1.2e-38 && Math.abs(v) < 3e38);
    const list4 = v4.map((v) => `'${v}'`).join(',');
    const r4 = await server().query(`SELECT x::float4::text FROM unnest(ARRAY[${list4}]::float8[]) x`);
    if ('error' in r8 || 'error' in r4) throw new Error('float probe failed');
    expect(vals.map(float8Text)).toEqual(r8.rows.map((r) => r[0]));
    expect(v4.map(float4Text)).toEqual(r4.rows.map((r) => r[0]));
  });

  it('compares rows as far as the ORDER BY determines their order', () => {
    const stmt = (sql: string): Statement => ({ sql, file: 'x', line: 1, section: 'queries' });
    const res = (rows: (string | null)[][]): Outcome => ({
      ok: true,
      command: 'SELECT',
      rowCount: rows.length,
      fields: [
        { name: 'a', type: 'integer' },
        { name: 'b', type: 'integer' },
      ],
      rows,
    });
    const tied = res([
      ['1', '1'],
      ['2', '1'],
      ['3', '2'],
    ]);
    const swapped = res([
      ['2', '1'],
      ['1', '1'],
      ['3', '2'],
    ]);
    expect(compareOutcomes(stmt('SELECT a, b FROM t ORDER BY b'), tied, swapped)).toBeNull();
    expect(compareOutcomes(stmt('SELECT a, b FROM t ORDER BY a'), tied, swapped)).toMatch(/ORDER BY keys/);
    expect(compareOutcomes(stmt('SELECT a, b FROM t ORDER BY 2 DESC'), tied, swapped)).toBeNull();
    expect(compareOutcomes(stmt('SELECT a, b FROM t'), tied, res([['3', '2']]))).toMatch(/multisets/);
    expect(
      compareOutcomes({ ...stmt('SELECT a, b FROM t ORDER BY b'), order: 'ordered' }, tied, swapped),
    ).toMatch(/in order/);
    // LIMIT: which of the tied rows at the cut survive is not determined.
    const cut = res([
      ['3', '2'],
      ['1', '1'],
    ]);
    const cut2 = res([
      ['3', '2'],
      ['2', '1'],
    ]);
    expect(compareOutcomes(stmt('SELECT a, b FROM t ORDER BY b DESC LIMIT 2'), cut, cut2)).toBeNull();
    expect(compareOutcomes(stmt('SELECT a, b FROM t ORDER BY b DESC'), cut, cut2)).toMatch(
      /equal ORDER BY keys/,
    );
    expect(
      compareOutcomes(
        stmt('SELECT 1'),
        { ok: false, code: '22012', message: 'x' },
        { ok: false, code: '22003', message: 'y' },
      ),
    ).toMatch(/SQLSTATE differs/);
  });
});

/**
 * Stands in for our cluster with a second PostgreSQL database whose results are converted to
 * the cluster's value conventions (numbers, booleans, bigint as number when safe) and whose rows
 * are shuffled: running the whole harness PG-vs-PG must then find no difference, which checks
 * the value normalization and the order-insensitive comparison end to end.
 */
async function pgAsCluster(name: string): Promise<OurSystem> {
  const db = await server().database(name);
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const convert = (v: string | null, type: string): unknown => {
    if (v === null) return null;
    switch (type) {
      case 'smallint':
      case 'integer':
      case 'real':
      case 'double precision':
        return Number(v);
      case 'bigint':
        return Number.isSafeInteger(Number(v)) ? Number(v) : v;
      case 'boolean':
        return v === 't';
      default:
        return v;
    }
  };
  return {
    session: {
      async query(sql: string): Promise<OurResult> {
        const r = await db.query(stripGreenplum(sql));
        if ('error' in r) throw Object.assign(new Error(r.error.message), { code: r.error.code });
        // Shuffle what the query leaves unordered: all rows, or rows within a run of equal ORDER BY keys.
        const order = analyzeOrder(
          sql,
          r.fields.map((f) => f.name),
        );
        // A FETCH returns rows in its cursor's order, which the DECLARE's ORDER BY set.
        const fetch = /^\s*fetch\b/i.test(sql);
        const keyOf = (row: (string | null)[]) =>
          fetch
            ? JSON.stringify(row)
            : order
              ? JSON.stringify(order.keyColumns?.map((c) => row[c]) ?? row)
              : '';
        const shuffled: (string | null)[][] = [];
        for (let s = 0; s < r.rows.length;) {
          let e = s + 1;
          while (e < r.rows.length && keyOf(r.rows[e]!) === keyOf(r.rows[s]!)) e++;
          const run = r.rows.slice(s, e);
          for (let i = run.length - 1; i > 0; i--) {
            const j = Math.floor(rnd() * (i + 1));
            [run[i], run[j]] = [run[j]!, run[i]!];
          }
          shuffled.push(...run);
          s = e;
        }
        const rows = shuffled.map((row) => row.map((v, i) => convert(v, r.fields[i]!.type)));
        return { command: r.command, rowCount: r.rowCount ?? 0, fields: r.fields, rows };
      },
      close: () => db.close(),
    },
    close: () => db.close(),
  };
}

describe('harness self-check: PostgreSQL vs PostgreSQL', () => {
  files.forEach((file, index) => {
    it(`finds no differences in ${file.name}`, async () => {
      const run = new FileRun(file, 100 + index, server, () => pgAsCluster(`self_${index}`));
      await run.open();
      const diffs: string[] = [];
      try {
        for (const stmt of file.statements) {
          const d = await run.step(stmt);
          if (d) diffs.push(d);
        }
      } finally {
        await run.close();
      }
      if (diffs.length) expect.fail(`${diffs.length} difference(s):\n${diffs.slice(0, 5).join('\n\n')}`);
    });
  });
});
