/**
 * How long FTS probes take to come back, per probed instance: the lab shows the last and the
 * worst next to the probe timeout, so a user sees how close a busy instance came to being
 * declared down. Times are on the coordinator's clock (the same units as the timeout).
 */
export interface ProbeTimes {
  dbid: number;
  /** The last probe's round trip, and the longest since the coordinator started. */
  lastMs: number;
  worstMs: number;
  probes: number;
  /** Probes that got no answer (timeout, refused). */
  failures: number;
  /** gp_fts_probe_timeout as it runs (under the time scale). */
  timeoutMs: number;
  /** The last round trips, oldest first (at most RECENT). */
  recentMs: number[];
}

const RECENT = 64;

export class ProbeTimeBook {
  private readonly byDbid = new Map<number, ProbeTimes>();

  record(dbid: number, ms: number, ok: boolean, timeoutMs: number): void {
    let t = this.byDbid.get(dbid);
    if (!t) {
      t = { dbid, lastMs: 0, worstMs: 0, probes: 0, failures: 0, timeoutMs, recentMs: [] };
      this.byDbid.set(dbid, t);
    }
    t.timeoutMs = timeoutMs;
    t.probes++;
    if (!ok) {
      t.failures++;
      return;
    }
    t.lastMs = ms;
    t.worstMs = Math.max(t.worstMs, ms);
    t.recentMs.push(ms);
    if (t.recentMs.length > RECENT) t.recentMs.shift();
  }

  list(): ProbeTimes[] {
    return [...this.byDbid.values()].map((t) => ({ ...t, recentMs: [...t.recentMs] }));
  }
}
