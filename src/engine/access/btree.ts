/**
 * B-tree indexes (Postgres' nbtree, simplified where the lab needs less): entries sorted by
 * (key, heap tid) in leaf pages linked left to right, internal pages of pivots above them, a
 * metapage naming the root. Entries point at heap row versions; a reader checks the row's
 * visibility in the heap, so an entry left by an aborted or deleted row is harmless, as in
 * Postgres (there is no VACUUM here to remove them).
 *
 * Writers of one index take turns (one insert at a time, page splits included); readers never
 * wait. A split writes the new right page and links it before any parent points at it, and a
 * reader that reached the old page follows the right link, so it finds every entry (Lehman and
 * Yao's B-link tree). A cascade of splits is one WAL record of whole pages, so redo never sees
 * half of one. An insert that fits is a small record of the tuple and its offset.
 */
import { sqlError } from '../errors.ts';
import { rowCodec, type RowCodec } from '../sql/tuple-codec.ts';
import type { SqlType, Value } from '../sql/types.ts';
import type { Transaction } from '../txn/xact.ts';
import { Rmgr, type WalRecord } from '../wal/record.ts';
import type { Frame } from '../storage/buffer-pool.ts';
import { relationFile, type StorageContext } from './context.ts';
import { BLCKSZ } from '../storage/disk.ts';
import { redoOnPage } from './heap.ts';
import { ITEM_ID_SIZE, PAGE_HEADER_SIZE, setPageLsn, type Tid } from '../storage/page.ts';
import {
  BT_SPECIAL_SIZE,
  BTP_LEAF,
  BTP_ROOT,
  BTREE_MAX_ITEM_SIZE,
  buildPage,
  entryOf,
  fits,
  initMetaPage,
  insertItem,
  item,
  itemCount,
  leafTuple,
  opaque,
  P_NONE,
  pivotTuple,
  readMeta,
  setMeta,
  setOpaque,
  tupleTid,
} from './btree-page.ts';

export const BtreeInfo = {
  /** One tuple inserted at an offset: relfilenode u32 | block u32 | offset u16 | tuple. */
  insert: 0x00,
  /** Whole pages: relfilenode u32 | count u16 | (block u32 | page) × count. */
  pages: 0x10,
} as const;

/** Room for tuples and line pointers on a page. */
const CAPACITY = BLCKSZ - BT_SPECIAL_SIZE - PAGE_HEADER_SIZE;
/** Postgres' default fillfactors: leaves 90 %, internal pages 70 %, on a rightmost split. */
const LEAF_FILL = 0.9;
const INTERNAL_FILL = 0.7;
/** Pages per record when a build logs what it wrote. */
const BUILD_PAGES_PER_RECORD = 4;

export interface IndexEntry {
  key: Value[];
  tid: Tid;
}

/** A key range on a prefix of the index columns (a bound's key may be shorter than a full key). */
export interface ScanBounds {
  lower?: { key: Value[]; inclusive: boolean };
  upper?: { key: Value[]; inclusive: boolean };
}

/** A unique check's verdict on the entries equal to a new key. */
export type UniqueVerdict = 'ok' | { conflict: Tid } | { wait: number };

/**
 * How two non-null key values of a column's type order: the type system's comparison, handed
 * in by whoever opens the index (as a Postgres btree opclass supplies its support procedure).
 * The access method does not import it, so an instance that only replays WAL never loads the
 * SQL type system.
 */
export type KeyComparator = (a: Value, b: Value, type: SqlType) => number;

export class BtreeIndex {
  readonly file: string;
  private readonly codec: RowCodec;
  /** Writers' turn: each insert (with its unique check) runs after the one before. */
  private turn: Promise<unknown> = Promise.resolve();

  private readonly ctx: StorageContext;
  readonly relfilenode: number;
  readonly name: string;
  readonly types: SqlType[];
  private readonly compare: KeyComparator;

  constructor(
    ctx: StorageContext,
    relfilenode: number,
    name: string,
    types: SqlType[],
    compare: KeyComparator,
  ) {
    this.ctx = ctx;
    this.relfilenode = relfilenode;
    this.name = name;
    this.types = types;
    this.compare = compare;
    this.file = relationFile(relfilenode);
    this.codec = rowCodec(types);
  }

  /** Builds the index over `entries` into its empty file, bottom up, as CREATE INDEX does. */
  async build(tx: Transaction, entries: IndexEntry[]): Promise<void> {
    entries.sort((a, b) => this.compareEntries(a.key, a.tid, b.key, b.tid));
    const tuples = entries.map((e) => this.leafTupleFor(e.key, e.tid));
    const pinned: Frame[] = [];
    // Pages written and pinned, not yet logged.
    let pending: Frame[] = [];
    try {
      const meta = await this.ctx.pool.extend(this.file);
      pinned.push(meta);
      // A level at a time: its pages' tuples, and the least entry under each page.
      let pages = tuples.length ? packPages(tuples, LEAF_FILL) : [];
      let leasts = pages.map((pg) => entryOf(pg[0]!));
      let level = 0;
      let next = 1;
      let root = P_NONE;
      while (pages.length) {
        const first = next;
        for (let i = 0; i < pages.length; i++) {
          const f = await this.ctx.pool.extend(this.file);
          if (f.block !== first + i)
            throw new Error(`index build of ${this.file}: block ${f.block} is not ${first + i}`);
          buildPage(
            f.page,
            {
              prev: i ? f.block - 1 : P_NONE,
              next: i < pages.length - 1 ? f.block + 1 : P_NONE,
              level,
              flags: (level === 0 ? BTP_LEAF : 0) | (pages.length === 1 ? BTP_ROOT : 0),
            },
            pages[i]!,
          );
          pending.push(f);
          if (pending.length >= BUILD_PAGES_PER_RECORD) {
            this.logPages(tx, pending);
            for (const p of pending) this.ctx.pool.unpin(p);
            pending = [];
          }
        }
        next = first + pages.length;
        if (pages.length === 1) {
          root = first;
          break;
        }
        // The level above: a pivot per page, packed; each upper page's first pivot is minus
        // infinity, and the least entry under it is its first child's.
        const pivots = pages.map((_, i) => pivotTuple(first + i, leasts[i]));
        const upper = packPages(pivots, INTERNAL_FILL);
        let child = 0;
        leasts = upper.map((pg) => {
          const least = leasts[child]!;
          child += pg.length;
          return least;
        });
        for (const pg of upper) pg[0] = pivotTuple(tupleTid(pg[0]!).block);
        pages = upper;
        level++;
      }
      initMetaPage(meta.page, { root, level: root === P_NONE ? 0 : level });
      this.logPages(tx, [...pending, meta]);
      pinned.push(...pending.splice(0));
    } finally {
      for (const f of [...pinned, ...pending]) this.ctx.pool.unpin(f);
    }
  }

  /**
   * Inserts an entry. With `unique`, the heap rows of the equal entries are judged first
   * (NULLs never conflict); a verdict other than 'ok' is returned and nothing is inserted.
   */
  insert(
    tx: Transaction,
    key: Value[],
    tid: Tid,
    unique?: (equal: Tid[]) => Promise<UniqueVerdict>,
  ): Promise<UniqueVerdict> {
    const run = this.turn.then(async (): Promise<UniqueVerdict> => {
      const tuple = this.leafTupleFor(key, tid);
      if (unique && key.every((v) => v !== null)) {
        const equal: Tid[] = [];
        for await (const tids of this.scan({
          lower: { key, inclusive: true },
          upper: { key, inclusive: true },
        }))
          equal.push(...tids);
        const verdict = await unique(equal);
        if (verdict !== 'ok') return verdict;
      }
      await this.insertTuple(tx, key, tid, tuple);
      return 'ok';
    });
    this.turn = run.catch(() => undefined);
    return run;
  }

  /** Heap tids of the entries within `b`, in index order, a leaf page at a time. */
  async *scan(b: ScanBounds): AsyncGenerator<Tid[]> {
    const metaFrame = await this.pin(0);
    const { root } = readMeta(metaFrame.page);
    this.ctx.pool.unpin(metaFrame);
    if (root === P_NONE) return;
    let block = root;
    for (;;) {
      const f = await this.pin(block);
      try {
        const page = f.page;
        if (opaque(page).level === 0) break;
        // The last pivot below the lower bound: equal keys may begin in the child before one
        // whose pivot holds the bound's key with a later heap tid.
        let off = 1;
        if (b.lower) {
          const n = itemCount(page);
          let lo = 2;
          let hi = n;
          while (lo <= hi) {
            const mid = (lo + hi) >> 1;
            if (this.comparePrefix(this.keyOf(item(page, mid)), b.lower.key) < 0) {
              off = mid;
              lo = mid + 1;
            } else hi = mid - 1;
          }
        }
        block = tupleTid(item(page, off)).block;
      } finally {
        this.ctx.pool.unpin(f);
      }
    }
    while (block !== P_NONE) {
      const f = await this.pin(block);
      const out: Tid[] = [];
      let stop = false;
      try {
        const page = f.page;
        const n = itemCount(page);
        for (let o = 1; o <= n; o++) {
          const e = entryOf(item(page, o));
          const key = this.codec.decode(e.key);
          if (b.lower) {
            const c = this.comparePrefix(key, b.lower.key);
            if (c < 0 || (c === 0 && !b.lower.inclusive)) continue;
          }
          if (b.upper) {
            const c = this.comparePrefix(key, b.upper.key);
            if (c > 0 || (c === 0 && !b.upper.inclusive)) {
              stop = true;
              break;
            }
          }
          out.push(e.heapTid);
        }
        block = opaque(page).next;
      } finally {
        this.ctx.pool.unpin(f);
      }
      if (out.length) yield out;
      if (stop) return;
    }
  }

  // ---- inserting ------------------------------------------------------------------------

  private async insertTuple(tx: Transaction, key: Value[], tid: Tid, tuple: Uint8Array): Promise<void> {
    const meta = await this.pin(0);
    const held: Frame[] = [meta];
    try {
      const m = readMeta(meta.page);
      if (m.root === P_NONE) {
        const root = await this.ctx.pool.extend(this.file);
        held.push(root);
        buildPage(root.page, { prev: P_NONE, next: P_NONE, level: 0, flags: BTP_LEAF | BTP_ROOT }, [tuple]);
        setMeta(meta.page, { root: root.block, level: 0 });
        this.logPages(tx, [meta, root]);
        return;
      }
      // Down to the leaf, keeping the path pinned: a split inserts into the parents.
      const path: { frame: Frame; offset: number }[] = [];
      let block = m.root;
      let leaf: Frame;
      for (;;) {
        const f = await this.pin(block);
        held.push(f);
        if (opaque(f.page).level === 0) {
          leaf = f;
          break;
        }
        const off = this.childFor(f.page, key, tid);
        path.push({ frame: f, offset: off });
        block = tupleTid(item(f.page, off)).block;
      }
      const at = this.leafOffset(leaf.page, key, tid);
      if (fits(leaf.page, tuple.length)) {
        insertItem(leaf.page, at, tuple);
        this.logInsert(tx, leaf, at, tuple);
        return;
      }
      await this.split(tx, meta, path, leaf, at, tuple, held);
    } finally {
      for (const f of held) this.ctx.pool.unpin(f);
    }
  }

  /**
   * Splits the leaf, and each parent the new pivot does not fit in, up to a new root if need
   * be: planned first, then the new pages and right siblings are pinned, then every page is
   * rewritten in one synchronous step and logged as one record.
   */
  private async split(
    tx: Transaction,
    meta: Frame,
    path: { frame: Frame; offset: number }[],
    leaf: Frame,
    at: number,
    tuple: Uint8Array,
    held: Frame[],
  ): Promise<void> {
    interface Split {
      frame: Frame;
      level: number;
      left: Uint8Array[];
      right: Uint8Array[];
      /** The least entry of the right half: its pivot goes into the parent. */
      least: { key: Uint8Array; heapTid: Tid };
      /** The pivot to the split below's new page, whose block is not known yet while planning. */
      placeholder?: Uint8Array;
    }
    const splits: Split[] = [];
    let frame = leaf;
    let insAt = at;
    let ins = tuple;
    let placeholder: Uint8Array | undefined;
    let parentAt = path.length;
    let last: { frame: Frame; at: number } | undefined;
    for (;;) {
      const o = opaque(frame.page);
      const n = itemCount(frame.page);
      const items: Uint8Array[] = [];
      for (let i = 1; i <= n; i++) items.push(item(frame.page, i).slice());
      items.splice(insAt - 1, 0, ins);
      const appending = o.next === P_NONE && insAt === items.length;
      const s = splitPoint(items, appending ? (o.level === 0 ? LEAF_FILL : INTERNAL_FILL) : 0.5);
      const e = entryOf(items[s]!);
      const least = { key: e.key.slice(), heapTid: e.heapTid };
      const sp: Split = { frame, level: o.level, left: items.slice(0, s), right: items.slice(s), least };
      if (placeholder) sp.placeholder = placeholder;
      splits.push(sp);
      placeholder = pivotTuple(P_NONE, least);
      if (parentAt === 0) break; // the root split: a new root above
      const parent = path[--parentAt]!;
      if (fits(parent.frame.page, placeholder.length)) {
        last = { frame: parent.frame, at: parent.offset + 1 };
        break;
      }
      frame = parent.frame;
      insAt = parent.offset + 1;
      ins = placeholder;
    }
    // Pin what the split needs: a new page per split (and one for a new root), right siblings.
    const fresh: Frame[] = [];
    for (let i = 0; i < splits.length + (last ? 0 : 1); i++) {
      const f = await this.ctx.pool.extend(this.file);
      held.push(f);
      fresh.push(f);
    }
    const siblings: (Frame | undefined)[] = [];
    for (const sp of splits) {
      const next = opaque(sp.frame.page).next;
      const f = next === P_NONE ? undefined : await this.pin(next);
      if (f) held.push(f);
      siblings.push(f);
    }
    // Then every page at once.
    const changed = new Set<Frame>();
    splits.forEach((sp, i) => {
      const right = fresh[i]!;
      const o = opaque(sp.frame.page);
      if (sp.placeholder) new DataView(sp.placeholder.buffer).setUint32(0, fresh[i - 1]!.block, true);
      // An internal page's first pivot is minus infinity: its key went up to the parent.
      const rightTuples =
        sp.level > 0 ? [pivotTuple(tupleTid(sp.right[0]!).block), ...sp.right.slice(1)] : sp.right;
      buildPage(sp.frame.page, { ...o, next: right.block, flags: o.flags & ~BTP_ROOT }, sp.left);
      buildPage(
        right.page,
        { prev: sp.frame.block, next: o.next, level: o.level, flags: o.flags & BTP_LEAF },
        rightTuples,
      );
      const sib = siblings[i];
      if (sib) {
        setOpaque(sib.page, { ...opaque(sib.page), prev: right.block });
        changed.add(sib);
      }
      changed.add(sp.frame).add(right);
    });
    const top = splits[splits.length - 1]!;
    const pivot = pivotTuple(fresh[splits.length - 1]!.block, top.least);
    if (last) {
      insertItem(last.frame.page, last.at, pivot);
      changed.add(last.frame);
    } else {
      const root = fresh[fresh.length - 1]!;
      const level = top.level + 1;
      buildPage(root.page, { prev: P_NONE, next: P_NONE, level, flags: BTP_ROOT }, [
        pivotTuple(top.frame.block),
        pivot,
      ]);
      setMeta(meta.page, { root: root.block, level });
      changed.add(root).add(meta);
    }
    this.logPages(tx, [...changed]);
  }

  // ---- searching ------------------------------------------------------------------------

  /** On an internal page: the last pivot at or below (key, tid). */
  private childFor(page: Uint8Array, key: Value[], tid: Tid): number {
    let off = 1;
    let lo = 2;
    let hi = itemCount(page);
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const e = entryOf(item(page, mid));
      if (this.compareEntries(this.codec.decode(e.key), e.heapTid, key, tid) <= 0) {
        off = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return off;
  }

  /** On a leaf: the offset of the first entry after (key, tid). */
  private leafOffset(page: Uint8Array, key: Value[], tid: Tid): number {
    let lo = 1;
    let hi = itemCount(page);
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const e = entryOf(item(page, mid));
      if (this.compareEntries(this.codec.decode(e.key), e.heapTid, key, tid) <= 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return lo;
  }

  private keyOf(t: Uint8Array): Value[] {
    return this.codec.decode(entryOf(t).key);
  }

  /** Column by column, NULLs last (a btree's default order), over the shorter key's columns. */
  private comparePrefix(a: Value[], b: Value[]): number {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a[i]!;
      const y = b[i]!;
      if (x === null || y === null) {
        if (x === y) continue;
        return x === null ? 1 : -1;
      }
      const c = this.compare(x, y, this.types[i]!);
      if (c) return c;
    }
    return 0;
  }

  private compareEntries(ak: Value[], at: Tid, bk: Value[], bt: Tid): number {
    return this.comparePrefix(ak, bk) || at.block - bt.block || at.offset - bt.offset;
  }

  private leafTupleFor(key: Value[], tid: Tid): Uint8Array {
    const t = leafTuple(tid, this.codec.encode(key));
    if (t.length > BTREE_MAX_ITEM_SIZE)
      throw sqlError(
        'program_limit_exceeded',
        `index row size ${t.length} exceeds btree version 4 maximum ${BTREE_MAX_ITEM_SIZE} for index "${this.name}"`,
        { hint: 'Values larger than 1/3 of a buffer page cannot be indexed.' },
      );
    return t;
  }

  // ---- pages and WAL --------------------------------------------------------------------

  private pin(block: number): Promise<Frame> {
    const f = this.ctx.pool.tryPin(this.file, block);
    return f ? Promise.resolve(f) : this.ctx.pool.pin(this.file, block);
  }

  private logInsert(tx: Transaction, f: Frame, offset: number, tuple: Uint8Array): void {
    const payload = new Uint8Array(10 + tuple.length);
    const v = new DataView(payload.buffer);
    v.setUint32(0, this.relfilenode, true);
    v.setUint32(4, f.block, true);
    v.setUint16(8, offset, true);
    payload.set(tuple, 10);
    this.log(tx, BtreeInfo.insert, payload, [f]);
  }

  private logPages(tx: Transaction, frames: Frame[]): void {
    if (!frames.length) return;
    const payload = new Uint8Array(6 + frames.length * (4 + BLCKSZ));
    const v = new DataView(payload.buffer);
    v.setUint32(0, this.relfilenode, true);
    v.setUint16(4, frames.length, true);
    let at = 6;
    for (const f of frames) {
      v.setUint32(at, f.block, true);
      payload.set(f.page, at + 4);
      at += 4 + BLCKSZ;
    }
    this.log(tx, BtreeInfo.pages, payload, frames);
  }

  private log(tx: Transaction, info: number, payload: Uint8Array, frames: Frame[]): void {
    const xid = tx.assignXid();
    const { end } = this.ctx.wal.insert(Rmgr.btree, info, xid, payload);
    tx.lastLsn = end;
    for (const f of frames) {
      setPageLsn(f.page, end);
      this.ctx.pool.markDirty(f);
    }
  }
}

/** Redo of a btree record: the same page changes, on each page older than the record. */
export async function btreeRedo(ctx: StorageContext, rec: WalRecord): Promise<void> {
  const p = rec.payload;
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const file = relationFile(v.getUint32(0, true));
  if ((rec.info & 0x70) === BtreeInfo.insert) {
    const tuple = p.slice(10);
    await redoOnPage(ctx, file, v.getUint32(4, true), rec, false, (page) =>
      insertItem(page, v.getUint16(8, true), tuple),
    );
    return;
  }
  const n = v.getUint16(4, true);
  for (let i = 0, at = 6; i < n; i++, at += 4 + BLCKSZ) {
    const image = p.subarray(at + 4, at + 4 + BLCKSZ);
    await redoOnPage(ctx, file, v.getUint32(at, true), rec, false, (page) => page.set(image));
  }
}

/** Tuples packed into pages at `fill` of a page each (the last page takes what is left). */
function packPages(tuples: Uint8Array[], fill: number): Uint8Array[][] {
  const pages: Uint8Array[][] = [];
  let cur: Uint8Array[] = [];
  let used = 0;
  for (const t of tuples) {
    const need = t.length + ITEM_ID_SIZE;
    if (cur.length && used + need > CAPACITY * fill) {
      pages.push(cur);
      cur = [];
      used = 0;
    }
    cur.push(t);
    used += need;
  }
  if (cur.length) pages.push(cur);
  return pages;
}

/** Where to split `items` so the left half holds about `leftShare` of the bytes, both fitting. */
function splitPoint(items: Uint8Array[], leftShare: number): number {
  const sizes = items.map((t) => t.length + ITEM_ID_SIZE);
  const total = sizes.reduce((a, b) => a + b, 0);
  let best = 1;
  let bestGap = Infinity;
  let left = 0;
  for (let s = 1; s < items.length; s++) {
    left += sizes[s - 1]!;
    if (left > CAPACITY || total - left > CAPACITY) continue;
    const gap = Math.abs(left - total * leftShare);
    if (gap < bestGap) {
      bestGap = gap;
      best = s;
    }
  }
  return best;
}
