import { BLCKSZ, DiskError, emptyStats, type Disk, type DiskFaultChange, type DiskStats } from './disk.ts';

/** How much of the unsynced writes a crash lets through. */
export type CrashMode =
  /** Every unsynced write is lost (the default: a power cut with no write-back). */
  | 'lose-unsynced'
  /** A prefix of the unsynced writes survives, the last of it torn in half: a torn write. */
  | 'torn';

/** A write since the last sync; undefined data = the file was unlinked/truncated. */
interface PendingWrite {
  seq: number;
  file: string;
  block: number;
  data: Uint8Array | undefined;
  truncateTo?: number;
}

/** Fault knobs, for tests and the simulator. */
export interface MemoryDiskFaults {
  /** The next sync fails with an I/O error, once. */
  failNextSync: boolean;
  /** Every sync fails with "No space left on device" until cleared. */
  full: boolean;
}

/**
 * A disk held in memory, with a volatile cache in front of a durable map, so a crash behaves as
 * on a real machine. `delay` (from the runtime) lets a sync take time: the slow-disk fault.
 */
export class MemoryDisk implements Disk {
  private durable = new Map<string, Map<number, Uint8Array>>();
  private cache = new Map<string, Map<number, Uint8Array>>();
  /** Writes since the last sync, in order. */
  private pending: PendingWrite[] = [];
  /** Batches taken by syncs that have not landed yet, oldest first. */
  private inFlight: PendingWrite[][] = [];
  /** Counts crashes: a sync that was in flight across one does not land. */
  private epoch = 0;
  /** The last sync issued, and how it ended (it never rejects: the caller's promise does). */
  private lastSync: Promise<'landed' | 'failed' | 'lost'> = Promise.resolve('landed');
  /** Whether the last failed sync failed for want of space. */
  private lastFailureFull = false;
  /** Orders every write: failed batches go back among the pending ones by it. */
  private seq = 0;
  /** Counts failed batches put back among the pending writes. */
  private requeues = 0;
  readonly faults: MemoryDiskFaults = { failNextSync: false, full: false };
  /** Milliseconds a sync takes; applied through `delay`. */
  latencyMs = 0;
  readonly stats: DiskStats = emptyStats();

  private readonly delay: ((ms: number) => Promise<void>) | undefined;

  constructor(delay?: (ms: number) => Promise<void>) {
    this.delay = delay;
  }

  setFaults(change: DiskFaultChange): void {
    if (change.full !== undefined) this.faults.full = change.full;
    if (change.latencyMs !== undefined) this.latencyMs = change.latencyMs;
  }

  read(file: string, block: number): Uint8Array | undefined {
    const b = this.cache.get(file)?.get(block);
    return b ? b.slice() : undefined;
  }

  view(file: string, block: number): Uint8Array | undefined {
    return this.cache.get(file)?.get(block);
  }

  write(file: string, block: number, data: Uint8Array): void {
    if (data.length !== BLCKSZ) throw new Error(`write of ${data.length} bytes; blocks are ${BLCKSZ}`);
    const copy = data.slice();
    fileMap(this.cache, file).set(block, copy);
    this.pending.push({ seq: this.seq++, file, block, data: copy });
  }

  nblocks(file: string): number {
    const f = this.cache.get(file);
    if (!f || f.size === 0) return 0;
    let max = -1;
    for (const b of f.keys()) if (b > max) max = b;
    return max + 1;
  }

  truncate(file: string, nblocks: number): void {
    const f = this.cache.get(file);
    if (!f) return;
    for (const b of [...f.keys()]) if (b >= nblocks) f.delete(b);
    this.pending.push({ seq: this.seq++, file, block: -1, data: undefined, truncateTo: nblocks });
  }

  unlink(file: string): void {
    this.cache.delete(file);
    this.pending.push({ seq: this.seq++, file, block: -1, data: undefined, truncateTo: 0 });
  }

  files(prefix = ''): string[] {
    return [...this.cache.keys()].filter((f) => f.startsWith(prefix) && this.cache.get(f)!.size > 0).sort();
  }

  async checkIO(): Promise<void> {
    if (this.latencyMs > 0 && this.delay) await this.delay(this.latencyMs);
    if (this.faults.full)
      throw new DiskError('disk_full', 'could not write to file: No space left on device');
    // A failing disk fails this fsync too; the failure stays for the data's own sync.
    if (this.faults.failNextSync) throw new DiskError('io_error', 'could not fsync file: Input/output error');
  }

  async sync(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    // The batch is in flight until it lands: a crash meanwhile treats it as unsynced.
    this.inFlight.push(batch);
    const epoch = this.epoch;
    const requeuesBefore = this.requeues;
    const earlier = this.lastSync;
    let failure: Error | undefined;
    const landing = (async (): Promise<'landed' | 'failed' | 'lost'> => {
      if (this.latencyMs > 0 && this.delay) await this.delay(this.latencyMs);
      // Syncs land in the order they were issued: an older batch never lands over a newer one.
      await earlier;
      // The machine lost power meanwhile: the batch was settled by the crash (lost, or torn),
      // and the restarted instance's writes must not be overwritten by it.
      if (this.epoch !== epoch) {
        failure = new DiskError('io_error', 'could not fsync file: the machine lost power during the sync');
        return 'lost';
      }
      this.inFlight.splice(this.inFlight.indexOf(batch), 1);
      // A failing disk fails this sync; so does an earlier sync that failed after this one took
      // its batch: older writes are not durable, so nothing newer may be reported durable.
      const olderFailed = this.requeues !== requeuesBefore;
      if (this.faults.full || this.faults.failNextSync || olderFailed) {
        const full = this.faults.full || (olderFailed && this.lastFailureFull);
        if (!this.faults.full) this.faults.failNextSync = false;
        this.lastFailureFull = full;
        // Nothing of the batch is durable: it goes back among the pending writes, in the order
        // they were written (an older failed batch stays ahead of a newer one).
        this.pending = [...batch, ...this.pending].sort((a, b) => a.seq - b.seq);
        this.requeues++;
        failure = full
          ? new DiskError('disk_full', 'could not write to file: No space left on device')
          : new DiskError('io_error', 'could not fsync file: Input/output error');
        return 'failed';
      }
      for (const w of batch) this.applyDurable(w);
      this.stats.syncs++;
      const blocks = batch.filter((w) => w.data).length;
      this.stats.blocksSynced += blocks;
      this.stats.bytesSynced += blocks * BLCKSZ;
      return 'landed';
    })();
    this.lastSync = landing;
    if ((await landing) !== 'landed') throw failure!;
  }

  /**
   * The machine loses power: the cache is gone and the disk shows its durable state. With
   * 'torn', the first `keep` unsynced writes reach the platter (default: a random-looking half),
   * the last of them only its first half: what a torn write leaves.
   */
  crash(mode: CrashMode = 'lose-unsynced', keep?: number): void {
    // Writes of syncs still in flight are as unsynced as the pending ones, and older.
    const unsynced = [...this.inFlight.flat(), ...this.pending];
    this.inFlight = [];
    this.epoch++;
    if (mode === 'torn' && unsynced.length > 0) {
      const n = Math.min(unsynced.length, keep ?? Math.ceil(unsynced.length / 2));
      for (let i = 0; i < n; i++) {
        const w = unsynced[i]!;
        if (i === n - 1 && w.data) {
          const torn = (this.durable.get(w.file)?.get(w.block) ?? new Uint8Array(BLCKSZ)).slice();
          torn.set(w.data.subarray(0, BLCKSZ / 2));
          this.applyDurable({ ...w, data: torn });
        } else this.applyDurable(w);
      }
    }
    this.pending = [];
    this.cache = cloneFiles(this.durable);
  }

  /** Total bytes held durably (for the lab's disk view and quota checks). */
  durableBytes(): number {
    let n = 0;
    for (const f of this.durable.values()) n += f.size * BLCKSZ;
    return n;
  }

  /** Number of writes not yet synced. */
  get pendingWrites(): number {
    return this.pending.length;
  }

  private applyDurable(w: PendingWrite) {
    if (w.data) fileMap(this.durable, w.file).set(w.block, w.data);
    else if (w.truncateTo === 0) this.durable.delete(w.file);
    else {
      const f = this.durable.get(w.file);
      if (f) for (const b of [...f.keys()]) if (b >= (w.truncateTo ?? 0)) f.delete(b);
    }
  }
}

function fileMap(m: Map<string, Map<number, Uint8Array>>, file: string): Map<number, Uint8Array> {
  let f = m.get(file);
  if (!f) m.set(file, (f = new Map()));
  return f;
}

function cloneFiles(m: Map<string, Map<number, Uint8Array>>): Map<string, Map<number, Uint8Array>> {
  const out = new Map<string, Map<number, Uint8Array>>();
  for (const [k, v] of m) out.set(k, new Map(v));
  return out;
}
