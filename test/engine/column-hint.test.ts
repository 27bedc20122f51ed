/** PostgreSQL's rules for the misspelt-column hint, as a table (the oracle test compares with PostgreSQL). */
import { describe, expect, it } from 'vitest';
import { levenshtein, missingColumnHint, type HintColumn } from '../../src/engine/plan/column-hint.ts';

const cols = (rel: string, ...names: string[]): HintColumn[] => names.map((name) => ({ rel, name }));
const T = cols('t', 'name', 'amount', 'account_id');
const U = cols('u', 'name', 'amt');

describe('levenshtein', () => {
  it.each([
    ['', '', 0],
    ['a', '', 1],
    ['name', 'nme', 1],
    ['amount', 'amout', 1],
    ['kitten', 'sitting', 3],
    ['account_id', 'accountid', 1],
  ])('%s ~ %s = %i', (a, b, d) => {
    expect(levenshtein(a, b)).toBe(d);
    expect(levenshtein(b, a)).toBe(d);
  });
});

describe('missingColumnHint', () => {
  it.each<[string, { table?: string; name: string }, HintColumn[], string | undefined]>([
    ['one close name', { name: 'nme' }, T, 'Perhaps you meant to reference the column "t.name".'],
    ['qualified', { table: 't', name: 'nme' }, T, 'Perhaps you meant to reference the column "t.name".'],
    [
      'two equally close in two relations',
      { name: 'nam' },
      [...T, ...U],
      'Perhaps you meant to reference the column "t.name" or the column "u.name".',
    ],
    [
      'the qualifier costs its distance',
      { table: 't', name: 'amt' },
      [...T, ...U],
      'Perhaps you meant to reference the column "u.amt".',
    ],
    ['more than half the typed name differs', { name: 'a' }, T, undefined],
    ['more than 3 edits', { name: 'acc_identity' }, T, undefined],
    ['three tie: none', { name: 'ab' }, cols('t', 'ax', 'ay', 'az'), undefined],
    [
      'three tie, then a closer one',
      { name: 'abcdef' },
      cols('t', 'abcdxx', 'abcdyy', 'abcdzz', 'abcdex'),
      'Perhaps you meant to reference the column "t.abcdex".',
    ],
    [
      'a closer one, then three tie further off',
      { name: 'abcdef' },
      cols('t', 'abcdex', 'abcdxx', 'abcdyy', 'abcdzz'),
      'Perhaps you meant to reference the column "t.abcdex".',
    ],
    [
      'hidden (system) columns are not suggested',
      { name: 'ctd' },
      [{ rel: 't', name: 'ctid', hidden: true }],
      undefined,
    ],
  ])('%s', (_what, ref, columns, hint) => {
    expect(missingColumnHint(ref, columns)).toBe(hint);
  });
});
