/**
 * Time compression. The lab runs a cluster's timings `timeScale` times faster than a real
 * cluster (30x by default): a setting keeps its real value (SHOW says 20s) and the runtime
 * waits value / timeScale of wall time. That is right for what is a wait: probe intervals,
 * grace periods, checkpoint and statement timeouts, sleeps — the cluster's clock runs faster,
 * and CPU work looks 30 times slower on it.
 *
 * A timeout that decides a peer is dead is different: it measures how long a healthy instance
 * takes to answer, and compression does not make answering faster. A browser can hold a
 * worker's thread for a good part of a second (a major garbage collection, a busy machine,
 * other programs eating the CPU), so such a timeout never goes below ANSWER_FLOOR_MS of wall
 * time. At 30x, gp_fts_probe_timeout (20 s) is 1 s of wall time rather than 0.67 s; a probe
 * then fails only when an instance gives no answer for a second, and FTS fails over only
 * after gp_fts_probe_retries more such probes. At 1x nothing changes.
 */

/** The least wall time a compressed timeout that detects an unresponsive peer may take. */
export const ANSWER_FLOOR_MS = 1000;

/** Never, for a timeout set to 0 ("disabled"): the longest a timer can wait. */
export const NO_TIMEOUT_MS = 2 ** 31 - 1;

/** A wait under the time scale: `ms` of cluster time in wall milliseconds. */
export function scaledMs(ms: number, timeScale: number): number {
  return ms < 0 ? ms : ms / timeScale;
}

/**
 * A timeout that takes a peer for dead when it has not answered: scaled, but not below the
 * floor (nor above the unscaled value, for settings already shorter than the floor).
 */
export function answerTimeoutMs(ms: number, timeScale: number): number {
  if (ms <= 0 || timeScale <= 1) return ms;
  return Math.max(ms / timeScale, Math.min(ms, ANSWER_FLOOR_MS));
}

/**
 * A wait for a healthy peer to catch up with work already sent to it (a mirror replaying up to
 * the checkpoint gp_replica_check just took): that work takes wall time whatever the scale, and
 * on a busy machine seconds of it. Scaled, but not below 10 s of wall time, nor above the setting.
 */
export function catchUpTimeoutMs(ms: number, timeScale: number): number {
  if (ms <= 0 || timeScale <= 1) return ms;
  return Math.max(ms / timeScale, Math.min(ms, 10 * ANSWER_FLOOR_MS));
}
