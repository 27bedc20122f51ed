/**
 * Type names: the SQL-standard spellings (`double precision`, `character varying(10)`,
 * `timestamp with time zone`, `float(24)`) and Postgres' own (`int4`, `bpchar`, `timestamptz`),
 * canonicalised to Postgres' internal names as gram.y does (`SystemTypeName`).
 */
import type { TypeName } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { keywordCategory } from './lexer.ts';
import { sqlError } from '../errors.ts';

/** Words that begin a SQL-standard type name with its own syntax. */
const TYPE_KEYWORDS = new Set([
  'bigint',
  'bit',
  'boolean',
  'char',
  'character',
  'dec',
  'decimal',
  'double',
  'float',
  'int',
  'integer',
  'interval',
  'national',
  'nchar',
  'numeric',
  'real',
  'smallint',
  'time',
  'timestamp',
  'varchar',
]);

/** Internal names for the aliases that are plain identifiers. */
const ALIASES: Record<string, string> = {
  int: 'int4',
  integer: 'int4',
  smallint: 'int2',
  bigint: 'int8',
  real: 'float4',
  boolean: 'bool',
  decimal: 'numeric',
  dec: 'numeric',
  serial4: 'serial',
  serial8: 'bigserial',
  serial2: 'smallserial',
};

/** Whether `word` starts one of the SQL-standard type spellings. */
export function isTypeKeyword(word: string): boolean {
  return TYPE_KEYWORDS.has(word);
}

/** The canonical TypeName for a plain (generic) type name. */
export function genericType(name: string, pos: number, typmod?: number[]): TypeName {
  const t: TypeName = { name: ALIASES[name] ?? name, pos };
  if (typmod) t.typmod = typmod;
  return t;
}

/** Parses a type name at the cursor. */
export function parseType(c: Cursor): TypeName {
  const type = parseBaseType(c);
  if (c.isOp('[') || c.isWord('array')) throw c.unsupported('array types');
  return type;
}

function parseBaseType(c: Cursor): TypeName {
  const t = c.peek();
  const pos = t.pos;
  if (t.kind === 'ident' && TYPE_KEYWORDS.has(t.value)) {
    c.next();
    switch (t.value) {
      case 'double':
        c.expectWord('precision');
        return { name: 'float8', pos };
      case 'float':
        return parseFloat(c, pos);
      case 'numeric':
      case 'decimal':
      case 'dec':
      case 'interval':
        return genericType(t.value, pos, parseTypmods(c));
      case 'char':
      case 'character':
      case 'nchar':
      case 'national':
        if (t.value === 'national' && !c.acceptWord('character')) c.expectWord('char');
        return parseCharacter(c, pos);
      case 'varchar':
        return genericType('varchar', pos, parseTypmods(c));
      case 'bit': {
        const varying = c.acceptWord('varying');
        const mods = parseTypmods(c) ?? (varying ? undefined : [1]);
        return genericType(varying ? 'varbit' : 'bit', pos, mods);
      }
      case 'time':
      case 'timestamp': {
        const mods = parseTypmods(c);
        let tz = false;
        if (c.isWord('with') || c.isWord('without')) {
          tz = c.next().value === 'with';
          c.expectWord('time');
          c.expectWord('zone');
        }
        return genericType(tz ? `${t.value}tz` : t.value, pos, mods);
      }
      default:
        return genericType(t.value, pos);
    }
  }
  // A generic name: an identifier, unreserved or type/function-name keyword, or quoted name.
  if (t.kind === 'ident') {
    const cat = keywordCategory(t.value);
    if (cat === 'reserved' || cat === 'colname') throw c.syntaxError();
  } else if (t.kind !== 'qident') {
    throw c.syntaxError();
  }
  c.next();
  let name = t.value;
  while (c.isOp('.') && c.isLabel(1)) {
    c.next();
    name = c.next().value;
  }
  return genericType(name, pos, parseTypmods(c));
}

/** `float[(p)]`: p 1..24 is float4, 25..53 float8, as Postgres. */
function parseFloat(c: Cursor, pos: number): TypeName {
  const mods = parseTypmods(c);
  const p = mods?.[0];
  if (p === undefined) return { name: 'float8', pos };
  if (p < 1) {
    throw sqlError('invalid_parameter_value', 'precision for type float must be at least 1 bit', {
      position: pos,
    });
  }
  if (p > 53) {
    throw sqlError('invalid_parameter_value', 'precision for type float must be less than 54 bits', {
      position: pos,
    });
  }
  return { name: p <= 24 ? 'float4' : 'float8', pos };
}

/** After `char`/`character`: `[varying] [(n)]`; a fixed-length char defaults to length 1. */
function parseCharacter(c: Cursor, pos: number): TypeName {
  const varying = c.acceptWord('varying');
  const mods = parseTypmods(c);
  if (varying) return genericType('varchar', pos, mods);
  return genericType('bpchar', pos, mods ?? [1]);
}

/** Optional `(n [, n ...])` of integer type modifiers. */
function parseTypmods(c: Cursor): number[] | undefined {
  if (!c.acceptOp('(')) return undefined;
  const mods: number[] = [];
  do {
    const negative = c.acceptOp('-');
    const t = c.peek();
    if (t.kind !== 'number' || !/^[0-9]+$/.test(t.value)) throw c.syntaxError();
    c.next();
    mods.push(negative ? -Number(t.value) : Number(t.value));
  } while (c.acceptOp(','));
  c.expectOp(')');
  return mods;
}
