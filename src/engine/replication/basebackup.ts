/**
 * Base backup (pg_basebackup): a copy of a running primary's files taken at a checkpoint, so
 * that a new mirror replays WAL from that checkpoint's redo point. The primary keeps serving
 * writes meanwhile: pages changed after the checkpoint are made right by replaying the WAL.
 */
import { SLOT_FILE } from './slot.ts';
import type { CopySource } from './copy-source.ts';
import { BLCKSZ, type Disk } from '../storage/disk.ts';
import {
  readControl,
  writeControl,
  writeStandbySignal,
  CONTROL_FILE,
  STANDBY_SIGNAL,
} from '../instance/control.ts';

export interface BaseBackupResult {
  bytes: number;
  files: number;
}

export async function baseBackup(
  primary: CopySource,
  target: Disk,
  onProgress?: (doneBytes: number, totalBytes: number) => void,
): Promise<BaseBackupResult> {
  primary.createSlot();
  await primary.checkpoint();
  const source = primary.disk;
  // The control file as of the checkpoint: the copy starts replay at its redo point.
  const control = readControl(source)!;
  for (const f of target.files()) target.unlink(f);
  const files = source
    .files()
    .filter(
      (f) =>
        f !== CONTROL_FILE &&
        f !== STANDBY_SIGNAL &&
        f !== 'gp_replication.conf' &&
        f !== SLOT_FILE &&
        f !== 'fts_probe_file.bak',
    );
  const total = files.reduce((n, f) => n + source.nblocks(f) * BLCKSZ, 0);
  let done = 0;
  for (const f of files) {
    const n = source.nblocks(f);
    for (let b = 0; b < n; b++) {
      const data = source.read(f, b);
      if (data) target.write(f, b, data);
      done += BLCKSZ;
      const p = primary.pause?.();
      if (p) await p;
    }
    onProgress?.(done, total);
  }
  writeControl(target, {
    ...control,
    state: 'in archive recovery',
    minRecoveryPoint: primary.wal.flushedLsn,
    walFlushed: 0, // its own WAL ends where the copy ended; its walreceiver moves this on
  });
  writeStandbySignal(target);
  await target.sync();
  return { bytes: total, files: files.length };
}
