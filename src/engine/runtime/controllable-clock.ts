/**
 * A clock over another (the wall clock) that runs at an adjustable speed and can be paused:
 * the lab's pause, resume and speed controls. While paused, no timer fires (FTS probes,
 * walsender keepalives, checkpoints and call deadlines all wait), and `now()` stands still;
 * work that needs no timer (a query in flight) still runs. Changing the speed reschedules every
 * pending timer so that each fires at the same point of cluster time.
 */
import type { Clock, Timer } from './clock.ts';

export interface TimeControl {
  /** Cluster time per unit of wall time: 1 is real time, 2 twice as fast; 0 is paused. */
  readonly speed: number;
  readonly paused: boolean;
  pause(): void;
  resume(): void;
  /** Sets the speed (> 0); resumes if paused. */
  setSpeed(speed: number): void;
  /** The cluster's clock now (ms since the epoch): what now() and the catalog's timestamps read. */
  now(): number;
}

interface Pending {
  due: number;
  fn: () => void;
  cancelBase: (() => void) | undefined;
}

export class ControllableClock implements TimeControl {
  readonly clock: Clock;
  private readonly base: Clock;
  private rate = 1;
  private running = true;
  private anchorBase: number;
  private anchorTime: number;
  private readonly pending = new Set<Pending>();

  constructor(base: Clock) {
    this.base = base;
    this.anchorBase = base.now();
    this.anchorTime = this.anchorBase;
    this.clock = {
      now: () => this.now(),
      ...(base.elapsedMs ? { elapsedMs: () => base.elapsedMs!() } : {}),
      setTimer: (ms, fn) => this.setTimer(ms, fn),
      sleep: (ms) => new Promise<void>((resolve) => this.setTimer(ms, resolve)),
      // Yielding is not waiting for time: it goes on while the clock is paused.
      yield: () => base.yield(),
      shouldYield: () => base.shouldYield(),
    };
  }

  get speed(): number {
    return this.running ? this.rate : 0;
  }

  get paused(): boolean {
    return !this.running;
  }

  pause(): void {
    if (!this.running) return;
    this.reanchor();
    this.running = false;
    for (const p of this.pending) this.unschedule(p);
  }

  resume(): void {
    if (this.running) return;
    this.reanchor();
    this.running = true;
    for (const p of this.pending) this.schedule(p);
  }

  setSpeed(speed: number): void {
    if (!(speed > 0) || !Number.isFinite(speed))
      throw new RangeError(`speed must be a positive number, not ${speed}`);
    this.reanchor();
    this.rate = speed;
    this.running = true;
    for (const p of this.pending) {
      this.unschedule(p);
      this.schedule(p);
    }
  }

  /** Sets the clock to `t` (a process joining a cluster whose time is not the wall's); no timer is pending yet. */
  jumpTo(t: number): void {
    this.anchorTime = t;
    this.anchorBase = this.base.now();
  }

  now(): number {
    return this.running ? this.anchorTime + (this.base.now() - this.anchorBase) * this.rate : this.anchorTime;
  }

  private reanchor(): void {
    this.anchorTime = this.now();
    this.anchorBase = this.base.now();
  }

  private setTimer(ms: number, fn: () => void): Timer {
    const p: Pending = { due: this.now() + Math.max(0, ms), fn, cancelBase: undefined };
    this.pending.add(p);
    if (this.running) this.schedule(p);
    return {
      cancel: () => {
        this.unschedule(p);
        this.pending.delete(p);
      },
    };
  }

  private schedule(p: Pending): void {
    const wait = Math.max(0, (p.due - this.now()) / this.rate);
    const t = this.base.setTimer(wait, () => {
      this.pending.delete(p);
      p.cancelBase = undefined;
      p.fn();
    });
    p.cancelBase = () => t.cancel();
  }

  private unschedule(p: Pending): void {
    p.cancelBase?.();
    p.cancelBase = undefined;
  }
}
