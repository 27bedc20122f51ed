/**
 * float4/float8 text I/O as Postgres 15 does it: shortest round-trip digits (Ryu), fixed
 * notation for decimal exponents in [-4, 15) (float8) or [-4, 6) (float4), otherwise `d.ddde+XX`.
 */
import { sqlError } from '../errors.ts';

/** Shortest digits and decimal exponent of |x| (x finite, nonzero) that round-trip. */
function shortest(x: number, single: boolean): { digits: string; exp: number } {
  let s: string;
  if (!single) {
    s = Math.abs(x).toExponential();
  } else {
    const ax = Math.abs(x);
    s = ax.toExponential(8);
    for (let p = 0; p <= 8; p++) {
      const c = ax.toExponential(p);
      if (Math.fround(Number(c)) === ax) {
        s = c;
        break;
      }
    }
  }
  const e = s.indexOf('e');
  const digits = s.slice(0, e).replace('.', '');
  return { digits: digits.replace(/0+$/, '') || '0', exp: Number(s.slice(e + 1)) };
}

/** float8out / float4out. */
export function formatFloat(x: number, single: boolean): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const sign = x < 0 ? '-' : '';
  const { digits, exp } = shortest(x, single);
  const limit = single ? 6 : 15;
  if (exp >= -4 && exp < limit) {
    if (exp < 0) return sign + '0.' + '0'.repeat(-exp - 1) + digits;
    if (digits.length <= exp + 1) return sign + digits + '0'.repeat(exp + 1 - digits.length);
    return sign + digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  }
  const mant = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
  const ae = Math.abs(exp);
  return `${sign}${mant}e${exp < 0 ? '-' : '+'}${ae < 10 ? '0' : ''}${ae}`;
}

const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** float8in / float4in. */
export function parseFloatText(text: string, single: boolean): number {
  const t = text.trim();
  const typeName = single ? 'real' : 'double precision';
  let v: number;
  if (FLOAT_RE.test(t)) {
    v = Number(t);
  } else {
    const l = t.toLowerCase();
    if (l === 'nan' || l === '+nan' || l === '-nan') return NaN;
    else if (l === 'infinity' || l === '+infinity' || l === 'inf' || l === '+inf') return Infinity;
    else if (l === '-infinity' || l === '-inf') return -Infinity;
    throw sqlError('invalid_text_representation', `invalid input syntax for type ${typeName}: "${text}"`);
  }
  if (single) {
    const f = Math.fround(v);
    if (!Number.isFinite(f) || (f === 0 && !isZeroText(t))) {
      throw sqlError('numeric_value_out_of_range', `"${text}" is out of range for type real`);
    }
    return f;
  }
  if (!Number.isFinite(v) || (v === 0 && !isZeroText(t))) {
    throw sqlError('numeric_value_out_of_range', `"${text}" is out of range for type double precision`);
  }
  return v;
}

function isZeroText(t: string): boolean {
  const m = /^[+-]?([\d.]*)/.exec(t);
  return !/[1-9]/.test(m?.[1] ?? '');
}

/** Checks a float8 arithmetic result (float_overflow_error / float_underflow_error). */
export function checkFloat8(r: number, inf: boolean, zero: boolean): number {
  if (r === Infinity || r === -Infinity) {
    if (!inf) throw sqlError('numeric_value_out_of_range', 'value out of range: overflow');
  } else if (r === 0 && !zero) {
    throw sqlError('numeric_value_out_of_range', 'value out of range: underflow');
  }
  return r;
}

/** Same for float4: rounds to single precision first. */
export function checkFloat4(r: number, inf: boolean, zero: boolean): number {
  return checkFloat8(Math.fround(r), inf, zero);
}
