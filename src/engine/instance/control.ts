/**
 * pg_control: the one block an instance reads first at start. It says where the last
 * checkpoint is, which timeline the instance is on, and how it stopped.
 *
 * Layout of block 0 of `global/pg_control`: length u32 | crc32c u32 | JSON (length bytes).
 * It is rewritten in place and synced after the checkpoint record is durable, so it never
 * points at a checkpoint that is not on disk.
 */
import { sqlError } from '../errors.ts';
import { BLCKSZ, type Disk } from '../storage/disk.ts';
import { crc32c } from '../wal/crc32c.ts';
import type { Lsn } from '../storage/lsn.ts';
import type { TimelineEntry } from '../wal/segments.ts';

export const CONTROL_FILE = 'global/pg_control';

/** Database cluster states, as pg_controldata prints them. */
export type DbState =
  | 'starting up'
  | 'shut down'
  | 'shut down in recovery'
  | 'shutting down'
  | 'in crash recovery'
  | 'in archive recovery'
  | 'in production';

export interface ControlData {
  /** Identifies the cluster; a mirror must share its primary's. */
  systemIdentifier: string;
  state: DbState;
  /** Start of the latest checkpoint record. */
  checkpoint: Lsn;
  /** Its redo point: recovery starts replaying here. */
  redo: Lsn;
  /** Current timeline, and the history that led to it. */
  timeline: number;
  history: TimelineEntry[];
  walSegmentSize: number;
  /** Runtime clock (ms) of the last update. */
  time: number;
  /** For mirrors: replay must reach this LSN before the data is consistent. */
  minRecoveryPoint: Lsn;
  /** Data page checksums (initdb -k; gpinitsystem's HEAP_CHECKSUM, on by default). */
  dataChecksums?: boolean;
  /**
   * End of the WAL this instance made durable (written with every WAL flush, in the same sync):
   * replay that stops before it met damage, not the end of the WAL. 0 when unknown (a fresh
   * copy: its walreceiver sets it as it flushes).
   */
  walFlushed?: Lsn;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function writeControl(disk: Disk, data: ControlData): void {
  const json = enc.encode(JSON.stringify(data));
  if (json.length + 8 > BLCKSZ) throw new Error('control data too large');
  const block = new Uint8Array(BLCKSZ);
  const v = new DataView(block.buffer);
  v.setUint32(0, json.length, true);
  block.set(json, 8);
  v.setUint32(4, crc32c(json), true);
  disk.write(CONTROL_FILE, 0, block);
}

/** Reads pg_control; undefined when there is none (a never initialised or damaged directory). */
export function readControl(disk: Disk): ControlData | undefined {
  const block = disk.read(CONTROL_FILE, 0);
  if (!block) return undefined;
  const v = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const len = v.getUint32(0, true);
  const json = block.subarray(8, 8 + len);
  if (len === 0 || len + 8 > BLCKSZ || crc32c(json) !== v.getUint32(4, true))
    throw sqlError('data_corrupted', 'incorrect checksum in control file', {
      hint: 'The instance cannot start; rebuild it from its mirror (gprecoverseg -F).',
    });
  return JSON.parse(dec.decode(json)) as ControlData;
}

/**
 * `standby.signal`: present in every mirror's and standby's data directory, absent on a
 * primary. A former primary has none, so it cannot simply start as a mirror: it needs a
 * rewind or a rebuild (gprecoverseg) first.
 */
export const STANDBY_SIGNAL = 'standby.signal';

export function writeStandbySignal(disk: Disk): void {
  disk.write(STANDBY_SIGNAL, 0, new Uint8Array(BLCKSZ));
}

export function hasStandbySignal(disk: Disk): boolean {
  return disk.nblocks(STANDBY_SIGNAL) > 0;
}
