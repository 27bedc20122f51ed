/**
 * A structured clone of a message made of plain data, done in JavaScript: the simulated
 * MessageChannel clones every message it carries, and the platform's structuredClone costs
 * several microseconds for even a small Comlink message (the explorer's profiles: a seventh of
 * its time). Anything else — a class instance, a Map, a typed array that views part of a
 * buffer, an object or buffer reached twice, a `__proto__` key, a resizable or detached buffer,
 * a transfer list — goes to structuredClone, which makes what a real port would.
 *
 * Two differences remain, neither in what the engine sends: a Proxy of a plain object is copied
 * (a port refuses it), and getters run again when the copy hands over to structuredClone.
 */

type StructuredClone = <V>(value: V, options?: { transfer?: unknown[] }) => V;

/** Looked up at each use, so a test can watch which messages take the slow path. */
const platformClone: StructuredClone = (value, options) =>
  (globalThis as unknown as { structuredClone: StructuredClone }).structuredClone(value, options);

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
    const out: unknown[] = [];
    for (let i = 0; i < v.length; i++) {
      // A hole stays a hole in structuredClone; `in` tells one from an undefined.
      if (!(i in v)) throw NOT_PLAIN;
      out.push(copy(v[i], seen, depth + 1));
    }
    // Extra own properties on an array (rare) are cloned by structuredClone, not by the loop.
    if (Object.keys(v).length !== v.length) throw NOT_PLAIN;
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      // Assigning it would set the copy's prototype instead of making a property.
      if (k === '__proto__') throw NOT_PLAIN;
      // An accessor is read, as structuredClone reads it.
      out[k] = copy((v as Record<string, unknown>)[k], seen, depth + 1);
    }
    return out;
  }
  if (proto === ArrayBuffer.prototype) {
    if (!plainBuffer(v as ArrayBuffer)) throw NOT_PLAIN;
    return (v as ArrayBuffer).slice(0);
  }
  if (proto === Uint8Array.prototype) {
    const view = v as Uint8Array;
    // A view of part of a buffer is cloned with all of its buffer, and a buffer reached twice
    // (two views, or a view and the buffer) stays one: both are structuredClone's to do.
    if (view.byteLength !== view.buffer.byteLength || !plainBuffer(view.buffer) || seen.has(view.buffer))
      throw NOT_PLAIN;
    seen.add(view.buffer);
    return new Uint8Array(view);
  }
  throw NOT_PLAIN;
}

/**
 * A buffer whose copy is a plain slice: not shared, not resizable (its clone stays resizable),
 * and not empty (a detached buffer is empty, and structuredClone's refusal of it is the answer).
 */
function plainBuffer(b: ArrayBufferLike): boolean {
  return (
    Object.getPrototypeOf(b) === ArrayBuffer.prototype &&
    b.byteLength > 0 &&
    (b as { resizable?: boolean }).resizable !== true
  );
}
