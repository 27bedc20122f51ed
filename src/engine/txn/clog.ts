/**
 * The commit log (pg_xact): two bits of status per transaction id.
 *
 * Status changes are WAL-logged by their commit/abort records, so the log itself is written out
 * only at checkpoints and rebuilt after a crash by replaying those records from the redo point.
 */
import { BLCKSZ, type Disk } from '../storage/disk.ts';

export type Xid = number;

export const InvalidXid: Xid = 0;
/** Rows created by initdb: always committed, visible to everyone. */
export const BootstrapXid: Xid = 1;
export const FrozenXid: Xid = 2;
export const FirstNormalXid: Xid = 3;

export const XidStatus = {
  inProgress: 0,
  committed: 1,
  aborted: 2,
} as const;
export type XidStatus = (typeof XidStatus)[keyof typeof XidStatus];

const CLOG_FILE = 'pg_xact/0000';
const XIDS_PER_BLOCK = BLCKSZ * 4;
/**
 * Commands undone by ROLLBACK TO SAVEPOINT, as u32 words: a count, then (xid, from, to) triples.
 * This lab's subtransactions: where PostgreSQL gives a savepoint's work its own xid and aborts
 * it in the commit log, a transaction here keeps one xid and the commands since the savepoint
 * (a range of command ids) are marked undone, for every reader, the transaction committed or not.
 */
const UNDONE_FILE = 'pg_xact/undone';
const WORDS_PER_BLOCK = BLCKSZ / 4;

export class CommitLog {
  private bits = new Uint8Array(BLCKSZ);
  private readonly dirtyBlocks = new Set<number>();
  /** Undone command ranges by xid, [from, to] inclusive; written out at checkpoints. */
  private readonly undone = new Map<Xid, [number, number][]>();
  private undoneDirty = false;

  /** Whether any command was ever undone here (the visibility check's fast path). */
  get hasUndone(): boolean {
    return this.undone.size > 0;
  }

  /** ROLLBACK TO SAVEPOINT (or its redo): commands from..to of `xid` never happened. */
  undoCommands(xid: Xid, from: number, to: number): void {
    if (to < from) return;
    const list = this.undone.get(xid);
    if (list) list.push([from, to]);
    else this.undone.set(xid, [[from, to]]);
    this.undoneDirty = true;
  }

  /** Whether command `cid` of transaction `xid` was undone by a ROLLBACK TO SAVEPOINT. */
  commandUndone(xid: Xid, cid: number): boolean {
    const list = this.undone.get(xid);
    if (!list) return false;
    for (const [from, to] of list) if (cid >= from && cid <= to) return true;
    return false;
  }

  /** An aborted transaction's ranges are no longer needed: none of its work is visible. */
  forgetUndone(xid: Xid): void {
    if (this.undone.delete(xid)) this.undoneDirty = true;
  }

  status(xid: Xid): XidStatus {
    if (xid < FirstNormalXid) return xid === InvalidXid ? XidStatus.aborted : XidStatus.committed;
    const byte = xid >>> 2;
    if (byte >= this.bits.length) return XidStatus.inProgress;
    return ((this.bits[byte]! >>> ((xid & 3) * 2)) & 3) as XidStatus;
  }

  set(xid: Xid, status: XidStatus): void {
    const byte = xid >>> 2;
    if (byte >= this.bits.length) {
      let size = this.bits.length * 2;
      while (size <= byte) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.bits);
      this.bits = grown;
    }
    const shift = (xid & 3) * 2;
    this.bits[byte] = (this.bits[byte]! & ~(3 << shift)) | (status << shift);
    this.dirtyBlocks.add(Math.floor(xid / XIDS_PER_BLOCK));
  }

  /** Writes the changed blocks to the disk cache (a checkpoint then syncs them). */
  writeOut(disk: Disk): void {
    for (const b of [...this.dirtyBlocks].sort((x, y) => x - y)) {
      const block = new Uint8Array(BLCKSZ);
      block.set(this.bits.subarray(b * BLCKSZ, (b + 1) * BLCKSZ));
      disk.write(CLOG_FILE, b, block);
    }
    this.dirtyBlocks.clear();
    if (this.undoneDirty) this.writeUndone(disk);
  }

  private writeUndone(disk: Disk): void {
    const words = [0];
    for (const [xid, list] of this.undone) for (const [from, to] of list) words.push(xid, from, to);
    words[0] = (words.length - 1) / 3;
    const blocks = Math.max(1, Math.ceil(words.length / WORDS_PER_BLOCK));
    for (let b = 0; b < blocks; b++) {
      const block = new Uint8Array(BLCKSZ);
      const v = new DataView(block.buffer);
      const part = words.slice(b * WORDS_PER_BLOCK, (b + 1) * WORDS_PER_BLOCK);
      part.forEach((w, i) => v.setUint32(i * 4, w, true));
      disk.write(UNDONE_FILE, b, block);
    }
    if (disk.nblocks(UNDONE_FILE) > blocks) disk.truncate(UNDONE_FILE, blocks);
    this.undoneDirty = false;
  }

  private loadUndone(disk: Disk): void {
    const n = disk.nblocks(UNDONE_FILE);
    const words: number[] = [];
    for (let b = 0; b < n; b++) {
      const data = disk.read(UNDONE_FILE, b);
      if (!data) continue;
      const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
      for (let i = 0; i < WORDS_PER_BLOCK; i++) words.push(v.getUint32(i * 4, true));
    }
    const count = words[0] ?? 0;
    for (let i = 0; i < count; i++)
      this.undoCommands(words[1 + i * 3]!, words[2 + i * 3]!, words[3 + i * 3]!);
    this.undoneDirty = false;
  }

  static load(disk: Disk): CommitLog {
    const log = new CommitLog();
    const n = disk.nblocks(CLOG_FILE);
    if (n > 0) {
      log.bits = new Uint8Array(Math.max(n, 1) * BLCKSZ);
      for (let b = 0; b < n; b++) {
        const data = disk.read(CLOG_FILE, b);
        if (data) log.bits.set(data, b * BLCKSZ);
      }
    }
    log.loadUndone(disk);
    return log;
  }
}
