/**
 * Number and unit handling of configuration parameters, as Postgres' guc.c does it (PG 12, the
 * base of Greenplum 7; checked against a PG 15 server, which behaves the same here):
 *
 * - Integers are read like C's `strtol(value, &end, 0)`: leading blanks, an optional sign, and
 *   decimal, octal (`010` = 8) or hex (`0x10` = 16). If a `.`, `e`/`E` follows, or the number
 *   overflows, the text is read again as a float (`1.5`, `1e3`) and rounded half-to-even, like
 *   `rint()`.
 * - A unit may follow, after optional blanks: `ms`, `s`, `min`, `h`, `d`, `us` for times;
 *   `B`, `kB`, `MB`, `GB`, `TB` for sizes. Units are case-sensitive (`30S` is refused).
 *   A fractional value in a unit is rounded to the next smaller unit (`1.5min` = `90s`).
 * - Displaying (SHOW) picks the largest unit that divides the value evenly: 300 s shows as `5min`,
 *   1024 pages of 8 kB as `8MB`, 1000 pages as `8000kB`. Zero and negative values show bare.
 */

/** The unit a parameter's value is stored in. '8kB' = pages of 8 KB (BLCKSZ). */
export type GucUnit = 'B' | 'kB' | 'MB' | '8kB' | 'ms' | 's' | 'min';

interface UnitConversion {
  unit: string;
  multiplier: number;
}

const KB = 1024;
const MEMORY: Record<'B' | 'kB' | 'MB' | '8kB', readonly UnitConversion[]> = {
  B: [
    { unit: 'TB', multiplier: KB ** 4 },
    { unit: 'GB', multiplier: KB ** 3 },
    { unit: 'MB', multiplier: KB ** 2 },
    { unit: 'kB', multiplier: KB },
    { unit: 'B', multiplier: 1 },
  ],
  kB: [
    { unit: 'TB', multiplier: KB ** 3 },
    { unit: 'GB', multiplier: KB ** 2 },
    { unit: 'MB', multiplier: KB },
    { unit: 'kB', multiplier: 1 },
    { unit: 'B', multiplier: 1 / KB },
  ],
  MB: [
    { unit: 'TB', multiplier: KB ** 2 },
    { unit: 'GB', multiplier: KB },
    { unit: 'MB', multiplier: 1 },
    { unit: 'kB', multiplier: 1 / KB },
    { unit: 'B', multiplier: 1 / KB ** 2 },
  ],
  '8kB': [
    { unit: 'TB', multiplier: KB ** 3 / 8 },
    { unit: 'GB', multiplier: KB ** 2 / 8 },
    { unit: 'MB', multiplier: KB / 8 },
    { unit: 'kB', multiplier: 1 / 8 },
    { unit: 'B', multiplier: 1 / 8192 },
  ],
};
const TIME: Record<'ms' | 's' | 'min', readonly UnitConversion[]> = {
  ms: [
    { unit: 'd', multiplier: 86_400_000 },
    { unit: 'h', multiplier: 3_600_000 },
    { unit: 'min', multiplier: 60_000 },
    { unit: 's', multiplier: 1000 },
    { unit: 'ms', multiplier: 1 },
    { unit: 'us', multiplier: 1 / 1000 },
  ],
  s: [
    { unit: 'd', multiplier: 86_400 },
    { unit: 'h', multiplier: 3600 },
    { unit: 'min', multiplier: 60 },
    { unit: 's', multiplier: 1 },
    { unit: 'ms', multiplier: 1 / 1000 },
    { unit: 'us', multiplier: 1 / 1_000_000 },
  ],
  min: [
    { unit: 'd', multiplier: 1440 },
    { unit: 'h', multiplier: 60 },
    { unit: 'min', multiplier: 1 },
    { unit: 's', multiplier: 1 / 60 },
    { unit: 'ms', multiplier: 1 / 60_000 },
    { unit: 'us', multiplier: 1 / 60_000_000 },
  ],
};

export const MEMORY_UNITS_HINT = 'Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".';
export const TIME_UNITS_HINT = 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".';

export const INT_MAX = 2147483647;
export const INT_MIN = -2147483648;

function table(unit: GucUnit): readonly UnitConversion[] {
  return unit === 'ms' || unit === 's' || unit === 'min' ? TIME[unit] : MEMORY[unit];
}

export function isTimeUnit(unit: GucUnit): boolean {
  return unit === 'ms' || unit === 's' || unit === 'min';
}

/** C's `rint()` in the default rounding mode: to nearest, ties to even. */
export function rint(x: number): number {
  if (!Number.isFinite(x)) return x;
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

const C_SPACE = /[ \t\n\v\f\r]/;

function skipSpace(s: string, i: number): number {
  while (i < s.length && C_SPACE.test(s[i] ?? '')) i++;
  return i;
}

/** `strtol(s, &end, 0)`: the value, where parsing stopped (0 when no digits), and overflow. */
function strtol(s: string): { value: number; end: number; erange: boolean } {
  let i = skipSpace(s, 0);
  let negative = false;
  if (s[i] === '+' || s[i] === '-') {
    negative = s[i] === '-';
    i++;
  }
  let digits: string;
  let radix: number;
  const hex = /^0[xX]([0-9a-fA-F]+)/.exec(s.slice(i));
  if (hex?.[1] !== undefined) {
    digits = hex[1];
    radix = 16;
    i += hex[0].length;
  } else {
    const m = (s[i] === '0' ? /^[0-7]+/ : /^[0-9]+/).exec(s.slice(i));
    if (!m) return { value: 0, end: 0, erange: false };
    digits = m[0];
    radix = s[i] === '0' ? 8 : 10;
    i += m[0].length;
  }
  let big = 0n;
  for (const ch of digits) big = big * BigInt(radix) + BigInt(parseInt(ch, 16));
  if (negative) big = -big;
  const erange = big > 9223372036854775807n || big < -9223372036854775808n;
  return { value: Number(big), end: i, erange };
}

/** `strtod(s, &end)` for the forms Postgres users type (no hex floats). */
function strtod(s: string): { value: number; end: number; erange: boolean } {
  const start = skipSpace(s, 0);
  const m = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)/i.exec(s.slice(start));
  if (!m) return { value: 0, end: 0, erange: false };
  const text = m[0];
  const lower = text.toLowerCase().replace(/^[+-]/, '');
  const sign = text.startsWith('-') ? -1 : 1;
  let value: number;
  if (lower.startsWith('inf')) value = sign * Infinity;
  else if (lower === 'nan') value = NaN;
  else value = Number(text);
  const erange = !Number.isFinite(value) && !Number.isNaN(value) && !lower.startsWith('inf');
  return { value, end: start + text.length, erange };
}

/** The value of `text` in a unit, in the parameter's own unit; undefined if the unit is wrong. */
function convertToBaseUnit(value: number, text: string, unit: GucUnit): number | undefined {
  const m = /^([^ \t\n\v\f\r]{0,3})[ \t\n\v\f\r]*$/.exec(text);
  if (!m) return undefined;
  const name = m[1];
  const t = table(unit);
  for (let i = 0; i < t.length; i++) {
    const entry = t[i];
    if (!entry || entry.unit !== name) continue;
    let cvalue = value * entry.multiplier;
    const next = t[i + 1];
    if (next) cvalue = rint(cvalue / next.multiplier) * next.multiplier;
    return cvalue;
  }
  return undefined;
}

export type NumberParse = { ok: true; value: number } | { ok: false; hint?: string };

/** Postgres' `parse_int`: an integer GUC value, with an optional unit. */
export function parseIntSetting(text: string, unit: GucUnit | undefined): NumberParse {
  const l = strtol(text);
  let value = l.value;
  let end = l.end;
  const next = text[end];
  if (next === '.' || next === 'e' || next === 'E' || l.erange) {
    const d = strtod(text);
    if (d.end === 0 || d.erange) return { ok: false };
    value = d.value;
    end = d.end;
  }
  if (end === 0) return { ok: false };
  end = skipSpace(text, end);
  if (end < text.length) {
    if (unit === undefined) return { ok: false };
    const converted = convertToBaseUnit(value, text.slice(end), unit);
    if (converted === undefined)
      return { ok: false, hint: isTimeUnit(unit) ? TIME_UNITS_HINT : MEMORY_UNITS_HINT };
    value = converted;
  }
  value = rint(value);
  if (!Number.isFinite(value) || value > INT_MAX || value < INT_MIN) {
    return { ok: false, hint: 'Value exceeds integer range.' };
  }
  return { ok: true, value };
}

/** Postgres' `parse_real`: a floating-point GUC value, with an optional unit. */
export function parseRealSetting(text: string, unit: GucUnit | undefined): NumberParse {
  const d = strtod(text);
  if (d.end === 0 || d.erange) return { ok: false };
  let value = d.value;
  const end = skipSpace(text, d.end);
  if (end < text.length) {
    if (unit === undefined) return { ok: false };
    const converted = convertToBaseUnit(value, text.slice(end), unit);
    if (converted === undefined)
      return { ok: false, hint: isTimeUnit(unit) ? TIME_UNITS_HINT : MEMORY_UNITS_HINT };
    value = converted;
  }
  if (Number.isNaN(value)) return { ok: false };
  return { ok: true, value };
}

/** C's `printf("%g")`: 6 significant digits, exponent form below 1e-4 or from 1e6. */
export function formatG(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa = '0', expText = '0'] = value.toExponential(5).split('e');
  const exp = Number(expText);
  const strip = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp);
    return `${strip(mantissa)}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  return strip(value.toFixed(5 - exp));
}

/** SHOW's form of an integer: the largest unit that divides it evenly (`convert_int_from_base_unit`). */
export function formatIntSetting(value: number, unit: GucUnit | undefined): string {
  if (unit === undefined || value <= 0) return String(value);
  for (const entry of table(unit)) {
    if (entry.multiplier <= 1 || value % entry.multiplier === 0) {
      return `${rint(value / entry.multiplier)}${entry.unit}`;
    }
  }
  return String(value);
}

/** SHOW's form of a real: the first unit giving (nearly) an integer, else the smallest (`%g`). */
export function formatRealSetting(value: number, unit: GucUnit | undefined): string {
  if (unit === undefined || value === 0) return formatG(value);
  let shown = value;
  let name = '';
  for (const entry of table(unit)) {
    shown = value / entry.multiplier;
    name = entry.unit;
    if (shown > 0 && Math.abs(rint(shown) / shown - 1) <= 1e-8) break;
  }
  return `${formatG(shown)}${name}`;
}

/** How many milliseconds (time units) or bytes (memory units) one unit of `unit` is. */
export function baseUnitFactor(unit: GucUnit): number {
  switch (unit) {
    case 'ms':
      return 1;
    case 's':
      return 1000;
    case 'min':
      return 60_000;
    case 'B':
      return 1;
    case 'kB':
      return 1024;
    case 'MB':
      return 1024 * 1024;
    case '8kB':
      return 8192;
  }
}
