/**
 * A segment's process in Greenplum 5 file replication: the primary runs on a disk that
 * replicates its blocks (or tracks them) and answers FTS with its data state; the mirror is a
 * passive process that applies blocks and, promoted, starts an instance from its files in
 * Change Tracking.
 */
import { sqlError } from '../errors.ts';
import { Instance } from '../instance/instance.ts';
import type { Disk } from '../storage/disk.ts';
import { FileRepPrimaryDisk, type FileOp, type FileRepPeer } from '../filerep/filerep.ts';
import { FileRepMirror } from '../filerep/mirror.ts';
import { CHANGE_TRACKING_FILE, isFileRepMeta } from '../filerep/block-set.ts';
import type { FileRepStatus, ResyncResult } from '../filerep/protocol.ts';
import { MIRROR_PROBE_ANSWER, type ProbeResponse } from '../replication/protocol.ts';
import type { BootContext, Call } from './boot.ts';
import { copyHandlers } from './process.ts';
import type { CopyApi, FileRepMirrorHandlers, FileRepPrimaryHandlers, InstanceNode } from './nodes.ts';
import type { SegmentApi } from '../server/protocol.ts';
import { BLCKSZ } from '../storage/disk.ts';
import { answerTimeoutMs } from '../runtime/time-scale.ts';

/** What a file-replicating primary serves beside its segment executor. */
type FileRepPrimaryOwn = Omit<FileRepPrimaryHandlers, keyof SegmentApi | keyof CopyApi>;

/** The file replication state a running primary keeps beside its instance. */
export interface FileRepPrimary {
  disk: FileRepPrimaryDisk;
  lastResync?: ResyncResult;
}

/** A primary's disk in file replication: Change Tracking until a resynchronization connects it. */
export function fileRepPrimaryDisk(
  disk: Disk,
  from: { promoted: FileRepMirror } | { mirrorless: boolean },
): FileRepPrimaryDisk {
  return new FileRepPrimaryDisk(disk, undefined, {
    waitForFts: true,
    ...('promoted' in from ? { seed: from.promoted.suspects() } : { mirrorless: from.mirrorless }),
  });
}

/** The handlers a file-replicating primary adds to its executor's. */
export function fileRepPrimaryHandlers(
  ctx: BootContext,
  node: InstanceNode,
  fr: FileRepPrimary,
  call: Call,
): FileRepPrimaryOwn {
  const disk = fr.disk;
  const probe = async (): Promise<ProbeResponse> => {
    await disk.heartbeat();
    return answer();
  };
  const answer = (): ProbeResponse => ({
    isMirrorUp: disk.mode !== 'c' && !disk.faulted,
    isInSync: disk.mode === 's' && !disk.faulted,
    isSyncRepEnabled: disk.mode !== 'c',
    isRoleMirror: false,
    requestRetry: false,
    fileRep: { mode: disk.mode, faulted: disk.faulted },
  });
  let running: Promise<ResyncResult> | undefined;
  // The sender gives a mirror that stops answering gp_segment_connect_timeout (a mirror that is
  // gone is known at once: its connection closes). A slow disk under load is not a failure.
  const timeout = answerTimeoutMs(ctx.gucs.get<number>('gp_segment_connect_timeout'), ctx.timeScale);
  const pingTimeout = answerTimeoutMs(ctx.gucs.get<number>('gp_fts_probe_timeout'), ctx.timeScale) / 2;
  const resync = async (mirrorDbid: number, full: boolean, connected: () => void): Promise<ResyncResult> => {
    const { token, suspects, empty } = await call(mirrorDbid, 'filerepConnect', [], timeout);
    // A mirror that never got its first copy (gpaddmirrors that failed) gets every file.
    if (empty) full = true;
    const peer: FileRepPeer = {
      apply: (ops: FileOp[]) => call(mirrorDbid, 'filerepApply', [token, ops], timeout),
      sync: () => call(mirrorDbid, 'filerepSync', [token], timeout),
      // An FTS probe waits for this answer: it must come well within the probe's timeout.
      ping: () => call(mirrorDbid, 'filerepPing', [token], pingTimeout),
    };
    ctx.emit({ kind: 'filerep.resync', dbid: node.dbid, mirror: mirrorDbid, full });
    await disk.resynchronize(peer, full, {
      peerSuspects: suspects,
      now: ctx.clock.now(),
      pace: () => ctx.points.reach('filerep_resync', node.dbid),
      planned: connected, // the plan is made and the primary is Resynchronizing
      // Recorded as the pair becomes Synchronized, not after the last sync: a probe that reads
      // it synchronized finds the result there.
      synchronized: ({ bytes: _bytes, ...result }) => {
        fr.lastResync = result;
        ctx.emit({
          kind: 'filerep.synchronized',
          dbid: node.dbid,
          mirror: mirrorDbid,
          blocks: result.blocks,
        });
      },
      progress: (done, total) =>
        ctx.emit({
          kind: 'recovery.progress',
          dbid: mirrorDbid,
          done,
          total,
          type: disk.resync?.full ? 'full' : 'incremental',
        }),
    });
    // (The log may have turned an incremental request into a full one: an unfinished full one.)
    return fr.lastResync!;
  };
  return {
    ftsProbe: probe,
    // FTS marked the mirror down: Change Tracking, and held commits go on.
    ftsSyncRepOff: async () => {
      disk.startChangeTracking();
      return answer();
    },
    promote: async () => ({ isRoleMirror: false }),
    filerepResync: async (mirrorDbid: number, full: boolean, wait: boolean) => {
      if (running) throw sqlError('object_in_use', `content ${node.content} is already resynchronizing`);
      if (disk.faulted)
        throw sqlError(
          'object_not_in_prerequisite_state',
          'the primary waits for FTS to mark its mirror down',
          {
            hint: 'Wait for the next FTS probe, then run gprecoverseg again.',
          },
        );
      let connected!: () => void;
      const started = new Promise<void>((r) => (connected = r));
      const run = resync(mirrorDbid, full, connected).finally(() => (running = undefined));
      running = run;
      if (wait) return run;
      run.catch(() => undefined);
      await Promise.race([started, run]);
      const plan = disk.resync;
      return plan && { full: plan.full, blocks: plan.total, tracked: plan.tracked, suspects: plan.suspects };
    },
    filerepStatus: async () => primaryFileRepStatus(fr),
  };
}

export function primaryFileRepStatus(fr: FileRepPrimary): FileRepStatus {
  const disk = fr.disk;
  return {
    role: 'primary',
    mode: disk.mode,
    faulted: disk.faulted,
    changeTrackingBlocks: disk.tracker.size,
    changeTrackingBytes: disk.nblocks(CHANGE_TRACKING_FILE) * BLCKSZ,
    inFlight: disk.inFlight,
    ...(disk.resync ? { resync: { ...disk.resync } } : {}),
    ...(fr.lastResync ? { lastResync: fr.lastResync } : {}),
  };
}

export function mirrorFileRepStatus(mirror: FileRepMirror): FileRepStatus {
  return {
    role: 'mirror',
    changeTrackingBlocks: 0,
    changeTrackingBytes: 0,
    inFlight: 0,
    blocksApplied: mirror.blocksApplied,
  };
}

/**
 * The passive mirror: applies what its primary sends over the connection it opened. Promoted,
 * it stops taking the old primary's blocks and starts an instance from its files, tracking
 * changes (crash recovery's too) with its window as the first entries.
 */
export function serveFileRepMirror(
  ctx: BootContext,
  node: InstanceNode,
  disk: Disk,
  becomePrimary: (inst: Instance, fr: FileRepPrimary) => void | Promise<void>,
  panic: () => void,
): void {
  const mirror = new FileRepMirror(disk);
  let session = 0;
  let promoting: Promise<{ isRoleMirror: boolean }> | undefined;
  const token = () => `${node.dbid}.${node.incarnation}.${session}`;
  const check = (t: string) => {
    if (promoting || t !== token())
      throw sqlError('connection_failure', 'could not send data to mirror: connection reset by peer', {
        detail: `dbid ${node.dbid} no longer serves that connection`,
      });
  };
  const handlers: FileRepMirrorHandlers = {
    filerepConnect: async () => {
      session++;
      return {
        token: token(),
        suspects: mirror.suspects().files(),
        empty: !disk.files().some((f) => !isFileRepMeta(f)),
      };
    },
    filerepApply: async (t: string, ops: FileOp[]) => {
      check(t);
      await mirror.apply(ops);
    },
    filerepSync: async (t: string) => {
      check(t);
      await mirror.sync();
    },
    filerepPing: async (t: string) => check(t),
    filerepStatus: async () => mirrorFileRepStatus(mirror),
    ftsProbe: async () => MIRROR_PROBE_ANSWER,
    // Refused until its promotion has started an instance (a copy reads a primary).
    ...copyHandlers(node),
    promote: () =>
      (promoting ??= (async () => {
        mirror.promoting = true;
        // The executor's code loads (in a worker) while the promotion runs.
        ctx.modules.segment.prefetch();
        // FTS has recorded the promotion in the catalog already; the instance is not up yet.
        await ctx.points.reach('filerep_transition_to_primary', node.dbid);
        const fr: FileRepPrimary = { disk: fileRepPrimaryDisk(disk, { promoted: mirror }) };
        let inst: Instance;
        try {
          inst = await Instance.start(
            {
              disk: fr.disk,
              clock: ctx.clock,
              trace: (e) => ctx.emit({ ...e, dbid: node.dbid }),
              onPanic: panic,
            },
            ctx.storage,
          );
        } catch (e) {
          // The startup process failed (a full disk): the postmaster exits, as Postgres does.
          panic();
          throw e;
        }
        try {
          const serving = becomePrimary(inst, fr);
          if (serving) await serving;
        } catch (e) {
          // Its code could not be loaded: the process exits and restarts, as after a failed start.
          panic();
          throw e;
        }
        ctx.roleChanged(node, 'primary');
        ctx.emit({ kind: 'instance.promoted', dbid: node.dbid, timeline: inst.timeline });
        return { isRoleMirror: false };
      })()),
  };
  node.process = { role: 'filerep-mirror', mirror, handlers, inst: undefined };
  node.up = true;
}

/**
 * gpinitsystem's or gpaddmirrors' first copy: `primary` (a running file-replication primary, in
 * this process) resynchronizes its new mirror in full; with `wait`, until Synchronized.
 */
export async function fullResync(primary: InstanceNode, mirrorDbid: number, wait: boolean): Promise<void> {
  const resync =
    primary.process?.role === 'filerep-primary' ? primary.process.handlers.filerepResync : undefined;
  if (!resync)
    throw sqlError('object_not_in_prerequisite_state', `dbid ${primary.dbid} is not running as a primary`);
  await resync(mirrorDbid, true, wait);
}
