/**
 * Redo: applies one WAL record to the instance's state. Used by crash recovery and, on a
 * mirror or standby, by the startup process replaying what the walreceiver wrote.
 */
import { appendOptimizedRedo, type AoBlockAllocator } from '../access/append-optimized.ts';
import type { StorageContext } from '../access/context.ts';
import { heapRedo } from '../access/heap.ts';
import { btreeRedo } from '../access/btree.ts';
import { parseJsonPayload } from '../wal/json-payload.ts';
import { Rmgr, type WalRecord } from '../wal/record.ts';
import type { Lsn } from '../storage/lsn.ts';

export const XlogInfo = {
  checkpointShutdown: 0x00,
  checkpointOnline: 0x10,
  noop: 0x20,
  endOfRecovery: 0x90,
} as const;

export const SmgrInfo = { create: 0x10, truncate: 0x20 } as const;

/** Payload of a checkpoint record. */
export interface CheckpointRecord {
  redo: Lsn;
  timeline: number;
  nextXid: number;
  /** Oldest transaction running when the checkpoint began. */
  oldestXid: number;
  prepared: { gid: string; xid: number; drops: string[]; creates: string[]; time?: number }[];
  /** The distributed log as of the checkpoint (xid, gid); absent in older checkpoints. */
  distributed?: [number, string][];
  time: number;
  /** Anything further a layer above keeps in checkpoints (the catalog's next OID, the DTM). */
  extra?: Record<string, unknown>;
}

export interface EndOfRecoveryRecord {
  timeline: number;
  prevTimeline: number;
  time: number;
}

export interface RedoTarget {
  ctx: StorageContext;
  ao: AoBlockAllocator;
  unlinkFile(file: string): void;
  /** Records of resource managers above storage (the coordinator's DTM) go here. */
  redoExtension?(rec: WalRecord): void;
  /** A checkpoint or end-of-recovery record was replayed. */
  onXlog?(info: number, payload: unknown, rec: WalRecord): void;
}

export async function applyRecord(t: RedoTarget, rec: WalRecord): Promise<void> {
  t.ctx.xact.noteRedoXid(rec.xid);
  switch (rec.rmid) {
    case Rmgr.heap:
      await heapRedo(t.ctx, rec);
      return;
    case Rmgr.btree:
      await btreeRedo(t.ctx, rec);
      return;
    case Rmgr.appendonly:
      appendOptimizedRedo(t.ctx, t.ao, rec);
      return;
    case Rmgr.xact:
      t.ctx.xact.redo(rec.info, rec.xid, rec.payload);
      return;
    case Rmgr.smgr: {
      const p = parseJsonPayload<{ file: string; nblocks?: number }>(rec.payload);
      if (rec.info === SmgrInfo.truncate) {
        t.ctx.pool.dropFile(p.file);
        t.ctx.disk.truncate(p.file, p.nblocks ?? 0);
        t.ao.forget(p.file);
      }
      return;
    }
    case Rmgr.xlog:
      t.onXlog?.(rec.info, rec.info === XlogInfo.noop ? undefined : parseJsonPayload(rec.payload), rec);
      return;
    default:
      t.redoExtension?.(rec);
  }
}
