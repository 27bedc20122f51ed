/** Where a table's rows are, and the one segment a scan pinned to its distribution key reads. */
import type { BoundExpr } from '../sql/expr-bound.ts';
import { cdbhash } from '../sql/cdbhash.ts';
import type { Value } from '../sql/types.ts';
import { hashCompatible } from './locus.ts';
import type { Locus, PlanNode, TableInfo } from './plan.ts';
import { splitAnd } from './planner-join.ts';

/**
 * Where a table's rows are. One gpexpand has not expanded yet lives on its first `numsegments`
 * contents; a replicated one is then read from content 0 (it has no copy on the new segments).
 */
export function tableLocus(t: TableInfo, clusterSegments: number): Locus {
  const partial = t.numsegments < clusterSegments;
  if (t.policy.kind === 'replicated')
    return partial ? { kind: 'single', content: 0 } : { kind: 'replicated' };
  const locus: Locus =
    t.policy.kind === 'hash'
      ? {
          kind: 'hashed',
          keys: t.policy.keys.map((k) => [k]),
          keyTypes: t.policy.keys.map((k) => t.columns[k]!.type),
        }
      : { kind: 'strewn' };
  return partial ? { ...locus, numsegments: t.numsegments } : locus;
}

/**
 * Direct dispatch: when the filter pins every distribution key column to a constant
 * (`a = 5 AND ...`), only the segment that value hashes to can hold matching rows.
 */
export function directContents(
  scan: Extract<PlanNode, { op: 'scan' }>,
  cond: BoundExpr,
): number[] | undefined {
  const t = scan.table;
  if (t.policy.kind !== 'hash') return undefined;
  const keys = t.policy.keys;
  const values: Value[] = [];
  const conj = splitAnd(cond);
  for (const k of keys) {
    let found: Value | undefined;
    for (const c of conj) {
      if (c.kind !== 'func' || !c.key.startsWith('op=(') || c.args.length !== 2) continue;
      const [a, b] = c.args as [BoundExpr, BoundExpr];
      const col = a.kind === 'col' ? a : b.kind === 'col' ? b : undefined;
      const cst = a.kind === 'const' ? a : b.kind === 'const' ? b : undefined;
      if (col && cst && col.index === k && cst.value !== null && hashCompatible(col.type, cst.type))
        found = cst.value;
    }
    if (found === undefined) return undefined;
    values.push(found);
  }
  return [
    cdbhash(
      values,
      keys.map((k) => t.columns[k]!.type),
      t.numsegments,
    ),
  ];
}
