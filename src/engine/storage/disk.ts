/**
 * The disk an instance owns: named files of fixed-size blocks.
 *
 * The model is a machine's disk behind an OS page cache:
 * - `write` lands in the volatile cache at once; `read` sees it.
 * - `sync` makes every write so far durable, as one atomic batch (one IndexedDB transaction).
 * - A crash loses whatever was written but not synced; a restart sees the last synced state.
 *
 * Reads and writes are synchronous so the engine's hot paths stay plain code; only the
 * durability point is asynchronous. Rules the engine keeps on top (see wal/ and buffer):
 * 1. A data page is written only after the WAL up to its page LSN is synced (WAL before data).
 * 2. A commit is acknowledged only after the sync that covers its commit record resolves.
 */
export const BLCKSZ = 8192;

/** Byte-for-byte equality of two blocks (or any byte arrays). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export interface Disk {
  /** A copy of one block, or undefined when the block was never written (or is past the end). */
  read(file: string, block: number): Uint8Array | undefined;
  /**
   * The block's bytes without a copy, for readers that take a few bytes out at once (the WAL
   * reader). The caller must not modify them. A write never changes them in place (it puts a
   * new copy in the block's place), so a held view keeps the block as it was: views taken in
   * one synchronous turn are a consistent snapshot of the disk.
   */
  view(file: string, block: number): Uint8Array | undefined;
  /** Writes one block into the volatile cache. `data` must be BLCKSZ bytes; it is copied. */
  write(file: string, block: number, data: Uint8Array): void;
  /** Number of blocks in the file (highest written block + 1), 0 when it does not exist. */
  nblocks(file: string): number;
  /** Drops every block at or past `nblocks`. */
  truncate(file: string, nblocks: number): void;
  /** Removes the file. */
  unlink(file: string): void;
  /** Names of the existing files, sorted; only those starting with `prefix` when given. */
  files(prefix?: string): string[];
  /**
   * Makes every write and unlink so far durable, atomically. Rejects with a DiskError when the
   * disk is full or failing; then nothing of the batch is durable and the pending writes stay
   * pending (a later sync may still succeed once space is freed).
   */
  sync(): Promise<void>;
  /**
   * FTS's disk I/O check: writes and syncs a small probe record out of band, as an fsync of a
   * file of its own would, so it neither waits for nor carries the pending writes of other
   * files (a bulk load's gigabyte). Rejects as `sync` does when the disk is full or failing;
   * takes as long as a sync when the disk is slow.
   */
  checkIO(): Promise<void>;
  /** Bytes written to durable storage so far (for benchmarks and the lab's disk view). */
  readonly stats: DiskStats;
  /**
   * The lab's disk faults, in force from the next sync on: `full` fails syncs and I/O checks
   * with disk_full; `latencyMs` delays each of them (0 = none). Every disk honours both.
   */
  setFaults(change: DiskFaultChange): void;
}

export interface DiskFaultChange {
  full?: boolean;
  latencyMs?: number;
}

export interface DiskStats {
  syncs: number;
  blocksSynced: number;
  bytesSynced: number;
}

/** A disk failure the instance cannot recover from by itself: full, or an I/O error. */
export class DiskError extends Error {
  override name = 'DiskError';
  readonly code: string;
  constructor(code: 'disk_full' | 'io_error', message: string) {
    super(message);
    this.code = code === 'disk_full' ? '53100' : '58030';
  }
}

export function emptyStats(): DiskStats {
  return { syncs: 0, blocksSynced: 0, bytesSynced: 0 };
}

/** Key under which a block is stored: stable, sortable, readable in devtools. */
export function blockKey(file: string, block: number): string {
  return `${file}#${block}`;
}

/** Removes every file, durably: a data directory deleted to make room for a new instance. */
export async function wipeDisk(disk: Disk): Promise<void> {
  for (const f of disk.files()) disk.unlink(f);
  await disk.sync();
}
