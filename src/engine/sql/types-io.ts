/**
 * Value text I/O (Postgres' typinput/typoutput functions), typmod enforcement, the client-facing
 * value form and the per-type sort order.
 */
import { sqlError } from '../errors.ts';
import type { SqlType, Value } from './types.ts';
import { typeDisplayName } from './types.ts';
import { decApplyTypmod, decCmp, formatDec, parseDec } from './numeric.ts';
import { formatFloat, parseFloatText } from './types-float.ts';
import { formatDate, formatTimestamp, parseDateTime, roundTimestamp } from './datetime.ts';
import { compareJsonb, jsonbIn, jsonIn } from './json.ts';

const INT_RE = /^\s*([+-]?\d+)\s*$/;

function parseInt(text: string, t: 'int2' | 'int4' | 'int8'): number | bigint {
  const label = t === 'int2' ? 'smallint' : t === 'int4' ? 'integer' : 'bigint';
  const m = INT_RE.exec(text);
  if (!m) throw sqlError('invalid_text_representation', `invalid input syntax for type ${label}: "${text}"`);
  const digits = m[1] ?? '0';
  if (t === 'int8') {
    const b = BigInt(digits);
    if (b > 9223372036854775807n || b < -9223372036854775808n) {
      throw sqlError('numeric_value_out_of_range', `value "${text}" is out of range for type bigint`);
    }
    return b;
  }
  const n = Number(digits);
  const lim = t === 'int2' ? 32768 : 2147483648;
  if (n >= lim || n < -lim) {
    throw sqlError('numeric_value_out_of_range', `value "${text}" is out of range for type ${label}`);
  }
  return n === 0 ? 0 : n;
}

const BOOL_TRUE = ['true', 'yes', 'on', '1'];
const BOOL_FALSE = ['false', 'no', 'off', '0'];

function parseBool(text: string): boolean {
  const t = text.trim().toLowerCase();
  if (t.length > 0) {
    for (const w of BOOL_TRUE) if (w.startsWith(t) && (w !== 'on' || t.length >= 2)) return true;
    for (const w of BOOL_FALSE) if (w.startsWith(t) && (w !== 'off' || t.length >= 2)) return false;
  }
  throw sqlError('invalid_text_representation', `invalid input syntax for type boolean: "${text}"`);
}

/** Length in characters (code points), as Postgres counts for UTF-8. */
export function charLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      n--;
      i++;
    }
  }
  return n;
}

/** The first `n` characters (code points) of s. */
export function charSlice(s: string, n: number): string {
  if (s.length <= n) return s;
  let i = 0;
  let k = 0;
  while (i < s.length && k < n) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    k++;
  }
  return s.slice(0, i);
}

/**
 * Applies a type modifier to a value already of the base type (varchar/bpchar length, numeric
 * precision/scale, timestamp precision). `explicit` casts truncate strings silently.
 */
export function applyTypmod(v: Value, t: SqlType, explicit: boolean): Value {
  const m = t.typmod;
  if (v === null || !m || m.length === 0) return v;
  switch (t.name) {
    case 'varchar':
    case 'bpchar': {
      const n = m[0] ?? 0;
      let s = v as string;
      const len = charLength(s);
      if (len > n) {
        const head = charSlice(s, n);
        if (!explicit && !/^ *$/.test(s.slice(head.length))) {
          throw sqlError('string_data_right_truncation', `value too long for type ${typeDisplayName(t)}`);
        }
        s = head;
      } else if (t.name === 'bpchar' && len < n) {
        s = s + ' '.repeat(n - len);
      }
      return s;
    }
    case 'numeric':
      return formatDec(decApplyTypmod(parseDec(v as string), m[0] ?? 0, m[1] ?? 0));
    case 'timestamp':
    case 'timestamptz':
      return roundTimestamp(v as number, m[0] ?? 6);
    default:
      return v;
  }
}

/** Parses text with the type's input function (and typmod, as an explicit cast would). */
export function parseValue(text: string, t: SqlType, explicit = true): Value {
  let v: Value;
  switch (t.name) {
    case 'int2':
    case 'int4':
    case 'int8':
      return parseInt(text, t.name);
    case 'float4':
      return parseFloatText(text, true);
    case 'float8':
      return parseFloatText(text, false);
    case 'numeric':
      v = formatDec(parseDec(text));
      break;
    case 'bool':
      return parseBool(text);
    case 'json':
      return jsonIn(text);
    case 'jsonb':
      return jsonbIn(text);
    case 'date':
      return parseDateTime(text, 'date');
    case 'timestamp':
    case 'timestamptz':
      v = parseDateTime(text, t.name);
      break;
    default:
      v = text;
  }
  return applyTypmod(v, t, explicit);
}

/** Postgres' text output for a non-null value. */
export function formatValue(v: Value, t: SqlType): string {
  if (v === null) return '';
  switch (t.name) {
    case 'float4':
      return formatFloat(v as number, true);
    case 'float8':
      return formatFloat(v as number, false);
    case 'bool':
      return v ? 't' : 'f';
    case 'date':
      return formatDate(v as number);
    case 'timestamp':
      return formatTimestamp(v as number, false);
    case 'timestamptz':
      return formatTimestamp(v as number, true);
    default:
      return typeof v === 'number' && Object.is(v, -0) ? '0' : String(v);
  }
}

/** What the public API hands back in rows. */
export function toClientValue(v: Value, t: SqlType): unknown {
  if (v === null) return null;
  switch (t.name) {
    case 'int8': {
      const b = v as bigint;
      return b <= 9007199254740991n && b >= -9007199254740991n ? Number(b) : b.toString();
    }
    case 'int2':
    case 'int4':
    case 'float4':
    case 'float8':
    case 'bool':
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'unknown':
      return v;
    default:
      return formatValue(v, t);
  }
}

/** Code-point order of two strings (UTF-8 byte order, Postgres' "C" collation). */
export function compareText(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 || y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x >= 0xd800 ? x + 0x2000 : x;
        y = y >= 0xe000 ? y - 0x800 : y >= 0xd800 ? y + 0x2000 : y;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : 1;
}

/** Strips trailing spaces (bpchar semantics). */
export function bpcharTrim(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 32) e--;
  return e === s.length ? s : s.slice(0, e);
}

const NUMERIC_INT_RE = /^-?\d+$/;

function compareNumericText(a: string, b: string): -1 | 0 | 1 {
  if (NUMERIC_INT_RE.test(a) && NUMERIC_INT_RE.test(b) && a.length < 16 && b.length < 16) {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return decCmp(parseDec(a), parseDec(b));
}

/** Postgres' btree order for two non-null values of type t (NaN sorts last for floats/numeric). */
export function compareValues(a: Value, b: Value, t: SqlType): -1 | 0 | 1 {
  switch (t.name) {
    case 'float4':
    case 'float8': {
      const x = a as number;
      const y = b as number;
      if (x < y) return -1;
      if (x > y) return 1;
      if (x === y) return 0;
      const nx = Number.isNaN(x);
      const ny = Number.isNaN(y);
      return nx === ny ? 0 : nx ? 1 : -1;
    }
    case 'numeric':
      return compareNumericText(a as string, b as string);
    case 'text':
    case 'varchar':
    case 'unknown':
      return compareText(a as string, b as string);
    case 'bpchar':
      return compareText(bpcharTrim(a as string), bpcharTrim(b as string));
    case 'bool':
      return a === b ? 0 : a ? 1 : -1;
    case 'jsonb':
    case 'json':
      return compareJsonb(a as string, b as string);
    default: {
      const x = a as number | bigint;
      const y = b as number | bigint;
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}
