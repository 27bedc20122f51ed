/**
 * WAL record framing.
 *
 * The WAL is one byte stream cut into BLCKSZ blocks and 16 MB segment files; a record may span
 * blocks and segments. An LSN is a byte position in that stream.
 *
 * Record layout, little-endian (24-byte header, then the resource manager's payload):
 *
 * | offset | size | field     | meaning                                              |
 * |--------|------|-----------|------------------------------------------------------|
 * | 0      | 4    | totLen    | header + payload bytes                               |
 * | 4      | 4    | xid       | transaction that wrote it (0 = none)                 |
 * | 8      | 8    | prev      | start LSN of the previous record (the back-link)     |
 * | 16     | 1    | rmid      | resource manager: who redoes it                      |
 * | 17     | 1    | info      | record type within the resource manager              |
 * | 18     | 2    | —         | zero                                                 |
 * | 20     | 4    | crc       | CRC-32C of bytes 0..19 and the payload               |
 *
 * The back-link and the CRC together reject torn writes and stale bytes left from an older
 * pass over the same file: a reader stops at the first record failing either check.
 */
import { crc32c } from './crc32c.ts';
import { getLsn, setLsn, type Lsn } from '../storage/lsn.ts';

export const RECORD_HEADER_SIZE = 24;
/** Largest record accepted; a length past this is a torn or corrupt header. */
export const MAX_RECORD_SIZE = 64 * 1024 * 1024;

/** Resource managers: each owns a family of records and their redo. */
export const Rmgr = {
  xlog: 0,
  xact: 1,
  smgr: 2,
  heap: 3,
  appendonly: 4,
  /** Coordinator-only: distributed transaction log (Greenplum's DTM records). */
  dtm: 5,
  btree: 6,
} as const;
export type RmgrId = (typeof Rmgr)[keyof typeof Rmgr];

export const RMGR_NAMES: Record<number, string> = {
  0: 'XLOG',
  1: 'Transaction',
  2: 'Storage',
  3: 'Heap',
  4: 'Appendonly',
  5: 'DistributedLog',
  6: 'Btree',
};

/** A decoded record. `payload` is a view into a buffer owned by the reader; copy to keep it. */
export interface WalRecord {
  lsn: Lsn;
  /** LSN just past the record: where the next one starts. */
  end: Lsn;
  prev: Lsn;
  xid: number;
  rmid: number;
  info: number;
  payload: Uint8Array;
}

/** Builds the bytes of one record whose back-link is `prev`. */
export function encodeRecord(
  prev: Lsn,
  xid: number,
  rmid: number,
  info: number,
  payload: Uint8Array,
): Uint8Array {
  const total = RECORD_HEADER_SIZE + payload.length;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, total, true);
  v.setUint32(4, xid >>> 0, true);
  setLsn(v, 8, prev);
  out[16] = rmid;
  out[17] = info;
  out.set(payload, RECORD_HEADER_SIZE);
  v.setUint32(20, recordCrc(out), true);
  return out;
}

export function recordCrc(bytes: Uint8Array): number {
  const c = crc32c(bytes, 0, 0, 20);
  return crc32c(bytes, c, RECORD_HEADER_SIZE, bytes.length);
}

/** Header fields of a record, before its payload has been read. */
export interface RecordHeader {
  totLen: number;
  xid: number;
  prev: Lsn;
  rmid: number;
  info: number;
  crc: number;
}

export function decodeHeader(bytes: Uint8Array): RecordHeader {
  const v = new DataView(bytes.buffer, bytes.byteOffset, RECORD_HEADER_SIZE);
  return {
    totLen: v.getUint32(0, true),
    xid: v.getUint32(4, true),
    prev: getLsn(v, 8),
    rmid: bytes[16]!,
    info: bytes[17]!,
    crc: v.getUint32(20, true),
  };
}
