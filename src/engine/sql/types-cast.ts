/**
 * Casts (pg_cast semantics and contexts) and common-type resolution (select_common_type).
 */
import { SqlError, sqlError } from '../errors.ts';
import type { SqlType, TypeId, Value } from './types.ts';
import { isPreferredType, isStringType, typeCategory, typeDisplayName, typeBaseName } from './types.ts';
import { applyTypmod, bpcharTrim, formatValue, parseValue } from './types-io.ts';
import { decToBigInt, floatToDec, formatDec, parseDec } from './numeric.ts';
import { parseFloatText, checkFloat4 } from './types-float.ts';
import { dateToTimestamp, timestampToDate } from './datetime.ts';
import { jsonbIn, parseJson, type JsonNode } from './json.ts';

const JSONB_VALUE_NAME: Record<JsonNode['t'], string> = {
  null: 'null',
  str: 'string',
  num: 'numeric',
  bool: 'boolean',
  arr: 'array',
  obj: 'object',
};

/**
 * jsonb's casts to bool and the number types: the document must be that scalar. Returns the
 * number as numeric text, or the boolean itself (castValue leaves a bool as it is).
 */
function jsonbScalar(v: string, to: SqlType): Value {
  const node = parseJson(v, 'jsonb');
  const want = to.name === 'bool' ? 'bool' : 'num';
  if (node.t !== want)
    throw sqlError(
      'invalid_parameter_value',
      `cannot cast jsonb ${JSONB_VALUE_NAME[node.t]} to type ${typeDisplayName(to)}`,
    );
  return node.v;
}

export type CoercionContext = 'implicit' | 'assignment' | 'explicit';

const RANK: Record<CoercionContext, number> = { implicit: 0, assignment: 1, explicit: 2 };

type Ctx = 'i' | 'a' | 'e';
/** pg_cast contexts between non-string types (from → to → context). */
const CASTS: Partial<Record<TypeId, Partial<Record<TypeId, Ctx>>>> = {
  int2: { int4: 'i', int8: 'i', float4: 'i', float8: 'i', numeric: 'i' },
  int4: { int2: 'a', int8: 'i', float4: 'i', float8: 'i', numeric: 'i', bool: 'e' },
  int8: { int2: 'a', int4: 'a', float4: 'i', float8: 'i', numeric: 'i' },
  float4: { int2: 'a', int4: 'a', int8: 'a', float8: 'i', numeric: 'a' },
  float8: { int2: 'a', int4: 'a', int8: 'a', float4: 'a', numeric: 'a' },
  numeric: { int2: 'a', int4: 'a', int8: 'a', float4: 'i', float8: 'i' },
  bool: { int4: 'e' },
  date: { timestamp: 'i', timestamptz: 'i' },
  timestamp: { date: 'a', timestamptz: 'i' },
  timestamptz: { date: 'a', timestamp: 'a' },
  json: { jsonb: 'a' },
  jsonb: { json: 'a', bool: 'e', numeric: 'e', int2: 'e', int4: 'e', int8: 'e', float4: 'e', float8: 'e' },
};

/** The weakest context in which `from` casts to `to`, or undefined when there is no cast. */
export function castContext(from: TypeId, to: TypeId): CoercionContext | undefined {
  if (from === to || from === 'unknown') return 'implicit';
  const fs = isStringType(from);
  const ts = isStringType(to);
  if (fs && ts) return 'implicit';
  if (ts) return 'assignment';
  if (fs) return 'explicit';
  const c = CASTS[from]?.[to];
  return c === 'i' ? 'implicit' : c === 'a' ? 'assignment' : c === 'e' ? 'explicit' : undefined;
}

/**
 * A cast Postgres marks stable, not immutable: date/time to or from text depends on DateStyle
 * and TimeZone, so it is computed per row, never folded into a constant while planning.
 */
export function isStableCast(from: TypeId, to: TypeId): boolean {
  const dt = (t: TypeId) => t === 'date' || t === 'timestamp' || t === 'timestamptz';
  const txt = (t: TypeId) => t === 'text' || t === 'varchar' || t === 'bpchar';
  return (dt(from) && txt(to)) || (txt(from) && dt(to));
}

export function canCoerce(from: TypeId, to: TypeId, context: CoercionContext): boolean {
  const c = castContext(from, to);
  return c !== undefined && RANK[c] <= RANK[context];
}

const INT_LIMIT: Record<'int2' | 'int4', number> = { int2: 32767, int4: 2147483647 };
const INT_LABEL: Record<'int2' | 'int4' | 'int8', string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
};

function outOfRange(t: 'int2' | 'int4' | 'int8'): SqlError {
  return sqlError('numeric_value_out_of_range', `${INT_LABEL[t]} out of range`);
}

/** Checks an exact integer (number or bigint) fits the integer type and converts it. */
export function toIntType(x: number | bigint, t: 'int2' | 'int4' | 'int8'): number | bigint {
  if (t === 'int8') {
    const b = typeof x === 'bigint' ? x : BigInt(x);
    if (b > 9223372036854775807n || b < -9223372036854775808n) throw outOfRange(t);
    return b;
  }
  const n = typeof x === 'bigint' ? (x > 4294967296n || x < -4294967296n ? Infinity : Number(x)) : x;
  if (n > INT_LIMIT[t] || n < -INT_LIMIT[t] - 1) throw outOfRange(t);
  return n === 0 ? 0 : n;
}

/** rint(): round half to even, as float → int casts do. */
function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function floatToInt(x: number, t: 'int2' | 'int4' | 'int8'): number | bigint {
  if (!Number.isFinite(x)) throw outOfRange(t);
  const r = rint(x);
  if (t === 'int8') {
    if (r >= 9223372036854775808 || r < -9223372036854775808) throw outOfRange(t);
    return BigInt(r);
  }
  return toIntType(r, t);
}

function numericToInt(s: string, t: 'int2' | 'int4' | 'int8'): number | bigint {
  const d = parseDec(s);
  const b = decToBigInt(d);
  if (b === undefined) {
    throw sqlError(
      'feature_not_supported',
      `cannot convert ${d === 'NaN' ? 'NaN' : 'infinity'} to ${INT_LABEL[t]}`,
    );
  }
  return toIntType(b, t);
}

function cannotCast(from: SqlType, to: SqlType): SqlError {
  return new SqlError('42846', `cannot cast type ${typeDisplayName(from)} to ${typeDisplayName(to)}`);
}

/**
 * Converts a non-null value between types as Postgres' cast functions do (with the target
 * typmod applied). `context` matters only for string truncation: explicit casts truncate
 * silently, implicit/assignment ones raise `value too long`.
 */
export function castValue(
  v: Value,
  from: SqlType,
  to: SqlType,
  context: CoercionContext = 'explicit',
): Value {
  if (v === null) return null;
  const explicit = context === 'explicit';
  const f = from.name;
  const t = to.name;
  if (f === t) return applyTypmod(v, to, explicit);
  if (isStringType(t)) {
    let s: string;
    if (f === 'bpchar') s = bpcharTrim(v as string);
    else if (isStringType(f)) s = v as string;
    else if (f === 'bool') s = v ? 'true' : 'false';
    else s = formatValue(v, from);
    return applyTypmod(s, to, explicit);
  }
  if (isStringType(f)) return parseValue(v as string, to, explicit);
  if (f === 'json' && t === 'jsonb') return jsonbIn(v as string);
  if (f === 'jsonb' && t === 'json') return v;
  if (f === 'jsonb') {
    const scalar = jsonbScalar(v as string, to);
    return t === 'bool' ? scalar : castValue(scalar, { name: 'numeric' }, to, context);
  }
  let r: Value;
  switch (t) {
    case 'int2':
    case 'int4':
    case 'int8':
      if (f === 'float4' || f === 'float8') r = floatToInt(v as number, t);
      else if (f === 'numeric') r = numericToInt(v as string, t);
      else if (f === 'bool') r = v ? 1 : 0;
      else if (f === 'int2' || f === 'int4' || f === 'int8') r = toIntType(v as number | bigint, t);
      else throw cannotCast(from, to);
      break;
    case 'float4':
    case 'float8':
      if (f === 'numeric') r = parseFloatText(v as string, t === 'float4');
      else if (f === 'int2' || f === 'int4' || f === 'int8' || f === 'float4' || f === 'float8') {
        r = Number(v);
        if (t === 'float4')
          r = f === 'float8' ? checkFloat4(r, !Number.isFinite(r), r === 0) : Math.fround(r);
      } else throw cannotCast(from, to);
      break;
    case 'numeric':
      if (f === 'int2' || f === 'int4' || f === 'int8') r = String(v);
      else if (f === 'float4') r = formatDec(floatToDec(v as number, 6));
      else if (f === 'float8') r = formatDec(floatToDec(v as number, 15));
      else throw cannotCast(from, to);
      break;
    case 'bool':
      if (f === 'int4') r = v !== 0;
      else throw cannotCast(from, to);
      break;
    case 'date':
      if (f === 'timestamp' || f === 'timestamptz') r = timestampToDate(v as number);
      else throw cannotCast(from, to);
      break;
    case 'timestamp':
    case 'timestamptz':
      if (f === 'date') r = dateToTimestamp(v as number);
      else if (f === 'timestamp' || f === 'timestamptz') r = v;
      else throw cannotCast(from, to);
      break;
    default:
      throw cannotCast(from, to);
  }
  return applyTypmod(r, to, explicit);
}

/**
 * select_common_type: the type CASE/COALESCE/UNION/IN/VALUES branches resolve to.
 * `context` names the construct in errors (`CASE types integer and text cannot be matched`).
 */
export function commonType(types: SqlType[], context = 'CASE', position?: number): SqlType {
  const known = types.filter((t) => t.name !== 'unknown');
  const first = known[0];
  if (first === undefined) return { name: 'text' };
  if (known.every((t) => t.name === first.name)) {
    const sameMod = known.every((t) => (t.typmod ?? []).join(',') === (first.typmod ?? []).join(','));
    return sameMod ? first : { name: first.name };
  }
  let p = first.name;
  for (const t of known) {
    const n = t.name;
    if (n === p) continue;
    if (typeCategory(n) !== typeCategory(p)) {
      throw sqlError(
        'datatype_mismatch',
        `${context} types ${typeBaseName({ name: p })} and ${typeBaseName({ name: n })} cannot be matched`,
        position === undefined ? undefined : { position },
      );
    }
    if (!isPreferredType(p) && canCoerce(p, n, 'implicit') && !canCoerce(n, p, 'implicit')) p = n;
  }
  for (const t of known) {
    if (!canCoerce(t.name, p, 'implicit')) {
      throw sqlError(
        'datatype_mismatch',
        `${context} could not convert type ${typeBaseName(t)} to ${typeBaseName({ name: p })}`,
        position === undefined ? undefined : { position },
      );
    }
  }
  return { name: p };
}

/** Types with no btree or hash operator class (json): they cannot be sorted, grouped or compared. */
const NO_OPCLASS = new Set<TypeId>(['json']);

/** GROUP BY, DISTINCT, UNION and the like need an equality operator for each column. */
export function requireEquality(t: SqlType, position?: number): void {
  if (NO_OPCLASS.has(t.name))
    throw sqlError(
      'undefined_function',
      `could not identify an equality operator for type ${typeDisplayName(t)}`,
      position === undefined ? undefined : { position },
    );
}

/** ORDER BY needs an ordering operator. */
export function requireOrdering(t: SqlType, position?: number): void {
  if (NO_OPCLASS.has(t.name))
    throw sqlError(
      'undefined_function',
      `could not identify an ordering operator for type ${typeDisplayName(t)}`,
      {
        hint: 'Use an explicit ordering operator or modify the query.',
        ...(position === undefined ? {} : { position }),
      },
    );
}
