/**
 * The topology's expansion strip reads gpexpand.status_detail: what it counts as done, moving
 * and waiting, and which contents are new (no row of a waiting table on them).
 */
import { describe, expect, it } from 'vitest';
import { expansionProgress, tablesNotOn, type TableExpansion } from '../../src/ui/state/expansion.ts';

const table = (name: string, status: TableExpansion['status'], bytes: number, segments?: number) => ({
  name,
  status,
  bytes,
  segments,
});

describe('expansionProgress', () => {
  it.each([
    {
      why: 'setup done: every table waits on the old 4 segments',
      tables: [table('public.a', 'NOT STARTED', 100, 4), table('public.b', 'NOT STARTED', 300, 4)],
      want: { done: 0, running: 0, waiting: 2, bytesDone: 0, bytesTotal: 400 },
    },
    {
      why: 'one moving, one done: the moving one still counts as on its old segments',
      tables: [table('public.a', 'COMPLETED', 100, 8), table('public.b', 'IN PROGRESS', 300, 4)],
      want: { done: 1, running: 1, waiting: 0, bytesDone: 100, bytesTotal: 400 },
    },
    {
      why: 'a dropped table counts for nothing; all done: no old segments left',
      tables: [table('public.a', 'COMPLETED', 100, 8), table('public.gone', 'NO LONGER EXISTS', 50)],
      want: { done: 1, running: 0, waiting: 0, bytesDone: 100, bytesTotal: 100 },
    },
    {
      why: 'a second expansion: tables on 4 and on 6 segments wait',
      tables: [table('public.a', 'NOT STARTED', 1, 6), table('public.b', 'NOT STARTED', 1, 4)],
      want: { done: 0, running: 0, waiting: 2, bytesDone: 0, bytesTotal: 2 },
    },
  ])('$why', ({ tables, want }) => {
    expect(expansionProgress({ state: 'EXPANSION STARTED', tables })).toEqual(want);
  });
});

describe('tablesNotOn', () => {
  it('counts the tables still to move whose old segments stop below the content', () => {
    const v = {
      state: 'EXPANSION STARTED',
      tables: [
        table('public.a', 'NOT STARTED', 1, 6),
        table('public.b', 'IN PROGRESS', 1, 4),
        table('public.c', 'COMPLETED', 1, 8),
        table('public.gone', 'NO LONGER EXISTS', 1),
      ],
    };
    expect([0, 3, 4, 5, 6, 7].map((content) => tablesNotOn(v, content))).toEqual([0, 0, 1, 1, 2, 2]);
  });
});
