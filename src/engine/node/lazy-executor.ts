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
import { gangFailed } from '../server/gang-errors.ts';
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

  /**
   * Runs `f` on the executor: at once when it has started (or its code is linked in), else once
   * its code has loaded, after the calls that came before.
   */
  private run<R>(f: (qe: SegmentExecutor) => Promise<R>): Promise<R> {
    if (!this.qe && !this.starting) {
      const loading = this.code.pending();
      if (loading) this.starting = this.start(loading);
      else this.qe = this.make(this.code.now());
    }
    return this.qe ? f(this.qe) : this.starting!.then(f);
  }

  /**
   * A call about state only the executor holds (a statement's cancel, its end, a transaction's
   * abort): nothing to do when it never started; while it starts, the call waits its turn, so a
   * cancel is not lost ahead of the slice it cancels. A load that fails had nothing to cancel.
   */
  private ifStarted(f: (qe: SegmentExecutor) => Promise<void>): Promise<void> {
    if (this.qe) return f(this.qe);
    if (this.starting) return this.starting.then(f, () => undefined);
    return Promise.resolve();
  }

  private async start(loading: Promise<SegmentModule>): Promise<SegmentExecutor> {
    try {
      const m = await loading;
      this.qe ??= this.make(m);
      return this.qe;
    } catch (e) {
      this.starting = undefined;
      throw gangFailed(
        `could not start a QE process on segment ${this.admin.content}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  execSlice: SegmentApi['execSlice'] = (req) => this.run((qe) => qe.execSlice(req));
  receiveRows: SegmentApi['receiveRows'] = (queryId, sliceId, from, rows) =>
    this.run((qe) => qe.receiveRows(queryId, sliceId, from, rows));
  insertRows: SegmentApi['insertRows'] = (req) => this.run((qe) => qe.insertRows(req));
  endQuery: SegmentApi['endQuery'] = (queryId) => this.ifStarted((qe) => qe.endQuery(queryId));
  cancelQuery: SegmentApi['cancelQuery'] = (queryId, code, message) =>
    this.ifStarted((qe) => qe.cancelQuery(queryId, code, message));
  createStorage: SegmentApi['createStorage'] = (dtx, relfilenode) =>
    this.run((qe) => qe.createStorage(dtx, relfilenode));
  dropStorage: SegmentApi['dropStorage'] = (dtx, relfilenode) =>
    this.run((qe) => qe.dropStorage(dtx, relfilenode));
  buildIndex: SegmentApi['buildIndex'] = (dtx, table, index) =>
    this.run((qe) => qe.buildIndex(dtx, table, index));
  prepare: SegmentApi['prepare'] = (gxid, gid) => this.run((qe) => qe.prepare(gxid, gid));
  commitOnePhase: SegmentApi['commitOnePhase'] = (gxid) => this.run((qe) => qe.commitOnePhase(gxid));
  // Never started, this primary holds no part of any distributed transaction: the answer is
  // the instance's, and a code load that fails cannot make a finished transaction uncertain.
  resolveOnePhase: SegmentApi['resolveOnePhase'] = (gxid) =>
    this.qe || this.starting ? this.run((qe) => qe.resolveOnePhase(gxid)) : this.admin.onePhaseOutcome(gxid);
  abortDtx: SegmentApi['abortDtx'] = (gxid) => this.ifStarted((qe) => qe.abortDtx(gxid));
  rollbackToSavepoint: SegmentApi['rollbackToSavepoint'] = (gxid, from, to, ranHere) =>
    this.qe || this.starting
      ? this.run((qe) => qe.rollbackToSavepoint(gxid, from, to, ranHere))
      : this.admin.rollbackToSavepointNotHere(gxid, ranHere);
  commitPrepared: SegmentApi['commitPrepared'] = (gid) => this.admin.commitPrepared(gid);
  abortPrepared: SegmentApi['abortPrepared'] = (gid) => this.admin.abortPrepared(gid);
  listPrepared: SegmentApi['listPrepared'] = () => this.admin.listPrepared();
  checkpoint: SegmentApi['checkpoint'] = () => this.admin.checkpoint();
  relationSize: SegmentApi['relationSize'] = (relfilenode) => this.admin.relationSize(relfilenode);
  ping: SegmentApi['ping'] = () => this.admin.ping();
  replicationStatus: SegmentApi['replicationStatus'] = () => this.admin.replicationStatus();
}
