/**
 * The fault tolerance service (ftsprobe) on the coordinator: probes every acting primary (with
 * gp_fts_probe_timeout and gp_fts_probe_retries), decides per pair what changes
 * (fts-decision.ts, a pure function), records it in gp_segment_configuration and
 * gp_configuration_history in one transaction, and only then announces it and sends PROMOTE
 * or SYNCREP_OFF (see greenplum-ha.md §2).
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import type { ProbeResponse } from '../replication/protocol.ts';
import type { Coordinator } from './coordinator.ts';
import { decidePair, doubleFaultRow, type FtsFollowUp, type ProbeOutcome } from './fts-decision.ts';
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
    const decisions = primaries.map((p, i) =>
      decidePair(
        {
          primary: p,
          mirror: config.find((c) => c.content === p.content && c.dbid !== p.dbid),
          mirrorless,
          inDoubleFault: this.doubleFault.has(p.content),
          fileRep: this.fileRep,
        },
        outcomes[i]!,
      ),
    );
    const changes = decisions.flatMap((d) => d.changes);
    const history = decisions.flatMap((d) => d.history);
    if ((changes.length || history.length) && !(await this.record(changes, history, version))) {
      // A utility changed the configuration while this cycle probed: its decisions were made
      // on rows that are gone. Probe again on the new configuration (a few times at most).
      this.qd.trace({ kind: 'fts.cycle', cycle: this.cycles, changed: 0, stale: true });
      if (attempt < 3) await this.cycle(attempt + 1);
      return;
    }
    // Committed: now the decisions are facts, to remember, announce and act on.
    decisions.forEach((d, i) => {
      const content = primaries[i]!.content;
      if (d.inDoubleFault) this.doubleFault.add(content);
      else this.doubleFault.delete(content);
      for (const e of d.events) this.qd.trace(e);
    });
    for (const f of decisions.flatMap((d) => d.followUps)) await this.followUp(f).catch(() => undefined);
    if (changes.length || history.length) await this.qd.ftsChanged(this.timing.timeoutMs);
    this.qd.trace({ kind: 'fts.cycle', cycle: this.cycles, changed: changes.length });
  }

  /** PROMOTE or SYNCREP_OFF, after the catalog says what they do. */
  private async followUp(f: FtsFollowUp): Promise<void> {
    if (f.kind === 'syncRepOff') {
      await this.transport.syncRepOff(f.dbid, this.timing.timeoutMs);
      return;
    }
    if (!f.failover) {
      await this.transport.promote(f.dbid, this.timing.timeoutMs);
      return;
    }
    try {
      await this.transport.promote(f.dbid, this.timing.timeoutMs);
      this.doubleFault.delete(f.content);
      this.qd.trace({ kind: 'fts.promote', content: f.content, dbid: f.dbid });
    } catch {
      await this.noteDoubleFault(f.content, f.dbid);
    }
  }

  private async probeWithRetries(p: SegmentConfig, config: SegmentConfig[]): Promise<ProbeOutcome> {
    let last: ProbeOutcome = { ok: false, error: 'not probed' };
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

  private async noteDoubleFault(c: number, dbid: number): Promise<void> {
    if (this.doubleFault.has(c)) return;
    this.doubleFault.add(c);
    await this.record([], [doubleFaultRow(dbid, c)]);
  }

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
