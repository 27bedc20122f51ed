/**
 * Compact binary row format for stored tuples:
 *
 *   [null bitmap: ceil(n/8) bytes, bit i set = column i is NULL]
 *   then each non-null column in order, unaligned, little-endian:
 *     int2: 2 bytes · int4: 4 · int8: 8 (two's complement) · float4: 4 · float8: 8 · bool: 1
 *     date: int32 days (±infinity as INT32_MAX / INT32_MIN) · timestamp(tz): float64 µs
 *     numeric/text/varchar/bpchar/json/jsonb/unknown: LEB128 byte length + UTF-8 bytes
 *
 * Codecs are compiled per column-type list and cached.
 */
import type { SqlType, TypeId, Value } from './types.ts';

const enum_ = {
  i2: 0,
  i4: 1,
  i8: 2,
  f4: 3,
  f8: 4,
  bool: 5,
  date: 6,
  ts: 7,
  str: 8,
} as const;
type Kind = (typeof enum_)[keyof typeof enum_];

const KIND: Record<TypeId, Kind> = {
  int2: enum_.i2,
  int4: enum_.i4,
  int8: enum_.i8,
  float4: enum_.f4,
  float8: enum_.f8,
  bool: enum_.bool,
  date: enum_.date,
  timestamp: enum_.ts,
  timestamptz: enum_.ts,
  numeric: enum_.str,
  text: enum_.str,
  varchar: enum_.str,
  bpchar: enum_.str,
  json: enum_.str,
  jsonb: enum_.str,
  unknown: enum_.str,
};
const FIXED = [2, 4, 8, 4, 8, 1, 4, 8, 0];

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function utf8Len(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2;
      i++;
    } else n += 2;
  }
  return n;
}

function varintLen(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

export interface RowCodec {
  encode(values: Value[]): Uint8Array;
  /** The encoded size of `values`; `encodeInto` must follow for the same row, before another `size`. */
  size(values: Value[]): number;
  /** Writes the row measured by the last `size` call at `out[at..]` (`dv` views all of `out`). */
  encodeInto(values: Value[], out: Uint8Array, dv: DataView, at: number): void;
  /** The row, in an array of `width` slots (default: the columns; see `decodeAt`). */
  decode(bytes: Uint8Array, width?: number): Value[];
  /** Decodes only the `wanted` columns (ascending or not); others are left null. */
  decodeColumns(bytes: Uint8Array, wanted: number[]): Value[];
  /** Decodes the columns `want` marks (one flag per column); others are left null. */
  decodeWanted(bytes: Uint8Array, want: boolean[], width?: number): Value[];
  /**
   * Decodes the row that starts at `bytes[start]`, where `bytes` may hold more (a whole page,
   * read in place); with `want`, only the columns it marks. The row is an array of `width`
   * slots (default: the columns; a scan leaves room for its system columns, so that the
   * array never grows).
   */
  decodeAt(bytes: Uint8Array, start: number, want: boolean[] | undefined, width?: number): Value[];
}

const CACHE = new Map<string, RowCodec>();
const BY_ARRAY = new WeakMap<readonly SqlType[], RowCodec>();

/** A codec for rows of the given column types (cached by array identity, then by type list). */
export function rowCodec(types: readonly SqlType[]): RowCodec {
  let c = BY_ARRAY.get(types);
  if (c) return c;
  const sig = types.map((t) => KIND[t.name]).join(',');
  c = CACHE.get(sig);
  if (!c) {
    c = makeCodec(types.map((t) => KIND[t.name]));
    CACHE.set(sig, c);
  }
  BY_ARRAY.set(types, c);
  return c;
}

export function encodeRow(values: Value[], types: readonly SqlType[]): Uint8Array {
  return rowCodec(types).encode(values);
}

export function decodeRow(bytes: Uint8Array, types: readonly SqlType[]): Value[] {
  return rowCodec(types).decode(bytes);
}

export function decodeColumns(bytes: Uint8Array, types: readonly SqlType[], wanted: number[]): Value[] {
  return rowCodec(types).decodeColumns(bytes, wanted);
}

function makeCodec(kinds: Kind[]): RowCodec {
  const n = kinds.length;
  const bm = (n + 7) >> 3;
  const strLens: number[] = new Array<number>(n).fill(0);

  function encode(values: Value[]): Uint8Array {
    const out = new Uint8Array(size(values));
    encodeInto(values, out, new DataView(out.buffer), 0);
    return out;
  }

  function size(values: Value[]): number {
    let size = bm;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === null || v === undefined) continue;
      const k = kinds[i] as Kind;
      if (k === enum_.str) {
        const s = v as string;
        const l = utf8Len(s);
        strLens[i] = l;
        size += varintLen(l) + l;
      } else size += FIXED[k] as number;
    }
    return size;
  }

  function encodeInto(values: Value[], out: Uint8Array, dv: DataView, at: number): void {
    out.fill(0, at, at + bm);
    let p = at + bm;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        out[at + (i >> 3)] = (out[at + (i >> 3)] as number) | (1 << (i & 7));
        continue;
      }
      switch (kinds[i]) {
        case enum_.i2:
          dv.setInt16(p, v as number, true);
          p += 2;
          break;
        case enum_.i4:
          dv.setInt32(p, v as number, true);
          p += 4;
          break;
        case enum_.i8:
          dv.setBigInt64(p, v as bigint, true);
          p += 8;
          break;
        case enum_.f4:
          dv.setFloat32(p, v as number, true);
          p += 4;
          break;
        case enum_.f8:
        case enum_.ts:
          dv.setFloat64(p, v as number, true);
          p += 8;
          break;
        case enum_.bool:
          out[p++] = v ? 1 : 0;
          break;
        case enum_.date: {
          const d = v as number;
          dv.setInt32(p, d === Infinity ? 2147483647 : d === -Infinity ? -2147483648 : d, true);
          p += 4;
          break;
        }
        default: {
          const s = v as string;
          let l = strLens[i] as number;
          while (l >= 0x80) {
            out[p++] = (l & 0x7f) | 0x80;
            l >>>= 7;
          }
          out[p++] = l;
          if ((strLens[i] as number) === s.length) {
            for (let j = 0; j < s.length; j++) out[p + j] = s.charCodeAt(j);
          } else {
            out.set(encoder.encode(s), p);
          }
          p += strLens[i] as number;
        }
      }
    }
  }

  function decodeInto(bytes: Uint8Array, start: number, out: Value[], want: boolean[] | undefined): Value[] {
    // Integers are read byte by byte and floats through a scratch copy: a DataView over `bytes`
    // would need its buffer, and asking a small typed array for its buffer makes V8 move it off
    // the heap, which costs more than decoding the row (a tuple is a fresh slice of its page).
    let p = start + bm;
    for (let i = 0; i < n; i++) {
      if (((bytes[start + (i >> 3)] as number) >> (i & 7)) & 1) {
        out[i] = null;
        continue;
      }
      const k = kinds[i] as Kind;
      const skip = want !== undefined && !want[i];
      if (k !== enum_.str && skip) {
        p += FIXED[k] as number;
        out[i] = null;
        continue;
      }
      switch (k) {
        case enum_.i2:
          out[i] = (((bytes[p] as number) | ((bytes[p + 1] as number) << 8)) << 16) >> 16;
          p += 2;
          break;
        case enum_.i4:
          out[i] = int32At(bytes, p);
          p += 4;
          break;
        case enum_.i8:
          out[i] = scratchAt(bytes, p, 8).getBigInt64(0, true);
          p += 8;
          break;
        case enum_.f4:
          out[i] = scratchAt(bytes, p, 4).getFloat32(0, true);
          p += 4;
          break;
        case enum_.f8:
        case enum_.ts:
          out[i] = scratchAt(bytes, p, 8).getFloat64(0, true);
          p += 8;
          break;
        case enum_.bool:
          out[i] = bytes[p++] === 1;
          break;
        case enum_.date: {
          const d = int32At(bytes, p);
          out[i] = d === 2147483647 ? Infinity : d === -2147483648 ? -Infinity : d;
          p += 4;
          break;
        }
        default: {
          let l = 0;
          let shift = 0;
          for (;;) {
            const b = bytes[p++] as number;
            l |= (b & 0x7f) << shift;
            if (b < 0x80) break;
            shift += 7;
          }
          if (skip) out[i] = null;
          else out[i] = readString(bytes, p, l);
          p += l;
        }
      }
    }
    return out;
  }

  return {
    encode,
    size,
    encodeInto,
    decode: (bytes, width = n) => decodeInto(bytes, 0, new Array<Value>(width), undefined),
    decodeWanted: (bytes, want, width = n) => decodeInto(bytes, 0, new Array<Value>(width), want),
    decodeAt: (bytes, start, want, width = n) => decodeInto(bytes, start, new Array<Value>(width), want),
    decodeColumns: (bytes, wanted) => {
      const want = new Array<boolean>(n).fill(false);
      for (const w of wanted) want[w] = true;
      return decodeInto(bytes, 0, new Array<Value>(n), want);
    },
  };
}

const SCRATCH = new Uint8Array(8);
const SCRATCH_VIEW = new DataView(SCRATCH.buffer);

/** A view of `len` bytes copied from `bytes[p..]`, valid until the next call. */
function scratchAt(bytes: Uint8Array, p: number, len: number): DataView {
  for (let j = 0; j < len; j++) SCRATCH[j] = bytes[p + j] as number;
  return SCRATCH_VIEW;
}

function int32At(bytes: Uint8Array, p: number): number {
  return (
    (bytes[p] as number) |
    ((bytes[p + 1] as number) << 8) |
    ((bytes[p + 2] as number) << 16) |
    ((bytes[p + 3] as number) << 24)
  );
}

function readString(bytes: Uint8Array, p: number, l: number): string {
  if (l < 64) {
    let s = '';
    for (let j = 0; j < l; j++) {
      const b = bytes[p + j] as number;
      if (b >= 0x80) return decoder.decode(bytes.subarray(p, p + l));
      s += String.fromCharCode(b);
    }
    return s;
  }
  return decoder.decode(bytes.subarray(p, p + l));
}
