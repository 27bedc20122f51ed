/**
 * What an instance's process looks like from inside, for the lab's instance details: its role
 * as it runs, timeline, WAL positions, walsender and buffer pool. Read in the instance's own
 * realm (the page for the inline runtime, its worker for the worker runtime).
 */
import { formatLsn } from '../wal/lsn.ts';
import type { InstanceStatus } from './api.ts';
import type { InstanceNode } from './nodes.ts';
import { mirrorFileRepStatus, primaryFileRepStatus } from './filerep-boot.ts';

export function instanceStatus(n: InstanceNode): InstanceStatus {
  const inst = n.up ? n.inst : undefined;
  // A passive mirror of file replication runs no instance: it applies blocks.
  if (!inst && n.up && n.fileRepMirror)
    return {
      ...downStatus(n.dbid),
      running: true,
      role: 'mirror',
      fileRep: mirrorFileRepStatus(n.fileRepMirror),
    };
  if (!inst) return downStatus(n.dbid);
  const role: InstanceStatus['role'] =
    n.content === -1 ? (n.qd ? 'coordinator' : 'standby') : inst.standby ? 'mirror' : 'primary';
  const pool = inst.pool.usage();
  return {
    dbid: n.dbid,
    running: true,
    role,
    timeline: inst.timeline,
    walFlushed: inst.wal ? formatLsn(inst.wal.flushedLsn) : '',
    walReplayed: formatLsn(inst.replayer.replayed),
    checkpoint: formatLsn(inst.control.checkpoint),
    walsender: n.repl?.walsender?.state,
    buffers: {
      shared_buffers: inst.pool.nbuffers,
      used: pool.used,
      dirty: pool.dirty,
      hits: inst.pool.stats.hits,
      reads: inst.pool.stats.reads,
    },
    ...(n.fileRep ? { fileRep: primaryFileRepStatus(n.fileRep) } : {}),
  };
}

/** An instance whose process is not running: nothing of its memory is left to show. */
export function downStatus(dbid: number): InstanceStatus {
  return {
    dbid,
    running: false,
    role: 'down',
    timeline: 0,
    walFlushed: '',
    walReplayed: '',
    checkpoint: '',
    walsender: undefined,
    buffers: undefined,
  };
}
