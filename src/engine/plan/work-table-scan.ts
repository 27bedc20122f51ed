/**
 * A recursive WITH query's work table as a FROM item: the rows its last round added, planned
 * as constants (or the plan that produces them, its motions renumbered into this plan).
 */
import { sqlError } from '../errors.ts';
import type { BoundExpr } from '../sql/expr-bound.ts';
import type { SliceCounter } from './locus.ts';
import type { PlanNode } from './plan.ts';
import type { RelPlan, WorkTable } from './planner.ts';
import { Scope } from './scope.ts';

/** A recursive WITH query's rows: constants, available on every segment as a VALUES list is. */
export function workTableScan(
  wt: WorkTable,
  alias: string,
  colAliases: string[] | undefined,
  pos: number,
  slices: SliceCounter,
): RelPlan {
  if ((colAliases?.length ?? 0) > wt.columns.length)
    throw sqlError(
      'invalid_column_reference',
      `table "${alias}" has ${wt.columns.length} columns available but ${colAliases!.length} columns specified`,
      { position: pos },
    );
  const types = wt.columns.map((c) => c.type);
  const rows: BoundExpr[][] = wt.rows.map((r) =>
    r.map((value, i) => ({ kind: 'const', value, type: types[i]! })),
  );
  return {
    node: wt.plan
      ? renumberSlices(wt.plan, slices)
      : { op: 'values', rows, types, locus: { kind: 'general' } },
    scope: new Scope(
      // Columns named with \u0001 are the lab's own (a LATERAL item's join keys): not in `*`.
      wt.columns.map((c, i) => ({
        rel: alias,
        name: colAliases?.[i] ?? c.name,
        type: c.type,
        ...(c.name.startsWith('\u0001') ? { hidden: true } : {}),
      })),
    ),
  };
}

/** A copy of a plan planned apart, its motions given slice ids of this plan (bottom up, as planned). */
function renumberSlices(n: PlanNode, slices: SliceCounter): PlanNode {
  const copy = { ...n } as Record<string, unknown>;
  for (const k of ['input', 'left', 'right'] as const)
    if (copy[k]) copy[k] = renumberSlices(copy[k] as PlanNode, slices);
  if (Array.isArray(copy.inputs))
    copy.inputs = (copy.inputs as PlanNode[]).map((i) => renumberSlices(i, slices));
  if (n.op === 'motion') copy.sliceId = slices.next++;
  return copy as unknown as PlanNode;
}
