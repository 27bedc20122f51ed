/**
 * The distributed transaction manager (DTM) on the coordinator.
 *
 * - Hands out distributed xids (gxids), monotonic across restarts and standby activation: a
 *   block of them is reserved in the coordinator's WAL before any is used.
 * - Keeps the set of distributed transactions in progress; a distributed snapshot is a copy.
 * - Remembers which distributed transactions committed (their commit record is in the
 *   coordinator's WAL) until every segment confirmed COMMIT PREPARED ("forget"); after a crash
 *   or activation, DTX recovery commits those prepared transactions on the segments and aborts
 *   every other prepared transaction.
 */
import type { Instance, RedoExtensions } from '../instance/instance.ts';
import { jsonPayload, parseJsonPayload } from '../wal/json-payload.ts';
import { Rmgr, type WalRecord } from '../wal/record.ts';
import type { DistributedSnapshot } from './protocol.ts';
import { gxidFromGid } from './segment.ts';

export const DtmInfo = { reserve: 0x10, forget: 0x20 } as const;

const RESERVE_BLOCK = 1000;

export class DistributedTxManager {
  private nextGxid = 1;
  private reservedUpTo = 0;
  private readonly running = new Set<number>();
  /** Distributed commits whose COMMIT PREPARED has not been confirmed everywhere. */
  readonly committed = new Set<string>();
  /** Identifies this coordinator incarnation inside gids. */
  epoch: string;
  private inst: Instance | undefined;

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

  /** Binds to the started instance: its WAL carries the DTM's records and checkpoints its state. */
  attach(inst: Instance): void {
    this.inst = inst;
    this.resetReservation();
    inst.checkpointer.extra = () => ({ dtm: this.checkpointState() });
  }

  private wal() {
    if (!this.inst) throw new Error('DTM used before its instance started');
    return this.inst.wal;
  }

  async begin(): Promise<{ gxid: number; gid: string }> {
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

  /** Is this gid a transaction still being decided by a live session? */
  isRunningGid(gid: string): boolean {
    return gid.startsWith(`${this.epoch}-`) && this.running.has(gxidFromGid(gid));
  }

  end(gxid: number): void {
    this.running.delete(gxid);
  }

  snapshot(): DistributedSnapshot {
    let xmin = this.nextGxid;
    for (const g of this.running) if (g < xmin) xmin = g;
    return { xmin, xmax: this.nextGxid, inProgress: [...this.running] };
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
