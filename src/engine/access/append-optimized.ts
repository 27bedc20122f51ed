/**
 * Append-optimized relations: rows packed into blocks that go straight to disk, bypassing the
 * buffer pool (as Greenplum's AO tables do), each block WAL-logged with its whole content.
 *
 * A transaction buffers its rows in memory and writes a block when it fills and at commit,
 * before the commit record; the block carries the writing xid, so rows become visible exactly
 * when that transaction commits. Blocks of aborted transactions stay on disk, invisible.
 *
 * Block layout (little-endian):
 *   0 xid u32 | 4 cid u32 | 8 checksum u16 | 10 nrows u16 | 12 used bytes u16 | 14 zero u16 |
 *   16.. rows: len u16 | data
 * The checksum sits where a heap page keeps pd_checksum (checksum.ts); it is set before the
 * block is WAL-logged, so redo writes the very bytes the primary wrote.
 */
import { sqlError } from '../errors.ts';
import { tupleVisible, type Snapshot } from '../txn/snapshot.ts';
import type { Transaction } from '../txn/xact.ts';
import { Rmgr, type WalRecord } from '../wal/record.ts';
import { BLCKSZ } from '../storage/disk.ts';
import { setChecksum, verifyBlock } from '../storage/checksum.ts';
import { relationFile, type StorageContext } from './context.ts';

export const AO_BLOCK_HEADER = 16;
/** The visibility map of AO table R is the heap relation R + VISIMAP_OFFSET. */
export const VISIMAP_OFFSET = 0x4000_0000;
export const AoInfo = { append: 0x00 } as const;

interface PendingBlock {
  block: Uint8Array;
  used: number;
  nrows: number;
  /** The command its rows come from: a block holds one command's rows, as a savepoint undoes by command. */
  cid: number;
}

export class AppendOptimizedRelation {
  readonly file: string;
  /** Per-transaction block being filled (keyed by the transaction object). */
  private readonly pending = new WeakMap<Transaction, PendingBlock>();

  private readonly ctx: StorageContext;
  readonly relfilenode: number;
  /** Next free block, shared by every relation object for this file. */
  private readonly allocator: AoBlockAllocator;

  constructor(ctx: StorageContext, relfilenode: number, allocator: AoBlockAllocator) {
    this.allocator = allocator;
    this.ctx = ctx;
    this.relfilenode = relfilenode;
    this.file = relationFile(relfilenode);
  }

  insert(tx: Transaction, data: Uint8Array): void {
    if (AO_BLOCK_HEADER + 2 + data.length > BLCKSZ)
      throw sqlError(
        'program_limit_exceeded',
        `row is too big for an append-optimized block: ${data.length} bytes`,
      );
    tx.assignXid();
    let p = this.pending.get(tx);
    if (!p) {
      p = this.startBlock(tx);
      const flush = () => this.flush(tx);
      tx.beforeCommit.push(flush);
    }
    if (p.nrows === 0) p.cid = tx.cid;
    // A new statement's rows start a new block (Greenplum closes an insert's block at its end).
    if (p.used + 2 + data.length > BLCKSZ || (p.nrows > 0 && p.cid !== tx.cid)) {
      this.writeBlock(tx, p);
      p = this.startBlock(tx);
    }
    new DataView(p.block.buffer).setUint16(p.used, data.length, true);
    p.block.set(data, p.used + 2);
    p.used += 2 + data.length;
    p.nrows++;
  }

  /** Writes the partly filled block (before commit, and before the transaction reads its own rows). */
  flush(tx: Transaction): void {
    const p = this.pending.get(tx);
    if (p && p.nrows > 0) {
      this.writeBlock(tx, p);
      this.pending.set(tx, this.startBlock(tx));
    }
  }

  async *scan(snapshot: Snapshot): AsyncGenerator<Uint8Array[]> {
    for await (const b of this.scanPositions(snapshot)) yield b.rows.map((r) => r.data);
  }

  /**
   * Visible rows with their positions (block, row index from 1), skipping rows the visibility
   * map marks deleted for this snapshot.
   */
  async *scanPositions(
    snapshot: Snapshot,
  ): AsyncGenerator<{ block: number; rows: { index: number; data: Uint8Array }[] }> {
    const deleted = await this.deletedRows(snapshot);
    const n = this.allocator.nblocks(this.file);
    for (let b = 0; b < n; b++) {
      const block = this.readBlock(b);
      if (!block) continue;
      const v = new DataView(block.buffer, block.byteOffset, block.byteLength);
      const xid = v.getUint32(0, true);
      if (xid === 0) continue;
      if (!tupleVisible(xid, v.getUint32(4, true), 0, 0, snapshot, this.ctx.xact.clog)) continue;
      const rows: { index: number; data: Uint8Array }[] = [];
      const nrows = v.getUint16(10, true);
      let at = AO_BLOCK_HEADER;
      for (let i = 0; i < nrows; i++) {
        const len = v.getUint16(at, true);
        if (!deleted.has(b * 65536 + i + 1))
          rows.push({ index: i + 1, data: block.slice(at + 2, at + 2 + len) });
        at += 2 + len;
      }
      yield { block: b, rows };
    }
  }

  /** Block `b` as read from disk and verified (checksum, and a layout that holds together). */
  private readBlock(b: number): Uint8Array | undefined {
    const block = this.ctx.disk.read(this.file, b);
    if (!block) return undefined;
    try {
      verifyBlock(block, this.file, b, this.ctx.dataChecksums, aoBlockProblem);
    } catch (e) {
      this.ctx.noteInvalidPage(this.file, b);
      throw e;
    }
    return block;
  }

  /**
   * Deletes one row: an entry in the table's visibility map (a heap relation, so the deletion
   * is MVCC-visible exactly when the deleting transaction commits). False if already deleted.
   */
  async delete(tx: Transaction, block: number, index: number, snapshot: Snapshot): Promise<boolean> {
    const deleted = await this.deletedRows(snapshot);
    if (deleted.has(block * 65536 + index)) return false;
    const entry = new Uint8Array(6);
    const v = new DataView(entry.buffer);
    v.setUint32(0, block, true);
    v.setUint16(4, index, true);
    await this.visimap().insert(tx, entry);
    return true;
  }

  private visimap() {
    return this.ctx.heapOf(this.relfilenode + VISIMAP_OFFSET);
  }

  private async deletedRows(snapshot: Snapshot): Promise<Set<number>> {
    const out = new Set<number>();
    if (
      this.ctx.disk.nblocks(relationFile(this.relfilenode + VISIMAP_OFFSET)) === 0 &&
      !this.ctx.pool.nblocks(relationFile(this.relfilenode + VISIMAP_OFFSET))
    )
      return out;
    for await (const page of this.visimap().scan(snapshot))
      for (const r of page) {
        const v = new DataView(r.data.buffer, r.data.byteOffset, r.data.byteLength);
        out.add(v.getUint32(0, true) * 65536 + v.getUint16(4, true));
      }
    return out;
  }

  private startBlock(tx: Transaction): PendingBlock {
    const p = { block: new Uint8Array(BLCKSZ), used: AO_BLOCK_HEADER, nrows: 0, cid: tx.cid };
    this.pending.set(tx, p);
    return p;
  }

  private writeBlock(tx: Transaction, p: PendingBlock): void {
    const v = new DataView(p.block.buffer);
    v.setUint32(0, tx.xid, true);
    v.setUint32(4, p.cid, true);
    v.setUint16(10, p.nrows, true);
    v.setUint16(12, p.used, true);
    const blockNo = this.allocator.allocate(this.file);
    if (this.ctx.dataChecksums) setChecksum(p.block, blockNo);
    const payload = new Uint8Array(8 + p.used);
    const pv = new DataView(payload.buffer);
    pv.setUint32(0, this.relfilenode, true);
    pv.setUint32(4, blockNo, true);
    payload.set(p.block.subarray(0, p.used), 8);
    const { end } = this.ctx.wal.insert(Rmgr.appendonly, AoInfo.append, tx.xid, payload);
    tx.lastLsn = end;
    this.ctx.disk.write(this.file, blockNo, p.block);
  }
}

/** What is wrong with an AO block's layout, if anything. */
function aoBlockProblem(block: Uint8Array): string | undefined {
  const v = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const nrows = v.getUint16(10, true);
  const used = v.getUint16(12, true);
  if (used < AO_BLOCK_HEADER || used > BLCKSZ) return `used bytes ${used} out of range`;
  let at = AO_BLOCK_HEADER;
  for (let i = 0; i < nrows; i++) {
    if (at + 2 > used) return `row ${i + 1} starts past the used bytes`;
    at += 2 + v.getUint16(at, true);
  }
  return at === used ? undefined : `rows end at ${at}, used bytes say ${used}`;
}

/** Hands out AO block numbers so concurrent writers never collide. */
export class AoBlockAllocator {
  private readonly next = new Map<string, number>();
  private readonly ctx: Pick<StorageContext, 'disk'>;

  constructor(ctx: Pick<StorageContext, 'disk'>) {
    this.ctx = ctx;
  }

  nblocks(file: string): number {
    return Math.max(this.next.get(file) ?? 0, this.ctx.disk.nblocks(file));
  }

  allocate(file: string): number {
    const b = this.nblocks(file);
    this.next.set(file, b + 1);
    return b;
  }

  forget(file: string): void {
    this.next.delete(file);
  }
}

/** Redo: the block is written again from the record, whole. */
export function appendOptimizedRedo(ctx: StorageContext, alloc: AoBlockAllocator, rec: WalRecord): void {
  const p = rec.payload;
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const file = relationFile(v.getUint32(0, true));
  const blockNo = v.getUint32(4, true);
  const block = new Uint8Array(BLCKSZ);
  block.set(p.subarray(8));
  ctx.disk.write(file, blockNo, block);
  if (alloc.nblocks(file) <= blockNo) alloc.allocate(file);
  while (alloc.nblocks(file) <= blockNo) alloc.allocate(file);
}
