/**
 * Differential testing harness: parses the SQL corpus, strips Greenplum-only clauses for
 * PostgreSQL, runs every statement on both systems in order and compares outcomes.
 *
 * Corpus format (test/differential/corpus/*.sql):
 *  - a statement ends with a line whose last non-blank character is `;`;
 *  - a line `-- setup` starts the setup section (statements that build the state; a failure
 *    there makes the rest of the file meaningless), `-- queries` starts the tested section;
 *  - `-- include <file>` (in either section, outside a statement) splices another corpus file;
 *  - directives on their own line before a statement apply to that statement:
 *      `-- error <SQLSTATE>`  the statement must fail with that code (PG validation);
 *      `-- ordered`           compare rows in order (the ORDER BY is a total order);
 *      `-- unordered`         compare rows as a multiset even though there is an ORDER BY;
 *  - any other `--` line is a comment. Files whose name starts with `_` are include-only.
 *
 * Row order: without a top-level ORDER BY, rows compare as a multiset. With one, rows compare
 * in order as far as the ORDER BY keys determine it: when every key is an output column (by
 * ordinal, output name or select-list expression), the sequences of key values must be equal
 * and rows within a run of equal keys compare as a multiset (for a LIMIT/OFFSET the runs at the
 * cut are checked on keys only, since which tied rows survive is not determined). When a key is
 * not an output column, rows compare strictly in order: the corpus must then order totally.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { PgServer, PgConnection } from './pg-server.ts';
import { compareOutcomes, fromPg, runOurs, stripGreenplum } from './compare.ts';
import type { Outcome, OurSession, Statement } from './compare.ts';

export {
  analyzeOrder,
  compareOutcomes,
  fromPg,
  runOurs,
  stripGreenplum,
  tokenize,
  type OrderInfo,
  type Outcome,
  type OurResult,
  type OurSession,
  type Statement,
} from './compare.ts';

export interface CorpusFile {
  name: string;
  statements: Statement[];
}

export const CORPUS_DIR = join(dirname(new URL(import.meta.url).pathname), 'corpus');

// ---------------------------------------------------------------------------------------------
// Parsing

/** Parses one corpus file (following includes). */
export function parseCorpusFile(
  path: string,
  seen: string[] = [],
  initialSection: Statement['section'] = 'queries',
): Statement[] {
  if (seen.includes(path)) throw new Error(`include cycle: ${[...seen, path].join(' -> ')}`);
  const file = basename(path);
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: Statement[] = [];
  let section = initialSection;
  let pending: { error?: string; order?: Statement['order'] } = {};
  let buf: string[] = [];
  let startLine = 0;
  lines.forEach((raw, i) => {
    const line = raw.replace(/\s+$/, '');
    const trimmed = line.trim();
    if (buf.length === 0) {
      if (trimmed === '') return;
      if (trimmed.startsWith('--')) {
        const d = trimmed.slice(2).trim();
        let m: RegExpExecArray | null;
        if (d === 'setup') section = 'setup';
        else if (d === 'queries') section = 'queries';
        else if (d === 'ordered' || d === 'unordered') pending.order = d;
        else if ((m = /^error\s+([0-9A-Z]{5})$/.exec(d))) pending.error = m[1]!;
        else if ((m = /^include\s+(\S+)$/.exec(d)))
          out.push(...parseCorpusFile(join(dirname(path), m[1]!), [...seen, path], section));
        else if (/^(error|include)\b/.test(d))
          throw new Error(`${file}:${i + 1}: bad directive "${trimmed}"`);
        return;
      }
      startLine = i + 1;
    }
    buf.push(line);
    if (line.endsWith(';')) {
      const sql = buf.join('\n').replace(/;$/, '').trim();
      const stmt: Statement = { sql, file, line: startLine, section };
      if (pending.error) stmt.error = pending.error;
      if (pending.order) stmt.order = pending.order;
      out.push(stmt);
      buf = [];
      pending = {};
    }
  });
  if (buf.length) throw new Error(`${file}:${startLine}: statement not terminated with ';'`);
  return out;
}

/** Every corpus file (not the include-only `_*.sql` ones), sorted by name. */
export function loadCorpus(dir = CORPUS_DIR): CorpusFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql') && !f.startsWith('_'))
    .sort()
    .map((f) => ({ name: f.replace(/\.sql$/, ''), statements: parseCorpusFile(join(dir, f)) }));
}

// ---------------------------------------------------------------------------------------------
// Running a file on both systems

export interface OurSystem {
  session: OurSession;
  close(): Promise<void>;
}

/**
 * One corpus file's run: a fresh PG database and a fresh cluster, then statements in order.
 * `step` returns null when the outcomes agree, else a report.
 */
export class FileRun {
  private pgDb: PgConnection | undefined;
  private ours: OurSystem | undefined;
  private broken: string | undefined;

  readonly file: CorpusFile;
  readonly index: number;
  private readonly pg: () => PgServer;
  private readonly openOurs: (() => Promise<OurSystem>) | null;

  constructor(
    file: CorpusFile,
    index: number,
    pg: () => PgServer,
    openOurs: (() => Promise<OurSystem>) | null,
  ) {
    this.file = file;
    this.index = index;
    this.pg = pg;
    this.openOurs = openOurs;
  }

  async open(): Promise<void> {
    const name = `f_${this.index}_${this.file.name.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 60);
    this.pgDb = await this.pg().database(name);
    if (this.openOurs) this.ours = await this.openOurs();
  }

  /** Makes every later step fail with `reason`. */
  markBroken(reason: string): void {
    this.broken ??= reason;
  }

  async close(): Promise<void> {
    const errors: unknown[] = [];
    await this.pgDb?.close().catch((e: unknown) => errors.push(e));
    await this.ours?.close().catch((e: unknown) => errors.push(e));
    this.pgDb = undefined;
    this.ours = undefined;
    if (errors.length) throw errors[0];
  }

  async runPg(stmt: Statement): Promise<Outcome> {
    if (!this.pgDb) throw new Error('FileRun not open');
    return fromPg(await this.pgDb.query(stripGreenplum(stmt.sql)));
  }

  /** Runs on both systems; null when they agree. */
  async step(stmt: Statement): Promise<string | null> {
    if (this.broken) return `not run: ${this.broken}`;
    if (!this.ours) throw new Error('FileRun opened without our cluster');
    const [pg, ours] = await Promise.all([this.runPg(stmt), runOurs(this.ours.session, stmt.sql)]);
    const diff = compareOutcomes(stmt, pg, ours);
    if (stmt.section === 'setup' && !stmt.error && (!pg.ok || !ours.ok))
      this.broken = `setup statement ${stmt.file}:${stmt.line} failed`;
    return diff;
  }

  /**
   * Runs on PostgreSQL only and checks the statement's `-- error` expectation: `problem` is null
   * when it is met.
   */
  async validate(stmt: Statement): Promise<{ problem: string | null; outcome?: Outcome }> {
    if (this.broken) return { problem: `not run: ${this.broken}` };
    const pg = await this.runPg(stmt);
    const where = `${stmt.file}:${stmt.line}`;
    const q = `\n  query: ${stripGreenplum(stmt.sql)}`;
    let problem: string | null = null;
    if (stmt.error) {
      if (pg.ok) problem = `${where}: expected error ${stmt.error} but PostgreSQL succeeded${q}`;
      else if (pg.code !== stmt.error)
        problem = `${where}: expected error ${stmt.error}, got ${pg.code}: ${pg.message}${q}`;
    } else if (!pg.ok) problem = `${where}: PostgreSQL failed with ${pg.code}: ${pg.message}${q}`;
    return { problem, outcome: pg };
  }
}

/** A short, unique-enough test title for a statement. */
export function title(stmt: Statement): string {
  const oneLine = stmt.sql.replace(/\s+/g, ' ');
  const where = stmt.file.startsWith('_')
    ? `${stmt.file.replace(/\.sql$/, '')}:L${stmt.line}`
    : `L${stmt.line}`;
  return `${where} ${oneLine.length > 90 ? `${oneLine.slice(0, 87)}...` : oneLine}`;
}
