/**
 * Copying a running source's files onto a target disk block by block, as gprecoverseg's
 * differential and incremental (pg_rewind) recoveries do: only blocks that differ are fetched,
 * and a WAL segment the source started on a newer timeline takes its first blocks from the
 * target's own copy under the older timeline's name. Then the target is left ready to start as
 * a mirror from a given checkpoint.
 */
import { BLCKSZ, sameBytes, type Disk } from '../storage/disk.ts';
import { writeControl, writeStandbySignal, type ControlData } from '../instance/control.ts';

export class BlockCopier {
  /** Bytes fetched from the source (blocks the target had are not counted). */
  bytes = 0;
  private readonly src: Disk;
  private readonly target: Disk;
  private readonly pause: (() => Promise<void> | undefined) | undefined;

  /** `pause` is the source's: the copy yields there between blocks when it may. */
  constructor(src: Disk, target: Disk, pause?: () => Promise<void> | undefined) {
    this.src = src;
    this.target = target;
    this.pause = pause;
  }

  /**
   * A promise to await when the source allows yielding and the time slice is used up, else
   * undefined: a live source is never awaited on, not even for a microtask, so its copy stays
   * at one point.
   */
  yieldPoint(): Promise<void> | undefined {
    return this.pause?.();
  }

  /** Makes block `b` of `f` equal to the source's; `twin` names a local file that may hold it. */
  copyBlock(f: string, b: number, twin?: string): void {
    const data = this.src.read(f, b);
    if (!data) return;
    const t = this.target;
    const have = t.read(f, b) ?? (twin ? t.read(twin, b) : undefined);
    if (have && sameBytes(have, data)) {
      if (twin && t.nblocks(f) <= b) t.write(f, b, have);
      return;
    }
    t.write(f, b, data);
    this.bytes += BLCKSZ;
  }

  /**
   * Makes the whole file equal to the source's (removed when the source has none). Returns a
   * promise only when it yielded part way (see yieldPoint).
   */
  copyWhole(f: string, twin?: string): Promise<void> | undefined {
    const n = this.src.nblocks(f);
    if (n === 0) {
      this.target.unlink(f);
      return;
    }
    this.truncateTo(f, n);
    return this.copyBlocks(f, 0, n, twin);
  }

  private copyBlocks(f: string, from: number, n: number, twin?: string): Promise<void> | undefined {
    for (let b = from; b < n; b++) {
      this.copyBlock(f, b, twin);
      const p = this.yieldPoint();
      if (p) return p.then(() => this.copyBlocks(f, b + 1, n, twin));
    }
    return undefined;
  }

  /** Drops the target's blocks past `n`. */
  truncateTo(f: string, n: number): void {
    if (this.target.nblocks(f) > n) this.target.truncate(f, n);
  }
}

/**
 * Leaves the target ready to start as a mirror: its control file says to recover from
 * `control`'s checkpoint until it reaches `minRecoveryPoint`, with standby.signal, durably.
 */
export async function finishAsMirror(
  target: Disk,
  control: ControlData,
  minRecoveryPoint: number,
): Promise<void> {
  writeControl(target, { ...control, state: 'in archive recovery', minRecoveryPoint, walFlushed: 0 });
  target.unlink('gp_replication.conf');
  writeStandbySignal(target);
  await target.sync();
}
