/**
 * Heap relations: rows in slotted pages through the buffer pool, every change WAL-logged.
 *
 * Each change follows the WAL recipe, in one synchronous step (nothing else runs in between):
 * pin the page → change it → insert the WAL record → set the page LSN to the record's end →
 * mark it dirty → unpin. Redo applies a record only to a page whose LSN is older than it, so
 * replaying twice is harmless, and a mirror replaying the same records builds the same bytes.
 *
 * Concurrent writers to one row are kept apart above this layer (Greenplum locks the table for
 * UPDATE/DELETE); a row already being changed by another live transaction is an error here.
 */
import { sqlError } from '../errors.ts';
import { XidStatus, type Xid } from '../txn/clog.ts';
import { tupleVisible, type Snapshot } from '../txn/snapshot.ts';
import type { Transaction } from '../txn/xact.ts';
import { Rmgr, type WalRecord } from '../wal/record.ts';
import type { Frame } from '../storage/buffer-pool.ts';
import { relationFile, type StorageContext } from './context.ts';
import {
  addTuple,
  appendTuples,
  freeSpace,
  getTuple,
  HEAP_UPDATED,
  initPage,
  isNewPage,
  makeTuple,
  MAX_TUPLE_SIZE,
  maxOffset,
  pageLsn,
  readHeader,
  setPageLsn,
  setSelfTid,
  setXmax,
  TUPLE_HEADER_SIZE,
  tupleLength,
  tupleSpaceStart,
  lineTupleUnchecked,
  u32At,
  view,
  type Tid,
  type TupleSource,
} from '../storage/page.ts';

export const HeapInfo = {
  insert: 0x00,
  delete: 0x10,
  update: 0x20,
  /** Several tuples onto one page in one record (Postgres' heap_multi_insert). */
  multiInsert: 0x30,
  /** Flag: the target page was new and is initialised first. */
  initPage: 0x80,
} as const;

/*
 * Record payloads (little-endian):
 *   insert: relfilenode u32 | block u32 | offset u16 | tuple bytes
 *   delete: relfilenode u32 | block u32 | offset u16 | xmax u32 | cmax u32
 *   update: relfilenode u32 | old block u32 | old offset u16 | xmax u32 | cmax u32 |
 *           new block u32 | new offset u16 | new tuple bytes
 */

export interface HeapRow {
  tid: Tid;
  data: Uint8Array;
}

/** Whether a row version holds its key for a unique check (see `HeapRelation.liveness`). */
export type Liveness = 'live' | 'dead' | { wait: Xid };

/** Outcome of a delete/update on a row version. */
export type ChangeResult = 'ok' | 'invisible';

export class HeapRelation {
  readonly file: string;

  private readonly ctx: StorageContext;
  readonly relfilenode: number;

  constructor(ctx: StorageContext, relfilenode: number) {
    this.ctx = ctx;
    this.relfilenode = relfilenode;
    this.file = relationFile(relfilenode);
  }

  /** Inserts a row version for `tx`; returns where it went. */
  async insert(tx: Transaction, data: Uint8Array, infomask = 0): Promise<Tid> {
    const xid = tx.assignXid();
    const tuple = makeTuple(xid, tx.cid, data, infomask);
    if (tuple.length > MAX_TUPLE_SIZE)
      throw sqlError(
        'program_limit_exceeded',
        `row is too big: size ${tuple.length}, maximum size ${MAX_TUPLE_SIZE}`,
      );
    let frame = await this.pageWithSpace(tuple.length);
    let fit = this.fits(frame, tuple.length);
    while (!fit.ok) {
      this.ctx.pool.unpin(frame);
      frame = await this.candidatePage(tuple.length, true);
      fit = this.fits(frame, tuple.length);
    }
    const init = fit.init;
    try {
      const page = frame.page;
      if (init) initPage(page);
      const offset = addTuple(page, tuple);
      const tid = { block: frame.block, offset };
      setSelfTid(getTuple(page, offset)!, tid);
      const payload = new Uint8Array(10 + tuple.length);
      const v = new DataView(payload.buffer);
      v.setUint32(0, this.relfilenode, true);
      v.setUint32(4, tid.block, true);
      v.setUint16(8, offset, true);
      payload.set(getTuple(page, offset)!, 10);
      const info = HeapInfo.insert | (init ? HeapInfo.initPage : 0);
      this.logAndDirty(frame, info, xid, payload, tx);
      return tid;
    } finally {
      this.ctx.pool.unpin(frame);
    }
  }

  /**
   * Inserts many rows (COPY-like bulk loads, INSERT ... SELECT): each page is filled in one
   * synchronous step and logged as one record, instead of a record and a pin per row. Rows
   * are given encoded (`Uint8Array[]`) or as a source that encodes them into the page; where
   * each went is appended to `tids` (for the table's indexes).
   */
  async insertMany(tx: Transaction, rows: Uint8Array[] | TupleSource, tids?: Tid[]): Promise<void> {
    const src = Array.isArray(rows) ? bytesSource(rows) : rows;
    const xid = tx.assignXid();
    let i = 0;
    while (i < src.count) {
      const first = TUPLE_HEADER_SIZE + src.size(i);
      if (first > MAX_TUPLE_SIZE)
        throw sqlError(
          'program_limit_exceeded',
          `row is too big: size ${first}, maximum size ${MAX_TUPLE_SIZE}`,
        );
      let frame = await this.pageWithSpace(first);
      let fit = this.fits(frame, first);
      while (!fit.ok) {
        this.ctx.pool.unpin(frame);
        frame = await this.candidatePage(first, true);
        fit = this.fits(frame, first);
      }
      try {
        const page = frame.page;
        if (fit.init) initPage(page);
        const firstOffset = maxOffset(page) + 1;
        const oldUpper = tupleSpaceStart(page);
        const end = appendTuples(page, frame.block, xid, tx.cid, src, i);
        const count = end - i;
        i = end;
        if (tids) for (let k = 0; k < count; k++) tids.push({ block: frame.block, offset: firstOffset + k });
        // Payload: relfilenode u32 | block u32 | count u16 | first offset u16 | lengths u16 × count
        // | the new tuples as they lie on the page (last one first), copied in one piece.
        const newUpper = tupleSpaceStart(page);
        const head = 12 + 2 * count;
        const payload = new Uint8Array(head + oldUpper - newUpper);
        const v = new DataView(payload.buffer);
        v.setUint32(0, this.relfilenode, true);
        v.setUint32(4, frame.block, true);
        v.setUint16(8, count, true);
        v.setUint16(10, firstOffset, true);
        for (let k = 0; k < count; k++) v.setUint16(12 + 2 * k, tupleLength(page, firstOffset + k), true);
        payload.set(page.subarray(newUpper, oldUpper), head);
        this.logAndDirty(frame, HeapInfo.multiInsert | (fit.init ? HeapInfo.initPage : 0), xid, payload, tx);
      } finally {
        this.ctx.pool.unpin(frame);
      }
    }
  }

  /** Marks the row version at `tid` deleted by `tx`. */
  async delete(tx: Transaction, tid: Tid, snapshot: Snapshot): Promise<ChangeResult> {
    const frame = await this.ctx.pool.pin(this.file, tid.block);
    try {
      const tuple = getTuple(frame.page, tid.offset);
      const check = this.checkChangeable(tuple, snapshot);
      if (check !== 'ok') return check;
      const xid = tx.assignXid();
      setXmax(tuple!, xid, tx.cid);
      const payload = new Uint8Array(18);
      const v = new DataView(payload.buffer);
      v.setUint32(0, this.relfilenode, true);
      v.setUint32(4, tid.block, true);
      v.setUint16(8, tid.offset, true);
      v.setUint32(10, xid, true);
      v.setUint32(14, tx.cid, true);
      this.logAndDirty(frame, HeapInfo.delete, xid, payload, tx);
      return 'ok';
    } finally {
      this.ctx.pool.unpin(frame);
    }
  }

  /** Replaces the row version at `tid` with `data`; returns the new version's tid. */
  async update(tx: Transaction, tid: Tid, data: Uint8Array, snapshot: Snapshot): Promise<Tid | ChangeResult> {
    const xid = tx.assignXid();
    const tuple = makeTuple(xid, tx.cid, data, HEAP_UPDATED);
    if (tuple.length > MAX_TUPLE_SIZE)
      throw sqlError(
        'program_limit_exceeded',
        `row is too big: size ${tuple.length}, maximum size ${MAX_TUPLE_SIZE}`,
      );
    // Pin the new version's page first (it may need an eviction, which can wait).
    const newFrame = await this.pageWithSpace(tuple.length);
    let oldFrame: Frame;
    try {
      oldFrame = newFrame.block === tid.block ? newFrame : await this.ctx.pool.pin(this.file, tid.block);
    } catch (e) {
      this.ctx.pool.unpin(newFrame);
      throw e;
    }
    try {
      const old = getTuple(oldFrame.page, tid.offset);
      const check = this.checkChangeable(old, snapshot);
      if (check !== 'ok') return check;
      // Checked now, synchronously: other sessions ran while we waited for the pins.
      const fit = this.fits(newFrame, tuple.length);
      if (!fit.ok) return this.update(tx, tid, data, snapshot);
      const init = fit.init;
      if (init) initPage(newFrame.page);
      const newOffset = addTuple(newFrame.page, tuple);
      const newTid = { block: newFrame.block, offset: newOffset };
      setSelfTid(getTuple(newFrame.page, newOffset)!, newTid);
      setXmax(getTuple(oldFrame.page, tid.offset)!, xid, tx.cid, newTid);
      const newBytes = getTuple(newFrame.page, newOffset)!;
      const payload = new Uint8Array(28 + newBytes.length);
      const v = new DataView(payload.buffer);
      v.setUint32(0, this.relfilenode, true);
      v.setUint32(4, tid.block, true);
      v.setUint16(8, tid.offset, true);
      v.setUint32(10, xid, true);
      v.setUint32(14, tx.cid, true);
      v.setUint32(18, newTid.block, true);
      v.setUint16(22, newOffset, true);
      payload.set(newBytes, 28);
      const info = HeapInfo.update | (init ? HeapInfo.initPage : 0);
      const { end } = this.ctx.wal.insert(Rmgr.heap, info, xid, payload);
      tx.lastLsn = end;
      for (const f of oldFrame === newFrame ? [newFrame] : [newFrame, oldFrame]) {
        setPageLsn(f.page, end);
        this.ctx.pool.markDirty(f);
      }
      return newTid;
    } finally {
      this.ctx.pool.unpin(newFrame);
      if (oldFrame !== newFrame) this.ctx.pool.unpin(oldFrame);
    }
  }

  /** Scans every visible row, page by page (no pin is held between pages). */
  scan(snapshot: Snapshot): AsyncGenerator<HeapRow[]> {
    return this.pages((t, tid) =>
      this.visible(t, snapshot) ? { tid, data: t.slice(TUPLE_HEADER_SIZE) } : undefined,
    );
  }

  /**
   * What `row` makes of each visible tuple, read in place while its page is pinned: `row` gets
   * the page and where the tuple's data starts, and must not keep the page. Rows come in
   * batches (whole pages; no pin is held between pages) once about `batch` tuples have been
   * read, kept or not, so a caller can yield its thread between batches even when a filter
   * keeps nothing: a batch may be empty. The scan that queries run: no copy, no object per tuple.
   */
  async *scanInPlace<R>(
    snapshot: Snapshot,
    batch: number,
    row: (page: Uint8Array, dataStart: number, block: number, offset: number) => R | undefined,
  ): AsyncGenerator<R[]> {
    const n = this.ctx.pool.nblocks(this.file);
    const clog = this.ctx.xact.clog;
    // Tuples written together share their header's xids: the last verdict serves the next one
    // with the same header (within one page, while nothing else runs).
    let rows: R[] = [];
    let read = 0;
    for (let block = 0; block < n; block++) {
      const frame = this.ctx.pool.tryPin(this.file, block) ?? (await this.ctx.pool.pin(this.file, block));
      try {
        const page = frame.page;
        if (isNewPage(page)) continue;
        const max = maxOffset(page);
        read += max;
        const v = view(page);
        let xmin = -1;
        let cmin = -1;
        let xmax = -1;
        let cmax = -1;
        let seen = false;
        for (let off = 1; off <= max; off++) {
          const at = lineTupleUnchecked(v, off);
          if (at < 0) continue;
          const x0 = v.getUint32(at, true);
          const c0 = v.getUint32(at + 8, true);
          const x1 = v.getUint32(at + 4, true);
          const c1 = v.getUint32(at + 12, true);
          if (x0 !== xmin || c0 !== cmin || x1 !== xmax || c1 !== cmax) {
            xmin = x0;
            cmin = c0;
            xmax = x1;
            cmax = c1;
            seen = tupleVisible(x0, c0, x1, c1, snapshot, clog);
          }
          if (!seen) continue;
          const r = row(page, at + TUPLE_HEADER_SIZE, block, off);
          if (r !== undefined) rows.push(r);
        }
      } finally {
        this.ctx.pool.unpin(frame);
      }
      if (read >= batch) {
        yield rows;
        rows = [];
        read = 0;
      }
    }
    if (rows.length) yield rows;
  }

  /** What `row` makes of each tuple it keeps, page by page (no pin is held between pages). */
  private async *pages<R>(row: (t: Uint8Array, tid: Tid) => R | undefined): AsyncGenerator<R[]> {
    const n = this.ctx.pool.nblocks(this.file);
    for (let block = 0; block < n; block++) {
      const frame = this.ctx.pool.tryPin(this.file, block) ?? (await this.ctx.pool.pin(this.file, block));
      const rows: R[] = [];
      try {
        const page = frame.page;
        if (isNewPage(page)) continue;
        const max = maxOffset(page);
        for (let off = 1; off <= max; off++) {
          const t = getTuple(page, off);
          if (!t) continue;
          const r = row(t, { block, offset: off });
          if (r !== undefined) rows.push(r);
        }
      } finally {
        this.ctx.pool.unpin(frame);
      }
      if (rows.length) yield rows;
    }
  }

  /** The row version at `tid` if visible to the snapshot. */
  async fetch(tid: Tid, snapshot: Snapshot): Promise<Uint8Array | undefined> {
    const frame = await this.ctx.pool.pin(this.file, tid.block);
    try {
      const t = getTuple(frame.page, tid.offset);
      return t && this.visible(t, snapshot) ? t.slice(TUPLE_HEADER_SIZE) : undefined;
    } finally {
      this.ctx.pool.unpin(frame);
    }
  }

  /**
   * For a unique check (Postgres' dirty snapshot): does the version at `tid` hold its key for
   * transaction `curXid` (live), not (dead: never committed, or deleted for good), or is
   * another transaction that is still running inserting or deleting it (wait for it)?
   */
  async liveness(tid: Tid, curXid: Xid): Promise<Liveness> {
    const frame = await this.ctx.pool.pin(this.file, tid.block);
    try {
      const t = getTuple(frame.page, tid.offset);
      return t ? this.livenessOf(t, curXid) : 'dead';
    } finally {
      this.ctx.pool.unpin(frame);
    }
  }

  /** Every row version that is not dead for `curXid`, page by page (CREATE INDEX reads these). */
  scanNotDead(curXid: Xid): AsyncGenerator<(HeapRow & { liveness: Liveness })[]> {
    return this.pages((t, tid) => {
      const liveness = this.livenessOf(t, curXid);
      return liveness === 'dead' ? undefined : { tid, data: t.slice(TUPLE_HEADER_SIZE), liveness };
    });
  }

  private livenessOf(t: Uint8Array, curXid: Xid): Liveness {
    const h = readHeader(t);
    const clog = this.ctx.xact.clog;
    if (clog.commandUndone(h.xmin, h.cmin)) return 'dead';
    if (h.xmin !== curXid) {
      const s = clog.status(h.xmin);
      if (s === XidStatus.aborted) return 'dead';
      if (s !== XidStatus.committed) return this.ctx.xact.isRunning(h.xmin) ? { wait: h.xmin } : 'dead';
    }
    if (h.xmax === 0 || clog.commandUndone(h.xmax, h.cmax)) return 'live';
    if (h.xmax === curXid) return 'dead';
    const s = clog.status(h.xmax);
    if (s === XidStatus.committed) return 'dead';
    if (s === XidStatus.aborted) return 'live';
    return this.ctx.xact.isRunning(h.xmax) ? { wait: h.xmax } : 'live';
  }

  private visible(t: Uint8Array, snap: Snapshot): boolean {
    return tupleVisible(u32At(t, 0), u32At(t, 8), u32At(t, 4), u32At(t, 12), snap, this.ctx.xact.clog);
  }

  private checkChangeable(tuple: Uint8Array | undefined, snapshot: Snapshot): ChangeResult {
    if (!tuple || !this.visible(tuple, snapshot)) return 'invisible';
    const h = readHeader(tuple);
    if (h.xmax === 0 || h.xmax === snapshot.curXid) return 'ok';
    // Its change was undone by a ROLLBACK TO SAVEPOINT: nobody holds the row.
    if (this.ctx.xact.clog.commandUndone(h.xmax, h.cmax)) return 'ok';
    const status = this.ctx.xact.clog.status(h.xmax);
    if (status === XidStatus.aborted || (status !== XidStatus.committed && !this.isRunning(h.xmax)))
      return 'ok';
    // Changed by a transaction this snapshot cannot see yet: one still running, or one committed
    // here whose distributed transaction is not finished on every segment. Skipping the row
    // would lose that change; the statement fails instead.
    throw sqlError('serialization_failure', `could not serialize access due to concurrent update`, {
      detail: `row ${h.ctid.block},${h.ctid.offset} is being changed by transaction ${h.xmax}`,
    });
  }

  private isRunning(xid: Xid): boolean {
    return this.ctx.xact.takeSnapshot().xip.has(xid);
  }

  /**
   * A pinned page that may have room for `len` bytes: the last page, or a new one. Callers
   * must check again after the await (`fits`), since other sessions run meanwhile.
   */
  private async candidatePage(len: number, extend: boolean): Promise<Frame> {
    const n = this.ctx.pool.nblocks(this.file);
    if (n > 0 && !extend) {
      const last = this.ctx.pool.tryPin(this.file, n - 1) ?? (await this.ctx.pool.pin(this.file, n - 1));
      if (isNewPage(last.page) || freeSpace(last.page) >= len) return last;
      this.ctx.pool.unpin(last);
    }
    return this.ctx.pool.extend(this.file);
  }

  /** Checked synchronously right before the change: does the pinned page take `len` bytes? */
  private fits(frame: Frame, len: number): { ok: boolean; init: boolean } {
    if (isNewPage(frame.page)) return { ok: true, init: true };
    return { ok: freeSpace(frame.page) >= len, init: false };
  }

  /** Pins a page with room; synchronous callers then change it before anything else runs. */
  private pageWithSpace(len: number): Promise<Frame> {
    return this.candidatePage(len, false);
  }

  private logAndDirty(frame: Frame, info: number, xid: Xid, payload: Uint8Array, tx: Transaction): void {
    const { end } = this.ctx.wal.insert(Rmgr.heap, info, xid, payload);
    tx.lastLsn = end;
    setPageLsn(frame.page, end);
    this.ctx.pool.markDirty(frame);
  }
}

/** Redo of a heap record: applies it to each page older than the record. */
export async function heapRedo(ctx: StorageContext, rec: WalRecord): Promise<void> {
  const p = rec.payload;
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const file = relationFile(v.getUint32(0, true));
  const block = v.getUint32(4, true);
  const offset = v.getUint16(8, true);
  const op = rec.info & 0x70;
  const init = (rec.info & HeapInfo.initPage) !== 0;

  if (op === HeapInfo.insert) {
    await redoOnPage(ctx, file, block, rec, init, (page) => {
      addTuple(page, p.slice(10), offset);
    });
  } else if (op === HeapInfo.multiInsert) {
    await redoOnPage(ctx, file, block, rec, init, (page) => {
      const n = v.getUint16(8, true);
      const first = v.getUint16(10, true);
      // Tuples lie last-first after the lengths; the first one ends the payload.
      let end = p.length;
      for (let k = 0; k < n; k++) {
        const len = v.getUint16(12 + 2 * k, true);
        addTuple(page, p.subarray(end - len, end), first + k);
        end -= len;
      }
    });
  } else if (op === HeapInfo.delete) {
    await redoOnPage(ctx, file, block, rec, false, (page) => {
      const t = getTuple(page, offset);
      if (t) setXmax(t, v.getUint32(10, true), v.getUint32(14, true));
    });
  } else if (op === HeapInfo.update) {
    const newBlock = v.getUint32(18, true);
    const newOffset = v.getUint16(22, true);
    const newTid = { block: newBlock, offset: newOffset };
    const setOld = (page: Uint8Array) => {
      const t = getTuple(page, offset);
      if (t) setXmax(t, v.getUint32(10, true), v.getUint32(14, true), newTid);
    };
    const addNew = (page: Uint8Array) => {
      addTuple(page, p.slice(28), newOffset);
    };
    if (newBlock === block) {
      await redoOnPage(ctx, file, block, rec, false, (page) => {
        addNew(page);
        setOld(page);
      });
    } else {
      await redoOnPage(ctx, file, newBlock, rec, init, addNew);
      await redoOnPage(ctx, file, block, rec, false, setOld);
    }
  }
}

/** Applies a redo change to one page unless the page already has it (its LSN is not older). */
export async function redoOnPage(
  ctx: StorageContext,
  file: string,
  block: number,
  rec: WalRecord,
  init: boolean,
  apply: (page: Uint8Array) => void,
): Promise<void> {
  // A page past the end (its extension was never written out) is created here.
  while (ctx.pool.nblocks(file) <= block) {
    const f = await ctx.pool.extend(file);
    ctx.pool.unpin(f);
  }
  const frame = await ctx.pool.pin(file, block);
  try {
    if (init) initPage(frame.page);
    else if (pageLsn(frame.page) >= rec.end) return;
    apply(frame.page);
    setPageLsn(frame.page, rec.end);
    ctx.pool.markDirty(frame);
  } finally {
    ctx.pool.unpin(frame);
  }
}

function bytesSource(datas: Uint8Array[]): TupleSource {
  return {
    count: datas.length,
    size: (i) => datas[i]!.length,
    write: (i, page, _dv, at) => page.set(datas[i]!, at),
  };
}
