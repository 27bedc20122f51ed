/**
 * SQL types and runtime values.
 *
 * A `Value` is plain, structured-clone-safe data: int2/int4/float4/float8 are numbers, int8 is a
 * bigint, numeric is its canonical text ('1.50', 'NaN'), character types are strings, bool is a
 * boolean, date is days since 2000-01-01, timestamp/timestamptz are microseconds since
 * 2000-01-01 00:00:00 UTC (±Infinity for 'infinity'). NULL is `null`.
 *
 * I/O lives in types-io.ts, casts and type resolution in types-cast.ts; both are re-exported here.
 */
import type { TypeName } from './ast.ts';
import { sqlError } from '../errors.ts';

export type TypeId =
  | 'int2'
  | 'int4'
  | 'int8'
  | 'numeric'
  | 'float4'
  | 'float8'
  | 'text'
  | 'varchar'
  | 'bpchar'
  | 'bool'
  | 'date'
  | 'timestamp'
  | 'timestamptz'
  | 'json'
  | 'jsonb'
  | 'unknown';

export interface SqlType {
  name: TypeId;
  /** varchar/bpchar: [length]; numeric: [precision, scale]; timestamp(tz): [precision]. */
  typmod?: number[];
}

export type Value = null | boolean | number | bigint | string;

/** Postgres' type categories (pg_type.typcategory). */
export type TypeCategory = 'N' | 'S' | 'B' | 'D' | 'U' | 'X';

export const TYPE_IDS: readonly TypeId[] = [
  'int2',
  'int4',
  'int8',
  'numeric',
  'float4',
  'float8',
  'text',
  'varchar',
  'bpchar',
  'bool',
  'date',
  'timestamp',
  'timestamptz',
  'json',
  'jsonb',
  'unknown',
];

const CATEGORY: Record<TypeId, TypeCategory> = {
  int2: 'N',
  int4: 'N',
  int8: 'N',
  numeric: 'N',
  float4: 'N',
  float8: 'N',
  text: 'S',
  varchar: 'S',
  bpchar: 'S',
  bool: 'B',
  date: 'D',
  timestamp: 'D',
  timestamptz: 'D',
  json: 'U',
  jsonb: 'U',
  unknown: 'X',
};

export function typeCategory(t: TypeId): TypeCategory {
  return CATEGORY[t];
}

/** The preferred type of each category (typispreferred). */
export function isPreferredType(t: TypeId): boolean {
  return t === 'float8' || t === 'text' || t === 'bool' || t === 'timestamptz';
}

/** Shorthands for typmod-less types. */
export const T = {
  int2: { name: 'int2' },
  int4: { name: 'int4' },
  int8: { name: 'int8' },
  numeric: { name: 'numeric' },
  float4: { name: 'float4' },
  float8: { name: 'float8' },
  text: { name: 'text' },
  varchar: { name: 'varchar' },
  bpchar: { name: 'bpchar' },
  bool: { name: 'bool' },
  date: { name: 'date' },
  timestamp: { name: 'timestamp' },
  timestamptz: { name: 'timestamptz' },
  json: { name: 'json' },
  jsonb: { name: 'jsonb' },
  unknown: { name: 'unknown' },
} as const satisfies Record<TypeId, SqlType>;

/** A type from its id, without typmod. */
export function typeOf(id: TypeId): SqlType {
  return T[id];
}

const DISPLAY: Record<TypeId, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  numeric: 'numeric',
  float4: 'real',
  float8: 'double precision',
  text: 'text',
  varchar: 'character varying',
  bpchar: 'character',
  bool: 'boolean',
  date: 'date',
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  json: 'json',
  jsonb: 'jsonb',
  unknown: 'unknown',
};

/** Postgres' format_type name, with typmod: `character varying(10)`, `numeric(10,2)`. */
export function typeDisplayName(t: SqlType): string {
  const base = DISPLAY[t.name];
  const m = t.typmod;
  if (!m || m.length === 0) return base;
  switch (t.name) {
    case 'numeric':
      return `numeric(${m[0]},${m[1] ?? 0})`;
    case 'timestamp':
      return `timestamp(${m[0]}) without time zone`;
    case 'timestamptz':
      return `timestamp(${m[0]}) with time zone`;
    default:
      return `${base}(${m[0]})`;
  }
}

/** The type's internal name as pg_typeof prints without typmod, e.g. for messages. */
export function typeBaseName(t: SqlType): string {
  return DISPLAY[t.name];
}

export function sameType(a: SqlType, b: SqlType): boolean {
  if (a.name !== b.name) return false;
  const x = a.typmod;
  const y = b.typmod;
  if (!x || !y) return !x && !y;
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

const KNOWN = new Set<string>(TYPE_IDS.filter((t) => t !== 'unknown'));

/** Resolves a parsed type name, validating its typmod as Postgres' typmodin functions do. */
export function parseTypeName(tn: TypeName): SqlType {
  if (!KNOWN.has(tn.name)) {
    throw sqlError('undefined_object', `type "${tn.name}" does not exist`, { position: tn.pos });
  }
  const name = tn.name as TypeId;
  const mods = tn.typmod;
  if (!mods || mods.length === 0) return { name };
  const bad = (msg: string): never => {
    throw sqlError('invalid_parameter_value', msg, { position: tn.pos });
  };
  const m0 = mods[0] ?? 0;
  switch (name) {
    case 'varchar':
    case 'bpchar': {
      if (mods.length > 1) bad('invalid type modifier');
      const tname = name === 'varchar' ? 'varchar' : 'char';
      if (m0 < 1) bad(`length for type ${tname} must be at least 1`);
      if (m0 > 10485760) bad(`length for type ${tname} cannot exceed 10485760`);
      return { name, typmod: [m0] };
    }
    case 'numeric': {
      if (mods.length > 2) bad('invalid NUMERIC type modifier');
      const scale = mods[1] ?? 0;
      if (m0 < 1 || m0 > 1000) bad(`NUMERIC precision ${m0} must be between 1 and 1000`);
      if (scale < -1000 || scale > 1000) bad(`NUMERIC scale ${scale} must be between -1000 and 1000`);
      return { name, typmod: [m0, scale] };
    }
    case 'timestamp':
    case 'timestamptz': {
      if (mods.length > 1) bad('invalid type modifier');
      const tz = name === 'timestamptz' ? ' WITH TIME ZONE' : '';
      if (m0 < 0) bad(`TIMESTAMP(${m0})${tz} precision must not be negative`);
      return { name, typmod: [Math.min(m0, 6)] };
    }
    default:
      throw sqlError('syntax_error', 'type modifier is not allowed for type "' + DISPLAY[name] + '"', {
        position: tn.pos,
      });
  }
}

export function isIntegerType(t: TypeId): boolean {
  return t === 'int2' || t === 'int4' || t === 'int8';
}

export function isStringType(t: TypeId): boolean {
  return t === 'text' || t === 'varchar' || t === 'bpchar' || t === 'unknown';
}

export { formatValue, parseValue, toClientValue, compareValues, applyTypmod } from './types-io.ts';
export {
  castValue,
  castContext,
  canCoerce,
  commonType,
  requireEquality,
  requireOrdering,
} from './types-cast.ts';
export type { CoercionContext } from './types-cast.ts';
