/**
 * What an instance's process looks like from inside, for the lab's instance details: its role
 * as it runs, timeline, WAL positions, walsender and buffer pool. Read in the instance's own
 * realm (the page for the inline runtime, its worker for the worker runtime).
 */
import { REALM } from '../runtime/realm.ts';
import { formatLsn } from '../storage/lsn.ts';
import type { InstanceStatus, IntegrityStatus } from './api.ts';
import type { InstanceNode } from './nodes.ts';
import { mirrorFileRepStatus, primaryFileRepStatus, type FileRepPrimary } from './filerep-boot.ts';
import type { Instance } from '../instance/instance.ts';
import type { FileRepBlock } from '../filerep/protocol.ts';
import type { PrimaryReplication } from '../replication/primary.ts';
import { instanceOf, replicationOf, shownRole } from './process.ts';

export function instanceStatus(n: InstanceNode): InstanceStatus {
  const p = n.up ? n.process : undefined;
  // A passive mirror of file replication runs no instance: it applies blocks.
  if (p?.role === 'filerep-mirror' && !p.inst)
    return {
      ...downStatus(n.dbid),
      running: true,
      role: 'mirror',
      fileRep: mirrorFileRepStatus(p.mirror),
    };
  const inst = instanceOf(p);
  if (!inst) return n.refused ? { ...downStatus(n.dbid), refused: n.refused } : downStatus(n.dbid);
  const role = shownRole(n.content, p);
  const repl = replicationOf(p);
  const pool = inst.pool.usage();
  return {
    dbid: n.dbid,
    running: true,
    realm: REALM,
    role,
    timeline: inst.timeline,
    walFlushed: inst.wal ? formatLsn(inst.wal.flushedLsn) : '',
    walReplayed: formatLsn(inst.replayer.replayed),
    checkpoint: formatLsn(inst.control.checkpoint),
    walsender: repl?.walsender?.state,
    buffers: {
      shared_buffers: inst.pool.nbuffers,
      used: pool.used,
      dirty: pool.dirty,
      hits: inst.pool.stats.hits,
      reads: inst.pool.stats.reads,
    },
    ...(inst.wal ? { wal: { ...inst.wal.stats } } : {}),
    ...(p?.role === 'filerep-primary'
      ? { fileRep: { ...primaryFileRepStatus(p.fileRep), blocks: blockMap(p.fileRep, inst) } }
      : {}),
    ...(p?.role === 'coordinator' && p.qd.fts ? { ftsProbes: p.qd.fts.probeTimes.list() } : {}),
    integrity: integrity(inst, repl),
  };
}

function integrity(inst: Instance, repl: PrimaryReplication | undefined): IntegrityStatus {
  const last = inst.checksumFailures.last;
  const check = repl?.lastReplicaCheck;
  return {
    dataChecksums: inst.dataChecksums,
    checksumFailures: inst.checksumFailures.count,
    ...(last ? { lastChecksumFailure: { ...last } } : {}),
    ...(check
      ? {
          replicaCheck: {
            time: check.time,
            mirror: check.mirror,
            blocks: check.blocks,
            differing: [...check.differing],
          },
        }
      : {}),
  };
}

/** An instance's status with the coordinator's FTS probe times of it. */
export function withProbeTimes(
  status: InstanceStatus,
  coordinator: InstanceStatus | undefined,
): InstanceStatus {
  const times = coordinator?.ftsProbes?.find((t) => t.dbid === status.dbid);
  return times ? { ...status, ftsProbe: times } : status;
}

/** How many relation blocks the instance details map at most. */
export const BLOCK_MAP_LIMIT = 256;

/** The primary's relation blocks against its mirror: cached only, tracked, or replicated. */
function blockMap(fr: FileRepPrimary, inst: Instance): FileRepBlock[] {
  const frames = inst.pool.dirtyFrames();
  const dirty = new Set(frames.map((f) => `${f.file}#${f.block}`));
  const tracked = new Map(fr.disk.tracker.files().map((e) => [e.file, e]));
  const out: FileRepBlock[] = [];
  // A new relation's blocks may all be in the cache still: no file on disk yet.
  const files = new Set([
    ...fr.disk.files('base/'),
    ...frames.map((f) => f.file).filter((f) => f.startsWith('base/')),
  ]);
  for (const file of [...files].sort()) {
    const t = tracked.get(file);
    const blocks = new Set(t?.blocks);
    for (let block = 0; block < inst.pool.nblocks(file); block++) {
      if (out.length >= BLOCK_MAP_LIMIT) return out;
      const state = dirty.has(`${file}#${block}`)
        ? 'cached'
        : t?.whole || blocks.has(block)
          ? 'tracked'
          : 'replicated';
      out.push({ file, block, state });
    }
  }
  return out;
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

/** A down instance's status says whether a utility stopped it (its hints and the lab's card). */
export function withStoppedBy(status: InstanceStatus, by: string | undefined): InstanceStatus {
  return by === undefined || status.running ? status : { ...status, stoppedBy: by };
}
