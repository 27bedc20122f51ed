/**
 * Greenplum 5 segment mirroring: physical file replication. The primary's disk I/O is
 * replicated to the mirror block by block, so the mirror's files become the primary's files.
 * Writes are sent asynchronously, in order; a sync is sync-replicated (the primary waits for
 * the mirror's acknowledgement), which makes the WAL of every commit durable on both. Heap
 * blocks reach the disk (and so the mirror) only when the buffer pool evicts or a checkpoint
 * writes them: while cached, the mirror's image of a block differs from the primary's buffer,
 * and the replicated WAL is what keeps the pair consistent.
 *
 * When the mirror cannot be reached the primary goes to Change Tracking: it records which
 * blocks change (a log kept on its own disk) instead of sending them. Resynchronization sends
 * the tracked blocks (incremental) or every file (full), then the pair is Synchronized again.
 */
import { BLCKSZ, type Disk, type DiskStats } from '../storage/disk.ts';

/** gp_segment_configuration.mode in Greenplum 5: Synchronized, Change Tracking, Resynchronizing. */
export type FileRepMode = 's' | 'c' | 'r';

/** One replicated file operation. */
export type FileOp =
  | { op: 'write'; file: string; block: number; data: Uint8Array }
  | { op: 'truncate'; file: string; nblocks: number }
  | { op: 'unlink'; file: string };

/** What the primary's file replication sender needs of its mirror (a link in a cluster). */
export interface FileRepPeer {
  /** Applies a batch of operations, in order, to the mirror's files (not yet durable). */
  apply(ops: FileOp[]): Promise<void>;
  /** Makes everything applied so far durable on the mirror; resolves with the acknowledgement. */
  sync(): Promise<void>;
}

/** The mirror side: applies what the primary sends to its own disk. */
export class FileRepMirror implements FileRepPeer {
  readonly disk: Disk;
  /** Blocks applied since the mirror started (for the lab and tests). */
  blocksApplied = 0;

  constructor(disk: Disk) {
    this.disk = disk;
  }

  async apply(ops: FileOp[]): Promise<void> {
    for (const o of ops) {
      if (o.op === 'write') {
        this.disk.write(o.file, o.block, o.data);
        this.blocksApplied++;
      } else if (o.op === 'truncate') this.disk.truncate(o.file, o.nblocks);
      else this.disk.unlink(o.file);
    }
  }

  sync(): Promise<void> {
    return this.disk.sync();
  }
}

/** The change tracking log: which blocks changed while the mirror was away. Kept on disk. */
export const CHANGE_TRACKING_FILE = 'pg_changetracking/CT_LOG';

const enc = new TextEncoder();
const dec = new TextDecoder();

export class ChangeTracker {
  /** Changed blocks by file; a file whose entry has `whole` changed in a way blocks cannot say. */
  private readonly changed = new Map<string, { blocks: Set<number>; whole: boolean }>();

  record(file: string, block?: number): void {
    let e = this.changed.get(file);
    if (!e) this.changed.set(file, (e = { blocks: new Set(), whole: false }));
    if (block === undefined) e.whole = true;
    else e.blocks.add(block);
  }

  get size(): number {
    let n = 0;
    for (const e of this.changed.values()) n += e.blocks.size;
    return n;
  }

  files(): { file: string; blocks: number[]; whole: boolean }[] {
    return [...this.changed].map(([file, e]) => ({
      file,
      blocks: [...e.blocks].sort((a, b) => a - b),
      whole: e.whole,
    }));
  }

  clear(): void {
    this.changed.clear();
  }

  /** The log as blocks of its file (written with the disk's next sync). */
  save(disk: Disk): void {
    const bytes = enc.encode(JSON.stringify(this.files()));
    const n = Math.max(1, Math.ceil(bytes.length / (BLCKSZ - 4)));
    disk.truncate(CHANGE_TRACKING_FILE, 0);
    for (let b = 0; b < n; b++) {
      const page = new Uint8Array(BLCKSZ);
      const part = bytes.subarray(b * (BLCKSZ - 4), (b + 1) * (BLCKSZ - 4));
      new DataView(page.buffer).setUint32(0, part.length);
      page.set(part, 4);
      disk.write(CHANGE_TRACKING_FILE, b, page);
    }
  }

  static load(disk: Disk): ChangeTracker {
    const t = new ChangeTracker();
    const n = disk.nblocks(CHANGE_TRACKING_FILE);
    if (n === 0) return t;
    const parts: Uint8Array[] = [];
    for (let b = 0; b < n; b++) {
      const page = disk.read(CHANGE_TRACKING_FILE, b);
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
    const list = JSON.parse(dec.decode(all)) as { file: string; blocks: number[]; whole: boolean }[];
    for (const e of list) {
      if (e.whole) t.record(e.file);
      for (const b of e.blocks) t.record(e.file, b);
    }
    return t;
  }
}

/**
 * The primary's disk in file replication: every change applied locally and replicated (or,
 * in Change Tracking, recorded). Pass it to the instance as its disk.
 */
export class FileRepPrimaryDisk implements Disk {
  private readonly local: Disk;
  private peer: FileRepPeer | undefined;
  private queue: FileOp[] = [];
  /** Settles after the last batch sent has been applied on the mirror (never rejects). */
  private sending: Promise<void> = Promise.resolve();
  mode: FileRepMode;
  readonly tracker: ChangeTracker;
  /** Called once when the mirror stops answering (the cluster's FTS takes it from there). */
  onMirrorLost: ((reason: unknown) => void) | undefined;

  /**
   * With `waitForFts`, a mirror that stops answering is a fault the primary does not resolve
   * alone: its syncs (so its commits) wait until FTS, having probed it, tells it to enter Change
   * Tracking (`startChangeTracking`), as Greenplum 5 does. Without it (a bare pair), the primary
   * enters Change Tracking at once.
   */
  private readonly waitForFts: boolean;
  /** The mirror stopped answering and FTS has not yet moved the primary to Change Tracking. */
  private fault: { reason: unknown; cleared: Promise<void>; clear: () => void } | undefined;

  constructor(local: Disk, peer: FileRepPeer | undefined, options: { waitForFts?: boolean } = {}) {
    this.waitForFts = options.waitForFts ?? false;
    this.local = local;
    this.tracker = ChangeTracker.load(local);
    this.peer = peer;
    this.mode = peer && this.tracker.size === 0 ? 's' : 'c';
  }

  get stats(): DiskStats {
    return this.local.stats;
  }

  read(file: string, block: number): Uint8Array | undefined {
    return this.local.read(file, block);
  }

  view(file: string, block: number): Uint8Array | undefined {
    return this.local.view(file, block);
  }

  nblocks(file: string): number {
    return this.local.nblocks(file);
  }

  files(prefix?: string): string[] {
    return this.local.files(prefix);
  }

  write(file: string, block: number, data: Uint8Array): void {
    this.local.write(file, block, data);
    if (file === CHANGE_TRACKING_FILE) return;
    if (this.mode === 'c') this.tracker.record(file, block);
    else this.send({ op: 'write', file, block, data: data.slice() });
  }

  truncate(file: string, nblocks: number): void {
    this.local.truncate(file, nblocks);
    if (file === CHANGE_TRACKING_FILE) return;
    if (this.mode === 'c') this.tracker.record(file);
    else this.send({ op: 'truncate', file, nblocks });
  }

  unlink(file: string): void {
    this.local.unlink(file);
    if (this.mode === 'c') this.tracker.record(file);
    else this.send({ op: 'unlink', file });
  }

  /** The mirror stopped answering; the primary waits for FTS (see `waitForFts`). */
  get faulted(): boolean {
    return this.fault !== undefined;
  }

  /** Local sync, then (synchronized) the mirror's: the primary waits for its acknowledgement. */
  async sync(): Promise<void> {
    if (this.mode === 'c') this.tracker.save(this.local);
    await this.local.sync();
    if (this.mode === 'c' || !this.peer) return;
    this.flushQueue();
    const peer = this.peer;
    try {
      await this.sending;
      if ((this.mode as FileRepMode) !== 'c' && !this.fault) await peer.sync();
    } catch (e) {
      this.mirrorLost(e);
    }
    // I/O waits out a fault until FTS decides; what it wrote is in the change tracking log.
    if (this.fault) {
      await this.fault.cleared;
      this.tracker.save(this.local);
      await this.local.sync();
    }
  }

  private send(op: FileOp): void {
    this.queue.push(op);
    // Batched per turn: asynchronous, in order.
    if (this.queue.length === 1) void Promise.resolve().then(() => this.flushQueue());
  }

  private flushQueue(): void {
    if (!this.queue.length || !this.peer || this.mode === 'c') return;
    if (this.fault) {
      this.track(this.queue);
      this.queue = [];
      return;
    }
    const batch = this.queue;
    this.queue = [];
    const peer = this.peer;
    this.sending = this.sending.then(() =>
      this.mode === 'c' || this.fault
        ? this.track(batch)
        : peer.apply(batch).catch((e: unknown) => {
            this.track(batch);
            this.mirrorLost(e);
          }),
    );
  }

  private track(batch: FileOp[]): void {
    for (const o of batch) this.tracker.record(o.file, o.op === 'write' ? o.block : undefined);
  }

  /** Change Tracking: from now on changes are recorded, not sent; what was in flight too. */
  private mirrorLost(reason: unknown): void {
    if (this.mode === 'c' || this.fault) return;
    this.track(this.queue);
    this.queue = [];
    if (this.waitForFts) {
      let clear!: () => void;
      const cleared = new Promise<void>((r) => (clear = r));
      this.fault = { reason, cleared, clear };
    } else this.mode = 'c';
    this.onMirrorLost?.(reason);
  }

  /** FTS marked the mirror down: Change Tracking, and I/O held by a fault goes on. */
  startChangeTracking(): void {
    if (!this.fault) this.mirrorLost('the mirror was marked down');
    this.mode = 'c';
    const f = this.fault;
    this.fault = undefined;
    f?.clear();
  }

  /**
   * Resynchronization with a (re)started mirror: the blocks the change tracking log names
   * (incremental) or every file (full) go to it at their current on-disk version, while new
   * changes are sent as they happen; then the pair is Synchronized. Returns the blocks sent.
   */
  async resynchronize(
    peer: FileRepPeer,
    full: boolean,
    progress?: (done: number, total: number) => void,
  ): Promise<{ blocks: number; bytes: number }> {
    this.peer = peer;
    const plan = full
      ? this.local
          .files()
          .filter((f) => f !== CHANGE_TRACKING_FILE)
          .map((file) => ({ file, blocks: [] as number[], whole: true }))
      : this.tracker.files();
    this.tracker.clear();
    this.mode = 'r';
    const total = plan.reduce((n, e) => n + (e.whole ? this.local.nblocks(e.file) : e.blocks.length), 0);
    let done = 0;
    for (const e of plan) {
      const n = this.local.nblocks(e.file);
      const ops: FileOp[] = [];
      if (e.whole) {
        if (n === 0) ops.push({ op: 'unlink', file: e.file });
        else ops.push({ op: 'truncate', file: e.file, nblocks: n });
      }
      for (const b of e.whole ? [...Array(n).keys()] : e.blocks) {
        const data = this.local.read(e.file, b);
        if (data) ops.push({ op: 'write', file: e.file, block: b, data });
      }
      if (!e.whole && n === 0) ops.push({ op: 'unlink', file: e.file });
      await peer.apply(ops);
      done += e.whole ? n : e.blocks.length;
      progress?.(done, total);
    }
    this.local.truncate(CHANGE_TRACKING_FILE, 0);
    this.local.unlink(CHANGE_TRACKING_FILE);
    await this.local.sync();
    await this.sending;
    await peer.sync();
    this.mode = 's';
    return { blocks: done, bytes: done * BLCKSZ };
  }
}
