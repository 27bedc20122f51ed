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

export class CommitLog {
  private bits = new Uint8Array(BLCKSZ);
  private readonly dirtyBlocks = new Set<number>();

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
    return log;
  }
}
