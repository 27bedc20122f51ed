/**
 * The distributed transaction manager's decisions, as pure functions (tested as tables in
 * test/engine/server/dtx-rules.test.ts). The I/O around them lives in dtm.ts and dtx-recovery.ts.
 */
import { SqlError } from '../errors.ts';

/**
 * How a distributed transaction commits (Greenplum's prepareDtxTransaction):
 * - 'local': no segment wrote; the coordinator's own transaction commits (it may be empty);
 * - 'one-phase': exactly one segment wrote and the coordinator did not: that segment commits
 *   on its own, no distributed commit record;
 * - 'two-phase': PREPARE everywhere, the distributed commit record, COMMIT PREPARED everywhere.
 */
export type CommitPath = 'local' | 'one-phase' | 'two-phase';

export function commitPath(segmentWriters: number, coordinatorWrote: boolean): CommitPath {
  if (segmentWriters === 0) return 'local';
  if (segmentWriters === 1 && !coordinatorWrote) return 'one-phase';
  return 'two-phase';
}

/** What DTX recovery does with a transaction it finds prepared on a segment. */
export type InDoubtAction = 'commit' | 'abort' | 'leave';

export interface InDoubtFacts {
  /** Its distributed commit record is in the coordinator's WAL and not yet forgotten. */
  committed: boolean;
  /** A session of this coordinator is still deciding or finishing it. */
  running: boolean;
  /** How long it has been prepared on the segment. */
  ageMs: number;
}

/**
 * A committed transaction is committed wherever it is still prepared, once no session is
 * finishing it; one that never got its commit record is aborted once no session owns it and
 * it is older than `minAgeMs` (gp_dtx_recovery_prepared_period; 0 at startup, as recoverTM).
 */
export function inDoubtAction(f: InDoubtFacts, minAgeMs: number): InDoubtAction {
  if (f.running) return 'leave';
  if (f.committed) return 'commit';
  return f.ageMs >= minAgeMs ? 'abort' : 'leave';
}

/**
 * Whether an error from a segment leaves the outcome of a commit sent to it unknown: the
 * connection, the instance or its disk failed (SQLSTATE classes 08, 57P, 58, XX), or it was no
 * database error at all. Anything else is the statement's own failure, before any commit.
 */
export function outcomeUncertain(e: unknown): boolean {
  if (!(e instanceof SqlError)) return true;
  const c = e.code;
  return c.startsWith('08') || c.startsWith('57P') || c.startsWith('58') || c.startsWith('XX');
}

/**
 * Greenplum's wait before retry number `retry` of a second phase (doNotifyingCommitPrepared):
 * 100 ms for the first ten, then growing by 100 ms a retry up to 5 s; `baseMs` is the 100 ms
 * under the runtime's time scale.
 */
export function phase2RetryDelay(retry: number, baseMs: number): number {
  return baseMs * Math.min(Math.max(retry - 10, 1), 50);
}
