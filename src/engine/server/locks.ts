/**
 * Table locks on the coordinator, held until the end of the distributed transaction.
 *
 * Greenplum (without the global deadlock detector) takes ExclusiveLock for UPDATE and DELETE,
 * so writers of one table take turns while readers and inserters go on; DDL takes
 * AccessExclusiveLock. A wait that closes a cycle fails with "deadlock detected".
 */
import { sqlError, type SqlError } from '../errors.ts';
import type { Interrupts } from '../exec/interrupts.ts';
import type { Clock, Timer } from '../runtime/clock.ts';

export type LockMode =
  'AccessShareLock' | 'RowExclusiveLock' | 'ShareLock' | 'ExclusiveLock' | 'AccessExclusiveLock';

/** Postgres' conflict table, for the modes this lab takes (ShareLock: CREATE INDEX). */
const CONFLICTS: Record<LockMode, LockMode[]> = {
  AccessShareLock: ['AccessExclusiveLock'],
  RowExclusiveLock: ['ShareLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ShareLock: ['RowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ExclusiveLock: ['RowExclusiveLock', 'ShareLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  AccessExclusiveLock: [
    'AccessShareLock',
    'RowExclusiveLock',
    'ShareLock',
    'ExclusiveLock',
    'AccessExclusiveLock',
  ],
};

interface Holder {
  owner: number;
  mode: LockMode;
}

interface Granted extends Holder {
  /** Grant order (a savepoint releases what was granted after it). */
  seq: number;
}

interface Waiter extends Holder {
  resolve: () => void;
  reject: (e: Error) => void;
}

/** How a waiting owner's wait may end early. */
export interface LockWait {
  /** The waiting statement's interrupts: a cancel (or statement_timeout) ends the wait. */
  interrupts: Interrupts;
  /** lock_timeout in wall milliseconds; 0 waits as long as it takes. */
  timeoutMs: number;
  clock: Clock;
  /** Told when the wait starts and ends (pg_stat_activity's wait_event 'Lock' / 'relation'). */
  onWait?: (waiting: boolean) => void;
}

/**
 * The object a transaction locks in share mode, to its end, when it first changes the catalog,
 * and gpexpand's setup in exclusive mode (gp_segment_configuration's oid, 5036 in Greenplum).
 */
export const CATALOG_CHANGE_LOCK = 5036;
/** The lock owner gpexpand's catalog lock is held by (no session has a negative id). */
export const EXPANSION_LOCK_OWNER = -1;

export class LockManager {
  private readonly held = new Map<number, Granted[]>();
  private grants = 0;
  private readonly waiting = new Map<number, Waiter[]>();
  /** What each waiting owner waits for (owner → relation). */
  private readonly waitsOn = new Map<number, number>();
  private readonly waitOf: (owner: number) => LockWait | undefined;

  constructor(waitOf: (owner: number) => LockWait | undefined = () => undefined) {
    this.waitOf = waitOf;
  }

  /**
   * Acquires a lock for `owner` (a session), waiting behind conflicting holders; with `nowait`
   * (the relation's name), failing at once instead (55P03, as NOWAIT).
   */
  /**
   * Takes the lock; resolves true when it had to wait for it (the holder may have changed the
   * table meanwhile: the caller reads its catalog entry again).
   */
  async acquire(owner: number, rel: number, mode: LockMode, nowait?: string): Promise<boolean> {
    const holders = this.held.get(rel) ?? [];
    if (holders.some((h) => h.owner === owner && covers(h.mode, mode))) return false;
    if (this.grantable(rel, owner, mode)) {
      this.grant(rel, owner, mode);
      return false;
    }
    if (nowait !== undefined)
      throw sqlError('lock_not_available', `could not obtain lock on relation "${nowait}"`);
    if (this.wouldDeadlock(owner, rel, mode))
      throw sqlError('deadlock_detected', 'deadlock detected', {
        detail: `Process ${owner} waits for ${mode} on relation ${rel}; blocked by a transaction that waits for this one.`,
        hint: 'See server log for query details.',
      });
    const wait = this.waitOf(owner);
    // A look at a simulated run from outside cannot wait for the run, which stands still.
    if (wait?.clock.observing?.())
      throw sqlError('lock_not_available', `could not obtain lock on relation ${rel}`, {
        detail: "A look at a simulated run does not wait: one of the run's transactions holds the lock.",
      });
    wait?.onWait?.(true);
    await new Promise<void>((resolve, reject) => {
      let timer: Timer | undefined;
      let done = false;
      const w: Waiter = {
        owner,
        mode,
        resolve: () => {
          done = true;
          timer?.cancel();
          wait?.onWait?.(false);
          resolve();
        },
        reject: (e) => {
          done = true;
          timer?.cancel();
          wait?.onWait?.(false);
          reject(e);
        },
      };
      const list = this.waiting.get(rel) ?? [];
      list.push(w);
      this.waiting.set(rel, list);
      this.waitsOn.set(owner, rel);
      if (!wait) return;
      if (wait.timeoutMs > 0)
        timer = wait.clock.setTimer(wait.timeoutMs, () =>
          this.abandon(rel, w, sqlError('lock_not_available', 'canceling statement due to lock timeout')),
        );
      wait.interrupts.onCancel((reason) => {
        if (!done) this.abandon(rel, w, reason);
      });
    });
    return true;
  }

  /** A waiter gives up (cancelled, lock_timeout): it leaves the queue; those behind may go. */
  private abandon(rel: number, w: Waiter, reason: SqlError): void {
    const list = this.waiting.get(rel) ?? [];
    const i = list.indexOf(w);
    if (i < 0) return;
    list.splice(i, 1);
    if (this.waitsOn.get(w.owner) === rel) this.waitsOn.delete(w.owner);
    w.reject(reason);
    this.wake(rel);
  }

  /** Does `owner` hold a lock on `rel` already (in any mode)? */
  holds(owner: number, rel: number): boolean {
    return (this.held.get(rel) ?? []).some((h) => h.owner === owner);
  }

  /** Where grants stand now: ROLLBACK TO SAVEPOINT releases what was granted after it. */
  mark(): number {
    return this.grants;
  }

  /** Releases everything `owner` holds and wakes whoever can go now. */
  releaseAll(owner: number): void {
    this.releaseSince(owner, 0);
  }

  /** Releases the locks `owner` was granted after `mark` (a rolled-back subtransaction's). */
  releaseSince(owner: number, mark: number): void {
    for (const [rel, holders] of this.held) {
      const rest = holders.filter((h) => h.owner !== owner || h.seq <= mark);
      if (rest.length !== holders.length) {
        if (rest.length) this.held.set(rel, rest);
        else this.held.delete(rel);
        this.wake(rel);
      }
    }
    // A session that gives up while waiting leaves the queue.
    const rel = this.waitsOn.get(owner);
    if (rel !== undefined) {
      const list = (this.waiting.get(rel) ?? []).filter((w) => w.owner !== owner);
      this.waiting.set(rel, list);
      this.waitsOn.delete(owner);
    }
  }

  /** Current locks, for pg_locks. */
  snapshot(): { rel: number; owner: number; mode: LockMode; granted: boolean }[] {
    const out: { rel: number; owner: number; mode: LockMode; granted: boolean }[] = [];
    for (const [rel, hs] of this.held)
      for (const h of hs) out.push({ rel, owner: h.owner, mode: h.mode, granted: true });
    for (const [rel, ws] of this.waiting)
      for (const w of ws) out.push({ rel, owner: w.owner, mode: w.mode, granted: false });
    return out;
  }

  waitingFor(owner: number): number | undefined {
    return this.waitsOn.get(owner);
  }

  private grantable(rel: number, owner: number, mode: LockMode): boolean {
    const holders = this.held.get(rel) ?? [];
    const queue = this.waiting.get(rel) ?? [];
    const conflictsHeld = holders.some((h) => h.owner !== owner && CONFLICTS[mode].includes(h.mode));
    const conflictsQueued = queue.some((w) => w.owner !== owner && CONFLICTS[mode].includes(w.mode));
    return !conflictsHeld && !conflictsQueued;
  }

  private grant(rel: number, owner: number, mode: LockMode): void {
    const holders = this.held.get(rel) ?? [];
    holders.push({ owner, mode, seq: ++this.grants });
    this.held.set(rel, holders);
  }

  private wake(rel: number): void {
    const queue = this.waiting.get(rel) ?? [];
    while (queue.length) {
      const w = queue[0]!;
      const holders = this.held.get(rel) ?? [];
      if (holders.some((h) => h.owner !== w.owner && CONFLICTS[w.mode].includes(h.mode))) break;
      queue.shift();
      this.waitsOn.delete(w.owner);
      this.grant(rel, w.owner, w.mode);
      w.resolve();
    }
  }

  private wouldDeadlock(owner: number, rel: number, mode: LockMode): boolean {
    // Owners blocking this request; does any of them (transitively) wait for `owner`?
    const blockers = (r: number, m: LockMode, o: number) =>
      (this.held.get(r) ?? [])
        .filter((h) => h.owner !== o && CONFLICTS[m].includes(h.mode))
        .map((h) => h.owner);
    const seen = new Set<number>();
    const stack = blockers(rel, mode, owner);
    while (stack.length) {
      const b = stack.pop()!;
      if (b === owner) return true;
      if (seen.has(b)) continue;
      seen.add(b);
      const r = this.waitsOn.get(b);
      if (r === undefined) continue;
      const w = (this.waiting.get(r) ?? []).find((x) => x.owner === b);
      if (w) stack.push(...blockers(r, w.mode, b));
    }
    return false;
  }
}

/** A held lock covers a wanted one when it conflicts with everything the wanted one does. */
function covers(held: LockMode, want: LockMode): boolean {
  return held === want || CONFLICTS[want].every((m) => CONFLICTS[held].includes(m));
}
