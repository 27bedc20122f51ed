/**
 * The executor: runs a plan (one slice of it) as a pipeline of async generators passing row
 * batches. Motion nodes met inside a slice are receive points: their rows were delivered
 * before the slice started (see server/dispatcher.ts).
 */
import { sqlError } from '../errors.ts';
import { compileExpr, compilePredicate, type CompiledExpr } from '../sql/eval.ts';
import { rowCodec } from '../sql/tuple-codec.ts';
import { compareValues, type SqlType, type Value } from '../sql/types.ts';
import { distinctKey } from '../sql/aggregates.ts';
import type { PlanNode, SortKey } from '../plan/plan.ts';
import { execAgg } from './agg.ts';
import { BATCH, type ExecContext, type Row } from './context.ts';
import { execHashJoin, execNestLoop } from './join.ts';
import { batchBytes, type Interrupts } from './interrupts.ts';
import { compareKey, sortByKeys, sortInSlices } from './sort.ts';
import { execWindow } from './window.ts';
import type { BtreeIndex } from '../access/btree.ts';
import type { Tid } from '../storage/page.ts';

export type RowStream = AsyncGenerator<Row[], void, undefined>;

export function exec(node: PlanNode, ctx: ExecContext): RowStream {
  const stream = execNode(node, ctx);
  return ctx.analyze ? ctx.analyze.instrument(node, stream) : stream;
}

function execNode(node: PlanNode, ctx: ExecContext): RowStream {
  switch (node.op) {
    case 'scan':
      return execScan(node, ctx);
    case 'values':
      return execValues(node, ctx);
    case 'result':
      return execResult(node, ctx);
    case 'generateSeries':
      return execSeries(node, ctx);
    case 'systemScan':
      return execSystem(node, ctx);
    case 'filter':
      return execFilter(node, ctx);
    case 'project':
      return execProject(node, ctx);
    case 'hashJoin':
      return holding(ctx, execHashJoin(node, ctx, exec));
    case 'nestLoop':
      return holding(ctx, execNestLoop(node, ctx, exec));
    case 'agg':
      return holding(ctx, execAgg(node, ctx, exec));
    case 'sort':
      return holding(ctx, execSort(node, ctx));
    case 'limit':
      return execLimit(node, ctx);
    case 'distinct':
      return holding(ctx, execDistinct(node, ctx));
    case 'setop':
      return holding(ctx, execSetOp(node, ctx));
    case 'append':
      return execAppend(node, ctx);
    case 'motion':
      return execReceive(node, ctx);
    case 'window':
      return holding(ctx, execWindow(node, ctx, exec));
  }
}

/**
 * An operator that holds rows (a hash table, sort input, groups): what it reserved against
 * statement_mem is released when it is done, so later operators of the statement may use it.
 */
async function* holding(ctx: ExecContext, stream: RowStream): RowStream {
  const before = ctx.interrupts.held;
  try {
    yield* stream;
  } finally {
    ctx.interrupts.release(ctx.interrupts.held - before);
  }
}

/**
 * Runs a plan to completion. With `interrupts`, the rows kept count against the statement's
 * memory (they stay held until the statement ends: results, rows to send on).
 */
export async function collect(stream: RowStream, interrupts?: Interrupts, what = 'a result'): Promise<Row[]> {
  const out: Row[] = [];
  for await (const b of stream) {
    interrupts?.reserve(batchBytes(b), what);
    for (const r of b) out.push(r);
  }
  return out;
}

async function* execScan(n: Extract<PlanNode, { op: 'scan' }>, ctx: ExecContext): RowStream {
  const inst = ctx.instance;
  if (!inst || !ctx.snapshot) throw new Error('scan outside a segment');
  const t = n.table;
  const types = t.columns.map((c) => c.type);
  const codec = rowCodec(types);
  const pred = n.filter ? compilePredicate(n.filter) : undefined;
  const width = types.length;
  // Only the columns the nodes above use (all when every one is used, or not known); the
  // system columns ctid and gp_segment_id are NULL when unused (a ctid is a string per row),
  // but keep their places: a join finds its right side's columns after them.
  const wanted = ctx.wants?.get(n);
  const cols = wanted?.slice(0, width);
  const want = cols && !cols.every(Boolean) ? cols : undefined;
  const withCtid = n.withCtid && wanted?.[width] !== false;
  const withSegmentId = n.withSegmentId && wanted?.[width + 1] !== false;
  if (n.index) {
    // An Index Scan: the rows the index's key range points at, in index order, each checked
    // for visibility in the heap and against the whole filter.
    const ix = n.index;
    const heap = inst.heap(t.relfilenode);
    const bt = inst.btree(
      ix.index.relfilenode,
      ix.index.name,
      ix.index.columns.map((c) => types[c]!),
      compareValues,
    );
    for await (const tids of indexRanges(bt, ix)) {
      await ctx.interrupts.check();
      const out: Row[] = [];
      for (const tid of tids) {
        const data = await heap.fetch(tid, ctx.snapshot);
        if (!data) continue;
        const row = codec.decode(data, n.types.length);
        if (n.withCtid) row[width] = withCtid ? `(${tid.block},${tid.offset})` : null;
        if (n.withSegmentId) row[width + 1] = withSegmentId ? ctx.content : null;
        if (!pred || pred(row, ctx.eval)) out.push(row);
      }
      if (out.length) yield out;
    }
  } else if (t.storage === 'heap') {
    // Rows are decoded and filtered on their pinned page (the filter is synchronous).
    // No column read, no filter (count(*)): one row of NULLs stands for every row (operators
    // never change their input rows).
    const blank = want && !want.some(Boolean) && !pred && !withCtid && !withSegmentId;
    const rowWidth = n.types.length;
    const shared: Row = new Array<Value>(rowWidth).fill(null);
    const rows = inst.heap(t.relfilenode).scanInPlace(ctx.snapshot, BATCH, (page, at, block, offset) => {
      if (blank) return shared;
      const row = codec.decodeAt(page, at, want, rowWidth);
      if (n.withCtid) row[width] = withCtid ? `(${block},${offset})` : null;
      if (n.withSegmentId) row[width + 1] = withSegmentId ? ctx.content : null;
      return !pred || pred(row, ctx.eval) ? row : undefined;
    });
    for await (const out of rows) {
      if (out.length) yield out;
      await ctx.interrupts.check();
    }
  } else {
    if (ctx.tx) inst.appendOptimized(t.relfilenode).flush(ctx.tx);
    for await (const b of inst.appendOptimized(t.relfilenode).scanPositions(ctx.snapshot)) {
      await ctx.interrupts.check();
      const out: Row[] = [];
      for (const r of b.rows) {
        const row = want
          ? codec.decodeWanted(r.data, want, n.types.length)
          : codec.decode(r.data, n.types.length);
        if (n.withCtid) row[width] = withCtid ? `(${b.block},${r.index})` : null;
        if (n.withSegmentId) row[width + 1] = withSegmentId ? ctx.content : null;
        if (!pred || pred(row, ctx.eval)) out.push(row);
      }
      if (out.length) yield out;
    }
  }
}

/** The heap tids an index scan reads: its range, or one equality per IN-list value, in index order. */
async function* indexRanges(
  bt: BtreeIndex,
  ix: NonNullable<Extract<PlanNode, { op: 'scan' }>['index']>,
): AsyncGenerator<Tid[]> {
  if (!ix.anyOf) {
    yield* bt.scan({ ...(ix.lower ? { lower: ix.lower } : {}), ...(ix.upper ? { upper: ix.upper } : {}) });
    return;
  }
  const prefix = ix.lower?.key ?? [];
  const type = bt.types[prefix.length]!;
  const values = [...ix.anyOf].sort((a, b) => compareValues(a, b, type));
  for (let i = 0; i < values.length; i++) {
    if (i > 0 && compareValues(values[i - 1]!, values[i]!, type) === 0) continue;
    const key = [...prefix, values[i]!];
    yield* bt.scan({ lower: { key, inclusive: true }, upper: { key, inclusive: true } });
  }
}

async function* execValues(n: Extract<PlanNode, { op: 'values' }>, ctx: ExecContext): RowStream {
  const rows = n.rows.map((r) => r.map((e) => compileExpr(e)(EMPTY, ctx.eval)));
  for (let i = 0; i < rows.length; i += BATCH) {
    await ctx.interrupts.check();
    yield rows.slice(i, i + BATCH);
  }
}

async function* execResult(n: Extract<PlanNode, { op: 'result' }>, ctx: ExecContext): RowStream {
  yield [n.exprs.map((e) => compileExpr(e)(EMPTY, ctx.eval))];
}

const EMPTY: Row = [];

async function* execSeries(n: Extract<PlanNode, { op: 'generateSeries' }>, ctx: ExecContext): RowStream {
  const [a, b, c] = n.args.map((e) => compileExpr(e)(EMPTY, ctx.eval));
  if (a === null || b === null || c === null) return;
  const big = typeof a === 'bigint' || n.types[0]!.name === 'int8';
  if (n.types[0]!.name === 'numeric')
    throw sqlError('feature_not_supported', 'generate_series(numeric) is not supported');
  if (big) {
    const start = BigInt(a as number | bigint);
    const stop = BigInt(b as number | bigint);
    const step = c === undefined ? 1n : BigInt(c as number | bigint);
    if (step === 0n) throw sqlError('invalid_parameter_value', 'step size cannot equal zero');
    let batch: Row[] = [];
    for (let v = start; step > 0n ? v <= stop : v >= stop; v += step) {
      batch.push([v]);
      if (batch.length === BATCH) {
        await ctx.interrupts.check();
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
    return;
  }
  const start = a as number;
  const stop = b as number;
  const step = c === undefined ? 1 : (c as number);
  if (step === 0) throw sqlError('invalid_parameter_value', 'step size cannot equal zero');
  let batch: Row[] = [];
  for (let v = start; step > 0 ? v <= stop : v >= stop; v += step) {
    batch.push([v]);
    if (batch.length === BATCH) {
      await ctx.interrupts.check();
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

async function* execSystem(n: Extract<PlanNode, { op: 'systemScan' }>, ctx: ExecContext): RowStream {
  if (!ctx.systemRows) throw new Error(`system relation ${n.name} read off the coordinator`);
  const rows = await ctx.systemRows(n.name);
  for (let i = 0; i < rows.length; i += BATCH) {
    await ctx.interrupts.check();
    yield rows.slice(i, i + BATCH);
  }
}

async function* execFilter(n: Extract<PlanNode, { op: 'filter' }>, ctx: ExecContext): RowStream {
  const pred = compilePredicate(n.cond);
  for await (const b of exec(n.input, ctx)) {
    const out = b.filter((r) => pred(r, ctx.eval));
    if (out.length) yield out;
  }
}

async function* execProject(n: Extract<PlanNode, { op: 'project' }>, ctx: ExecContext): RowStream {
  // An output nothing above uses is NULL, not computed (exec/columns-used.ts).
  const wanted = ctx.wants?.get(n);
  const fns = n.exprs.map((e, i) => (wanted && !wanted[i] ? undefined : compileExpr(e)));
  for await (const b of exec(n.input, ctx)) yield b.map((r) => fns.map((f) => (f ? f(r, ctx.eval) : null)));
}

/** Compares rows by sort keys, each evaluated on the rows. */
export function rowComparator(keys: SortKey[]): (a: Row, b: Row, ctx: ExecContext) => number {
  const fns: CompiledExpr[] = keys.map((k) => compileExpr(k.expr));
  return (a, b, ctx) => {
    for (let i = 0; i < keys.length; i++) {
      const c = compareKey(fns[i]!(a, ctx.eval), fns[i]!(b, ctx.eval), keys[i]!);
      if (c !== 0) return c;
    }
    return 0;
  };
}

/**
 * Sort. With a `bound` (a LIMIT above it: LIMIT + OFFSET rows are all that is read), it is a
 * top-N sort as Postgres' bounded heapsort: past twice the bound the rows are sorted and cut to
 * the bound, so memory stays proportional to the bound, not to the input. The stable sort keeps
 * earlier rows first among ties, so the rows kept are the ones a full sort would put first.
 */
async function* execSort(
  n: Extract<PlanNode, { op: 'sort' }>,
  ctx: ExecContext,
  bound = Infinity,
): RowStream {
  // Keys are computed once per row: sorting evaluates the comparator n log n times, and it
  // compares the computed keys by position, with no expression to evaluate.
  const fns = n.keys.map((k) => compileExpr(k.expr));
  let keyed: { r: Row; k: Row }[] = [];
  let held = 0;
  for await (const b of exec(n.input, ctx)) {
    const bytes = 2 * batchBytes(b);
    ctx.interrupts.reserve(bytes, 'a Sort');
    held += bytes;
    for (const r of b) keyed.push({ r, k: fns.map((f) => f(r, ctx.eval)) });
    if (keyed.length >= 2 * bound + BATCH) {
      const before = keyed.length;
      keyed = (await sortByKeys(keyed, n.keys, ctx.interrupts)).slice(0, bound);
      const kept = Math.ceil((held * keyed.length) / before);
      ctx.interrupts.release(held - kept);
      held = kept;
    }
  }
  const sorted = await sortByKeys(keyed, n.keys, ctx.interrupts);
  const end = Math.min(sorted.length, bound);
  for (let i = 0; i < end; i += BATCH) yield sorted.slice(i, Math.min(i + BATCH, end)).map((x) => x.r);
}

async function* execLimit(n: Extract<PlanNode, { op: 'limit' }>, ctx: ExecContext): RowStream {
  const lim = n.limit ? compileExpr(n.limit)(EMPTY, ctx.eval) : null;
  const off = n.offset ? compileExpr(n.offset)(EMPTY, ctx.eval) : null;
  const limit = lim === null ? Infinity : Number(lim);
  let skip = off === null ? 0 : Number(off);
  if (limit < 0) throw sqlError('invalid_parameter_value' as never, 'LIMIT must not be negative');
  if (skip < 0) throw sqlError('invalid_parameter_value' as never, 'OFFSET must not be negative');
  let left = limit;
  if (left === 0) return;
  // A sort under a limit keeps only the rows the limit can return (a top-N sort).
  const topN = n.input.op === 'sort' && Number.isFinite(limit);
  const sorted = topN
    ? holding(ctx, execSort(n.input as Extract<PlanNode, { op: 'sort' }>, ctx, limit + skip))
    : undefined;
  const input = !sorted ? exec(n.input, ctx) : ctx.analyze ? ctx.analyze.instrument(n.input, sorted) : sorted;
  for await (const b of input) {
    let rows = b;
    if (skip > 0) {
      const s = Math.min(skip, rows.length);
      rows = rows.slice(s);
      skip -= s;
    }
    if (rows.length > left) rows = rows.slice(0, left);
    left -= rows.length;
    if (rows.length) yield rows;
    if (left <= 0) return;
  }
}

export function rowKey(r: Row, types: SqlType[]): string {
  let k = '';
  for (let i = 0; i < types.length; i++) k += distinctKey(r[i] ?? null, types[i]!) + '\u0001';
  return k;
}

async function* execDistinct(n: Extract<PlanNode, { op: 'distinct' }>, ctx: ExecContext): RowStream {
  const seen = new Set<string>();
  for await (const b of exec(n.input, ctx)) {
    const out: Row[] = [];
    let bytes = 0;
    for (const r of b) {
      const k = rowKey(r, n.types);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(r);
        bytes += 48 + k.length;
      }
    }
    ctx.interrupts.reserve(bytes, 'a HashAggregate (DISTINCT)');
    if (out.length) yield out;
  }
}

async function* execSetOp(n: Extract<PlanNode, { op: 'setop' }>, ctx: ExecContext): RowStream {
  const left = await collect(exec(n.left, ctx), ctx.interrupts, 'a SetOp');
  const right = await collect(exec(n.right, ctx), ctx.interrupts, 'a SetOp');
  const key = (r: Row) => rowKey(r, n.types);
  if (n.kind === 'union') {
    if (n.all) {
      for (const part of [left, right])
        for (let i = 0; i < part.length; i += BATCH) {
          await ctx.interrupts.check();
          yield part.slice(i, i + BATCH);
        }
      return;
    }
    const seen = new Map<string, Row>();
    let i = 0;
    for (const r of [...left, ...right]) {
      if (!seen.has(key(r))) seen.set(key(r), r);
      if (++i % BATCH === 0) await ctx.interrupts.check();
    }
    const all = [...seen.values()];
    for (let j = 0; j < all.length; j += BATCH) yield all.slice(j, j + BATCH);
    return;
  }
  const counts = new Map<string, number>();
  let i = 0;
  for (const r of right) {
    counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
    if (++i % BATCH === 0) await ctx.interrupts.check();
  }
  const out: Row[] = [];
  const emitted = new Set<string>();
  for (const r of left) {
    if (++i % BATCH === 0) await ctx.interrupts.check();
    const k = key(r);
    const c = counts.get(k) ?? 0;
    const keep = n.kind === 'intersect' ? c > 0 : c === 0 || (n.all && c > 0 ? false : c === 0);
    if (n.all) {
      if (n.kind === 'intersect' && c > 0) {
        out.push(r);
        counts.set(k, c - 1);
      } else if (n.kind === 'except') {
        if (c > 0) counts.set(k, c - 1);
        else out.push(r);
      }
    } else if (keep && !emitted.has(k)) {
      emitted.add(k);
      out.push(r);
    }
  }
  for (let j = 0; j < out.length; j += BATCH) yield out.slice(j, j + BATCH);
}

async function* execAppend(n: Extract<PlanNode, { op: 'append' }>, ctx: ExecContext): RowStream {
  for (const i of n.inputs) yield* exec(i, ctx);
}

async function* execReceive(n: Extract<PlanNode, { op: 'motion' }>, ctx: ExecContext): RowStream {
  const parts = ctx.received(n.sliceId);
  if (n.mergeKeys && n.mergeKeys.length && parts.length > 1) {
    const cmp = rowComparator(n.mergeKeys);
    const all = await sortInSlices(parts.flat(), (a, b) => cmp(a, b, ctx), ctx.interrupts);
    for (let i = 0; i < all.length; i += BATCH) yield all.slice(i, i + BATCH);
    return;
  }
  for (const p of parts)
    for (let i = 0; i < p.length; i += BATCH) {
      await ctx.interrupts.check();
      yield p.slice(i, i + BATCH);
    }
}

export type { Value };
