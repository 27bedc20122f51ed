/**
 * The wall clock, for the inline and worker runtimes. This is the one engine file that touches
 * the global timer functions; everything else gets time through a Clock.
 */
import type { Clock, Timer } from './clock.ts';

interface TimerGlobals {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  performance?: { now(): number; timeOrigin?: number };
  Date: { now(): number };
}

const g = globalThis as unknown as TimerGlobals;

export const realClock: Clock = {
  now: () => g.Date.now(),
  setTimer(ms: number, fn: () => void): Timer {
    const h = g.setTimeout(fn, ms);
    return { cancel: () => g.clearTimeout(h) };
  },
  sleep: (ms: number) => new Promise<void>((resolve) => g.setTimeout(resolve, ms)),
};
