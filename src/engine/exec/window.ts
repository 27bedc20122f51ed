/**
 * One window function over a query's gathered rows, as Postgres' WindowAgg computes it: rows
 * sorted by PARTITION BY then ORDER BY; ranking functions over the partition, lag and lead by
 * position, first/last/nth_value and aggregates over the frame (by default RANGE UNBOUNDED
 * PRECEDING to the current row and its peers with an ORDER BY, the whole partition without).
 */
import { sqlError } from '../errors.ts';
import type { Interrupts } from './interrupts.ts';
import { rowBytes } from './interrupts.ts';
import { windowKeys, type PlanNode, type WindowCall } from '../plan/plan.ts';
import { BATCH, type ExecContext, type Row } from './context.ts';
import { collect, type RowStream } from './executor.ts';
import { getAggregate, resolveAggregate } from '../sql/aggregates.ts';
import type { Expr, FrameBound } from '../sql/ast.ts';
import { compareValues, type SqlType, type Value } from '../sql/types.ts';

/** Window-only functions (aggregates are the others). */
export const WINDOW_FUNCTIONS = new Set([
  'row_number',
  'rank',
  'dense_rank',
  'percent_rank',
  'cume_dist',
  'ntile',
  'lag',
  'lead',
  'first_value',
  'last_value',
  'nth_value',
]);

export type { WindowCall };

const INT8: SqlType = { name: 'int8' };
const FLOAT8: SqlType = { name: 'float8' };

function cmp(a: Value, b: Value, t: SqlType, descending: boolean, nullsFirst: boolean): number {
  if (a === null || b === null) {
    if (a === b) return 0;
    return (a === null) === nullsFirst ? -1 : 1;
  }
  const c = compareValues(a, b, t);
  return descending ? -c : c;
}

/** Whether rows at `cols` hold equal values (NULL equals NULL: they share a partition or peers). */
function sameAt(cols: number[], types: SqlType[]): (a: Value[], b: Value[]) => boolean {
  return (a, b) => {
    for (let k = 0; k < cols.length; k++) {
      const c = cols[k]!;
      const x = a[c] ?? null;
      const y = b[c] ?? null;
      if (x === y) continue;
      if (x === null || y === null || compareValues(x, y, types[c]!) !== 0) return false;
    }
    return true;
  };
}

/** Whether positions 0..n-1 are already in `before`'s order (checked in one pass). */
function inOrder(n: number, before: (x: number, y: number) => number): boolean {
  for (let i = 1; i < n; i++) if (before(i - 1, i) > 0) return false;
  return true;
}

/** A frame offset: a non-negative integer constant. */
function offsetOf(b: FrameBound): number {
  const e = b.offset as Expr;
  if (e.kind === 'literal' && e.literalType === 'integer' && Number(e.value) >= 0) return Number(e.value);
  if (e.kind === 'literal' && e.literalType === 'integer')
    throw sqlError('invalid_preceding_or_following_size', 'frame starting offset must not be negative');
  throw sqlError('feature_not_supported', 'frame offsets other than integer constants are not supported', {
    position: b.pos,
  });
}

function aggregateOf(w: WindowCall, types: SqlType[], base: number) {
  const { call } = w;
  const argTypes = call.args.map((_, i) => types[base + w.first + i]!);
  return getAggregate(resolveAggregate(call.name, argTypes, call.star, call.pos).key);
}

/** The type of a window function's values, from its input columns' types. */
export function windowResultType(w: WindowCall, types: SqlType[], base: number): SqlType {
  const name = w.call.name;
  if (['row_number', 'rank', 'dense_rank'].includes(name)) return INT8;
  if (name === 'ntile') return { name: 'int4' };
  if (name === 'percent_rank' || name === 'cume_dist') return FLOAT8;
  if (!WINDOW_FUNCTIONS.has(name)) return { name: aggregateOf(w, types, base).result };
  return w.nargs ? types[base + w.first]! : INT8;
}

export async function computeWindow(
  w: WindowCall,
  rows: Value[][],
  types: SqlType[],
  base: number,
  interrupts: Interrupts | undefined,
): Promise<{ values: Value[]; type: SqlType }> {
  const { call } = w;
  const spec = call.over!;
  const at = (i: number) => base + w.first + i;
  const filterCol = call.filter ? at(w.nargs) : -1;
  const keys = windowKeys(w, base);
  const partCols = keys.partition;
  const orderCols = keys.order.map((o) => o.col);
  const orderDir = keys.order;
  const samePart = sameAt(partCols, types);
  const samePeer = sameAt(orderCols, types);
  // Rows in PARTITION BY then ORDER BY order, ties in input order. The Sort below the node put
  // them so (each window spec gets a Sort and a WindowAgg of its own): one pass checks it, and
  // they are sorted here only if a plan ever brings them otherwise.
  const before = (x: number, y: number): number => {
    const a = rows[x]!;
    const b = rows[y]!;
    for (let k = 0; k < partCols.length; k++) {
      const c = partCols[k]!;
      const r = cmp(a[c] ?? null, b[c] ?? null, types[c]!, false, false);
      if (r) return r;
    }
    for (let k = 0; k < orderCols.length; k++) {
      const c = orderCols[k]!;
      const r = cmp(a[c] ?? null, b[c] ?? null, types[c]!, orderDir[k]!.descending, orderDir[k]!.nullsFirst);
      if (r) return r;
    }
    return x - y;
  };
  const order = rows.map((_, i) => i);
  if (!inOrder(order.length, before)) order.sort(before);
  const out: Value[] = new Array<Value>(rows.length).fill(null);
  interrupts?.reserve(rows.length * 16, 'WindowAgg');
  const name = call.name;
  const type = windowResultType(w, types, base);
  const agg = WINDOW_FUNCTIONS.has(name) ? undefined : aggregateOf(w, types, base);
  const frame = spec.frame;
  if (frame && frame.mode === 'range' && (frame.start.offset || frame.end.offset))
    throw sqlError('feature_not_supported', 'RANGE with offset PRECEDING/FOLLOWING is not supported', {
      position: frame.pos,
    });
  if (frame?.start.kind === 'unboundedFollowing')
    throw sqlError('windowing_error', 'frame start cannot be UNBOUNDED FOLLOWING', {
      position: frame.start.pos,
    });
  if (frame?.end.kind === 'unboundedPreceding')
    throw sqlError('windowing_error', 'frame end cannot be UNBOUNDED PRECEDING', { position: frame.end.pos });

  // Each partition is computed by a function of its own, and the thread yields between
  // partitions: loops nested in this one were compiled on stack by V8 (Maglev), which threw the
  // code away each time an inner loop ended, and a million rows held the instance's thread.
  const partition = (start: number, end: number): void => {
    const part = order.slice(start, end).map((i) => rows[i]!);
    const ids = order.slice(start, end);
    const n = part.length;
    // Peer groups: [first, last] of each row's peers, and the group's number (dense_rank).
    const peerFirst = new Array<number>(n);
    const peerLast = new Array<number>(n);
    const peerGroup = new Array<number>(n);
    for (let i = 0, g = 0; i < n; g++) {
      let j = i + 1;
      while (j < n && samePeer(part[i]!, part[j]!)) j++;
      for (let k = i; k < j; k++) {
        peerFirst[k] = i;
        peerLast[k] = j - 1;
        peerGroup[k] = g + 1;
      }
      i = j;
    }
    const bound = (b: FrameBound, i: number, isStart: boolean): number => {
      switch (b.kind) {
        case 'unboundedPreceding':
          return 0;
        case 'unboundedFollowing':
          return n - 1;
        case 'currentRow':
          if (frame?.mode === 'rows') return i;
          return isStart ? peerFirst[i]! : peerLast[i]!;
        case 'preceding':
          return i - offsetOf(b);
        case 'following':
          return i + offsetOf(b);
      }
    };
    const frameOf = (i: number): [number, number] => {
      if (!frame) return spec.orderBy.length ? [0, peerLast[i]!] : [0, n - 1];
      return [Math.max(0, bound(frame.start, i, true)), Math.min(n - 1, bound(frame.end, i, false))];
    };
    const arg = (row: Value[], k: number): Value => row[at(k)] ?? null;
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      switch (name) {
        case 'row_number':
          out[id] = BigInt(i + 1);
          break;
        case 'rank':
          out[id] = BigInt(peerFirst[i]! + 1);
          break;
        case 'dense_rank':
          out[id] = BigInt(peerGroup[i]!);
          break;
        case 'percent_rank':
          out[id] = n > 1 ? peerFirst[i]! / (n - 1) : 0;
          break;
        case 'cume_dist':
          out[id] = (peerLast[i]! + 1) / n;
          break;
        case 'ntile': {
          if (arg(part[i]!, 0) === null) break;
          const k = Number(arg(part[i]!, 0));
          if (!(k > 0))
            throw sqlError('invalid_argument_for_ntile', 'argument of ntile must be greater than zero');
          const size = Math.floor(n / k);
          const extra = n % k;
          const big = extra * (size + 1);
          out[id] = i < big ? Math.floor(i / (size + 1)) + 1 : extra + Math.floor((i - big) / size) + 1;
          break;
        }
        case 'lag':
        case 'lead': {
          const off = w.nargs > 1 ? Number(arg(part[i]!, 1)) : 1;
          const j = name === 'lag' ? i - off : i + off;
          out[id] = j >= 0 && j < n ? arg(part[j]!, 0) : w.nargs > 2 ? arg(part[i]!, 2) : null;
          break;
        }
        case 'first_value':
        case 'last_value':
        case 'nth_value': {
          const [a, b] = frameOf(i);
          const pick =
            name === 'first_value' ? a : name === 'last_value' ? b : a + Number(arg(part[i]!, 1)) - 1;
          if (name === 'nth_value' && !(Number(arg(part[i]!, 1)) > 0))
            throw sqlError(
              'invalid_argument_for_nth_value',
              'argument of nth_value must be greater than zero',
            );
          out[id] = a <= b && pick >= a && pick <= b ? arg(part[pick]!, 0) : null;
          break;
        }
      }
    }
    if (agg) {
      const args = (row: Value[]) => call.args.map((_, k) => arg(row, k));
      const counted = (row: Value[]) => filterCol < 0 || row[filterCol] === true;
      const unboundedStart = !frame || frame.start.kind === 'unboundedPreceding';
      let state = agg.init();
      let stepped = 0;
      for (let i = 0; i < n; i++) {
        const [a, b] = frameOf(i);
        if (unboundedStart) {
          // The frame only grows: step the new rows into the running state.
          for (; stepped <= b; stepped++)
            if (counted(part[stepped]!)) state = agg.step(state, args(part[stepped]!));
          out[ids[i]!] = b < a ? agg.final(agg.init()) : agg.final(state);
        } else {
          let st = agg.init();
          for (let k = a; k <= b; k++) if (counted(part[k]!)) st = agg.step(st, args(part[k]!));
          out[ids[i]!] = agg.final(st);
        }
      }
    }
    interrupts?.reserve(rowBytes(part[0] ?? []), 'WindowAgg');
  };
  /** Where the partition that starts at `start` ends. */
  const partitionEnd = (start: number): number => {
    let end = start + 1;
    while (end < order.length && samePart(rows[order[start]!]!, rows[order[end]!]!)) end++;
    return end;
  };
  for (let start = 0; start < order.length;) {
    const end = partitionEnd(start);
    partition(start, end);
    start = end;
    // Awaited only when it yields: a million one-row partitions need no million awaits.
    const pause = interrupts?.check();
    if (pause) await pause;
  }
  return { values: out, type };
}

/**
 * WindowAgg: every row of its input (sorted by PARTITION BY and ORDER BY below it), each call's
 * value appended. On a segment its input holds whole partitions (a Redistribute Motion on the
 * PARTITION BY key brought them); on the coordinator, every row.
 */
export async function* execWindow(
  n: Extract<PlanNode, { op: 'window' }>,
  ctx: ExecContext,
  exec: (n: PlanNode, ctx: ExecContext) => RowStream,
): RowStream {
  const rows = await collect(exec(n.input, ctx), ctx.interrupts, 'a WindowAgg');
  const types = n.input.types;
  const values: Value[][] = [];
  for (const w of n.calls) {
    await ctx.interrupts.check();
    values.push((await computeWindow(w, rows, types, n.base, ctx.interrupts)).values);
  }
  for (let i = 0; i < rows.length; i += BATCH) {
    const out: Row[] = [];
    for (let j = i; j < Math.min(rows.length, i + BATCH); j++)
      out.push([...rows[j]!, ...values.map((v) => v[j] ?? null)]);
    yield out;
  }
}
