/**
 * The differential comparison itself: what ORDER BY leaves free (the order of ties) is never a
 * difference, and what it fixes always is. Ties by value count: numeric 1 and 1.0, float 0 and
 * -0 (fuzzer seeds 30078 and 50006 were reported as differences for those).
 */
import { describe, expect, it } from 'vitest';
import { compareOutcomes, type Outcome } from './compare.ts';

const result = (type: string, rows: (string | null)[][]): Outcome => ({
  ok: true,
  command: 'SELECT',
  rowCount: rows.length,
  fields: [
    { name: 'x0', type },
    { name: 'x1', type: 'integer' },
  ],
  rows,
});
const stmt = {
  sql: 'SELECT x0, x1 FROM t ORDER BY 1',
  file: 'compare',
  line: 1,
  section: 'queries' as const,
};

describe('ORDER BY ties', () => {
  it.each([
    ['numeric', '1', '1.0'],
    ['double precision', '0', '-0'],
    ['integer', '7', '7'],
  ])('%s %s and %s tie: either order', (type, a, b) => {
    const pg = result(type, [
      ['-1', '1'],
      [a, '2'],
      [b, '3'],
      ['5', '4'],
    ]);
    const ours = result(type, [
      ['-1', '1'],
      [b, '3'],
      [a, '2'],
      ['5', '4'],
    ]);
    expect(compareOutcomes(stmt, pg, ours)).toBeNull();
  });

  it('keys out of order are a difference', () => {
    const pg = result('numeric', [
      ['1', '1'],
      ['2', '2'],
    ]);
    const ours = result('numeric', [
      ['2', '2'],
      ['1', '1'],
    ]);
    expect(compareOutcomes(stmt, pg, ours)).toMatch(/ORDER BY keys differ/);
  });

  it('a tie broken into different rows is a difference', () => {
    const pg = result('numeric', [
      ['1', '1'],
      ['1.0', '2'],
    ]);
    const ours = result('numeric', [
      ['1', '1'],
      ['1.0', '9'],
    ]);
    expect(compareOutcomes(stmt, pg, ours)).not.toBeNull();
  });
});
