/**
 * Our cluster's row values converted to Postgres' text output, so both sides of the differential
 * test compare as text. Floats need care: Postgres (12+, extra_float_digits = 1) prints the
 * shortest round-trip digits like JS, but switches to exponent form at a different point
 * (`%g`-style: exponent < -4 or >= 15 digits for float8, >= 6 for float4) and writes at least
 * two exponent digits ('1e+15', '1e-05').
 */

function formatDigits(sign: string, digits: string, exp: number, maxExp: number): string {
  // value = d1.d2d3... × 10^exp
  if (exp < -4 || exp >= maxExp) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return sign + digits + '0'.repeat(exp + 1 - digits.length);
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/**
 * Shortest decimal digits that read back as the binary float `m2 × 2^e2`, chosen as Postgres'
 * Ryu does: the interval of valid representations excludes its bounds, and among the shortest
 * candidates the one nearest the exact value wins (exact ties round to even).
 */
function shortestDigits(m2: bigint, e2: number, mmShift: bigint): { digits: string; exp: number } {
  // The exact value and the interval bounds, as integers × 2^E.
  const E = e2 - 2;
  let mv = 4n * m2;
  let mp = mv + 2n;
  let mm = mv - 1n - mmShift;
  let F = 0; // decimal scale: the values are now integers × 10^F
  if (E >= 0) {
    const s = 1n << BigInt(E);
    mv *= s;
    mp *= s;
    mm *= s;
  } else {
    const s = 5n ** BigInt(-E);
    mv *= s;
    mp *= s;
    mm *= s;
    F = E;
  }
  let k = mp.toString().length;
  for (; k > 0; k--) {
    const p = 10n ** BigInt(k);
    const firstAbove = (mm / p + 1n) * p;
    if (firstAbove < mp) break;
  }
  const p = 10n ** BigInt(k);
  let c = mv / p;
  const rem = mv - c * p;
  if (rem * 2n > p || (rem * 2n === p && c % 2n === 1n)) c += 1n;
  if (c * p <= mm) c += 1n;
  if (c * p >= mp) c -= 1n;
  let digits = c.toString();
  const exp = F + k + digits.length - 1;
  digits = digits.replace(/0+$/, '') || '0';
  return { digits, exp };
}

function special(n: number): string | undefined {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  return undefined;
}

/** Postgres' float8out text for a double. */
export function float8Text(n: number): string {
  const sp = special(n);
  if (sp !== undefined) return sp;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, n);
  const bits = view.getBigUint64(0);
  const ieeeExp = Number((bits >> 52n) & 0x7ffn);
  const ieeeMant = bits & ((1n << 52n) - 1n);
  const m2 = ieeeExp === 0 ? ieeeMant : ieeeMant | (1n << 52n);
  const e2 = (ieeeExp === 0 ? 1 : ieeeExp) - 1023 - 52;
  const mmShift = ieeeMant !== 0n || ieeeExp <= 1 ? 1n : 0n;
  const { digits, exp } = shortestDigits(m2, e2, mmShift);
  return formatDigits(n < 0 ? '-' : '', digits, exp, 15);
}

/** Postgres' float4out text for a value that is (or is rounded to) a single-precision float. */
export function float4Text(n: number): string {
  const f = Math.fround(n);
  const sp = special(f);
  if (sp !== undefined) return sp;
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, f);
  const bits = view.getUint32(0);
  const ieeeExp = (bits >>> 23) & 0xff;
  const ieeeMant = bits & 0x7fffff;
  const m2 = BigInt(ieeeExp === 0 ? ieeeMant : ieeeMant | 0x800000);
  const e2 = (ieeeExp === 0 ? 1 : ieeeExp) - 127 - 23;
  const mmShift = ieeeMant !== 0 || ieeeExp <= 1 ? 1n : 0n;
  const { digits, exp } = shortestDigits(m2, e2, mmShift);
  return formatDigits(f < 0 ? '-' : '', digits, exp, 6);
}

const TYPE_ALIASES: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  float: 'double precision',
  bool: 'boolean',
  varchar: 'character varying',
  bpchar: 'character',
  char: 'character',
  decimal: 'numeric',
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  'timestamp with time zone': 'timestamp with time zone',
};

/** A type name in `format_type` spelling, without a type modifier: 'int4' → 'integer'. */
export function canonicalType(type: string): string {
  const t = type
    .trim()
    .toLowerCase()
    .replace(/\s*\([^)]*\)/, '')
    .replace(/\s+/g, ' ');
  return TYPE_ALIASES[t] ?? t;
}

export function isFloatType(type: string): boolean {
  const t = canonicalType(type);
  return t === 'double precision' || t === 'real';
}

/** One of our cluster's values as Postgres would print it for a column of `type`. */
export function toPgText(v: unknown, type: string): string | null {
  if (v === null || v === undefined) return null;
  const t = canonicalType(type);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') {
    if (t === 'real') return float4Text(v);
    if (t === 'double precision') return float8Text(v);
    if (Number.isInteger(v)) return String(v);
    return float8Text(v);
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v);
}
