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
  const groups = new Map<string, { keys: Row; states: AggState[] }>();
  const fresh = (keys: Row) => ({ keys, states: impls.map((i) => i.init()) });
  if (nk === 0) groups.set('', fresh([]));
  // A group holds its key twice (the map's and its row) and a state per aggregate.
  const groupBytes = (keys: Row, k: string) => rowBytes(keys) + 64 + k.length + 32 * impls.length;

  for await (const batch of exec(n.input, ctx)) {
    for (const row of batch) {
      const keys = keyFns.map((f) => f(row, ctx.eval));
      const k = nk ? rowKey(keys, keyTypes) : '';
      let g = groups.get(k);
      if (!g) {
        groups.set(k, (g = fresh(keys)));
        ctx.interrupts.reserve(groupBytes(keys, k), 'a HashAggregate');
      }
      for (let i = 0; i < impls.length; i++) {
        if (n.phase === 'final') {
          g.states[i] = impls[i]!.combine(g.states[i], row[nk + i] as AggState);
          continue;
        }
        const f = filters[i];
        if (f && !f(row, ctx.eval)) continue;
        const args = argFns[i]!.map((fn) => fn(row, ctx.eval));
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
