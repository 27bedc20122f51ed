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

  for await (const batch of exec(n.input, ctx)) {
    for (const row of batch) {
      let g: Group | undefined;
      if (only) g = only;
      else if (byValue) {
        const v = keyFns[0]!(row, ctx.eval);
        const k = v === null ? NULL_KEY : v;
        g = groups.get(k);
        if (!g) {
          groups.set(k, (g = fresh([v])));
          ctx.interrupts.reserve(groupBytes(g.keys, k), 'a HashAggregate');
        }
      } else {
        const keys = keyFns.map((f) => f(row, ctx.eval));
        const k = rowKey(keys, keyTypes);
        g = groups.get(k);
        if (!g) {
          groups.set(k, (g = fresh(keys)));
          ctx.interrupts.reserve(groupBytes(keys, k), 'a HashAggregate');
        }
      }
      for (let i = 0; i < impls.length; i++) {
        if (n.phase === 'final') {
          g.states[i] = impls[i]!.combine(g.states[i], row[nk + i] as AggState);
          continue;
        }
        const f = filters[i];
        if (f && !f(row, ctx.eval)) continue;
        const fns = argFns[i]!;
        const args = scratch[i] ?? new Array<Row[number]>(fns.length);
        for (let j = 0; j < fns.length; j++) args[j] = fns[j]!(row, ctx.eval);
        g.states[i] = impls[i]!.step(g.states[i], args);
      }
    }
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
