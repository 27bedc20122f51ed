/**
 * A coordinator session: one client connection. It runs statements one at a time, keeps the
 * transaction block state (idle, in a transaction, failed); the coordinator's distributed
 * transaction manager (dtm.ts) commits and aborts its distributed transactions.
 */
import { SqlError, sqlError } from '../errors.ts';
import { parse } from '../sql/parser.ts';
import type { Statement } from '../sql/ast.ts';
import type { Transaction } from '../txn/xact.ts';
import type { Coordinator } from './coordinator.ts';
import type { DtxContext } from './protocol.ts';
import type { OpenDtx } from './dtm.ts';
import { commandResult, type QueryResult } from './results.ts';
import { statementTimeFrom } from './eval-context.ts';
import { runStatement } from './statements.ts';
import { SessionSettings } from './session-settings.ts';

const IGNORED_CANCEL =
  'WARNING:  ignoring query cancel request for synchronous replication to ensure cluster consistency';

export type TxState = 'idle' | 'in transaction' | 'failed';

export class Session {
  readonly id: number;
  readonly pid: number;
  readonly qd: Coordinator;
  readonly settings: SessionSettings;
  txState: TxState = 'idle';
  explicit = false;
  dtx: OpenDtx | undefined;
  statementTime = 0;
  applicationName = '';
  backendStart: number;
  xactStart: number | undefined;
  queryStart: number | undefined;
  currentQuery = '';
  waitEventType: string | undefined;
  waitEvent: string | undefined;
  active = false;
  closed = false;
  /** In the commit of its transaction: a cancel cannot stop it any more. */
  private committing = false;
  /** pg_cancel_backend() arrived while a statement ran: it fails at its next check. */
  private cancelRequested = false;
  notices: string[] = [];
  /** Content → dbid of the segment connections (gangs) this session has set up. */
  readonly gangs = new Map<number, number>();

  constructor(qd: Coordinator) {
    this.qd = qd;
    this.id = qd.allocateSessionId();
    this.pid = 10000 + this.id;
    this.backendStart = qd.clock.now();
    this.settings = new SessionSettings(qd.settings, qd.presetSettings);
    qd.sessions.set(this.id, this);
  }

  /** The coordinator's own transaction; its sync-rep wait (for the standby) shows as wait_event. */
  private beginLocal(): Transaction {
    const tx = this.qd.inst.xact.begin();
    tx.onSyncRepWait = (waiting) => {
      this.waitEventType = waiting ? 'IPC' : undefined;
      this.waitEvent = waiting ? 'SyncRep' : undefined;
    };
    return tx;
  }

  /**
   * pg_cancel_backend(): the running statement fails with 57014 at its next check, before it
   * could commit. A commit already under way (waiting for a mirror's or the standby's flush,
   * or for COMMIT PREPARED) is not interrupted: it is committed locally and must be
   * acknowledged as a whole, so the cancel is ignored with Greenplum's warning.
   */
  requestCancel(): void {
    if (!this.active) return;
    if (this.committing) {
      this.notices.push(IGNORED_CANCEL);
      return;
    }
    this.cancelRequested = true;
  }

  /**
   * The statement's work is about to commit (a single-segment write that commits in its own
   * round trip): a cancel that came before stops it here; one that comes later is ignored.
   */
  beginCommit(): void {
    this.checkCancel();
    this.committing = true;
  }

  /** Fails the statement when a cancel arrived (called where a statement may stop cleanly). */
  checkCancel(): void {
    if (!this.cancelRequested) return;
    this.cancelRequested = false;
    throw sqlError('query_canceled', 'canceling statement due to user request');
  }

  stateName(): string {
    if (this.active) return 'active';
    if (this.txState === 'failed') return 'idle in transaction (aborted)';
    if (this.txState === 'in transaction') return 'idle in transaction';
    return 'idle';
  }

  /** Runs every statement of `sql`; returns the last statement's result. */
  async query(sql: string): Promise<QueryResult> {
    if (this.closed) throw sqlError('connection_does_not_exist', 'connection to the server was closed');
    this.qd.inst.mustBeRunning();
    const stmts = parse(sql);
    if (stmts.length === 0) return commandResult('EMPTY');
    let last: QueryResult = commandResult('EMPTY');
    this.active = true;
    this.currentQuery = sql;
    this.queryStart = this.qd.clock.now();
    this.cancelRequested = false;
    try {
      for (const s of stmts) last = await this.run(s);
    } finally {
      this.active = false;
      this.cancelRequested = false;
      this.committing = false;
    }
    return last;
  }

  private async run(stmt: Statement): Promise<QueryResult> {
    this.notices = [];
    // Catalog changes of earlier statements in this transaction become visible.
    this.dtx?.local.nextCommand();
    this.statementTime = statementTimeFrom(this.qd.clock);
    const control = stmt.kind === 'commit' || stmt.kind === 'rollback';
    if (this.txState === 'failed' && !control && stmt.kind !== 'rollbackToSavepoint')
      throw sqlError(
        'in_failed_sql_transaction',
        'current transaction is aborted, commands ignored until end of transaction block',
      );
    switch (stmt.kind) {
      case 'begin':
        if (this.explicit) {
          this.notices.push('WARNING:  there is already a transaction in progress');
          return commandResult('BEGIN', 0, this.notices);
        }
        this.explicit = true;
        this.txState = 'in transaction';
        this.xactStart = this.qd.clock.now();
        this.settings.beginTransaction();
        return commandResult(stmt.start ? 'START TRANSACTION' : 'BEGIN');
      case 'commit':
        return this.endBlock(true);
      case 'rollback':
        return this.endBlock(false);
      case 'savepoint':
      case 'releaseSavepoint':
      case 'rollbackToSavepoint':
        throw sqlError('feature_not_supported', 'savepoints are not supported');
      default:
        break;
    }
    const implicit = !this.explicit;
    if (implicit) this.settings.beginTransaction();
    try {
      this.checkCancel();
      const result = await runStatement(this, stmt);
      if (!this.committing) this.checkCancel();
      if (implicit) await this.finish(true);
      result.notices = [...this.notices, ...result.notices];
      return result;
    } catch (e) {
      // A segment that refused or vanished: FTS should look now (FtsNotifyProber).
      if (e instanceof SqlError && e.code === '08006') this.qd.fts?.trigger();
      await this.fail(implicit);
      throw e;
    }
  }

  /** The distributed transaction of the current statement, begun on first need. */
  async ensureDtx(): Promise<OpenDtx> {
    if (!this.dtx) {
      const { gxid, gid } = await this.qd.dtm.begin();
      this.dtx = {
        gxid,
        gid,
        local: this.beginLocal(),
        writers: new Set(),
        touched: new Set(),
        cid: 0,
        committed: false,
        gang: this.qd.contentDbids(),
      };
      this.xactStart ??= this.qd.clock.now();
    }
    return this.dtx;
  }

  /** Context for dispatching one command. Reads outside a transaction need no gxid. */
  async dtxContext(write: boolean): Promise<DtxContext> {
    if (!write && !this.explicit && !this.dtx)
      return { gxid: 0, gid: '', dsnap: this.qd.dtm.snapshot(), cid: 0 };
    const d = await this.ensureDtx();
    this.qd.dtm.checkGang(d);
    // One counter for the coordinator's catalog work and the segments' commands.
    d.local.nextCommand();
    d.cid = d.local.cid;
    return { gxid: d.gxid, gid: d.gid, dsnap: this.qd.dtm.snapshot(), cid: d.cid, touched: [...d.touched] };
  }

  private async endBlock(commit: boolean): Promise<QueryResult> {
    if (!this.explicit) {
      this.notices.push('WARNING:  there is no transaction in progress');
      return commandResult(commit ? 'COMMIT' : 'ROLLBACK', 0, this.notices);
    }
    const failed = this.txState === 'failed';
    this.explicit = false;
    if (failed || !commit) {
      await this.finish(false);
      return commandResult('ROLLBACK');
    }
    await this.finish(true);
    return commandResult('COMMIT', 0, this.notices);
  }

  /** Ends the open distributed transaction: commit (1PC or 2PC) or abort. */
  private async finish(commit: boolean): Promise<void> {
    const d = this.dtx;
    this.dtx = undefined;
    this.txState = 'idle';
    this.xactStart = undefined;
    this.settings.endTransaction(commit);
    try {
      if (d) {
        if (commit) {
          this.committing = true;
          await this.qd.dtm.commit(d, this.notices);
        } else await this.qd.dtm.abort(d);
      }
    } finally {
      this.committing = false;
      if (d) this.qd.dtm.end(d.gxid);
      this.qd.locks.releaseAll(this.id);
    }
  }

  private async fail(implicit: boolean): Promise<void> {
    if (implicit) {
      await this.finish(false).catch(() => undefined);
      return;
    }
    // In a transaction block: abort now, and refuse further commands until ROLLBACK.
    this.txState = 'failed';
    const d = this.dtx;
    this.dtx = undefined;
    if (d) {
      await this.qd.dtm.abort(d).catch(() => undefined);
      this.qd.dtm.end(d.gxid);
    }
    this.qd.locks.releaseAll(this.id);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.dtx) await this.finish(false).catch(() => undefined);
    this.closed = true;
    this.qd.sessions.delete(this.id);
  }
}
