/**
 * Snapshots and tuple visibility (MVCC).
 *
 * A snapshot sees a transaction's work when that transaction committed before the snapshot was
 * taken: its xid is below `xmax`, not in `xip` (running at snapshot time) and committed in the
 * commit log. A transaction also sees its own work from earlier commands (cid < curCid), never
 * from the command running now, so an UPDATE does not revisit the rows it just wrote. Commands a
 * ROLLBACK TO SAVEPOINT undid are invisible to everyone (see CommitLog.undoCommands).
 */
import { XidStatus, type CommitLog, type Xid } from './clog.ts';

export interface Snapshot {
  /** Every xid below this had finished when the snapshot was taken. */
  xmin: Xid;
  /** Every xid at or above this had not started. */
  xmax: Xid;
  /** Transactions running when the snapshot was taken. */
  xip: ReadonlySet<Xid>;
  /** The reading transaction (0 when it has no xid yet). */
  curXid: Xid;
  /** The reading command: own changes with a smaller cid are visible. */
  curCid: number;
}

export function xidVisibleIn(xid: Xid, snap: Snapshot, clog: CommitLog): boolean {
  if (xid >= snap.xmax) return false;
  if (snap.xip.has(xid)) return false;
  return clog.status(xid) === XidStatus.committed;
}

/** Is a tuple with this header visible to the snapshot? */
export function tupleVisible(
  xmin: Xid,
  cmin: number,
  xmax: Xid,
  cmax: number,
  snap: Snapshot,
  clog: CommitLog,
): boolean {
  if (xmin === snap.curXid && xmin !== 0) {
    if (cmin >= snap.curCid) return false;
  } else if (!xidVisibleIn(xmin, snap, clog)) return false;
  // Work undone by ROLLBACK TO SAVEPOINT: an insert never happened, nor did a delete.
  const undo = clog.hasUndone;
  if (undo && clog.commandUndone(xmin, cmin)) return false;
  if (xmax === 0) return true;
  if (undo && clog.commandUndone(xmax, cmax)) return true;
  if (xmax === snap.curXid) return cmax >= snap.curCid;
  return !xidVisibleIn(xmax, snap, clog);
}
