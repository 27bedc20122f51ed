/**
 * Aggregation: hashed (GROUP BY) or plain, in one of three phases. A partial aggregate emits
 * group keys and transition states; a final aggregate combines states that arrive from
 * several segments and emits the results.
 */
import { distinctAggregate, getAggregate, orderedAggregate, type AggState } from '../sql/aggregates.ts';
import { compileExpr, compilePredicate } from '../sql/eval.ts';
import type { AggSpec, PlanNode } from '../plan/plan.ts';
import { BATCH, type ExecContext, type Row } from './context.ts';
import { rowKey, type RowStream } from './executor.ts';
import { rowBytes } from './interrupts.ts';

/** Types whose values are equal in SQL exactly when they are SameValueZero in JS (NaN meets NaN, as in Postgres). */
const VALUE_KEYED = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'bool', 'date', 'text', 'varchar']);
/** The map key of a NULL group key (NULLs group together). */
const NULL_KEY = Symbol('null');

interface AggImpl {
  init(): AggState;
  step(s: AggState, args: Row): AggState;
  combine(a: AggState, b: AggState): AggState;
  final(s: AggState): Row[number];
}

function implOf(a: AggSpec): AggImpl {
  const def = getAggregate(a.key);
  const inner = a.distinct ? distinctAggregate(def, a.args[0]!.type) : def;
  if (!a.order) return inner;
  return orderedAggregate(
    inner,
    a.args.length,
    a.order.map((o) => ({ type: o.expr.type, descending: o.descending, nullsFirst: o.nullsFirst })),
  );
}

export async function* execAgg(
  n: Extract<PlanNode, { op: 'agg' }>,
  ctx: ExecContext,
  exec: (n: PlanNode, ctx: ExecContext) => RowStream,
): RowStream {
  const impls = n.aggs.map(implOf);
  const keyFns = n.groupKeys.map((k) => compileExpr(k));
  const keyTypes = n.groupKeys.map((k) => k.type);
  // An ordered aggregate's rows carry their sort keys after the arguments.
  const argFns = n.aggs.map((a) =>
    [...a.args, ...(a.order ?? []).map((o) => o.expr)].map((e) => compileExpr(e)),
  );
  const filters = n.aggs.map((a) => (a.filter ? compilePredicate(a.filter, { list: false }) : undefined));
  const nk = n.groupKeys.length;
  type Group = { keys: Row; states: AggState[] };
  // Keyed by rowKey's string; a single key whose JS equality is SQL's equality keys the map by
  // its value instead, which saves building a string per row.
  const groups = new Map<unknown, Group>();
  const byValue = nk === 1 && VALUE_KEYED.has(keyTypes[0]!.name);
  const fresh = (keys: Row): Group => ({ keys, states: impls.map((i) => i.init()) });
  const only = nk === 0 ? fresh([]) : undefined;
  if (only) groups.set('', only);
  // A group holds its key twice (the map's and its row) and a state per aggregate.
  const groupBytes = (keys: Row, k: unknown) =>
    rowBytes(keys) + 64 + (typeof k === 'string' ? k.length : 8) + 32 * impls.length;
  // Plain aggregates read their arguments during the step; DISTINCT and ORDER BY ones keep them.
  const scratch = n.aggs.map((a, i) =>
    a.distinct || a.order ? undefined : new Array<Row[number]>(argFns[i]!.length),
  );

  // count(*) alone, no GROUP BY, below any final phase: each batch adds its length.
  const countsRows =
    only !== undefined &&
    n.phase !== 'final' &&
    n.aggs.every((a) => a.key === 'count(*)' && !a.filter && !a.distinct && !a.order);

  const ev = ctx.eval;
  const final = n.phase === 'final';
  const na = impls.length;
  const keyFn = keyFns[0];
  /** The group of `row`, made when it is new. */
  const groupOf = (row: Row): Group => {
    if (only) return only;
    if (byValue) {
      const v = keyFn!(row, ev);
      const k = v === null ? NULL_KEY : v;
      let g = groups.get(k);
      if (!g) {
        groups.set(k, (g = fresh([v])));
        ctx.interrupts.reserve(groupBytes(g.keys, k), 'a HashAggregate');
      }
      return g;
    }
    const keys = keyFns.map((f) => f(row, ev));
    const k = rowKey(keys, keyTypes);
    let g = groups.get(k);
    if (!g) {
      groups.set(k, (g = fresh(keys)));
      ctx.interrupts.reserve(groupBytes(keys, k), 'a HashAggregate');
    }
    return g;
  };

  // The per-row loops are functions of their own, called once per batch: a loop inside the
  // async generator is compiled on stack (OSR), and V8 (Maglev) threw that code away each time
  // the loop ended at a batch's end, so a query ran mostly unoptimized until TurboFan took over.
  const combineBatch = (batch: Row[]): void => {
    for (const row of batch) {
      const states = groupOf(row).states;
      for (let i = 0; i < na; i++) states[i] = impls[i]!.combine(states[i], row[nk + i] as AggState);
    }
  };
  const stepBatch = (batch: Row[]): void => {
    for (const row of batch) {
      const states = groupOf(row).states;
      for (let i = 0; i < na; i++) {
        const f = filters[i];
        if (f !== undefined && !f(row, ev)) continue;
        const fns = argFns[i]!;
        const args = scratch[i] ?? new Array<Row[number]>(fns.length);
        for (let j = 0; j < fns.length; j++) args[j] = fns[j]!(row, ev);
        states[i] = impls[i]!.step(states[i], args);
      }
    }
  };

  for await (const batch of exec(n.input, ctx)) {
    if (countsRows) for (let i = 0; i < na; i++) only.states[i] = (only.states[i] as number) + batch.length;
    else if (final) combineBatch(batch);
    else stepBatch(batch);
  }
  let out: Row[] = [];
  for (const g of groups.values()) {
    const vals = n.phase === 'partial' ? g.states : g.states.map((s, i) => impls[i]!.final(s));
    out.push([...g.keys, ...(vals as Row)]);
    if (out.length === BATCH) {
      yield out;
      out = [];
    }
  }
  if (out.length) yield out;
}
