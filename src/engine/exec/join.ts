/** Joins: hash join for equality conditions, nested loop for the rest. */
import { sqlError } from '../errors.ts';
import { compileExpr, compilePredicate } from '../sql/eval.ts';
import type { PlanNode } from '../plan/plan.ts';
import { BATCH, type ExecContext, type Row } from './context.ts';
import { collect, rowKey, type RowStream } from './executor.ts';
import { execNotInAntiJoin } from './not-in.ts';

type Exec = (n: PlanNode, ctx: ExecContext) => RowStream;

export async function* execHashJoin(
  n: Extract<PlanNode, { op: 'hashJoin' }>,
  ctx: ExecContext,
  exec: Exec,
): RowStream {
  if (n.nullAware) return yield* execNotInAntiJoin(n, ctx, exec);
  const lk = n.leftKeys.map((e) => compileExpr(e));
  const rk = n.rightKeys.map((e) => compileExpr(e));
  const keyTypes = n.leftKeys.map((e) => e.type);
  const extra = n.extra ? compilePredicate(n.extra) : undefined;
  const rightWidth = n.right.types.length;
  const leftWidth = n.left.types.length;
  const table = new Map<string, Row[]>();
  const rightRows = await collect(exec(n.right, ctx), ctx.interrupts, 'a Hash Join');
  const matchedRight = n.joinType === 'full' ? new Set<Row>() : undefined;
  let rightHasNullKey = false;
  let built = 0;
  for (const r of rightRows) {
    if (++built % BATCH === 0) await ctx.interrupts.check();
    const keys = rk.map((f) => f(r, ctx.eval));
    if (keys.some((k) => k === null)) {
      rightHasNullKey = true;
      continue;
    }
    const k = rowKey(keys, keyTypes);
    const list = table.get(k);
    if (list) list.push(r);
    else {
      table.set(k, [r]);
      ctx.interrupts.reserve(48 + k.length, 'a Hash Join');
    }
  }
  const nullRight: Row = new Array(rightWidth).fill(null);
  // NOT IN over a set holding NULL is never true.
  if (n.nullAware && rightHasNullKey) return;
  for await (const batch of exec(n.left, ctx)) {
    let out: Row[] = [];
    for (const l of batch) {
      // Many matches per row (duplicate keys) must not build one unbounded batch.
      if (out.length >= BATCH) {
        yield out;
        out = [];
        await ctx.interrupts.check();
      }
      const keys = lk.map((f) => f(l, ctx.eval));
      const leftNull = keys.some((k) => k === null);
      if (n.nullAware && leftNull && rightRows.length > 0) continue;
      const hits = leftNull ? undefined : table.get(rowKey(keys, keyTypes));
      let matched = false;
      if (hits) {
        for (const r of hits) {
          const joined = l.concat(r);
          if (extra && !extra(joined, ctx.eval)) continue;
          if (matched && n.singleMatch)
            throw sqlError(
              'cardinality_violation',
              'more than one row returned by a subquery used as an expression',
            );
          matched = true;
          if (n.joinType === 'semi') break;
          if (n.joinType === 'anti') break;
          matchedRight?.add(r);
          out.push(joined);
        }
      }
      if (n.joinType === 'semi' && matched) out.push(l);
      if (n.joinType === 'anti' && !matched) out.push(l);
      if (!matched && (n.joinType === 'left' || n.joinType === 'full')) out.push(l.concat(nullRight));
    }
    if (out.length) yield out;
  }
  if (matchedRight) {
    const nullLeft: Row = new Array(leftWidth).fill(null);
    const out = rightRows.filter((r) => !matchedRight.has(r)).map((r) => nullLeft.concat(r));
    for (let i = 0; i < out.length; i += BATCH) yield out.slice(i, i + BATCH);
  }
}

export async function* execNestLoop(
  n: Extract<PlanNode, { op: 'nestLoop' }>,
  ctx: ExecContext,
  exec: Exec,
): RowStream {
  const cond = n.cond ? compilePredicate(n.cond) : undefined;
  const rightRows = await collect(exec(n.right, ctx), ctx.interrupts, 'a Nested Loop');
  const rightWidth = n.right.types.length;
  const nullRight: Row = new Array(rightWidth).fill(null);
  const matchedRight = n.joinType === 'full' ? new Set<Row>() : undefined;
  // Every pair is a comparison: yield and check by pairs, not by outer rows.
  let pairs = 0;
  for await (const batch of exec(n.left, ctx)) {
    let out: Row[] = [];
    for (const l of batch) {
      let matched = false;
      for (const r of rightRows) {
        if (++pairs === BATCH) {
          pairs = 0;
          if (out.length >= BATCH) {
            yield out;
            out = [];
          }
          await ctx.interrupts.check();
        }
        const joined = l.concat(r);
        if (cond && !cond(joined, ctx.eval)) continue;
        if (matched && n.singleMatch)
          throw sqlError(
            'cardinality_violation',
            'more than one row returned by a subquery used as an expression',
          );
        matched = true;
        if (n.joinType === 'semi' || n.joinType === 'anti') break;
        matchedRight?.add(r);
        out.push(joined);
      }
      if (n.joinType === 'semi' && matched) out.push(l);
      if (n.joinType === 'anti' && !matched) out.push(l);
      if (!matched && (n.joinType === 'left' || n.joinType === 'full')) out.push(l.concat(nullRight));
    }
    if (out.length) yield out;
  }
  if (matchedRight) {
    const nullLeft: Row = new Array(n.left.types.length).fill(null);
    const out = rightRows.filter((r) => !matchedRight.has(r)).map((r) => nullLeft.concat(r));
    for (let i = 0; i < out.length; i += BATCH) yield out.slice(i, i + BATCH);
  }
}

export { compileExpr };
