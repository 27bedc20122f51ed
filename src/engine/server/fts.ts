/**
 * The fault tolerance service (ftsprobe) on the coordinator: probes every acting primary,
 * decides failovers, and records them in gp_segment_configuration and
 * gp_configuration_history with Greenplum's texts (see greenplum-ha.md §2).
 *
 * - Probe failed, pair in sync → the old primary becomes (m, d, n), the mirror (p, u, n), the
 *   rows are written first, then the mirror is told to PROMOTE.
 * - Probe failed, mirror not in sync (or none) → a double fault: nothing changes.
 * - Primary reports its mirror down, past the grace period, sync rep on → the mirror is marked
 *   (m, d, n), the primary (p, u, n), then SYNCREP_OFF releases the blocked commits.
 * - Mirror up again → (u, n), then (u, s) once streaming.
 *
 * In file replication (Greenplum 5) the states are those of gparray's VALID_SEGMENT_STATES:
 * a failover makes the old primary (m, d, s) and the mirror (p, u, c); a primary whose mirror
 * stopped answering is told to track changes, (p, u, c) with its mirror (m, d, s); during a
 * resynchronization both are (u, r), and (u, s) once the primary reports it done.
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import type { ProbeResponse } from '../replication/protocol.ts';
import type { Coordinator } from './coordinator.ts';
import { ProbeTimeBook } from './fts-probe-times.ts';

export interface FtsTiming {
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  /** Wait between retries (1 s in Greenplum, scaled). */
  retryWaitMs: number;
}

export interface FtsTransport {
  probe(dbid: number, timeoutMs: number): Promise<ProbeResponse>;
  syncRepOff(dbid: number, timeoutMs: number): Promise<ProbeResponse>;
  promote(dbid: number, timeoutMs: number): Promise<{ isRoleMirror: boolean }>;
}

type Outcome = { ok: true; r: ProbeResponse } | { ok: false; error: string };

export class Fts {
  private readonly qd: Coordinator;
  private readonly transport: FtsTransport;
  timing: FtsTiming;
  /** Contents in double fault (or down, mirrorless): the history row is written once per entry. */
  private readonly doubleFault = new Set<number>();
  private timer: { cancel(): void } | undefined;
  private cycleRunning: Promise<void> | undefined;
  private waitersForNext: (() => void)[] = [];
  /** Probes skipped while held (the 'fts_probe' fault 'skip'). */
  paused = false;
  cycles = 0;
  /** Round trips of the probes, per primary probed. */
  readonly probeTimes = new ProbeTimeBook();
  private stopped = false;

  /** Holds: 'fts_probe' held for the coordinator's dbid skips probing (gp_inject_fault 'skip'). */
  private readonly skip: () => boolean;
  /** Segments mirror by file replication (Greenplum 5 states). */
  private readonly fileRep: boolean;

  constructor(
    qd: Coordinator,
    transport: FtsTransport,
    timing: FtsTiming,
    skip: () => boolean = () => false,
    fileRep = false,
  ) {
    this.fileRep = fileRep;
    this.qd = qd;
    this.transport = transport;
    this.timing = timing;
    this.skip = skip;
  }

  start(): void {
    this.stopped = false;
    this.schedule(this.timing.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    for (const w of this.waitersForNext.splice(0)) w();
  }

  /** gp_request_fts_probe_scan(): a cycle that starts after this call, finished. */
  async requestScan(): Promise<void> {
    if (this.cycleRunning) await this.cycleRunning.catch(() => undefined);
    await this.runCycle();
  }

  /** The dispatcher saw a segment fail: probe soon, without waiting for it. */
  trigger(): void {
    if (!this.cycleRunning) void this.runCycle().catch(() => undefined);
  }

  /**
   * A configuration reload changed the timings: the FTS process wakes (its latch is set by
   * SIGHUP) and the next scan is due one new interval after the last one began.
   */
  retime(timing: FtsTiming): void {
    this.timing = timing;
    if (this.stopped || this.cycleRunning) return;
    this.schedule(Math.max(0, this.lastScheduledStart + timing.intervalMs - this.qd.clock.now()));
  }

  private lastScheduledStart = 0;

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer?.cancel();
    if (this.lastScheduledStart === 0) this.lastScheduledStart = this.qd.clock.now();
    this.timer = this.qd.clock.setTimer(ms, () => {
      const started = this.qd.clock.now();
      this.lastScheduledStart = started;
      void this.runCycle()
        .catch(() => undefined)
        .finally(() => this.schedule(Math.max(0, this.timing.intervalMs - (this.qd.clock.now() - started))));
    });
  }

  private runCycle(): Promise<void> {
    if (this.cycleRunning) return this.cycleRunning;
    this.cycleRunning = this.cycle().finally(() => (this.cycleRunning = undefined));
    return this.cycleRunning;
  }

  private async cycle(attempt = 0): Promise<void> {
    if (this.paused || this.skip() || this.stopped || this.qd.inst.state !== 'running') return;
    this.cycles++;
    const config = this.qd.config;
    const version = this.qd.configVersion;
    const primaries = config.filter((c) => c.content >= 0 && c.role === 'p');
    const mirrorless = !config.some((c) => c.content >= 0 && c.role === 'm');
    const outcomes = await Promise.all(primaries.map((p) => this.probeWithRetries(p, config)));
    const changes: SegmentConfig[] = [];
    const history: { dbid: number; desc: string }[] = [];
    const followUps: (() => Promise<void>)[] = [];
    primaries.forEach((p, i) => {
      const mirror = config.find((c) => c.content === p.content && c.dbid !== p.dbid);
      this.decide(p, mirror, outcomes[i]!, mirrorless, changes, history, followUps);
    });
    if ((changes.length || history.length) && !(await this.record(changes, history, version))) {
      // A utility changed the configuration while this cycle probed: its decisions were made
      // on rows that are gone. Probe again on the new configuration (a few times at most).
      this.qd.trace({ kind: 'fts.cycle', cycle: this.cycles, changed: 0, stale: true });
      if (attempt < 3) await this.cycle(attempt + 1);
      return;
    }
    for (const f of followUps) await f().catch(() => undefined);
    if (changes.length || history.length) await this.qd.ftsChanged(this.timing.timeoutMs);
    this.qd.trace({ kind: 'fts.cycle', cycle: this.cycles, changed: changes.length });
  }

  private async probeWithRetries(p: SegmentConfig, config: SegmentConfig[]): Promise<Outcome> {
    let last: Outcome = { ok: false, error: 'not probed' };
    for (let attempt = 0; attempt <= this.timing.retries; attempt++) {
      if (attempt > 0) await this.qd.clock.sleep(this.timing.retryWaitMs);
      const sent = this.qd.clock.now();
      try {
        const r = await this.transport.probe(p.dbid, this.timing.timeoutMs);
        this.probeTimes.record(p.dbid, this.qd.clock.now() - sent, true, this.timing.timeoutMs);
        last = { ok: true, r };
        const mirror = config.find((c) => c.content === p.content && c.dbid !== p.dbid);
        // Within the grace period, look again before marking a mirror that is still 'u' down.
        if (r.requestRetry && mirror?.status === 'u' && attempt < this.timing.retries) continue;
        return last;
      } catch (e) {
        this.probeTimes.record(p.dbid, this.qd.clock.now() - sent, false, this.timing.timeoutMs);
        last = { ok: false, error: (e as Error).message };
      }
    }
    return last;
  }

  private decide(
    p: SegmentConfig,
    m: SegmentConfig | undefined,
    o: Outcome,
    mirrorless: boolean,
    changes: SegmentConfig[],
    history: { dbid: number; desc: string }[],
    followUps: (() => Promise<void>)[],
  ): void {
    const c = p.content;
    if (!o.ok) {
      if (mirrorless || !m) {
        if (!this.doubleFault.has(c)) {
          this.doubleFault.add(c);
          history.push({ dbid: p.dbid, desc: `FTS: content id ${c} dbid ${p.dbid} is down` });
        }
        return;
      }
      if (p.mode === 's' && m.mode === 's' && m.status === 'u') {
        // Failover: the rows first, then PROMOTE. In file replication the new primary tracks changes.
        const [oldMode, newMode] = this.fileRep ? (['s', 'c'] as const) : (['n', 'n'] as const);
        changes.push({ ...p, role: 'm', status: 'd', mode: oldMode });
        changes.push({ ...m, role: 'p', status: 'u', mode: newMode });
        history.push(updateRow(p.dbid, c, 'm', 'd', oldMode));
        history.push(updateRow(m.dbid, c, 'p', 'u', newMode));
        followUps.push(async () => {
          try {
            await this.transport.promote(m.dbid, this.timing.timeoutMs);
            this.doubleFault.delete(c);
            this.qd.trace({ kind: 'fts.promote', content: c, dbid: m.dbid });
          } catch {
            await this.noteDoubleFault(c, m.dbid);
          }
        });
        this.qd.trace({ kind: 'fts.failover', content: c, from: p.dbid, to: m.dbid, reason: o.error });
        return;
      }
      if (!this.doubleFault.has(c)) {
        this.doubleFault.add(c);
        history.push({ dbid: p.dbid, desc: `FTS: double fault detected for content id ${c}` });
        this.qd.trace({ kind: 'fts.double_fault', content: c, primary: p.dbid, mirror: m.dbid });
      }
      return;
    }
    const r = o.r;
    if (this.doubleFault.delete(c))
      history.push({
        dbid: p.dbid,
        desc:
          mirrorless || !m
            ? `FTS: content id ${c} dbid ${p.dbid} is now up`
            : `FTS: content id ${c} is out of double fault, dbid ${p.dbid} is up`,
      });
    if (mirrorless || !m) return;
    if (r.isRoleMirror) {
      followUps.push(async () => void (await this.transport.promote(p.dbid, this.timing.timeoutMs)));
      return;
    }
    if (this.fileRep) {
      this.decideFileRep(p, m, r, changes, history, followUps);
      return;
    }
    if (!r.isMirrorUp) {
      if (r.requestRetry) {
        this.qd.trace({ kind: 'fts.skip_mirror_down', content: c, dbid: m.dbid, reason: 'retryRequested' });
        return;
      }
      const pChange = p.mode !== 'n';
      const mChange = m.status !== 'd' || m.mode !== 'n';
      if (pChange || mChange) {
        changes.push({ ...p, mode: 'n' }, { ...m, status: 'd', mode: 'n' });
        history.push(updateRow(p.dbid, c, 'p', 'u', 'n'), updateRow(m.dbid, c, 'm', 'd', 'n'));
        this.qd.trace({ kind: 'fts.mirror_down', content: c, dbid: m.dbid });
      }
      if (r.isSyncRepEnabled)
        followUps.push(async () => void (await this.transport.syncRepOff(p.dbid, this.timing.timeoutMs)));
      return;
    }
    const mode = r.isInSync ? 's' : 'n';
    const statusChanged = m.status !== 'u';
    const modeChanged = p.mode !== mode || m.mode !== mode;
    if (modeChanged) {
      changes.push({ ...p, mode }, { ...m, status: 'u', mode });
      history.push(updateRow(p.dbid, c, 'p', 'u', mode), updateRow(m.dbid, c, 'm', 'u', mode));
    } else if (statusChanged) {
      changes.push({ ...m, status: 'u' });
      history.push(updateRow(m.dbid, c, 'm', 'u', mode));
    }
    if (modeChanged || statusChanged)
      this.qd.trace({ kind: 'fts.mirror_up', content: c, dbid: m.dbid, mode });
  }

  /** A probed primary in file replication: its data state decides the pair's rows. */
  private decideFileRep(
    p: SegmentConfig,
    m: SegmentConfig,
    r: ProbeResponse,
    changes: SegmentConfig[],
    history: { dbid: number; desc: string }[],
    followUps: (() => Promise<void>)[],
  ): void {
    const c = p.content;
    const state = r.fileRep;
    if (!state) return;
    const set = (
      pMode: SegmentConfig['mode'],
      mStatus: SegmentConfig['status'],
      mMode: SegmentConfig['mode'],
    ) => {
      if (p.mode === pMode && m.status === mStatus && m.mode === mMode) return false;
      changes.push({ ...p, mode: pMode }, { ...m, status: mStatus, mode: mMode });
      history.push(updateRow(p.dbid, c, 'p', 'u', pMode), updateRow(m.dbid, c, 'm', mStatus, mMode));
      return true;
    };
    if (state.faulted || state.mode === 'c') {
      // The mirror is lost: it stays (d, s), or (d, r) when it failed resynchronizing.
      if (set('c', 'd', m.mode === 'r' ? 'r' : 's'))
        this.qd.trace({ kind: 'fts.mirror_down', content: c, dbid: m.dbid });
      if (state.faulted)
        followUps.push(async () => void (await this.transport.syncRepOff(p.dbid, this.timing.timeoutMs)));
      return;
    }
    if (set(state.mode, 'u', state.mode))
      this.qd.trace({ kind: 'fts.mirror_up', content: c, dbid: m.dbid, mode: state.mode });
  }

  private async noteDoubleFault(c: number, dbid: number): Promise<void> {
    if (this.doubleFault.has(c)) return;
    this.doubleFault.add(c);
    await this.record([], [{ dbid, desc: `FTS: double fault detected for content id ${c}` }]);
  }

  /** One coordinator transaction for the catalog changes of a cycle. */
  /**
   * The changes, in one transaction under the configuration lock; false (nothing written) when
   * the configuration is no longer the `version` they were decided on.
   */
  private async record(
    changes: SegmentConfig[],
    history: { dbid: number; desc: string }[],
    version?: number,
  ): Promise<boolean> {
    return this.qd.changeConfig(async () => {
      if (version !== undefined && this.qd.configVersion !== version) return false;
      const tx = this.qd.inst.xact.begin();
      try {
        for (const c of changes) await this.qd.catalog.updateSegment(tx, c);
        for (const h of history) await this.qd.catalog.addHistory(tx, h.dbid, h.desc, this.qd.clock.now());
        await this.qd.inst.xact.commit(tx);
      } catch (e) {
        this.qd.inst.xact.abort(tx);
        throw e;
      }
      await this.qd.refreshConfig();
      this.qd.configVersion++;
      return true;
    });
  }
}

function updateRow(dbid: number, content: number, role: string, status: string, mode: string) {
  return {
    dbid,
    desc: `FTS: update role, status, and mode for dbid ${dbid} with contentid ${content} to ${role}, ${status}, and ${mode}`,
  };
}
