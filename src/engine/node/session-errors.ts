/** What a client sees of an instance that is down or that went down under its session (libpq's words). */
import { sqlError, type SqlError } from '../errors.ts';
import { CONNECTION_LOST_DETAIL, CONNECTION_LOST_MESSAGE } from '../runtime/link.ts';

/** Connecting to an instance whose process is not running. */
export function connectionRefused(host: string, dbid: number): SqlError {
  return sqlError('connection_failure', 'could not connect to server: Connection refused', {
    detail: `Is the server running on host "${host}" (dbid ${dbid})?`,
  });
}

/**
 * A statement on a session whose instance has gone down since. Stopped by a utility (gpstop -M
 * fast), the server ends the session itself (57P01); crashed, it is gone without a word and the
 * client finds the connection closed (libpq's 08006).
 */
export function sessionGone(stoppedOnPurpose: boolean): SqlError {
  return stoppedOnPurpose
    ? sqlError('admin_shutdown', 'terminating connection due to administrator command')
    : sqlError('connection_failure', CONNECTION_LOST_MESSAGE, { detail: CONNECTION_LOST_DETAIL });
}

/**
 * Connecting while no coordinator runs. After gpstop the way back is gpstart; after a failure,
 * a restart or the standby's activation.
 */
export function coordinatorNotRunning(stoppedByGpstop: boolean): SqlError {
  return sqlError('cannot_connect_now', 'the coordinator is not running', {
    hint: stoppedByGpstop
      ? 'The cluster was stopped with gpstop: start it with gpstart -a.'
      : 'Restart it, or activate the standby (gpactivatestandby).',
  });
}
