/**
 * When FTS probes next, as far as the lab can tell: gp_fts_probe_interval divided as the
 * runtime divides it (timeScale) and by the lab's speed, counted from the last probe cycle the
 * coordinator reported (fts.cycle).
 */
import type { Cluster } from '../../workers/index.ts';
import { settingMs } from './cluster-health.ts';

export class FtsClock {
  /** The probe interval in wall milliseconds at speed 1 (0: unknown). */
  private intervalMs = 0;
  /** When (wall clock) FTS last finished a probe cycle. */
  lastProbeAt = 0;
  /** gp_fts_probe_interval as SHOW gives it ('1min'), '' when unknown. */
  setting = '';

  /** Reads gp_fts_probe_interval once the cluster is up. */
  async read(c: Cluster, timeScale: number): Promise<void> {
    try {
      const r = await c.query('show gp_fts_probe_interval');
      this.setting = String(r.rows[0]?.[0] ?? '');
      const ms = settingMs(this.setting);
      this.intervalMs = ms ? ms / timeScale : 0;
    } catch {
      this.intervalMs = 0;
      this.setting = '';
    }
  }

  /** The interval at this speed, in wall milliseconds (0 when unknown). */
  interval(speed: number): number {
    return this.intervalMs / Math.max(0.01, speed);
  }

  /** Milliseconds until the next probe is due; undefined when unknown, paused or held. */
  nextIn(speed: number, stopped: boolean, now = Date.now()): number | undefined {
    if (!this.intervalMs || !this.lastProbeAt || stopped) return undefined;
    return Math.max(0, this.lastProbeAt + this.interval(speed) - now);
  }
}
