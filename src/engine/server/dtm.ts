/**
 * The distributed transaction manager (DTM) on the coordinator: distributed xids, distributed
 * snapshots, and the whole commit protocol (Greenplum's cdbtm.c).
 *
 * - Hands out distributed xids (gxids), monotonic across restarts and standby activation: a
 *   block of them is reserved in the coordinator's WAL before any is used.
 * - Keeps the distributed transactions in progress. A distributed snapshot lists them, and also
 *   every committed transaction whose COMMIT PREPARED is not yet confirmed everywhere: a reader
 *   sees a distributed transaction on every segment or on none.
 * - Commits: one phase when one segment wrote alone, two phases otherwise (PREPARE everywhere;
 *   the distributed commit record; COMMIT PREPARED everywhere, retried for
 *   dtx_phase2_retry_second as FTS fails segments over; then "forget"). A second phase that
 *   cannot be finished in time is left to DTX recovery (dtx-recovery.ts) and the COMMIT
 *   succeeds with Greenplum's warning: the transaction is committed.
 * - A one-phase commit whose segment failed before answering is resolved by asking the content's
 *   acting primary; only when that cannot be learned in time does COMMIT fail, with 08007
 *   (transaction_resolution_unknown).
 */
import { SqlError, sqlError } from '../errors.ts';
import { GANG_LOST, gangLost } from './gang-errors.ts';
import { quoteIdentifier } from './settings.ts';
import type { Instance, RedoExtensions } from '../instance/instance.ts';
import type { Transaction } from '../txn/xact.ts';
import { jsonPayload, parseJsonPayload } from '../wal/json-payload.ts';
import { Rmgr, type WalRecord } from '../wal/record.ts';
import type { Coordinator } from './coordinator.ts';
import { commitPath, outcomeUncertain, phase2RetryDelay } from './dtx-rules.ts';
import type { DistributedSnapshot, DtxContext, SegmentApi } from './protocol.ts';
import { gxidFromGid } from './segment.ts';

export const DtmInfo = { reserve: 0x10, forget: 0x20 } as const;

type ProtocolMethod =
  | 'abortDtx'
  | 'prepare'
  | 'commitPrepared'
  | 'abortPrepared'
  | 'commitOnePhase'
  | 'resolveOnePhase'
  | 'rollbackToSavepoint';

const RESERVE_BLOCK = 1000;

/**
 * PREPARE and a one-phase COMMIT flush the transaction's WAL and wait for the mirror: after a
 * large write that takes as long as it takes, so no timer bounds them. As Greenplum's
 * dispatcher, the coordinator waits until the segment answers or FTS takes it out of service.
 */
const UNTIL_FTS = null;

/** The distributed transaction a session has open. */
export interface OpenDtx {
  gxid: number;
  gid: string;
  /** The coordinator's own local transaction (catalog changes). */
  local: Transaction;
  /** Contents that wrote: they take part in commit. */
  writers: Set<number>;
  /** Contents that took part at all: they must hear of an abort. */
  touched: Set<number>;
  cid: number;
  /** Already committed in the statement's own round trip (single-segment autocommit). */
  committed: boolean;
  /** The acting primaries when the transaction began (its gang). */
  gang: number[];
  /**
   * A statement failed part-way: segments it reached may hold work that was never reported
   * (participants are noted when a dispatch succeeds), so the abort goes to every segment.
   */
  failedStatement?: boolean;
}

/** The DTM's timings, under the runtime's time scale. */
export interface DtxTiming {
  /** dtx_phase2_retry_second: how long a COMMIT retries its second phase. */
  phase2RetryMs: number;
  /** Greenplum's 100 ms between second-phase retries. */
  retryBaseMs: number;
  /** gp_segment_connect_timeout: the bound of one protocol call to a segment. */
  callTimeoutMs: number;
  /** gp_dtx_recovery_interval. */
  recoveryIntervalMs: number;
  /** gp_dtx_recovery_prepared_period. */
  preparedPeriodMs: number;
}

export const defaultDtxTiming: DtxTiming = {
  phase2RetryMs: 60_000,
  retryBaseMs: 100,
  callTimeoutMs: 180_000,
  recoveryIntervalMs: 60_000,
  preparedPeriodMs: 120_000,
};

export class DistributedTxManager {
  private nextGxid = 1;
  private reservedUpTo = 0;
  private readonly running = new Set<number>();
  /** Distributed commits whose COMMIT PREPARED has not been confirmed everywhere. */
  readonly committed = new Set<string>();
  /** Identifies this coordinator incarnation inside gids. */
  epoch: string;
  timing: DtxTiming = defaultDtxTiming;
  private inst: Instance | undefined;
  private qd: Coordinator | undefined;

  constructor(epoch: string) {
    this.epoch = epoch;
  }

  /** Hooks for the coordinator instance's crash recovery, which rebuilds this state. */
  redoExtensions(): RedoExtensions {
    return {
      redoExtension: (rec) => {
        if (rec.rmid === Rmgr.dtm) this.redo(rec);
      },
      onRedoCommit: (rec) => {
        if (rec.gid) this.redoCommit(rec.gid);
      },
      onCheckpoint: (extra) =>
        this.restore(extra?.['dtm'] as { nextGxid?: number; committed?: string[] } | undefined),
      // Every checkpoint carries the DTM's state, from the end-of-recovery one on.
      checkpointExtra: () => ({ dtm: this.checkpointState() }),
    };
  }

  /** Binds to the started coordinator: its WAL carries the DTM's records, its links the protocol. */
  attach(qd: Coordinator, timing: Partial<DtxTiming> = {}): void {
    this.qd = qd;
    this.inst = qd.inst;
    this.timing = { ...defaultDtxTiming, ...timing };
    this.resetReservation();
  }

  private wal() {
    if (!this.inst) throw new Error('DTM used before its instance started');
    return this.inst.wal;
  }

  private coordinator(): Coordinator {
    if (!this.qd) throw new Error('DTM used before its coordinator started');
    return this.qd;
  }

  /**
   * Opens a session's distributed transaction around its coordinator-local one: a gxid, and
   * the gang (the acting primaries now), which every statement of it is checked against.
   */
  async open(local: Transaction): Promise<OpenDtx> {
    const { gxid, gid } = await this.begin();
    return {
      gxid,
      gid,
      local,
      writers: new Set(),
      touched: new Set(),
      cid: 0,
      committed: false,
      gang: this.coordinator().contentDbids(),
    };
  }

  /**
   * What a command dispatched in `d` carries: its gxid, a fresh distributed snapshot, and its
   * command id (one counter for the coordinator's catalog work and the segments' commands).
   * Without `d` (a read outside a transaction): a snapshot alone.
   */
  commandContext(d: OpenDtx | undefined): DtxContext {
    if (!d) return { gxid: 0, gid: '', dsnap: this.snapshot(), cid: 0 };
    this.checkGang(d);
    d.local.nextCommand();
    d.cid = d.local.cid;
    return { gxid: d.gxid, gid: d.gid, dsnap: this.snapshot(), cid: d.cid, touched: [...d.touched] };
  }

  private async begin(): Promise<{ gxid: number; gid: string }> {
    if (this.nextGxid >= this.reservedUpTo) {
      this.reservedUpTo = this.nextGxid + RESERVE_BLOCK;
      const { end } = this.wal().insert(
        Rmgr.dtm,
        DtmInfo.reserve,
        0,
        jsonPayload({ upTo: this.reservedUpTo }),
      );
      await this.wal().flush(end);
    }
    const gxid = this.nextGxid++;
    this.running.add(gxid);
    return { gxid, gid: `${this.epoch}-${gxid}` };
  }

  /** Is this gid a transaction still being decided (or finished) by a live session? */
  isRunningGid(gid: string): boolean {
    return gid.startsWith(`${this.epoch}-`) && this.running.has(gxidFromGid(gid));
  }

  end(gxid: number): void {
    this.running.delete(gxid);
  }

  /**
   * The distributed snapshot: transactions in progress, and committed ones not yet confirmed
   * on every segment (invisible everywhere until they are, so never seen half-applied).
   */
  snapshot(): DistributedSnapshot {
    const inProgress = [...this.running];
    for (const gid of this.committed) inProgress.push(gxidFromGid(gid));
    let xmin = this.nextGxid;
    for (const g of inProgress) if (g < xmin) xmin = g;
    return { xmin, xmax: this.nextGxid, inProgress };
  }

  /** A snapshot for a statement that needs no gxid of its own. */
  get inProgressCount(): number {
    return this.running.size;
  }

  markCommitted(gid: string): void {
    this.committed.add(gid);
  }

  /** Every segment confirmed: the commit need not be remembered (logged, not flushed). */
  forget(gid: string): void {
    if (!this.committed.delete(gid)) return;
    try {
      this.wal().insert(Rmgr.dtm, DtmInfo.forget, 0, jsonPayload({ gid }));
    } catch {
      // The WAL failed: recovery will retry COMMIT PREPARED, which is idempotent.
    }
  }

  // ---- the commit protocol ----------------------------------------------------------------

  /**
   * A transaction's segments must still be the acting primaries it began with: if FTS swapped
   * one it already used, its work there died with the old primary.
   */
  checkGang(d: OpenDtx): void {
    const now = this.coordinator().contentDbids();
    for (const c of d.touched)
      if (now[c] !== d.gang[c]) throw gangLost(`content ${c} moved from dbid ${d.gang[c]} to dbid ${now[c]}`);
  }

  /**
   * Whether a statement's write may commit in its own round trip to the one segment it writes
   * (an autocommit statement, the transaction's only write, nothing written on the coordinator).
   */
  commitsInDispatch(d: OpenDtx, autocommit: boolean, segments: number): boolean {
    return autocommit && segments === 1 && d.writers.size === 0 && d.local.xid === 0;
  }

  /**
   * Dispatches a write that commits on its segment in the same call (see commitsInDispatch).
   * If the call fails where the commit may have happened, the content's acting primary is asked.
   */
  async dispatchOnePhase(d: OpenDtx, content: number, send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (e) {
      if (!outcomeUncertain(e)) throw e;
      const outcome = await this.resolveOnePhase(d, content);
      if (outcome === 'aborted') throw e;
      if (outcome === 'unknown') throw this.outcomeUnknown(d, content, e);
    }
    d.committed = true;
  }

  /** COMMIT: one phase, two phases, or the coordinator's transaction alone. Warnings go to `notices`. */
  async commit(d: OpenDtx, notices: string[]): Promise<void> {
    if (d.committed) return;
    const qd = this.coordinator();
    this.checkGang(d);
    const writers = [...d.writers];
    // Segments that only read release their (empty) local transaction.
    const readers = [...d.touched].filter((c) => !d.writers.has(c));
    await Promise.allSettled(readers.map((c) => this.call(c, 'abortDtx', [d.gxid])));
    switch (commitPath(writers.length, d.local.xid !== 0)) {
      case 'local':
        await qd.inst.xact.commit(d.local);
        return;
      case 'one-phase':
        await this.dispatchOnePhase(d, writers[0]!, () =>
          this.call(writers[0]!, 'commitOnePhase', [d.gxid], UNTIL_FTS),
        );
        await qd.inst.xact.commit(d.local);
        return;
      case 'two-phase':
        await this.commitTwoPhase(d, writers, notices);
    }
  }

  private async commitTwoPhase(d: OpenDtx, writers: number[], notices: string[]): Promise<void> {
    const qd = this.coordinator();
    try {
      await Promise.all(
        writers.map((c) =>
          this.call(c, 'prepare', [d.gxid, d.gid], UNTIL_FTS).catch((e: unknown) => {
            // The connection went, or FTS took the primary out of service while it was asked.
            if (e instanceof SqlError && (e.code === '08006' || e.message === GANG_LOST))
              throw sqlError(
                'gp_interconnection_error',
                `FTS detected connection lost during dispatch to ${qd.segmentName(c)} pid=${20000 + c}:`,
                { detail: e.message },
              );
            throw e;
          }),
        ),
      );
    } catch (e) {
      await this.abort(d).catch(() => undefined);
      throw e;
    }
    d.local.assignXid();
    d.local.distributedGid = d.gid;
    try {
      await qd.inst.xact.commit(d.local); // the distributed commit record: no way back now
    } catch (e) {
      // The record may or may not be durable: the coordinator's recovery decides.
      throw sqlError('transaction_resolution_unknown', 'could not write the distributed commit record', {
        detail: `gid=${d.gid}: the outcome of the transaction is unknown (${(e as Error).message})`,
      });
    }
    this.markCommitted(d.gid);
    const unfinished = await this.commitPrepared(d.gid, writers, notices);
    if (!unfinished.length) {
      this.forget(d.gid);
      return;
    }
    // Committed: it stays invisible until DTX recovery finishes it on these segments.
    notices.push(
      `WARNING:  unable to complete 'Commit Prepared' broadcast. The dtx recovery process will continue trying that.\nDETAIL:  gid=${d.gid}, state=Retry Commit Prepared; not yet confirmed by ${unfinished
        .map((c) => qd.segmentName(c))
        .join(', ')}`,
    );
    qd.dtxRecovery?.trigger();
  }

  /**
   * COMMIT PREPARED on every writer. The first broadcast waits as PREPARE does (until the
   * segment answers or FTS takes it out of service: it waits for the mirror too); a failed one
   * is retried (FTS may promote a mirror meanwhile) for dtx_phase2_retry_second. Returns the
   * contents that never confirmed.
   */
  private async commitPrepared(gid: string, writers: number[], notices: string[]): Promise<number[]> {
    const qd = this.coordinator();
    let start = 0;
    let pending = writers;
    for (let retry = 0; ; retry++) {
      const left = Math.max(1, this.timing.phase2RetryMs - (qd.clock.now() - start));
      const bound = retry === 0 ? UNTIL_FTS : Math.min(this.timing.callTimeoutMs, left);
      const results = await Promise.allSettled(
        pending.map((c) => this.call(c, 'commitPrepared', [gid], bound)),
      );
      pending = pending.filter((_, i) => results[i]!.status === 'rejected');
      if (!pending.length) return [];
      if (retry === 0) start = qd.clock.now();
      // This coordinator is going down, or the time is up: DTX recovery finishes it.
      if (qd.inst.state !== 'running' || qd.clock.now() - start >= this.timing.phase2RetryMs) return pending;
      await qd.clock.sleep(phase2RetryDelay(retry + 1, this.timing.retryBaseMs));
      notices.push(
        `WARNING:  the distributed transaction 'Commit Prepared' broadcast failed to one or more segments. Retrying ... try ${retry + 1}`,
      );
      await qd.refreshConfig().catch(() => undefined);
    }
  }

  /**
   * Whether a one-phase commit that got no answer happened: asked of the content's acting
   * primary (FTS may promote its mirror meanwhile) until dtx_phase2_retry_second is up.
   */
  private async resolveOnePhase(d: OpenDtx, content: number): Promise<'committed' | 'aborted' | 'unknown'> {
    const qd = this.coordinator();
    const start = qd.clock.now();
    for (let retry = 1; ; retry++) {
      if (qd.inst.state !== 'running') return 'unknown';
      const left = Math.max(1, this.timing.phase2RetryMs - (qd.clock.now() - start));
      try {
        return await this.call(
          content,
          'resolveOnePhase',
          [d.gxid],
          Math.min(this.timing.callTimeoutMs, left),
        );
      } catch {
        if (qd.clock.now() - start >= this.timing.phase2RetryMs) return 'unknown';
      }
      await qd.clock.sleep(phase2RetryDelay(retry, this.timing.retryBaseMs));
      await qd.refreshConfig().catch(() => undefined);
    }
  }

  private outcomeUnknown(d: OpenDtx, content: number, cause: unknown): SqlError {
    return sqlError('transaction_resolution_unknown', 'one phase commit notification failed', {
      detail: `gid=${d.gid}, state=Notifying One Phase Commit: the outcome of the transaction is unknown; ${this.coordinator().segmentName(content)} did not confirm it (${cause instanceof Error ? cause.message : String(cause)})`,
      hint: 'Check whether the transaction took effect before running it again.',
    });
  }

  /**
   * ROLLBACK TO SAVEPOINT, dispatched to the transaction's gang as Greenplum does: commands
   * `from` up to now are undone on the coordinator and on every segment the transaction reached
   * (every segment after a statement failed part-way, which may have written where it never
   * reported). A gang lost since (a failover) or a segment that cannot hear of it fails it with
   * Greenplum's error; the transaction can then only be rolled back.
   */
  async rollbackToSavepoint(d: OpenDtx, from: number, name: string): Promise<void> {
    const qd = this.coordinator();
    const failed = (cause: unknown) =>
      sqlError(
        'gp_interconnection_error',
        `Could not rollback to savepoint (ROLLBACK TO SAVEPOINT ${quoteIdentifier(name)})`,
        { detail: cause instanceof Error ? cause.message : String(cause) },
      );
    try {
      this.checkGang(d);
    } catch (e) {
      throw failed(e);
    }
    const to = d.local.cid;
    qd.inst.xact.undoCommands(d.local, from, to);
    const contents = d.failedStatement ? d.gang.map((_, c) => c) : [...d.touched];
    const results = await Promise.allSettled(
      contents.map((c) => this.call(c, 'rollbackToSavepoint', [d.gxid, from, to, d.touched.has(c)])),
    );
    results.forEach((r, i) => {
      // It ran there (in the failed statement too): that segment must hear of the transaction's end.
      if (r.status === 'fulfilled' && r.value) d.touched.add(contents[i]!);
    });
    const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (lost) throw failed(lost.reason);
    d.failedStatement = false;
  }

  /** Rolls back everywhere it ran; a segment that cannot hear of it is left to DTX recovery. */
  async abort(d: OpenDtx): Promise<void> {
    const qd = this.coordinator();
    qd.inst.xact.abort(d.local);
    const all = new Set([...d.touched, ...d.writers]);
    if (d.failedStatement) for (let c = 0; c < d.gang.length; c++) all.add(c);
    await Promise.allSettled(
      [...all].map(async (c) => {
        await this.call(c, 'abortDtx', [d.gxid]);
        await this.call(c, 'abortPrepared', [d.gid]);
      }),
    );
  }

  /**
   * A protocol call to a content's acting primary, bounded by gp_segment_connect_timeout (or,
   * with UNTIL_FTS, only by FTS taking the segment out of service). A segment that cannot be
   * reached makes FTS probe now (FtsNotifyProber), as the dispatcher does.
   */
  private call<K extends ProtocolMethod>(
    content: number,
    method: K,
    args: Parameters<SegmentApi[K]>,
    timeoutMs: number | typeof UNTIL_FTS = this.timing.callTimeoutMs,
  ): Promise<Awaited<ReturnType<SegmentApi[K]>>> {
    const qd = this.coordinator();
    return qd.callContent(content, method, args, timeoutMs ?? undefined).catch((e: unknown) => {
      if (e instanceof SqlError && e.code.startsWith('08')) qd.notifyFts();
      throw e;
    });
  }

  // ---- recovery ---------------------------------------------------------------------------

  redo(rec: WalRecord): void {
    const p = parseJsonPayload<{ upTo?: number; gid?: string }>(rec.payload);
    if (rec.info === DtmInfo.reserve && p.upTo) {
      this.nextGxid = Math.max(this.nextGxid, p.upTo);
      this.reservedUpTo = this.nextGxid;
    } else if (rec.info === DtmInfo.forget && p.gid) this.committed.delete(p.gid);
  }

  redoCommit(gid: string): void {
    this.committed.add(gid);
    this.nextGxid = Math.max(this.nextGxid, gxidFromGid(gid) + 1);
  }

  checkpointState(): Record<string, unknown> {
    return { nextGxid: this.reservedUpTo || this.nextGxid, committed: [...this.committed] };
  }

  restore(state: { nextGxid?: number; committed?: string[] } | undefined): void {
    if (!state) return;
    if (state.nextGxid) this.nextGxid = Math.max(this.nextGxid, state.nextGxid);
    for (const g of state.committed ?? []) this.committed.add(g);
  }

  /** After recovery a new block must be reserved before the first gxid is used. */
  resetReservation(): void {
    this.reservedUpTo = 0;
  }
}
