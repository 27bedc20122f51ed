/**
 * Comparing outcomes of PostgreSQL and our cluster: Greenplum-only clauses stripped for
 * PostgreSQL, values in PostgreSQL's text form, rows as multisets or in order as far as the
 * ORDER BY determines it, errors by SQLSTATE. Pure (no Node APIs), so the fuzzer's oracles that
 * need no PostgreSQL run in a browser too. See harness.ts for the corpus rules it serves.
 */
import type { PgOutcome } from './pg-server.ts';
import { canonicalType, isFloatType, toPgText } from './pg-text.ts';

export interface Statement {
  /** The SQL as written in the corpus (Greenplum clauses included), without the final `;`. */
  sql: string;
  file: string;
  line: number;
  section: 'setup' | 'queries';
  /** SQLSTATE the statement is expected to fail with (`-- error XXXXX`). */
  error?: string;
  /** Override of the inferred ordering mode. */
  order?: 'ordered' | 'unordered';
}

// ---------------------------------------------------------------------------------------------
// Greenplum → PostgreSQL

const STORAGE_OPTS = 'appendoptimized|appendonly|orientation|compresstype|compresslevel|blocksize|checksum';

/** Removes the Greenplum-only clauses PostgreSQL does not accept. */
export function stripGreenplum(sql: string): string {
  return sql
    .replace(/\s*\bDISTRIBUTED\s+(?:BY\s*\([^)]*\)|RANDOMLY|REPLICATED)/gi, '')
    .replace(new RegExp(`\\s*\\bWITH\\s*\\(\\s*(?:${STORAGE_OPTS})\\b[^)]*\\)`, 'gi'), '');
}

// ---------------------------------------------------------------------------------------------
// A tiny SQL tokenizer, enough to find top-level clauses

interface Token {
  text: string;
  /** Lower-cased words; other tokens as written. */
  norm: string;
  kind: 'word' | 'number' | 'string' | 'quoted' | 'punct';
  depth: number;
}

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let depth = 0;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
      continue;
    }
    if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      continue;
    }
    let j = i + 1;
    let kind: Token['kind'];
    if (ch === "'" || ch === '"') {
      for (;;) {
        if (j >= sql.length) break;
        if (sql[j] === ch) {
          if (sql[j + 1] === ch) j += 2;
          else {
            j++;
            break;
          }
        } else j++;
      }
      kind = ch === "'" ? 'string' : 'quoted';
    } else if (/[A-Za-z_]/.test(ch)) {
      while (j < sql.length && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      kind = 'word';
    } else if (/[0-9.]/.test(ch) && /[0-9]/.test(sql[ch === '.' ? i + 1 : i] ?? '')) {
      while (j < sql.length && /[0-9.eE]/.test(sql[j]!)) j++;
      kind = 'number';
    } else {
      if (ch === ')') depth--;
      const two = sql.slice(i, i + 2);
      if (['::', '<=', '>=', '<>', '!=', '||'].includes(two)) j = i + 2;
      kind = 'punct';
    }
    const text = sql.slice(i, j);
    out.push({ text, norm: kind === 'word' ? text.toLowerCase() : text, kind, depth });
    if (ch === '(') depth++;
    i = j;
  }
  return out;
}

const norm = (toks: Token[]) =>
  toks.map((t) => (t.kind === 'quoted' ? t.text.slice(1, -1).replace(/""/g, '"') : t.norm)).join(' ');

function splitTopLevel(toks: Token[], depth: number): Token[][] {
  const parts: Token[][] = [[]];
  for (const t of toks) {
    if (t.depth === depth && t.text === ',') parts.push([]);
    else parts[parts.length - 1]!.push(t);
  }
  return parts.filter((p) => p.length);
}

export interface OrderInfo {
  /** Output column of each ORDER BY key; null when a key is not an output column. */
  keyColumns: number[] | null;
  hasLimit: boolean;
  hasOffset: boolean;
}

const CLAUSE_END = new Set(['limit', 'offset', 'fetch', 'for']);

/** The top-level ORDER BY of a query mapped onto its output columns, or null if it has none. */
export function analyzeOrder(sql: string, fieldNames: string[]): OrderInfo | null {
  const toks = tokenize(sql);
  const top = (i: number) => toks[i]!.depth === 0;
  let orderAt = -1;
  for (let i = 0; i + 1 < toks.length; i++)
    if (top(i) && toks[i]!.norm === 'order' && toks[i + 1]!.norm === 'by') orderAt = i;
  if (orderAt < 0) return null;
  let end = orderAt + 2;
  while (end < toks.length && !(top(end) && CLAUSE_END.has(toks[end]!.norm))) end++;
  const tail = toks.slice(end).filter((t) => t.depth === 0);
  const hasLimit = tail.some((t) => t.norm === 'limit' || t.norm === 'fetch');
  const hasOffset = tail.some((t) => t.norm === 'offset');

  // The select list of the first top-level SELECT.
  const selAt = toks.findIndex((t) => t.depth === 0 && t.norm === 'select');
  let items: { expr: string; alias?: string }[] = [];
  if (selAt >= 0) {
    let s = selAt + 1;
    if (toks[s]?.norm === 'all') s++;
    if (toks[s]?.norm === 'distinct') {
      s++;
      if (toks[s]?.norm === 'on') {
        s++;
        while (s < toks.length && !(toks[s]!.depth === 0 && toks[s]!.text === ')')) s++;
        s++;
      }
    }
    let e = s;
    const stop = new Set([
      'from',
      'where',
      'group',
      'having',
      'order',
      'union',
      'intersect',
      'except',
      'limit',
    ]);
    while (e < toks.length && !(toks[e]!.depth === 0 && stop.has(toks[e]!.norm))) e++;
    items = splitTopLevel(toks.slice(s, e), 0).map((item) => {
      const n = item.length;
      if (n >= 3 && item[n - 2]!.norm === 'as')
        return { expr: norm(item.slice(0, n - 2)), alias: norm([item[n - 1]!]) };
      return { expr: norm(item) };
    });
  }

  // Unquoted names are folded to lower case by both the tokenizer and Postgres.
  const byName = (name: string): number => {
    const hits = fieldNames.flatMap((n, i) => (n === name ? [i] : []));
    return hits.length === 1 ? hits[0]! : -1;
  };
  const keys = splitTopLevel(toks.slice(orderAt + 2, end), 0).map((key) => {
    let k = key;
    for (;;) {
      const last = k[k.length - 1]?.norm;
      if (last === 'asc' || last === 'desc') k = k.slice(0, -1);
      else if ((last === 'first' || last === 'last') && k[k.length - 2]?.norm === 'nulls') k = k.slice(0, -2);
      else break;
    }
    if (k.length === 1 && k[0]!.kind === 'number' && /^\d+$/.test(k[0]!.text)) {
      const ord = Number(k[0]!.text) - 1;
      return ord < fieldNames.length ? ord : -1;
    }
    const text = norm(k);
    const byExpr = items.findIndex((it) => it.expr === text || it.alias === text);
    if (
      byExpr >= 0 &&
      byExpr < fieldNames.length &&
      !items.some((it) => it.expr === '*' || it.expr.endsWith('. *'))
    )
      return byExpr;
    const plain = k.every((t) => t.kind === 'word' || t.kind === 'quoted' || t.text === '.');
    if (plain) return byName(text.split(' . ').pop()!);
    return -1;
  });
  return { keyColumns: keys.every((k) => k >= 0) ? keys : null, hasLimit, hasOffset };
}

// ---------------------------------------------------------------------------------------------
// Outcomes and comparison

/** What our cluster's query() resolves to (see src/engine/index.ts). */
export interface OurResult {
  command: string;
  rowCount: number;
  fields: { name: string; type: string }[];
  rows: unknown[][];
}

export interface OurSession {
  query(sql: string): Promise<OurResult>;
  close(): Promise<void>;
}

/** Either side's outcome, values already in Postgres text form. */
export type Outcome =
  | {
      ok: true;
      command: string;
      rowCount: number | null;
      fields: { name: string; type: string }[];
      rows: Row[];
    }
  | { ok: false; code: string; message: string };

type Row = (string | null)[];

export function fromPg(r: PgOutcome): Outcome {
  if ('error' in r) return { ok: false, code: r.error.code, message: r.error.message };
  return { ok: true, command: r.command, rowCount: r.rowCount, fields: r.fields, rows: r.rows };
}

export async function runOurs(session: OurSession, sql: string): Promise<Outcome> {
  let r: OurResult;
  try {
    r = await session.query(sql);
  } catch (e) {
    const err = e as { code?: unknown; message?: string; stack?: string };
    if (typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code))
      return { ok: false, code: err.code, message: err.message ?? '' };
    return { ok: false, code: 'CRASH', message: err.stack ?? String(e) };
  }
  const fields = r.fields ?? [];
  return {
    ok: true,
    command: r.command,
    rowCount: r.rowCount,
    fields,
    rows: (r.rows ?? []).map((row) => row.map((v, i) => toPgText(v, fields[i]?.type ?? ''))),
  };
}

const firstWord = (command: string) => command.trim().split(/\s+/)[0]?.toUpperCase() ?? '';
const COUNTED = new Set(['INSERT', 'UPDATE', 'DELETE', 'SELECT', 'MERGE', 'COPY']);

/**
 * Per column, how many significant digits of a float must agree: floats summed in a different
 * order (per segment, then combined) may differ in the last bits. 0 means exact comparison.
 */
const NUMBER_TYPES = new Set(['smallint', 'integer', 'bigint', 'numeric']);

function floatDigits(type: string): number {
  if (!isFloatType(type)) return 0;
  return canonicalType(type) === 'real' ? 6 : 12;
}

/** Sort/grouping key of a value: floats rounded so last-bit differences tie. */
function keyOf(v: string | null, digits: number): string {
  if (v === null) return '\u0000NULL';
  if (digits) {
    const n = Number(v);
    if (Number.isFinite(n) && n !== 0) return Number(n.toPrecision(digits)).toString();
  }
  return v;
}

function valuesEqual(a: string | null, b: string | null, digits: number): boolean {
  if (a === b) return true;
  if (a === null || b === null || !digits) return false;
  const x = Number(a);
  const y = Number(b);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
  return Math.abs(x - y) <= 10 ** -digits * Math.max(Math.abs(x), Math.abs(y));
}

function rowsEqual(a: Row, b: Row, floats: number[]): boolean {
  return a.length === b.length && a.every((v, i) => valuesEqual(v, b[i]!, floats[i]!));
}

const rowKey = (r: Row, floats: number[]) => JSON.stringify(r.map((v, i) => keyOf(v, floats[i]!)));
const fmtRow = (r: Row | undefined) =>
  r === undefined ? '(none)' : `(${r.map((v) => (v === null ? 'NULL' : JSON.stringify(v))).join(', ')})`;

/** Compares two row lists as multisets; returns a description of the first difference. */
function multisetDiff(pg: Row[], ours: Row[], floats: number[]): string | null {
  const sortRows = (rows: Row[]) =>
    rows.map((r) => ({ r, k: rowKey(r, floats) })).sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : 0));
  const a = sortRows(pg);
  const b = sortRows(ours);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] && b[i] && rowsEqual(a[i]!.r, b[i]!.r, floats)) continue;
    const pgSet = new Set(a.map((x) => x.k));
    const ourSet = new Set(b.map((x) => x.k));
    const missing = a.filter((x) => !ourSet.has(x.k)).slice(0, 5);
    const extra = b.filter((x) => !pgSet.has(x.k)).slice(0, 5);
    return (
      `rows differ (as multisets; ${a.length} vs ${b.length} rows); first differing sorted row #${i}: ` +
      `pg ${fmtRow(a[i]?.r)} vs ours ${fmtRow(b[i]?.r)}` +
      (missing.length ? `\n  only in pg:   ${missing.map((x) => fmtRow(x.r)).join(' ')}` : '') +
      (extra.length ? `\n  only in ours: ${extra.map((x) => fmtRow(x.r)).join(' ')}` : '')
    );
  }
  return null;
}

function orderedDiff(pg: Row[], ours: Row[], floats: number[]): string | null {
  for (let i = 0; i < Math.max(pg.length, ours.length); i++) {
    if (pg[i] && ours[i] && rowsEqual(pg[i]!, ours[i]!, floats)) continue;
    return `rows differ (in order; ${pg.length} vs ${ours.length} rows) at row #${i}: pg ${fmtRow(pg[i])} vs ours ${fmtRow(ours[i])}`;
  }
  return null;
}

/**
 * A value as ORDER BY compares it: numbers by value, so the ties ORDER BY leaves in any order
 * (numeric 1 and 1.0, float 0 and -0) are one key.
 */
function orderKeyOf(v: string | null, digits: number, numeric: boolean): string {
  if (v === null || !numeric) return keyOf(v, digits);
  const n = Number(v);
  if (n === 0) return '0';
  return Number.isFinite(n) && !digits ? String(n) : keyOf(v, digits);
}

function keyedDiff(
  pg: Row[],
  ours: Row[],
  floats: number[],
  numeric: boolean[],
  info: OrderInfo,
  keys: number[],
): string | null {
  if (pg.length !== ours.length) return `row counts differ: pg ${pg.length} vs ours ${ours.length}`;
  const k = (r: Row) => JSON.stringify(keys.map((c) => orderKeyOf(r[c] ?? null, floats[c]!, numeric[c]!)));
  let runStart = 0;
  const runs: [number, number][] = [];
  for (let i = 0; i < pg.length; i++) {
    const kp = k(pg[i]!);
    const ko = k(ours[i]!);
    if (kp !== ko)
      return `ORDER BY keys differ at row #${i}: pg ${fmtRow(pg[i])} vs ours ${fmtRow(ours[i])} (key columns ${keys.map((c) => c + 1).join(', ')})`;
    if (i + 1 === pg.length || k(pg[i + 1]!) !== kp) {
      runs.push([runStart, i + 1]);
      runStart = i + 1;
    }
  }
  for (let r = 0; r < runs.length; r++) {
    if (info.hasOffset && r === 0) continue;
    if (info.hasLimit && r === runs.length - 1) continue;
    const [s, e] = runs[r]!;
    const d = multisetDiff(pg.slice(s, e), ours.slice(s, e), floats);
    if (d) return `within rows #${s}..#${e - 1} (equal ORDER BY keys): ${d}`;
  }
  return null;
}

function describe(o: Outcome, max = 12): string {
  if (!o.ok) return `ERROR ${o.code}: ${o.message.split('\n')[0]}`;
  if (!o.fields.length) return `${o.command} ${o.rowCount ?? ''}`.trim();
  const head = o.fields.map((f) => `${f.name}:${f.type}`).join(' | ');
  const body = o.rows.slice(0, max).map((r) => `    ${fmtRow(r)}`);
  if (o.rows.length > max) body.push(`    ... ${o.rows.length - max} more`);
  return [`${o.rows.length} row(s): ${head}`, ...body].join('\n');
}

/** Compares outcomes; returns null when they agree, else a readable report. */
export function compareOutcomes(stmt: Statement, pg: Outcome, ours: Outcome): string | null {
  const problem = ((): string | null => {
    if (!pg.ok || !ours.ok) {
      if (!pg.ok && !ours.ok)
        return pg.code === ours.code ? null : `SQLSTATE differs: pg ${pg.code} vs ours ${ours.code}`;
      return pg.ok ? 'pg succeeded but ours failed' : 'pg failed but ours succeeded';
    }
    if (!pg.fields.length) {
      if (ours.fields.length) return `ours returned ${ours.fields.length} column(s), pg none`;
      const cp = firstWord(pg.command);
      const co = firstWord(ours.command);
      if (cp !== co) return `command tag differs: pg ${cp} vs ours ${co}`;
      if (COUNTED.has(cp) && pg.rowCount !== ours.rowCount)
        return `${cp} row count differs: pg ${pg.rowCount} vs ours ${ours.rowCount}`;
      return null;
    }
    const pn = pg.fields.map((f) => f.name);
    const on = ours.fields.map((f) => f.name);
    if (pn.join('\u0001') !== on.join('\u0001')) return `column names differ: pg [${pn}] vs ours [${on}]`;
    const pt = pg.fields.map((f) => canonicalType(f.type));
    const ot = ours.fields.map((f) => canonicalType(f.type));
    const badType = pt.findIndex((t, i) => t !== ot[i]);
    if (badType >= 0)
      return `type of column ${pn[badType]} differs: pg ${pt[badType]} vs ours ${ot[badType]}`;
    const floats = pg.fields.map((f) => floatDigits(f.type));
    const mode = stmt.order ?? (analyzeOrder(stmt.sql, pn) ? 'ordered' : 'unordered');
    if (mode === 'unordered') return multisetDiff(pg.rows, ours.rows, floats);
    const info = stmt.order === 'ordered' ? null : analyzeOrder(stmt.sql, pn);
    const numeric = pt.map((t) => NUMBER_TYPES.has(t) || isFloatType(t));
    if (info?.keyColumns) return keyedDiff(pg.rows, ours.rows, floats, numeric, info, info.keyColumns);
    return orderedDiff(pg.rows, ours.rows, floats);
  })();
  if (!problem) return null;
  return [
    `${stmt.file}:${stmt.line}: ${problem}`,
    `  query: ${stripGreenplum(stmt.sql).replace(/\n/g, '\n         ')}`,
    `  pg:   ${describe(pg).replace(/\n/g, '\n  ')}`,
    `  ours: ${describe(ours).replace(/\n/g, '\n  ')}`,
  ].join('\n');
}
