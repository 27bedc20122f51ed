/**
 * pg_sleep(seconds): the session waits on the cluster's clock (at 30x, pg_sleep(60) is 2 s of
 * wall time), and a cancel or statement_timeout ends the wait at once with its error. It runs as
 * a statement of its own, `SELECT pg_sleep(n)`; called per row inside a query it is refused
 * (0A000), since an instance evaluates expressions without waiting.
 */
import { sqlError } from '../errors.ts';
import type { Expr, Query } from '../sql/ast.ts';
import { registerFunction } from '../sql/functions.ts';
import type { QueryResult } from './results.ts';
import type { Session } from './session.ts';

registerFunction(
  'pg_sleep',
  ['float8'],
  'text',
  () => {
    throw sqlError('feature_not_supported', 'pg_sleep is only supported as a statement of its own', {
      hint: 'Run SELECT pg_sleep(seconds) by itself.',
    });
  },
  { volatile: true },
);

/** The argument of `SELECT pg_sleep(x)`, the whole statement; undefined for any other query. */
export function sleepArgument(q: Query): Expr | undefined {
  if (q.kind !== 'select' || q.from.length || q.targets.length !== 1 || q.where || q.groupBy?.length)
    return undefined;
  const t = q.targets[0]!;
  if (t.kind !== 'expr' || t.expr.kind !== 'call' || t.expr.name !== 'pg_sleep' || t.expr.args.length !== 1)
    return undefined;
  return t.expr.args[0];
}

/**
 * Sleeps `seconds` of cluster time (NULL or a negative count: no wait, as Postgres), ending early
 * with the statement's cancel.
 */
export async function pgSleep(s: Session, seconds: number | null, column: string): Promise<QueryResult> {
  const ms = seconds === null || !(seconds > 0) ? 0 : (seconds * 1000) / s.qd.timeScale;
  await s.sleep(ms);
  return {
    command: 'SELECT',
    rowCount: 1,
    fields: [{ name: column, type: 'void' }],
    rows: [[seconds === null ? null : '']],
    notices: [],
  };
}
