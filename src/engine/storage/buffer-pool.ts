/**
 * The buffer pool: `shared_buffers` page frames shared by every relation of an instance, with
 * clock-sweep replacement (each frame has a usage count, bumped on access, decremented as the
 * clock hand passes; an unpinned frame at zero is the victim).
 *
 * Invariants:
 * 1. Page bytes are touched only while the frame is pinned.
 * 2. A page is changed together with its WAL record in one synchronous step, and its page LSN
 *    set to the record's end (see heap.ts).
 * 3. A dirty page goes to disk only after WAL is flushed past its page LSN (WAL before data).
 */
import { clearChecksum, setChecksum, verifyBlock } from './checksum.ts';
import { BLCKSZ, type Disk } from './disk.ts';
import { pageHeaderProblem, pageLsn } from './page.ts';
import type { Lsn } from './lsn.ts';

export interface Frame {
  readonly id: number;
  file: string;
  block: number;
  page: Uint8Array;
  dirty: boolean;
  pins: number;
  usage: number;
  valid: boolean;
}

/** What the pool needs of the WAL: how far it is durable, and a way to flush further. */
export interface WalFlusher {
  readonly flushedLsn: Lsn;
  flush(upTo: Lsn): Promise<void>;
}

const MAX_USAGE = 5;

export class BufferPool {
  private readonly frames: Frame[] = [];
  private readonly lookup = new Map<string, Frame>();
  private hand = 0;
  /** Relation sizes, counting blocks extended in the pool and not yet written. */
  private readonly sizes = new Map<string, number>();
  readonly stats = { hits: 0, reads: 0, writes: 0, evictions: 0 };

  private readonly disk: Disk;
  private readonly wal: WalFlusher;
  readonly nbuffers: number;
  /** Data checksums are on (pg_control says so). */
  private readonly checksums: boolean;
  /** Told of every page that fails verification (pg_stat_database.checksum_failures). */
  private readonly onInvalidPage: ((file: string, block: number) => void) | undefined;
  /** The copy a page is checksummed in on its way to disk. */
  private readonly scratch = new Uint8Array(BLCKSZ);

  constructor(
    disk: Disk,
    wal: WalFlusher,
    nbuffers: number,
    checksums = false,
    onInvalidPage?: (file: string, block: number) => void,
  ) {
    this.disk = disk;
    this.wal = wal;
    this.nbuffers = nbuffers;
    this.checksums = checksums;
    this.onInvalidPage = onInvalidPage;
    // Frames are allocated as they are first needed: an idle instance costs no memory.
  }

  /** Frames in use and, of them, dirty (changed in memory, not yet written to disk). */
  usage(): { used: number; dirty: number } {
    let used = 0;
    let dirty = 0;
    for (const f of this.frames) {
      if (!f.valid) continue;
      used++;
      if (f.dirty) dirty++;
    }
    return { used, dirty };
  }

  /** Number of blocks in a relation file, including ones extended in the pool. */
  nblocks(file: string): number {
    let n = this.sizes.get(file);
    if (n === undefined) {
      n = this.disk.nblocks(file);
      this.sizes.set(file, n);
    }
    return n;
  }

  /** Pins a block, reading it from disk when absent. A block never written reads as zeroes. */
  async pin(file: string, block: number): Promise<Frame> {
    const f = this.lookup.get(key(file, block));
    if (f) {
      f.pins++;
      if (f.usage < MAX_USAGE) f.usage++;
      this.stats.hits++;
      return f;
    }
    return this.load(file, block, true);
  }

  /**
   * The block as the instance sees it now, without pinning or reading: the pool's copy when it
   * holds one, else the disk's (undefined when neither has it). For inspection only.
   */
  peek(file: string, block: number): Uint8Array | undefined {
    const f = this.lookup.get(key(file, block));
    return f?.valid ? f.page : this.disk.view(file, block);
  }

  /**
   * A relation's size as the instance sees it, without recording it (nblocks caches sizes, and
   * files written straight to disk, WAL and append-optimized, would then look frozen). For
   * inspection.
   */
  peekNblocks(file: string): number {
    return Math.max(this.sizes.get(file) ?? 0, this.disk.nblocks(file));
  }

  /** Files the pool holds pages of (a new relation's may not be on disk yet). For inspection. */
  files(): Set<string> {
    const out = new Set<string>();
    for (const f of this.frames) if (f.valid) out.add(f.file);
    return out;
  }

  /** The highest page LSN among the pool's dirty pages (0 when none is dirty). */
  maxDirtyLsn(): number {
    let max = 0;
    for (const f of this.frames) if (f.valid && f.dirty) max = Math.max(max, Number(pageLsn(f.page)));
    return max;
  }

  /** Pins a block if it is in the pool; undefined otherwise (a synchronous fast path). */
  tryPin(file: string, block: number): Frame | undefined {
    const f = this.lookup.get(key(file, block));
    if (!f) return undefined;
    f.pins++;
    if (f.usage < MAX_USAGE) f.usage++;
    this.stats.hits++;
    return f;
  }

  /** Adds a new, zeroed block at the end of the relation and pins it. */
  async extend(file: string): Promise<Frame> {
    const block = this.nblocks(file);
    const frame = await this.load(file, block, false);
    // Another caller may have extended meanwhile: the size is taken after the frame is ours.
    if (frame.block !== this.nblocks(file)) {
      this.unpin(frame);
      return this.extend(file);
    }
    this.sizes.set(file, block + 1);
    return frame;
  }

  unpin(f: Frame): void {
    if (f.pins <= 0) throw new Error(`unpin of unpinned buffer ${f.id}`);
    f.pins--;
  }

  markDirty(f: Frame): void {
    f.dirty = true;
  }

  /** Frames that are dirty now (a checkpoint writes these). */
  dirtyFrames(): Frame[] {
    return this.frames.filter((f) => f.valid && f.dirty);
  }

  /** Writes one dirty frame out, flushing WAL first as far as its page LSN. */
  async writeFrame(f: Frame): Promise<void> {
    if (!f.valid || !f.dirty) return;
    const lsn = pageLsn(f.page);
    if (lsn > this.wal.flushedLsn) await this.wal.flush(lsn);
    if (!f.valid || !f.dirty) return;
    // The page may have changed while WAL was flushing; its newer LSN must be flushed too.
    if (pageLsn(f.page) > this.wal.flushedLsn) return this.writeFrame(f);
    if (this.checksums) {
      this.scratch.set(f.page);
      setChecksum(this.scratch, f.block);
      this.disk.write(f.file, f.block, this.scratch);
    } else this.disk.write(f.file, f.block, f.page);
    f.dirty = false;
    this.stats.writes++;
  }

  /**
   * Writes every dirty page (checkpoint, clean shutdown). `pause` lets the caller yield the
   * thread between writes (a checkpoint of a large pool is long work); a page dirtied meanwhile
   * is either written too or left for the next checkpoint, its change being in WAL past the redo
   * point either way.
   */
  async flushAll(pause?: (progress: number) => Promise<void> | undefined): Promise<void> {
    const dirty = this.dirtyFrames();
    let written = 0;
    for (const f of dirty) {
      await this.writeFrame(f);
      const p = pause?.(++written / dirty.length);
      if (p) await p;
    }
  }

  /** Forgets a relation's pages without writing them (DROP, TRUNCATE). */
  dropFile(file: string): void {
    for (const f of this.frames) {
      if (f.valid && f.file === file) {
        if (f.pins > 0) throw new Error(`drop of ${file} while block ${f.block} is pinned`);
        this.lookup.delete(key(f.file, f.block));
        f.valid = false;
        f.dirty = false;
      }
    }
    this.sizes.delete(file);
  }

  /** Everything in memory is lost (the process died). */
  reset(): void {
    for (const f of this.frames) {
      f.valid = false;
      f.dirty = false;
      f.pins = 0;
      f.usage = 0;
    }
    this.lookup.clear();
    this.sizes.clear();
  }

  /** Counts for the lab's buffer pool view. */
  summary(): { nbuffers: number; used: number; dirty: number; pinned: number } {
    let used = 0,
      dirty = 0,
      pinned = 0;
    for (const f of this.frames) {
      if (!f.valid) continue;
      used++;
      if (f.dirty) dirty++;
      if (f.pins > 0) pinned++;
    }
    return { nbuffers: this.nbuffers, used, dirty, pinned };
  }

  private async load(file: string, block: number, read: boolean): Promise<Frame> {
    // Verified before a frame is taken: a damaged page is an error, never a page in the pool.
    const data = read ? this.readVerified(file, block) : undefined;
    const victim = await this.claimVictim();
    const k = key(file, block);
    // While we waited for a victim, someone else may have loaded the same block.
    const existing = this.lookup.get(k);
    if (existing) {
      victim.pins = 0;
      existing.pins++;
      return existing;
    }
    victim.file = file;
    victim.block = block;
    victim.dirty = false;
    victim.valid = true;
    victim.usage = 1;
    if (data) {
      victim.page.set(data);
      clearChecksum(victim.page);
    } else victim.page.fill(0);
    if (read) this.stats.reads++;
    this.lookup.set(k, victim);
    return victim;
  }

  private readVerified(file: string, block: number): Uint8Array | undefined {
    const data = this.disk.read(file, block);
    if (!data) return undefined;
    try {
      verifyBlock(data, file, block, this.checksums, pageHeaderProblem);
    } catch (e) {
      this.onInvalidPage?.(file, block);
      throw e;
    }
    return data;
  }

  /**
   * Clock sweep. A dirty victim is written first (which may wait for a WAL flush). The frame
   * comes back pinned and unmapped, so no concurrent caller can take it meanwhile.
   */
  private async claimVictim(): Promise<Frame> {
    if (this.frames.length < this.nbuffers) {
      const f: Frame = {
        id: this.frames.length,
        file: '',
        block: -1,
        page: new Uint8Array(BLCKSZ),
        dirty: false,
        pins: 1,
        usage: 0,
        valid: false,
      };
      this.frames.push(f);
      return f;
    }
    for (let round = 0; ; round++) {
      for (let i = 0; i < this.frames.length * (MAX_USAGE + 1); i++) {
        const f = this.frames[this.hand]!;
        this.hand = (this.hand + 1) % this.frames.length;
        if (f.pins > 0) continue;
        if (f.valid && f.usage > 0) {
          f.usage--;
          continue;
        }
        if (f.valid && f.dirty) {
          f.pins++;
          try {
            await this.writeFrame(f);
          } finally {
            f.pins--;
          }
          if (f.pins > 0 || f.dirty) continue;
        }
        if (f.valid) {
          this.lookup.delete(key(f.file, f.block));
          f.valid = false;
          this.stats.evictions++;
        }
        f.pins = 1;
        return f;
      }
      if (round > 2) throw new Error('no unpinned buffers available');
    }
  }
}

function key(file: string, block: number): string {
  return `${file}#${block}`;
}
