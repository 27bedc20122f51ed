/**
 * The wall clock, for the inline and worker runtimes. This is the one engine file that touches
 * the global timer functions; everything else gets time through a Clock.
 */
import type { Clock, Timer } from './clock.ts';

interface TimerGlobals {
  setTimeout(fn: () => void, ms: number): unknown;
  setImmediate?: (fn: () => void) => unknown;
  MessageChannel?: new () => {
    port1: { onmessage: (() => void) | null; close(): void };
    port2: { postMessage(m: unknown): void; close(): void };
  };
  clearTimeout(handle: unknown): void;
  performance?: { now(): number; timeOrigin?: number };
  Date: { now(): number };
}

const g = globalThis as unknown as TimerGlobals;

/**
 * The slice of the thread a run of synchronous work may take before it yields: short enough
 * that a probe waiting behind it is answered within a few milliseconds, long enough that the
 * yields cost little (each is one macrotask).
 */
export const SLICE_MS = 4;

const perfNow: () => number = g.performance ? () => g.performance!.now() : () => g.Date.now();

/**
 * When the running slice started, or undefined between slices. The first check of a slice
 * marks its start and queues a macrotask that clears the mark: that macrotask runs once the
 * thread has gone back to its event loop (the work ended or yielded), so a slice is measured
 * from its first check to the next return to the event loop, whoever does the work.
 */
let sliceStart: number | undefined;

function shouldYield(): boolean {
  const t = perfNow();
  if (sliceStart === undefined) {
    sliceStart = t;
    void macrotask().then(() => {
      sliceStart = undefined;
    });
    return false;
  }
  return t - sliceStart >= SLICE_MS;
}

export const realClock: Clock = {
  now: () => g.Date.now(),
  elapsedMs: () => (g.performance ? g.performance.now() : g.Date.now()),
  setTimer(ms: number, fn: () => void): Timer {
    const h = g.setTimeout(fn, ms);
    return { cancel: () => g.clearTimeout(h) };
  },
  sleep: (ms: number) => new Promise<void>((resolve) => g.setTimeout(resolve, ms)),
  // A macrotask, FIFO with the messages already queued: scheduler.yield() would be the
  // platform's call, but its continuation is given priority over queued tasks, and the tasks a
  // database instance must not keep waiting (FTS probes, WAL acknowledgements) are messages.
  yield: () => macrotask(),
  shouldYield,
};

let channel: { resolve: (() => void)[]; post: () => void } | undefined;

/**
 * A promise that resolves on a later turn of the host's event loop, once every microtask queued
 * before it has run (setImmediate in Node; a MessageChannel ping in browsers, which, unlike
 * setTimeout(0), is not clamped to 4 ms). The simulator waits on it between events.
 */
export function macrotask(): Promise<void> {
  if (g.setImmediate) {
    const si = g.setImmediate;
    return new Promise<void>((resolve) => si(resolve));
  }
  if (!channel && g.MessageChannel) {
    const ch = new g.MessageChannel();
    const waiting: (() => void)[] = [];
    ch.port1.onmessage = () => waiting.shift()?.();
    channel = { resolve: waiting, post: () => ch.port2.postMessage(0) };
  }
  if (!channel) return new Promise<void>((resolve) => g.setTimeout(resolve, 0));
  const c = channel;
  return new Promise<void>((resolve) => {
    c.resolve.push(resolve);
    c.post();
  });
}
