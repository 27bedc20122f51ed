/**
 * cloneMessage against the platform's structuredClone: generated messages of plain data, and
 * every kind of value it hands over to structuredClone, must come out as structuredClone makes
 * them — same values, same prototypes, same sharing, nothing shared with the original, and the
 * same DataCloneError where structuredClone throws one.
 */
import { inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { cloneMessage } from '../../../src/engine/runtime/plain-clone.ts';
import { mulberry32 } from '../../support/prng.ts';

/** A random message of plain data, as Comlink and the engine send them. */
function plainValue(r: () => number, depth = 0): unknown {
  const pick = Math.floor(r() * (depth > 4 ? 7 : 10));
  const bytes = () => Uint8Array.from({ length: 1 + Math.floor(r() * 20) }, () => Math.floor(r() * 256));
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
      return bytes();
    case 6:
      return bytes().buffer;
    case 7:
    case 8: {
      // Names and integer-like keys, whose order an object keeps its own way.
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(r() * 5); i > 0; i--)
        o[r() < 0.5 ? `k${Math.floor(r() * 10)}` : String(Math.floor(r() * 10))] = plainValue(r, depth + 1);
      return o;
    }
    default:
      return Array.from({ length: Math.floor(r() * 5) }, () => plainValue(r, depth + 1));
  }
}

/** Every object reachable from `v` (a view's buffer too), in the order a walk finds them. */
function objects(v: unknown, out: object[] = []): object[] {
  if (typeof v !== 'object' || v === null || out.includes(v)) return out;
  out.push(v);
  if (ArrayBuffer.isView(v)) return objects(v.buffer, out);
  if (v instanceof ArrayBuffer) return out;
  for (const x of v instanceof Map ? [...v.entries()].flat() : v instanceof Set ? [...v] : Object.values(v))
    objects(x, out);
  return out;
}

/**
 * Everything structuredClone preserves, as text: values (-0 and BigInts too), prototypes, own
 * keys in their order, a view's offset and its whole buffer, and which objects are one object.
 */
function shape(v: unknown, ids = new Map<object, number>()): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v !== 'object' || v === null) return `${typeof v}:${String(v)}`;
  const id = ids.get(v);
  if (id !== undefined) return `#${id}`;
  ids.set(v, ids.size);
  const proto = Object.getPrototypeOf(v) as { constructor?: { name: string } } | null;
  const name = proto === null ? 'null' : (proto.constructor?.name ?? '?');
  if (v instanceof ArrayBuffer) return `${name}(${[...new Uint8Array(v)].join(' ')})`;
  if (ArrayBuffer.isView(v)) return `${name}@${v.byteOffset}+${v.byteLength}(${shape(v.buffer, ids)})`;
  if (v instanceof Map)
    return `Map[${[...v].map(([k, x]) => `${shape(k, ids)}=>${shape(x, ids)}`).join(',')}]`;
  if (v instanceof Set) return `Set[${[...v].map((x) => shape(x, ids)).join(',')}]`;
  if (v instanceof Date) return `Date(${v.getTime()})`;
  if (v instanceof RegExp) return `RegExp(${String(v)})`;
  const keys = Reflect.ownKeys(v).filter((k) => !(v instanceof Error && k === 'stack'));
  return `${name}{${keys.map((k) => `${String(k)}:${shape((v as Record<PropertyKey, unknown>)[k], ids)}`).join(',')}}`;
}

/** ES2024's resizable ArrayBuffer constructor (newer than this project's lib). */
type Resizable = new (n: number, options: { maxByteLength: number }) => ArrayBuffer;

/** Changes every object and buffer reachable from `v` in place. */
function mutate(v: unknown): void {
  for (const o of objects(v)) {
    if (o instanceof ArrayBuffer) new Uint8Array(o).fill(0xee);
    else if (o instanceof Map) o.set('mutated', 1);
    else if (!ArrayBuffer.isView(o) && Object.isExtensible(o)) Reflect.set(o, 'mutated', 1);
  }
}

/** Checks cloneMessage against structuredClone on `value`; returns how often it called it. */
function expectSameAsStructuredClone(value: unknown): number {
  const expected = shape(structuredClone(value));
  const platform = vi.spyOn(globalThis, 'structuredClone');
  let actual: unknown;
  try {
    actual = cloneMessage(value);
  } finally {
    platform.mockRestore();
  }
  expect(shape(actual), inspect(value, { depth: 3 })).toBe(expected);
  // Nothing shared with the original: changing all of it leaves the copy as it was.
  for (const o of objects(actual)) expect(objects(value)).not.toContain(o);
  mutate(value);
  expect(shape(actual)).toBe(expected);
  return platform.mock.calls.length;
}

describe('cloneMessage', () => {
  it.each(Array.from({ length: 20 }, (_, i) => i + 1))(
    'makes what structuredClone makes of generated plain messages (seed %i)',
    (seed) => {
      const r = mulberry32(seed);
      // ... and makes it itself: plain data never costs a structuredClone.
      for (let i = 0; i < 200; i++) expect(expectSameAsStructuredClone(plainValue(r))).toBe(0);
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
    [
      'two views of one buffer',
      (() => {
        const b = new Uint8Array([1, 2]).buffer;
        return { a: new Uint8Array(b), b: new Uint8Array(b) };
      })(),
    ],
    [
      'a view and its buffer',
      (() => {
        const v = new Uint8Array([3, 4]);
        return [v, v.buffer];
      })(),
    ],
    ['an empty buffer', { e: new ArrayBuffer(0) }],
    ['a resizable buffer', new (ArrayBuffer as unknown as Resizable)(4, { maxByteLength: 16 })],
    ['a __proto__ key (JSON)', JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as unknown],
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
