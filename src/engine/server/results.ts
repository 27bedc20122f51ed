import type { SqlType, Value } from '../sql/types.ts';
import { toClientValue, typeDisplayName } from '../sql/types.ts';

/** The result of one statement, as the public API returns it. */
export interface QueryResult {
  /** The command tag's verb(s), e.g. 'SELECT', 'INSERT', 'CREATE TABLE'. */
  command: string;
  /** Rows returned or affected. */
  rowCount: number;
  fields: { name: string; type: string }[];
  rows: unknown[][];
  notices: string[];
  /** COPY ... TO STDOUT: the data, as psql would print it (one line per row). */
  copyOut?: string;
  /**
   * The session's transaction state after the statement, as libpq's ReadyForQuery tells psql
   * (its prompt shows `=*#` in a transaction block, `=!#` in a failed one).
   */
  transactionStatus?: 'idle' | 'in transaction' | 'failed';
}

export function rowsResult(
  columns: { name: string; type: SqlType }[],
  rows: Value[][],
  notices: string[] = [],
): QueryResult {
  return {
    command: 'SELECT',
    rowCount: rows.length,
    fields: columns.map((c) => ({ name: c.name, type: typeDisplayName(c.type) })),
    rows: rows.map((r) => r.map((v, i) => toClientValue(v, columns[i]!.type))),
    notices,
  };
}

export function commandResult(command: string, rowCount = 0, notices: string[] = []): QueryResult {
  return { command, rowCount, fields: [], rows: [], notices };
}
