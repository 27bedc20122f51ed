/**
 * What base backup, pg_rewind and the differential copy read of the instance they copy from.
 * In one thread that is the running Instance itself; across workers it is a snapshot of the
 * source's files taken at a fresh checkpoint, shipped over the pair's link to the target's
 * process (the copy runs on the target host, as pg_basebackup and pg_rewind do).
 */
import type { Instance } from '../instance/instance.ts';
import type { ControlData } from '../instance/control.ts';
import { BLCKSZ, type Disk } from '../storage/disk.ts';
import { MemoryDisk } from '../storage/memory-disk.ts';
import { WalFiles } from '../wal/segments.ts';
import { createSlot } from './slot.ts';
import { cooperate, type Clock } from '../runtime/clock.ts';

export interface CopySource {
  /** A checkpoint on the source: its files then hold everything up to its redo point. */
  checkpoint(): Promise<void>;
  /** pg_basebackup (re)creates the replication slot the new mirror streams from. */
  createSlot(): void;
  readonly disk: Disk;
  readonly wal: { readonly flushedLsn: number };
  readonly control: ControlData;
  readonly files: WalFiles;
  readonly timeline: number;
  /**
   * Lets the copy yield the thread between blocks (a copy is long work). Only a source that
   * cannot change meanwhile has one: a snapshot. A live instance in the same thread is copied at
   * one point, as the simulator's traces expect.
   */
  readonly pause?: () => Promise<void> | undefined;
}

/** The running instance as a copy source (same thread). */
export function localSource(inst: Instance): CopySource {
  return {
    checkpoint: () => inst.checkpoint(),
    createSlot: () => createSlot(inst),
    get disk() {
      return inst.disk;
    },
    get wal() {
      return inst.wal;
    },
    get control() {
      return inst.control;
    },
    get files() {
      return inst.files;
    },
    get timeline() {
      return inst.timeline;
    },
  };
}

/** A source's files and positions as plain data, for posting to another realm. */
export interface SourceSnapshot {
  files: { name: string; present: Uint8Array; data: ArrayBuffer }[];
  control: ControlData;
  flushedLsn: number;
  bytes: number;
}

/**
 * Takes a snapshot at a fresh checkpoint (after creating the slot when it is for a base backup).
 * The snapshot's point is one synchronous turn that holds every block's current bytes (a write
 * replaces a block, never changes it in place); packing them for the other process is the long
 * part, and it yields on the instance's time budget, as the instance keeps serving meanwhile.
 */
export async function takeSnapshot(inst: Instance, forBackup: boolean): Promise<SourceSnapshot> {
  if (forBackup) createSlot(inst);
  await inst.checkpoint();
  const disk = inst.disk;
  const held = disk.files().map((name) => {
    const n = disk.nblocks(name);
    const blocks: (Uint8Array | undefined)[] = new Array(n);
    for (let b = 0; b < n; b++) blocks[b] = disk.view(name, b);
    return { name, blocks };
  });
  const control = JSON.parse(JSON.stringify(inst.control)) as ControlData;
  const flushedLsn = inst.wal.flushedLsn;
  const files: SourceSnapshot['files'] = [];
  let bytes = 0;
  for (const { name, blocks } of held) {
    const present = new Uint8Array(blocks.length);
    const data = new Uint8Array(blocks.length * BLCKSZ);
    for (let b = 0; b < blocks.length; b++) {
      const block = blocks[b];
      if (!block) continue;
      present[b] = 1;
      data.set(block, b * BLCKSZ);
      const p = cooperate(inst.rt.clock);
      if (p) await p;
    }
    bytes += data.byteLength;
    files.push({ name, present, data: data.buffer });
  }
  return { files, control, flushedLsn, bytes };
}

/**
 * The snapshot as a copy source: its checkpoint and slot were taken on the source already. It
 * cannot change, so the copy from it yields on `clock`'s time budget.
 */
export function snapshotSource(s: SourceSnapshot, clock: Clock): CopySource {
  const disk = new MemoryDisk();
  for (const f of s.files) {
    const data = new Uint8Array(f.data);
    for (let b = 0; b < f.present.length; b++)
      if (f.present[b]) disk.write(f.name, b, data.subarray(b * BLCKSZ, (b + 1) * BLCKSZ));
  }
  return {
    checkpoint: async () => undefined,
    createSlot: () => undefined,
    disk,
    wal: { flushedLsn: s.flushedLsn },
    control: s.control,
    files: new WalFiles(disk, s.control.walSegmentSize, s.control.history),
    timeline: s.control.timeline,
    pause: () => cooperate(clock),
  };
}
