/**
 * The WAL writer: inserts records into the WAL buffer and makes them durable with group commit.
 *
 * Three positions, always insert >= written >= flushed:
 * - insertLsn: where the next record goes (end of the last inserted record);
 * - writtenLsn: bytes handed to the disk's cache (whole blocks, the partial last one padded);
 * - flushedLsn: bytes made durable by a disk sync.
 *
 * Group commit: while one flush is in flight, every caller that needs a later LSN waits for it,
 * then one of them starts a single flush covering everything inserted meanwhile. Many commits
 * thus share one disk sync (one IndexedDB transaction).
 *
 * A failed flush is fatal for the instance (Postgres PANICs): `onPanic` is told and every waiter
 * gets the error; nothing that waited is acknowledged.
 */
import { BLCKSZ } from '../storage/disk.ts';
import { encodeRecord } from './record.ts';
import type { Lsn } from '../storage/lsn.ts';
import type { WalFiles } from './segments.ts';
import type { Disk } from '../storage/disk.ts';

/** Past this many unwritten bytes, full blocks are written to the disk cache (not synced). */
const WAL_BUFFERS_BYTES = 4 * 1024 * 1024;

export interface WalInsertResult {
  start: Lsn;
  end: Lsn;
}

/** What the instance is told by its WAL writer. */
export interface WalWriterHooks {
  /** Every inserted record, once it is in the buffer (checkpoint requests by WAL volume). */
  onInsert?: (end: Lsn) => void;
  /** After each successful flush, the new flushed position (walsenders wake on it). */
  onFlush?: (flushed: Lsn) => void;
  /** A flush failed: the instance PANICs. */
  onPanic?: (err: Error) => void;
  /** Before each sync, the position it will make durable (pg_control records it). */
  beforeSync?: (upTo: Lsn) => void;
  /** Lets the work already queued on this thread run (a later task of the event loop). */
  yieldThread?: () => Promise<void>;
  /** A high-resolution wall timer (Clock.elapsedMs): when present, syncs are timed. */
  elapsedMs?: () => number;
}

export class WalWriter {
  insertLsn: Lsn;
  writtenLsn: Lsn;
  flushedLsn: Lsn;
  /** Start of the last inserted record: the next record's back-link. */
  lastRecord: Lsn;
  /** Bytes from `bufStart` (block-aligned, <= writtenLsn) to insertLsn. */
  private buf: Uint8Array;
  private bufStart: Lsn;
  private bufLen = 0;
  private flushing: Promise<void> | undefined;
  private failure: Error | undefined;
  private readonly hooks: WalWriterHooks;
  /**
   * Counters for benchmarks and the lab; `syncMs` is the wall time spent in the disk's syncs of
   * WAL flushes (as pg_stat_wal's wal_sync_time), 0 where there is no wall timer (simulator).
   */
  readonly stats = { records: 0, bytes: 0, flushes: 0, syncMs: 0 };

  private readonly files: WalFiles;
  private readonly disk: Disk;

  constructor(
    files: WalFiles,
    disk: Disk,
    /** End of valid WAL: the next record starts here. */
    start: Lsn,
    lastRecord: Lsn,
    hooks: WalWriterHooks = {},
  ) {
    this.hooks = hooks;
    this.files = files;
    this.disk = disk;
    this.insertLsn = this.writtenLsn = this.flushedLsn = start;
    this.lastRecord = lastRecord;
    this.bufStart = start - (start % BLCKSZ);
    this.buf = new Uint8Array(BLCKSZ * 8);
    // Keep the valid head of the current block so rewriting it preserves earlier records.
    const head = start - this.bufStart;
    if (head > 0) {
      const existing = files.read(this.bufStart, head);
      if (existing) this.buf.set(existing);
    }
    this.bufLen = head;
  }

  /** Appends one record to the WAL buffer. Synchronous: callers change pages right after. */
  insert(rmid: number, info: number, xid: number, payload: Uint8Array): WalInsertResult {
    if (this.failure) throw this.failure;
    const rec = encodeRecord(this.lastRecord, xid, rmid, info, payload);
    const start = this.insertLsn;
    this.append(rec);
    this.lastRecord = start;
    this.insertLsn = start + rec.length;
    this.stats.records++;
    this.stats.bytes += rec.length;
    if (this.insertLsn - this.writtenLsn > WAL_BUFFERS_BYTES) this.writeFullBlocks();
    this.hooks.onInsert?.(this.insertLsn);
    return { start, end: this.insertLsn };
  }

  /** Resolves once every byte before `upTo` is durable (default: everything inserted). */
  async flush(upTo: Lsn = this.insertLsn): Promise<void> {
    let missed = false;
    while (this.flushedLsn < upTo) {
      if (this.failure) throw this.failure;
      if (this.flushing) {
        await this.flushing.catch(() => undefined);
        missed = true;
        continue;
      }
      // The flush this record waited for has just ended without it. Other sessions' work is
      // queued on this thread, on its way to commit: let it insert first, so that the next
      // flush covers it too, as backends queued on Postgres' WAL write lock find their records
      // flushed by whichever of them got the lock.
      if (missed && this.hooks.yieldThread) {
        missed = false;
        await this.hooks.yieldThread();
        continue;
      }
      this.flushing = this.flushOnce(this.insertLsn).finally(() => (this.flushing = undefined));
      await this.flushing;
    }
  }

  /**
   * Flushes up to `upTo` with `alongside`'s writes (a checkpoint's pg_control) in the same
   * sync, which the disk makes durable atomically: one sync instead of a WAL flush and then
   * a second for the control file, which may point only at WAL that is durable with it.
   */
  async flushWith(upTo: Lsn, alongside: () => void): Promise<void> {
    while (this.flushing) await this.flushing.catch(() => undefined);
    if (this.failure) throw this.failure;
    this.flushing = this.flushOnce(Math.max(upTo, this.insertLsn), alongside).finally(
      () => (this.flushing = undefined),
    );
    await this.flushing;
  }

  get isFlushing(): boolean {
    return this.flushing !== undefined;
  }

  private async flushOnce(target: Lsn, alongside?: () => void): Promise<void> {
    this.writeUpTo(target);
    alongside?.();
    this.hooks.beforeSync?.(target);
    const t0 = this.hooks.elapsedMs?.();
    try {
      await this.disk.sync();
    } catch (e) {
      this.failure = e instanceof Error ? e : new Error(String(e));
      this.hooks.onPanic?.(this.failure);
      throw this.failure;
    }
    if (t0 !== undefined) this.stats.syncMs += this.hooks.elapsedMs!() - t0;
    this.stats.flushes++;
    if (target > this.flushedLsn) this.flushedLsn = target;
    this.hooks.onFlush?.(this.flushedLsn);
  }

  /** Hands the bytes up to `target` to the disk cache, the partial last block padded. */
  private writeUpTo(target: Lsn): void {
    if (target <= this.writtenLsn) return;
    const from = this.writtenLsn - (this.writtenLsn % BLCKSZ);
    const to = target;
    this.files.writeBlocks(from, this.buf.subarray(from - this.bufStart, to - this.bufStart));
    this.writtenLsn = target;
    // Drop whole blocks that are written; keep the partial block, which will be rewritten.
    const keepFrom = this.writtenLsn - (this.writtenLsn % BLCKSZ);
    this.discardBefore(keepFrom);
  }

  private writeFullBlocks(): void {
    const target = this.insertLsn - (this.insertLsn % BLCKSZ);
    if (target > this.writtenLsn) this.writeUpTo(target);
  }

  private discardBefore(lsn: Lsn): void {
    const drop = lsn - this.bufStart;
    if (drop <= 0) return;
    this.buf.copyWithin(0, drop, this.bufLen);
    this.bufLen -= drop;
    this.bufStart = lsn;
  }

  private append(bytes: Uint8Array): void {
    const need = this.bufLen + bytes.length;
    if (need > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < need) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.buf.subarray(0, this.bufLen));
      this.buf = grown;
    }
    this.buf.set(bytes, this.bufLen);
    this.bufLen += bytes.length;
  }
}
