/**
 * Random schemas and data: 2-5 tables under every distribution policy (hash on one or two
 * columns, random, replicated), heap or append-optimized, with NULLs, duplicates, skew (most
 * rows on one key), empty tables, and in "edge" cases the values at the ends of each type
 * (infinity and extreme dates, NaN, huge numerics, non-ASCII text, empty strings).
 *
 * Values in one column share a textual form for equal values (a fixed numeric scale, no -0),
 * so which row of a group a database shows never makes two correct answers differ.
 */
import type { ColSpec, PolicySpec, TableSpec, Ty } from './ast.ts';
import type { Rng } from './random.ts';

/** A value domain: literals of one type, small (to make joins match) plus edge values. */
const SMALL: Record<Ty, readonly string[]> = {
  int4: ['0', '1', '2', '3', '4', '5', '7', '10', '(-1)', '(-3)', '12'],
  int8: ['0', '1', '2', '3', '5', '8', '(-2)', '100', '4294967296'],
  numeric: ['0.00', '1.00', '1.50', '2.25', '(-0.75)', '3.00', '10.10', '(-2.00)', '0.01'],
  float8: ["'0.5'", "'1'", "'-1.25'", "'2.75'", "'3'", "'0'", "'10.5'", "'-4'"],
  text: ["'a'", "'b'", "'ab'", "'B'", "''", "'a b'", "'ba'", "'abc'", "'A'", "'1'"],
  date: [
    "'2024-01-01'",
    "'2024-01-02'",
    "'2024-02-29'",
    "'2023-12-31'",
    "'2024-03-15'",
    "'2000-01-01'",
    "'1999-12-31'",
  ],
  timestamp: [
    "'2024-01-01 00:00:00'",
    "'2024-01-01 10:30:00'",
    "'2024-02-29 23:59:59.5'",
    "'2023-12-31 12:00:00'",
    "'2000-01-01 00:00:00'",
  ],
  bool: ['true', 'false'],
};

const EDGE: Record<Ty, readonly string[]> = {
  int4: ['2147483647', '(-2147483648)', '1000000'],
  int8: ['9223372036854775807', '(-9223372036854775808)', '(-4294967296)'],
  numeric: ['99999999.99', '(-99999999.99)', "'NaN'"],
  float8: ["'Infinity'", "'-Infinity'", "'NaN'", "'1e300'", "'-1e-300'"],
  text: ["'é'", "'Ω'", "'日本'", "'😀'", "'x''y'", "'  '", "'Zz'", "'ﬁ'", "'ａ'"],
  date: ["'infinity'", "'-infinity'", "'4713-01-01 BC'", "'5874897-12-31'", "'0001-01-01'"],
  timestamp: [
    "'infinity'",
    "'-infinity'",
    // Whole days at the far end: timestamps are float64 microseconds here, exact to the
    // microsecond only within about 285 years of 2000 (see the report of issue 18).
    "'294276-12-31 00:00:00'",
    "'4713-01-01 00:00:00 BC'",
    "'1970-01-01 00:00:00.000001'",
  ],
  bool: [],
};

/** Unconstrained numeric: a scale of 1 everywhere, huge values included. */
const NUMERIC_FREE_SMALL = ['0.0', '1.0', '1.5', '(-2.5)', '7.5', '100.0', '(-0.5)'];
const NUMERIC_FREE_EDGE = ["'NaN'", '123456789012345678901234567890.5', '(-0.1)', '1e20'];

const DDL: Record<Ty, readonly string[]> = {
  int4: ['int'],
  int8: ['bigint'],
  numeric: ['numeric(12,2)', 'numeric'],
  float8: ['double precision'],
  text: ['text', 'varchar(12)'],
  date: ['date'],
  timestamp: ['timestamp'],
  bool: ['boolean'],
};

/** Types a distribution key may have (the list). */
export const KEY_TYPES: readonly Ty[] = ['int4', 'int8', 'text', 'numeric', 'date'];

export interface SchemaOptions {
  /** Use the edge values of each type. */
  edge: boolean;
}

/** A literal of the column's type (NULL sometimes). */
export function literalFor(rng: Rng, col: ColSpec, edge: boolean, nullRate = 0.15): string {
  if (rng.chance(nullRate)) return 'NULL';
  return valueFor(rng, col.ty, edge, col.ddl === 'numeric');
}

export function valueFor(rng: Rng, ty: Ty, edge: boolean, freeNumeric = false): string {
  const small = freeNumeric ? NUMERIC_FREE_SMALL : SMALL[ty];
  const edges = freeNumeric ? NUMERIC_FREE_EDGE : EDGE[ty];
  if (edge && edges.length && rng.chance(0.2)) return rng.pick(edges);
  return rng.pick(small);
}

export function genSchema(rng: Rng, opts: SchemaOptions): TableSpec[] {
  const n = rng.range(2, 5);
  const tables: TableSpec[] = [];
  for (let i = 0; i < n; i++) tables.push(genTable(rng, `t${i}`, opts));
  return tables;
}

function genTable(rng: Rng, name: string, opts: SchemaOptions): TableSpec {
  const ncols = rng.range(2, 5);
  const cols: ColSpec[] = [];
  // A common join type first, so tables share joinable columns.
  const first = rng.weighted<Ty>([
    [5, 'int4'],
    [2, 'int8'],
    [2, 'text'],
    [1, 'numeric'],
    [1, 'date'],
  ]);
  for (let c = 0; c < ncols; c++) {
    const ty =
      c === 0
        ? first
        : rng.weighted<Ty>([
            [4, 'int4'],
            [1, 'int8'],
            [2, 'text'],
            [2, 'numeric'],
            [1, 'float8'],
            [1, 'date'],
            [1, 'timestamp'],
            [1, 'bool'],
          ]);
    cols.push({ name: `c${c}`, ty, ddl: rng.pick(DDL[ty]) });
  }
  const keyable = cols.filter((c) => KEY_TYPES.includes(c.ty));
  const policy: PolicySpec = rng.weighted<PolicySpec>([
    [keyable.length ? 6 : 0, { k: 'hash', cols: rng.some(keyable, 1, 2).map((c) => c.name) }],
    [2, { k: 'random' }],
    [2, { k: 'replicated' }],
  ]);
  const rowCount = rng.weighted<number>([
    [1, 0],
    [2, rng.range(1, 4)],
    [6, rng.range(5, 25)],
    [1, rng.range(40, 80)],
  ]);
  const skewed = rng.chance(0.2);
  const skewValue = cols.map((c) => literalFor(rng, c, opts.edge, 0));
  const rows: string[][] = [];
  for (let r = 0; r < rowCount; r++) {
    if (skewed && rng.chance(0.7))
      rows.push(cols.map((c, i) => (i === 0 ? skewValue[0]! : literalFor(rng, c, opts.edge))));
    else if (rows.length && rng.chance(0.1)) rows.push([...rows[rng.int(rows.length)]!]);
    else rows.push(cols.map((c) => literalFor(rng, c, opts.edge)));
  }
  return { name, cols, policy, ao: rng.chance(0.3), rows };
}
