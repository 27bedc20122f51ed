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
}

/** Structured events for the lab's timeline, transcripts and the simulator's traces. */
export interface TraceEvent {
  kind: string;
  [field: string]: unknown;
}

export type TraceSink = (event: TraceEvent) => void;

export const noTrace: TraceSink = () => {};
