/**
 * Reads WAL records one after another and stops at the first one that is not valid: missing
 * bytes, an impossible length, a wrong back-link, or a CRC mismatch. That point is the end of
 * the WAL; nothing past it is ever applied. The reason is kept, worded as Postgres words it.
 */
import { decodeHeader, MAX_RECORD_SIZE, RECORD_HEADER_SIZE, recordCrc, type WalRecord } from './record.ts';
import { formatLsn, type Lsn } from '../storage/lsn.ts';
import type { WalFiles } from './segments.ts';

export type ReadResult = { ok: true; record: WalRecord } | { ok: false; lsn: Lsn; reason: string };

export class WalReader {
  private readonly files: WalFiles;

  constructor(files: WalFiles) {
    this.files = files;
  }

  /**
   * Reads the record at `lsn`. `expectedPrev`, when given, must equal the record's back-link
   * (it is the start of the record read just before).
   */
  read(lsn: Lsn, expectedPrev?: Lsn): ReadResult {
    const head = this.files.peek(lsn, RECORD_HEADER_SIZE);
    if (!head) return fail(lsn, `record at ${formatLsn(lsn)} is past the end of the WAL`);
    const h = decodeHeader(head);
    if (h.totLen === 0) return fail(lsn, `invalid record length at ${formatLsn(lsn)}: wanted 24, got 0`);
    if (h.totLen < RECORD_HEADER_SIZE || h.totLen > MAX_RECORD_SIZE)
      return fail(lsn, `invalid record length at ${formatLsn(lsn)}: wanted 24, got ${h.totLen}`);
    if (expectedPrev !== undefined && h.prev !== expectedPrev)
      return fail(lsn, `record with incorrect prev-link ${formatLsn(h.prev)} at ${formatLsn(lsn)}`);
    const bytes = this.files.read(lsn, h.totLen);
    if (!bytes) return fail(lsn, `record at ${formatLsn(lsn)} is incomplete: the WAL ends inside it`);
    if (recordCrc(bytes) !== h.crc)
      return fail(lsn, `incorrect resource manager data checksum in record at ${formatLsn(lsn)}`);
    return {
      ok: true,
      record: {
        lsn,
        end: lsn + h.totLen,
        prev: h.prev,
        xid: h.xid,
        rmid: h.rmid,
        info: h.info,
        payload: bytes.subarray(RECORD_HEADER_SIZE),
      },
    };
  }

  /** Every valid record from `lsn` on; `end` tells where and why reading stopped. */
  *scan(lsn: Lsn, expectedPrev?: Lsn): Generator<WalRecord, { lsn: Lsn; reason: string }> {
    let at = lsn;
    let prev = expectedPrev;
    for (;;) {
      const r = this.read(at, prev);
      if (!r.ok) return { lsn: r.lsn, reason: r.reason };
      yield r.record;
      prev = r.record.lsn;
      at = r.record.end;
    }
  }
}

function fail(lsn: Lsn, reason: string): ReadResult {
  return { ok: false, lsn, reason };
}
