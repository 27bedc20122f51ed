/**
 * A log sequence number: a byte position in the WAL stream. Held as a JS number, which is exact
 * up to 2^53 bytes (8 PiB) — far past anything a lab instance writes.
 */
export type Lsn = number;

export const InvalidLsn: Lsn = 0;

const TWO32 = 0x1_0000_0000;

/** Postgres' text form, e.g. `0/16B3748`. */
export function formatLsn(lsn: Lsn): string {
  const hi = Math.floor(lsn / TWO32);
  const lo = lsn % TWO32;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}

/** Parses `X/Y`; undefined when malformed. */
export function parseLsn(text: string): Lsn | undefined {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!m) return undefined;
  return parseInt(m[1]!, 16) * TWO32 + parseInt(m[2]!, 16);
}

/** Reads a 64-bit LSN stored as two little-endian u32 words. */
export function getLsn(view: DataView, offset: number): Lsn {
  return view.getUint32(offset + 4, true) * TWO32 + view.getUint32(offset, true);
}

export function setLsn(view: DataView, offset: number, lsn: Lsn): void {
  view.setUint32(offset, lsn % TWO32, true);
  view.setUint32(offset + 4, Math.floor(lsn / TWO32), true);
}
