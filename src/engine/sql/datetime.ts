/**
 * date / timestamp / timestamptz: text I/O, arithmetic, date_part/extract and date_trunc.
 *
 * date = days since 2000-01-01; timestamps = microseconds since 2000-01-01 00:00:00 (UTC for
 * timestamptz; the session time zone is always UTC). ±Infinity encode 'infinity'/'-infinity'.
 * The calendar is the proleptic Gregorian one, with year 0 = 1 BC as in Postgres.
 */
import { sqlError } from '../errors.ts';
import { parseDec, formatDec, divToScale } from './numeric.ts';

export const USECS_PER_DAY = 86_400_000_000;
const USECS_PER_SEC = 1_000_000;
/** Days from 1970-01-01 to 2000-01-01. */
const EPOCH_SHIFT_DAYS = 10957;
/** date range as Postgres: 4713-11-24 BC .. 5874897-12-31; END_DATE_DAY (5874898-01-01) is out. */
const MIN_DAY = -2451545 + 0;
const END_DATE_DAY = 2147483494 - 2451545;
/** Timestamps run from 4714-11-24 BC to before 294277-01-01 (END_TIMESTAMP), in days. */
const END_TIMESTAMP_DAY = 106751983;

/** Days since 2000-01-01 of a proleptic Gregorian y-m-d (astronomical year numbering). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468 - EPOCH_SHIFT_DAYS;
}

export function civilFromDays(days: number): { y: number; m: number; d: number } {
  const z = days + EPOCH_SHIFT_DAYS + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

function formatYmd(days: number): { text: string; bc: boolean } {
  const { y, m, d } = civilFromDays(days);
  const bc = y <= 0;
  return { text: `${pad(bc ? 1 - y : y, 4)}-${pad(m, 2)}-${pad(d, 2)}`, bc };
}

export function formatDate(days: number): string {
  if (days === Infinity) return 'infinity';
  if (days === -Infinity) return '-infinity';
  const { text, bc } = formatYmd(days);
  return bc ? text + ' BC' : text;
}

export function formatTimestamp(us: number, tz: boolean): string {
  if (us === Infinity) return 'infinity';
  if (us === -Infinity) return '-infinity';
  const days = Math.floor(us / USECS_PER_DAY);
  let rest = us - days * USECS_PER_DAY;
  const { text, bc } = formatYmd(days);
  const h = Math.floor(rest / 3_600_000_000);
  rest -= h * 3_600_000_000;
  const mi = Math.floor(rest / 60_000_000);
  rest -= mi * 60_000_000;
  const s = Math.floor(rest / USECS_PER_SEC);
  const frac = Math.round(rest - s * USECS_PER_SEC);
  let out = `${text} ${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}`;
  if (frac > 0) out += '.' + pad(frac, 6).replace(/0+$/, '');
  if (tz) out += '+00';
  return bc ? out + ' BC' : out;
}

type Kind = 'date' | 'timestamp' | 'timestamptz';
const TYPE_LABEL: Record<Kind, string> = {
  date: 'date',
  timestamp: 'timestamp',
  timestamptz: 'timestamp with time zone',
};

const DT_RE =
  /^(\d{1,7})-(\d{1,2})-(\d{1,2})|^(\d{1,7})\/(\d{1,2})\/(\d{1,2})(?!\d)|^(\d{1,2})[/-](\d{1,2})[/-](\d{4,7})|^(\d{4})(\d{2})(\d{2})(?!\d)/;
const TIME_RE = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d*))?)?/;
const TZ_RE = /^(?:z|utc|gmt|([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?)$/i;

/**
 * Parses date/timestamp input text. Returns days for 'date', microseconds otherwise.
 * Accepts ISO `YYYY-MM-DD[( |T)HH:MM[:SS[.f]]][tz][ BC|AD]`, `YYYY/MM/DD`, `MM/DD/YYYY`,
 * `YYYYMMDD`, and 'infinity', '-infinity', 'epoch'.
 */
export function parseDateTime(text: string, kind: Kind): number {
  const bad = (): never => {
    throw sqlError('invalid_datetime_format', `invalid input syntax for type ${TYPE_LABEL[kind]}: "${text}"`);
  };
  const range = (): never => {
    throw sqlError('datetime_field_overflow', `date/time field value out of range: "${text}"`);
  };
  let t = text.trim().toLowerCase();
  if (t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-infinity') return -Infinity;
  if (t === 'epoch') return kind === 'date' ? -EPOCH_SHIFT_DAYS : -EPOCH_SHIFT_DAYS * USECS_PER_DAY;
  let bc = false;
  const era = /\s*\b(bc|ad)$/.exec(t);
  if (era) {
    bc = era[1] === 'bc';
    t = t.slice(0, era.index).trimEnd();
  }
  const dm = DT_RE.exec(t);
  if (!dm) return bad();
  let y: number;
  let m: number;
  let d: number;
  if (dm[1] !== undefined) [y, m, d] = [Number(dm[1]), Number(dm[2]), Number(dm[3])];
  else if (dm[4] !== undefined) [y, m, d] = [Number(dm[4]), Number(dm[5]), Number(dm[6])];
  else if (dm[7] !== undefined) [y, m, d] = [Number(dm[9]), Number(dm[7]), Number(dm[8])];
  else [y, m, d] = [Number(dm[10]), Number(dm[11]), Number(dm[12])];
  t = t.slice(dm[0].length);
  let us = 0;
  let tzOffsetSec = 0;
  if (t.length > 0) {
    if (t[0] === 't' || t[0] === ' ') t = t.slice(1).trimStart();
    else if (!/^[+-]/.test(t)) return bad();
    const tm = TIME_RE.exec(t);
    if (tm) {
      const h = Number(tm[1]);
      const mi = Number(tm[2]);
      const s = tm[3] === undefined ? 0 : Number(tm[3]);
      const fracText = tm[4] ?? '';
      const frac = fracText === '' ? 0 : Math.round(Number('0.' + fracText) * USECS_PER_SEC);
      if (h > 24 || mi > 59 || s > 60 || (h === 24 && (mi > 0 || s > 0 || frac > 0))) return range();
      us = ((h * 60 + mi) * 60 + s) * USECS_PER_SEC + frac;
      t = t.slice(tm[0].length).trimStart();
    }
    if (t.length > 0) {
      const z = TZ_RE.exec(t);
      if (!z) return bad();
      if (z[1] !== undefined) {
        const oh = Number(z[2]);
        const om = Number(z[3] ?? 0);
        const os = Number(z[4] ?? 0);
        if (oh > 15 || om > 59 || os > 59) {
          throw sqlError('datetime_field_overflow', `time zone displacement out of range: "${text}"`);
        }
        tzOffsetSec = (z[1] === '-' ? -1 : 1) * (oh * 3600 + om * 60 + os);
      }
    }
  }
  if (bc) {
    if (y === 0) return bad();
    y = 1 - y;
  } else if (y === 0) {
    return bad();
  }
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return range();
  const days = daysFromCivil(y, m, d);
  if (kind === 'date') {
    if (days < MIN_DAY || days >= END_DATE_DAY) {
      throw sqlError('datetime_field_overflow', `date out of range: "${text}"`);
    }
    return days;
  }
  let r = days * USECS_PER_DAY + us;
  if (kind === 'timestamptz') r -= tzOffsetSec * USECS_PER_SEC;
  if (days < MIN_DAY || days >= END_TIMESTAMP_DAY) {
    throw sqlError('datetime_field_overflow', `timestamp out of range: "${text}"`);
  }
  return r;
}

/** Rounds a timestamp to `p` fractional digits (AdjustTimestampForTypmod). */
export function roundTimestamp(us: number, p: number): number {
  if (!Number.isFinite(us) || p >= 6) return us;
  const unit = 10 ** (6 - p);
  return Math.floor((us + unit / 2) / unit) * unit;
}

export function dateToTimestamp(days: number): number {
  if (!Number.isFinite(days)) return days;
  if (days >= END_TIMESTAMP_DAY) throw sqlError('datetime_field_overflow', 'date out of range for timestamp');
  return days * USECS_PER_DAY;
}

export function timestampToDate(us: number): number {
  return Number.isFinite(us) ? Math.floor(us / USECS_PER_DAY) : us;
}

/** date ± integer, checking the range. */
export function dateAddDays(days: number, n: number): number {
  if (!Number.isFinite(days)) return days;
  const r = days + n;
  if (r < MIN_DAY || r >= END_DATE_DAY) throw sqlError('datetime_field_overflow', 'date out of range');
  return r;
}

export function dateDiff(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    throw sqlError('datetime_field_overflow', 'cannot subtract infinite dates');
  }
  return a - b;
}

interface Fields {
  y: number;
  m: number;
  d: number;
  h: number;
  mi: number;
  us: number;
  days: number;
}

function fields(us: number): Fields {
  const days = Math.floor(us / USECS_PER_DAY);
  const rest = us - days * USECS_PER_DAY;
  const { y, m, d } = civilFromDays(days);
  const h = Math.floor(rest / 3_600_000_000);
  const mi = Math.floor((rest - h * 3_600_000_000) / 60_000_000);
  return { y, m, d, h, mi, us: rest - h * 3_600_000_000 - mi * 60_000_000, days };
}

const UNIT_ALIASES: Record<string, string> = {
  years: 'year',
  y: 'year',
  yr: 'year',
  yrs: 'year',
  months: 'month',
  mon: 'month',
  mons: 'month',
  days: 'day',
  d: 'day',
  hours: 'hour',
  h: 'hour',
  hr: 'hour',
  hrs: 'hour',
  minutes: 'minute',
  min: 'minute',
  mins: 'minute',
  m: 'minute',
  seconds: 'second',
  sec: 'second',
  secs: 'second',
  s: 'second',
  milliseconds: 'millisecond',
  ms: 'millisecond',
  microseconds: 'microsecond',
  us: 'microsecond',
  weeks: 'week',
  w: 'week',
  decades: 'decade',
  centuries: 'century',
  millenniums: 'millennium',
  millennia: 'millennium',
  quarters: 'quarter',
  qtr: 'quarter',
};

function canonicalUnit(u: string): string {
  const l = u.toLowerCase();
  return UNIT_ALIASES[l] ?? l;
}

const DATE_UNITS = new Set([
  'year',
  'month',
  'day',
  'dow',
  'isodow',
  'doy',
  'week',
  'quarter',
  'decade',
  'century',
  'millennium',
  'epoch',
  'julian',
  'isoyear',
]);

/**
 * extract(unit from x) as an exact decimal (numeric text, as Postgres 14+ extract returns).
 * `kind` is the source type; date_part converts the result to float8.
 */
export function extractField(unitText: string, v: number, kind: Kind): string {
  const unit = canonicalUnit(unitText);
  const typeLabel = kind === 'date' ? 'date' : TYPE_LABEL[kind];
  if (kind === 'date' && !DATE_UNITS.has(unit)) {
    if (['hour', 'minute', 'second', 'millisecond', 'microsecond'].includes(unit)) {
      throw sqlError('feature_not_supported', `unit "${unitText}" not supported for type ${typeLabel}`);
    }
  }
  if (!Number.isFinite(v)) {
    if (unit === 'epoch' || ['year', 'decade', 'century', 'millennium', 'julian', 'isoyear'].includes(unit)) {
      return v > 0 ? 'Infinity' : '-Infinity';
    }
    return 'NULL';
  }
  const us = kind === 'date' ? v * USECS_PER_DAY : v;
  const f = fields(us);
  const isoWeek = (): { year: number; week: number } => {
    const dow = (((f.days + 5) % 7) + 7) % 7; // 0 = Monday (2000-01-01 was a Saturday)
    const thursday = f.days - dow + 3;
    const ty = civilFromDays(thursday).y;
    const jan1 = daysFromCivil(ty, 1, 1);
    return { year: ty, week: Math.floor((thursday - jan1) / 7) + 1 };
  };
  switch (unit) {
    case 'year':
      return String(f.y > 0 ? f.y : f.y - 1);
    case 'month':
      return String(f.m);
    case 'day':
      return String(f.d);
    case 'hour':
      return String(f.h);
    case 'minute':
      return String(f.mi);
    case 'second':
      return formatDec({ v: BigInt(Math.round(f.us)), s: 6 });
    case 'millisecond':
      return formatDec({ v: BigInt(Math.round(f.us)), s: 3 });
    case 'microsecond':
      return String(Math.round(f.us));
    case 'dow':
      return String((((f.days + 6) % 7) + 7) % 7);
    case 'isodow':
      return String(((((f.days + 5) % 7) + 7) % 7) + 1);
    case 'doy':
      return String(f.days - daysFromCivil(f.y, 1, 1) + 1);
    case 'week':
      return String(isoWeek().week);
    case 'isoyear':
      return String(isoWeek().year);
    case 'quarter':
      return String(Math.floor((f.m - 1) / 3) + 1);
    case 'decade':
      return String(Math.floor(f.y / 10));
    case 'century':
      return String(f.y > 0 ? Math.floor((f.y + 99) / 100) : -Math.floor((99 - (f.y - 1)) / 100));
    case 'millennium':
      return String(f.y > 0 ? Math.floor((f.y + 999) / 1000) : -Math.floor((999 - (f.y - 1)) / 1000));
    case 'julian':
      if (kind === 'date') return String(f.days + 2451545);
      return formatDec(
        divToScale(
          { v: BigInt(Math.round(us + 2451545 * USECS_PER_DAY)), s: 0 },
          { v: 86400000000n, s: 0 },
          16,
        ),
      );
    case 'epoch': {
      const e = BigInt(Math.round(us)) + BigInt(EPOCH_SHIFT_DAYS) * BigInt(USECS_PER_DAY);
      return kind === 'date' ? String(e / 1000000n) : formatDec({ v: e, s: 6 });
    }
    case 'timezone':
    case 'timezone_hour':
    case 'timezone_minute':
      if (kind === 'timestamptz') return '0';
      break;
  }
  const known = ['timezone', 'timezone_hour', 'timezone_minute'].includes(unit) || DATE_UNITS.has(unit);
  if (known) {
    throw sqlError('feature_not_supported', `unit "${unitText}" not supported for type ${typeLabel}`);
  }
  throw sqlError('invalid_parameter_value', `unit "${unitText}" not recognized for type ${typeLabel}`);
}

/** date_part: the extract result as float8 (NULL for fields undefined on infinity). */
export function datePart(unitText: string, v: number, kind: Kind): number | null {
  const r = extractField(unitText, v, kind);
  if (r === 'NULL') return null;
  return Number(r);
}

/** extract(): numeric text, trimmed of no digits (scale as Postgres returns it). */
export function extractNumeric(unitText: string, v: number, kind: Kind): string | null {
  const r = extractField(unitText, v, kind);
  if (r === 'NULL') return null;
  return formatDec(parseDec(r));
}

/** date_trunc(unit, timestamp) in microseconds. */
export function dateTrunc(unitText: string, us: number, tz: boolean): number {
  if (!Number.isFinite(us)) return us;
  const unit = canonicalUnit(unitText);
  const f = fields(us);
  const at = (y: number, m: number, d: number): number => daysFromCivil(y, m, d) * USECS_PER_DAY;
  switch (unit) {
    case 'millennium': {
      const y =
        f.y > 0 ? Math.floor((f.y - 1) / 1000) * 1000 + 1 : -Math.floor((999 - (f.y - 1)) / 1000) * 1000 + 1;
      return at(y, 1, 1);
    }
    case 'century': {
      const y =
        f.y > 0 ? Math.floor((f.y - 1) / 100) * 100 + 1 : -Math.floor((99 - (f.y - 1)) / 100) * 100 + 1;
      return at(y, 1, 1);
    }
    case 'decade':
      return at(f.y > 0 ? Math.floor(f.y / 10) * 10 : -Math.floor((8 - (f.y - 1)) / 10) * 10, 1, 1);
    case 'year':
      return at(f.y, 1, 1);
    case 'quarter':
      return at(f.y, Math.floor((f.m - 1) / 3) * 3 + 1, 1);
    case 'month':
      return at(f.y, f.m, 1);
    case 'week': {
      const dow = (((f.days + 5) % 7) + 7) % 7; // 0 = Monday
      return (f.days - dow) * USECS_PER_DAY;
    }
    case 'day':
      return f.days * USECS_PER_DAY;
    case 'hour':
      return us - f.mi * 60_000_000 - f.us;
    case 'minute':
      return us - f.us;
    case 'second':
      return us - (f.us % USECS_PER_SEC);
    case 'millisecond':
      return us - (f.us % 1000);
    case 'microsecond':
      return us;
  }
  const label = tz ? 'timestamp with time zone' : 'timestamp without time zone';
  throw sqlError('invalid_parameter_value', `unit "${unitText}" not recognized for type ${label}`);
}
