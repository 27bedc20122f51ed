/**
 * Transcendental numeric functions (exp, ln, log) computed in BigInt fixed point with guard
 * digits, rounded to the result scale Postgres' numeric.c selects.
 */
import { SqlError } from '../errors.ts';
import type { Dec } from './numeric.ts';
import { decPow, divRound, pow10, divToScale } from './numeric.ts';

const MIN_SIG = 16;
const MAX_SCALE = 1000;

type Fin = { v: bigint; s: number };

function clampScale(r: number): number {
  return Math.min(Math.max(r, 0), MAX_SCALE);
}

/** Converts a finite Dec to fixed point with p digits. */
function toFixed(d: Fin, p: number): bigint {
  return p >= d.s ? d.v * pow10(p - d.s) : divRound(d.v, pow10(d.s - p));
}

/** atanh(1/n) * 10^p for integer n >= 2, by the series sum 1/((2k+1) n^(2k+1)). */
function atanhInv(n: bigint, p: number): bigint {
  const one = pow10(p);
  let term = one / n;
  const n2 = n * n;
  let sum = term;
  for (let k = 1n; term !== 0n; k++) {
    term /= n2;
    sum += term / (2n * k + 1n);
  }
  return sum;
}

function ln2(p: number): bigint {
  return 2n * atanhInv(3n, p);
}

function ln10(p: number): bigint {
  return 2n * atanhInv(9n, p) + 3n * ln2(p);
}

/** ln(x) in fixed point p for x > 0 given in fixed point p. */
function lnFixed(x: bigint, p: number): bigint {
  const one = pow10(p);
  // Scale into [0.5, 2) by powers of 10 then 2.
  let k10 = 0;
  const digits = x.toString().length - 1 - p;
  if (digits !== 0) {
    k10 = digits;
    x = digits > 0 ? x / pow10(digits) : x * pow10(-digits);
  }
  let k2 = 0;
  while (x >= 2n * one) {
    x /= 2n;
    k2++;
  }
  while (x * 2n < one) {
    x *= 2n;
    k2--;
  }
  // ln(x) = 2 atanh(z), z = (x-1)/(x+1)
  const z = ((x - one) * one) / (x + one);
  const z2 = (z * z) / one;
  let term = z;
  let sum = z;
  for (let k = 1n; term !== 0n; k++) {
    term = (term * z2) / one;
    sum += term / (2n * k + 1n);
  }
  return 2n * sum + BigInt(k2) * ln2(p) + BigInt(k10) * ln10(p);
}

/** exp(x) in fixed point p. */
function expFixed(x: bigint, p: number): bigint {
  const one = pow10(p);
  let k = 0;
  const half = one / 2n;
  while ((x < 0n ? -x : x) > half) {
    x /= 2n;
    k++;
  }
  let term = one;
  let sum = one;
  for (let i = 1n; term !== 0n; i++) {
    term = (term * x) / (one * i);
    sum += term;
  }
  for (let i = 0; i < k; i++) sum = (sum * sum) / one;
  return sum;
}

/** floor(log10 |d|) for a finite nonzero value. */
function decExponent(d: Fin): number {
  const a = d.v < 0n ? -d.v : d.v;
  return a.toString().length - 1 - d.s;
}

/** Postgres' estimate_ln_dweight. */
function estimateLnDweight(d: Fin): number {
  const one = pow10(d.s);
  const ten = d.v * 10n;
  if (ten >= 9n * one && ten <= 11n * one) {
    const diff = d.v - one;
    if (diff === 0n) return 0;
    return decExponent({ v: diff, s: d.s });
  }
  if (d.v <= 0n) return 0;
  const e = decExponent(d);
  const str = d.v.toString();
  const mant = Number(str.slice(0, 17)) / 10 ** (Math.min(str.length, 17) - 1);
  const lnv = Math.log(mant) + e * 2.302585092994046;
  return Math.trunc(Math.log10(Math.abs(lnv)));
}

function lnArgCheck(a: Dec): asserts a is Fin {
  if (a === 'NaN' || a === 'Infinity' || a === '-Infinity') return;
  if (a.v === 0n) throw new SqlError('2201E', 'cannot take logarithm of zero');
  if (a.v < 0n) throw new SqlError('2201E', 'cannot take logarithm of a negative number');
}

export function decLn(a: Dec): Dec {
  if (a === 'NaN' || a === 'Infinity') return a;
  if (a === '-Infinity') throw new SqlError('2201E', 'cannot take logarithm of a negative number');
  lnArgCheck(a);
  const rscale = clampScale(Math.max(MIN_SIG - estimateLnDweight(a), a.s));
  const p = rscale + 10;
  const r = lnFixed(toFixed(a, p + 5), p + 5);
  return { v: divRound(r, pow10(5 + 10)), s: rscale };
}

export function decLogBase(base: Dec, num: Dec): Dec {
  if (base === 'NaN' || num === 'NaN') return 'NaN';
  if (typeof base === 'string' || typeof num === 'string') {
    if (base === '-Infinity' || num === '-Infinity') {
      throw new SqlError('2201E', 'cannot take logarithm of a negative number');
    }
    if (base === 'Infinity' && num === 'Infinity') return 'NaN';
    return num === 'Infinity' ? 'Infinity' : { v: 0n, s: 0 };
  }
  lnArgCheck(base);
  lnArgCheck(num);
  const dw = estimateLnDweight(num) - estimateLnDweight(base);
  const rscale = clampScale(Math.max(MIN_SIG - dw, base.s, num.s));
  const extra = Math.max(0, Math.abs(dw)) + 20;
  const p = rscale + extra;
  const lb = lnFixed(toFixed(base, p), p);
  const ln = lnFixed(toFixed(num, p), p);
  if (lb === 0n) throw new SqlError('22012', 'division by zero');
  return divToScale({ v: ln, s: p }, { v: lb, s: p }, rscale);
}

export function decLog10(a: Dec): Dec {
  return decLogBase({ v: 10n, s: 0 }, a);
}

export function decExp(a: Dec): Dec {
  if (a === 'NaN' || a === 'Infinity') return a;
  if (a === '-Infinity') return { v: 0n, s: 0 };
  const xf = Number(a.v) / 10 ** a.s;
  let val = xf * 0.434294481903252;
  val = Math.max(Math.min(val, 2000), -2000);
  if (val > 1000 * 131) throw new SqlError('22003', 'value overflows numeric format');
  const rscale = clampScale(Math.max(MIN_SIG - Math.trunc(val), a.s));
  const mag = Math.max(0, Math.ceil(val));
  const p = rscale + mag + 20 + Math.ceil(Math.log2(Math.abs(xf) + 1)) + 5;
  const r = expFixed(toFixed(a, p), p);
  return { v: divRound(r, pow10(p - rscale)), s: rscale };
}

/** numeric ^ numeric: exact for integer exponents (numeric.ts), else exp(y ln x) in high precision. */
export function decPower(a: Dec, b: Dec): Dec {
  if (typeof a === 'string' || typeof b === 'string') return decPow(a, b);
  const bt = b.s === 0 || b.v % pow10(b.s) === 0n;
  if (bt || a.v <= 0n) return decPow(a, b);
  const xf = Number(a.v) / 10 ** a.s;
  const yf = Number(b.v) / 10 ** b.s;
  let val = Math.log(xf) * yf * 0.434294481903252;
  val = Math.max(Math.min(val, 2000), -2000);
  const rscale = clampScale(Math.max(MIN_SIG - Math.trunc(val), a.s, b.s));
  const p = rscale + Math.max(0, Math.ceil(val)) + 20 + Math.ceil(Math.log10(Math.abs(yf) + 1));
  const lnx = lnFixed(toFixed(a, p), p);
  const prod = (lnx * toFixed(b, p)) / pow10(p);
  const r = expFixed(prod, p);
  return { v: divRound(r, pow10(p - rscale)), s: rscale };
}
