/** psql's aligned format, compared with what psql 15 printed for the same results. */
import { describe, expect, it } from 'vitest';
import { psqlAligned } from '../../src/ui/state/psql-format.ts';

describe('psqlAligned', () => {
  it('centres names, right-aligns numbers, prints NULL as nothing and no trailing blanks on rows', () => {
    const fields = [
      { name: 'id', type: 'integer' },
      { name: 'name', type: 'text' },
      { name: 'amount', type: 'numeric' },
      { name: 'n', type: 'text' },
    ];
    expect(
      psqlAligned(fields, [
        [1, 'alice', '3.5', null],
        [22, 'bo', '10', 'x'],
      ]),
    ).toBe(
      [
        ' id | name  | amount | n ',
        '----+-------+--------+---',
        '  1 | alice |    3.5 | ',
        ' 22 | bo    |     10 | x',
        '(2 rows)',
      ].join('\n'),
    );
  });

  it('booleans as t and f', () => {
    expect(psqlAligned([{ name: 'ok', type: 'boolean' }], [[true], [false]])).toBe(
      [' ok ', '----', ' t', ' f', '(2 rows)'].join('\n'),
    );
  });

  it('one row, none', () => {
    expect(psqlAligned([{ name: 'a', type: 'integer' }], [[1]])).toBe(
      [' a ', '---', ' 1', '(1 row)'].join('\n'),
    );
    expect(psqlAligned([{ name: 'x', type: 'text' }], [])).toBe([' x ', '---', '(0 rows)'].join('\n'));
  });
});
