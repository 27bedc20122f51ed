import { describe, it, expect } from 'vitest';
import { decodeColumns, decodeRow, encodeRow } from '../../../../src/engine/sql/tuple-codec.ts';
import { cdbhash, jumpConsistentHash, murmur3 } from '../../../../src/engine/sql/cdbhash.ts';
import type { SqlType, TypeId, Value } from '../../../../src/engine/sql/types.ts';

const t = (...names: TypeId[]): SqlType[] => names.map((name) => ({ name }));

describe('tuple codec', () => {
  const types = t(
    'int2',
    'int4',
    'int8',
    'float4',
    'float8',
    'numeric',
    'text',
    'varchar',
    'bpchar',
    'bool',
    'date',
    'timestamp',
    'timestamptz',
  );
  const row: Value[] = [
    -32768,
    2147483647,
    -9223372036854775808n,
    Math.fround(1.5),
    -0.1,
    '123.4500',
    'héllo 😀',
    '',
    'ab  ',
    true,
    -Infinity,
    762948672500000,
    Infinity,
  ];
  it('round-trips every type', () => {
    expect(decodeRow(encodeRow(row, types), types)).toEqual(row);
  });
  it('round-trips nulls', () => {
    const nulls = row.map(() => null);
    const bytes = encodeRow(nulls, types);
    expect(bytes.length).toBe(2);
    expect(decodeRow(bytes, types)).toEqual(nulls);
  });
  it('round-trips mixed nulls and long strings', () => {
    const long = 'x'.repeat(70000) + 'é';
    const r: Value[] = [null, 1, null, null, NaN, null, long, null, null, false, 0, null, -1];
    expect(decodeRow(encodeRow(r, types), types)).toEqual(r);
  });
  it('decodes selected columns', () => {
    const out = decodeColumns(encodeRow(row, types), types, [1, 6]);
    expect(out[1]).toBe(2147483647);
    expect(out[6]).toBe('héllo 😀');
    expect(out[0]).toBeNull();
    expect(out[12]).toBeNull();
  });
  it('is compact', () => {
    expect(encodeRow([1, 'ab'], t('int4', 'text')).length).toBe(1 + 4 + 1 + 2);
  });
});

describe('cdbhash', () => {
  it('murmur3 matches reference vectors', () => {
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
    expect(murmur3(enc(''))).toBe(0);
    expect(murmur3(enc('hello'))).toBe(0x248bfa47);
    expect(murmur3(enc('The quick brown fox jumps over the lazy dog'))).toBe(0x2e4ff723);
  });
  it('jump consistent hash stays in range and moves few keys when growing', () => {
    let moved = 0;
    for (let k = 0; k < 2000; k++) {
      const a = jumpConsistentHash(k * 2654435761, 4);
      const b = jumpConsistentHash(k * 2654435761, 5);
      expect(a).toBeGreaterThanOrEqual(0);
      expect(a).toBeLessThan(4);
      if (a !== b) {
        expect(b).toBe(4);
        moved++;
      }
    }
    expect(moved).toBeGreaterThan(250);
    expect(moved).toBeLessThan(550);
  });
  it('int2/int4/int8 keys of equal value co-locate', () => {
    for (const v of [0, 1, -1, 42, 2147483647, -2147483648]) {
      const s4 = cdbhash([v], t('int4'), 7);
      expect(cdbhash([v], t('int2'), 7) === s4 || Math.abs(v) > 32767).toBe(true);
      expect(cdbhash([BigInt(v)], t('int8'), 7)).toBe(s4);
    }
  });
  it('numeric by value, bpchar without padding, floats by value', () => {
    expect(cdbhash(['1.50'], t('numeric'), 8)).toBe(cdbhash(['1.5'], t('numeric'), 8));
    expect(cdbhash(['ab  '], t('bpchar'), 8)).toBe(cdbhash(['ab'], t('bpchar'), 8));
    expect(cdbhash([0], t('float8'), 8)).toBe(cdbhash([-0], t('float8'), 8));
    expect(cdbhash([1.5], t('float4'), 8)).toBe(cdbhash([1.5], t('float8'), 8));
  });
  it('is deterministic and spreads keys', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[cdbhash([i, `k${i}`], t('int4', 'text'), 4)]! += 1;
    for (const c of counts) expect(c).toBeGreaterThan(850);
    expect(cdbhash([null], t('int4'), 4)).toBe(cdbhash([null], t('text'), 4));
    expect(cdbhash([12345, 'abc'], t('int4', 'text'), 16)).toBe(
      cdbhash([12345, 'abc'], t('int4', 'text'), 16),
    );
  });
});
