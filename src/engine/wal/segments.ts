/**
 * Where WAL bytes live on disk: 16 MB segment files named as Postgres names them,
 * `pg_wal/TTTTTTTTXXXXXXXXYYYYYYYY` (timeline, then the segment number in two 32-bit halves),
 * each a run of BLCKSZ blocks.
 *
 * After a promotion the new timeline starts mid-segment: the segment holding the switch point is
 * copied under the new timeline's name, so every segment from there on is read under the new
 * timeline and every earlier one under the timeline it was written on.
 */
import { BLCKSZ, type Disk } from '../storage/disk.ts';
import type { Lsn } from '../storage/lsn.ts';

export const WAL_DIR = 'pg_wal/';
export const DEFAULT_WAL_SEGMENT_SIZE = 16 * 1024 * 1024;

/** One timeline of the instance's history: it begins at `begin` (0 for the first). */
export interface TimelineEntry {
  tli: number;
  begin: Lsn;
}

const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');

export function segmentFileName(tli: number, segno: number, segSize: number): string {
  const segsPerXLogId = 0x1_0000_0000 / segSize;
  return `${WAL_DIR}${hex8(tli)}${hex8(Math.floor(segno / segsPerXLogId))}${hex8(segno % segsPerXLogId)}`;
}

/** Parses a segment file name back to its timeline and segment number. */
export function parseSegmentFileName(
  file: string,
  segSize: number,
): { tli: number; segno: number } | undefined {
  const m = /^pg_wal\/([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})$/.exec(file);
  if (!m) return undefined;
  const segsPerXLogId = 0x1_0000_0000 / segSize;
  return { tli: parseInt(m[1]!, 16), segno: parseInt(m[2]!, 16) * segsPerXLogId + parseInt(m[3]!, 16) };
}

/** Reads and writes WAL bytes at LSNs, through the disk's blocks. */
export class WalFiles {
  private readonly disk: Disk;
  readonly segSize: number;
  /** The instance's timeline history, oldest first. Replaced, never changed in place. */
  history: TimelineEntry[];
  /** The segment file `fileFor` named last, and what it was named from. */
  private namedSegno = -1;
  private namedHistory: TimelineEntry[] | undefined;
  private namedFile = '';

  constructor(disk: Disk, segSize: number, history: TimelineEntry[]) {
    this.history = history;
    this.disk = disk;
    this.segSize = segSize;
  }

  tliForSegment(segno: number): number {
    let tli = this.history[0]?.tli ?? 1;
    for (const t of this.history) if (Math.floor(t.begin / this.segSize) <= segno) tli = t.tli;
    return tli;
  }

  fileFor(lsn: Lsn): string {
    const segno = Math.floor(lsn / this.segSize);
    // Every WAL read and write names its segment; nearly all of them name the last one again.
    if (segno !== this.namedSegno || this.history !== this.namedHistory) {
      this.namedFile = segmentFileName(this.tliForSegment(segno), segno, this.segSize);
      this.namedSegno = segno;
      this.namedHistory = this.history;
    }
    return this.namedFile;
  }

  /**
   * `n` bytes from `lsn` to look at now and not keep: a view of the block when they lie in one
   * (a record's header, nearly always), else a copy; undefined where `read` would be.
   */
  peek(lsn: Lsn, n: number): Uint8Array | undefined {
    const off = (lsn % this.segSize) % BLCKSZ;
    if (off + n > BLCKSZ) return this.read(lsn, n);
    const data = this.disk.view(this.fileFor(lsn), Math.floor((lsn % this.segSize) / BLCKSZ));
    return data?.subarray(off, off + n);
  }

  /** Copies `n` bytes from `lsn`; undefined if any block is missing (never written / removed). */
  read(lsn: Lsn, n: number): Uint8Array | undefined {
    const out = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const pos = lsn + done;
      const inSeg = pos % this.segSize;
      const block = Math.floor(inSeg / BLCKSZ);
      const off = inSeg % BLCKSZ;
      const data = this.disk.view(this.fileFor(pos), block);
      if (!data) return undefined;
      const take = Math.min(BLCKSZ - off, n - done);
      out.set(data.subarray(off, off + take), done);
      done += take;
    }
    return out;
  }

  /** Writes whole blocks: `bytes` starts at the block-aligned LSN `start`. */
  writeBlocks(start: Lsn, bytes: Uint8Array): void {
    for (let off = 0; off < bytes.length; off += BLCKSZ) {
      const pos = start + off;
      const block = Math.floor((pos % this.segSize) / BLCKSZ);
      let chunk = bytes.subarray(off, off + BLCKSZ);
      if (chunk.length < BLCKSZ) {
        const padded = new Uint8Array(BLCKSZ);
        padded.set(chunk);
        chunk = padded;
      }
      this.disk.write(this.fileFor(pos), block, chunk);
    }
  }

  /** Segment files on disk, as (tli, segno), oldest first. */
  list(): { file: string; tli: number; segno: number }[] {
    const out: { file: string; tli: number; segno: number }[] = [];
    for (const file of this.disk.files(WAL_DIR)) {
      const p = parseSegmentFileName(file, this.segSize);
      if (p) out.push({ file, ...p });
    }
    return out.sort((a, b) => a.segno - b.segno || a.tli - b.tli);
  }

  /** Removes every segment that ends at or before `lsn` (they hold nothing still needed). */
  removeBefore(lsn: Lsn): string[] {
    const keepFrom = Math.floor(lsn / this.segSize);
    const removed: string[] = [];
    for (const s of this.list()) {
      if (s.segno < keepFrom) {
        this.disk.unlink(s.file);
        removed.push(s.file);
      }
    }
    return removed;
  }

  /** Removes every segment past the one holding `lsn` (bytes after the end of valid WAL). */
  removeAfter(lsn: Lsn): void {
    const last = Math.floor(lsn / this.segSize);
    for (const s of this.list()) if (s.segno > last) this.disk.unlink(s.file);
  }

  /**
   * Starts timeline `tli` at `begin`: copies the blocks of the current segment up to `begin`
   * under the new timeline's name (as Postgres does at promotion).
   */
  switchTimeline(tli: number, begin: Lsn): void {
    const oldFile = this.fileFor(begin);
    this.history = [...this.history, { tli, begin }];
    const newFile = this.fileFor(begin);
    const lastBlock = Math.floor((begin % this.segSize) / BLCKSZ);
    for (let b = 0; b <= lastBlock; b++) {
      const data = this.disk.read(oldFile, b);
      if (data) this.disk.write(newFile, b, data);
    }
  }
}
