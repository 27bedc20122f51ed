/**
 * Greenplum-style distribution hashing: each distribution-key value is hashed with a type-aware
 * hash (int2/int4/int8 of equal value hash equally, as their shared integer opfamily does in
 * Greenplum, so int4 and int8 keys co-locate; float4/float8 likewise; numeric by canonical value;
 * character types by UTF-8 bytes, bpchar without trailing spaces), the hashes are combined as
 * cdbhash.c does (rotate left 1, xor), and the 32-bit key is mapped to a segment with jump
 * consistent hash (Greenplum 6+). Pure integer arithmetic: identical in every runtime.
 */
import { jsonbKey } from './json.ts';
import type { SqlType, Value } from './types.ts';
import { normalizeNumeric } from './numeric.ts';
import { utf8Encode } from './expr-md5.ts';
import { bpcharTrim } from './types-io.ts';

/** The hash of a NULL key column. */
const NULL_HASH = 0x4e554c4c;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mixK(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** murmur3 x86_32 of two 32-bit words (an int64, little-endian), seed 0. */
function hashWords(lo: number, hi: number): number {
  let h = mixK(0, lo);
  h = mixK(h, hi);
  return fmix(h ^ 8);
}

/** murmur3 x86_32 of a byte array, seed 0. */
export function murmur3(bytes: Uint8Array): number {
  const len = bytes.length;
  let h = 0;
  const nblocks = len >> 2;
  for (let i = 0; i < nblocks; i++) {
    const j = i << 2;
    const k =
      (bytes[j] as number) |
      ((bytes[j + 1] as number) << 8) |
      ((bytes[j + 2] as number) << 16) |
      ((bytes[j + 3] as number) << 24);
    h = mixK(h, k);
  }
  const t = nblocks << 2;
  const rem = len & 3;
  if (rem > 0) {
    let k = 0;
    if (rem === 3) k ^= (bytes[t + 2] as number) << 16;
    if (rem >= 2) k ^= (bytes[t + 1] as number) << 8;
    k ^= bytes[t] as number;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  return fmix(h ^ len);
}

function hashInt(v: number | bigint): number {
  if (typeof v === 'number' && v >= -2147483648 && v <= 2147483647) {
    return hashWords(v | 0, v < 0 ? -1 : 0);
  }
  const b = BigInt.asUintN(64, BigInt(v));
  return hashWords(Number(b & 0xffffffffn) | 0, Number(b >> 32n) | 0);
}

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

function hashFloat(x: number): number {
  if (x === 0) return hashWords(0, 0);
  F64[0] = Number.isNaN(x) ? NaN : x;
  return hashWords((U32[0] as number) | 0, (U32[1] as number) | 0);
}

function hashString(s: string): number {
  return murmur3(utf8Encode(s));
}

/** The 32-bit hash of one non-null value of type t. */
export function hashValue(v: Value, t: SqlType): number {
  if (v === null) return NULL_HASH;
  switch (t.name) {
    case 'int2':
    case 'int4':
    case 'int8':
      return hashInt(v as number | bigint);
    case 'date':
      // ±infinity are the int32 extremes in Postgres' date (DATEVAL_NOBEGIN / NOEND).
      return hashInt(Number.isFinite(v) ? (v as number) : (v as number) > 0 ? 2147483647 : -2147483648);
    case 'timestamp':
    case 'timestamptz':
      return Number.isFinite(v as number) ? hashInt(v as number) : hashFloat(v as number);
    case 'float4':
    case 'float8':
      return hashFloat(v as number);
    case 'bool':
      return hashInt(v ? 1 : 0);
    case 'numeric':
      return hashString(canonicalNumeric(v as string));
    case 'bpchar':
      return hashString(bpcharTrim(v as string));
    case 'jsonb':
      return hashString(jsonbKey(v as string));
    default:
      return hashString(v as string);
  }
}

/** numeric text without trailing fractional zeros, so 1.50 and 1.5 hash alike. */
function canonicalNumeric(s: string): string {
  const n = normalizeNumeric(s);
  if (n.indexOf('.') < 0) return n;
  const t = n.replace(/0+$/, '').replace(/\.$/, '');
  return t === '-0' ? '0' : t;
}

/** Combines the key columns' hashes as Greenplum's cdbhash (rotate left 1, xor). */
export function cdbhashKey(values: Value[], types: SqlType[]): number {
  let h = 0;
  for (let i = 0; i < values.length; i++) {
    h = ((h << 1) | (h >>> 31)) >>> 0;
    h = (h ^ hashValue(values[i] ?? null, types[i] ?? { name: 'text' })) >>> 0;
  }
  return h;
}

/** Jump consistent hash (Lamping & Veach) of a 32-bit key onto [0, n). */
export function jumpConsistentHash(key: number, n: number): number {
  let k = BigInt(key >>> 0);
  let b = -1;
  let j = 0;
  while (j < n) {
    b = j;
    k = BigInt.asUintN(64, k * 2862933555777941757n + 1n);
    j = Math.floor((b + 1) * (2147483648 / (Number(k >> 33n) + 1)));
  }
  return b;
}

/** The segment (content id 0..numSegments-1) a row with these distribution-key values goes to. */
export function cdbhash(values: Value[], types: SqlType[], numSegments: number): number {
  if (numSegments <= 1) return 0;
  return jumpConsistentHash(cdbhashKey(values, types), numSegments);
}

/**
 * Routes rows by the columns at `keys` (of types `types`) to their contents: the one function
 * every place that places a row uses (a motion, an INSERT, a split UPDATE, a redistribution).
 */
export function rowRouter(keys: readonly number[], types: readonly SqlType[], numSegments: number) {
  const key: Value[] = new Array<Value>(keys.length);
  const keyTypes = [...types];
  return (row: readonly Value[]): number => {
    for (let i = 0; i < keys.length; i++) key[i] = row[keys[i]!]!;
    return cdbhash(key, keyTypes, numSegments);
  };
}
