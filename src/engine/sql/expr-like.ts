/** LIKE / ILIKE pattern matching (Postgres' like.c semantics) and the ~~ / ~~* operators. */
import { SqlError } from '../errors.ts';
import type { Value } from './types.ts';
import { registerOperator } from './functions.ts';
import { sqlLower } from './expr-string.ts';

const SPECIAL = /[.*+?^${}()|[\]\\/]/;

/** Compiles a LIKE pattern to an anchored RegExp. `escape` null means the default backslash. */
export function likeRegExp(pattern: string, escape: string | null, ci: boolean): RegExp {
  let esc = '\\';
  if (escape !== null) {
    const chars = Array.from(escape);
    if (chars.length > 1) {
      throw new SqlError('22019', 'invalid escape string', {
        hint: 'Escape string must be empty or one character.',
      });
    }
    esc = chars[0] ?? '';
  }
  const p = ci ? sqlLower(pattern) : pattern;
  let re = '^';
  const cs = Array.from(p);
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i] ?? '';
    if (esc !== '' && c === esc) {
      const n = cs[++i];
      if (n === undefined) {
        throw new SqlError('22025', 'LIKE pattern must not end with escape character');
      }
      re += SPECIAL.test(n) ? '\\' + n : n;
    } else if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else re += SPECIAL.test(c) ? '\\' + c : c;
  }
  return new RegExp(re + '$', 'su');
}

/** Matches with a one-entry cache keyed by the pattern (patterns are usually constant). */
export function likeMatcher(ci: boolean): (s: string, pattern: string, escape: string | null) => boolean {
  let lastP: string | undefined;
  let lastE: string | null = null;
  let re: RegExp | undefined;
  return (s, pattern, escape) => {
    if (re === undefined || pattern !== lastP || escape !== lastE) {
      re = likeRegExp(pattern, escape, ci);
      lastP = pattern;
      lastE = escape;
    }
    return re.test(ci ? sqlLower(s) : s);
  };
}

function register(): void {
  for (const [op, ci] of [
    ['~~', false],
    ['~~*', true],
  ] as const) {
    const m = likeMatcher(ci);
    const f = (a: Value, b: Value): Value => m(a as string, b as string, null);
    registerOperator(op, ['text', 'text'], 'bool', f);
    registerOperator(op, ['bpchar', 'text'], 'bool', f);
  }
}

register();
