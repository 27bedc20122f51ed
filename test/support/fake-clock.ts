import type { Clock, Timer } from '../../src/engine/runtime/clock.ts';

/** A manual clock for unit tests: timers fire only when the test advances time. */
export class ManualClock implements Clock {
  private t = 1_700_000_000_000;
  private timers: { at: number; fn: () => void; cancelled: boolean }[] = [];

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const entry = { at: this.t + ms, fn, cancelled: false };
    this.timers.push(entry);
    return { cancel: () => (entry.cancelled = true) };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve));
  }

  yield(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  shouldYield(): boolean {
    return false;
  }

  advance(ms: number): void {
    this.t += ms;
    const due = this.timers.filter((x) => !x.cancelled && x.at <= this.t);
    this.timers = this.timers.filter((x) => !due.includes(x));
    for (const d of due) d.fn();
  }
}
