/**
 * Rewind (pg_rewind) and differential copy: make a target's data directory equal to a running
 * source's by copying only the blocks that differ, taken at a fresh checkpoint of the source.
 * The target then starts as a mirror and replays the source's WAL from that checkpoint's redo
 * point. What moves is proportional to what changed, not to the size of the data.
 */
import { BLCKSZ, type Disk } from '../storage/disk.ts';
import type { Instance } from '../instance/instance.ts';
import {
  CONTROL_FILE,
  readControl,
  STANDBY_SIGNAL,
  writeControl,
  writeStandbySignal,
} from '../instance/control.ts';
import { parseSegmentFileName, WAL_DIR } from '../wal/segments.ts';

export interface CopyResult {
  /** Bytes copied to the target. */
  bytes: number;
  /** Bytes the source holds (what a full copy would move). */
  total: number;
  files: number;
}

const LOCAL_FILES = new Set([CONTROL_FILE, STANDBY_SIGNAL, 'gp_replication.conf', 'fts_probe_file.bak']);

export async function copyChangedBlocks(
  source: Instance,
  target: Disk,
  onProgress?: (done: number, total: number) => void,
): Promise<CopyResult> {
  await source.checkpoint();
  const control = readControl(source.disk)!;
  const src = source.disk;
  const files = src.files().filter((f) => !LOCAL_FILES.has(f));
  const keep = new Set(files);
  // A WAL segment the source started on a newer timeline begins with bytes the target has
  // under its older timeline's name: those blocks are copied locally, not fetched.
  const localTwin = (f: string): string | undefined => {
    const p = parseSegmentFileName(f, source.files.segSize);
    if (!p || target.nblocks(f) > 0) return undefined;
    return target.files(WAL_DIR).find((t) => {
      const q = parseSegmentFileName(t, source.files.segSize);
      return q !== undefined && q.segno === p.segno && q.tli < p.tli;
    });
  };
  const twins = new Map(files.map((f) => [f, localTwin(f)] as const));
  // Files the source no longer has (dropped tables, recycled or diverged WAL) go.
  for (const f of target.files())
    if (!keep.has(f) && !LOCAL_FILES.has(f) && ![...twins.values()].includes(f)) target.unlink(f);
  const total = files.reduce((n, f) => n + src.nblocks(f) * BLCKSZ, 0);
  let bytes = 0;
  let done = 0;
  for (const f of files) {
    const n = src.nblocks(f);
    if (target.nblocks(f) > n) target.truncate(f, n);
    for (let b = 0; b < n; b++) {
      const data = src.read(f, b);
      done += BLCKSZ;
      if (!data) continue;
      const twin = twins.get(f);
      const have = target.read(f, b) ?? (twin ? target.read(twin, b) : undefined);
      if (have && equalBlocks(have, data)) {
        if (twin) target.write(f, b, have);
        continue;
      }
      target.write(f, b, data);
      bytes += BLCKSZ;
    }
    onProgress?.(done, total);
  }
  for (const t of twins.values()) if (t) target.unlink(t);
  writeControl(target, { ...control, state: 'in archive recovery', minRecoveryPoint: source.wal.flushedLsn });
  target.unlink('gp_replication.conf');
  writeStandbySignal(target);
  await target.sync();
  return { bytes, total, files: files.length };
}

function equalBlocks(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
