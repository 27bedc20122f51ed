/**
 * What the lab's charts draw beside the workload: the replication lag of the worst pair at each
 * catalog refresh, and when a fault was in force (to shade those samples).
 */

/** An LSN as psql prints it ('0/16B3748') in bytes. */
export function lsnBytes(v: unknown): number {
  const m = /^([0-9A-Fa-f]+)\/([0-9A-Fa-f]+)$/.exec(String(v ?? ''));
  return m ? parseInt(m[1]!, 16) * 2 ** 32 + parseInt(m[2]!, 16) : 0;
}

/** One pair's walsender as gp_stat_replication shows it, with its lag in bytes. */
export interface PairReplication {
  state: string;
  lagBytes: number;
  sentLsn?: string;
  flushLsn?: string;
  replayLsn?: string;
  syncState?: string;
  syncError?: string;
}

export class HealthSeries {
  /** Replication per content from gp_stat_replication (-1: the coordinator's standby). */
  replication = new Map<number, PairReplication>();
  /** The largest lag over all pairs, per catalog refresh (oldest first; the last 15 minutes or so). */
  lagSeries: { t: number; maxLagBytes: number }[] = [];
  /** WAL sent per second to each content's mirror (-1: the standby), from sent_lsn between refreshes. */
  walRate = new Map<number, number>();
  private lastSent = new Map<number, { t: number; bytes: number }>();
  /** When a fault was in force: transitions, oldest first. */
  faultTimeline: { t: number; active: boolean }[] = [];

  /** Rows of gp_stat_replication (gp_segment_id, state, the LSNs, sync_state, sync_error). */
  addReplication(rows: Record<string, unknown>[], now = Date.now()): void {
    const m = new Map<number, PairReplication>();
    const text = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
    for (const r of rows) {
      const p: PairReplication = {
        state: String(r['state']),
        lagBytes: Math.max(0, lsnBytes(r['sent_lsn']) - lsnBytes(r['replay_lsn'])),
      };
      const fields = {
        sentLsn: text(r['sent_lsn']),
        flushLsn: text(r['flush_lsn']),
        replayLsn: text(r['replay_lsn']),
        syncState: text(r['sync_state']),
        syncError: text(r['sync_error']),
      };
      for (const [k, v] of Object.entries(fields))
        if (v !== undefined) (p as unknown as Record<string, string>)[k] = v;
      m.set(Number(r['gp_segment_id']), p);
    }
    this.replication = m;
    const rates = new Map<number, number>();
    const sent = new Map<number, { t: number; bytes: number }>();
    for (const [content, p] of m) {
      const bytes = lsnBytes(p.sentLsn);
      const before = this.lastSent.get(content);
      sent.set(content, { t: now, bytes });
      if (before && now > before.t && bytes >= before.bytes)
        rates.set(content, ((bytes - before.bytes) * 1000) / (now - before.t));
    }
    this.lastSent = sent;
    this.walRate = rates;
    const maxLagBytes = Math.max(0, ...[...m.values()].map((x) => x.lagBytes));
    this.lagSeries = [...this.lagSeries, { t: now, maxLagBytes }].slice(-900);
  }

  /**
   * The catalog could not be read (the coordinator is down or unreachable): the rates are
   * unknown, not what they were, so the diagram drops its labels until two reads measure again.
   */
  replicationUnknown(): void {
    this.walRate = new Map();
    this.lastSent = new Map();
  }

  /** Records whether a fault is in force now (only its transitions are kept). */
  noteFault(active: boolean, now = Date.now()): void {
    const last = this.faultTimeline[this.faultTimeline.length - 1];
    if (last?.active === active || (!last && !active)) return;
    this.faultTimeline = [...this.faultTimeline, { t: now, active }].slice(-400);
  }

  /** The periods a fault was in force that overlap [from, to], as [start, end] pairs. */
  faultBands(from: number, to: number): [number, number][] {
    const out: [number, number][] = [];
    let start: number | undefined;
    for (const x of this.faultTimeline) {
      if (x.active && start === undefined) start = x.t;
      else if (!x.active && start !== undefined) {
        if (x.t >= from && start <= to) out.push([Math.max(from, start), Math.min(to, x.t)]);
        start = undefined;
      }
    }
    if (start !== undefined && start <= to) out.push([Math.max(from, start), to]);
    return out;
  }

  /** Was a fault in force at time `t` (ms since the epoch)? */
  faultAt(t: number): boolean {
    let active = false;
    for (const x of this.faultTimeline) {
      if (x.t > t) break;
      active = x.active;
    }
    return active;
  }
}
