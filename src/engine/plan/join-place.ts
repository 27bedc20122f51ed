/**
 * Where a join runs and where its output lives, as Greenplum's cdbpath_motion_for_join decides:
 *
 * - inputs hashed on matching join keys are joined in place (co-located);
 * - when one input is hashed on (a subset of) its join keys, the other is redistributed on the
 *   partner keys in the same order; when neither is, both are redistributed on all of them;
 * - an input held on every segment (replicated, or computable anywhere) joins in place with the
 *   other, unless the join would then emit its unmatched rows once per segment (it may only be
 *   the inner side of an outer, semi or anti join);
 * - with no usable keys the inner side is broadcast, and a FULL join runs on the coordinator;
 * - the target of an UPDATE or DELETE (`keepLeft`) never moves: the other side is redistributed
 *   to it when it is hashed on the join keys, broadcast otherwise.
 *
 * The output's locus is derived, never assumed: an inner join is hashed on the keys of both
 * sides (equal by the join condition), an outer, semi or anti join only on its outer side's
 * (the inner side's columns may be NULL-extended), a FULL join's rows have no known place.
 */
import type { BoundExpr } from '../sql/expr-bound.ts';
import {
  broadcast,
  columnIndex,
  everywhere,
  gather,
  hashCompatible,
  matchHashKeys,
  locusSegments,
  redistribute,
  sameSpread,
  shiftLocus,
  spreadLike,
  type SliceCounter,
} from './locus.ts';
import type { Locus, PlanNode } from './plan.ts';

export type JoinKind = 'inner' | 'left' | 'full' | 'semi' | 'anti';

export interface PlacedJoin {
  left: PlanNode;
  right: PlanNode;
  locus: Locus;
}

/** Both inputs on the coordinator. */
function atEntry(l: PlanNode, r: PlanNode, slices: SliceCounter): PlacedJoin {
  const toEntry = (n: PlanNode): PlanNode =>
    n.locus.kind === 'general' ? ({ ...n, locus: { kind: 'entry' } } as PlanNode) : gather(n, slices);
  return { left: toEntry(l), right: toEntry(r), locus: { kind: 'entry' } };
}

/** Two inputs that are both everywhere: so is the join (replicated once segments hold it). */
function bothEverywhere(l: PlanNode, r: PlanNode): PlacedJoin {
  const replicated = l.locus.kind === 'replicated' || r.locus.kind === 'replicated';
  return { left: l, right: r, locus: replicated ? { kind: 'replicated' } : { kind: 'general' } };
}

/**
 * The output locus of a join whose inputs are in place: `ll` and `rl` (already shifted past the
 * left columns) are the inputs' loci; `pairs` the join's equal column pairs (output positions).
 */
function outputLocus(joinType: JoinKind, ll: Locus, rl: Locus, pairs: [number, number][]): Locus {
  if (joinType === 'full') return spreadLike({ kind: 'strewn' }, ll);
  if (joinType !== 'inner') return ll;
  // An input held everywhere joins each segment's rows of the other: the output is where they are.
  const base = everywhere(ll) ? rl : ll;
  if (base.kind !== 'hashed') return base;
  // Co-located inputs are hashed on partner keys in the same order, and the join's equal
  // columns hold the same key values.
  const other = base === ll ? rl : ll;
  const keys = base.keys.map((alts, i) => {
    const out = new Set(alts);
    if (other.kind === 'hashed') for (const k of other.keys[i] ?? []) out.add(k);
    for (let grew = true; grew;) {
      grew = false;
      for (const [a, b] of pairs)
        if (out.has(a) !== out.has(b)) {
          out.add(a);
          out.add(b);
          grew = true;
        }
    }
    return [...out].sort((x, y) => x - y);
  });
  return { ...base, keys };
}

/** Places an equi-join on `lk[i] = rk[i]` (expressions over the left and the right input). */
export function placeEquiJoin(
  l: PlanNode,
  r: PlanNode,
  lk: BoundExpr[],
  rk: BoundExpr[],
  joinType: JoinKind,
  slices: SliceCounter,
  keepLeft = false,
): PlacedJoin {
  if (l.locus.kind === 'entry' || r.locus.kind === 'entry') return atEntry(l, r, slices);
  const nl = l.types.length;
  const lt = lk.map((e) => e.type);
  const rt = rk.map((e) => e.type);
  // Key pairs that can co-locate: plain columns on both sides that hash alike.
  const usable = lk.map((e, j) => {
    const a = columnIndex(e);
    const b = columnIndex(rk[j]!);
    return a !== undefined && b !== undefined && hashCompatible(lt[j]!, rt[j]!)
      ? ([a, b] as const)
      : undefined;
  });
  const lc = usable.map((p) => p?.[0]);
  const rc = usable.map((p) => p?.[1]);
  const pairs = usable.flatMap((p) => (p ? [[p[0], p[1] + nl] as [number, number]] : []));
  const placed = (left: PlanNode, right: PlanNode): PlacedJoin => ({
    left,
    right,
    locus: outputLocus(joinType, left.locus, shiftLocus(right.locus, nl), pairs),
  });

  const lEvery = everywhere(l.locus);
  const rEvery = everywhere(r.locus);
  if (lEvery && rEvery) return bothEverywhere(l, r);
  if (rEvery && joinType !== 'full') return placed(l, r);
  if (lEvery && joinType === 'inner') return placed(l, r);

  const lm = lEvery ? undefined : matchHashKeys(l.locus, lc, lt);
  const rm = rEvery ? undefined : matchHashKeys(r.locus, rc, rt);
  if (lm && rm && lm.length === rm.length && lm.every((j, i) => j === rm[i]) && sameSpread(l.locus, r.locus))
    return placed(l, r);
  if (lm)
    return placed(
      l,
      redistribute(
        r,
        lm.map((j) => rc[j]!),
        slices,
        locusSegments(l.locus),
      ),
    );
  // The rows of an UPDATE's or DELETE's target are changed where they are: bring the other side.
  if (keepLeft) return placeJoin(l, r, joinType, slices);
  if (rm)
    return placed(
      redistribute(
        l,
        rm.map((j) => lc[j]!),
        slices,
        locusSegments(r.locus),
      ),
      r,
    );
  const keys = usable.flatMap((p, j) => (p ? [j] : []));
  if (keys.length)
    return placed(
      redistribute(
        l,
        keys.map((j) => lc[j]!),
        slices,
      ),
      redistribute(
        r,
        keys.map((j) => rc[j]!),
        slices,
      ),
    );
  return placeJoin(l, r, joinType, slices);
}

/** Places a join without usable equality keys (a nested loop). */
export function placeJoin(l: PlanNode, r: PlanNode, joinType: JoinKind, slices: SliceCounter): PlacedJoin {
  if (l.locus.kind === 'entry' || r.locus.kind === 'entry' || joinType === 'full')
    return atEntry(l, r, slices);
  const nl = l.types.length;
  if (everywhere(l.locus) && everywhere(r.locus)) return bothEverywhere(l, r);
  if (everywhere(r.locus)) return { left: l, right: r, locus: l.locus };
  if (everywhere(l.locus) && joinType === 'inner')
    return { left: l, right: r, locus: shiftLocus(r.locus, nl) };
  // The inner side goes to every segment the outer side is on; the outer side stays where it is.
  const locus: Locus = everywhere(l.locus) ? { kind: 'replicated' } : l.locus;
  return { left: l, right: broadcast(r, slices, locusSegments(l.locus)), locus };
}
