import { describe, expect, it } from 'vitest';
import { packRows, transferOf, unpackRows, type WireRows } from '../../../src/engine/exec/row-batch.ts';
import type { Row } from '../../../src/engine/exec/context.ts';
import type { SqlType, TypeId } from '../../../src/engine/sql/types.ts';

const types = (...names: TypeId[]): SqlType[] => names.map((name) => ({ name }));

/** What the receiver gets: the batch after a structured clone that transfers its buffers. */
function overTheWire(batch: WireRows): Row[] {
  return unpackRows(structuredClone(batch, { transfer: transferOf(batch) }));
}

describe('Motion batches on the wire', () => {
  it('packs fixed-width columns and decodes exactly the values sent, NULLs included', () => {
    const t = types('int2', 'int4', 'int8', 'float4', 'float8', 'bool', 'date', 'timestamp', 'timestamptz');
    const rows: Row[] = [
      [1, 2, 3n, 1.5, 0.1, true, 19000, 1.7e15, -1],
      [-32768, -2147483648, -(2n ** 63n), -0, -0, false, Infinity, -0.5, 0],
      [32767, 2147483647, 2n ** 63n - 1n, NaN, NaN, true, -Infinity, Infinity, -Infinity],
      [null, null, null, null, null, null, null, null, null],
      [0, 0, 0n, Math.fround(3.3), 1e308, false, -2147483647, 0, 1],
    ];
    const batch = packRows(rows, t);
    expect(Array.isArray(batch)).toBe(false);
    const got = overTheWire(batch);
    expect(got).toHaveLength(rows.length);
    got.forEach((row, r) =>
      row.forEach((v, i) =>
        expect(Object.is(v, rows[r]![i]), `row ${r} column ${i}: ${String(v)}`).toBe(true),
      ),
    );
    // Transferred: the sender's buffers are gone, not copied.
    if (!Array.isArray(batch)) expect(batch.bytes.byteLength).toBe(0);
  });

  it.each([
    ['a text column', types('int4', 'text'), [[1, 'a']]],
    ['numeric (kept as text)', types('numeric'), [['1.5']]],
    ['a double in a float4 column', types('float4'), [[0.1]]],
    ['an integer -0', types('int4'), [[-0]]],
    ['an int4 out of range', types('int4'), [[2 ** 31]]],
    ['a fraction in an int2 column', types('int2'), [[1.5]]],
    ['a number in an int8 column', types('int8'), [[5]]],
    ['an int8 out of range', types('int8'), [[2n ** 63n]]],
    ['a string in an int4 column', types('int4'), [['7']]],
    ['a number in a bool column', types('bool'), [[1]]],
    ['a date where infinity is stored', types('date'), [[2147483647]]],
    ['a fractional date', types('date'), [[1.5]]],
    ['a row of the wrong width', types('int4', 'int4'), [[1]]],
  ] as [string, SqlType[], Row[]][])('sends %s as rows, unchanged', (_what, t, rows) => {
    const batch = packRows(rows, t);
    expect(batch).toBe(rows);
    expect(overTheWire(batch)).toEqual(rows);
  });

  it('packs a column of another type that is NULL in every row (one its receivers do not use)', () => {
    const rows: Row[] = [
      [1, null],
      [2, null],
    ];
    const batch = packRows(rows, types('int4', 'text'));
    expect(Array.isArray(batch)).toBe(false);
    expect(overTheWire(batch)).toEqual(rows);
  });

  it('sends an empty batch as rows', () => {
    const rows: Row[] = [];
    expect(packRows(rows, types('int4'))).toBe(rows);
  });

  it('round-trips 10,000 generated rows of two int4 and a float8', () => {
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0);
    const rows: Row[] = Array.from({ length: 10_000 }, () => [
      next() % 7 === 0 ? null : (next() | 0) >> (next() % 31),
      next() % 100,
      next() % 5 === 0 ? null : next() / 3 - 1e9,
    ]);
    const batch = packRows(rows, types('int4', 'int4', 'float8'));
    expect(Array.isArray(batch)).toBe(false);
    expect(overTheWire(batch)).toEqual(rows);
  });
});
