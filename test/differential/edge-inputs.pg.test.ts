/**
 * Inputs at the edges (issue 18): each gets PostgreSQL's SQLSTATE (or result), never a leaked
 * JavaScript exception or a silently changed value. Where this engine's own limit is lower than
 * PostgreSQL's (its stack is smaller, a string holds about 2^29 characters), the statement fails
 * with the SQLSTATE PostgreSQL gives for that limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCluster, type Cluster, type Session } from '../../src/engine/index.ts';
import { compareOutcomes, fromPg, runOurs, stripGreenplum, type Outcome } from './compare.ts';
import { startPgServer, type PgConnection, type PgServer } from './pg-server.ts';

let pg: PgServer | undefined;
let db: PgConnection | undefined;
let cluster: Cluster | undefined;
let session: Session | undefined;
beforeAll(async () => {
  pg = await startPgServer();
  db = await pg.database('edge_inputs');
  cluster = await createCluster({
    hosts: ['sdw1', 'sdw2'],
    segmentsPerHost: 2,
    mirroring: 'none',
    runtime: 'inline',
    storage: 'memory',
  });
  session = await cluster.connect();
}, 120_000);
afterAll(async () => {
  await session?.close();
  await cluster?.close();
  await pg?.stop();
}, 60_000);

const ours = (sql: string): Promise<Outcome> => runOurs(session!, sql);
const theirs = async (sql: string): Promise<Outcome> => fromPg(await db!.query(stripGreenplum(sql)));

/** Statements whose outcome must equal PostgreSQL's, in order (some build tables). */
const SAME: [string, string][] = [
  ['a 5,000-term sum: stack depth', `SELECT ${Array.from({ length: 5000 }, () => '1').join(' + ')}`],
  ['a 1,000-deep parenthesised expression', `SELECT ${'('.repeat(1000)}1${')'.repeat(1000)}`],
  ['a 300-deep nested subquery', `SELECT ${'(SELECT '.repeat(300)}1${')'.repeat(300)}`],
  ['a 2,000-way UNION ALL', Array.from({ length: 2000 }, (_, i) => `SELECT ${i}`).join(' UNION ALL ')],
  ["lpad('x', 2147483647)", "SELECT lpad('x', 2147483647)"],
  ["rpad('x', 300000000)", "SELECT length(rpad('x', 300000000))"],
  ['10::numeric ^ 1000000', 'SELECT 10::numeric ^ 1000000'],
  [
    'numeric multiplication past 131072 digits',
    "SELECT ('1' || repeat('0', 70000))::numeric * ('1' || repeat('0', 70000))::numeric",
  ],
  ['chr(0)', 'SELECT chr(0)'],
  ["E'a\\u0000b'", "SELECT E'a\\u0000b'"],
  ["E'\\x00'", "SELECT E'\\x00'"],
  ["E'\\uD800'", "SELECT E'\\uD800'"],
  ["E'\\uD83D\\uDE00'", "SELECT E'\\uD83D\\uDE00'"],
  ["E'\\xC3\\xA9'", "SELECT E'\\xC3\\xA9'"],
  ["'294277-01-01'::timestamp", "SELECT '294277-01-01'::timestamp"],
  ["'294276-12-31'::timestamp", "SELECT '294276-12-31'::timestamp"],
  ["'5874897-12-31'::date + 1", "SELECT '5874897-12-31'::date + 1"],
  ["'5874897-12-31'::date::timestamp", "SELECT '5874897-12-31'::date::timestamp"],
  ["'infinity'::date::timestamp", "SELECT 'infinity'::date::timestamp, '-infinity'::date::timestamp"],
  ['infinity dates in a column', 'CREATE TABLE d (x date, y int) DISTRIBUTED BY (x)'],
  ['inserted', "INSERT INTO d VALUES ('infinity', 1), ('-infinity', 2), ('2020-01-01', 3), ('infinity', 4)"],
  ['as a GROUP BY key', 'SELECT x, count(*), sum(y) FROM d GROUP BY x'],
  ['as a join key', 'SELECT a.y, b.y FROM d a JOIN d b ON a.x = b.x'],
  ['as a redistributed key', 'SELECT a.x, count(*) FROM d a JOIN d b ON a.y = b.y GROUP BY a.x'],
  ['subtracting infinite dates', "SELECT x - '2020-01-01'::date FROM d"],
];

describe('edge inputs: as PostgreSQL', () => {
  for (const [title, sql] of SAME)
    it(title, async () => {
      const stmt = { sql, file: 'edge', line: 1, section: 'queries' as const };
      const diff = compareOutcomes(stmt, await theirs(sql), await ours(sql));
      if (diff) expect.fail(diff);
    });
});

describe("edge inputs: this engine's own limits", () => {
  it.each([
    ['a 5,000-deep parenthesised expression', `SELECT ${'('.repeat(5000)}1${')'.repeat(5000)}`],
    ['a 1,000-deep nested subquery', `SELECT ${'(SELECT '.repeat(1000)}1${')'.repeat(1000)}`],
  ])('%s: PostgreSQL answers; here the answer or 54001', async (_title, sql) => {
    const mine = await ours(sql);
    expect((await theirs(sql)).ok).toBe(true);
    if (mine.ok) expect(mine.rows).toEqual([['1']]);
    else expect(mine.code).toBe('54001');
  });

  it("length(repeat('x', 1e9)): 54000, longer than a string here", async () => {
    const r = await ours("SELECT length(repeat('x', 1000000000))");
    expect(r.ok ? 'ok' : r.code).toBe('54000');
  });

  it.each([
    ['a NUL in a string literal', "SELECT 'a\u0000b'"],
    ['a NUL in an identifier', 'SELECT 1 AS "a\u0000"'],
    ['a lone surrogate', "SELECT 'a\uD800b'"],
    ['a lone low surrogate', "SELECT 'a\uDC00'"],
  ])('%s is refused with 22021 (UTF-8 cannot carry it)', async (_title, sql) => {
    const r = await ours(sql);
    expect(r.ok ? 'ok' : r.code).toBe('22021');
  });

  it('a valid surrogate pair is one character', async () => {
    const r = await ours("SELECT length('a\u{1F600}b'), 'a\u{1F600}b'");
    expect(r.ok && r.rows).toEqual([['3', 'a\u{1F600}b']]);
  });
});
