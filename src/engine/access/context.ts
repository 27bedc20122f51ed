import type { Disk } from '../storage/disk.ts';
import type { BufferPool } from '../storage/buffer-pool.ts';
import type { WalWriter } from '../wal/writer.ts';
import type { TransactionManager } from '../txn/xact.ts';
import type { HeapRelation } from './heap.ts';

/** What access methods need from their instance. */
export interface StorageContext {
  disk: Disk;
  pool: BufferPool;
  wal: WalWriter;
  xact: TransactionManager;
  /** The heap relation of a relfilenode (cached by the instance). */
  heapOf(relfilenode: number): HeapRelation;
  /** Data checksums are on for this instance (its pg_control says so). */
  readonly dataChecksums: boolean;
  /** A block read from disk failed verification (counted for the lab and pg_stat_database). */
  noteInvalidPage(file: string, block: number): void;
}

/** The data file of a relation, named as Postgres names it under the default tablespace. */
export function relationFile(relfilenode: number): string {
  return `base/${relfilenode}`;
}
