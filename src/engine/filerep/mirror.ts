/**
 * The mirror side of file replication: a passive process that applies what its primary sends
 * to its own files. It keeps the blocks of its last two sync rounds (its window) on disk: those
 * are the blocks the primary may not have made durable itself, so a failover or a later
 * resynchronization must treat them as changed.
 */
import type { Disk } from '../storage/disk.ts';
import {
  BlockSet,
  CHANGE_TRACKING_FILE,
  INFLIGHT_FILE,
  isFileRepMeta,
  MIRROR_WINDOW_FILE,
} from './block-set.ts';
import type { FileOp, FileRepPeer } from './filerep.ts';

export class FileRepMirror implements FileRepPeer {
  readonly disk: Disk;
  /** Blocks applied since the mirror started (for the lab and tests). */
  blocksApplied = 0;
  /** Being promoted: an instance now starts on these files; the primary's blocks are refused. */
  promoting = false;
  /** Applied since the last sync acknowledgement, and in the round before it. */
  private current = new BlockSet();
  private previous = new BlockSet();
  /** What an earlier incarnation left: its window, and its in-flight list as a primary. */
  private readonly inherited: BlockSet;

  constructor(disk: Disk) {
    this.disk = disk;
    // A former primary's change tracking log names blocks it changed that its partner may not have.
    this.inherited = BlockSet.load(disk, MIRROR_WINDOW_FILE)
      .merge(BlockSet.load(disk, INFLIGHT_FILE))
      .merge(BlockSet.load(disk, CHANGE_TRACKING_FILE));
  }

  async apply(ops: FileOp[]): Promise<void> {
    for (const o of ops) {
      if (o.op === 'reset') {
        for (const f of this.disk.files()) this.disk.unlink(f);
        this.inherited.clear();
        this.current.clear();
        this.previous.clear();
        continue;
      }
      if (o.op === 'resynced') {
        this.inherited.clear();
        continue;
      }
      if (isFileRepMeta(o.file)) continue;
      if (o.op === 'write') {
        this.disk.write(o.file, o.block, o.data);
        this.current.record(o.file, o.block);
        this.blocksApplied++;
      } else {
        if (o.op === 'truncate') this.disk.truncate(o.file, o.nblocks);
        else this.disk.unlink(o.file);
        this.current.record(o.file);
      }
    }
  }

  /** Durable, with the window that makes a failover's change tracking complete. */
  async sync(): Promise<void> {
    this.suspects().save(this.disk, MIRROR_WINDOW_FILE);
    await this.disk.sync();
    this.previous = this.current;
    this.current = new BlockSet();
  }

  /** Blocks that may differ from the primary's durable files. */
  suspects(): BlockSet {
    return new BlockSet().merge(this.inherited).merge(this.previous).merge(this.current);
  }
}
