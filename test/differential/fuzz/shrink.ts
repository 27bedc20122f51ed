/**
 * Shrinking a failing case to the smallest schema, data and statement that still fail the same
 * way (same kind, still on the last statement, the reference still succeeding or failing with
 * the same SQLSTATE): drop earlier statements, tables, rows and columns, then simplify the
 * statement's syntax tree one step at a time (a clause dropped, a join replaced by one of its
 * sides, an expression replaced by an argument of its type), greedily, within a budget of runs.
 */
import type { Case, Ex, From, Query, Stmt, TableSpec } from './ast.ts';
import { renderStmt, viewOf } from './ast.ts';
import type { Failure } from './runner.ts';

export type Check = (c: Case) => Promise<Failure | undefined>;

export interface Shrunk {
  case: Case;
  failure: Failure;
  runs: number;
}

export async function shrink(c: Case, f: Failure, check: Check, budget = 400): Promise<Shrunk> {
  let cur: Case = { ...c, stmts: c.stmts.slice(0, f.stmt + 1) };
  let failure = f;
  let runs = 0;
  const same = (g: Failure | undefined, cand: Case): g is Failure =>
    !!g &&
    g.kind === f.kind &&
    g.stmt === cand.stmts.length - 1 &&
    g.phase === f.phase &&
    g.refCode === f.refCode &&
    g.stmtRefCode === f.stmtRefCode &&
    (f.stmt >= 0 || g.stmt === -1);
  for (let progress = true; progress && runs < budget;) {
    progress = false;
    for (const cand of candidates(cur)) {
      if (runs >= budget) break;
      runs++;
      const g = await check(cand).catch(() => undefined);
      if (same(g, cand)) {
        cur = cand;
        failure = g;
        progress = true;
        break;
      }
    }
  }
  return { case: cur, failure, runs };
}

/** Every one-step simplification of a case, the biggest steps first. */
function* candidates(c: Case): Generator<Case> {
  const last = c.stmts.length - 1;
  for (let i = 0; i < last; i++) yield { ...c, stmts: c.stmts.filter((_, j) => j !== i) };
  const text = c.stmts.map(renderStmt).join('\n');
  for (const t of c.tables)
    if (c.tables.length > 1 || !new RegExp(`\\b${t.name}\\b`).test(text))
      yield { ...c, tables: c.tables.filter((x) => x !== t) };
  for (const t of c.tables) yield* rowCandidates(c, t);
  for (const t of c.tables)
    for (let k = 0; k < t.cols.length; k++) {
      const smaller = dropColumn(t, k);
      if (smaller) yield withTable(c, t, smaller);
    }
  if (c.seqscanOff) yield { ...c, seqscanOff: false };
  for (const t of c.tables) {
    if (t.indexes?.length) yield withTable(c, t, { ...t, indexes: [] });
    if (t.view && !new RegExp(`\\b${viewOf(t.name)}\\b`).test(text))
      yield withTable(c, t, { ...t, view: false });
    if (t.ao) yield withTable(c, t, { ...t, ao: false, indexes: [] });
    if (t.temp) yield withTable(c, t, { ...t, temp: false });
    if (t.policy.k === 'hash' && t.policy.cols.length > 1)
      for (const col of t.policy.cols) yield withTable(c, t, { ...t, policy: { k: 'hash', cols: [col] } });
  }
  if (last >= 0)
    for (const s of stmtVariants(c.stmts[last]!)) yield { ...c, stmts: [...c.stmts.slice(0, last), s] };
}

function withTable(c: Case, old: TableSpec, t: TableSpec): Case {
  return { ...c, tables: c.tables.map((x) => (x === old ? t : x)) };
}

function* rowCandidates(c: Case, t: TableSpec): Generator<Case> {
  const n = t.rows.length;
  if (!n) return;
  yield withTable(c, t, { ...t, rows: [] });
  if (n > 1) {
    yield withTable(c, t, { ...t, rows: t.rows.slice(0, n >> 1) });
    yield withTable(c, t, { ...t, rows: t.rows.slice(n >> 1) });
  }
  if (n <= 24)
    for (let i = 0; i < n; i++) yield withTable(c, t, { ...t, rows: t.rows.filter((_, j) => j !== i) });
  // Simpler values: NULLs out.
  for (let i = 0; i < Math.min(n, 24); i++)
    for (let k = 0; k < t.cols.length; k++)
      if (t.rows[i]![k] !== 'NULL') {
        const rows = t.rows.map((r, j) => (j === i ? r.map((v, m) => (m === k ? 'NULL' : v)) : r));
        yield withTable(c, t, { ...t, rows });
      }
}

function dropColumn(t: TableSpec, k: number): TableSpec | undefined {
  if (t.cols.length <= 1) return undefined;
  const name = t.cols[k]!.name;
  let policy = t.policy;
  if (policy.k === 'hash') {
    const cols = policy.cols.filter((c) => c !== name);
    if (!cols.length) return undefined;
    policy = { k: 'hash', cols };
  }
  const indexes = t.indexes?.filter((ix) => !ix.cols.includes(name));
  return {
    ...t,
    cols: t.cols.filter((_, i) => i !== k),
    rows: t.rows.map((r) => r.filter((_, i) => i !== k)),
    policy,
    ...(indexes ? { indexes } : {}),
  };
}

const replaceAt = <T>(xs: T[], i: number, x: T): T[] => xs.map((y, j) => (j === i ? x : y));

function* exVariants(e: Ex): Generator<Ex> {
  for (const a of e.a) if (a.ty === e.ty && !a.agg) yield a;
  for (let i = 0; i < e.a.length; i++)
    for (const v of exVariants(e.a[i]!)) yield { ...e, a: replaceAt(e.a, i, v) };
  if (e.q) for (const q of queryVariants(e.q)) yield { ...e, q };
}

function* fromVariants(f: From): Generator<From> {
  if (f.k === 'join') {
    yield f.l;
    yield f.r;
    if (f.type !== 'inner' && f.type !== 'cross') yield { ...f, type: 'inner' };
    for (const l of fromVariants(f.l)) yield { ...f, l };
    for (const r of fromVariants(f.r)) yield { ...f, r };
    if (f.on) for (const on of exVariants(f.on)) yield { ...f, on };
  } else if (f.k === 'sub') for (const q of queryVariants(f.q)) yield { ...f, q };
}

function* queryVariants(q: Query): Generator<Query> {
  if (q.k === 'setop') {
    yield q.l;
    yield q.r;
    if (q.order.length) yield { ...q, order: [], limit: undefined, offset: undefined };
    if (q.offset !== undefined) yield { ...q, offset: undefined };
    if (q.all) yield { ...q, all: false };
    for (const l of queryVariants(q.l)) yield { ...q, l };
    for (const r of queryVariants(q.r)) yield { ...q, r };
    return;
  }
  if (q.where) yield { ...q, where: undefined };
  if (q.having) yield { ...q, having: undefined };
  if (q.order.length) yield { ...q, order: [], limit: undefined, offset: undefined };
  if (q.limit !== undefined) yield { ...q, limit: undefined };
  if (q.offset !== undefined) yield { ...q, offset: undefined };
  if (q.distinct) yield { ...q, distinct: false };
  if (q.group.length) yield { ...q, group: [] };
  for (let i = 0; i < q.group.length && q.group.length > 1; i++)
    yield { ...q, group: q.group.filter((_, j) => j !== i) };
  for (let i = 0; i < q.items.length && q.items.length > 1; i++) {
    const order = q.order.filter((o) => o.n !== i + 1).map((o) => (o.n > i + 1 ? { ...o, n: o.n - 1 } : o));
    yield { ...q, items: q.items.filter((_, j) => j !== i), order };
  }
  for (let i = 0; i < q.from.length && q.from.length > 1; i++)
    yield { ...q, from: q.from.filter((_, j) => j !== i) };
  for (let i = 0; i < q.from.length; i++)
    for (const f of fromVariants(q.from[i]!)) yield { ...q, from: replaceAt(q.from, i, f) };
  if (q.where) for (const where of exVariants(q.where)) yield { ...q, where };
  if (q.having) for (const having of exVariants(q.having)) yield { ...q, having };
  for (let i = 0; i < q.items.length; i++)
    for (const e of exVariants(q.items[i]!.e))
      yield { ...q, items: replaceAt(q.items, i, { ...q.items[i]!, e }) };
  for (let i = 0; i < q.group.length; i++)
    for (const g of exVariants(q.group[i]!)) yield { ...q, group: replaceAt(q.group, i, g) };
}

function* stmtVariants(s: Stmt): Generator<Stmt> {
  switch (s.k) {
    case 'query':
      if (s.lock) yield { k: 'query', q: s.q };
      for (const q of queryVariants(s.q)) yield { ...s, q };
      return;
    case 'insert':
      for (const q of queryVariants(s.q)) yield { ...s, q };
      return;
    case 'update':
      if (s.from.length) yield { ...s, from: [] };
      if (s.where) yield { ...s, where: undefined };
      for (let i = 0; i < s.sets.length && s.sets.length > 1; i++)
        yield { ...s, sets: s.sets.filter((_, j) => j !== i) };
      if (s.where) for (const where of exVariants(s.where)) yield { ...s, where };
      for (let i = 0; i < s.sets.length; i++)
        for (const e of exVariants(s.sets[i]!.e))
          yield { ...s, sets: replaceAt(s.sets, i, { ...s.sets[i]!, e }) };
      return;
    case 'delete':
      if (s.using.length) yield { ...s, using: [] };
      if (s.where) yield { ...s, where: undefined };
      if (s.where) for (const where of exVariants(s.where)) yield { ...s, where };
      return;
    case 'savepoint':
      yield s.kept;
      yield s.undone;
      for (const v of stmtVariants(s.undone)) yield { ...s, undone: v as typeof s.undone };
      for (const v of stmtVariants(s.kept)) yield { ...s, kept: v as typeof s.kept };
      return;
    case 'raw':
      return;
  }
}
