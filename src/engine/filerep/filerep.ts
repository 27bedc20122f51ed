/**
 * Greenplum 5 segment mirroring: physical file replication. The primary's disk I/O is
 * replicated to the mirror block by block, so the mirror's files become the primary's files.
 * Writes are sent asynchronously, in order; a sync is sync-replicated (the mirror syncs first,
 * then the primary), which makes the WAL of every commit durable on both. Heap blocks reach the
 * disk (and so the mirror) only when the buffer pool evicts or a checkpoint writes them: while
 * cached, the mirror's image of a block differs from the primary's buffer, and the replicated
 * WAL is what keeps the pair consistent.
 *
 * When the mirror cannot be reached the primary goes to Change Tracking: it records which
 * blocks change (a log kept on its own disk) instead of sending them. Resynchronization sends
 * the tracked blocks (incremental) or every file (full), then the pair is Synchronized again.
 */
import { BLCKSZ, type Disk, type DiskFaultChange, type DiskStats } from '../storage/disk.ts';
import type { ResyncResult } from './protocol.ts';
import {
  BlockSet,
  CHANGE_TRACKING_FILE,
  INFLIGHT_FILE,
  isFileRepMeta,
  MIRROR_WINDOW_FILE,
  type TrackedFile,
} from './block-set.ts';

/** gp_segment_configuration.mode in Greenplum 5: Synchronized, Change Tracking, Resynchronizing. */
export type FileRepMode = 's' | 'c' | 'r';

/** One replicated file operation; `reset` empties the mirror (full resync), `resynced` ends one. */
export type FileOp =
  | { op: 'write'; file: string; block: number; data: Uint8Array }
  | { op: 'truncate'; file: string; nblocks: number }
  | { op: 'unlink'; file: string }
  | { op: 'reset' }
  | { op: 'resynced' };

/** What the primary's file replication sender needs of its mirror (a link in a cluster). */
export interface FileRepPeer {
  /** Applies a batch of operations, in order, to the mirror's files (not yet durable). */
  apply(ops: FileOp[]): Promise<void>;
  /** Makes everything applied so far durable on the mirror; resolves with the acknowledgement. */
  sync(): Promise<void>;
  /** The connection's heartbeat: rejects once the mirror is gone (or restarted). */
  ping?(): Promise<void>;
}

/** Resynchronization under way: blocks sent of those planned. */
export interface ResyncProgress {
  full: boolean;
  done: number;
  /** Blocks planned; of those, named by the change tracking log, and reported by the mirror. */
  total: number;
  tracked: number;
  suspects: number;
  startedAt: number;
}

type Sent = { seq: number; file: string; block: number | undefined };

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
  /** Operations sent whose mirror sync has not been acknowledged, oldest first. */
  private unacked: Sent[] = [];
  private seq = 0;
  mode: FileRepMode;
  readonly tracker: BlockSet;
  resync: ResyncProgress | undefined;
  /** Whether Change Tracking records changes: not while the segment has no mirror at all. */
  private tracking: boolean;
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
  /** Sync rounds run one at a time; callers arriving meanwhile share the next (group sync). */
  private round: Promise<void> | undefined;
  private nextRound: Promise<void> | undefined;
  /**
   * The connection to the mirror in use: a new one begins with each resynchronization and ends
   * with Change Tracking. Late answers of an earlier one (a sync that timed out after the pair
   * was reconnected) change nothing.
   */
  private session = 0;

  /**
   * `seed`: blocks to track from the start (a promoted mirror's window). What earlier
   * incarnations left on this disk (a change tracking log, an in-flight list, a mirror's
   * window) is tracked too: a primary that starts from its disk starts in Change Tracking
   * unless it has a mirror and nothing to track.
   */
  constructor(
    local: Disk,
    peer: FileRepPeer | undefined,
    options: { waitForFts?: boolean; seed?: BlockSet; mirrorless?: boolean } = {},
  ) {
    this.waitForFts = options.waitForFts ?? false;
    this.tracking = !options.mirrorless;
    this.local = local;
    this.tracker = BlockSet.load(local, CHANGE_TRACKING_FILE)
      .merge(BlockSet.load(local, INFLIGHT_FILE))
      .merge(BlockSet.load(local, MIRROR_WINDOW_FILE));
    if (options.seed) this.tracker.merge(options.seed);
    this.tracker.dirty = !this.tracker.empty;
    this.peer = this.tracker.empty ? peer : undefined;
    this.mode = this.peer ? 's' : 'c';
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
    if (isFileRepMeta(file)) return;
    if (this.mode !== 'c') this.send({ op: 'write', file, block, data: data.slice() });
    else if (this.tracking) this.tracker.record(file, block);
  }

  truncate(file: string, nblocks: number): void {
    this.local.truncate(file, nblocks);
    if (isFileRepMeta(file)) return;
    if (this.mode !== 'c') this.send({ op: 'truncate', file, nblocks });
    else if (this.tracking) this.tracker.record(file);
  }

  unlink(file: string): void {
    this.local.unlink(file);
    if (isFileRepMeta(file)) return;
    if (this.mode !== 'c') this.send({ op: 'unlink', file });
    else if (this.tracking) this.tracker.record(file);
  }

  /** The mirror stopped answering; the primary waits for FTS (see `waitForFts`). */
  get faulted(): boolean {
    return this.fault !== undefined;
  }

  /** Operations sent whose acknowledgement is pending (the lab's "in flight"). */
  get inFlight(): number {
    return this.unacked.length + this.queue.length;
  }

  /**
   * The mirror's sync first, then the local one: whatever the primary makes durable has
   * reached the mirror, or is in the in-flight list written with it.
   */
  /** The I/O check is of the primary's own disk (its mirror is probed over the connection). */
  checkIO(): Promise<void> {
    return this.local.checkIO();
  }

  setFaults(change: DiskFaultChange): void {
    this.local.setFaults(change);
  }

  sync(): Promise<void> {
    if (!this.round) {
      this.round = this.syncRound().finally(() => (this.round = undefined));
      return this.round;
    }
    if (!this.nextRound)
      this.nextRound = this.round
        .catch(() => undefined)
        .then(() => {
          this.nextRound = undefined;
          return this.sync();
        });
    return this.nextRound;
  }

  private async syncRound(): Promise<void> {
    if (this.mode !== 'c' && this.peer) {
      this.flushQueue();
      const upTo = this.seq;
      const peer = this.peer;
      const session = this.session;
      try {
        await this.sending;
        if (session === this.session && (this.mode as FileRepMode) !== 'c' && !this.fault) {
          await peer.sync();
          if (session === this.session) this.acknowledged(upTo);
        }
      } catch (e) {
        if (session === this.session) this.mirrorLost(e);
      }
    }
    // I/O waits out a fault until FTS decides; what it wrote is in the change tracking log.
    if (this.fault) await this.fault.cleared;
    this.saveBookkeeping();
    await this.local.sync();
  }

  /** The change tracking log (Change Tracking) or the in-flight list, with the local sync. */
  private saveBookkeeping(): void {
    if (this.mode === 'c') {
      if (this.tracker.dirty) this.tracker.save(this.local, CHANGE_TRACKING_FILE);
      if (this.local.nblocks(INFLIGHT_FILE)) this.local.unlink(INFLIGHT_FILE);
      return;
    }
    const inflight = new BlockSet();
    for (const s of this.unacked) inflight.record(s.file, s.block);
    this.track(this.queue, inflight);
    if (!inflight.empty || this.local.nblocks(INFLIGHT_FILE)) inflight.save(this.local, INFLIGHT_FILE);
  }

  private acknowledged(upTo: number): void {
    let i = 0;
    while (i < this.unacked.length && this.unacked[i]!.seq <= upTo) i++;
    if (i) this.unacked.splice(0, i);
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
    for (const o of batch)
      if (o.op === 'write' || o.op === 'truncate' || o.op === 'unlink')
        this.unacked.push({ seq: ++this.seq, file: o.file, block: o.op === 'write' ? o.block : undefined });
    const peer = this.peer;
    const session = this.session;
    this.sending = this.sending.then(() =>
      session !== this.session
        ? undefined // that connection is gone; what it carried was tracked when it ended
        : this.mode === 'c' || this.fault
          ? this.track(batch)
          : peer.apply(batch).catch((e: unknown) => {
              if (session !== this.session) return;
              this.track(batch);
              this.mirrorLost(e);
            }),
    );
  }

  private track(batch: FileOp[], into: BlockSet = this.tracker): void {
    for (const o of batch)
      if (o.op === 'write') into.record(o.file, o.block);
      else if (o.op === 'truncate' || o.op === 'unlink') into.record(o.file);
  }

  /** Change Tracking: from now on changes are recorded, not sent; what was in flight too. */
  private mirrorLost(reason: unknown): void {
    if (this.mode === 'c' || this.fault) return;
    this.track(this.queue);
    this.queue = [];
    for (const s of this.unacked.splice(0)) this.tracker.record(s.file, s.block);
    if (this.waitForFts) {
      let clear!: () => void;
      const cleared = new Promise<void>((r) => (clear = r));
      this.fault = { reason, cleared, clear };
    } else this.enterChangeTracking();
    this.onMirrorLost?.(reason);
  }

  private enterChangeTracking(): void {
    this.mode = 'c';
    this.peer = undefined;
    this.resync = undefined;
    this.session++;
    this.sending = Promise.resolve();
  }

  /** Checks the mirror still answers (as the sender's connection would tell): else a fault. */
  async heartbeat(): Promise<void> {
    const peer = this.peer;
    const session = this.session;
    if (this.mode === 'c' || this.fault || !peer?.ping) return;
    await peer.ping().catch((e: unknown) => {
      if (session === this.session) this.mirrorLost(e);
    });
  }

  /**
   * A primary that restarted does not know whether its mirror was promoted meanwhile: its
   * syncs (so its commits) wait until FTS has seen it and told it to track changes.
   */
  holdForFts(): void {
    if (this.fault) return;
    let clear!: () => void;
    const cleared = new Promise<void>((r) => (clear = r));
    this.fault = { reason: 'restarted', cleared, clear };
  }

  /**
   * FTS marked the mirror down: Change Tracking, and I/O held by a fault goes on. Only a
   * primary waiting for that decision takes it (a late or repeated one does not end a
   * resynchronization that began since).
   */
  startChangeTracking(): void {
    if (!this.fault) return;
    this.enterChangeTracking();
    const f = this.fault;
    this.fault = undefined;
    f?.clear();
  }

  /**
   * Resynchronization with a (re)started mirror: the blocks the change tracking log names and
   * those the mirror reports it may have differently (`peerSuspects`), or every file (full), go
   * to it at their current version, in order with the changes made meanwhile (those are sent
   * as they happen); then the pair is Synchronized. Returns the blocks sent.
   */
  async resynchronize(
    peer: FileRepPeer,
    full: boolean,
    options: {
      peerSuspects?: readonly TrackedFile[];
      progress?: (done: number, total: number) => void;
      /** Called once the plan is made and the primary is Resynchronizing. */
      planned?: () => void;
      /**
       * Called with the result in the same turn the pair becomes Synchronized, so nothing that
       * reads the mode as synchronized (an FTS probe, a status call) finds the result missing.
       */
      synchronized?: (result: ResyncOutcome) => void;
      /** Awaited after each file sent (a fault point holds a resynchronization there). */
      pace?: () => Promise<void>;
      now?: number;
    } = {},
  ): Promise<ResyncOutcome> {
    // What is to be sent stays in the change tracking log, on disk, until the mirror has all of
    // it: a primary that fails half-way resends it (a full resync names every file).
    if (this.fault) throw new Error('the primary waits for FTS to mark its mirror down');
    if (this.mode !== 'c') {
      // A new mirror replaces the current one: what was on its way to the old one is tracked.
      this.track(this.queue);
      this.queue = [];
      for (const s of this.unacked.splice(0)) this.tracker.record(s.file, s.block);
      this.enterChangeTracking();
    }
    // A full resynchronization that did not finish is full again (the mirror may hold files
    // the primary no longer has): the log says so.
    full ||= this.tracker.files().some((e) => e.file === FULL_RESYNC);
    const tracked = this.tracker.size;
    if (full) {
      this.tracker.record(FULL_RESYNC);
      for (const f of this.local.files()) if (!isFileRepMeta(f)) this.tracker.record(f);
    } else this.tracker.merge(options.peerSuspects ?? []);
    this.tracker.save(this.local, CHANGE_TRACKING_FILE);
    await this.local.sync();
    if (this.fault) throw new Error('the primary waits for FTS to mark its mirror down');
    // From here on, synchronously: changes made meanwhile are in the plan, and in the log with
    // the next local sync (with the changes themselves).
    if (this.tracker.dirty) this.tracker.save(this.local, CHANGE_TRACKING_FILE);
    const plan = full
      ? this.local
          .files()
          .filter((f) => !isFileRepMeta(f))
          .map((file): TrackedFile => ({ file, blocks: [], whole: true }))
      : this.tracker.files().filter((e) => e.file !== FULL_RESYNC);
    const suspects = full ? 0 : Math.max(0, this.tracker.size - tracked);
    const total = plan.reduce((n, e) => n + (e.whole ? this.local.nblocks(e.file) : e.blocks.length), 0);
    this.peer = peer;
    this.session++;
    this.sending = Promise.resolve();
    this.tracking = true;
    this.fault = undefined;
    this.unacked = [];
    this.queue = full ? [{ op: 'reset' }] : [];
    this.mode = 'r';
    this.resync = {
      full,
      done: 0,
      total,
      tracked: full ? 0 : tracked,
      suspects,
      startedAt: options.now ?? 0,
    };
    options.planned?.();
    let done = 0;
    try {
      for (const e of plan) {
        const n = this.local.nblocks(e.file);
        const blocks = e.whole ? [...Array(n).keys()] : e.blocks;
        for (const b of blocks) {
          const data = b < n ? this.local.read(e.file, b) : undefined;
          if (data) this.queue.push({ op: 'write', file: e.file, block: b, data });
        }
        if (n === 0) this.queue.push({ op: 'unlink', file: e.file });
        else if (e.whole || blocks.some((b) => b >= n))
          this.queue.push({ op: 'truncate', file: e.file, nblocks: n });
        this.flushQueue();
        await this.sending;
        if (this.fault || this.mode !== 'r') throw mirrorGone();
        done += blocks.length;
        this.resync.done = done;
        options.progress?.(done, total);
        await options.pace?.();
      }
      this.queue.push({ op: 'resynced' });
      await this.sync();
      if (this.fault || (this.mode as FileRepMode) !== 'r') throw mirrorGone();
    } catch (e) {
      // Back to Change Tracking with every planned block still to send.
      if (full) this.tracker.record(FULL_RESYNC);
      this.tracker.merge(plan);
      this.mirrorLost(e);
      throw e;
    }
    // Everything planned is on the mirror, durably: the log and the window can go. The next
    // round is an ordinary one (what is still in flight goes to the in-flight list with it).
    this.tracker.clear();
    for (const f of [CHANGE_TRACKING_FILE, MIRROR_WINDOW_FILE])
      if (this.local.nblocks(f)) this.local.unlink(f);
    this.mode = 's';
    this.resync = undefined;
    const outcome = { full, blocks: done, bytes: done * BLCKSZ, tracked, suspects };
    options.synchronized?.(outcome);
    await this.sync();
    return outcome;
  }
}

/** What a resynchronization sent (protocol.ts's ResyncResult), and its bytes. */
export interface ResyncOutcome extends ResyncResult {
  bytes: number;
}

/** The change tracking log's mark of a full resynchronization under way. */
const FULL_RESYNC = '*';

function mirrorGone(): Error {
  return new Error('the mirror stopped answering during resynchronization');
}
