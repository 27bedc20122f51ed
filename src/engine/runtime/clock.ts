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
  /**
   * A high-resolution wall timer, for how long work took (EXPLAIN ANALYZE). Absent in the
   * simulator, whose measure is its virtual time.
   */
  elapsedMs?(): number;
  /**
   * True while the code running is a look at a simulation from outside (SimScheduler.observe):
   * it must start none of the run's own work (an FTS probe, a retry, a wait on a lock), or the
   * run would not be the one nobody looked at. Absent outside the simulator.
   */
  observing?(): boolean;
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

/** How whileAnswering watches the peer. */
export interface Keepalive {
  /** Wait between a ping's answer and the next ping. */
  everyMs: number;
  /** Whether an unanswered ping (the caller gives each its deadline) fails the wait. */
  giveUp: boolean;
  /** The error when a ping's answer shows the peer never got the call. */
  lost: () => Error;
}

/**
 * What a keepalive's answer says of the call: the peer never got it ('lost'), is still at it
 * ('working'), or has done it, with the outcome the call's own reply would have carried.
 */
export type PingAnswer<T> = 'lost' | 'working' | { done: T };

/**
 * Waits for `work`, a call that may take long, while the peer doing it keeps answering `ping`,
 * as a keepalive does on a connection: a peer that is busy is waited for; one that goes silent
 * (hung, cut off) fails the wait when a ping goes unanswered, unless told not to give up. A
 * ping answers what became of the call: one the peer never got (the request was lost on a cut
 * that has healed since) fails the wait with `lost`, and the caller sends it again; one the
 * peer has done ends the wait with that outcome, for its reply may have been the message lost.
 */
export function whileAnswering<T>(
  work: Promise<T>,
  ping: () => Promise<PingAnswer<T>>,
  keepalive: Keepalive,
  clock: Clock,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: Timer | undefined;
    let done = false;
    const finish = (settle: () => void): void => {
      if (done) return;
      done = true;
      timer?.cancel();
      settle();
    };
    const watch = (): void => {
      timer = clock.setTimer(keepalive.everyMs, () => {
        ping().then(
          (answer) => {
            if (done) return;
            if (answer === 'working') watch();
            else if (answer === 'lost') finish(() => reject(keepalive.lost()));
            else finish(() => resolve(answer.done));
          },
          (e: unknown) => {
            if (keepalive.giveUp) finish(() => reject(e));
            else if (!done) watch();
          },
        );
      });
    };
    work.then(
      (v) => finish(() => resolve(v)),
      (e: unknown) => finish(() => reject(e)),
    );
    watch();
  });
}

/** Structured events for the lab's timeline, transcripts and the simulator's traces. */
export type { TraceEvent } from './events.ts';
import type { TraceEvent } from './events.ts';

export type TraceSink = (event: TraceEvent) => void;

export const noTrace: TraceSink = () => {};
