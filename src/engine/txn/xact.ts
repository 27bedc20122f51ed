/**
 * Local transactions: ids, commit and abort records, two-phase commit, snapshots.
 *
 * Commit, as Postgres orders it:
 * 1. insert the commit record; 2. flush WAL through it (group commit);
 * 3. wait for the synchronous standby/mirror when one is required (a hook, see replication);
 * 4. mark the xid committed in the commit log; 5. leave the running set, so new snapshots see it.
 * Until step 5 the transaction is still "running" for every snapshot, so nobody reads its rows
 * before it is durable (and replicated, when sync rep is on).
 *
 * Two-phase commit: PREPARE TRANSACTION logs and flushes a prepare record; the xid stays
 * running (and survives a crash, rebuilt from the checkpoint and the WAL) until COMMIT PREPARED
 * or ROLLBACK PREPARED.
 */
import { FirstNormalXid, XidStatus, type CommitLog, type Xid } from './clog.ts';
import type { Snapshot } from './snapshot.ts';
import { Rmgr } from '../wal/record.ts';
import { jsonPayload, parseJsonPayload } from '../wal/json-payload.ts';
import type { WalWriter } from '../wal/writer.ts';
import type { Lsn } from '../storage/lsn.ts';
import { sqlError } from '../errors.ts';

export const XactInfo = {
  commit: 0x00,
  prepare: 0x10,
  abort: 0x20,
  commitPrepared: 0x30,
  abortPrepared: 0x40,
  /** ROLLBACK TO SAVEPOINT: the transaction's commands from..to are undone. */
  undoCommands: 0x50,
} as const;

/** Payload of commit/abort/prepare records. */
export interface XactRecord {
  /** Wall-clock time of the event, from the runtime's clock. */
  time: number;
  /** Files unlinked when this record takes effect (dropped on commit, created on abort). */
  unlink?: string[];
  /** Global id of a prepared transaction. */
  gid?: string;
  /** For COMMIT/ABORT PREPARED: the prepared transaction's xid. */
  preparedXid?: Xid;
  /** Files the prepared transaction drops at commit / created (unlinked at abort). */
  drops?: string[];
  creates?: string[];
  /** A segment's part of a distributed transaction, committed in one phase: distributed log it. */
  dlog?: true;
  /** undoCommands: the first and last command id undone. */
  from?: number;
  to?: number;
}

export type TxState = 'active' | 'prepared' | 'committed' | 'aborted';

/** A prepared transaction as the instance keeps it (pg_prepared_xacts). */
export interface PreparedXact {
  xid: Xid;
  drops: string[];
  creates: string[];
  /** When it was prepared (runtime ms; 0 when recovered from a checkpoint that did not say). */
  time: number;
}

export class Transaction {
  xid: Xid = 0;
  /** Current command id; bumped by `nextCommand()` between statements. */
  cid = 0;
  state: TxState = 'active';
  gid: string | undefined;
  /** Files to unlink if it commits (DROP) / aborts (CREATE). */
  readonly dropsOnCommit: string[] = [];
  readonly createdFiles: string[] = [];
  /** Work to finish before the commit record (e.g. append-optimized blocks still buffered). */
  readonly beforeCommit: (() => Promise<void> | void)[] = [];
  /** Work to drop if it aborts. */
  readonly onAbort: (() => void)[] = [];
  snapshot: Snapshot | undefined;
  /** Told when this transaction starts and stops waiting for sync rep (its session's wait_event). */
  onSyncRepWait: ((waiting: boolean) => void) | undefined;
  /** LSN of this transaction's last WAL record (0 when it wrote none). */
  lastLsn: Lsn = 0;
  /**
   * On the coordinator: the distributed transaction this local commit decides. Its commit
   * record then is the distributed commit record (Greenplum's XLOG_XACT_DISTRIBUTED_COMMIT).
   * On a segment committing its part in one phase (with `segmentPart`): that transaction.
   */
  distributedGid: string | undefined;
  /** On a segment: this is its part of distributed transaction `distributedGid`. */
  segmentPart = false;

  readonly manager: TransactionManager;

  constructor(manager: TransactionManager) {
    this.manager = manager;
  }

  /** Assigns an xid on first write, as Postgres does; read-only transactions never get one. */
  assignXid(): Xid {
    if (this.xid === 0) this.xid = this.manager.allocateXid(this);
    return this.xid;
  }

  /** A snapshot for the next command (read committed: a fresh one per statement). */
  commandSnapshot(): Snapshot {
    this.snapshot = { ...this.manager.takeSnapshot(), curXid: this.xid, curCid: this.cid };
    return this.snapshot;
  }

  nextCommand(): void {
    this.cid++;
  }
}

export interface XactHooks {
  /** Redo saw a commit record (the coordinator's DTM watches for distributed commits). */
  onRedoCommit?: (rec: XactRecord, xid: Xid) => void;
  /**
   * Sync rep: a promise that settles once a synchronous mirror/standby has flushed `lsn`, or
   * undefined when the commit does not wait.
   */
  waitForSyncRep?: (lsn: Lsn) => Promise<void> | undefined;
  /** The runtime's wall clock, in ms. */
  now: () => number;
}

/** A backend waiting in SyncRepWaitForLSN, as pg_stat_activity shows it. */
export interface SyncRepWait {
  readonly xid: Xid;
  /** What it was doing: COMMIT, PREPARE TRANSACTION or COMMIT PREPARED. */
  readonly query: string;
  /** Since when (runtime ms). */
  readonly since: number;
  /** The LSN it waits for ("waiting for X/Y replication"). */
  readonly lsn: Lsn;
}

export class TransactionManager {
  nextXid: Xid = FirstNormalXid;
  readonly running = new Map<Xid, Transaction>();
  /** Prepared transactions by gid, with the runtime time of their PREPARE; survive crashes. */
  readonly prepared = new Map<string, PreparedXact>();
  /** COMMIT/ROLLBACK PREPARED under way (a retry must wait for them, not report done early). */
  private readonly finishing = new Map<string, Promise<void>>();
  /**
   * The distributed log (Greenplum's distributedlog): the distributed transaction (gid) of each
   * xid committed here as part of one. Redo rebuilds it, so a promoted mirror or a restarted
   * segment still hides a transaction the coordinator has not finished committing everywhere.
   */
  readonly distributedLog = new Map<Xid, string>();
  /**
   * Records a committed xid's distributed transaction. Segments prune entries older than every
   * distributed snapshot; this bound keeps the log small where nobody prunes it (the coordinator).
   */
  noteDistributed(xid: Xid, gid: string): void {
    this.distributedLog.set(xid, gid);
    if (this.distributedLog.size > 8192) {
      const oldest = this.distributedLog.keys().next().value;
      if (oldest !== undefined) this.distributedLog.delete(oldest);
    }
  }

  /** Whether distributed transaction `gid` committed here (its part, in the distributed log). */
  committedDistributed(gid: string): boolean {
    for (const g of this.distributedLog.values()) if (g === gid) return true;
    return false;
  }

  /** Running xids that belong to prepared or recovered transactions (no Transaction object). */
  private readonly orphanRunning = new Set<Xid>();

  readonly clog: CommitLog;
  /** Whose WAL writer to log to (the instance; its writer exists once recovery is done). */
  private readonly log: { readonly wal: WalWriter };
  readonly hooks: XactHooks;
  /** Backends waiting for their mirror's (or standby's) flush right now. */
  readonly syncRepWaits = new Set<SyncRepWait>();
  /** Unlinks a relation file and forgets its buffers. */
  private readonly unlinkFile: (file: string) => void;

  constructor(
    clog: CommitLog,
    /** Whose WAL writer to log to (the instance; its writer exists once recovery is done). */
    log: { readonly wal: WalWriter },
    hooks: XactHooks,
    /** Unlinks a relation file and forgets its buffers. */
    unlinkFile: (file: string) => void,
  ) {
    this.clog = clog;
    this.log = log;
    this.hooks = hooks;
    this.unlinkFile = unlinkFile;
  }

  /** Commits between their commit record and their commit-log update, by record end LSN. */
  private readonly committing = new Map<number, { end: Lsn; done: Promise<void> }>();
  private committingSeq = 0;

  private delayCheckpoint(end: Lsn): () => void {
    const id = this.committingSeq++;
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    this.committing.set(id, { end, done });
    return () => {
      this.committing.delete(id);
      resolve();
    };
  }

  /** Waits until every commit whose record starts before `lsn` has updated the commit log. */
  async waitForCommitsBefore(lsn: Lsn): Promise<void> {
    for (;;) {
      const pending = [...this.committing.values()].filter((c) => c.end <= lsn).map((c) => c.done);
      if (!pending.length) return;
      await Promise.all(pending);
    }
  }

  begin(): Transaction {
    return new Transaction(this);
  }

  allocateXid(tx: Transaction): Xid {
    const xid = this.nextXid++;
    this.running.set(xid, tx);
    return xid;
  }

  takeSnapshot(): Omit<Snapshot, 'curXid' | 'curCid'> {
    const xip = new Set<Xid>(this.running.keys());
    for (const x of this.orphanRunning) xip.add(x);
    let xmin = this.nextXid;
    for (const x of xip) if (x < xmin) xmin = x;
    return { xmin, xmax: this.nextXid, xip };
  }

  /** Commits; resolves once durable (and replicated when sync rep requires it). */
  async commit(tx: Transaction): Promise<void> {
    this.mustBeActive(tx);
    for (const f of tx.beforeCommit) await f();
    if (tx.xid === 0) {
      tx.state = 'committed';
      return;
    }
    const rec: XactRecord = { time: this.hooks.now() };
    if (tx.dropsOnCommit.length) rec.unlink = tx.dropsOnCommit;
    if (tx.distributedGid) rec.gid = tx.distributedGid;
    if (tx.distributedGid && tx.segmentPart) {
      rec.dlog = true;
      this.noteDistributed(tx.xid, tx.distributedGid);
    }
    const { end } = this.log.wal.insert(Rmgr.xact, XactInfo.commit, tx.xid, jsonPayload(rec));
    // From the commit record's insertion until the commit log says committed, a checkpoint
    // must not pass (Postgres' delayChkpt): else a redo point after the record and a commit
    // log written before the bit would lose the commit.
    const done = this.delayCheckpoint(end);
    try {
      await this.log.wal.flush(end);
      this.clog.set(tx.xid, XidStatus.committed);
    } finally {
      done();
    }
    // Committed and durable locally; others see it only once the sync mirror has it too.
    await this.waitForSyncRep(end, { xid: tx.xid, query: 'COMMIT', since: this.hooks.now(), lsn: end }, tx);
    this.running.delete(tx.xid);
    this.ended(tx.xid);
    tx.state = 'committed';
    for (const f of tx.dropsOnCommit) this.unlinkFile(f);
  }

  /**
   * ROLLBACK TO SAVEPOINT: commands `from`..`to` of the transaction are undone for every reader
   * (logged, so crash recovery and the mirror undo them too). Not flushed: if the transaction
   * commits, its commit record's flush carries this one; if it never does, none of it counts.
   */
  undoCommands(tx: Transaction, from: number, to: number): void {
    this.mustBeActive(tx);
    if (tx.xid === 0 || to < from) return;
    const rec: XactRecord = { time: this.hooks.now(), from, to };
    const { end } = this.log.wal.insert(Rmgr.xact, XactInfo.undoCommands, tx.xid, jsonPayload(rec));
    tx.lastLsn = end;
    this.clog.undoCommands(tx.xid, from, to);
  }

  /** Rolls back. The abort record need not be flushed: a crash aborts it anyway. */
  abort(tx: Transaction): void {
    if (tx.state !== 'active') return;
    for (const f of tx.onAbort) f();
    tx.state = 'aborted';
    if (tx.xid === 0) return;
    const rec: XactRecord = { time: this.hooks.now() };
    if (tx.createdFiles.length) rec.unlink = tx.createdFiles;
    try {
      this.log.wal.insert(Rmgr.xact, XactInfo.abort, tx.xid, jsonPayload(rec));
    } catch {
      // The WAL has failed (the instance is going down): recovery will abort it anyway.
    }
    this.clog.set(tx.xid, XidStatus.aborted);
    this.clog.forgetUndone(tx.xid);
    this.running.delete(tx.xid);
    this.ended(tx.xid);
    for (const f of tx.createdFiles) this.unlinkFile(f);
  }

  /** PREPARE TRANSACTION gid: durable, still running, ready for COMMIT/ROLLBACK PREPARED. */
  async prepare(tx: Transaction, gid: string): Promise<void> {
    this.mustBeActive(tx);
    if (this.prepared.has(gid))
      throw sqlError('duplicate_object', `transaction identifier "${gid}" is already in use`);
    for (const f of tx.beforeCommit) await f();
    const xid = tx.assignXid();
    const rec: XactRecord = {
      time: this.hooks.now(),
      gid,
      drops: tx.dropsOnCommit,
      creates: tx.createdFiles,
    };
    const { end } = this.log.wal.insert(Rmgr.xact, XactInfo.prepare, xid, jsonPayload(rec));
    this.prepared.set(gid, {
      xid,
      drops: [...tx.dropsOnCommit],
      creates: [...tx.createdFiles],
      time: rec.time,
    });
    this.running.delete(xid);
    this.orphanRunning.add(xid);
    tx.state = 'prepared';
    tx.gid = gid;
    // Until this is durable it is prepared in memory only; a crash forgets it (never acknowledged).
    await this.log.wal.flush(end);
    await this.waitForSyncRep(
      end,
      { xid: tx.xid, query: 'PREPARE TRANSACTION', since: this.hooks.now(), lsn: end },
      tx,
    );
  }

  /** SyncRepWaitForLSN: registered for pg_stat_activity while it waits. */
  private async waitForSyncRep(lsn: Lsn, wait: SyncRepWait, tx?: Transaction): Promise<void> {
    const flushed = this.hooks.waitForSyncRep?.(lsn);
    if (!flushed) return;
    this.syncRepWaits.add(wait);
    tx?.onSyncRepWait?.(true);
    try {
      await flushed;
    } finally {
      this.syncRepWaits.delete(wait);
      tx?.onSyncRepWait?.(false);
    }
  }

  /**
   * COMMIT PREPARED / ROLLBACK PREPARED. A second call for a gid whose first is still under way
   * (waiting for its flush or for sync rep) waits for it: done means durable, and replicated
   * where sync rep requires it.
   */
  async finishPrepared(gid: string, commit: boolean): Promise<void> {
    const inFlight = this.finishing.get(gid);
    if (inFlight) return inFlight;
    const p = this.prepared.get(gid);
    if (!p)
      throw sqlError('undefined_object', `prepared transaction with identifier "${gid}" does not exist`);
    const work = this.finish(gid, p, commit).finally(() => this.finishing.delete(gid));
    this.finishing.set(gid, work);
    return work;
  }

  /**
   * Waits until everything flushed here is on the synchronous mirror (when sync rep is on). A
   * commit found in the WAL after a restart may never have reached the mirror: it is confirmed
   * to a coordinator only once it has, or it could be lost to a failover after all.
   */
  async waitReplicated(query: string): Promise<void> {
    const lsn = this.log.wal.flushedLsn;
    await this.waitForSyncRep(lsn, { xid: 0, query, since: this.hooks.now(), lsn });
  }

  /** Whether COMMIT/ROLLBACK PREPARED of `gid` is under way here. */
  isFinishing(gid: string): boolean {
    return this.finishing.has(gid);
  }

  private async finish(gid: string, p: PreparedXact, commit: boolean): Promise<void> {
    this.prepared.delete(gid);
    const rec: XactRecord = { time: this.hooks.now(), gid, preparedXid: p.xid };
    const unlink = commit ? p.drops : p.creates;
    if (unlink.length) rec.unlink = unlink;
    const info = commit ? XactInfo.commitPrepared : XactInfo.abortPrepared;
    const { end } = this.log.wal.insert(Rmgr.xact, info, p.xid, jsonPayload(rec));
    if (commit) {
      this.noteDistributed(p.xid, gid);
      const done = this.delayCheckpoint(end);
      try {
        await this.log.wal.flush(end);
        this.clog.set(p.xid, XidStatus.committed);
      } finally {
        done();
      }
      await this.waitForSyncRep(end, {
        xid: p.xid,
        query: 'COMMIT PREPARED',
        since: this.hooks.now(),
        lsn: end,
      });
    } else {
      this.clog.set(p.xid, XidStatus.aborted);
      this.clog.forgetUndone(p.xid);
    }
    this.orphanRunning.delete(p.xid);
    this.ended(p.xid);
    for (const f of unlink) this.unlinkFile(f);
  }

  // ---- recovery ---------------------------------------------------------------------------

  /** Redo of an xact record (crash recovery and mirrors). */
  redo(info: number, xid: Xid, payload: Uint8Array): void {
    const rec = parseJsonPayload<XactRecord>(payload);
    switch (info) {
      case XactInfo.commit:
        this.clog.set(xid, XidStatus.committed);
        if (rec.dlog && rec.gid) this.noteDistributed(xid, rec.gid);
        this.hooks.onRedoCommit?.(rec, xid);
        break;
      case XactInfo.abort:
        this.clog.set(xid, XidStatus.aborted);
        this.clog.forgetUndone(xid);
        break;
      case XactInfo.undoCommands:
        this.clog.undoCommands(xid, rec.from ?? 0, rec.to ?? -1);
        return;
      case XactInfo.prepare:
        this.prepared.set(rec.gid!, {
          xid,
          drops: rec.drops ?? [],
          creates: rec.creates ?? [],
          time: rec.time,
        });
        this.orphanRunning.add(xid);
        return;
      case XactInfo.commitPrepared:
      case XactInfo.abortPrepared:
        this.prepared.delete(rec.gid!);
        this.orphanRunning.delete(xid);
        this.clog.set(xid, info === XactInfo.commitPrepared ? XidStatus.committed : XidStatus.aborted);
        if (info === XactInfo.commitPrepared) this.noteDistributed(xid, rec.gid!);
        break;
    }
    this.orphanRunning.delete(xid);
    for (const f of rec.unlink ?? []) this.unlinkFile(f);
  }

  /** Notes an xid seen in the WAL during redo: it is running until its commit/abort is seen. */
  noteRedoXid(xid: Xid): void {
    if (xid < FirstNormalXid) return;
    if (xid >= this.nextXid) {
      for (let x = this.nextXid; x <= xid; x++)
        if (this.clog.status(x) === XidStatus.inProgress) this.orphanRunning.add(x);
      this.nextXid = xid + 1;
    }
  }

  /**
   * End of crash recovery: every transaction from `fromXid` on that was running at the crash
   * and is not prepared never committed. They are marked aborted.
   */
  abortInDoubt(fromXid: Xid): Xid[] {
    const preparedXids = new Set([...this.prepared.values()].map((p) => p.xid));
    const aborted: Xid[] = [];
    for (let x = Math.max(fromXid, FirstNormalXid); x < this.nextXid; x++) {
      if (preparedXids.has(x) || this.clog.status(x) !== XidStatus.inProgress) continue;
      this.clog.set(x, XidStatus.aborted);
      aborted.push(x);
    }
    this.orphanRunning.clear();
    for (const x of preparedXids) this.orphanRunning.add(x);
    return aborted;
  }

  /** Restores prepared transactions listed in a checkpoint. */
  restorePrepared(list: ({ gid: string } & Omit<PreparedXact, 'time'> & { time?: number })[]): void {
    for (const p of list) {
      this.prepared.set(p.gid, { xid: p.xid, drops: p.drops, creates: p.creates, time: p.time ?? 0 });
      this.orphanRunning.add(p.xid);
    }
  }

  preparedList(): ({ gid: string } & PreparedXact)[] {
    return [...this.prepared].map(([gid, p]) => ({ gid, ...p }));
  }

  /** Whether `xid` is still running here (prepared ones included). */
  isRunning(xid: Xid): boolean {
    return this.running.has(xid) || this.orphanRunning.has(xid);
  }

  /** Ends of running transactions someone waits for. */
  private readonly endWaits = new Map<Xid, { done: Promise<void>; resolve: () => void }>();
  /** Which transaction each waiting one waits for: a wait that would close a cycle is a deadlock. */
  private readonly waitsFor = new Map<Xid, Xid>();

  /**
   * Waits until transaction `xid` commits or aborts, as Postgres' XactLockTableWait does for a
   * writer that meets a row another transaction is changing (a unique key being inserted).
   * A wait that closes a cycle fails at once with "deadlock detected"; `onCancel` lets the
   * waiting statement's cancel (statement_timeout, a failover) end the wait.
   */
  async waitForEnd(
    waiter: Xid,
    xid: Xid,
    onCancel?: (listener: (reason: Error) => void) => void,
  ): Promise<void> {
    if (!this.isRunning(xid)) return;
    const chain = [waiter, xid];
    for (let x = this.waitsFor.get(xid); x !== undefined; x = this.waitsFor.get(x)) {
      chain.push(x);
      if (x === waiter)
        throw sqlError('deadlock_detected', 'deadlock detected', {
          detail: chain
            .slice(0, -1)
            .map((w, i) => `Transaction ${w} waits for ShareLock on transaction ${chain[i + 1]}.`)
            .join('\n'),
          hint: 'See server log for query details.',
        });
      if (chain.length > this.waitsFor.size + 2) break;
    }
    let w = this.endWaits.get(xid);
    if (!w) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      this.endWaits.set(xid, (w = { done, resolve }));
    }
    this.waitsFor.set(waiter, xid);
    try {
      await new Promise<void>((resolve, reject) => {
        void w.done.then(resolve);
        onCancel?.(reject);
      });
    } finally {
      this.waitsFor.delete(waiter);
    }
  }

  private ended(xid: Xid): void {
    const w = this.endWaits.get(xid);
    if (!w) return;
    this.endWaits.delete(xid);
    w.resolve();
  }

  /** Oldest xid still running (for the lab and snapshots); nextXid when none. */
  oldestRunning(): Xid {
    let min = this.nextXid;
    for (const x of this.running.keys()) if (x < min) min = x;
    for (const x of this.orphanRunning) if (x < min) min = x;
    return min;
  }

  private mustBeActive(tx: Transaction): void {
    if (tx.state !== 'active')
      throw sqlError('invalid_transaction_state', `transaction is ${tx.state}, cannot be finished again`);
  }
}
