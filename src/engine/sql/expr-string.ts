/**
 * Built-in string functions. Lengths and positions count characters (code points), as Postgres
 * does for UTF-8; case mapping is per character (C.UTF-8 ctype).
 */
import { SqlError, sqlError } from '../errors.ts';
import type { TypeId, Value } from './types.ts';
import { registerFunction } from './functions.ts';
import type { FuncImpl } from './functions.ts';
import { bpcharTrim, charLength } from './types-io.ts';
import { md5Hex, utf8Length } from './expr-md5.ts';
import { checkTextLength } from './limits.ts';

const SURROGATE = /[\uD800-\uDFFF]/;
/** Characters (code points) of s. */
function chars(s: string): string[] {
  return SURROGATE.test(s) ? Array.from(s) : s.split('');
}

function mapChars(s: string, f: (c: string) => string): string {
  let out = '';
  for (const c of s) {
    const m = f(c);
    out += charLength(m) === 1 ? m : c;
  }
  return out;
}

export function sqlLower(s: string): string {
  return mapChars(s, (c) => c.toLowerCase());
}

export function sqlUpper(s: string): string {
  return mapChars(s, (c) => c.toUpperCase());
}

const ALNUM = /[\p{L}\p{N}]/u;
function initcap(s: string): string {
  let out = '';
  let inWord = false;
  for (const c of s) {
    out += inWord ? sqlLower(c) : sqlUpper(c);
    inWord = ALNUM.test(c);
  }
  return out;
}

/** substr(s, start[, len]) with Postgres' rules for out-of-range start/length. */
export function substr(s: string, start: number, len?: number): string {
  if (len !== undefined && len < 0) throw new SqlError('22011', 'negative substring length not allowed');
  const cs = chars(s);
  const from = Math.max(start, 1);
  const end = len === undefined ? cs.length + 1 : start + len;
  if (end <= from) return '';
  return cs.slice(from - 1, end - 1).join('');
}

function strpos(s: string, sub: string): number {
  const i = s.indexOf(sub);
  if (i < 0) return 0;
  return charLength(s.slice(0, i)) + 1;
}

function trimChars(s: string, set: string, left: boolean, right: boolean): string {
  const cs = chars(s);
  const drop = new Set(chars(set));
  let a = 0;
  let b = cs.length;
  if (left) while (a < b && drop.has(cs[a] ?? '')) a++;
  if (right) while (b > a && drop.has(cs[b - 1] ?? '')) b--;
  return cs.slice(a, b).join('');
}

function pad(s: string, n: number, fill: string, left: boolean): string {
  if (n <= 0) return '';
  // Postgres sizes the result for 4-byte characters: more than 1 GB / 4 is refused up front.
  if (n * 4 > 1073741823) throw sqlError('program_limit_exceeded', 'requested length too large');
  checkTextLength(n * 2);
  const cs = chars(s);
  if (cs.length >= n) return cs.slice(0, n).join('');
  const fs = chars(fill);
  if (fs.length === 0) return s;
  let p = '';
  for (let i = 0; i < n - cs.length; i++) p += fs[i % fs.length];
  return left ? p + s : s + p;
}

function splitPart(s: string, delim: string, n: number): string {
  if (n === 0) throw sqlError('invalid_parameter_value', 'field position must not be zero');
  const parts = delim === '' ? [s] : s.split(delim);
  const i = n > 0 ? n - 1 : parts.length + n;
  return parts[i] ?? '';
}

function translate(s: string, from: string, to: string): string {
  const f = chars(from);
  const t = chars(to);
  let out = '';
  for (const c of chars(s)) {
    const i = f.indexOf(c);
    if (i < 0) out += c;
    else if (i < t.length) out += t[i];
  }
  return out;
}

const a0 = (a: Value[]): string => a[0] as string;
const n1 = (a: Value[]): number => a[1] as number;

function def(name: string, args: TypeId[], res: TypeId, impl: FuncImpl): void {
  registerFunction(name, args, res, impl);
}

function register(): void {
  for (const name of ['length', 'char_length', 'character_length']) {
    def(name, ['text'], 'int4', (a) => charLength(a0(a)));
    def(name, ['bpchar'], 'int4', (a) => charLength(bpcharTrim(a0(a))));
  }
  def('octet_length', ['text'], 'int4', (a) => utf8Length(a0(a)));
  def('octet_length', ['bpchar'], 'int4', (a) => utf8Length(a0(a)));
  def('lower', ['text'], 'text', (a) => sqlLower(a0(a)));
  def('upper', ['text'], 'text', (a) => sqlUpper(a0(a)));
  def('initcap', ['text'], 'text', (a) => initcap(a0(a)));
  for (const name of ['substring', 'substr']) {
    def(name, ['text', 'int4'], 'text', (a) => substr(a0(a), n1(a)));
    def(name, ['text', 'int4', 'int4'], 'text', (a) => substr(a0(a), n1(a), a[2] as number));
  }
  def('position', ['text', 'text'], 'int4', (a) => strpos(a0(a), a[1] as string));
  def('strpos', ['text', 'text'], 'int4', (a) => strpos(a0(a), a[1] as string));
  def('replace', ['text', 'text', 'text'], 'text', (a) => {
    if (a[1] === '') return a0(a);
    const parts = a0(a).split(a[1] as string);
    checkTextLength(a0(a).length + (parts.length - 1) * ((a[2] as string).length - (a[1] as string).length));
    return parts.join(a[2] as string);
  });
  registerFunction(
    'concat',
    ['anytext'],
    'text',
    (a) => {
      const parts = a.filter((v) => v !== null).map(String);
      checkTextLength(parts.reduce((n, p) => n + p.length, 0));
      return parts.join('');
    },
    {
      strict: false,
      variadic: true,
    },
  );
  registerFunction(
    'concat_ws',
    ['text', 'anytext'],
    'text',
    (a) => {
      const sep = a[0];
      if (sep === null || sep === undefined) return null;
      return a
        .slice(1)
        .filter((v) => v !== null)
        .join(sep as string);
    },
    { strict: false, variadic: true },
  );
  const trims: [string, boolean, boolean][] = [
    ['btrim', true, true],
    ['ltrim', true, false],
    ['rtrim', false, true],
  ];
  for (const [name, l, r] of trims) {
    def(name, ['text'], 'text', (a) => trimChars(a0(a), ' ', l, r));
    def(name, ['text', 'text'], 'text', (a) => trimChars(a0(a), a[1] as string, l, r));
  }
  def('lpad', ['text', 'int4'], 'text', (a) => pad(a0(a), n1(a), ' ', true));
  def('lpad', ['text', 'int4', 'text'], 'text', (a) => pad(a0(a), n1(a), a[2] as string, true));
  def('rpad', ['text', 'int4'], 'text', (a) => pad(a0(a), n1(a), ' ', false));
  def('rpad', ['text', 'int4', 'text'], 'text', (a) => pad(a0(a), n1(a), a[2] as string, false));
  def('left', ['text', 'int4'], 'text', (a) => {
    const cs = chars(a0(a));
    const n = n1(a);
    return cs.slice(0, n >= 0 ? n : Math.max(cs.length + n, 0)).join('');
  });
  def('right', ['text', 'int4'], 'text', (a) => {
    const cs = chars(a0(a));
    const n = n1(a);
    return cs.slice(n >= 0 ? Math.max(cs.length - n, 0) : Math.min(-n, cs.length)).join('');
  });
  def('repeat', ['text', 'int4'], 'text', (a) => {
    const n = n1(a);
    if (n <= 0) return '';
    if (utf8Length(a0(a)) * n > 1073741823)
      throw sqlError('program_limit_exceeded', 'requested length too large');
    checkTextLength(a0(a).length * n);
    return a0(a).repeat(n);
  });
  def('reverse', ['text'], 'text', (a) => chars(a0(a)).reverse().join(''));
  def('split_part', ['text', 'text', 'int4'], 'text', (a) =>
    splitPart(a0(a), a[1] as string, a[2] as number),
  );
  def('md5', ['text'], 'text', (a) => md5Hex(a0(a)));
  def('ascii', ['text'], 'int4', (a) => a0(a).codePointAt(0) ?? 0);
  def('chr', ['int4'], 'text', (a) => {
    const n = a[0] as number;
    if (n === 0) throw sqlError('program_limit_exceeded', 'null character not permitted');
    if (n < 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) {
      throw sqlError('program_limit_exceeded', 'requested character too large for encoding: ' + n);
    }
    return String.fromCodePoint(n);
  });
  def('starts_with', ['text', 'text'], 'bool', (a) => a0(a).startsWith(a[1] as string));
  def('translate', ['text', 'text', 'text'], 'text', (a) => translate(a0(a), a[1] as string, a[2] as string));
}

register();
