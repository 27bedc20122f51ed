/**
 * The dispatcher's two gang errors, with Greenplum's codes (cdbgang_async.c):
 * - gang creation that cannot reach a segment, or gives up on one still in recovery, fails with
 *   ERRCODE_GP_INTERCONNECTION_ERROR, SQLSTATE 58M01;
 * - a transaction whose segment FTS has since taken out of service is refused with an elog(ERROR),
 *   so the internal error's XX000: its part of the transaction died with the old primary.
 * Both leave a commit that was under way uncertain (dtx-rules.ts), as a lost connection does.
 */
import { sqlError, type SqlError } from '../errors.ts';

export const GANG_FAILED = 'failed to acquire resources on one or more segments';
export const GANG_LOST = 'gang was lost due to cluster reconfiguration';

export function gangFailed(detail: string): SqlError {
  return sqlError('gp_interconnection_error', GANG_FAILED, { detail });
}

export function gangLost(detail: string, hint?: string): SqlError {
  return sqlError('internal_error', GANG_LOST, { detail, ...(hint ? { hint } : {}) });
}
