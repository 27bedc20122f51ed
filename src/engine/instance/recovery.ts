/**
 * Replay of the WAL: crash recovery on start, and the standby's startup process that keeps
 * applying what its walreceiver writes (mirrors, the standby coordinator).
 *
 * The replayer reads from the instance's own WAL files, record after record, until the first
 * record that is not (yet) valid; on a standby that is simply where the received WAL ends, and
 * replay continues from there once more arrives. On a standby every replayed checkpoint is a
 * restartpoint: pages are written and the control file moves forward, so a crashed mirror
 * resumes replay from there.
 */
import { writeDirtyPages } from './checkpointer.ts';
import { sqlError } from '../errors.ts';
import { formatLsn, type Lsn } from '../storage/lsn.ts';
import { decodeHeader, MAX_RECORD_SIZE, RECORD_HEADER_SIZE, Rmgr, type WalRecord } from '../wal/record.ts';
import type { WalFiles } from '../wal/segments.ts';
import { parseJsonPayload } from '../wal/json-payload.ts';
import { writeControl } from './control.ts';
import { applyRecord, XlogInfo, type CheckpointRecord } from './redo.ts';
import type { Instance } from './instance.ts';

/** What to do about an instance whose files are damaged. */
export const DAMAGED_FILES_HINT =
  'The instance cannot start from its damaged files. Fail over to its mirror and rebuild it with "gprecoverseg -F".';

/** Whether the record at `lsn` (its header readable) would end past `end`: cut off, not damaged. */
function walRecordRunsPast(files: WalFiles, lsn: Lsn, end: Lsn): boolean {
  if (lsn + RECORD_HEADER_SIZE > end) return true;
  const head = files.read(lsn, RECORD_HEADER_SIZE);
  if (!head) return true;
  const { totLen } = decodeHeader(head);
  return totLen >= RECORD_HEADER_SIZE && totLen <= MAX_RECORD_SIZE && lsn + totLen > end;
}

export class Replayer {
  private readonly inst: Instance;
  /** Next record to read, and the start of the last one applied (its back-link). */
  next: Lsn = 0;
  prev: Lsn | undefined;
  /** End of the last record applied: the replay LSN. */
  replayed: Lsn = 0;
  records = 0;
  oldestXid = 0;
  checkpointRecord: WalRecord | undefined;
  stopReason = '';
  private replaying: Promise<void> | undefined;

  constructor(inst: Instance) {
    this.inst = inst;
  }

  /** Reads the checkpoint the control file points at; replay will start at its redo point. */
  begin(): CheckpointRecord {
    const c = this.inst.control;
    const ck = this.inst.reader.read(c.checkpoint);
    const file = this.inst.files.fileFor(c.checkpoint);
    if (!ck.ok && this.inst.disk.nblocks(file) === 0)
      throw sqlError('undefined_file', `could not open file "${file}": No such file or directory`, {
        detail: `The WAL segment holding the latest checkpoint record (${formatLsn(c.checkpoint)}) is gone.`,
      });
    if (!ck.ok || ck.record.rmid !== Rmgr.xlog)
      throw sqlError(
        'data_corrupted',
        `could not locate a valid checkpoint record at ${formatLsn(c.checkpoint)} in file "${file}"`,
        {
          detail: ck.ok ? 'the record there is not a checkpoint' : ck.reason,
        },
      );
    const ckpt = parseJsonPayload<CheckpointRecord>(ck.record.payload);
    this.checkpointRecord = ck.record;
    this.next = ckpt.redo;
    this.replayed = ck.record.end;
    this.oldestXid = ckpt.oldestXid;
    return ckpt;
  }

  /** Applies every valid record from where replay stands; returns why it stopped. */
  async replayAvailable(standby: boolean): Promise<string> {
    // One replay at a time: the walreceiver may ask again while a pass is running.
    while (this.replaying) await this.replaying;
    let done!: () => void;
    this.replaying = new Promise<void>((r) => (done = r));
    try {
      for (;;) {
        const r = this.inst.reader.read(this.next, this.prev);
        if (!r.ok) {
          this.stopReason = r.reason;
          return r.reason;
        }
        const rec = r.record;
        // Replay yields the thread like any long work: a mirror catching up must still answer
        // its walsender and FTS.
        const clock = this.inst.rt.clock;
        if (clock.shouldYield()) await clock.yield();
        await applyRecord(this.inst.redoTarget(), rec);
        this.prev = rec.lsn;
        this.next = rec.end;
        this.replayed = rec.end;
        this.records++;
        if (
          standby &&
          rec.rmid === Rmgr.xlog &&
          (rec.info === XlogInfo.checkpointOnline || rec.info === XlogInfo.checkpointShutdown)
        )
          await this.restartpoint(rec);
      }
    } finally {
      this.replaying = undefined;
      done();
    }
  }

  /**
   * Replay must reach the checkpoint record and the end of the WAL this instance had flushed: an
   * invalid record before that is damage, not the end of the WAL, and starting there would lose
   * committed work (XX001; 58P01 when the segment file is gone). A mirror being promoted had its
   * WAL from a stream, which may end inside a record (`partialTail`).
   */
  mustHaveReachedFlushedEnd(partialTail: boolean): void {
    const inst = this.inst;
    const next = this.next;
    const mustReach = Math.max(inst.control.walFlushed ?? 0, this.checkpointRecord?.end ?? 0);
    if (next >= mustReach) return;
    if (partialTail && walRecordRunsPast(inst.files, next, mustReach)) return;
    const file = inst.files.fileFor(next);
    if (inst.disk.nblocks(file) === 0)
      throw sqlError('undefined_file', `could not open file "${file}": No such file or directory`, {
        detail: `WAL from ${formatLsn(next)} to ${formatLsn(mustReach)}, made durable before the instance stopped, is needed for recovery.`,
        hint: DAMAGED_FILES_HINT,
      });
    throw sqlError(
      'data_corrupted',
      `WAL ends before the end of its flushed WAL: invalid record at ${formatLsn(next)} in file "${file}", flushed up to ${formatLsn(mustReach)}`,
      { detail: this.stopReason, hint: DAMAGED_FILES_HINT },
    );
  }

  /** A standby's checkpoint: the pages replayed so far are written; restart resumes here. */
  private async restartpoint(rec: WalRecord): Promise<void> {
    const ckpt = parseJsonPayload<CheckpointRecord>(rec.payload);
    const inst = this.inst;
    await writeDirtyPages(inst);
    inst.clog.writeOut(inst.disk);
    inst.control = {
      ...inst.control,
      state: 'in archive recovery',
      checkpoint: rec.lsn,
      redo: ckpt.redo,
      time: inst.rt.clock.now(),
      minRecoveryPoint: rec.end,
    };
    writeControl(inst.disk, inst.control);
    await inst.disk.sync();
    inst.rt.trace({ kind: 'restartpoint', at: formatLsn(rec.lsn) });
  }
}
