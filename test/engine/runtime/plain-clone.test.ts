/**
 * cloneMessage against the platform's structuredClone: generated messages of plain data, and
 * every kind of value it hands over to structuredClone, must come out as structuredClone makes
 * them — same values, same prototypes, same sharing, nothing shared with the original, and the
 * same DataCloneError where structuredClone throws one.
 */
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cloneMessage } from '../../../src/engine/runtime/plain-clone.ts';
import { mulberry32 } from '../../support/prng.ts';

/** A random message of plain data, as Comlink and the engine send them. */
function plainValue(r: () => number, depth = 0): unknown {
  const pick = Math.floor(r() * (depth > 4 ? 7 : 10));
  switch (pick) {
    case 0:
      return [0, -0, 1.5, NaN, Infinity, -7, Number.MAX_SAFE_INTEGER][Math.floor(r() * 7)];
    case 1:
      return ['', 'select 1', 'é✓', 'a'.repeat(40)][Math.floor(r() * 4)];
    case 2:
      return r() < 0.5;
    case 3:
      return r() < 0.5 ? null : undefined;
    case 4:
      return BigInt(Math.floor(r() * 1e6)) * 1_000_000_007n;
    case 5:
      return Uint8Array.from({ length: Math.floor(r() * 20) }, () => Math.floor(r() * 256));
    case 6:
      return Uint8Array.from({ length: Math.floor(r() * 20) }, () => Math.floor(r() * 256)).buffer;
    case 7:
    case 8: {
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(r() * 5); i > 0; i--) o[`k${Math.floor(r() * 10)}`] = plainValue(r, depth + 1);
      return o;
    }
    default:
      return Array.from({ length: Math.floor(r() * 5) }, () => plainValue(r, depth + 1));
  }
}

/** Every object reachable from `v`, in the order a walk finds them. */
function objects(v: unknown, out: object[] = []): object[] {
  if (typeof v !== 'object' || v === null || out.includes(v)) return out;
  out.push(v);
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return out;
  for (const x of v instanceof Map ? [...v.entries()].flat() : v instanceof Set ? [...v] : Object.values(v))
    objects(x, out);
  return out;
}

function expectSameAsStructuredClone(value: unknown): void {
  const expected: unknown = structuredClone(value);
  const actual = cloneMessage(value);
  expect(isDeepStrictEqual(actual, expected)).toBe(true);
  // Nothing shared with the original, and sharing inside it kept as structuredClone keeps it.
  const mine = objects(actual);
  const theirs = objects(expected);
  expect(mine.length).toBe(theirs.length);
  for (const o of mine) expect(objects(value).includes(o)).toBe(false);
  for (const [i, o] of mine.entries())
    expect(Object.getPrototypeOf(o)).toBe(Object.getPrototypeOf(theirs[i]));
}

describe('cloneMessage', () => {
  it.each(Array.from({ length: 20 }, (_, i) => i + 1))(
    'makes what structuredClone makes of generated plain messages (seed %i)',
    (seed) => {
      const r = mulberry32(seed);
      for (let i = 0; i < 200; i++) expectSameAsStructuredClone(plainValue(r));
    },
  );

  class Point {
    x = 1;
    y = 2;
  }
  const shared = { n: 1 };
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const buffer = new Uint8Array([1, 2, 3, 4, 5, 6]).buffer;
  const withGetter = Object.defineProperty({ a: 1 }, 'b', { get: () => 42, enumerable: true });
  const arrayWithExtra = Object.assign([1, 2], { extra: 'x' });
  let deep: unknown = 'bottom';
  for (let i = 0; i < 200; i++) deep = { next: deep };

  it.each([
    ['a class instance', { p: new Point() }],
    ['a Map and a Set', { m: new Map([['k', { v: 1 }]]), s: new Set([1, 'two']) }],
    ['a Date and a RegExp', [new Date(0), /ab+c/gi]],
    ['an Error', { e: new RangeError('out of range') }],
    ['an object reached twice', { a: shared, b: [shared] }],
    ['a cycle', cyclic],
    ['a view of part of a buffer', { v: new Uint8Array(buffer, 2, 3) }],
    ['another typed array', { f: new Float64Array([1.5, -0]) }],
    ['a sparse array', [1, , 3]], // eslint-disable-line no-sparse-arrays
    ['an array with a property of its own', arrayWithExtra],
    ['an accessor', withGetter],
    ['an object with no prototype', Object.assign(Object.create(null) as object, { a: [1] })],
    ['200 levels of nesting', deep],
  ])('makes what structuredClone makes of %s', (_, value) => {
    expectSameAsStructuredClone(value);
  });

  it.each([
    ['a function', { f: () => 1 }],
    ['a symbol', [Symbol('s')]],
  ])('throws structuredClone’s DataCloneError for %s', (_, value) => {
    const err = (() => {
      try {
        structuredClone(value);
      } catch (e) {
        return e as Error;
      }
      throw new Error('structuredClone accepted it');
    })();
    expect(() => cloneMessage(value)).toThrow(err.constructor as new () => Error);
    expect(() => cloneMessage(value)).toThrow(err.message);
  });

  it('moves transferred buffers, as structuredClone does', () => {
    const data = new Uint8Array([9, 8, 7]).buffer;
    const out = cloneMessage({ data }, [data]);
    expect(new Uint8Array(out.data)).toEqual(new Uint8Array([9, 8, 7]));
    expect(data.byteLength).toBe(0);
  });
});
