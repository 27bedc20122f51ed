/**
 * Generated corpus: random (but seeded, so deterministic) arithmetic, comparison and logical
 * expressions over the shared tables of corpus/_setup.sql. Magnitudes are tracked so integer
 * expressions never overflow, and divisors are wrapped in NULLIF(…, 0): every generated query
 * must succeed on PostgreSQL (corpus.pg.test.ts checks that).
 */
import { join } from 'node:path';
import { CORPUS_DIR, parseCorpusFile } from './harness.ts';
import type { CorpusFile, Statement } from './harness.ts';
import { mulberry32 as prng } from '../support/prng.ts';

interface Expr {
  sql: string;
  /** Upper bound of the absolute value (for overflow avoidance). */
  max: number;
}

const INT_LIMIT = 2 ** 31 - 1;

class Gen {
  private readonly rnd: () => number;

  constructor(rnd: () => number) {
    this.rnd = rnd;
  }

  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  /** An integer expression over columns with the given bounds. */
  intExpr(cols: Record<string, number>, depth: number): Expr {
    const names = Object.keys(cols);
    if (depth <= 0 || this.rnd() < 0.25) {
      if (this.rnd() < 0.6) {
        const c = this.pick(names);
        return { sql: c, max: cols[c]! };
      }
      const v = this.int(19) - 9;
      return { sql: v < 0 ? `(${v})` : String(v), max: Math.abs(v) };
    }
    const x = this.intExpr(cols, depth - 1);
    const y = this.intExpr(cols, depth - 1);
    switch (this.int(11)) {
      case 0:
      case 1:
        return { sql: `(${x.sql} + ${y.sql})`, max: x.max + y.max };
      case 2:
      case 3:
        return { sql: `(${x.sql} - ${y.sql})`, max: x.max + y.max };
      case 4:
      case 5:
        if (x.max * y.max < INT_LIMIT / 4) return { sql: `(${x.sql} * ${y.sql})`, max: x.max * y.max };
        return { sql: `(${x.sql} + ${y.sql})`, max: x.max + y.max };
      case 6:
        return { sql: `(${x.sql} / NULLIF(${y.sql}, 0))`, max: x.max };
      case 7:
        return { sql: `(${x.sql} % NULLIF(${y.sql}, 0))`, max: x.max };
      case 8:
        return this.rnd() < 0.5 ? { sql: `abs(${x.sql})`, max: x.max } : { sql: `(- ${x.sql})`, max: x.max };
      case 9: {
        const c = this.boolExpr(cols, depth - 1);
        return { sql: `CASE WHEN ${c} THEN ${x.sql} ELSE ${y.sql} END`, max: Math.max(x.max, y.max) };
      }
      default: {
        const f = this.pick(['COALESCE', 'GREATEST', 'LEAST', 'NULLIF']);
        return { sql: `${f}(${x.sql}, ${y.sql})`, max: Math.max(x.max, y.max) };
      }
    }
  }

  boolExpr(cols: Record<string, number>, depth: number): string {
    const k = depth <= 0 ? this.int(6) : this.int(10);
    const x = () => this.intExpr(cols, Math.min(depth, 1)).sql;
    const c = () => String(this.int(21) - 10);
    switch (k) {
      case 0:
      case 1:
        return `${x()} ${this.pick(['=', '<>', '<', '<=', '>', '>='])} ${x()}`;
      case 2:
        return `${x()} IS ${this.pick(['', 'NOT '])}NULL`;
      case 3: {
        const lo = this.int(21) - 10;
        return `${x()} ${this.pick(['', 'NOT '])}BETWEEN ${lo} AND ${lo + this.int(12)}`;
      }
      case 4:
        return `${x()} ${this.pick(['', 'NOT '])}IN (${c()}, ${c()}, ${c()})`;
      case 5:
        return `${x()} IS ${this.pick(['', 'NOT '])}DISTINCT FROM ${x()}`;
      case 6:
        return `NOT (${this.boolExpr(cols, depth - 1)})`;
      case 7:
        return `(${this.boolExpr(cols, depth - 1)}) IS ${this.pick(['TRUE', 'NOT TRUE', 'FALSE', 'UNKNOWN'])}`;
      default:
        return `(${this.boolExpr(cols, depth - 1)} ${this.pick(['AND', 'OR'])} ${this.boolExpr(cols, depth - 1)})`;
    }
  }

  /** A numeric expression mixing integers and numerics (|d| < 100). */
  numExpr(depth: number): string {
    if (depth <= 0 || this.rnd() < 0.25)
      return this.pick(['d', 'a', '1.5', '0.25', '(-2.75)', '10', 'd', '(a * 0.01)']);
    const x = this.numExpr(depth - 1);
    const y = this.numExpr(depth - 1);
    switch (this.int(6)) {
      case 0:
        return `(${x} + ${y})`;
      case 1:
        return `(${x} - ${y})`;
      case 2:
        return `(${x} * ${y})`;
      case 3:
        return `round(${x} / NULLIF(${y}, 0), ${this.int(5)})`;
      case 4:
        return `COALESCE(${x}, ${y})`;
      default:
        return `CASE WHEN ${x} > ${y} THEN ${x} ELSE ${y} END`;
    }
  }

  /** A double precision expression mixing floats, integers and numerics. */
  floatExpr(depth: number): string {
    if (depth <= 0 || this.rnd() < 0.25)
      return this.pick(['f', 'k', 'id', '0.5::float8', '3::float8', 'f', '(-1.25)::float8', '2.5::real']);
    const x = this.floatExpr(depth - 1);
    const y = this.floatExpr(depth - 1);
    switch (this.int(6)) {
      case 0:
        return `(${x} + ${y})`;
      case 1:
        return `(${x} - ${y})`;
      case 2:
        return `(${x} * ${y})`;
      case 3:
        return `(${x} / NULLIF(${y}, 0))`;
      case 4:
        return `(${x} * 1.5)`;
      default:
        return `GREATEST(${x}, ${y})`;
    }
  }
}

const T1_COLS = { a: 104, b: 6 };

/** The generated queries as a corpus file (setup: the shared tables). */
export function generatedCorpus(seed = 20240611, count = 160): CorpusFile {
  const g = new Gen(prng(seed));
  const file = 'generated';
  const statements: Statement[] = parseCorpusFile(join(CORPUS_DIR, '_setup.sql'), [], 'setup');
  const sqls: string[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 8;
    if (kind <= 2) {
      const e1 = g.intExpr(T1_COLS, 3);
      const e2 = g.intExpr(T1_COLS, 2);
      sqls.push(`SELECT a, b, ${e1.sql} AS x, ${e2.sql} AS y FROM t1`);
    } else if (kind <= 4) {
      sqls.push(`SELECT a, b FROM t1 WHERE ${g.boolExpr(T1_COLS, 2)}`);
    } else if (kind === 5) {
      sqls.push(`SELECT a, ${g.numExpr(2)} AS x FROM t2`);
    } else if (kind === 6) {
      sqls.push(`SELECT id, ${g.floatExpr(2)} AS x FROM t3`);
    } else {
      const e = g.intExpr(T1_COLS, 2);
      const agg = g.pick(['sum', 'min', 'max', 'count', 'avg']);
      const by = g.pick(['b', 'a % 4', 'c IS NULL']);
      sqls.push(`SELECT ${by} AS k, ${agg}(${e.sql}) AS v, count(*) AS n FROM t1 GROUP BY ${by}`);
    }
  }
  sqls.forEach((sql, i) => statements.push({ sql, file, line: i + 1, section: 'queries' }));
  return { name: file, statements };
}
