/**
 * The Disk of one instance, persisted in its own IndexedDB database.
 *
 * Why this shape: the engine sees a synchronous disk, so its hot paths (buffer manager, WAL
 * writer) stay plain code, and IndexedDB's asynchrony is confined to one explicit durability
 * point. Reads and writes go to an in-memory map, the "OS page cache", filled from IndexedDB on
 * open; `sync()` makes everything written since the last sync durable as one atomic batch.
 *
 * Invariants:
 * 1. The cache is the truth the engine sees; IndexedDB holds exactly the state as of the last
 *    successful sync. A crash (closing without sync) loses the unsynced writes and nothing else.
 * 2. A sync is ONE readwrite transaction covering every pending change, in one of two forms:
 *    - small (a commit's WAL tail and pg_control): one record appended to `journal`, holding
 *      only the byte ranges that changed since the last sync. IndexedDB's cost is per request
 *      and per byte (measured in Chromium: two puts of 4 KB + 300 B run at a third of the rate
 *      of one 100-byte put), so a commit pays for one small put;
 *    - otherwise: truncates and unlinks become deletes of key ranges, the last version of every
 *      written block and of every block the journal touched is put, and the journal is cleared.
 *    Nothing foreign is awaited between opening the transaction and its completion (STYLE L9).
 * 3. A failed sync leaves nothing of its batch durable and puts the batch back in front of the
 *    writes made meanwhile, so a later sync can still succeed (same contract as MemoryDisk).
 * 4. Syncs run one after another: a sync called while another is in flight waits for it and then
 *    covers its own caller's writes (and any made meanwhile).
 *
 * Store layout (version 3):
 * - `blocks`: out-of-line key [file, block], value an ArrayBuffer of the block's bytes up to its
 *   last non-zero byte (at most BLCKSZ; padded with zeros again when read). A file is the key
 *   range [file, 0] .. [file, Infinity].
 * - `extents` (added in version 3): key [file, first block], value the blocks of a chunk of
 *   EXTENT_BLOCKS aligned blocks in one record (idb-extents.ts). A block record shadows its
 *   copy in an extent.
 * - `journal` (added in version 2): key a sequence number, value one ArrayBuffer of fragments
 *   (file, block, offset, bytes) written by one small sync. Opening applies them in key order
 *   over the extents and then the blocks. Older databases open and upgrade in place.
 */
import { deleteDB, unwrap, wrap, type IDBPDatabase } from 'idb';
import {
  BLCKSZ,
  DiskError,
  emptyStats,
  type Disk,
  type DiskFaultChange,
  type DiskStats,
} from '../engine/storage/disk.ts';
import {
  ALL_BYTES,
  WHOLE_BLOCK,
  changedRange,
  decodeFragments,
  encodeFragments,
  trimmedEnd,
  union,
  type ChangedRange,
  type Fragment,
} from './idb-journal.ts';
import { EXTENT_BLOCKS, chunkOf, decodeExtent, planFile, type FilePlan } from './idb-extents.ts';
import { abortQuietly, diskErrorOf, explain, requestDone, transactionDone } from './idb-requests.ts';
import { openDiskDb, type DiskDb } from './idb-schema.ts';

/**
 * A sync goes to the journal when its changed bytes are at most this many and it truncates
 * nothing. Whole pages gain nothing there (a put each either way, and a second one at the fold).
 */
const JOURNAL_SYNC_MAX_BYTES = 4 * 1024;
/** Past this many records or bytes in the journal, the next sync folds it into `blocks`. */
const JOURNAL_MAX_RECORDS = 256;
const JOURNAL_MAX_BYTES = 1024 * 1024;

/**
 * Where to find IndexedDB; tests pass a fresh fake-indexeddb factory. The IDB globals (IDBKeyRange,
 * and the classes idb checks against) must still match it: in Node, import 'fake-indexeddb/auto'.
 */
export interface IdbDiskOptions {
  idbFactory?: IDBFactory;
}

/** Changes to one file since the last sync, coalesced. */
interface PendingFile {
  /** Lowest truncation point since the last sync (0 = unlinked); undefined when never truncated. */
  truncateTo: number | undefined;
  /**
   * Blocks written since the last sync, each with the byte range that changed (`lo`..`hi`; the
   * whole block when it is new); their current bytes are taken from the cache at sync.
   */
  dirty: Map<number, ChangedRange>;
}

/**
 * One file's part of a sync batch, with the bytes snapshotted when the sync started: copies,
 * whatever the cache's blocks become meanwhile. Blocks are stored without their trailing zero
 * bytes: the WAL's last block (rewritten at every flush) and the control file are mostly zeros.
 */
interface BatchFile extends FilePlan {
  file: string;
  truncateTo: number | undefined;
}

function loaded(value: ArrayBuffer): Uint8Array {
  if (value.byteLength === BLCKSZ) return new Uint8Array(value);
  const block = new Uint8Array(BLCKSZ);
  block.set(new Uint8Array(value, 0, Math.min(value.byteLength, BLCKSZ)));
  return block;
}

/** A Disk backed by one IndexedDB database, with a synchronous in-memory cache in front. */
export class IdbDisk implements Disk {
  private readonly cache = new Map<string, Map<number, Uint8Array>>();
  /** Block numbers held durably, per file: a mirror of the store's keys, for quota checks. */
  private readonly durable = new Map<string, Set<number>>();
  private durableCount = 0;
  /** Chunks with a durable extent record, per file. */
  private readonly extents = new Map<string, Set<number>>();
  private pending = new Map<string, PendingFile>();
  /** Blocks with fragments in the journal store, and its size: the next fold puts them whole. */
  private readonly journaled = new Map<string, Set<number>>();
  private journalRecords = 0;
  private journalBytes = 0;
  private nextJournalKey = 0;
  /** Settles after the last sync started has settled; undefined when no sync is in flight. Never rejects. */
  private tail: Promise<void> | undefined;
  private closedReason: string | undefined;
  /** When set, a sync that would leave more than this many bytes durable fails with disk_full. */
  quotaBytes: number | undefined;
  /** The lab's faults: a disk that is full whatever its quota, and a delay before each sync. */
  private full = false;
  private latencyMs = 0;
  readonly stats: DiskStats = emptyStats();

  private readonly db: IDBPDatabase<DiskDb>;
  /** The IndexedDB database name. */
  readonly name: string;

  private constructor(db: IDBPDatabase<DiskDb>, name: string) {
    this.db = db;
    this.name = name;
    // Another connection wants to upgrade or delete this database ("reset cluster"): let it.
    db.addEventListener('versionchange', () => this.close('the database is being deleted or upgraded'));
    // The browser closed the connection abnormally (storage cleared, disk error).
    db.addEventListener('close', () => {
      this.closedReason ??= 'the database connection was closed by the browser';
    });
  }

  /** Opens (creating when missing) the database `name` and loads every durable block. */
  static async open(name: string, options: IdbDiskOptions = {}): Promise<IdbDisk> {
    const db = await openDiskDb(name, options.idbFactory);
    const disk = new IdbDisk(db, name);
    try {
      const tx = db.transaction(['blocks', 'extents', 'journal'], 'readonly');
      const blocks = tx.objectStore('blocks');
      const extents = tx.objectStore('extents');
      const journal = tx.objectStore('journal');
      const [keys, values, extentKeys, extentValues, journalKeys, records] = await Promise.all([
        blocks.getAllKeys(),
        blocks.getAll(),
        extents.getAllKeys(),
        extents.getAll(),
        journal.getAllKeys(),
        journal.getAll(),
        tx.done,
      ]);
      // Extents first: a block record shadows the copy of its block in an extent.
      extentKeys.forEach(([file, first], i) => {
        disk.extentFile(file).add(chunkOf(first));
        for (const { slot, data } of decodeExtent(extentValues[i]!)) disk.loadBlock(file, first + slot, data);
      });
      keys.forEach(([file, block], i) => disk.loadBlock(file, block, loaded(values[i]!)));
      // getAll returns records in key order: the order they were synced.
      for (const record of records) disk.applyJournalRecord(record);
      disk.nextJournalKey = journalKeys.length > 0 ? journalKeys[journalKeys.length - 1]! + 1 : 0;
    } catch (e) {
      db.close();
      throw new DiskError('io_error', `could not read disk "${name}": ${explain(e)}`);
    }
    return disk;
  }

  /** Deletes the database `name`; open IdbDisks on it close themselves first. */
  static async destroy(name: string, options: IdbDiskOptions = {}): Promise<void> {
    if (options.idbFactory) await wrap(options.idbFactory.deleteDatabase(name));
    else await deleteDB(name);
  }

  /**
   * Closes the connection WITHOUT syncing: unsynced writes are lost, as in a crash. A sync already
   * in flight still completes; later syncs reject with an I/O error.
   */
  close(reason = 'the disk is closed'): void {
    if (this.closedReason === undefined) this.closedReason = reason;
    this.db.close();
  }

  /** Whether the connection is closed (by `close`, a deletion elsewhere, or the browser). */
  get closed(): boolean {
    return this.closedReason !== undefined;
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
    const blocks = this.cacheFile(file);
    const old = blocks.get(block);
    // A fresh array owning its own buffer (even when handed a Node Buffer or a view).
    const copy = new Uint8Array(data);
    blocks.set(block, copy);
    // A block handed back in its cache array (a view changed in place, against the Disk
    // contract) cannot be compared: all of it is taken as changed, never as new.
    const changed = !old ? WHOLE_BLOCK : old.buffer !== data.buffer ? changedRange(old, copy) : ALL_BYTES;
    const dirty = this.pendingFile(file).dirty;
    const before = dirty.get(block);
    if (!changed) return; // the same bytes: nothing new to make durable
    dirty.set(block, before ? union(before, changed) : changed);
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
    const p = this.pendingFile(file);
    p.truncateTo = Math.min(p.truncateTo ?? nblocks, nblocks);
    for (const b of [...p.dirty.keys()]) if (b >= nblocks) p.dirty.delete(b);
  }

  unlink(file: string): void {
    this.cache.delete(file);
    const p = this.pendingFile(file);
    p.truncateTo = 0;
    p.dirty.clear();
  }

  files(prefix = ''): string[] {
    return [...this.cache.keys()].filter((f) => f.startsWith(prefix) && this.cache.get(f)!.size > 0).sort();
  }

  /**
   * Starts a sync of everything written so far. When no sync is in flight the batch is taken at
   * once (writes after this call belong to the next sync); otherwise this sync queues behind the
   * one in flight and takes its batch when that one settles.
   */
  sync(): Promise<void> {
    const prev = this.tail;
    const run = prev ? prev.then(() => this.syncNow()) : this.syncNow();
    const tail: Promise<void> = run
      .catch(() => undefined)
      .then(() => {
        if (this.tail === tail) this.tail = undefined;
      });
    this.tail = tail;
    return run;
  }

  /**
   * The disk I/O check fails as a sync would on this disk now: closed (the browser dropped the
   * connection, or the database is being deleted) or full. It makes no IndexedDB round trip:
   * the browser commits every database of a page one after another, so a probe record would
   * wait behind the bulk load of another instance, and a busy queue is not a failed disk.
   */
  setFaults(change: DiskFaultChange): void {
    if (change.full !== undefined) this.full = change.full;
    if (change.latencyMs !== undefined) this.latencyMs = change.latencyMs;
  }

  async checkIO(): Promise<void> {
    if (this.latencyMs > 0) await this.slow();
    if (this.closedReason !== undefined)
      throw new DiskError('io_error', `could not fsync file: ${this.closedReason}`);
    if (this.full || (this.quotaBytes !== undefined && (this.durableCount + 1) * BLCKSZ > this.quotaBytes))
      throw new DiskError('disk_full', 'could not write to file: No space left on device');
  }

  /** A slow disk (the lab's fault): every sync and I/O check takes latencyMs longer. */
  private async slow(): Promise<void> {
    if (this.latencyMs > 0) await new Promise<void>((r) => setTimeout(r, this.latencyMs));
  }

  /** Total bytes held durably (for the lab's disk view and quota checks). */
  durableBytes(): number {
    return this.durableCount * BLCKSZ;
  }

  /** Number of blocks and files with changes not yet synced. */
  get pendingWrites(): number {
    let n = 0;
    for (const p of this.pending.values()) n += p.dirty.size + (p.truncateTo === undefined ? 0 : 1);
    return n;
  }

  private async syncNow(): Promise<void> {
    const taken = this.pending;
    this.pending = new Map();
    // Snapshot the bytes now: writes made while the transaction runs belong to the next sync.
    const fragments = this.journalFragments(taken);
    const batch = fragments ? undefined : this.foldBatch(taken);
    const touched: BatchFile[] = batch ?? fragmentFiles(fragments ?? []);
    try {
      if (this.latencyMs > 0) await this.slow();
      if (this.closedReason !== undefined)
        throw new DiskError('io_error', `could not fsync file: ${this.closedReason}`);
      if (this.full || (this.quotaBytes !== undefined && this.countAfter(touched) * BLCKSZ > this.quotaBytes))
        throw new DiskError('disk_full', 'could not write to file: No space left on device');
      if (fragments) {
        if (fragments.length > 0) await this.appendJournal(encodeFragments(fragments));
      } else if (batch!.length > 0 || this.journalRecords > 0) await this.commit(batch!);
    } catch (e) {
      this.requeue(taken);
      throw e;
    }
    this.applyDurable(touched);
    let bytes = 0;
    if (fragments) {
      for (const f of fragments) {
        bytes += f.bytes.length;
        this.noteJournaled(f.file, f.block);
      }
      if (fragments.length > 0) this.journalRecords++;
      this.journalBytes += bytes;
    } else {
      for (const f of batch!) for (const [, data] of [...f.puts, ...f.extents]) bytes += data.byteLength;
      this.journaled.clear();
      this.journalRecords = 0;
      this.journalBytes = 0;
    }
    this.stats.syncs++;
    this.stats.blocksSynced += touched.reduce((n, f) => n + f.blocks.length, 0);
    this.stats.bytesSynced += bytes;
  }

  /**
   * The changed ranges of a small sync, copied now; undefined when the sync must fold instead
   * (a truncate or unlink, too many bytes, or a journal that is due to be folded).
   */
  private journalFragments(taken: Map<string, PendingFile>): Fragment[] | undefined {
    if (this.journalRecords >= JOURNAL_MAX_RECORDS || this.journalBytes >= JOURNAL_MAX_BYTES)
      return undefined;
    const out: Fragment[] = [];
    let bytes = 0;
    for (const [file, p] of taken) {
      if (p.truncateTo !== undefined) return undefined;
      const f = this.cache.get(file);
      for (const [block, range] of p.dirty) {
        const data = f?.get(block);
        if (!data) continue;
        // A new block's range is the whole block; its trailing zeros need not be stored.
        const hi = range === WHOLE_BLOCK ? trimmedEnd(data) : range.hi;
        bytes += hi - range.lo;
        if (bytes > JOURNAL_SYNC_MAX_BYTES) return undefined;
        out.push({ file, block, offset: range.lo, bytes: data.slice(range.lo, hi) });
      }
    }
    return out;
  }

  /** A full sync's batch: the taken changes, plus every journaled block, put whole. */
  private foldBatch(taken: Map<string, PendingFile>): BatchFile[] {
    const batch: BatchFile[] = [];
    const files = new Set([...taken.keys(), ...this.journaled.keys()]);
    for (const file of files) {
      const p = taken.get(file);
      const touched = new Set([...(p?.dirty.keys() ?? []), ...(this.journaled.get(file) ?? [])]);
      const plan = planFile(this.cache.get(file), touched, p?.truncateTo, this.extents.get(file));
      batch.push({ file, truncateTo: p?.truncateTo, ...plan });
    }
    return batch;
  }

  /** One small sync: one record appended to the journal, in one transaction. */
  private async appendJournal(record: ArrayBuffer): Promise<void> {
    try {
      // The plain API: idb's promise wrappers measured about a third slower per transaction.
      const db = unwrap(this.db) as IDBDatabase;
      const tx = db.transaction('journal', 'readwrite');
      const done = transactionDone(tx);
      try {
        tx.objectStore('journal').put(record, this.nextJournalKey);
        // Commit now rather than when the put's success event has come back to this thread and
        // found no more requests: on a thread busy with messages that event waits its turn, and
        // the commit with it (measured: p50 1,410 µs against 865 µs behind 300 µs tasks).
        tx.commit();
      } catch (e) {
        void done.catch(() => undefined);
        abortQuietly(tx);
        throw e;
      }
      await done;
      this.nextJournalKey++;
    } catch (e) {
      throw diskErrorOf(e);
    }
  }

  /** One block as read from the store (opening). */
  private loadBlock(file: string, block: number, data: Uint8Array): void {
    this.cacheFile(file).set(block, data);
    const durable = this.durableFile(file);
    if (durable.has(block)) return;
    durable.add(block);
    this.durableCount++;
  }

  /** Applies one journal record over the blocks loaded so far (opening). */
  private applyJournalRecord(record: ArrayBuffer): void {
    for (const { file, block, offset, bytes } of decodeFragments(record)) {
      const blocks = this.cacheFile(file);
      let data = blocks.get(block);
      if (!data) blocks.set(block, (data = new Uint8Array(BLCKSZ)));
      data.set(bytes, offset);
      const durable = this.durableFile(file);
      if (!durable.has(block)) {
        durable.add(block);
        this.durableCount++;
      }
      this.noteJournaled(file, block);
      this.journalBytes += bytes.length;
    }
    this.journalRecords++;
  }

  private noteJournaled(file: string, block: number): void {
    let set = this.journaled.get(file);
    if (!set) this.journaled.set(file, (set = new Set()));
    set.add(block);
  }

  /**
   * Writes the batch in one readwrite transaction, and clears the journal it folds; maps
   * IndexedDB failures to DiskErrors.
   */
  private async commit(batch: BatchFile[]): Promise<void> {
    try {
      // The plain API, as for the journal: idb wraps every request in a promise with listeners,
      // which a bulk sync of thousands of puts paid for in CPU (the bench's worker profiles).
      const db = unwrap(this.db) as IDBDatabase;
      const tx = db.transaction(['blocks', 'extents', 'journal'], 'readwrite');
      const done = transactionDone(tx);
      // Handled now: a request that fails while a slice is awaited rejects it before the catch
      // below is reached (it is awaited at the end all the same).
      void done.catch(() => undefined);
      const store = tx.objectStore('blocks');
      const extentStore = tx.objectStore('extents');
      try {
        // Requests are issued a slice at a time, each slice once the previous one's last request
        // succeeded (the transaction is still active then): a sync of thousands of blocks never
        // holds the thread for the whole batch, so probes and replication messages run between.
        let issued = 0;
        let bytes = 0;
        const slice = async (request: IDBRequest, data: ArrayBuffer) => {
          bytes += data.byteLength;
          if (++issued < REQUESTS_PER_SLICE && bytes < BYTES_PER_SLICE) return;
          issued = bytes = 0;
          await requestDone(request);
        };
        if (this.journalRecords > 0) tx.objectStore('journal').clear();
        for (const { file, truncateTo, puts, extents } of batch) {
          if (truncateTo !== undefined) {
            store.delete(IDBKeyRange.bound([file, truncateTo], [file, Infinity]));
            if (this.extents.has(file))
              extentStore.delete(
                IDBKeyRange.bound([file, chunkOf(truncateTo) * EXTENT_BLOCKS], [file, Infinity]),
              );
          }
          for (const [first, data] of extents) {
            // The extent holds the chunk's newest blocks: the records that shadowed it go.
            store.delete(IDBKeyRange.bound([file, first], [file, first + EXTENT_BLOCKS - 1]));
            await slice(extentStore.put(data, [file, first]), data);
          }
          for (const [block, data] of puts) await slice(store.put(data, [file, block]), data);
        }
        // Every request is issued: commit without a further trip through the event loop.
        tx.commit();
      } catch (e) {
        // A request that throws (quota, bad key) must not let the requests before it commit.
        abortQuietly(tx);
        // A request the transaction's failure aborted reports AbortError; the cause (a full
        // disk) is the transaction's.
        throw tx.error ?? e;
      }
      await done;
    } catch (e) {
      throw diskErrorOf(e);
    }
  }

  /** Number of durable blocks once `batch` is applied. */
  private countAfter(batch: BatchFile[]): number {
    let n = this.durableCount;
    for (const { file, truncateTo, blocks } of batch) {
      const d = this.durable.get(file);
      if (truncateTo !== undefined && d) for (const b of d) if (b >= truncateTo) n--;
      for (const b of blocks) if (!d?.has(b) || (truncateTo !== undefined && b >= truncateTo)) n++;
    }
    return n;
  }

  private applyDurable(batch: BatchFile[]): void {
    for (const { file, truncateTo, blocks, extents } of batch) {
      const d = this.durableFile(file);
      if (truncateTo !== undefined) {
        for (const b of [...d])
          if (b >= truncateTo) {
            d.delete(b);
            this.durableCount--;
          }
        const cut = chunkOf(truncateTo);
        const e = this.extents.get(file);
        if (e) for (const c of [...e]) if (c >= cut) e.delete(c);
      }
      for (const b of blocks)
        if (!d.has(b)) {
          d.add(b);
          this.durableCount++;
        }
      if (d.size === 0) this.durable.delete(file);
      for (const [first] of extents) this.extentFile(file).add(chunkOf(first));
      if (this.extents.get(file)?.size === 0) this.extents.delete(file);
    }
  }

  /** Puts a failed batch back, ahead of the changes made since it was taken. */
  private requeue(taken: Map<string, PendingFile>): void {
    for (const [file, newer] of this.pending) {
      const older = taken.get(file);
      if (!older) taken.set(file, newer);
      else {
        if (newer.truncateTo !== undefined)
          older.truncateTo = Math.min(older.truncateTo ?? Infinity, newer.truncateTo);
        // Blocks truncated away since are skipped at sync (absent from the cache) and covered by
        // the range delete; blocks written since are read from the cache at their latest.
        for (const [b, r] of newer.dirty) {
          const o = older.dirty.get(b);
          older.dirty.set(b, o ? union(o, r) : r);
        }
      }
    }
    this.pending = taken;
  }

  private cacheFile(file: string): Map<number, Uint8Array> {
    let f = this.cache.get(file);
    if (!f) this.cache.set(file, (f = new Map()));
    return f;
  }

  private extentFile(file: string): Set<number> {
    let f = this.extents.get(file);
    if (!f) this.extents.set(file, (f = new Set()));
    return f;
  }

  private durableFile(file: string): Set<number> {
    let f = this.durable.get(file);
    if (!f) this.durable.set(file, (f = new Set()));
    return f;
  }

  private pendingFile(file: string): PendingFile {
    let p = this.pending.get(file);
    if (!p) this.pending.set(file, (p = { truncateTo: undefined, dirty: new Map() }));
    return p;
  }
}

/**
 * Requests, or bytes, a sync issues before it lets the thread go (until the last one of them
 * succeeds): a put clones its value on the calling thread.
 */
const REQUESTS_PER_SLICE = 64;
const BYTES_PER_SLICE = 2 * 1024 * 1024;

/** Fragments as the blocks they touch (for quota and durable-block accounting). */
function fragmentFiles(fragments: Fragment[]): BatchFile[] {
  const byFile = new Map<string, BatchFile>();
  for (const f of fragments) {
    let entry = byFile.get(f.file);
    if (!entry)
      byFile.set(
        f.file,
        (entry = { file: f.file, truncateTo: undefined, puts: [], extents: [], blocks: [] }),
      );
    entry.puts.push([f.block, f.bytes.buffer as ArrayBuffer]);
    entry.blocks.push(f.block);
  }
  return [...byFile.values()];
}
