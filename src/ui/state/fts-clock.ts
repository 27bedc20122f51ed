/**
 * When FTS probes next, as far as the lab can tell: gp_fts_probe_interval in cluster time,
 * divided by how many times faster than the wall clock cluster time runs (the preset's
 * timeScale times the speed, or the simulator's pump), counted from the last probe cycle the
 * coordinator reported (fts.cycle).
 */
import type { Cluster } from '../../workers/index.ts';
import { settingMs } from './cluster-health.ts';

export class FtsClock {
  /** The probe interval in cluster milliseconds (0: unknown). */
  private intervalMs = 0;
  /** When (wall clock) FTS last finished a probe cycle. */
  lastProbeAt = 0;
  /** gp_fts_probe_interval as SHOW gives it ('1min'), '' when unknown. */
  setting = '';

  /** Reads gp_fts_probe_interval once the cluster is up. */
  async read(c: Cluster): Promise<void> {
    try {
      const r = await c.query('show gp_fts_probe_interval');
      this.setting = String(r.rows[0]?.[0] ?? '');
      this.intervalMs = settingMs(this.setting) ?? 0;
    } catch {
      this.intervalMs = 0;
      this.setting = '';
    }
  }

  /** The interval in wall milliseconds, cluster time running `wallFactor` times faster (0 when unknown). */
  interval(wallFactor: number): number {
    return this.intervalMs / Math.max(0.01, wallFactor);
  }

  /** Milliseconds until the next probe is due; undefined when unknown, paused or held. */
  nextIn(wallFactor: number, stopped: boolean, now = Date.now()): number | undefined {
    if (!this.intervalMs || !this.lastProbeAt || stopped) return undefined;
    return Math.max(0, this.lastProbeAt + this.interval(wallFactor) - now);
  }
}
