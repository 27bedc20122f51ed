/**
 * A coordinator session: one client connection. It runs statements one at a time, keeps the
 * transaction block state (idle, in a transaction, failed); the coordinator's distributed
 * transaction manager (dtm.ts) commits and aborts its distributed transactions.
 */
import { checkGang, TempTables } from './temp-tables.ts';
import { Cursors } from './cursors.ts';
import { Savepoints } from './savepoints.ts';
import { expandViews } from './views.ts';
import { refuseInUtilityMode } from './utility-mode.ts';
import { SqlError, SqlState, sqlError } from '../errors.ts';
import { parse } from '../sql/parser.ts';
import { isStackOverflow, stackDepthExceeded } from '../sql/limits.ts';
import type { Statement } from '../sql/ast.ts';
import type { Transaction } from '../txn/xact.ts';
import type { Coordinator } from './coordinator.ts';
import type { DtxContext, StatementLimits } from './protocol.ts';
import type { OpenDtx } from './dtm.ts';
import { commandResult, type QueryResult } from './results.ts';
import { statementTimeFrom } from './eval-context.ts';
import { runStatement } from './statements.ts';
import { SessionSettings } from './session-settings.ts';
import { Interrupts, statementTimeoutError, userCancelError } from '../exec/interrupts.ts';
import type { LockWait } from './locks.ts';
import type { Timer } from '../runtime/clock.ts';

const IGNORED_CANCEL =
  'WARNING:  ignoring query cancel request for synchronous replication to ensure cluster consistency';

export type TxState = 'idle' | 'in transaction' | 'failed';

/** statement_mem in bytes. */
function statementMemBytes(settings: SessionSettings): number {
  return settings.gucs.get<number>('statement_mem');
}

/**
 * What a client sees of any failure: a SqlError. The engine's own limits show as Postgres'
 * (the stack: 54001; a string or array too large to build: 54000); anything else is a bug,
 * reported as XX000 rather than as a bare JavaScript exception.
 */
export function asSqlError(e: unknown): unknown {
  // Errors that carry a SQLSTATE already (SqlError, DiskError) go as they are.
  if (typeof (e as { code?: unknown } | null)?.code === 'string') return e;
  if (isStackOverflow(e)) return stackDepthExceeded();
  if (e instanceof RangeError && /Invalid (string|array|typed array) length/.test(e.message))
    return sqlError('program_limit_exceeded', 'requested length too large');
  if (e instanceof RangeError || e instanceof TypeError)
    return sqlError('internal_error', `internal error: ${e.message}`);
  return e;
}

export class Session {
  readonly id: number;
  readonly pid: number;
  readonly qd: Coordinator;
  readonly settings: SessionSettings;
  txState: TxState = 'idle';
  explicit = false;
  /** Running the statements of a multi-statement string outside a block: one transaction. */
  private implicitBlock = false;
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
  /**
   * The running statement's interrupts (its cancel and its memory held here); the
   * dispatcher passes its cancel on to the segments running its slices.
   */
  interrupts: Interrupts | undefined;
  private statementTimer: Timer | undefined;
  private statementDeadline: number | undefined;
  notices: string[] = [];
  /** Content → dbid of the segment connections (gangs) this session has set up. */
  readonly gangs = new Map<number, number>();
  /** Its temporary tables (pg_temp). */
  readonly temp = new TempTables();
  /** Its open cursors. */
  readonly cursors = new Cursors();
  /** The savepoints of its transaction block. */
  readonly savepoints = new Savepoints();

  /** A utility-mode connection (gp_role=utility): its own instance's catalog, no dispatch. */
  readonly utility: boolean;

  constructor(qd: Coordinator, options: { utility?: boolean } = {}) {
    if (qd.utilityOnly && !options.utility)
      throw sqlError(
        'cannot_connect_now',
        'System was started in single node mode - only utility mode connections are allowed',
        { hint: 'The coordinator was started with gpstart -m. Stop it with gpstop -m, then run gpstart -a.' },
      );
    this.utility = options.utility ?? false;
    this.qd = qd;
    this.id = qd.allocateSessionId();
    this.pid = 10000 + this.id;
    this.backendStart = qd.clock.now();
    // A utility-mode connection is made with PGOPTIONS='-c gp_role=utility': SHOW gp_role says so.
    this.settings = new SessionSettings(
      qd.settings,
      qd.presetSettings,
      this.utility ? { gp_role: 'utility' } : {},
    );
    qd.sessions.set(this.id, this);
  }

  /** Each statement is its own transaction (no block, explicit or implicit, is open). */
  get autocommit(): boolean {
    return !this.explicit && !this.implicitBlock;
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
  requestCancel(reason: SqlError = userCancelError()): void {
    if (!this.active) return;
    if (this.committing) {
      this.notices.push(IGNORED_CANCEL);
      return;
    }
    this.interrupts?.cancel(reason);
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
    const reason = this.interrupts?.cancelled;
    if (reason) throw reason;
  }

  /** Waits `ms` on the cluster's clock; the statement's cancel ends the wait with its error. */
  sleep(ms: number): Promise<void> {
    const interrupts = this.interrupts;
    if (!(ms > 0)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = this.qd.clock.setTimer(ms, resolve);
      interrupts?.onCancel((reason) => {
        timer.cancel();
        reject(reason);
      });
    });
  }

  /** A lock wait of this session's statement ends on its cancel, or after lock_timeout. */
  lockWait(): LockWait | undefined {
    if (!this.interrupts) return undefined;
    return {
      interrupts: this.interrupts,
      timeoutMs: this.settings.gucs.getScaledMs('lock_timeout', this.qd.timeScale),
      clock: this.qd.clock,
      onWait: (waiting) => {
        this.waitEventType = waiting ? 'Lock' : undefined;
        this.waitEvent = waiting ? 'relation' : undefined;
      },
    };
  }

  /**
   * A statement's interrupts: statement_timeout (a timing, so on the cluster's time scale)
   * cancels it as pg_cancel_backend would; statement_mem bounds what it holds in memory.
   */
  private startStatement(): void {
    this.statementTimer?.cancel();
    this.interrupts = new Interrupts(this.qd.clock, statementMemBytes(this.settings));
    const timeout = this.settings.gucs.getScaledMs('statement_timeout', this.qd.timeScale);
    this.statementDeadline = timeout > 0 ? this.qd.clock.now() + timeout : undefined;
    this.statementTimer =
      timeout > 0
        ? this.qd.clock.setTimer(timeout, () => this.requestCancel(statementTimeoutError()))
        : undefined;
  }

  /** The running statement's limits, as its slices are dispatched with them. */
  statementLimits(): StatementLimits {
    const d = this.statementDeadline;
    return {
      memoryBytes: statementMemBytes(this.settings),
      timeoutMs: d === undefined ? 0 : Math.max(1, d - this.qd.clock.now()),
    };
  }

  private endStatement(): void {
    this.statementTimer?.cancel();
    this.statementTimer = undefined;
  }

  stateName(): string {
    if (this.active) return 'active';
    if (this.txState === 'failed') return 'idle in transaction (aborted)';
    if (this.txState === 'in transaction') return 'idle in transaction';
    return 'idle';
  }

  /**
   * Runs every statement of `sql`; returns the last statement's result. As PostgreSQL's simple
   * query protocol: the whole string is parsed first (a syntax error runs nothing, and aborts
   * an open transaction block), and several statements outside a transaction block run as one
   * implicit transaction (an error anywhere undoes them all).
   */
  async query(sql: string): Promise<QueryResult> {
    if (this.closed) throw sqlError('connection_does_not_exist', 'connection to the server was closed');
    this.qd.inst.mustBeRunning();
    let stmts: Statement[];
    try {
      stmts = parse(sql);
    } catch (e) {
      if (this.explicit && this.txState !== 'failed') await this.fail('block');
      throw asSqlError(e);
    }
    if (stmts.length === 0) return commandResult('EMPTY');
    let last: QueryResult = commandResult('EMPTY');
    this.active = true;
    this.currentQuery = sql;
    this.queryStart = this.qd.clock.now();
    this.implicitBlock = stmts.length > 1 && !this.explicit;
    if (this.implicitBlock) this.settings.beginTransaction();
    try {
      for (const s of stmts) {
        this.startStatement();
        try {
          last = await this.run(s);
        } finally {
          this.endStatement();
        }
      }
      if (this.implicitBlock) await this.finish(true);
      last.transactionStatus = this.txState;
    } finally {
      this.implicitBlock = false;
      this.active = false;
      this.interrupts = undefined;
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
    checkGang(this.temp, this.gangs, (content) => this.qd.contentDbids()[content]);
    if (this.utility) refuseInUtilityMode(stmt);
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
        this.xactStart ??= this.qd.clock.now();
        // BEGIN inside a multi-statement string: the implicit transaction becomes the block.
        if (this.implicitBlock) this.implicitBlock = false;
        else this.settings.beginTransaction();
        return commandResult(stmt.start ? 'START TRANSACTION' : 'BEGIN');
      case 'commit':
        return this.endBlock(true);
      case 'rollback':
        return this.endBlock(false);
      default:
        break;
    }
    const autocommit = !this.explicit && !this.implicitBlock;
    if (autocommit) this.settings.beginTransaction();
    try {
      this.checkCancel();
      this.savepoints.check(stmt);
      const result =
        stmt.kind === 'savepoint' || stmt.kind === 'releaseSavepoint' || stmt.kind === 'rollbackToSavepoint'
          ? await this.savepoints.run(this, stmt)
          : await runStatement(this, await expandViews(this, stmt));
      if (!this.committing) this.checkCancel();
      if (autocommit) await this.finish(true);
      result.notices = [...this.notices, ...result.notices];
      return result;
    } catch (e) {
      // A segment that refused or vanished, or a gang that could not be made: FTS should look
      // now (FtsNotifyProber).
      if (
        e instanceof SqlError &&
        (e.code === SqlState.connection_failure || e.code === SqlState.gp_interconnection_error)
      )
        this.qd.notifyFts();
      await this.fail(autocommit ? 'autocommit' : this.implicitBlock ? 'implicit' : 'block');
      throw asSqlError(e);
    }
  }

  /** The distributed transaction of the current statement, begun on first need. */
  async ensureDtx(): Promise<OpenDtx> {
    if (!this.dtx) {
      this.dtx = await this.qd.dtm.open(this.beginLocal());
      this.xactStart ??= this.qd.clock.now();
    }
    return this.dtx;
  }

  /** Context for dispatching one command. Reads outside a transaction need no gxid. */
  async dtxContext(write: boolean): Promise<DtxContext> {
    if (!write && this.autocommit && !this.dtx) return this.qd.dtm.commandContext(undefined);
    return this.qd.dtm.commandContext(await this.ensureDtx());
  }

  private async endBlock(commit: boolean): Promise<QueryResult> {
    if (!this.explicit) {
      this.notices.push('WARNING:  there is no transaction in progress');
      if (this.implicitBlock) {
        // Ends the implicit transaction of a multi-statement string; the rest starts another.
        await this.finish(commit);
        this.settings.beginTransaction();
      }
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
    this.savepoints.clear();
    this.settings.endTransaction(commit);
    try {
      if (d) {
        if (commit) {
          this.committing = true;
          await this.qd.dtm.commit(d, this.notices);
        } else await this.qd.dtm.abort(d);
      }
      this.temp.endTransaction(commit);
      this.cursors.endTransaction(commit);
    } catch (e) {
      this.temp.endTransaction(false);
      this.cursors.endTransaction(false);
      throw e;
    } finally {
      this.committing = false;
      if (d) this.qd.dtm.end(d.gxid);
      this.qd.locks.releaseAll(this.id);
    }
  }

  /**
   * A statement failed: a single statement's transaction or a multi-statement string's implicit
   * one is undone; in a transaction block the work is undone now (or, inside a savepoint, by
   * ROLLBACK TO) and further commands are refused until ROLLBACK or ROLLBACK TO.
   */
  private async fail(scope: 'autocommit' | 'implicit' | 'block'): Promise<void> {
    if (this.dtx) this.dtx.failedStatement = true;
    if (scope !== 'block') {
      this.implicitBlock = false;
      await this.finish(false).catch(() => undefined);
      return;
    }
    this.txState = 'failed';
    // Inside a savepoint the transaction stays open for ROLLBACK TO, which undoes the statement.
    if (this.savepoints.size) return;
    this.temp.endTransaction(false);
    this.cursors.endTransaction(false);
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
    // Its temporary tables go with it (a failed drop leaves files no catalog names).
    if (this.temp.size) await this.query(`drop table ${this.temp.names().join(', ')}`).catch(() => undefined);
    this.closed = true;
    this.qd.sessions.delete(this.id);
  }
}
