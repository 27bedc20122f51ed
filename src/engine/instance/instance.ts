/**
 * One database instance's storage engine: the process that owns a data directory (a disk).
 * Coordinator, standby, primary and mirror all run this; roles live above it.
 *
 * Life cycle:
 * - `initdb` lays down an empty instance: control file, first checkpoint.
 * - `start` runs crash recovery: from the last checkpoint's redo point, replay every valid WAL
 *   record, abort what was in flight, then (after a crash) write an end-of-recovery checkpoint.
 * - `checkpoint` writes dirty pages and the commit log, logs a checkpoint record, points the
 *   control file at it and removes WAL no longer needed. Triggered by time
 *   (checkpoint_timeout) and WAL volume (max_wal_size), and on demand.
 * - `shutdown` is a clean stop (shutdown checkpoint); `kill` is a crash: memory is gone, the
 *   disk keeps whatever was synced.
 */
import { sqlError } from '../errors.ts';
import { AoBlockAllocator, AppendOptimizedRelation, VISIMAP_OFFSET } from '../access/append-optimized.ts';
import { BufferPool, type WalFlusher } from '../storage/buffer-pool.ts';
import { relationFile, type StorageContext } from '../access/context.ts';
import type { Disk } from '../storage/disk.ts';
import { HeapRelation } from '../access/heap.ts';
import { BtreeIndex, type KeyComparator } from '../access/btree.ts';
import type { SqlType } from '../sql/types.ts';
import { CommitLog, FirstNormalXid } from '../txn/clog.ts';
import { TransactionManager, type Transaction } from '../txn/xact.ts';
import { jsonPayload } from '../wal/json-payload.ts';
import { formatLsn, type Lsn } from '../storage/lsn.ts';
import { WalReader } from '../wal/reader.ts';
import { Rmgr, type WalRecord } from '../wal/record.ts';
import { DEFAULT_WAL_SEGMENT_SIZE, WalFiles } from '../wal/segments.ts';
import { WalWriter } from '../wal/writer.ts';
import type { Clock, Timer, TraceSink } from '../runtime/clock.ts';
import { CONTROL_FILE, readControl, STANDBY_SIGNAL, writeControl, type ControlData } from './control.ts';
import { SmgrInfo, XlogInfo, type CheckpointRecord, type RedoTarget } from './redo.ts';
import type { XactRecord } from '../txn/xact.ts';
import { Checkpointer } from './checkpointer.ts';
import { DAMAGED_FILES_HINT, Replayer } from './recovery.ts';

export interface StorageSettings {
  /** Buffer pool size in 8 KB pages. */
  shared_buffers: number;
  /** Time between automatic checkpoints, wall ms (the setting divided by the time scale). */
  checkpoint_timeout: number;
  /** The share of that time a spread checkpoint's page writes may take. */
  checkpoint_completion_target: number;
  /** A spread checkpoint's pause while it is ahead of schedule, wall ms (Postgres: 100 ms). */
  checkpoint_write_delay: number;
  /** WAL volume that triggers a checkpoint, bytes. */
  max_wal_size: number;
  /** WAL kept past the checkpoint's redo point for mirrors that fall behind, bytes. */
  wal_keep_size: number;
}

export const defaultStorageSettings: StorageSettings = {
  shared_buffers: 4096,
  checkpoint_timeout: 300_000,
  checkpoint_completion_target: 0.5,
  checkpoint_write_delay: 100,
  max_wal_size: 256 * 1024 * 1024,
  wal_keep_size: 0,
};

/** What layers above storage replay from the WAL (the coordinator's distributed transactions). */
export interface RedoExtensions {
  /** Records of resource managers above storage. */
  redoExtension?: (rec: WalRecord) => void;
  /** A commit record was replayed. */
  onRedoCommit?: (rec: XactRecord, xid: number) => void;
  /** The checkpoint recovery starts from: its `extra` state. */
  onCheckpoint?: (extra: Record<string, unknown> | undefined) => void;
  /**
   * State the layer above keeps in every checkpoint, the end-of-recovery one included (set
   * before recovery runs: a checkpoint without it would hide the reservations before it).
   */
  checkpointExtra?: () => Record<string, unknown>;
}

export interface InstanceRuntime {
  disk: Disk;
  clock: Clock;
  trace: TraceSink;
  /** Told when the instance PANICs (a failed WAL flush): the runtime then treats it as crashed. */
  onPanic?: (err: Error) => void;
}

/** What a primary's replication (a walsender to a mirror or standby) provides to its instance. */
export interface ReplicationHooks {
  /**
   * Synchronous replication: a promise that settles once the mirror has flushed `lsn`, or
   * undefined when the commit does not wait.
   */
  waitForSyncRep(lsn: Lsn): Promise<void> | undefined;
  /** The replication slot: the oldest WAL position the mirror still needs, if any. */
  retainWalFrom(): Lsn | undefined;
}

export type InstanceState = 'recovering' | 'running' | 'stopped' | 'panicked';

export interface RecoveryReport {
  /** Where replay began and ended, and why it stopped there. */
  redoFrom: Lsn;
  end: Lsn;
  stopReason: string;
  records: number;
  /** Transactions in flight at the crash, now aborted. */
  abortedXids: number[];
  wasCleanShutdown: boolean;
}

export class Instance implements StorageContext {
  readonly disk: Disk;
  readonly pool: BufferPool;
  readonly clog: CommitLog;
  readonly xact: TransactionManager;
  readonly ao: AoBlockAllocator;
  readonly files: WalFiles;
  readonly reader: WalReader;
  wal!: WalWriter;
  control: ControlData;
  state: InstanceState = 'recovering';
  recovery: RecoveryReport | undefined;
  readonly checkpointer: Checkpointer;
  private readonly heaps = new Map<number, HeapRelation>();
  private readonly aos = new Map<number, AppendOptimizedRelation>();
  /** Btree indexes by relfilenode: each keeps its writers' turn. */
  private readonly btrees = new Map<number, BtreeIndex>();
  private checkpointTimer: Timer | undefined;
  /** Checkpoints run on their own (timed, and by WAL volume) from the end of recovery on. */
  private checkpointsScheduled = false;
  panicError: Error | undefined;
  /** The replication role serving this instance, once it streams as a primary. */
  private replication: ReplicationHooks | undefined;
  /** Told after each WAL flush (walsenders wake on it); see `onWalFlush`. */
  private readonly walFlushListeners = new Set<(flushed: Lsn) => void>();
  /** Data checksums are on (pg_control, set at initdb). */
  readonly dataChecksums: boolean;
  /** Blocks read from disk that failed verification (pg_stat_database.checksum_failures). */
  readonly checksumFailures: {
    count: number;
    last: { file: string; block: number; time: number } | undefined;
  } = { count: 0, last: undefined };

  readonly rt: InstanceRuntime;
  readonly settings: StorageSettings;

  private readonly extensions: RedoExtensions;

  private constructor(
    rt: InstanceRuntime,
    settings: StorageSettings,
    control: ControlData,
    extensions: RedoExtensions = {},
  ) {
    this.extensions = extensions;
    this.rt = rt;
    this.settings = settings;
    this.disk = rt.disk;
    this.control = control;
    this.files = new WalFiles(rt.disk, control.walSegmentSize, control.history);
    this.reader = new WalReader(this.files);
    this.clog = CommitLog.load(rt.disk);
    // During recovery every page's WAL is already on disk (it is what we replay).
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    const flusher: WalFlusher = {
      get flushedLsn() {
        return self.wal ? self.wal.flushedLsn : Number.MAX_SAFE_INTEGER;
      },
      flush: (lsn: Lsn) => (self.wal ? self.wal.flush(lsn) : Promise.resolve()),
    };
    this.dataChecksums = control.dataChecksums === true;
    this.pool = new BufferPool(rt.disk, flusher, settings.shared_buffers, this.dataChecksums, (f, b) =>
      this.noteInvalidPage(f, b),
    );
    this.ao = new AoBlockAllocator(this);
    this.xact = new TransactionManager(
      this.clog,
      this,
      {
        now: () => rt.clock.now(),
        waitForSyncRep: (lsn) => this.replication?.waitForSyncRep(lsn),
        ...(extensions.onRedoCommit ? { onRedoCommit: extensions.onRedoCommit } : {}),
      },
      (f) => this.unlinkFile(f),
    );
    this.checkpointer = new Checkpointer(this, extensions.checkpointExtra);
  }

  /** Lays down a new, empty instance on `disk`; data checksums on unless `dataChecksums: false`. */
  static async initdb(
    disk: Disk,
    options: { systemIdentifier: string; walSegmentSize?: number; time: number; dataChecksums?: boolean },
  ) {
    if (readControl(disk)) throw sqlError('object_not_in_prerequisite_state', 'data directory is not empty');
    const segSize = options.walSegmentSize ?? DEFAULT_WAL_SEGMENT_SIZE;
    const history = [{ tli: 1, begin: 0 }];
    const files = new WalFiles(disk, segSize, history);
    // The first record starts past a zero-length "record" at LSN 0: LSN 0 means "invalid".
    const start = 40;
    const writer = new WalWriter(files, disk, start, 0);
    const ckpt: CheckpointRecord = {
      redo: start,
      timeline: 1,
      nextXid: FirstNormalXid,
      oldestXid: FirstNormalXid,
      prepared: [],
      time: options.time,
    };
    const { start: at, end } = writer.insert(Rmgr.xlog, XlogInfo.checkpointShutdown, 0, jsonPayload(ckpt));
    // The first checkpoint and pg_control in one atomic sync.
    await writer.flushWith(end, () =>
      writeControl(disk, {
        systemIdentifier: options.systemIdentifier,
        state: 'shut down',
        checkpoint: at,
        redo: start,
        timeline: 1,
        history,
        walSegmentSize: segSize,
        time: options.time,
        minRecoveryPoint: 0,
        dataChecksums: options.dataChecksums ?? true,
      }),
    );
  }

  /** Starts the instance on its disk: crash recovery, then ready for work. */
  static start(
    rt: InstanceRuntime,
    settings: Partial<StorageSettings> = {},
    extensions: RedoExtensions = {},
  ): Promise<Instance> {
    return Instance.open(rt, settings, extensions, false);
  }

  /** Starts as a standby (mirror): replays the WAL it has and stays in recovery, for more. */
  static startStandby(
    rt: InstanceRuntime,
    settings: Partial<StorageSettings> = {},
    extensions: RedoExtensions = {},
  ): Promise<Instance> {
    return Instance.open(rt, settings, extensions, true);
  }

  private static async open(
    rt: InstanceRuntime,
    settings: Partial<StorageSettings>,
    extensions: RedoExtensions,
    standby: boolean,
  ): Promise<Instance> {
    const control = readControl(rt.disk);
    if (!control && rt.disk.files().length)
      // Files but no pg_control: the directory is damaged, not new.
      throw sqlError('undefined_file', `could not open file "${CONTROL_FILE}": No such file or directory`, {
        detail: 'The data directory has files, but its control file is gone.',
        hint: DAMAGED_FILES_HINT,
      });
    if (!control)
      throw sqlError(
        'object_not_in_prerequisite_state',
        standby
          ? 'the data directory is empty: run a base backup first'
          : 'the data directory is empty: the instance was never initialised',
      );
    const inst = new Instance(rt, { ...defaultStorageSettings, ...settings }, control, extensions);
    await inst.recover(standby);
    return inst;
  }

  get timeline(): number {
    return this.control.timeline;
  }

  // ---- relations ------------------------------------------------------------------------

  heapOf(relfilenode: number): HeapRelation {
    return this.heap(relfilenode);
  }

  heap(relfilenode: number): HeapRelation {
    let h = this.heaps.get(relfilenode);
    if (!h) this.heaps.set(relfilenode, (h = new HeapRelation(this, relfilenode)));
    return h;
  }

  /**
   * The index on `relfilenode`, opened once and kept: the first opener's name, key types and
   * comparison stay (every opener passes the type system's compareValues).
   */
  btree(relfilenode: number, name: string, types: SqlType[], compare: KeyComparator): BtreeIndex {
    let b = this.btrees.get(relfilenode);
    if (!b) this.btrees.set(relfilenode, (b = new BtreeIndex(this, relfilenode, name, types, compare)));
    return b;
  }

  appendOptimized(relfilenode: number): AppendOptimizedRelation {
    let r = this.aos.get(relfilenode);
    if (!r) this.aos.set(relfilenode, (r = new AppendOptimizedRelation(this, relfilenode, this.ao)));
    return r;
  }

  /** Creates a relation's storage in `tx`: removed again if `tx` aborts. */
  createStorage(tx: Transaction, relfilenode: number): void {
    const file = relationFile(relfilenode);
    const xid = tx.assignXid();
    this.wal.insert(Rmgr.smgr, SmgrInfo.create, xid, jsonPayload({ file }));
    tx.createdFiles.push(file);
  }

  /** Drops a relation's storage when `tx` commits. */
  dropStorage(tx: Transaction, relfilenode: number): void {
    tx.assignXid();
    tx.dropsOnCommit.push(relationFile(relfilenode));
    // An append-optimized table's visibility map goes with it (nothing to do for heaps).
    tx.dropsOnCommit.push(relationFile(relfilenode + VISIMAP_OFFSET));
  }

  noteInvalidPage(file: string, block: number): void {
    this.checksumFailures.count++;
    this.checksumFailures.last = { file, block, time: this.rt.clock.now() };
    this.rt.trace({ kind: 'checksum.failure', file, block });
  }

  unlinkFile(file: string): void {
    this.pool.dropFile(file);
    this.ao.forget(file);
    this.disk.unlink(file);
    const m = /^base\/(\d+)$/.exec(file);
    if (m) {
      this.heaps.delete(Number(m[1]));
      this.aos.delete(Number(m[1]));
      this.btrees.delete(Number(m[1]));
    }
  }

  // ---- life cycle -----------------------------------------------------------------------

  /** Requests a checkpoint and waits for it (CHECKPOINT). */
  checkpoint(): Promise<void> {
    this.mustBeRunning();
    return this.checkpointer.run('immediate');
  }

  /** Clean stop: a shutdown checkpoint, then nothing more is accepted. */
  async shutdown(): Promise<void> {
    if (this.state !== 'running') return;
    await this.checkpointer.run('shutdown');
    this.stopTimers();
    this.state = 'stopped';
  }

  /** The process dies: stops its timers; the runtime drops its memory and disk cache. */
  kill(): void {
    this.stopTimers();
    this.pool.reset();
    this.state = 'stopped';
  }

  mustBeRunning(): void {
    if (this.state === 'panicked')
      throw sqlError('crash_shutdown', 'the database system is in recovery mode', {
        detail: this.panicError?.message,
      });
    if (this.state !== 'running')
      throw sqlError('cannot_connect_now', `the database system is ${this.state}`);
  }

  /** Replay of the WAL (crash recovery; on a standby, continuous). */
  readonly replayer = new Replayer(this);
  /** A standby stays in recovery, replaying what it receives, until promoted. */
  standby = false;

  private async recover(standby: boolean): Promise<void> {
    const c = this.control;
    const ckpt = this.replayer.begin();
    this.extensions.onCheckpoint?.(ckpt.extra);
    this.xact.nextXid = Math.max(this.xact.nextXid, ckpt.nextXid);
    this.xact.restorePrepared(ckpt.prepared);
    for (const [xid, gid] of ckpt.distributed ?? []) this.xact.noteDistributed(xid, gid);
    const clean = c.state === 'shut down';
    this.standby = standby;
    this.control = {
      ...c,
      state: standby ? 'in archive recovery' : clean ? 'starting up' : 'in crash recovery',
    };
    this.rt.trace({ kind: 'recovery.start', redo: formatLsn(ckpt.redo), clean, standby });
    const stop = await this.replayer.replayAvailable(standby);
    const end = this.replayer.replayed;
    this.recovery = {
      redoFrom: ckpt.redo,
      end,
      stopReason: stop,
      records: this.replayer.records,
      abortedXids: [],
      wasCleanShutdown: clean,
    };
    if (standby) {
      // A mirror's WAL that stops short is sent again by its primary, from where replay stopped.
      this.rt.trace({ kind: 'standby.replaying', at: formatLsn(end) });
      return;
    }
    this.replayer.mustHaveReachedFlushedEnd(false);
    await this.finishRecovery(false, clean);
  }

  /**
   * Ends recovery: transactions in flight are aborted, WAL past the end is cut off, and the
   * instance opens for writes. With `promote`, a new timeline begins here (a promoted mirror
   * or an activated standby), marked by an end-of-recovery record.
   */
  async finishRecovery(promote: boolean, clean = false): Promise<void> {
    if (promote) this.replayer.mustHaveReachedFlushedEnd(true);
    const end = this.replayer.replayed;
    const lastStart = this.replayer.prev ?? this.replayer.checkpointRecord!.lsn;
    const abortedXids = this.xact.abortInDoubt(this.replayer.oldestXid);
    this.files.removeAfter(end);
    if (promote) {
      this.disk.unlink(STANDBY_SIGNAL);
      const prevTimeline = this.control.timeline;
      const timeline = Math.max(...this.files.history.map((h) => h.tli)) + 1;
      this.files.switchTimeline(timeline, end);
      this.control = { ...this.control, timeline, history: this.files.history };
      this.rt.trace({ kind: 'promote', timeline, at: formatLsn(end), prevTimeline });
    }
    this.wal = new WalWriter(this.files, this.disk, end, lastStart, {
      onPanic: (e) => this.panic(e),
      beforeSync: (upTo) => this.noteWalFlushed(upTo),
      yieldThread: () => this.rt.clock.yield(),
      ...(this.rt.clock.elapsedMs ? { elapsedMs: () => this.rt.clock.elapsedMs!() } : {}),
      onFlush: (flushed) => {
        for (const listener of this.walFlushListeners) listener(flushed);
      },
      onInsert: (end) => this.walInserted(end),
    });
    if (promote)
      this.wal.insert(
        Rmgr.xlog,
        XlogInfo.endOfRecovery,
        0,
        jsonPayload({
          timeline: this.control.timeline,
          prevTimeline: this.control.timeline - 1,
          time: this.rt.clock.now(),
        }),
      );
    if (this.recovery) this.recovery.abortedXids = abortedXids;
    this.rt.trace({
      kind: 'recovery.done',
      end: formatLsn(end),
      records: this.replayer.records,
      stop: this.replayer.stopReason,
      aborted: abortedXids.length,
    });
    this.standby = false;
    this.state = 'running';
    if (promote || !clean || this.replayer.records > 1) await this.checkpointer.run('immediate');
    else {
      this.control = { ...this.control, state: 'in production', time: this.rt.clock.now() };
      writeControl(this.disk, this.control);
      await this.disk.sync();
    }
    this.scheduleCheckpoints();
  }

  /** From now on commits wait and checkpoints keep WAL as `replication` says (a primary's role). */
  serveReplication(replication: ReplicationHooks): void {
    this.replication = replication;
  }

  /** The oldest WAL position a replication slot still needs (mirrors that are behind). */
  walRetainedFrom(): Lsn | undefined {
    return this.replication?.retainWalFrom();
  }

  /** Calls `listener` after each WAL flush from now on; returns the call that stops it. */
  onWalFlush(listener: (flushed: Lsn) => void): () => void {
    this.walFlushListeners.add(listener);
    return () => this.walFlushListeners.delete(listener);
  }

  /** Past half of max_wal_size since the last checkpoint's redo point, a checkpoint is due. */
  private walInserted(end: Lsn): void {
    if (!this.checkpointsScheduled) return;
    if (end - this.control.redo > this.settings.max_wal_size / 2) this.checkpointer.request();
  }

  /** Records, in pg_control, the WAL position the coming sync makes durable. */
  noteWalFlushed(lsn: Lsn): void {
    this.control = { ...this.control, walFlushed: lsn };
    writeControl(this.disk, this.control);
  }

  redoTarget(): RedoTarget {
    const t: RedoTarget = {
      ctx: this as StorageContext,
      ao: this.ao,
      unlinkFile: (f: string) => this.unlinkFile(f),
    };
    if (this.extensions.redoExtension) t.redoExtension = this.extensions.redoExtension;
    return t;
  }

  /** A reload changed checkpoint_timeout or max_wal_size: the next checkpoint follows them. */
  rescheduleCheckpoints(): void {
    if (this.state === 'running' && !this.standby) this.scheduleCheckpoints();
  }

  private scheduleCheckpoints(): void {
    this.stopTimers();
    this.checkpointsScheduled = true;
    this.checkpointTimer = this.rt.clock.setTimer(this.settings.checkpoint_timeout, () => {
      this.checkpointTimer = undefined;
      if (this.state !== 'running') return;
      this.checkpointer.run('spread').then(
        () => this.scheduleCheckpoints(),
        () => undefined,
      );
    });
  }

  private stopTimers(): void {
    this.checkpointTimer?.cancel();
    this.checkpointTimer = undefined;
  }

  panic(err: Error): void {
    if (this.state === 'panicked') return;
    this.panicError = err;
    this.state = 'panicked';
    this.stopTimers();
    this.rt.trace({ kind: 'panic', message: err.message });
    this.rt.onPanic?.(err);
  }
}
