/**
 * A scan decodes only the columns the nodes above it use (exec/columns-used.ts): none for a
 * count(*), a join's keys and its output's columns, every column where the use is not spelt
 * out column by column (a window, a final aggregate) or under a motion's sending slice.
 */
import { describe, expect, it } from 'vitest';
import { motionsUsed, scanWants } from '../../../src/engine/exec/columns-used.ts';
import type { PlanNode } from '../../../src/engine/plan/plan.ts';
import '../../../src/engine/sql/expr-builtins.ts';
import type { BoundExpr } from '../../../src/engine/sql/expr-bound.ts';

const int = { name: 'int4' } as never;
const col = (index: number): BoundExpr => ({ kind: 'col', index, type: int });
const scan = (width: number, filter?: BoundExpr): PlanNode =>
  ({
    op: 'scan',
    table: { columns: Array.from({ length: width }, (_, i) => ({ name: `c${i}`, type: int })) },
    withCtid: false,
    withSegmentId: false,
    types: Array.from({ length: width }, () => int),
    ...(filter ? { filter } : {}),
  }) as never;
const agg = (input: PlanNode, groupKeys: BoundExpr[], args: BoundExpr[][], phase = 'partial'): PlanNode =>
  ({
    op: 'agg',
    input,
    groupKeys,
    aggs: args.map((a) => ({ key: 'count', args: a, distinct: false, name: 'count', type: int })),
    phase,
    strategy: 'hashed',
    types: [],
  }) as never;

describe('the columns a scan decodes', () => {
  it('none for count(*); the group key and the summed column for GROUP BY', () => {
    const s = scan(3);
    expect(scanWants(agg(s, [], [[]])).get(s)).toEqual([false, false, false]);
    const g = scan(3);
    expect(scanWants(agg(g, [col(1)], [[], [col(0)]])).get(g)).toEqual([true, true, false]);
  });

  it('ctid and gp_segment_id, which a table scan outputs after its columns, only when used', () => {
    const sys = (width: number, filter?: BoundExpr): PlanNode =>
      ({
        ...(scan(width, filter) as object),
        withCtid: true,
        withSegmentId: true,
        types: Array.from({ length: width + 2 }, () => int),
      }) as never;
    const s = sys(3);
    expect(scanWants(agg(s, [], [[]])).get(s)).toEqual([false, false, false, false, false]);
    const bySegment = sys(3);
    expect(scanWants(agg(bySegment, [col(4)], [[]])).get(bySegment)).toEqual([
      false,
      false,
      false,
      false,
      true,
    ]);
    const filtered = sys(2, { kind: 'func', key: 'texteq', args: [col(2), col(2)], type: int } as BoundExpr);
    expect(scanWants(agg(filtered, [], [[]])).get(filtered)).toEqual([false, false, true, false]);
  });

  it("a filter's and a projection's: only the projected expressions that are used", () => {
    const s = scan(4, { kind: 'func', key: 'int4gt', args: [col(3), col(1)], type: int } as BoundExpr);
    const project = {
      op: 'project',
      input: s,
      exprs: [col(0), col(2)],
      types: [int, int],
    } as never as PlanNode;
    const top = agg(project, [col(1)], [[]]);
    expect(scanWants(top).get(s)).toEqual([false, true, true, true]);
  });

  it("a join's keys and the output columns used, split between its sides; a semi join outputs its left only", () => {
    const l = scan(2);
    const r = scan(3);
    const join = {
      op: 'hashJoin',
      left: l,
      right: r,
      joinType: 'inner',
      leftKeys: [col(1)],
      rightKeys: [col(0)],
      eqKeys: ['int4eq'],
      types: [int, int, int, int, int],
    } as never as PlanNode;
    // Output column 4 is the right side's column 2.
    const top = agg(join, [col(4)], [[]]);
    const w = scanWants(top);
    expect(w.get(l)).toEqual([false, true]);
    expect(w.get(r)).toEqual([true, false, true]);
  });

  it('every column under a final aggregate, a window, at the slice root, and none across a motion', () => {
    const s = scan(2);
    expect(scanWants(agg(s, [], [[]], 'final')).get(s)).toEqual([true, true]);
    const t = scan(2);
    expect(scanWants(t).get(t)).toEqual([true, true]);
    const u = scan(2);
    const motion = {
      op: 'motion',
      input: u,
      kind: 'gather',
      senders: 'segments',
      sliceId: 1,
      types: [int, int],
    } as never as PlanNode;
    expect(scanWants(agg(motion, [], [[]])).has(u)).toBe(false);
  });

  it("a Motion's rows carry what its receivers use, its hash and merge keys, and its senders decode only that", () => {
    // select count(*) from x join y on x.c0 = y.c1: y's rows are redistributed by c1.
    const x = scan(2);
    const y = scan(3);
    const redistribute = {
      op: 'motion',
      input: y,
      kind: 'redistribute',
      hashKeys: [1],
      senders: 'segments',
      sliceId: 1,
      types: [int, int, int],
    } as never as PlanNode;
    const join = {
      op: 'hashJoin',
      left: x,
      right: redistribute,
      joinType: 'inner',
      leftKeys: [col(0)],
      rightKeys: [col(1)],
      eqKeys: ['int4eq'],
      types: [int, int, int, int, int],
    } as never as PlanNode;
    const gather = {
      op: 'motion',
      input: agg(join, [], [[]]),
      kind: 'gather',
      senders: 'segments',
      sliceId: 2,
      mergeKeys: [{ expr: col(0), descending: false, nullsFirst: false }],
      types: [int],
    } as never as PlanNode;
    const used = motionsUsed(agg(gather, [], [[]], 'final'));
    // The final aggregate uses all of the partial one's output; the join, only y's key.
    expect(used.get(gather as never)).toBeUndefined();
    expect(used.get(redistribute as never)).toEqual([1]);
    expect(scanWants(y, used.get(redistribute as never)).get(y)).toEqual([false, true, false]);
    // A receiver that uses column 2, redistributed by column 1 and merged on column 0: all three.
    const merged = {
      ...(redistribute as object),
      mergeKeys: [{ expr: col(0), descending: true, nullsFirst: true }],
    };
    const above = agg(merged as never, [col(2)], [[]]);
    expect(motionsUsed(above).get(merged as never)).toEqual([0, 1, 2]);
    // Under a window (its use is not spelt out), every column.
    const window = { op: 'window', input: redistribute, types: [int, int, int, int] } as never as PlanNode;
    expect(motionsUsed(window).get(redistribute as never)).toBeUndefined();
  });

  it('a projection computes only the outputs used above it, and a volatile one always', () => {
    const s = scan(3);
    const random = { kind: 'func', key: 'random()', args: [], type: int } as never as BoundExpr;
    const divide = {
      kind: 'func',
      key: 'op/(int4,int4)',
      args: [col(1), col(2)],
      type: int,
    } as never as BoundExpr;
    const project = {
      op: 'project',
      input: s,
      exprs: [col(0), divide, random],
      types: [int, int, int],
    } as never as PlanNode;
    const w = scanWants(agg(project, [col(0)], [[]]));
    expect(w.get(project)).toEqual([true, false, true]);
    expect(w.get(s)).toEqual([true, false, false]);
    // Used above: computed, and its columns decoded.
    const used = scanWants(agg(project, [col(1)], [[]]));
    expect(used.get(project)).toEqual([false, true, true]);
    expect(used.get(s)).toEqual([false, true, true]);
  });
});
