/**
 * A primary's executor, started on the first call that needs it, as Greenplum forks a QE
 * backend when a session first dispatches to a segment rather than when the segment starts.
 * In a worker, the executor's code (a third of the engine) is loaded then: a cluster's 64
 * primaries need not all compile it before the cluster is up. The calls an instance answers
 * alone (gang creation's ping, DTX recovery's prepared transactions, CHECKPOINT,
 * pg_stat_replication) go to SegmentAdmin, which every primary has from its start.
 *
 * Calls that arrive while the code loads wait for it in the order they came. A load that fails
 * fails the call with Greenplum's gang error; the next call tries again.
 */
import { sqlError } from '../errors.ts';
import type { SegmentAdmin } from '../server/segment-admin.ts';
import type { SegmentExecutor } from '../server/segment.ts';
import type { SegmentApi } from '../server/protocol.ts';
import type { ModuleLoader, SegmentModule } from './role-modules.ts';

export class LazySegmentExecutor implements SegmentApi {
  readonly admin: SegmentAdmin;
  private readonly code: ModuleLoader<SegmentModule>;
  private readonly make: (m: SegmentModule) => SegmentExecutor;
  private qe: SegmentExecutor | undefined;
  private starting: Promise<SegmentExecutor> | undefined;

  constructor(
    admin: SegmentAdmin,
    code: ModuleLoader<SegmentModule>,
    make: (m: SegmentModule) => SegmentExecutor,
  ) {
    this.admin = admin;
    this.code = code;
    this.make = make;
    // Code already loaded (by a promotion, which waits for it): start at once.
    const loaded = code.peek();
    if (loaded) this.qe = make(loaded);
  }

  /** The executor, once started. */
  get started(): SegmentExecutor | undefined {
    return this.qe;
  }

  get replication() {
    return this.admin.replication;
  }

  /** The instance died: the transactions its executor held are gone. */
  reset(): void {
    this.qe?.reset();
  }

  private run<R>(f: (qe: SegmentExecutor) => Promise<R>): Promise<R> {
    if (this.qe) return f(this.qe);
    this.starting ??= this.start();
    return this.starting.then(f);
  }

  private async start(): Promise<SegmentExecutor> {
    try {
      const m = await this.code.pending();
      this.qe ??= this.make(m ?? this.code.now());
      return this.qe;
    } catch (e) {
      this.starting = undefined;
      throw sqlError('connection_failure', 'failed to acquire resources on one or more segments', {
        detail: `could not start a QE process on segment ${this.admin.content}: ${e instanceof Error ? e.message : String(e)}`,
      });
    }
  }

  execSlice: SegmentApi['execSlice'] = (req) => this.run((qe) => qe.execSlice(req));
  receiveRows: SegmentApi['receiveRows'] = (queryId, sliceId, from, rows) =>
    this.run((qe) => qe.receiveRows(queryId, sliceId, from, rows));
  insertRows: SegmentApi['insertRows'] = (req) => this.run((qe) => qe.insertRows(req));
  endQuery: SegmentApi['endQuery'] = (queryId) => (this.qe ? this.qe.endQuery(queryId) : Promise.resolve());
  cancelQuery: SegmentApi['cancelQuery'] = (queryId, code, message) =>
    this.qe ? this.qe.cancelQuery(queryId, code, message) : Promise.resolve();
  createStorage: SegmentApi['createStorage'] = (dtx, relfilenode) =>
    this.run((qe) => qe.createStorage(dtx, relfilenode));
  dropStorage: SegmentApi['dropStorage'] = (dtx, relfilenode) =>
    this.run((qe) => qe.dropStorage(dtx, relfilenode));
  buildIndex: SegmentApi['buildIndex'] = (dtx, table, index) =>
    this.run((qe) => qe.buildIndex(dtx, table, index));
  prepare: SegmentApi['prepare'] = (gxid, gid) => this.run((qe) => qe.prepare(gxid, gid));
  commitOnePhase: SegmentApi['commitOnePhase'] = (gxid) => this.run((qe) => qe.commitOnePhase(gxid));
  resolveOnePhase: SegmentApi['resolveOnePhase'] = (gxid) => this.run((qe) => qe.resolveOnePhase(gxid));
  abortDtx: SegmentApi['abortDtx'] = (gxid) => (this.qe ? this.qe.abortDtx(gxid) : Promise.resolve());
  rollbackToSavepoint: SegmentApi['rollbackToSavepoint'] = (gxid, from, to, ranHere) =>
    this.run((qe) => qe.rollbackToSavepoint(gxid, from, to, ranHere));
  commitPrepared: SegmentApi['commitPrepared'] = (gid) => this.admin.commitPrepared(gid);
  abortPrepared: SegmentApi['abortPrepared'] = (gid) => this.admin.abortPrepared(gid);
  listPrepared: SegmentApi['listPrepared'] = () => this.admin.listPrepared();
  checkpoint: SegmentApi['checkpoint'] = () => this.admin.checkpoint();
  relationSize: SegmentApi['relationSize'] = (relfilenode) => this.admin.relationSize(relfilenode);
  ping: SegmentApi['ping'] = () => this.admin.ping();
  replicationStatus: SegmentApi['replicationStatus'] = () => this.admin.replicationStatus();
}
