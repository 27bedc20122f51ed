/**
 * The differential runner: a case's schema and statements run on every cluster shape and on the
 * reference (PostgreSQL, when there is one); each statement's outcome on a shape must equal the
 * reference's (rows as multisets, or in order as far as the ORDER BY fixes it; errors by
 * SQLSTATE), and after a DML statement so must the table's contents. Without a reference the
 * shapes are compared with each other, and queries with the ternary logic partitioning oracle:
 * `Q` returns the multiset of `Q WHERE p` ∪ `Q WHERE NOT p` ∪ `Q WHERE p IS NULL`.
 *
 * Pure: systems come from factories, so the same runner serves Node (with PostgreSQL) and a
 * browser (shapes only).
 */
import { compareOutcomes, type Outcome, type Statement } from '../compare.ts';
import { caseSetup, renderCase, renderEx, renderQuery, renderStmt, type Case, type Stmt } from './ast.ts';
import { tlpQuery } from './tlp.ts';

/** A database to run SQL on: a fresh one per case. */
export interface SqlSystem {
  run(sql: string): Promise<Outcome>;
  close(): Promise<void>;
}

export interface SystemFactory {
  name: string;
  open(): Promise<SqlSystem>;
}

export type FailureKind = 'difference' | 'crash' | 'tlp';

export interface Failure {
  kind: FailureKind;
  shape: string;
  /** Index of the statement in the case (-1: the schema's setup). */
  stmt: number;
  sql: string;
  report: string;
  /** The reference's SQLSTATE when it failed (shrinking keeps it). */
  refCode?: string;
  /** The statement itself, or the check of a table's rows after it. */
  phase: 'statement' | 'check';
  /** A check's failure: the reference's SQLSTATE for the statement before it, if it failed. */
  stmtRefCode?: string;
}

export interface CaseResult {
  /** Statements run per shape (the reference runs them once). */
  statements: number;
  failure?: Failure;
  /** Statements ours refused (0A000, 53200) while the reference ran them. */
  unsupported: string[];
  /** TLP checks run per shape. */
  tlpChecks: number;
  /**
   * Statements ours failed with a data exception (class 22) where the reference, which reads
   * rows lazily, never computed the failing value (see eagerError).
   */
  eager: string[];
}

export interface RunOptions {
  reference?: SystemFactory;
  shapes: SystemFactory[];
  /** Run the TLP oracle on queries it applies to. */
  tlp?: boolean;
}

const stmtFor = (sql: string, line: number): Statement => ({ sql, file: 'fuzz', line, section: 'queries' });

/** Checks that make a DML statement's effect visible: the table's rows. */
export function followUps(s: Stmt): string[] {
  if (s.k === 'insert' || s.k === 'update' || s.k === 'delete') return [`SELECT * FROM ${s.table}`];
  // A failed change leaves the block open and aborted on both sides: ROLLBACK ends it first.
  if (s.k === 'savepoint')
    return ['ROLLBACK', ...[...new Set([s.undone.table, s.kept.table])].map((t) => `SELECT * FROM ${t}`)];
  return [];
}

/** An error without a SQLSTATE, or the engine's internal error: a bug either way. */
function isCrash(o: Outcome): boolean {
  return !o.ok && (o.code === 'CRASH' || o.code === 'XX000');
}

/**
 * A refusal of what the reference runs: reported, not a wrong answer. 0A000, a feature not
 * built; 53200, a statement past statement_mem (the lab has no workfiles to spill to, so a
 * huge join or result fails alone where PostgreSQL spills or streams); 57014, past the
 * statement_timeout the runner sets (a join too large to finish in time).
 */
function isRefusal(ref: Outcome | undefined, ours: Outcome): boolean {
  return (
    !!ref &&
    !ours.ok &&
    (ours.code === '0A000' || ours.code === '53200' || ours.code === '57014') &&
    (ref.ok || ref.code !== ours.code)
  );
}

/**
 * Which rows an expression is computed on depends on the plan when a statement reads several
 * relations: PostgreSQL pulls rows lazily (a join whose outer side is empty never reads its inner
 * side) and orders joins by cost, while a Greenplum slice computes its input whole and this
 * planner joins in FROM order along the conditions. A data exception (class 22) on one side only
 * is then reported, not counted as a failure, when the statement has a join or a subquery.
 */
function eagerError(ref: Outcome | undefined, out: Outcome, s: Stmt): boolean {
  // Either way round: PostgreSQL's planner may also order joins so that it computes a
  // condition on rows this engine's order never pairs.
  if (ref && !ref.ok && !out.ok) {
    // Both failed with different data exceptions: which row and which expression meets its
    // bad value first depends on the plan as much as whether one is met at all (seed 80025).
    // A scalar subquery's second row (21000) is met on some row as well (seed 14725). Over one
    // table too: segments scan their rows at once, and the first error to reach the
    // coordinator wins (seed 505 on 3x2: a NaN on one segment, 1e20 on another, cast to int).
    const rowError = (o: Outcome) => dataError(o) || (!o.ok && o.code === '21000');
    return rowError(ref) && rowError(out) && /\bFROM\b/.test(renderStmt(s));
  }
  const failed = !ref?.ok ? ref : !out.ok ? out : undefined;
  if (!ref || ref.ok === out.ok || !failed || failed.ok) return false;
  // 21000 too: Greenplum runs an uncorrelated subquery (an InitPlan) before the query reads a
  // row; PostgreSQL on first use.
  // A NaN cast to an integer (0A000) is a bad value as much as 22xxx is (seed 16921).
  if (!dataError(failed) && failed.code !== '21000') return false;
  const sql = renderStmt(s);
  return readsSeveral(sql) || floatAggregateOverflow(failed.code, sql);
}

/**
 * A data exception: class 22, or Postgres' 0A000 for a NaN or infinity cast to an integer
 * ("cannot convert NaN to integer"), which is a bad value as much as an out-of-range one is
 * (seed 10194: which of the two a join meets first depends on its row order).
 */
function dataError(o: Outcome): boolean {
  return (
    !o.ok &&
    (o.code.startsWith('22') || (o.code === '0A000' && /^cannot convert (NaN|infinity)/.test(o.message)))
  );
}

/**
 * avg and sum over floats round at each step, so whether the running sums overflow depends on
 * the order rows are added and, here as in Greenplum, on how rows are split among segments:
 * each segment accumulates its own (float8_accum) and the coordinator combines the states
 * (float8_combine). Ten rows of 1e300 overflow PostgreSQL's Sxx when one process adds them,
 * and not when four segments each add a few (seed 800670 on 2x2).
 */
function floatAggregateOverflow(code: string, sql: string): boolean {
  return code === '22003' && /\b(avg|sum)\(/i.test(sql) && /float8|double precision/i.test(sql);
}

/** A statement with a join or a subquery (UPDATE ... FROM joins as DELETE ... USING does). */
function readsSeveral(sql: string): boolean {
  // Not anchored: a change inside a savepoint's BEGIN ... COMMIT counts too (seed 17816).
  return /\bJOIN\b|\(SELECT\b|EXISTS \(|\bFROM\b[^()]*,|\bUSING\b|\bUPDATE\b[\s\S]*\bFROM\b/.test(sql);
}

/**
 * Equal numerics of different scales (3 and 3.00) that meet in one group of a set operation,
 * DISTINCT or GROUP BY: which one a database shows depends on the order rows reach it (and
 * PostgreSQL may swap a set operation's inputs). Such a difference is no wrong answer.
 */
function sameNumericValues(s: Stmt, ref: Outcome, out: Outcome): boolean {
  if (!ref.ok || !out.ok || !/\b(INTERSECT|EXCEPT|UNION|DISTINCT|GROUP BY)\b/.test(renderStmt(s)))
    return false;
  const numeric = ref.fields.map((f) => f.type === 'numeric');
  if (!numeric.some(Boolean)) return false;
  const canon = (o: Extract<Outcome, { ok: true }>): Outcome => ({
    ...o,
    rows: o.rows.map((r) =>
      r.map((v, i) => (numeric[i] && v !== null && v.includes('.') ? v.replace(/\.?0+$/, '') : v)),
    ),
  });
  return compareOutcomes(stmtFor(renderStmt(s), 0), canon(ref), canon(out)) === null;
}

/**
 * PostgreSQL stops pulling rows once a LIMIT is met, so an error in a row past it never
 * happens there; a Greenplum segment computes its slice before the coordinator's LIMIT. When
 * ours failed with a data exception under a LIMIT, the answer is right if the reference fails
 * the same way without the LIMIT.
 */
async function lazyLimitError(ref: SqlSystem, s: Stmt, out: Outcome): Promise<boolean> {
  if (out.ok || !out.code.startsWith('22') || s.k !== 'query') return false;
  const q = s.q;
  if (q.limit === undefined && q.offset === undefined) return false;
  const r = await ref.run(renderQuery({ ...q, limit: undefined, offset: undefined }));
  return !r.ok && r.code === out.code;
}

export async function runCase(c: Case, o: RunOptions): Promise<CaseResult> {
  const { setup, stmts } = renderCase(c);
  const result: CaseResult = { statements: 0, unsupported: [], tlpChecks: 0, eager: [] };
  const ref = o.reference ? await o.reference.open() : undefined;
  const shapes: SqlSystem[] = [];
  try {
    for (const f of o.shapes) shapes.push(await f.open());
    const fail = (f: Failure) => {
      result.failure = f;
      return result;
    };
    // The schema: it must build everywhere.
    for (const sql of setup) {
      const r = ref ? await ref.run(sql) : undefined;
      if (r && !r.ok)
        throw new Error(`the reference refused the generated schema: ${r.code} ${r.message}\n${sql}`);
      for (let i = 0; i < shapes.length; i++) {
        const out = await shapes[i]!.run(sql);
        if (!out.ok)
          return fail({
            kind: isCrash(out) ? 'crash' : 'difference',
            shape: o.shapes[i]!.name,
            stmt: -1,
            phase: 'statement',
            sql,
            report: `setup failed: ${out.code} ${out.message}`,
          });
      }
    }
    for (let si = 0; si < stmts.length; si++) {
      const checks = [stmts[si]!, ...followUps(c.stmts[si]!)];
      result.statements++;
      let stmtRef: Outcome | undefined;
      for (const [ci, sql] of checks.entries()) {
        const r = ref ? await ref.run(sql) : undefined;
        if (ci === 0) stmtRef = r;
        const outs: Outcome[] = [];
        for (const sys of shapes) outs.push(await sys.run(sql));
        for (let i = 0; i < shapes.length; i++) {
          const out = outs[i]!;
          const shape = o.shapes[i]!.name;
          const base: Omit<Failure, 'kind' | 'report'> = {
            shape,
            stmt: si,
            sql,
            phase: ci === 0 ? 'statement' : 'check',
            ...(r && !r.ok ? { refCode: r.code } : {}),
            ...(ci > 0 && stmtRef && !stmtRef.ok ? { stmtRefCode: stmtRef.code } : {}),
          };
          if (isCrash(out))
            return fail({ ...base, kind: 'crash', report: `no SQLSTATE: ${!out.ok ? out.message : ''}` });
          // The reference gave up (its statement_timeout): nothing to compare; a change ends the case.
          if (ci === 0 && r && !r.ok && r.code === '57014') {
            if (c.stmts[si]!.k !== 'query') return result;
            continue;
          }
          if (ci === 0 && isRefusal(r, out)) {
            if (i === 0) result.unsupported.push(`${!out.ok ? out.message : ''} :: ${sql}`);
            // A change the reference made and ours refused: the states part, the case ends.
            if (c.stmts[si]!.k !== 'query') return result;
            continue;
          }
          const against = r ?? outs[0]!;
          const diff = compareOutcomes(stmtFor(sql, si + 1), against, out);
          if (diff && ci === 0 && eagerError(r, out, c.stmts[si]!)) {
            if (i === 0) result.eager.push(sql);
            if (c.stmts[si]!.k !== 'query') return result;
            continue;
          }
          if (diff && ci === 0 && sameNumericValues(c.stmts[si]!, against, out)) continue;
          // A change whose DISTINCT, GROUP BY or set operation kept another of equal numerics
          // than PostgreSQL's (3 and 3.00): the tables part in scale only; the case ends (seed 17487).
          if (diff && ci > 0 && sameNumericValues(c.stmts[si]!, against, out)) return result;
          if (diff && !(ci === 0 && ref && r?.ok && (await lazyLimitError(ref, c.stmts[si]!, out))))
            return fail({ ...base, kind: 'difference', report: diff });
        }
        // A statement both refused: the rest of the case still runs.
        if (ci === 0 && o.tlp) {
          const s = c.stmts[si]!;
          const tlp = s.k === 'query' ? tlpQuery(s.q, c.tables, c.seed + si) : undefined;
          if (tlp && outs[0]?.ok) {
            for (let i = 0; i < shapes.length; i++) {
              const plain = outs[i]!;
              if (!plain.ok) continue;
              const parts = await shapes[i]!.run(renderQuery(tlp.query));
              result.tlpChecks++;
              if (isCrash(parts))
                return fail({
                  shape: o.shapes[i]!.name,
                  stmt: si,
                  sql: renderQuery(tlp.query),
                  phase: 'statement',
                  kind: 'crash',
                  report: parts.ok ? '' : parts.message,
                });
              if (!parts.ok) continue; // the predicate may fail where the plain query did not look
              // Compared as multisets: the partitioned query has no ORDER BY.
              const diff = compareOutcomes(stmtFor(renderQuery(tlp.query), si + 1), plain, {
                ...parts,
                fields: plain.fields,
              });
              if (diff)
                return fail({
                  shape: o.shapes[i]!.name,
                  stmt: si,
                  sql,
                  phase: 'statement',
                  kind: 'tlp',
                  report: `TLP on ${renderEx(tlp.predicate)}: ${diff}\n  partitioned: ${renderQuery(tlp.query)}`,
                });
            }
          }
        }
      }
    }
    return result;
  } finally {
    await ref?.close().catch(() => undefined);
    for (const s of shapes) await s.close().catch(() => undefined);
  }
}

/** A failure as a regression case in the corpus format, ready to paste into fuzz/regressions/. */
export function regressionCase(c: Case, f: Failure, note: string): string {
  const lines = [
    `-- Found by the SQL fuzzer (seed ${c.seed}, shape ${f.shape}), shrunk: ${note}`,
    ...f.report
      .split('\n')
      .slice(0, 1)
      .map((l) => `-- ${l}`),
    '-- setup',
    ...caseSetup(c).map((s) => `${s};`),
    '-- queries',
  ];
  c.stmts.forEach((s, i) => {
    const sql = renderStmt(s);
    const last = i === c.stmts.length - 1;
    if (last && f.refCode) lines.push(`-- error ${f.refCode}`);
    lines.push(`${sql};`);
    for (const chk of followUps(s)) lines.push(`${chk};`);
  });
  return lines.join('\n') + '\n';
}
