/**
 * Checkpoints: bound crash recovery time and let old WAL go.
 *
 * 1. The redo point is where WAL insertion stands now: replay after a crash starts there.
 * 2. Every page dirty now is written (each after its WAL is flushed), and the commit log.
 * 3. The checkpoint record (redo point, next xid, prepared transactions) is logged and flushed.
 * 4. The control file is pointed at it and synced: only now does the checkpoint count.
 * 5. WAL segments wholly before the oldest position anyone still needs are removed.
 *
 * Requests while one runs share it; a request during one queues exactly one more.
 *
 * A checkpoint the timer or the WAL volume starts is spread, as Postgres spreads it: its page
 * writes pause while they are ahead of checkpoint_completion_target of the way to the next
 * checkpoint (by time and by WAL), so a bulk load is not stalled behind a burst of writes. A
 * CHECKPOINT command, a shutdown and the end of recovery write at full speed, and one asked
 * for while a spread checkpoint runs makes that one hurry.
 */
import { jsonPayload } from '../wal/json-payload.ts';
import { formatLsn, type Lsn } from '../storage/lsn.ts';
import { Rmgr } from '../wal/record.ts';
import { cooperate, type Clock } from '../runtime/clock.ts';
import { writeControl } from './control.ts';
import { XlogInfo, type CheckpointRecord } from './redo.ts';
import type { Instance } from './instance.ts';

/** Why a checkpoint runs: it decides whether it is spread and how its record is marked. */
export type CheckpointKind = 'shutdown' | 'immediate' | 'spread';

/** A shutdown checkpoint does what an immediate one does and more; a spread one least. */
const STRENGTH: Record<CheckpointKind, number> = { spread: 0, immediate: 1, shutdown: 2 };

export class Checkpointer {
  private running: Promise<void> | undefined;
  /** An immediate checkpoint is waiting: the spread one in progress stops pausing. */
  private hurry = false;
  private again: Promise<void> | undefined;
  /** What the queued checkpoint will be: the strongest kind any of its callers asked for. */
  private againKind: CheckpointKind = 'spread';
  /** Extra state layers above storage keep in checkpoints (the coordinator's DTM). */
  private readonly extra: (() => Record<string, unknown>) | undefined;
  readonly stats = { checkpoints: 0, requested: 0, lastDurationMs: 0, removedSegments: 0 };

  private readonly inst: Instance;

  constructor(inst: Instance, extra?: () => Record<string, unknown>) {
    this.inst = inst;
    this.extra = extra;
  }

  /** Asks for a checkpoint soon (WAL volume trigger); does not wait. */
  request(): void {
    if (this.running) return;
    this.stats.requested++;
    this.run('spread').catch(() => undefined);
  }

  run(kind: CheckpointKind): Promise<void> {
    if (!this.running) {
      this.hurry = false;
      this.running = this.checkpoint(kind).finally(() => (this.running = undefined));
      return this.running;
    }
    if (kind !== 'spread') this.hurry = true;
    if (!this.again) {
      this.againKind = kind;
      const after = this.running.catch(() => undefined);
      this.again = after.then(() => {
        this.again = undefined;
        return this.run(this.againKind);
      });
    } else if (STRENGTH[kind] > STRENGTH[this.againKind]) this.againKind = kind;
    return this.again;
  }

  get inProgress(): boolean {
    return this.running !== undefined;
  }

  private async checkpoint(kind: CheckpointKind): Promise<void> {
    const inst = this.inst;
    const shutdown = kind === 'shutdown';
    const started = inst.rt.clock.now();
    const redo = inst.wal.insertLsn;
    const oldestXid = inst.xact.oldestRunning();
    await inst.xact.waitForCommitsBefore(redo);
    await inst.wal.flush();
    await writeDirtyPages(
      inst,
      kind === 'spread' ? (progress) => this.writeDelay(progress, started, redo) : undefined,
    );
    inst.clog.writeOut(inst.disk);
    const rec: CheckpointRecord = {
      redo,
      timeline: inst.control.timeline,
      nextXid: inst.xact.nextXid,
      oldestXid,
      prepared: inst.xact.preparedList(),
      time: inst.rt.clock.now(),
      distributed: [...inst.xact.distributedLog],
    };
    const extra = this.extra?.();
    if (extra) rec.extra = extra;
    const info = shutdown ? XlogInfo.checkpointShutdown : XlogInfo.checkpointOnline;
    const { start, end } = inst.wal.insert(Rmgr.xlog, info, 0, jsonPayload(rec));
    inst.control = {
      ...inst.control,
      state: shutdown ? 'shut down' : 'in production',
      checkpoint: start,
      redo,
      history: inst.files.history,
      time: rec.time,
    };
    // The record and pg_control pointing at it become durable in one atomic sync (the WAL
    // writer's own pg_control update before its sync writes this control too).
    await inst.wal.flushWith(end, () => writeControl(inst.disk, inst.control));
    let keepFrom = Math.min(redo, inst.wal.insertLsn - inst.settings.wal_keep_size);
    const slot = inst.walRetainedFrom();
    if (slot !== undefined) keepFrom = Math.min(keepFrom, slot);
    const removed = inst.files.removeBefore(keepFrom);
    if (removed.length) await inst.disk.sync();
    this.stats.checkpoints++;
    this.stats.removedSegments += removed.length;
    this.stats.lastDurationMs = inst.rt.clock.now() - started;
    inst.rt.trace({
      kind: 'checkpoint',
      redo: formatLsn(redo),
      at: formatLsn(start),
      shutdown,
      removed: removed.length,
    });
  }

  /**
   * Postgres' CheckpointWriteDelay: with `progress` of the pages written, a spread checkpoint
   * pauses while it is ahead of schedule, both in time since it started and in WAL written
   * since its redo point (against the volume that starts the next one).
   */
  private writeDelay(progress: number, started: number, redo: Lsn): Promise<void> | undefined {
    const inst = this.inst;
    const { checkpoint_timeout, checkpoint_completion_target, max_wal_size } = inst.settings;
    if (this.hurry || inst.state !== 'running') return undefined;
    const target = progress * checkpoint_completion_target;
    const elapsedTime = (inst.rt.clock.now() - started) / checkpoint_timeout;
    const elapsedWal = (inst.wal.insertLsn - redo) / (max_wal_size / 2);
    if (target < elapsedTime || target < elapsedWal) return undefined;
    return inst.rt.clock.sleep(inst.settings.checkpoint_write_delay);
  }
}

/** Pages a checkpoint writes between syncs (1 MB). */
const PAGES_PER_SYNC = 128;

/**
 * A checkpoint's (or restartpoint's) page writes, synced a megabyte at a time: a WAL flush that
 * comes meanwhile (a commit, a mirror acknowledging its stream) then waits for one such batch,
 * never for the whole buffer pool going to disk in one transaction.
 */
export function writeDirtyPages(
  inst: {
    pool: { flushAll(pause?: (progress: number) => Promise<void> | undefined): Promise<void> };
    disk: { sync(): Promise<void> };
    rt: { clock: Clock };
  },
  /** A spread checkpoint's pause after a write, given the share of its pages written so far. */
  delay?: (progress: number) => Promise<void> | undefined,
): Promise<void> {
  let written = 0;
  return inst.pool.flushAll(async (progress) => {
    if (++written % PAGES_PER_SYNC === 0) await inst.disk.sync();
    else await cooperate(inst.rt.clock);
    await delay?.(progress);
  });
}
