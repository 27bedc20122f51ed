/**
 * Savepoints (SAVEPOINT, RELEASE, ROLLBACK TO) of a coordinator session.
 *
 * A savepoint marks where the transaction's commands stand (the command id, shared by the
 * coordinator and the segments), its settings, locks and cursors. ROLLBACK TO undoes every
 * command since the mark on the coordinator and on the segments the transaction reached
 * (dtm.rollbackToSavepoint, WAL-logged, so a mirror undoes them too), releases the locks taken
 * since, closes the cursors declared since and restores the settings; the savepoint stays.
 * A statement that fails inside a savepoint leaves the transaction open (failed) for a
 * ROLLBACK TO; after a failover the gang is gone and ROLLBACK TO fails as in Greenplum.
 *
 * Table definitions (CREATE, DROP, TRUNCATE...) are refused while a savepoint is open: this
 * lab undoes them only with the whole transaction, and would rather say so than half-undo one.
 */
import { sqlError } from '../errors.ts';
import type { Statement } from '../sql/ast.ts';
import { commandResult, type QueryResult } from './results.ts';
import type { Session } from './session.ts';

interface Savepoint {
  name: string;
  /** The first command id after it: ROLLBACK TO undoes this one and every later one. */
  cid: number;
  /** Its nesting level in the session's settings. */
  settingsLevel: number;
  locks: number;
  cursors: number;
}

/** Statements that change table definitions: undone only with the whole transaction here. */
const DEFINITIONS: Partial<Record<Statement['kind'], string>> = {
  createTable: 'CREATE TABLE',
  createTableAs: 'CREATE TABLE AS',
  dropTable: 'DROP TABLE',
  truncate: 'TRUNCATE',
  expandTable: 'ALTER TABLE',
  createView: 'CREATE VIEW',
  dropView: 'DROP VIEW',
  createIndex: 'CREATE INDEX',
  dropIndex: 'DROP INDEX',
  reindex: 'REINDEX',
  analyze: 'ANALYZE',
};

export class Savepoints {
  private stack: Savepoint[] = [];

  get size(): number {
    return this.stack.length;
  }

  /** The transaction ended: its savepoints are gone. */
  clear(): void {
    this.stack = [];
  }

  /** Refuses a statement this lab cannot undo to a savepoint, while one is open. */
  check(stmt: Statement): void {
    const what = DEFINITIONS[stmt.kind];
    if (what && this.stack.length)
      throw sqlError('feature_not_supported', `${what} inside a savepoint is not supported`, {
        hint: 'Run it before the SAVEPOINT, or RELEASE the savepoints first: this lab undoes table definitions only with the whole transaction.',
      });
  }

  run(s: Session, stmt: Statement & { kind: 'savepoint' | 'releaseSavepoint' | 'rollbackToSavepoint' }) {
    if (!s.explicit) {
      const what = {
        savepoint: 'SAVEPOINT',
        releaseSavepoint: 'RELEASE SAVEPOINT',
        rollbackToSavepoint: 'ROLLBACK TO SAVEPOINT',
      }[stmt.kind];
      throw sqlError('no_active_sql_transaction', `${what} can only be used in transaction blocks`);
    }
    if (stmt.kind === 'savepoint') return this.define(s, stmt.name);
    if (stmt.kind === 'releaseSavepoint') return this.release(s, stmt.name);
    return this.rollbackTo(s, stmt.name);
  }

  private define(s: Session, name: string): QueryResult {
    this.stack.push({
      name,
      cid: s.dtx ? s.dtx.local.cid + 1 : 0,
      settingsLevel: s.settings.gucs.savepoint(),
      locks: s.qd.locks.mark(),
      cursors: s.cursors.mark(),
    });
    return commandResult('SAVEPOINT');
  }

  private release(s: Session, name: string): QueryResult {
    const i = this.find(name);
    s.settings.gucs.releaseSavepoint(this.stack[i]!.settingsLevel);
    this.stack.length = i;
    return commandResult('RELEASE');
  }

  private async rollbackTo(s: Session, name: string): Promise<QueryResult> {
    const i = this.find(name);
    const sp = this.stack[i]!;
    if (s.dtx) await s.qd.dtm.rollbackToSavepoint(s.dtx, sp.cid, name);
    this.stack.length = i + 1;
    s.settings.gucs.rollbackToSavepoint(sp.settingsLevel);
    s.qd.locks.releaseSince(s.id, sp.locks);
    s.cursors.closeSince(sp.cursors);
    s.txState = 'in transaction';
    return commandResult('ROLLBACK');
  }

  /** The most recent savepoint of that name (Postgres allows the same name twice). */
  private find(name: string): number {
    for (let i = this.stack.length - 1; i >= 0; i--) if (this.stack[i]!.name === name) return i;
    throw sqlError('invalid_savepoint_specification', `savepoint "${name}" does not exist`);
  }
}
