/**
 * Rewind (pg_rewind) and differential copy: make a target's data directory equal to a running
 * source's by copying only the blocks that differ, taken at a fresh checkpoint of the source.
 * The target then starts as a mirror and replays the source's WAL from that checkpoint's redo
 * point. What moves is proportional to what changed, not to the size of the data.
 */
import { BLCKSZ, type Disk } from '../storage/disk.ts';
import type { CopySource } from './copy-source.ts';
import { CONTROL_FILE, readControl, STANDBY_SIGNAL } from '../instance/control.ts';
import { BlockCopier, finishAsMirror } from './block-copy.ts';
import { parseSegmentFileName, segmentFileName, WalFiles, WAL_DIR } from '../wal/segments.ts';
import { WalReader } from '../wal/reader.ts';
import { Rmgr, type WalRecord } from '../wal/record.ts';
import { formatLsn, type Lsn } from '../storage/lsn.ts';
import { parseJsonPayload } from '../wal/json-payload.ts';
import { XlogInfo } from '../instance/redo.ts';
import { HeapInfo } from '../access/heap.ts';
import { relationFile } from '../access/context.ts';

export interface CopyResult {
  /** Bytes copied to the target. */
  bytes: number;
  /** Bytes the source holds (what a full copy would move). */
  total: number;
  files: number;
}

const LOCAL_FILES = new Set([CONTROL_FILE, STANDBY_SIGNAL, 'gp_replication.conf', 'fts_probe_file.bak']);

export async function copyChangedBlocks(
  source: CopySource,
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
  const copier = new BlockCopier(src, target, source.pause);
  let done = 0;
  for (const f of files) {
    const p = copier.copyWhole(f, twins.get(f));
    if (p) await p;
    done += src.nblocks(f) * BLCKSZ;
    onProgress?.(done, total);
  }
  for (const t of twins.values()) if (t) target.unlink(t);
  await finishAsMirror(target, control, source.wal.flushedLsn);
  const bytes = copier.bytes;
  return { bytes, total, files: files.length };
}

/** pg_rewind's failures, worded as pg_rewind words them; the segment needs a full recovery. */
export class RewindError extends Error {
  override name = 'RewindError';
}

/**
 * pg_rewind: makes a former primary (the target) a copy of the acting primary (the source) it
 * diverged from. The divergence point is where the target's timeline ends in the source's
 * history. Walking the target's WAL back from its end finds the last checkpoint before it; the
 * blocks every target record since that checkpoint's redo point touched are copied from the
 * source, with the files that are not relation data (the commit log) and the source's WAL
 * from the divergence on. The target then replays from that checkpoint, as a mirror: its own
 * WAL up to the divergence, the source's after. Fails (RewindError) when the target's WAL back
 * to a checkpoint before the divergence, or the source's WAL since it, is gone.
 */
export async function rewind(
  source: CopySource,
  target: Disk,
  onProgress?: (done: number, total: number) => void,
): Promise<CopyResult & { divergence: Lsn; checkpoint: Lsn }> {
  const tctl = readControl(target);
  if (!tctl) throw new RewindError('pg_rewind: fatal: could not read the control file of the target');
  if (tctl.systemIdentifier !== source.control.systemIdentifier)
    throw new RewindError('pg_rewind: fatal: source and target clusters are from different systems');
  const history = source.files.history;
  const at = history.findIndex((h) => h.tli === tctl.timeline);
  if (at < 0)
    throw new RewindError(
      "pg_rewind: fatal: could not find common ancestor of the source and target cluster's timelines",
    );
  // Where the target's timeline ends in the source's history (its end, when it never did).
  const divergence = history[at + 1]?.begin ?? Math.min(source.wal.flushedLsn, tctl.checkpoint);
  const segSize = tctl.walSegmentSize;

  // The last checkpoint before the divergence, walking back from the target's last record.
  const reader = new WalReader(new WalFiles(target, segSize, tctl.history));
  let lsn: Lsn = tctl.checkpoint;
  let common: { lsn: Lsn; redo: Lsn } | undefined;
  for (;;) {
    const r = reader.read(lsn);
    if (!r.ok)
      throw new RewindError(
        `pg_rewind: fatal: could not find previous WAL record at ${formatLsn(lsn)}: ${r.reason}`,
      );
    const rec = r.record;
    if (
      rec.lsn < divergence &&
      rec.rmid === Rmgr.xlog &&
      (rec.info === XlogInfo.checkpointOnline || rec.info === XlogInfo.checkpointShutdown)
    ) {
      common = { lsn: rec.lsn, redo: parseJsonPayload<{ redo: Lsn }>(rec.payload).redo };
      break;
    }
    if (rec.lsn === 0 || rec.prev >= rec.lsn)
      throw new RewindError(`pg_rewind: fatal: could not find previous WAL record at ${formatLsn(rec.lsn)}`);
    lsn = rec.prev;
  }
  // The source must still have its WAL from the divergence on (the target replays it).
  const divergenceSeg = Math.floor(divergence / segSize);
  const sourceWal = source.files.list();
  if (
    !sourceWal.some((s) => s.segno === divergenceSeg && s.tli === source.files.tliForSegment(divergenceSeg))
  )
    throw new RewindError(
      `pg_rewind: fatal: could not open file "${segmentFileName(source.files.tliForSegment(divergenceSeg), divergenceSeg, segSize)}" on the source: requested WAL segment has already been removed`,
    );

  // What the target changed since the common checkpoint's redo point.
  const blocks = new Map<string, Set<number>>();
  const wholeFiles = new Set<string>();
  const touch = (file: string, block: number) => {
    let s = blocks.get(file);
    if (!s) blocks.set(file, (s = new Set()));
    s.add(block);
  };
  const scan = reader.scan(common.redo);
  for (let next = scan.next(); !next.done; next = scan.next()) touched(next.value, touch, wholeFiles);

  await source.checkpoint();
  const src = source.disk;
  const relation = (f: string) => f.startsWith('base/');
  const wal = (f: string) => f.startsWith(WAL_DIR);
  const copier = new BlockCopier(src, target, source.pause);
  const srcFiles = new Set(src.files().filter((f) => !LOCAL_FILES.has(f)));
  const planned = [...blocks.values()].reduce((n, set) => n + set.size * BLCKSZ, 0);
  let done = 0;
  // Relation files: created or dropped since (copied whole / removed), else the touched blocks.
  for (const f of target.files()) if (relation(f) && !srcFiles.has(f)) target.unlink(f);
  for (const f of srcFiles) {
    if (!relation(f) || (target.nblocks(f) > 0 && !wholeFiles.has(f))) continue;
    const p = copier.copyWhole(f);
    if (p) await p;
  }
  for (const [f, set] of blocks) {
    done += set.size * BLCKSZ;
    if (wholeFiles.has(f) || !srcFiles.has(f)) continue;
    const n = src.nblocks(f);
    copier.truncateTo(f, n);
    for (const b of set) {
      if (b >= n) continue;
      copier.copyBlock(f, b);
      const p = copier.yieldPoint();
      if (p) await p;
    }
    onProgress?.(done, planned);
  }
  // Everything that is not relation data nor WAL (the commit log...): the source's copy.
  for (const f of srcFiles) {
    if (relation(f) || wal(f)) continue;
    const p = copier.copyWhole(f);
    if (p) await p;
  }
  for (const f of target.files())
    if (!relation(f) && !wal(f) && !srcFiles.has(f) && !LOCAL_FILES.has(f)) target.unlink(f);
  // WAL: the source's from the divergence's segment on (its part before the divergence is the
  // target's own, under the older timeline's name); the target's own WAL after it goes.
  const twinOf = (file: string, segno: number) =>
    target.files(WAL_DIR).find((t) => t !== file && parseSegmentFileName(t, segSize)?.segno === segno);
  for (const s of sourceWal) {
    if (s.segno < divergenceSeg) continue;
    const p = copier.copyWhole(s.file, twinOf(s.file, s.segno));
    if (p) await p;
  }
  for (const t of target.files(WAL_DIR)) {
    const p = parseSegmentFileName(t, segSize);
    if (p && p.segno >= divergenceSeg && !srcFiles.has(t)) target.unlink(t);
  }
  const total = [...srcFiles].reduce((n, f) => n + src.nblocks(f) * BLCKSZ, 0);
  await finishAsMirror(
    target,
    { ...source.control, checkpoint: common.lsn, redo: common.redo, history },
    source.wal.flushedLsn,
  );
  const bytes = copier.bytes;
  return { bytes, total, files: srcFiles.size, divergence, checkpoint: common.lsn };
}

/** The relation blocks (or whole files) a WAL record changes. */
function touched(rec: WalRecord, touch: (file: string, block: number) => void, whole: Set<string>): void {
  const p = rec.payload;
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  switch (rec.rmid) {
    case Rmgr.heap: {
      const file = relationFile(v.getUint32(0, true));
      touch(file, v.getUint32(4, true));
      if ((rec.info & 0x70) === HeapInfo.update) touch(file, v.getUint32(18, true));
      return;
    }
    case Rmgr.appendonly:
      touch(relationFile(v.getUint32(0, true)), v.getUint32(4, true));
      return;
    case Rmgr.smgr:
      whole.add(parseJsonPayload<{ file: string }>(p).file);
      return;
    case Rmgr.xact: {
      const x = parseJsonPayload<{ unlink?: string[]; drops?: string[]; creates?: string[] }>(p);
      for (const f of [...(x.unlink ?? []), ...(x.drops ?? []), ...(x.creates ?? [])]) whole.add(f);
      return;
    }
    default:
  }
}
