/**
 * The anti join of a `x NOT IN (SELECT y ... WHERE <correlation>)`, with SQL's NULL rules: for
 * an outer row, S is the set of inner rows its correlation admits (the join's other key pairs
 * and extra condition). The row is kept when S is empty; otherwise it is dropped when x is
 * NULL, when some y in S equals x, or when some y in S is NULL (the answer is then unknown).
 * The first key pair is the NOT IN comparison; the rest are correlation keys.
 */
import { compileExpr, compilePredicate } from '../sql/eval.ts';
import type { PlanNode } from '../plan/plan.ts';
import type { ExecContext, Row } from './context.ts';
import { rowKey, type RowStream } from './executor.ts';
import { batchBytes } from './interrupts.ts';

type Exec = (n: PlanNode, ctx: ExecContext) => RowStream;

export async function* execNotInAntiJoin(
  n: Extract<PlanNode, { op: 'hashJoin' }>,
  ctx: ExecContext,
  exec: Exec,
): RowStream {
  const [x, ...lCorr] = n.leftKeys.map((e) => compileExpr(e));
  const [y, ...rCorr] = n.rightKeys.map((e) => compileExpr(e));
  const xType = [n.leftKeys[0]!.type];
  const corrTypes = n.leftKeys.slice(1).map((e) => e.type);
  const extra = n.extra ? compilePredicate(n.extra) : undefined;
  // Inner rows by correlation key; a NULL correlation key admits no outer row.
  const buckets = new Map<string, Row[]>();
  for await (const b of exec(n.right, ctx)) {
    // The inner side is held for the whole join: it counts against statement_mem.
    ctx.interrupts.reserve(batchBytes(b), 'a Hash Join');
    for (const r of b) {
      const k = rCorr.map((f) => f(r, ctx.eval));
      if (k.some((v) => v === null)) continue;
      const key = rowKey(k, corrTypes);
      const list = buckets.get(key);
      if (list) list.push(r);
      else buckets.set(key, [r]);
    }
  }
  // Without an extra condition a bucket's verdict depends only on its y values: summarize once.
  const summaries = new Map<Row[], { ys: Set<string>; hasNull: boolean }>();
  const summary = (rows: Row[]) => {
    let s = summaries.get(rows);
    if (!s) {
      s = { ys: new Set(), hasNull: false };
      for (const r of rows) {
        const v = y!(r, ctx.eval);
        if (v === null) s.hasNull = true;
        else s.ys.add(rowKey([v], xType));
      }
      summaries.set(rows, s);
    }
    return s;
  };
  for await (const batch of exec(n.left, ctx)) {
    // With an extra condition each outer row walks its bucket: checks stay between batches.
    await ctx.interrupts.check();
    const out: Row[] = [];
    for (const l of batch) {
      const k = lCorr.map((f) => f(l, ctx.eval));
      const bucket = k.some((v) => v === null) ? undefined : buckets.get(rowKey(k, corrTypes));
      const set = bucket && extra ? bucket.filter((r) => extra(l.concat(r), ctx.eval)) : bucket;
      if (!set || set.length === 0) {
        out.push(l);
        continue;
      }
      const xv = x!(l, ctx.eval);
      if (xv === null) continue;
      const xKey = rowKey([xv], xType);
      if (extra) {
        const ys = set.map((r) => y!(r, ctx.eval));
        if (ys.some((v) => v === null || rowKey([v], xType) === xKey)) continue;
      } else {
        const s = summary(set);
        if (s.hasNull || s.ys.has(xKey)) continue;
      }
      out.push(l);
    }
    if (out.length) yield out;
  }
}
