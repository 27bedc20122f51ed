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
 */
import { jsonPayload } from '../wal/json-payload.ts';
import { formatLsn, type Lsn } from '../wal/lsn.ts';
import { Rmgr } from '../wal/record.ts';
import { cooperate, type Clock } from '../runtime/clock.ts';
import { writeControl } from './control.ts';
import { XlogInfo, type CheckpointRecord } from './redo.ts';
import type { Instance } from './instance.ts';

export class Checkpointer {
  private running: Promise<void> | undefined;
  private again: Promise<void> | undefined;
  /** Extra state layers above storage keep in checkpoints (catalog OID counter, DTM). */
  extra: (() => Record<string, unknown>) | undefined;
  /** Oldest LSN that a replication slot still needs (mirrors that are behind). */
  retainFrom: (() => Lsn | undefined) | undefined;
  readonly stats = { checkpoints: 0, requested: 0, lastDurationMs: 0, removedSegments: 0 };

  private readonly inst: Instance;

  constructor(inst: Instance) {
    this.inst = inst;
  }

  /** Asks for a checkpoint soon (WAL volume trigger); does not wait. */
  request(): void {
    if (this.running) return;
    this.stats.requested++;
    this.run(false).catch(() => undefined);
  }

  run(shutdown: boolean): Promise<void> {
    if (!this.running) {
      this.running = this.checkpoint(shutdown).finally(() => (this.running = undefined));
      return this.running;
    }
    if (!this.again) {
      const after = this.running.catch(() => undefined);
      this.again = after.then(() => {
        this.again = undefined;
        return this.run(shutdown);
      });
    }
    return this.again;
  }

  get inProgress(): boolean {
    return this.running !== undefined;
  }

  private async checkpoint(shutdown: boolean): Promise<void> {
    const inst = this.inst;
    const started = inst.rt.clock.now();
    const redo = inst.wal.insertLsn;
    const oldestXid = inst.xact.oldestRunning();
    await inst.xact.waitForCommitsBefore(redo);
    await inst.wal.flush();
    await writeDirtyPages(inst);
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
    await inst.wal.flush(end);
    inst.control = {
      ...inst.control,
      state: shutdown ? 'shut down' : 'in production',
      checkpoint: start,
      redo,
      history: inst.files.history,
      time: rec.time,
    };
    writeControl(inst.disk, inst.control);
    await inst.disk.sync();
    let keepFrom = Math.min(redo, inst.wal.insertLsn - inst.settings.wal_keep_size);
    const slot = this.retainFrom?.();
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
}

/** Pages a checkpoint writes between syncs (1 MB). */
const PAGES_PER_SYNC = 128;

/**
 * A checkpoint's (or restartpoint's) page writes, synced a megabyte at a time: a WAL flush that
 * comes meanwhile (a commit, a mirror acknowledging its stream) then waits for one such batch,
 * never for the whole buffer pool going to disk in one transaction.
 */
export function writeDirtyPages(inst: {
  pool: { flushAll(pause?: () => Promise<void> | undefined): Promise<void> };
  disk: { sync(): Promise<void> };
  rt: { clock: Clock };
}): Promise<void> {
  let written = 0;
  return inst.pool.flushAll(() =>
    ++written % PAGES_PER_SYNC === 0 ? inst.disk.sync() : cooperate(inst.rt.clock),
  );
}
