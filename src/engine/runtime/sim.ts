/**
 * The deterministic simulator's scheduler: virtual time, seeded message delivery, timers and
 * disk completions, for the `sim` runtime. The engine code is the same as in the other
 * runtimes; only its clock and its channels come from here.
 *
 * How it stays deterministic: nothing happens except by an event this scheduler fires (a timer,
 * a message delivery, a disk completion), one at a time, and only once every promise chain the
 * previous one started has settled (the host's microtask queue is empty: one macrotask turn).
 * Which event runs next is decided by virtual time, then by a seeded random tie-break drawn
 * when it was scheduled. Time jumps to the next event when nothing else can run.
 *
 * The scheduler runs only while somebody waits on it (`drive`): between a test's statements
 * virtual time stands still, so a simulated cluster costs nothing while nobody looks at it.
 */
import type { Clock, Timer } from './clock.ts';
import type { ChannelLike, MessageEventLike, PortLike } from './link-endpoint.ts';
import { cloneMessage } from './plain-clone.ts';
import { macrotask } from './real-clock.ts';
import { EventQueue, type SimEvent } from './sim-queue.ts';

/** A small, fast, seedable generator (mulberry32): same seed, same sequence, everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Checks of `shouldYield` per slice of work in the simulator (each check is about a batch). */
const SIM_CHECKS_PER_SLICE = 8;

export interface SimOptions {
  seed: number;
  /** Virtual epoch (ms since 1970), what `clock.now()` reads at the start. */
  epochMs?: number;
  /** A message takes a uniformly drawn latency in [0, maxLatencyMs) (FIFO per direction). */
  maxLatencyMs?: number;
  /** A disk sync completes after a drawn latency in [0, maxDiskMs). */
  maxDiskMs?: number;
}

/** Raised by `drive` when virtual time passes its deadline: the simulated call hangs. */
export class SimulationTimeout extends Error {
  readonly what: string;
  readonly virtualMs: number;
  constructor(what: string, virtualMs: number) {
    super(`${what} did not finish within ${virtualMs} ms of virtual time`);
    this.what = what;
    this.virtualMs = virtualMs;
    this.name = 'SimulationTimeout';
  }
}

export class SimScheduler {
  readonly seed: number;
  readonly random: () => number;
  /** Every fired event, one line each: virtual time, what. The determinism test compares these. */
  readonly trace: string[] = [];
  /** Events fired so far. */
  steps = 0;
  private nowMs: number;
  private readonly queue = new EventQueue();
  /** The events an observation caused (see `observe`): they alone fire while it runs. */
  private readonly observed = new EventQueue();
  private observing = false;
  private observedSeq = 0;
  private observations: Promise<unknown> = Promise.resolve();
  /** Looks asked for and not begun yet. */
  private looksQueued = 0;
  private readonly idleWaiters: (() => void)[] = [];
  private seq = 0;
  private drivers = 0;
  private running = false;
  private channels = 0;
  private lookChannels = 0;
  private readonly maxLatencyMs: number;
  private readonly maxDiskMs: number;

  readonly clock: Clock = {
    now: () => this.nowMs,
    setTimer: (ms, fn) => this.schedule(ms, 'timer', fn),
    sleep: (ms) => new Promise<void>((resolve) => this.schedule(ms, 'sleep', resolve)),
    observing: () => this.observing,
    // A yield is an event at the current virtual time: whatever else is due may run first.
    yield: () => new Promise<void>((resolve) => this.schedule(0, 'yield', resolve)),
    // Virtual time does not pass while code runs, so a slice is a count of checks.
    shouldYield: () =>
      this.observing
        ? ++this.observedChecks % SIM_CHECKS_PER_SLICE === 0
        : ++this.checks % SIM_CHECKS_PER_SLICE === 0,
  };
  private checks = 0;
  private observedChecks = 0;

  constructor(options: SimOptions) {
    this.seed = options.seed;
    this.random = seededRandom(options.seed);
    this.nowMs = options.epochMs ?? Date.UTC(2026, 0, 1);
    this.maxLatencyMs = options.maxLatencyMs ?? 0.5;
    this.maxDiskMs = options.maxDiskMs ?? 0.2;
  }

  now(): number {
    return this.nowMs;
  }

  /** Records a line in the trace at the current virtual time (cluster events, explorer steps). */
  note(what: string): void {
    if (this.observing) return;
    this.trace.push(`${this.nowMs.toFixed(3)} ${what}`);
  }

  /** A disk sync's completion: a short, seeded wait. */
  diskDelay(): Promise<void> {
    return new Promise<void>((resolve) => this.schedule(this.draw(this.maxDiskMs), 'disk', resolve));
  }

  /** A MessageChannel whose messages are delivered by this scheduler. */
  channel(): ChannelLike {
    // A look's channels are counted apart: the run's names stay what they would have been.
    const name = this.observing ? `look${++this.lookChannels}` : `ch${++this.channels}`;
    const a = new SimPort(this, `${name}>`);
    const b = new SimPort(this, `${name}<`);
    a.peer = b;
    b.peer = a;
    return { port1: a, port2: b };
  }

  /**
   * Runs the simulation until `work` settles and returns its outcome; rejects with
   * SimulationTimeout if that takes more than `timeoutMs` of virtual time (the work itself
   * keeps its pending state: the caller decides what a hang means).
   */
  drive<T>(work: Promise<T>, what = 'operation', timeoutMs = 600_000): Promise<T> {
    if (this.observing)
      return Promise.reject(
        new Error(`assertion failed: ${what} was driven while the simulation is observed`),
      );
    let done = false;
    this.drivers++;
    const deadline = new Promise<never>((_, reject) => {
      const t = this.schedule(timeoutMs, 'deadline', () => {
        if (!done) reject(new SimulationTimeout(what, timeoutMs));
      });
      void work.then(
        () => t.cancel(),
        () => t.cancel(),
      );
    });
    const result = Promise.race([work, deadline]).finally(() => {
      done = true;
      this.drivers--;
      this.wakeIdle();
    });
    void this.run();
    return result;
  }

  /** Lets `ms` of virtual time pass (everything due meanwhile runs). */
  advance(ms: number): Promise<void> {
    // Time that passes waits for a look under way (its sleep must be the run's, not the look's).
    if (this.observing || this.looksQueued > 0) return this.observations.then(() => this.advance(ms));
    return this.drive(this.clock.sleep(ms), 'advance', ms + 1);
  }

  /**
   * Runs `look` while the simulation stands still: virtual time does not pass, nothing the run
   * scheduled fires, and its seeded draws, yield count and trace stay as they were. Only what
   * `look` causes runs (its messages delivered at once, its timers in their order), so a run
   * looked at between its steps (the lab reading the catalog of a replay) is the same run as
   * one nobody looked at. It waits for any drive to end first; driving meanwhile is an error.
   * `look` must not wait on the run itself (a lock it holds): that fails the look.
   */
  observe<T>(look: () => Promise<T>, what = 'observation'): Promise<T> {
    this.looksQueued++;
    const turn = this.observations.then(() => this.observeNow(look, what));
    this.observations = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  /** @internal Whether the code running now is a look (see `observe`): it must start none of the run's work. */
  get observingNow(): boolean {
    return this.observing;
  }

  private async observeNow<T>(look: () => Promise<T>, what: string): Promise<T> {
    // The look begins the moment the run stands still: no drive can start in between.
    await new Promise<void>((resolve) => {
      this.idleWaiters.push(() => {
        this.looksQueued--;
        this.observing = true;
        resolve();
      });
      this.wakeIdle();
    });
    let settled = false;
    try {
      const work = look();
      void work.then(
        () => (settled = true),
        () => (settled = true),
      );
      for (;;) {
        await macrotask();
        if (settled) return await work;
        const ev = this.observed.pop();
        if (!ev) throw new Error(`${what} waits on the run itself, which stands still while it is observed`);
        ev.fire();
      }
    } finally {
      this.observing = false;
      // What the look left scheduled (nothing, for a read) joins the run's events, unranked.
      // (The same object: a handle to it must still cancel it.)
      for (let ev = this.observed.pop(); ev; ev = this.observed.pop()) {
        ev.rank = -1;
        this.queue.push(ev);
      }
    }
  }

  private wakeIdle(): void {
    if (this.drivers === 0 && !this.running) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** A seeded latency below `max`; an observation's messages and syncs take none. */
  private draw(max: number): number {
    return this.observing ? 0 : this.random() * max;
  }

  private schedule(ms: number, label: string, fn: () => void): Timer {
    const ev: SimEvent = {
      at: this.nowMs + Math.max(0, ms),
      rank: this.observing ? 0 : this.random(),
      seq: this.observing ? ++this.observedSeq : ++this.seq,
      label,
      fire: fn,
      cancelled: false,
    };
    (this.observing ? this.observed : this.queue).push(ev);
    return {
      cancel: () => {
        ev.cancelled = true;
      },
    };
  }

  /** @internal Schedules a delivery for a port (FIFO per direction is the port's job). */
  scheduleDelivery(label: string, fn: () => void): void {
    this.schedule(this.draw(this.maxLatencyMs), label, fn);
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        await macrotask();
        if (this.drivers === 0) return;
        const ev = this.queue.pop();
        if (!ev) throw new Error('assertion failed: a simulation with waiters has no events');
        this.nowMs = Math.max(this.nowMs, ev.at);
        this.steps++;
        if (ev.label !== 'sleep' && ev.label !== 'deadline' && ev.label !== 'yield') this.note(ev.label);
        ev.fire();
      }
    } finally {
      this.running = false;
      this.wakeIdle();
    }
  }
}

type Listener = (ev: MessageEventLike) => void;

/**
 * One end of a simulated MessageChannel: a message is cloned when posted (as structured clone
 * does) and delivered by a scheduler event; each direction stays in order.
 */
class SimPort implements PortLike {
  peer: SimPort | undefined;
  private readonly listeners = new Set<Listener>();
  private readonly closeListeners = new Set<Listener>();
  /** Posted, not yet delivered; an observation's messages pass the run's (see `observe`). */
  private readonly inbox: { data: unknown; observed: boolean }[] = [];
  private closed = false;

  private readonly sched: SimScheduler;
  private readonly name: string;

  constructor(sched: SimScheduler, name: string) {
    this.sched = sched;
    this.name = name;
  }

  postMessage(message: unknown, transfer?: unknown[]): void {
    const peer = this.peer;
    if (this.closed || !peer || peer.closed) return;
    const copy = cloneMessage(message, transfer);
    const observed = this.sched.observingNow;
    peer.inbox.push({ data: copy, observed });
    this.sched.scheduleDelivery(`${this.name} ${describe(message)}`, () => peer.deliverOne(observed));
  }

  addEventListener(type: string, listener: Listener): void {
    if (type === 'message') this.listeners.add(listener);
    else if (type === 'close') this.closeListeners.add(listener);
  }

  removeEventListener(type: string, listener: Listener): void {
    (type === 'close' ? this.closeListeners : this.listeners).delete(listener);
  }

  start(): void {}

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.inbox.length = 0;
    const peer = this.peer;
    if (peer && !peer.closed)
      this.sched.scheduleDelivery(`${this.name} close`, () => {
        for (const l of [...peer.closeListeners]) l({});
      });
  }

  private deliverOne(observed: boolean): void {
    if (this.closed) return;
    const i = this.inbox.findIndex((m) => m.observed === observed);
    if (i < 0) return;
    const data = this.inbox.splice(i, 1)[0]!.data;
    for (const l of [...this.listeners]) l({ data });
  }
}

/** A short, stable description of a Comlink message for the trace (never its random id). */
function describe(message: unknown): string {
  if (message === null || typeof message !== 'object') return typeof message;
  const m = message as { type?: unknown; path?: unknown };
  if (Array.isArray(m.path) && m.path.length > 0) return `${String(m.type)} ${m.path.join('.')}`;
  if (typeof m.type === 'string') return m.type;
  return 'reply';
}
