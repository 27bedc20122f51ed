/**
 * Slotted heap pages, laid out as Postgres lays them out (8 KB, little-endian):
 *
 * | offset      | size | field        |                                                  |
 * |-------------|------|--------------|--------------------------------------------------|
 * | 0           | 8    | pd_lsn       | end LSN of the last WAL record that changed it    |
 * | 8           | 2    | pd_checksum  | set on the copy written to disk (checksum.ts)     |
 * | 10          | 2    | pd_flags     |                                                  |
 * | 12          | 2    | pd_lower     | end of the line pointer array                    |
 * | 14          | 2    | pd_upper     | start of tuple space (tuples grow down from end) |
 * | 16          | 2    | pd_special   | = BLCKSZ (no special space on heap pages)         |
 * | 18          | 2    | pagesize/ver | BLCKSZ | 4                                        |
 * | 20          | 4    | pd_prune_xid | 0                                                |
 * | 24          | 4×n  | line pointers| lp_off:15, lp_flags:2, lp_len:15                 |
 * | pd_upper    | …    | tuples       |                                                  |
 *
 * Heap tuple header (24 bytes), then the tuple's data:
 * | 0 xmin u32 | 4 xmax u32 | 8 cmin u32 | 12 cmax u32 | 16 ctid block u32 | 20 ctid offset u16 | 22 infomask u16 |
 *
 * Hint bits are never set: every change to a page goes through WAL, so a mirror rebuilt by redo
 * holds byte-identical pages.
 */
import { BLCKSZ } from './disk.ts';
import { getLsn, setLsn, type Lsn } from './lsn.ts';

export const PAGE_HEADER_SIZE = 24;
export const ITEM_ID_SIZE = 4;
export const TUPLE_HEADER_SIZE = 24;
/** An index tuple's header: the heap tid it points at (6 bytes) and t_info (2). */
export const INDEX_TUPLE_HEADER_SIZE = 8;
/** Line pointer flags. */
export const LP_UNUSED = 0;
export const LP_NORMAL = 1;
/** infomask bits. */
export const HEAP_UPDATED = 0x2000; // this version was made by an UPDATE
export const HEAP_HOT_UPDATED = 0x4000; // a newer version exists (ctid points at it)
/** Largest tuple (header + data) that fits in an empty page. */
export const MAX_TUPLE_SIZE = BLCKSZ - PAGE_HEADER_SIZE - ITEM_ID_SIZE;

/** A tuple id: (block, offset), offsets numbered from 1 as in Postgres. */
export interface Tid {
  block: number;
  offset: number;
}

export function formatTid(t: Tid): string {
  return `(${t.block},${t.offset})`;
}

/** DataViews of pages, cached: buffer frames keep their page arrays, so this saves an allocation per call. */
const views = new WeakMap<Uint8Array, DataView>();
export const view = (p: Uint8Array): DataView => {
  if (p.length !== BLCKSZ) return new DataView(p.buffer, p.byteOffset, p.byteLength);
  let v = views.get(p);
  if (!v) views.set(p, (v = new DataView(p.buffer, p.byteOffset, p.byteLength)));
  return v;
};

export function initPage(page: Uint8Array): void {
  page.fill(0);
  const v = view(page);
  v.setUint16(12, PAGE_HEADER_SIZE, true);
  v.setUint16(14, BLCKSZ, true);
  v.setUint16(16, BLCKSZ, true);
  v.setUint16(18, BLCKSZ | 4, true);
}

/**
 * What is wrong with a heap page's header, if anything (Postgres' PageHeaderIsValid): checked on
 * every page read from disk, so damage is an error, never a wrong read or a stray exception.
 */
export function pageHeaderProblem(page: Uint8Array): string | undefined {
  const v = view(page);
  const lower = v.getUint16(12, true);
  const upper = v.getUint16(14, true);
  const special = v.getUint16(16, true);
  const version = v.getUint16(18, true);
  if (version !== (BLCKSZ | 4) && !(version === 0 && upper === 0))
    return `page size and layout version ${version} is not ${BLCKSZ | 4}`;
  if (upper === 0) return undefined; // a new page
  if (lower < PAGE_HEADER_SIZE || lower > upper || upper > special || special > BLCKSZ)
    return `corrupted page pointers: lower = ${lower}, upper = ${upper}, special = ${special}`;
  // Heap pages have no special space; index pages keep theirs at the end (btree-page.ts).
  const least = special === BLCKSZ ? TUPLE_HEADER_SIZE : INDEX_TUPLE_HEADER_SIZE;
  for (let o = 1; o <= (lower - PAGE_HEADER_SIZE) / ITEM_ID_SIZE; o++) {
    const id = itemId(page, o);
    if (id.flags === LP_NORMAL && (id.off < upper || id.off + id.len > special || id.len < least))
      return `corrupted line pointer ${o}: offset = ${id.off}, size = ${id.len}`;
  }
  return undefined;
}

export function isNewPage(page: Uint8Array): boolean {
  return view(page).getUint16(14, true) === 0;
}

export function pageLsn(page: Uint8Array): Lsn {
  return getLsn(view(page), 0);
}

export function setPageLsn(page: Uint8Array, lsn: Lsn): void {
  setLsn(view(page), 0, lsn);
}

export function maxOffset(page: Uint8Array): number {
  return (view(page).getUint16(12, true) - PAGE_HEADER_SIZE) / ITEM_ID_SIZE;
}

/** pd_upper: where the tuple space starts. */
export function tupleSpaceStart(page: Uint8Array): number {
  return view(page).getUint16(14, true);
}

export function freeSpace(page: Uint8Array): number {
  const v = view(page);
  const space = v.getUint16(14, true) - v.getUint16(12, true) - ITEM_ID_SIZE;
  return space > 0 ? space : 0;
}

export function itemId(page: Uint8Array, offset: number): { off: number; flags: number; len: number } {
  const w = view(page).getUint32(PAGE_HEADER_SIZE + (offset - 1) * ITEM_ID_SIZE, true);
  return { off: w & 0x7fff, flags: (w >>> 15) & 3, len: w >>> 17 };
}

export function setItemId(page: Uint8Array, offset: number, off: number, flags: number, len: number): void {
  const w = (off & 0x7fff) | ((flags & 3) << 15) | ((len & 0x7fff) << 17);
  view(page).setUint32(PAGE_HEADER_SIZE + (offset - 1) * ITEM_ID_SIZE, w >>> 0, true);
}

/**
 * Places a tuple (header included) on the page and returns its offset. With `atOffset` it goes
 * exactly there: redo reproduces the primary's layout, byte for byte. Returns 0 when full.
 */
export function addTuple(page: Uint8Array, tuple: Uint8Array, atOffset?: number): number {
  const v = view(page);
  const lower = v.getUint16(12, true);
  const upper = v.getUint16(14, true);
  const offset = atOffset ?? maxOffset(page) + 1;
  const newLower = Math.max(lower, PAGE_HEADER_SIZE + offset * ITEM_ID_SIZE);
  const newUpper = upper - tuple.length;
  if (newUpper < newLower) return 0;
  page.set(tuple, newUpper);
  // Any line pointers skipped over (only possible in redo) stay unused.
  for (let o = maxOffset(page) + 1; o < offset; o++) setItemId(page, o, 0, LP_UNUSED, 0);
  setItemId(page, offset, newUpper, LP_NORMAL, tuple.length);
  v.setUint16(12, newLower, true);
  v.setUint16(14, newUpper, true);
  return offset;
}

/** Rows to append as heap tuples, encoded straight into the page (no per-row array). */
export interface TupleSource {
  readonly count: number;
  /** Data size of row `i`, without the tuple header. */
  size(i: number): number;
  /** Writes row `i`'s data, measured by the `size(i)` call just before, at `page[at..]`. */
  write(i: number, page: Uint8Array, dv: DataView, at: number): void;
}

/**
 * Appends rows `from..` as new tuples (xmin/cmin set, ctid pointing at themselves, offsets
 * following the last one) while they fit; returns the index of the first row left over.
 */
export function appendTuples(
  page: Uint8Array,
  block: number,
  xmin: number,
  cmin: number,
  src: TupleSource,
  from: number,
): number {
  const v = view(page);
  let lower = v.getUint16(12, true);
  let upper = v.getUint16(14, true);
  let offset = (lower - PAGE_HEADER_SIZE) / ITEM_ID_SIZE;
  let i = from;
  for (; i < src.count; i++) {
    const len = TUPLE_HEADER_SIZE + src.size(i);
    if (upper - len < lower + ITEM_ID_SIZE) break;
    upper -= len;
    offset++;
    page.fill(0, upper, upper + TUPLE_HEADER_SIZE);
    v.setUint32(upper, xmin, true);
    v.setUint32(upper + 8, cmin, true);
    v.setUint32(upper + 16, block, true);
    v.setUint16(upper + 20, offset, true);
    src.write(i, page, v, upper + TUPLE_HEADER_SIZE);
    v.setUint32(lower, ((upper & 0x7fff) | (LP_NORMAL << 15) | ((len & 0x7fff) << 17)) >>> 0, true);
    lower += ITEM_ID_SIZE;
  }
  v.setUint16(12, lower, true);
  v.setUint16(14, upper, true);
  return i;
}

/** Length of the tuple at `offset` from its line pointer. */
export function tupleLength(page: Uint8Array, offset: number): number {
  return itemId(page, offset).len;
}

/** The tuple at `offset` (a view into the page), or undefined when unused. */
export function getTuple(page: Uint8Array, offset: number): Uint8Array | undefined {
  const at = lineTuple(page, offset);
  return at < 0 ? undefined : page.subarray(at, at + (lineWord(page, offset) >>> 17));
}

/** Where the tuple at `offset` starts on the page, or -1 when the line pointer is unused. */
export function lineTuple(page: Uint8Array, offset: number): number {
  if (offset < 1 || offset > maxOffset(page)) return -1;
  return lineTupleUnchecked(view(page), offset);
}

/** lineTuple for an offset known to be in 1..maxOffset(page), read through the page's view. */
export function lineTupleUnchecked(v: DataView, offset: number): number {
  const w = v.getUint32(PAGE_HEADER_SIZE + (offset - 1) * ITEM_ID_SIZE, true);
  return ((w >>> 15) & 3) !== LP_NORMAL ? -1 : w & 0x7fff;
}

/** The line pointer read in place: scans read one per tuple. */
function lineWord(page: Uint8Array, offset: number): number {
  return u32At(page, PAGE_HEADER_SIZE + (offset - 1) * ITEM_ID_SIZE);
}

/** The little-endian uint32 at `bytes[p..]`, without a DataView (none to allocate per tuple). */
export function u32At(bytes: Uint8Array, p: number): number {
  return (
    ((bytes[p] as number) |
      ((bytes[p + 1] as number) << 8) |
      ((bytes[p + 2] as number) << 16) |
      ((bytes[p + 3] as number) << 24)) >>>
    0
  );
}

// ---- tuple header access -------------------------------------------------------------

export interface TupleHeader {
  xmin: number;
  xmax: number;
  cmin: number;
  cmax: number;
  ctid: Tid;
  infomask: number;
}

export function makeTuple(xmin: number, cmin: number, data: Uint8Array, infomask = 0): Uint8Array {
  const t = new Uint8Array(TUPLE_HEADER_SIZE + data.length);
  const v = view(t);
  v.setUint32(0, xmin, true);
  v.setUint32(8, cmin, true);
  v.setUint16(22, infomask, true);
  t.set(data, TUPLE_HEADER_SIZE);
  return t;
}

export function readHeader(tuple: Uint8Array): TupleHeader {
  const v = view(tuple);
  return {
    xmin: v.getUint32(0, true),
    xmax: v.getUint32(4, true),
    cmin: v.getUint32(8, true),
    cmax: v.getUint32(12, true),
    ctid: { block: v.getUint32(16, true), offset: v.getUint16(20, true) },
    infomask: v.getUint16(22, true),
  };
}

/** Marks the tuple deleted (or updated, with `newTid` pointing at the new version). */
export function setXmax(tuple: Uint8Array, xmax: number, cmax: number, newTid?: Tid): void {
  const v = view(tuple);
  v.setUint32(4, xmax, true);
  v.setUint32(12, cmax, true);
  if (newTid) {
    v.setUint32(16, newTid.block, true);
    v.setUint16(20, newTid.offset, true);
    v.setUint16(22, v.getUint16(22, true) | HEAP_HOT_UPDATED, true);
  }
}

/** Sets the tuple's own ctid (to itself), as Postgres does on insert. */
export function setSelfTid(tuple: Uint8Array, tid: Tid): void {
  const v = view(tuple);
  v.setUint32(16, tid.block, true);
  v.setUint16(20, tid.offset, true);
}

export function tupleData(tuple: Uint8Array): Uint8Array {
  return tuple.subarray(TUPLE_HEADER_SIZE);
}
