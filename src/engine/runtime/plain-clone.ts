/**
 * A structured clone of a message made of plain data, done in JavaScript: the simulated
 * MessageChannel clones every message it carries, and the platform's structuredClone costs
 * several microseconds for even a small Comlink message (the explorer's profiles: a seventh of
 * its time). Anything else — a class instance, a Map, a typed array that views part of a
 * buffer, an object reached twice, a transfer list — goes to structuredClone, so the result is
 * always what structuredClone would have made.
 */

type StructuredClone = <V>(value: V, options?: { transfer?: unknown[] }) => V;

const platformClone = (globalThis as unknown as { structuredClone: StructuredClone }).structuredClone;

/** Beyond this depth the copy gives up and structuredClone does it (no deep recursion here). */
const MAX_DEPTH = 64;

/** Thrown inside the copy when a value needs structuredClone; never escapes. */
const NOT_PLAIN: unique symbol = Symbol('not plain');

export function cloneMessage<V>(value: V, transfer: readonly unknown[] = []): V {
  if (transfer.length > 0) return platformClone(value, { transfer: [...transfer] });
  try {
    return copy(value, new Set(), 0) as V;
  } catch (e) {
    if (e !== NOT_PLAIN) throw e;
    return platformClone(value);
  }
}

function copy(v: unknown, seen: Set<object>, depth: number): unknown {
  if (typeof v !== 'object' || v === null) {
    // Functions and symbols make structuredClone throw DataCloneError: it must be its throw.
    if (typeof v === 'function' || typeof v === 'symbol') throw NOT_PLAIN;
    return v;
  }
  // Shared and cyclic references keep their shape only in structuredClone.
  if (seen.has(v) || depth > MAX_DEPTH) throw NOT_PLAIN;
  seen.add(v);
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) throw NOT_PLAIN;
    const out: unknown[] = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      // A hole stays a hole in structuredClone; `in` tells one from an undefined.
      if (!(i in v)) throw NOT_PLAIN;
      out[i] = copy(v[i], seen, depth + 1);
    }
    // Extra own properties on an array (rare) are cloned by structuredClone, not by the loop.
    if (Object.keys(v).length !== v.length) throw NOT_PLAIN;
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      // (structuredClone reads an accessor's value too: reading it here is the same.)
      out[k] = copy((v as Record<string, unknown>)[k], seen, depth + 1);
    }
    return out;
  }
  if (v instanceof ArrayBuffer) return v.slice(0);
  if (v instanceof Uint8Array && proto === Uint8Array.prototype) {
    // A view of part of a buffer is cloned with all of its buffer: leave that to structuredClone.
    if (v.byteOffset !== 0 || v.byteLength !== v.buffer.byteLength || !(v.buffer instanceof ArrayBuffer))
      throw NOT_PLAIN;
    return new Uint8Array(v);
  }
  throw NOT_PLAIN;
}
