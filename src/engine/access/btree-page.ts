/**
 * B-tree index pages, laid out as Postgres' nbtree lays them out: the page header and line
 * pointers of page.ts, index tuples growing down from the special space, and 16 bytes of
 * special space at the end of the page:
 *
 * | offset      | size | field        |                                           |
 * |-------------|------|--------------|-------------------------------------------|
 * | BLCKSZ - 16 | 4    | btpo_prev    | left sibling (0: none)                     |
 * | BLCKSZ - 12 | 4    | btpo_next    | right sibling (0: none)                    |
 * | BLCKSZ - 8  | 4    | btpo_level   | 0 for leaves                               |
 * | BLCKSZ - 4  | 2    | btpo_flags   | BTP_LEAF, BTP_ROOT, BTP_META               |
 * | BLCKSZ - 2  | 2    | btpo_cycleid | 0                                          |
 *
 * Index tuple: t_tid (block u32, offset u16) | t_info u16 (size, and BT_PIVOT_HEAP_TID when a
 * pivot carries a heap tid) | the key (tuple-codec.ts). A leaf tuple points at a heap row; a
 * pivot on an internal page points at a child page (t_tid block) and holds the child's least
 * (key, heap tid), the heap tid last; an internal page's first pivot has no key ("minus
 * infinity"). Entries sort by key, then heap tid, so equal keys are ordered too (Postgres 12's
 * heap-tid tiebreaker) and every page split is deterministic.
 *
 * Block 0 is the metapage: magic, version, root, level, fastroot, fastlevel after the header.
 *
 * Every change is a whole page rewritten or one tuple inserted at an offset, done by the same
 * function on the primary and in redo, so a mirror's index files are byte-identical.
 */
import { BLCKSZ } from '../storage/disk.ts';
import {
  getTuple,
  initPage,
  INDEX_TUPLE_HEADER_SIZE,
  ITEM_ID_SIZE,
  itemId,
  LP_NORMAL,
  maxOffset,
  PAGE_HEADER_SIZE,
  setItemId,
  type Tid,
} from '../storage/page.ts';

export const BT_SPECIAL_SIZE = 16;
export const BTP_LEAF = 1;
export const BTP_ROOT = 2;
export const BTP_META = 8;
export const BTREE_MAGIC = 0x053162;
export const BTREE_VERSION = 4;
/** No page (a sibling link, an empty tree's root): block 0 is the metapage, never a target. */
export const P_NONE = 0;
export const BT_PIVOT_HEAP_TID = 0x2000;
const SIZE_MASK = 0x1fff;
/** Postgres' limit for btree version 4: a third of a page, less overhead. */
export const BTREE_MAX_ITEM_SIZE = 2704;

const SPECIAL = BLCKSZ - BT_SPECIAL_SIZE;
const META_AT = PAGE_HEADER_SIZE;
const META_SIZE = 24;

const dv = (p: Uint8Array): DataView => new DataView(p.buffer, p.byteOffset, p.byteLength);

export interface BtOpaque {
  prev: number;
  next: number;
  level: number;
  flags: number;
}

export function initIndexPage(page: Uint8Array, o: BtOpaque): void {
  initPage(page);
  const v = dv(page);
  v.setUint16(14, SPECIAL, true);
  v.setUint16(16, SPECIAL, true);
  setOpaque(page, o);
}

export function opaque(page: Uint8Array): BtOpaque {
  const v = dv(page);
  return {
    prev: v.getUint32(SPECIAL, true),
    next: v.getUint32(SPECIAL + 4, true),
    level: v.getUint32(SPECIAL + 8, true),
    flags: v.getUint16(SPECIAL + 12, true),
  };
}

export function setOpaque(page: Uint8Array, o: BtOpaque): void {
  const v = dv(page);
  v.setUint32(SPECIAL, o.prev, true);
  v.setUint32(SPECIAL + 4, o.next, true);
  v.setUint32(SPECIAL + 8, o.level, true);
  v.setUint16(SPECIAL + 12, o.flags, true);
  v.setUint16(SPECIAL + 14, 0, true);
}

export interface BtMeta {
  root: number;
  level: number;
}

export function initMetaPage(page: Uint8Array, m: BtMeta): void {
  initIndexPage(page, { prev: P_NONE, next: P_NONE, level: 0, flags: BTP_META });
  setMeta(page, m);
  dv(page).setUint16(12, META_AT + META_SIZE, true);
}

export function readMeta(page: Uint8Array): BtMeta & { magic: number } {
  const v = dv(page);
  return {
    magic: v.getUint32(META_AT, true),
    root: v.getUint32(META_AT + 8, true),
    level: v.getUint32(META_AT + 12, true),
  };
}

export function setMeta(page: Uint8Array, m: BtMeta): void {
  const v = dv(page);
  v.setUint32(META_AT, BTREE_MAGIC, true);
  v.setUint32(META_AT + 4, BTREE_VERSION, true);
  v.setUint32(META_AT + 8, m.root, true);
  v.setUint32(META_AT + 12, m.level, true);
  v.setUint32(META_AT + 16, m.root, true);
  v.setUint32(META_AT + 20, m.level, true);
}

/** Index tuples on the page (the metapage has none: its pd_lower covers the metadata). */
export function itemCount(page: Uint8Array): number {
  return opaque(page).flags & BTP_META ? 0 : maxOffset(page);
}

export function item(page: Uint8Array, offset: number): Uint8Array {
  return getTuple(page, offset)!;
}

export function freeSpace(page: Uint8Array): number {
  const v = dv(page);
  return v.getUint16(14, true) - v.getUint16(12, true);
}

/** Whether `len` more bytes of tuple (and its line pointer) fit. */
export function fits(page: Uint8Array, len: number): boolean {
  return freeSpace(page) >= len + ITEM_ID_SIZE;
}

/**
 * Inserts an index tuple at `offset` (1-based), shifting the line pointers after it, as
 * Postgres' PageAddItem does for index pages. The caller has checked that it fits.
 */
export function insertItem(page: Uint8Array, offset: number, tuple: Uint8Array): void {
  const v = dv(page);
  const lower = v.getUint16(12, true);
  const upper = v.getUint16(14, true) - tuple.length;
  const n = maxOffset(page);
  for (let o = n; o >= offset; o--) {
    const id = itemId(page, o);
    setItemId(page, o + 1, id.off, id.flags, id.len);
  }
  page.set(tuple, upper);
  setItemId(page, offset, upper, LP_NORMAL, tuple.length);
  v.setUint16(12, lower + ITEM_ID_SIZE, true);
  v.setUint16(14, upper, true);
}

/** A page built whole from its tuples, in order (splits and builds). */
export function buildPage(page: Uint8Array, o: BtOpaque, tuples: readonly Uint8Array[]): void {
  initIndexPage(page, o);
  for (let i = 0; i < tuples.length; i++) insertItem(page, i + 1, tuples[i]!);
}

// ---- index tuples ---------------------------------------------------------------------------

export function leafTuple(heapTid: Tid, key: Uint8Array): Uint8Array {
  const t = new Uint8Array(INDEX_TUPLE_HEADER_SIZE + key.length);
  const v = dv(t);
  v.setUint32(0, heapTid.block, true);
  v.setUint16(4, heapTid.offset, true);
  v.setUint16(6, t.length & SIZE_MASK, true);
  t.set(key, INDEX_TUPLE_HEADER_SIZE);
  return t;
}

/** A pivot pointing at `child`: with the least entry of the child's subtree, or minus infinity. */
export function pivotTuple(child: number, least?: { key: Uint8Array; heapTid: Tid }): Uint8Array {
  const len = INDEX_TUPLE_HEADER_SIZE + (least ? least.key.length + 6 : 0);
  const t = new Uint8Array(len);
  const v = dv(t);
  v.setUint32(0, child, true);
  v.setUint16(4, 0, true);
  v.setUint16(6, (len & SIZE_MASK) | (least ? BT_PIVOT_HEAP_TID : 0), true);
  if (least) {
    t.set(least.key, INDEX_TUPLE_HEADER_SIZE);
    v.setUint32(len - 6, least.heapTid.block, true);
    v.setUint16(len - 2, least.heapTid.offset, true);
  }
  return t;
}

/** The tuple's t_tid: a leaf's heap row, a pivot's child block. */
export function tupleTid(t: Uint8Array): Tid {
  const v = dv(t);
  return { block: v.getUint32(0, true), offset: v.getUint16(4, true) };
}

export function isMinusInfinity(t: Uint8Array): boolean {
  return t.length === INDEX_TUPLE_HEADER_SIZE;
}

/** The key bytes and heap tid an entry sorts by (a leaf's own; a pivot's stored one). */
export function entryOf(t: Uint8Array): { key: Uint8Array; heapTid: Tid } {
  const v = dv(t);
  if (v.getUint16(6, true) & BT_PIVOT_HEAP_TID) {
    const len = t.length;
    return {
      key: t.subarray(INDEX_TUPLE_HEADER_SIZE, len - 6),
      heapTid: { block: v.getUint32(len - 6, true), offset: v.getUint16(len - 2, true) },
    };
  }
  return { key: t.subarray(INDEX_TUPLE_HEADER_SIZE), heapTid: tupleTid(t) };
}
