/**
 * The walreceiver and startup process of a mirror: WAL bytes from the primary are written to
 * the mirror's own WAL files at the same LSNs, flushed (the mirror's disk sync), and replayed,
 * so the mirror's pages are produced by redo, never copied.
 */
import { sqlError } from '../errors.ts';
import { BLCKSZ } from '../storage/disk.ts';
import type { Instance } from '../instance/instance.ts';
import { formatLsn, type Lsn } from '../storage/lsn.ts';
import type { WalStatus } from './protocol.ts';
import type { TimelineEntry } from '../wal/segments.ts';

export class WalReceiver {
  private readonly inst: Instance;
  written: Lsn;
  flushed: Lsn;
  /** Chunks received (for the lab's view of the stream). */
  chunks = 0;

  constructor(inst: Instance) {
    this.inst = inst;
    // The mirror's WAL ends where its replay stopped: new WAL continues there.
    this.written = this.flushed = inst.replayer.next;
  }

  status(): WalStatus {
    return {
      timeline: this.inst.control.timeline,
      written: this.written,
      flushed: this.flushed,
      replayed: this.inst.replayer.replayed,
    };
  }

  async receive(start: Lsn, data: ArrayBuffer, history: TimelineEntry[]): Promise<WalStatus> {
    if (!this.inst.standby)
      throw sqlError('object_not_in_prerequisite_state', 'not a mirror: it is not in recovery');
    this.adoptHistory(history);
    const bytes = new Uint8Array(data);
    // A keepalive: just the status.
    if (bytes.length === 0) return this.status();
    if (start > this.written)
      throw sqlError(
        'object_not_in_prerequisite_state',
        `WAL gap: mirror expected ${formatLsn(this.written)}, got ${formatLsn(start)}`,
      );
    // Bytes the mirror already has are skipped (a resend after a reconnect).
    const skip = this.written - start;
    if (skip < bytes.length) this.writeBytes(this.written, bytes.subarray(skip));
    this.written = Math.max(this.written, start + bytes.length);
    this.inst.noteWalFlushed(this.written);
    await this.inst.disk.sync();
    this.flushed = this.written;
    this.chunks++;
    // The startup process replays what is now on disk; it runs on while we answer.
    void this.inst.replayer.replayAvailable(true).catch((e: unknown) => this.inst.panic(e as Error));
    return this.status();
  }

  /**
   * Follows the primary onto its newer timelines. A timeline that forked before the end of the
   * WAL this mirror already has means the two have diverged: only a rewind or a rebuild
   * (gprecoverseg) can make this instance a mirror again.
   */
  private adoptHistory(history: TimelineEntry[]): void {
    const files = this.inst.files;
    for (const h of history) {
      if (files.history.some((x) => x.tli === h.tli)) continue;
      if (h.begin < this.written)
        throw sqlError(
          'object_not_in_prerequisite_state',
          `requested timeline ${h.tli} is not a child of this server's history`,
          {
            detail: `Latest checkpoint is at ${formatLsn(this.written)} on timeline ${this.inst.control.timeline}, but in the history of the requested timeline, the server forked off from that timeline at ${formatLsn(h.begin)}.`,
          },
        );
      files.switchTimeline(h.tli, h.begin);
      this.inst.control = { ...this.inst.control, timeline: h.tli, history: files.history };
    }
  }

  /** Writes raw WAL bytes at `lsn` into the WAL files, block by block. */
  private writeBytes(lsn: Lsn, bytes: Uint8Array): void {
    const files = this.inst.files;
    let done = 0;
    while (done < bytes.length) {
      const pos = lsn + done;
      const file = files.fileFor(pos);
      const block = Math.floor((pos % files.segSize) / BLCKSZ);
      const off = pos % BLCKSZ;
      const take = Math.min(BLCKSZ - off, bytes.length - done);
      const page = this.inst.disk.read(file, block) ?? new Uint8Array(BLCKSZ);
      page.set(bytes.subarray(done, done + take), off);
      if (off + take < BLCKSZ && off === 0) page.fill(0, take);
      this.inst.disk.write(file, block, page);
      done += take;
    }
  }
}
