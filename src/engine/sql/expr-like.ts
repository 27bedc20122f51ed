/**
 * LIKE / ILIKE pattern matching (Postgres' like.c semantics) and the ~~ / ~~* operators.
 *
 * Matching runs in O(|string| x |pattern|) at worst, never exponential: a pattern compiles to
 * literal runs separated by wildcards, and the matcher backtracks only to the last `%` it
 * passed (the classic two-pointer wildcard algorithm), as like.c does. A regular expression
 * would backtrack over every `%` (`'aaa…' LIKE '%a%a%a…b'` would never return).
 */
import { SqlError } from '../errors.ts';
import type { Value } from './types.ts';
import { registerOperator } from './functions.ts';
import { sqlLower } from './expr-string.ts';

/** One position of a pattern: `%` (any run), `_` (one character) or a literal character. */
const ANY = -1;
const ONE = -2;

/** A compiled pattern: code points, with ANY and ONE for the wildcards. */
type Pattern = Int32Array;

function escapeChar(escape: string | null): string {
  if (escape === null) return '\\';
  const chars = Array.from(escape);
  if (chars.length > 1)
    throw new SqlError('22019', 'invalid escape string', {
      hint: 'Escape string must be empty or one character.',
    });
  return chars[0] ?? '';
}

/** Compiles a LIKE pattern. `escape` null means the default backslash; '' means none. */
export function compileLike(pattern: string, escape: string | null, ci: boolean): Pattern {
  const esc = escapeChar(escape);
  const cs = Array.from(ci ? sqlLower(pattern) : pattern);
  const out: number[] = [];
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (esc !== '' && c === esc) {
      const n = cs[++i];
      if (n === undefined) throw new SqlError('22025', 'LIKE pattern must not end with escape character');
      out.push(n.codePointAt(0)!);
    } else if (c === '%') {
      // Runs of % are one %.
      if (out[out.length - 1] !== ANY) out.push(ANY);
    } else if (c === '_') out.push(ONE);
    else out.push(c.codePointAt(0)!);
  }
  return Int32Array.from(out);
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** The characters of `s` as code points (a string without surrogates indexes as it is). */
function codePoints(s: string): ArrayLike<number> {
  if (!SURROGATE.test(s)) {
    const a = new Int32Array(s.length);
    for (let i = 0; i < s.length; i++) a[i] = s.charCodeAt(i);
    return a;
  }
  return Array.from(s, (c) => c.codePointAt(0)!);
}

/** Whether `s` (already lowered for ILIKE) matches the compiled pattern. */
export function likeMatches(s: string, p: Pattern): boolean {
  const t = codePoints(s);
  let si = 0;
  let pi = 0;
  // The last % passed, and where in `t` its run would end if the match after it fails.
  let starP = -1;
  let starS = 0;
  while (si < t.length) {
    const pc = pi < p.length ? p[pi]! : undefined;
    if (pc === ONE || (pc !== undefined && pc >= 0 && pc === t[si])) {
      si++;
      pi++;
    } else if (pc === ANY) {
      starP = pi++;
      starS = si;
    } else if (starP >= 0) {
      // Let the last % take one more character and try again from after it.
      pi = starP + 1;
      si = ++starS;
    } else return false;
  }
  while (pi < p.length && p[pi] === ANY) pi++;
  return pi === p.length;
}

/** Matches with a one-entry cache keyed by the pattern (patterns are usually constant). */
export function likeMatcher(ci: boolean): (s: string, pattern: string, escape: string | null) => boolean {
  let lastP: string | undefined;
  let lastE: string | null = null;
  let compiled: Pattern | undefined;
  return (s, pattern, escape) => {
    if (compiled === undefined || pattern !== lastP || escape !== lastE) {
      compiled = compileLike(pattern, escape, ci);
      lastP = pattern;
      lastE = escape;
    }
    return likeMatches(ci ? sqlLower(s) : s, compiled);
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
