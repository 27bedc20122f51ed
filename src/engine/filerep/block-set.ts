/**
 * Sets of blocks that file replication keeps on disk: the change tracking log (blocks changed
 * while the mirror was away), the primary's in-flight list (blocks sent and not yet
 * acknowledged) and the mirror's window (blocks applied in its last two sync rounds). Each is a
 * small file under pg_changetracking/, which is never replicated itself.
 */
import { BLCKSZ, type Disk } from '../storage/disk.ts';

export const CHANGE_TRACKING_FILE = 'pg_changetracking/CT_LOG';
/** On a primary: blocks sent to the mirror whose sync it has not acknowledged yet. */
export const INFLIGHT_FILE = 'pg_changetracking/FILEREP_INFLIGHT';
/** On a mirror: blocks applied since the sync acknowledgement before the last. */
export const MIRROR_WINDOW_FILE = 'pg_changetracking/FILEREP_WINDOW';
const META_DIR = 'pg_changetracking/';

/** File replication's own bookkeeping: local to each instance, never sent to the peer. */
export function isFileRepMeta(file: string): boolean {
  return file.startsWith(META_DIR);
}

export interface TrackedFile {
  file: string;
  blocks: number[];
  /** The file changed in a way its blocks cannot say (truncated, unlinked): send all of it. */
  whole: boolean;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export class BlockSet {
  private readonly changed = new Map<string, { blocks: Set<number>; whole: boolean }>();
  /** Changed since the last save. */
  dirty = false;

  record(file: string, block?: number): void {
    let e = this.changed.get(file);
    if (!e) this.changed.set(file, (e = { blocks: new Set(), whole: false }));
    if (block === undefined) {
      if (!e.whole) this.dirty = true;
      e.whole = true;
    } else if (!e.blocks.has(block)) {
      e.blocks.add(block);
      this.dirty = true;
    }
  }

  merge(other: BlockSet | readonly TrackedFile[]): this {
    for (const e of other instanceof BlockSet ? other.files() : other) {
      if (e.whole) this.record(e.file);
      for (const b of e.blocks) this.record(e.file, b);
    }
    return this;
  }

  /** Blocks named (a whole-file entry counts the blocks it lists, if any). */
  get size(): number {
    let n = 0;
    for (const e of this.changed.values()) n += e.blocks.size;
    return n;
  }

  get empty(): boolean {
    return this.changed.size === 0;
  }

  files(): TrackedFile[] {
    return [...this.changed].map(([file, e]) => ({
      file,
      blocks: [...e.blocks].sort((a, b) => a - b),
      whole: e.whole,
    }));
  }

  clear(): void {
    if (this.changed.size) this.dirty = true;
    this.changed.clear();
  }

  /** Writes the set as the blocks of `file` (durable with the disk's next sync); empty: no file. */
  save(disk: Disk, file: string): void {
    this.dirty = false;
    if (this.empty) {
      if (disk.nblocks(file)) disk.unlink(file);
      return;
    }
    const bytes = enc.encode(JSON.stringify(this.files()));
    const n = Math.ceil(bytes.length / (BLCKSZ - 4));
    disk.truncate(file, n);
    for (let b = 0; b < n; b++) {
      const page = new Uint8Array(BLCKSZ);
      const part = bytes.subarray(b * (BLCKSZ - 4), (b + 1) * (BLCKSZ - 4));
      new DataView(page.buffer).setUint32(0, part.length);
      page.set(part, 4);
      disk.write(file, b, page);
    }
  }

  static load(disk: Disk, file: string): BlockSet {
    const set = new BlockSet();
    const n = disk.nblocks(file);
    if (n === 0) return set;
    const parts: Uint8Array[] = [];
    for (let b = 0; b < n; b++) {
      const page = disk.read(file, b);
      if (!page) continue;
      const len = new DataView(page.buffer, page.byteOffset).getUint32(0);
      parts.push(page.subarray(4, 4 + len));
    }
    const all = new Uint8Array(parts.reduce((k, p) => k + p.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    set.merge(JSON.parse(dec.decode(all)) as TrackedFile[]);
    set.dirty = false;
    return set;
  }
}
