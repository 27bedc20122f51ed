/**
 * Join placement and the locus of a join's output (plan/join-place.ts), as a table: which inputs
 * move, and where the output is known to live. Columns of the right input follow the left's.
 */
import { describe, expect, it } from 'vitest';
import { placeEquiJoin, placeJoin, type JoinKind } from '../../../src/engine/plan/join-place.ts';
import { SliceCounter } from '../../../src/engine/plan/locus.ts';
import type { Locus, PlanNode } from '../../../src/engine/plan/plan.ts';
import type { BoundExpr } from '../../../src/engine/sql/expr-bound.ts';
import { T } from '../../../src/engine/sql/types.ts';

const hashed = (...cols: number[]): Locus => ({
  kind: 'hashed',
  keys: cols.map((c) => [c]),
  keyTypes: cols.map(() => T.int4),
});
const rel = (locus: Locus): PlanNode => ({ op: 'values', rows: [], types: [T.int4, T.int4], locus });
const col = (index: number): BoundExpr => ({ kind: 'col', index, type: T.int4 });

/** What happened to an input: it stayed, or the motion that moved it. */
const moved = (n: PlanNode) =>
  n.op === 'motion' ? `${n.kind}${n.hashKeys ? `(${n.hashKeys})` : ''}` : 'stays';

const strewn: Locus = { kind: 'strewn' };
const replicated: Locus = { kind: 'replicated' };
const general: Locus = { kind: 'general' };

describe('equi-join placement', () => {
  const cases: [string, Locus, Locus, [number, number][], JoinKind, string, string, Locus, boolean?][] = [
    [
      'co-located inputs stay; output hashed on both keys',
      hashed(0),
      hashed(0),
      [[0, 0]],
      'inner',
      'stays',
      'stays',
      { kind: 'hashed', keys: [[0, 2]], keyTypes: [T.int4] },
    ],
    [
      'the left (tags by tag) moves to the right (emp by id): output not on tag',
      hashed(1),
      hashed(0),
      [[0, 0]],
      'inner',
      'redistribute(0)',
      'stays',
      { kind: 'hashed', keys: [[0, 2]], keyTypes: [T.int4] },
    ],
    [
      'the right moves to the left',
      hashed(0),
      hashed(1),
      [[0, 0]],
      'inner',
      'stays',
      'redistribute(0)',
      { kind: 'hashed', keys: [[0, 2]], keyTypes: [T.int4] },
    ],
    [
      'neither hashed on its key: both move',
      strewn,
      strewn,
      [[1, 0]],
      'inner',
      'redistribute(1)',
      'redistribute(0)',
      { kind: 'hashed', keys: [[1, 2]], keyTypes: [T.int4] },
    ],
    [
      'a replicated left joins in place: the output is where the right rows are',
      replicated,
      hashed(0),
      [[0, 1]],
      'inner',
      'stays',
      'stays',
      { kind: 'hashed', keys: [[2]], keyTypes: [T.int4] },
    ],
    [
      'a replicated right joins in place',
      hashed(0),
      replicated,
      [[0, 1]],
      'inner',
      'stays',
      'stays',
      { kind: 'hashed', keys: [[0, 3]], keyTypes: [T.int4] },
    ],
    [
      'a left join keeps only the outer keys',
      hashed(0),
      hashed(0),
      [[0, 0]],
      'left',
      'stays',
      'stays',
      hashed(0),
    ],
    [
      'a replicated outer side is hashed before a left join (no row twice)',
      replicated,
      hashed(0),
      [[0, 0]],
      'left',
      'redistribute(0)',
      'stays',
      hashed(0),
    ],
    [
      'a replicated inner side of a left join stays',
      hashed(1),
      replicated,
      [[0, 0]],
      'left',
      'stays',
      'stays',
      hashed(1),
    ],
    ['a FULL join has no known place', hashed(0), hashed(0), [[0, 0]], 'full', 'stays', 'stays', strewn],
    [
      "semi join: the outer side's locus",
      strewn,
      hashed(0),
      [[1, 0]],
      'semi',
      'redistribute(1)',
      'stays',
      hashed(1),
    ],
    [
      'an UPDATE target never moves: the other side is broadcast',
      strewn,
      hashed(0),
      [[0, 0]],
      'inner',
      'stays',
      'broadcast',
      strewn,
      true,
    ],
    [
      'an UPDATE target hashed on the key: the other side comes to it',
      hashed(0),
      strewn,
      [[0, 1]],
      'semi',
      'stays',
      'redistribute(1)',
      hashed(0),
      true,
    ],
  ];
  it.each(cases)('%s', (_title, ll, rl, keys, joinType, left, right, locus, keepLeft) => {
    const p = placeEquiJoin(
      rel(ll),
      rel(rl),
      keys.map(([l]) => col(l)),
      keys.map(([, r]) => col(r)),
      joinType,
      new SliceCounter(),
      keepLeft ?? false,
    );
    expect([moved(p.left), moved(p.right)]).toEqual([left, right]);
    expect(p.locus).toEqual(locus);
  });
});

describe('joins without keys', () => {
  it.each([
    ['the inner side is broadcast', strewn, hashed(0), 'inner', 'stays', 'broadcast', strewn],
    [
      'a General outer side with a broadcast inner side is replicated',
      general,
      hashed(0),
      'left',
      'stays',
      'broadcast',
      replicated,
    ],
    ['a replicated inner side stays', hashed(0), replicated, 'anti', 'stays', 'stays', hashed(0)],
    [
      'a FULL join runs on the coordinator',
      hashed(0),
      hashed(0),
      'full',
      'gather',
      'gather',
      { kind: 'entry' },
    ],
  ] as [string, Locus, Locus, JoinKind, string, string, Locus][])(
    '%s',
    (_t, ll, rl, joinType, left, right, locus) => {
      const p = placeJoin(rel(ll), rel(rl), joinType, new SliceCounter());
      expect([moved(p.left), moved(p.right)]).toEqual([left, right]);
      expect(p.locus).toEqual(locus);
    },
  );
});
