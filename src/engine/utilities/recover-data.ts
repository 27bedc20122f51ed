/**
 * The copy step of gprecoverseg for one target, run where the target's disk is: pg_basebackup
 * (full), pg_rewind (incremental) or the every-differing-block copy (--differential). It reads
 * the source through a CopySource, so it runs the same in one thread and in a worker.
 */
import { baseBackup } from '../replication/basebackup.ts';
import type { CopySource } from '../replication/copy-source.ts';
import { copyChangedBlocks, rewind } from '../replication/rewind.ts';
import { hasStandbySignal, readControl, type ControlData } from '../instance/control.ts';
import { Instance } from '../instance/instance.ts';
import type { Disk } from '../storage/disk.ts';
import type { Clock } from '../runtime/clock.ts';

export type RecoveryMode = 'full' | 'incremental' | 'differential';

export interface RecoveredData {
  /** What ran: a base backup, pg_rewind, the differential copy, or nothing (an intact mirror). */
  kind: 'full' | 'rewind' | 'differential' | 'skipped';
  bytes: number;
  total: number;
}

/** Whether the target's timeline forked off the source's history before its last checkpoint. */
function diverged(control: ControlData | undefined, history: { tli: number; begin: number }[]): boolean {
  if (!control) return true;
  const newer = history.filter((h) => h.tli > control.timeline);
  return newer.some((h) => control.checkpoint >= h.begin);
}

export async function recoverData(
  source: CopySource,
  target: Disk,
  mode: RecoveryMode,
  clock: Clock,
  progress?: (done: number, total: number) => void,
): Promise<RecoveredData> {
  if (mode === 'full') {
    const r = await baseBackup(source, target, progress);
    return { kind: 'full', bytes: r.bytes, total: r.bytes };
  }
  const control = readControl(target);
  const wasMirror = hasStandbySignal(target) && control?.timeline === source.timeline;
  if (mode === 'incremental' && wasMirror && !diverged(control, source.control.history))
    return { kind: 'skipped', bytes: 0, total: 0 };
  // pg_rewind first brings a target that did not shut down cleanly up to its own WAL end
  // (single-user crash recovery), so only blocks changed since the fork differ.
  if (control && control.state !== 'shut down' && control.state !== 'in archive recovery') {
    const tmp = await Instance.start({ disk: target, clock, trace: () => {} });
    await tmp.shutdown();
    tmp.kill();
  }
  const r =
    mode === 'incremental'
      ? await rewind(source, target, progress)
      : await copyChangedBlocks(source, target, progress);
  return { kind: mode === 'incremental' ? 'rewind' : 'differential', bytes: r.bytes, total: r.total };
}
