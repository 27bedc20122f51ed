/**
 * Time as the engine sees it: handed in by the runtime, never read from globals, so the
 * simulator can run the same code on virtual time.
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since an epoch the runtime chooses (wall clock in the browser, virtual in sim). */
  now(): number;
  /** Runs `fn` once after `ms`; the returned handle cancels it. */
  setTimer(ms: number, fn: () => void): Timer;
  /** A promise that resolves after `ms`. */
  sleep(ms: number): Promise<void>;
  /**
   * Resolves on a later task of the host's event loop, after the messages and due timers queued
   * before it: how long work lets an instance answer probes and replication meanwhile. It is
   * not a timer, so it runs while the clock is paused.
   */
  yield(): Promise<void>;
  /**
   * True once the synchronous work running now has used its slice of the thread (a few
   * milliseconds of wall time; a count of checks in the simulator, which has no wall time).
   * Long work asks it between batches and yields when it says so.
   */
  shouldYield(): boolean;
}

/**
 * Yields to the event loop if the current slice is used up. Long loops call it between
 * batches: `await cooperate(clock)`.
 */
export function cooperate(clock: Clock): Promise<void> | undefined {
  return clock.shouldYield() ? clock.yield() : undefined;
}

/**
 * Runs `work` and settles on a later task whatever its outcome, as a reply over a network
 * does: a client calling in a loop (retrying a failing query, say) never keeps the thread.
 */
export async function settleLater<T>(clock: Clock, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    await clock.yield();
  }
}

/** Rejects with `error` on a later task, as a refused network call does. */
export function refuseLater<T = never>(clock: Clock, error: unknown): Promise<T> {
  return clock.yield().then(() => {
    throw error;
  });
}

/** Structured events for the lab's timeline, transcripts and the simulator's traces. */
export interface TraceEvent {
  kind: string;
  [field: string]: unknown;
}

export type TraceSink = (event: TraceEvent) => void;

export const noTrace: TraceSink = () => {};
