/**
 * CHECK_FOR_INTERRUPTS for one statement on one instance. An instance is one thread, so the
 * statement's long loops (scans, joins, sorts, aggregation, inserts) call `check()` between
 * batches: it yields the thread once the slice is used (probes, WAL acknowledgements and
 * timers run meanwhile) and fails the statement once it was cancelled (pg_cancel_backend,
 * statement_timeout, a cancel sent by the coordinator).
 *
 * It also counts the memory the statement holds on this instance (hash tables, sort input,
 * materialized rows, aggregate groups, results) against statement_mem. Greenplum spills such
 * operators to workfiles past their share; the lab has no workfiles, so a statement that needs
 * more fails alone with 53200 instead of taking the instance (the browser's worker) down.
 */
import { SqlError, sqlError } from '../errors.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Value } from '../sql/types.ts';

export class Interrupts {
  private readonly clock: Clock;
  /** statement_mem in bytes; 0 for no limit. */
  memoryLimit: number;
  private reason: SqlError | undefined;
  private readonly listeners: ((reason: SqlError) => void)[] = [];
  /** Bytes held now, and the most held at once. */
  held = 0;
  peak = 0;

  constructor(clock: Clock, memoryLimit = 0) {
    this.clock = clock;
    this.memoryLimit = memoryLimit;
  }

  /** Why the statement was cancelled, if it was. */
  get cancelled(): SqlError | undefined {
    return this.reason;
  }

  /** Cancels the statement: the next check throws `reason` (the first reason wins). */
  cancel(reason: SqlError): void {
    if (this.reason) return;
    this.reason = reason;
    for (const l of this.listeners.splice(0)) l(reason);
  }

  /** Runs `listener` once when the statement is cancelled (at once if it already was). */
  onCancel(listener: (reason: SqlError) => void): void {
    if (this.reason) listener(this.reason);
    else this.listeners.push(listener);
  }

  /**
   * Throws if cancelled; yields the thread if its slice is used. Cheap enough to call once per
   * batch of rows: `await interrupts.check()`.
   */
  check(): Promise<void> | undefined {
    if (this.reason) throw this.reason;
    if (!this.clock.shouldYield()) return undefined;
    return this.clock.yield().then(() => {
      if (this.reason) throw this.reason;
    });
  }

  /** Counts `bytes` more held by `what` (an operator); fails the statement past statement_mem. */
  reserve(bytes: number, what: string): void {
    this.held += bytes;
    if (this.held > this.peak) this.peak = this.held;
    const limit = this.memoryLimit;
    if (limit > 0 && this.held > limit) {
      this.held -= bytes;
      throw outOfMemory(bytes, what, limit);
    }
  }

  release(bytes: number): void {
    this.held = Math.max(0, this.held - bytes);
  }
}

export function outOfMemory(bytes: number, what: string, limit: number): SqlError {
  return sqlError('out_of_memory', 'out of memory', {
    detail: `Failed on request of size ${bytes} bytes in ${what}: the statement would hold more than statement_mem (${formatBytes(limit)}) on this instance.`,
    hint: 'The lab keeps operator state in memory (it has no workfiles to spill to): narrow the query (a LIMIT, a filter, fewer rows joined) or raise statement_mem.',
  });
}

function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)}MB` : `${Math.round(n / 1024)}kB`;
}

/** A statement that ran past statement_timeout (57014, Postgres' text). */
export function statementTimeoutError(): SqlError {
  return sqlError('query_canceled', 'canceling statement due to statement timeout');
}

/** A cancel asked for by a client (pg_cancel_backend, the console's cancel). */
export function userCancelError(): SqlError {
  return sqlError('query_canceled', 'canceling statement due to user request');
}

/** Rebuilds a cancel reason that crossed a link as plain fields. */
export function cancelReason(code: string, message: string): SqlError {
  return new SqlError(code, message);
}

/**
 * An estimate of the memory a row holds in the JavaScript heap: what the accounting counts.
 * Strings count a byte per character plus a header; every value a slot in the row's array.
 */
export function rowBytes(row: readonly Value[]): number {
  let n = 32 + 8 * row.length;
  for (const v of row) {
    if (typeof v === 'string') n += 16 + v.length;
    else if (typeof v === 'bigint') n += 16;
    else if (v !== null && typeof v === 'object') n += valueBytes(v);
  }
  return n;
}

function valueBytes(v: object): number {
  if (ArrayBuffer.isView(v)) return 32 + v.byteLength;
  if (Array.isArray(v)) return rowBytes(v as Value[]);
  return 64;
}

/** The bytes of a batch of rows. */
export function batchBytes(rows: readonly (readonly Value[])[]): number {
  let n = 0;
  for (const r of rows) n += rowBytes(r);
  return n;
}
