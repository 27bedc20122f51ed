/**
 * Cursors: DECLARE, FETCH, MOVE and CLOSE, forward only as in Greenplum. The query runs when the
 * cursor is declared, with the DECLARE's snapshot as in Postgres, and the session holds its rows
 * on the coordinator. A cursor without HOLD belongs to its transaction and to the gang that read
 * it: once a failover has moved a content it read, FETCH fails as any statement of that
 * transaction does ("gang was lost due to cluster reconfiguration"). A WITH HOLD cursor is
 * materialized when its transaction commits (Greenplum does the same) and outlives the gang.
 */
import { sqlError } from '../errors.ts';
import type { CloseCursorStmt, DeclareCursorStmt, FetchDirection, FetchStmt } from '../sql/ast.ts';
import { commandResult, type QueryResult } from './results.ts';
import type { Session } from './session.ts';
import { runQuery } from './statements.ts';

interface OpenCursor {
  result: QueryResult;
  /** Rows already fetched or moved over. */
  pos: number;
  /** A fetch has run past the last row (Postgres' atEnd). */
  atEnd: boolean;
  hold: boolean;
  /** Declared in the transaction now open: an abort takes it, WITH HOLD or not. */
  thisTransaction: boolean;
  /** Declaration order (ROLLBACK TO SAVEPOINT closes those declared after it). */
  seq: number;
}

export class Cursors {
  private readonly open = new Map<string, OpenCursor>();
  private declared = 0;

  /** Where declarations stand now (a savepoint's mark). */
  mark(): number {
    return this.declared;
  }

  /** ROLLBACK TO SAVEPOINT: cursors declared after `mark` close, as their portals are dropped. */
  closeSince(mark: number): void {
    for (const [name, c] of this.open) if (c.seq > mark) this.open.delete(name);
  }

  get size(): number {
    return this.open.size;
  }

  /** Transaction end: cursors without HOLD close; an abort also takes the ones it declared. */
  endTransaction(commit: boolean): void {
    for (const [name, c] of this.open) {
      if (!c.hold || (c.thisTransaction && !commit)) this.open.delete(name);
      else c.thisTransaction = false;
    }
  }

  async declare(s: Session, stmt: DeclareCursorStmt): Promise<QueryResult> {
    if (!stmt.hold && s.autocommit)
      throw sqlError('no_active_sql_transaction', 'DECLARE CURSOR can only be used in transaction blocks');
    if (this.open.has(stmt.name)) throw sqlError('duplicate_cursor', `cursor "${stmt.name}" already exists`);
    const result = await runQuery(s, stmt.query);
    this.open.set(stmt.name, {
      result,
      pos: 0,
      atEnd: false,
      hold: stmt.hold,
      thisTransaction: !s.autocommit,
      seq: ++this.declared,
    });
    return commandResult('DECLARE CURSOR');
  }

  fetch(s: Session, stmt: FetchStmt): QueryResult {
    const c = this.open.get(stmt.name);
    if (!c) throw sqlError('invalid_cursor_name', `cursor "${stmt.name}" does not exist`);
    if (!c.hold && s.dtx) s.qd.dtm.checkGang(s.dtx);
    const total = c.result.rows.length;
    const { skip, take } = forwardSteps(stmt.direction, c.pos, total, c.atEnd);
    const from = Math.min(c.pos + skip, total);
    const rows = c.result.rows.slice(from, take === 'all' ? undefined : from + take);
    c.pos = from + rows.length;
    if (take === 'all' || from + take > total) c.atEnd = true;
    if (stmt.move) return commandResult('MOVE', rows.length);
    return { ...c.result, command: 'FETCH', rowCount: rows.length, rows, notices: [] };
  }

  close(stmt: CloseCursorStmt): QueryResult {
    if (stmt.name === undefined) this.open.clear();
    else if (!this.open.delete(stmt.name))
      throw sqlError('invalid_cursor_name', `cursor "${stmt.name}" does not exist`);
    return commandResult('CLOSE CURSOR');
  }
}

/**
 * A direction as rows to skip and rows to take from the cursor's position (`pos` rows read of
 * `total`, past the end once `atEnd`). Only forward movement exists: a move to an earlier row
 * fails as Greenplum's does. Fetching the current row again (FORWARD 0) is a move back, except
 * before the first row or past the last, where there is none and nothing comes back.
 */
export function forwardSteps(
  d: FetchDirection,
  pos: number,
  total: number,
  atEnd: boolean,
): { skip: number; take: number | 'all' } {
  const noRow = pos === 0 || atEnd;
  const backward = () =>
    sqlError('feature_not_supported', 'backward scan is not supported in this version of Greenplum Database');
  const onlyForward = () =>
    sqlError('object_not_in_prerequisite_state', 'cursor can only scan forward', {
      hint: 'Declare it with SCROLL option to enable backward scan.',
    });
  const n = d.count;
  switch (d.how) {
    case 'forward':
      if (n === 'all') return { skip: 0, take: 'all' };
      if (n < 0) throw backward();
      if (n === 0) {
        if (noRow) return { skip: 0, take: 0 };
        throw onlyForward();
      }
      return { skip: 0, take: n };
    case 'backward':
      throw backward();
    case 'relative':
      if (n === 'all' || n < 0) throw backward();
      if (n === 0) {
        if (noRow) return { skip: 0, take: 0 };
        throw onlyForward();
      }
      return { skip: n - 1, take: 1 };
    case 'absolute':
      // LAST (and any count from the end) reads to the end and steps back.
      if (n === 'all' || n < 0) throw backward();
      if (n <= Math.min(pos, total)) throw onlyForward();
      return { skip: n - 1 - pos, take: 1 };
  }
}
