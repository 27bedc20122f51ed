/**
 * What a segment's primary answers without a QE: gang creation's ping, CHECKPOINT, relation
 * sizes, pg_stat_replication, and the prepared transactions DTX recovery lists and finishes.
 * They read the instance alone, so they are in every primary's code from its start, while the
 * executor (SegmentExecutor, which extends this) loads on the first statement dispatched to it,
 * as Greenplum forks a QE backend for a gang (node/lazy-executor.ts).
 */
import { relationFile } from '../access/context.ts';
import { gangLost } from './gang-errors.ts';
import type { Instance } from '../instance/instance.ts';
import type { PrimaryReplication } from '../replication/primary.ts';
import type { FaultPoints } from '../runtime/fault-points.ts';
import { BLCKSZ } from '../storage/disk.ts';
import { formatLsn } from '../storage/lsn.ts';
import type { PreparedTransaction, ReplicationRow, SegmentApi } from './protocol.ts';

/** The calls SegmentAdmin answers; the rest of SegmentApi needs the executor. */
export type SegmentAdminApi = Pick<
  SegmentApi,
  | 'relationSize'
  | 'commitPrepared'
  | 'abortPrepared'
  | 'ping'
  | 'checkpoint'
  | 'replicationStatus'
  | 'listPrepared'
>;

export interface SegmentAdminOptions {
  faults: FaultPoints;
  dbid: number;
  replication?: PrimaryReplication | undefined;
}

export class SegmentAdmin implements SegmentAdminApi {
  protected readonly inst: Instance;
  readonly content: number;
  protected readonly points: FaultPoints | undefined;
  /** Replication of this primary (none in file replication: its disk replicates itself). */
  readonly replication: PrimaryReplication | undefined;
  protected readonly dbid: number;

  constructor(inst: Instance, content: number, options?: SegmentAdminOptions) {
    this.inst = inst;
    this.content = content;
    this.points = options?.faults;
    this.dbid = options?.dbid ?? 0;
    this.replication = options?.replication;
  }

  protected reach(point: string): Promise<void> {
    return this.points ? this.points.reach(point, this.dbid) : Promise.resolve();
  }

  async relationSize(relfilenode: number): Promise<number> {
    this.inst.mustBeRunning();
    return this.inst.pool.nblocks(relationFile(relfilenode)) * BLCKSZ;
  }

  async commitPrepared(gid: string): Promise<void> {
    this.inst.mustBeRunning();
    await this.reach('finish_prepared_start_of_function');
    // Already committed (a retry after failover or a restart): idempotent, as in Greenplum, once
    // the mirror has it too; one under way is waited for.
    if (!this.inst.xact.prepared.has(gid) && !this.inst.xact.isFinishing(gid))
      return this.inst.xact.waitReplicated('COMMIT PREPARED');
    await this.inst.xact.finishPrepared(gid, true);
  }

  async abortPrepared(gid: string): Promise<void> {
    this.inst.mustBeRunning();
    if (!this.inst.xact.prepared.has(gid) && !this.inst.xact.isFinishing(gid)) return;
    await this.inst.xact.finishPrepared(gid, false);
  }

  async ping(): Promise<boolean> {
    this.inst.mustBeRunning();
    return true;
  }

  async checkpoint(): Promise<void> {
    await this.inst.checkpoint();
  }

  /** pg_stat_replication of this primary: its walsender to the mirror, if any. */
  async replicationStatus(): Promise<ReplicationRow[]> {
    const ws = this.replication?.walsender;
    if (!ws) return [];
    return [
      {
        pid: 20000 + this.dbid,
        application_name: 'gp_walreceiver',
        backend_start: ws.backendStart ?? null,
        state: ws.state === 'stopped' ? null : ws.state,
        sent_lsn: formatLsn(ws.sent),
        write_lsn: formatLsn(ws.write),
        flush_lsn: formatLsn(ws.flush),
        replay_lsn: formatLsn(ws.replay),
        sync_state: this.replication!.syncRepOn ? 'sync' : 'async',
        sync_error: ws.syncError,
        connected: ws.state !== 'stopped',
        wal_flushed_lsn: formatLsn(this.inst.wal.flushedLsn),
      },
    ];
  }

  /**
   * Whether distributed transaction `gxid` committed here in one phase, once nothing of it is
   * open or committing here (SegmentExecutor.resolveOnePhase sees to that; a primary whose
   * executor never started has nothing of it): committed only once its mirror has it too.
   */
  async onePhaseOutcome(gxid: number): Promise<'committed' | 'aborted'> {
    this.inst.mustBeRunning();
    if (!this.inst.xact.committedDistributed(`onephase-${gxid}`)) return 'aborted';
    await this.inst.xact.waitReplicated('COMMIT');
    return 'committed';
  }

  /**
   * ROLLBACK TO SAVEPOINT for a transaction with nothing open here: one that ran here
   * (`ranHere`) died with an earlier incarnation of this content, so its gang is lost.
   */
  async rollbackToSavepointNotHere(gxid: number, ranHere: boolean): Promise<boolean> {
    this.inst.mustBeRunning();
    if (ranHere) throw gangLost(`distributed transaction ${gxid} is unknown on segment ${this.content}`);
    return false;
  }

  async listPrepared(): Promise<PreparedTransaction[]> {
    this.inst.mustBeRunning();
    return [...this.inst.xact.prepared].map(([gid, p]) => ({ gid, prepared: p.time }));
  }
}
