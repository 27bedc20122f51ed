/**
 * Arbitrary-precision decimal arithmetic for the `numeric` type, on BigInt.
 *
 * A runtime numeric value is its canonical text (`'1.50'`, `'NaN'`, `'Infinity'`); arithmetic
 * parses to a `Dec` (`v / 10^s`), computes exactly and formats back. Result scales follow
 * Postgres' numeric.c (add/sub: max scale; mul: sum of scales; div: select_div_scale; round/trunc:
 * the requested scale), and rounding is half away from zero as in round_var.
 */
import { SqlError, sqlError } from '../errors.ts';

/** A finite decimal `v / 10^s` (s >= 0), or one of the special values. */
export type Dec = { v: bigint; s: number } | 'NaN' | 'Infinity' | '-Infinity';

const MIN_SIG_DIGITS = 16;
const MAX_DISPLAY_SCALE = 1000;

const POW10: bigint[] = [];
/** 10^n as a bigint (cached for small n). */
export function pow10(n: number): bigint {
  if (n < 64) {
    let p = POW10[n];
    if (p === undefined) {
      p = 10n ** BigInt(n);
      POW10[n] = p;
    }
    return p;
  }
  return 10n ** BigInt(n);
}

const NUMERIC_RE = /^\s*([+-]?)(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?\s*$/;

/** Parses numeric input text (numeric_in); throws invalid_text_representation. */
export function parseDec(text: string): Dec {
  const m = NUMERIC_RE.exec(text);
  if (!m) {
    const t = text.trim().toLowerCase();
    if (t === 'nan') return 'NaN';
    if (t === 'infinity' || t === '+infinity' || t === 'inf' || t === '+inf') return 'Infinity';
    if (t === '-infinity' || t === '-inf') return '-Infinity';
    throw sqlError('invalid_text_representation', `invalid input syntax for type numeric: "${text}"`);
  }
  const body = m[2] ?? '0';
  const dot = body.indexOf('.');
  const intPart = dot < 0 ? body : body.slice(0, dot);
  const frac = dot < 0 ? '' : body.slice(dot + 1);
  const exp = m[3] === undefined ? 0 : Number(m[3]);
  if (Math.abs(exp) > 100000) {
    throw sqlError('invalid_text_representation', `invalid input syntax for type numeric: "${text}"`);
  }
  let v = BigInt(intPart + frac || '0');
  let s = frac.length - exp;
  if (s < 0) {
    v *= pow10(-s);
    s = 0;
  }
  if (m[1] === '-') v = -v;
  return { v, s };
}

/** Canonical text of a Dec (numeric_out). */
export function formatDec(d: Dec): string {
  if (typeof d === 'string') return d;
  const neg = d.v < 0n;
  let digits = (neg ? -d.v : d.v).toString();
  if (d.s === 0) return (neg ? '-' : '') + digits;
  if (digits.length <= d.s) digits = '0'.repeat(d.s - digits.length + 1) + digits;
  const cut = digits.length - d.s;
  return (neg ? '-' : '') + digits.slice(0, cut) + '.' + digits.slice(cut);
}

/** Re-canonicalises numeric text (e.g. `'1.5e3'` → `'1500'`). */
export function normalizeNumeric(text: string): string {
  return formatDec(parseDec(text));
}

/** Rescales to exactly `s` digits after the point, rounding half away from zero. */
export function rescale(d: { v: bigint; s: number }, s: number): { v: bigint; s: number } {
  if (s === d.s) return d;
  if (s > d.s) return { v: d.v * pow10(s - d.s), s };
  return { v: divRound(d.v, pow10(d.s - s)), s };
}

/** Integer division rounding half away from zero. */
export function divRound(n: bigint, d: bigint): bigint {
  let q = n / d;
  const r = n % d;
  if (r !== 0n) {
    const r2 = (r < 0n ? -r : r) * 2n;
    const ad = d < 0n ? -d : d;
    if (r2 >= ad) q += n < 0n !== d < 0n ? -1n : 1n;
  }
  return q;
}

function special(a: Dec, b: Dec, f: (x: number, y: number) => number): Dec | undefined {
  if (typeof a !== 'string' && typeof b !== 'string') return undefined;
  return fromFloatSpecial(f(decToFloat(a), decToFloat(b)));
}

function fromFloatSpecial(x: number): Dec {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return { v: 0n, s: 0 };
}

export function decAdd(a: Dec, b: Dec): Dec {
  const sp = special(a, b, (x, y) => x + y);
  if (sp !== undefined || typeof a === 'string' || typeof b === 'string') return sp ?? 'NaN';
  const s = Math.max(a.s, b.s);
  return { v: a.v * pow10(s - a.s) + b.v * pow10(s - b.s), s };
}

export function decNeg(a: Dec): Dec {
  if (a === 'Infinity') return '-Infinity';
  if (a === '-Infinity') return 'Infinity';
  if (a === 'NaN') return a;
  return { v: -a.v, s: a.s };
}

export function decSub(a: Dec, b: Dec): Dec {
  return decAdd(a, decNeg(b));
}

export function decMul(a: Dec, b: Dec): Dec {
  const sp = special(a, b, (x, y) => x * y);
  if (sp !== undefined || typeof a === 'string' || typeof b === 'string') return sp ?? 'NaN';
  checkIntegerDigits(integerDigits(a) + integerDigits(b));
  return { v: a.v * b.v, s: a.s + b.s };
}

/** numeric holds at most 131072 digits before the decimal point (NUMERIC_WEIGHT_MAX). */
const MAX_INTEGER_DIGITS = 131072;

/** Digits before the decimal point of a finite value (an upper bound). */
function integerDigits(d: { v: bigint; s: number }): number {
  const len = (d.v < 0n ? -d.v : d.v).toString().length;
  return Math.max(len - d.s, 0);
}

function checkIntegerDigits(n: number): void {
  if (n > MAX_INTEGER_DIGITS + 1)
    throw sqlError('numeric_value_out_of_range', 'value overflows numeric format');
}

/** Base-10000 weight and first digit of a finite nonzero value, as numeric.c stores it. */
function nbaseWeight(d: { v: bigint; s: number }): { w: number; first: bigint } {
  if (d.v === 0n) return { w: 0, first: 0n };
  const abs = d.v < 0n ? -d.v : d.v;
  const e10 = abs.toString().length - 1 - d.s;
  const w = Math.floor(e10 / 4);
  const shift = d.s + 4 * w;
  const first = shift >= 0 ? abs / pow10(shift) : abs * pow10(-shift);
  return { w, first };
}

/** Postgres' select_div_scale. */
function divScale(a: { v: bigint; s: number }, b: { v: bigint; s: number }): number {
  const x = nbaseWeight(a);
  const y = nbaseWeight(b);
  let qweight = x.w - y.w;
  if (x.first <= y.first) qweight--;
  let r = MIN_SIG_DIGITS - qweight * 4;
  r = Math.max(r, a.s, b.s, 0);
  return Math.min(r, MAX_DISPLAY_SCALE);
}

/** Exact quotient rounded (half away from zero) to `scale` digits. */
export function divToScale(a: { v: bigint; s: number }, b: { v: bigint; s: number }, scale: number): Dec {
  const e = scale - a.s + b.s;
  const n = e >= 0 ? a.v * pow10(e) : a.v;
  const d = e >= 0 ? b.v : b.v * pow10(-e);
  return { v: divRound(n, d), s: scale };
}

function divZero(): SqlError {
  return sqlError('division_by_zero', 'division by zero');
}

function isZero(d: Dec): boolean {
  return typeof d !== 'string' && d.v === 0n;
}

export function decDiv(a: Dec, b: Dec): Dec {
  if (isZero(b) && a !== 'NaN') throw divZero();
  const sp = special(a, b, (x, y) => x / y);
  if (sp !== undefined || typeof a === 'string' || typeof b === 'string') return sp ?? 'NaN';
  return divToScale(a, b, divScale(a, b));
}

/** Truncating integer quotient (numeric div()). */
export function decDivTrunc(a: Dec, b: Dec): Dec {
  if (isZero(b) && a !== 'NaN') throw divZero();
  const sp = special(a, b, (x, y) => Math.trunc(x / y));
  if (sp !== undefined || typeof a === 'string' || typeof b === 'string') return sp ?? 'NaN';
  const s = Math.max(a.s, b.s);
  return { v: (a.v * pow10(s - a.s)) / (b.v * pow10(s - b.s)), s: 0 };
}

export function decMod(a: Dec, b: Dec): Dec {
  if (isZero(b) && a !== 'NaN') throw divZero();
  if (typeof a === 'string' || typeof b === 'string') {
    if (a === 'NaN' || b === 'NaN' || typeof a === 'string') return 'NaN';
    return a;
  }
  const s = Math.max(a.s, b.s);
  return { v: (a.v * pow10(s - a.s)) % (b.v * pow10(s - b.s)), s };
}

export function decCmp(a: Dec, b: Dec): -1 | 0 | 1 {
  const ra = a === 'NaN' ? 2 : a === 'Infinity' ? 1 : a === '-Infinity' ? -1 : 0;
  const rb = b === 'NaN' ? 2 : b === 'Infinity' ? 1 : b === '-Infinity' ? -1 : 0;
  if (ra !== rb || typeof a === 'string' || typeof b === 'string') return ra < rb ? -1 : ra > rb ? 1 : 0;
  const s = Math.max(a.s, b.s);
  const x = a.v * pow10(s - a.s);
  const y = b.v * pow10(s - b.s);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** round(x, n): half away from zero; the result scale is max(n, 0). */
export function decRound(a: Dec, n: number): Dec {
  if (typeof a === 'string') return a;
  n = Math.max(Math.min(n, MAX_DISPLAY_SCALE), -MAX_DISPLAY_SCALE);
  if (n >= a.s) return rescale(a, Math.max(n, 0));
  const p = pow10(a.s - n);
  const v = divRound(a.v, p);
  return n >= 0 ? { v, s: n } : { v: v * pow10(-n), s: 0 };
}

/** trunc(x, n): toward zero; the result scale is max(n, 0). */
export function decTrunc(a: Dec, n: number): Dec {
  if (typeof a === 'string') return a;
  n = Math.max(Math.min(n, MAX_DISPLAY_SCALE), -MAX_DISPLAY_SCALE);
  if (n >= a.s) return rescale(a, Math.max(n, 0));
  const v = a.v / pow10(a.s - n);
  return n >= 0 ? { v, s: n } : { v: v * pow10(-n), s: 0 };
}

export function decCeil(a: Dec): Dec {
  if (typeof a === 'string') return a;
  const p = pow10(a.s);
  let q = a.v / p;
  if (a.v % p !== 0n && a.v > 0n) q += 1n;
  return { v: q, s: 0 };
}

export function decFloor(a: Dec): Dec {
  if (typeof a === 'string') return a;
  const p = pow10(a.s);
  let q = a.v / p;
  if (a.v % p !== 0n && a.v < 0n) q -= 1n;
  return { v: q, s: 0 };
}

export function decAbs(a: Dec): Dec {
  if (a === '-Infinity') return 'Infinity';
  if (typeof a === 'string') return a;
  return a.v < 0n ? { v: -a.v, s: a.s } : a;
}

export function decSign(a: Dec): Dec {
  if (a === 'NaN') return a;
  if (a === 'Infinity') return { v: 1n, s: 0 };
  if (a === '-Infinity') return { v: -1n, s: 0 };
  return { v: a.v > 0n ? 1n : a.v < 0n ? -1n : 0n, s: 0 };
}

export function decToFloat(a: Dec): number {
  if (a === 'NaN') return NaN;
  if (a === 'Infinity') return Infinity;
  if (a === '-Infinity') return -Infinity;
  return Number(formatDec(a));
}

/** float → numeric as Postgres does (float8_numeric: 15 significant digits; float4: 6). */
export function floatToDec(x: number, digits: number): Dec {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return decTrimScale(parseDec(x.toPrecision(digits)));
}

/** Strips trailing fractional zeros (used by float8 conversion output and trim_scale). */
export function decTrimScale(a: Dec): Dec {
  if (typeof a === 'string') return a;
  let { v, s } = a;
  while (s > 0 && v % 10n === 0n) {
    v /= 10n;
    s--;
  }
  return { v, s };
}

/** Rounds toward the nearest integer (half away from zero) for numeric → int casts. */
export function decToBigInt(a: Dec): bigint | undefined {
  if (typeof a === 'string') return undefined;
  return divRound(a.v, pow10(a.s));
}

/** Enforces a numeric(p, s) typmod (apply_typmod). */
export function decApplyTypmod(a: Dec, precision: number, scale: number): Dec {
  if (typeof a === 'string') {
    if (a === 'NaN') return a;
    throw sqlError('numeric_value_out_of_range', 'numeric field overflow', {
      detail: `A field with precision ${precision}, scale ${scale} cannot hold an infinite value.`,
    });
  }
  const r = decRound(a, scale) as { v: bigint; s: number };
  const abs = r.v < 0n ? -r.v : r.v;
  const intDigits = abs === 0n ? 0 : abs.toString().length - r.s;
  if (intDigits > precision - scale) {
    const msg = `A field with precision ${precision}, scale ${scale} must round to an absolute value less than ${
      precision - scale === 0 ? '1' : `10^${precision - scale}`
    }.`;
    throw sqlError('numeric_value_out_of_range', 'numeric field overflow', { detail: msg });
  }
  return scale < 0 ? { v: r.v, s: 0 } : r;
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) {
      while (x * x > n) x--;
      while ((x + 1n) * (x + 1n) <= n) x++;
      return x;
    }
    x = y;
  }
}

export function decSqrt(a: Dec): Dec {
  if (a === 'NaN' || a === 'Infinity') return a;
  if (a === '-Infinity' || a.v < 0n) {
    throw new SqlError('2201F', 'cannot take square root of a negative number');
  }
  const { w } = nbaseWeight(a);
  const sweight = a.v === 0n ? -1 : Math.trunc(((w + 1) * 4) / 2) - 1;
  let rscale = MIN_SIG_DIGITS - sweight;
  rscale = Math.min(Math.max(rscale, a.s, 0), MAX_DISPLAY_SCALE);
  // sqrt(v / 10^s) at scale rscale+1, then round.
  const k = rscale + 1;
  const e = 2 * k - a.s;
  const n = e >= 0 ? a.v * pow10(e) : a.v / pow10(-e);
  const r = isqrt(n);
  return { v: divRound(r, 10n), s: rscale };
}

/** numeric ^ numeric (power_var), exact for integer exponents, float-approximated otherwise. */
export function decPow(a: Dec, b: Dec): Dec {
  if (typeof a === 'string' || typeof b === 'string') {
    if (b !== 'NaN' && typeof b !== 'string' && b.v === 0n) return { v: 1n, s: 0 };
    if (a !== 'NaN' && typeof a !== 'string' && a.v === 1n * pow10(a.s)) return { v: 1n, s: 0 };
    return fromFloatSpecial(Math.pow(decToFloat(a), decToFloat(b)));
  }
  if (a.v === 0n && b.v < 0n) {
    throw new SqlError('2201F', 'zero raised to a negative power is undefined');
  }
  const bi = decTrimScale(b) as { v: bigint; s: number };
  if (bi.s === 0 && bi.v >= -100000n && bi.v <= 100000n) {
    const e = Number(bi.v);
    const rscale = Math.min(Math.max(MIN_SIG_DIGITS, a.s, 0), MAX_DISPLAY_SCALE);
    if (e >= 0) {
      checkIntegerDigits(integerDigits(a) * e);
      return rescale({ v: a.v ** BigInt(e), s: a.s * e }, rscale);
    }
    const num = { v: 1n, s: 0 };
    // The divisor's size: what is left of it after the scale (10^-n underflows to 0).
    if (integerDigits(a) * -e > MAX_INTEGER_DIGITS * 2) return { v: 0n, s: rscale };
    return divToScale(num, { v: a.v ** BigInt(-e), s: a.s * -e }, rscale);
  }
  if (a.v < 0n) {
    throw new SqlError('2201F', 'a negative number raised to a non-integer power yields a complex result');
  }
  const x = decToFloat(a);
  const y = decToFloat(b);
  let val = Math.log(x) * y * 0.434294481903252;
  if (val > MAX_INTEGER_DIGITS)
    throw sqlError('numeric_value_out_of_range', 'value overflows numeric format');
  val = Math.max(Math.min(val, 2000), -2000);
  let rscale = MIN_SIG_DIGITS - Math.trunc(val);
  rscale = Math.min(Math.max(rscale, a.s, b.s, 0), MAX_DISPLAY_SCALE);
  const r = Math.pow(x, y);
  return decRound(parseDec(r.toPrecision(17)), rscale);
}

/** Result scale for ln/log/exp approximations: at least 16 significant digits. */
export function decFromFloatSig(r: number, minScale: number): Dec {
  if (!Number.isFinite(r)) return fromFloatSpecial(r);
  const mag = r === 0 ? 0 : Math.floor(Math.log10(Math.abs(r)));
  const rscale = Math.min(Math.max(MIN_SIG_DIGITS - mag - 1, minScale, 0), MAX_DISPLAY_SCALE);
  return decRound(parseDec(r.toPrecision(17)), rscale);
}
