/**
 * LIKE matching in polynomial time, checked against a regular-expression oracle (correct, but
 * exponential on patterns with many %, so only run on small generated inputs).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileLike, likeMatches } from '../../../../src/engine/sql/expr-like.ts';
import { run } from './helpers.ts';

/** The oracle: % as .*, _ as ., everything else literal, anchored. */
function likeByRegExp(s: string, pattern: string): boolean {
  let re = '^';
  const cs = Array.from(pattern);
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (c === '\\') {
      const n = cs[++i]!;
      re += n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(re + '$', 'su').test(s);
}

describe('LIKE', () => {
  it('agrees with a regular-expression oracle on generated strings and patterns', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '%', '_', 'é', '😀'), maxLength: 8 });
    const pattern = fc
      .array(fc.constantFrom('a', 'b', '%', '_', 'é', '😀', '\\%', '\\_', '\\\\'), { maxLength: 8 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, pattern, (s, p) => {
        expect(likeMatches(s, compileLike(p, null, false))).toBe(likeByRegExp(s, p));
      }),
      { numRuns: 2000 },
    );
  });

  it('returns at once where backtracking over every % would never return', () => {
    const s = 'a'.repeat(60);
    expect(likeMatches(s, compileLike('%a'.repeat(30) + '%b', null, false))).toBe(false);
    expect(likeMatches(s + 'b', compileLike('%a'.repeat(30) + '%b', null, false))).toBe(true);
    expect(run(`repeat('a', 60) like repeat('%a', 30) || '%b'`)).toBe('f');
    expect(run(`repeat('a', 60) ilike repeat('%A', 30) || '%'`)).toBe('t');
  });

  it('keeps Postgres errors for bad escapes', () => {
    expect(() => compileLike('ab\\', null, false)).toThrow('LIKE pattern must not end with escape character');
    expect(() => compileLike('a', 'xy', false)).toThrow('invalid escape string');
    // An empty escape makes the backslash an ordinary character.
    expect(likeMatches('a\\b', compileLike('a\\b', '', false))).toBe(true);
  });
});
