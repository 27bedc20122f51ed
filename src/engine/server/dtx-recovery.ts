/**
 * DTX recovery (Greenplum's dtx recovery process, cdbdtxrecovery.c): finishes distributed
 * transactions left prepared on segments.
 *
 * A pass asks every acting primary for its prepared transactions and finishes each by the
 * coordinator's distributed log (dtx-rules.ts, inDoubtAction): COMMIT PREPARED for a committed
 * gxid, ROLLBACK PREPARED for one no session owns that never committed (at startup at once, as
 * recoverTM; later once older than gp_dtx_recovery_prepared_period). Once every content answered
 * and none still holds a committed gxid prepared, the gxid is forgotten, and becomes visible.
 *
 * Passes run at startup, every gp_dtx_recovery_interval, when FTS changed the configuration
 * (a mirror promoted, a content back from a double fault), and when a COMMIT handed its second
 * phase over. Nothing here blocks startup: readers never see a transaction that is not finished
 * everywhere (the DTM's distributed snapshot lists it as in progress).
 */
import type { Clock, Timer } from '../runtime/clock.ts';
import type { Coordinator } from './coordinator.ts';
import type { DistributedTxManager } from './dtm.ts';
import { inDoubtAction } from './dtx-rules.ts';

export interface DtxRecoveryReport {
  committed: number;
  aborted: number;
  /** Contents whose acting primary did not answer (left for the next pass). */
  unreachable: number[];
}

export class DtxRecovery {
  private readonly qd: Coordinator;
  private readonly dtm: DistributedTxManager;
  private readonly clock: Clock;
  private timer: Timer | undefined;
  private running: Promise<DtxRecoveryReport> | undefined;
  private again = false;
  private stopped = false;
  /** The first pass (at startup) aborts orphans of any age. */
  private startup = true;
  passes = 0;
  last: DtxRecoveryReport | undefined;

  constructor(qd: Coordinator, dtm: DistributedTxManager) {
    this.qd = qd;
    this.dtm = dtm;
    this.clock = qd.clock;
  }

  /** Starts the process: a first pass now (returned), then one every gp_dtx_recovery_interval. */
  start(): Promise<DtxRecoveryReport> {
    this.stopped = false;
    return this.pass();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** A pass soon (FTS changed something, or a COMMIT handed its second phase over). */
  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    void this.pass().catch(() => undefined);
  }

  /** One pass; concurrent requests share it (and ask for one more after it). */
  pass(): Promise<DtxRecoveryReport> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.timer?.cancel();
    this.running = this.recover().finally(() => {
      this.running = undefined;
      // A coordinator that died or stopped runs no more passes.
      const state = this.qd.inst.state;
      if (state === 'stopped' || state === 'panicked') this.stopped = true;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.trigger();
      } else this.schedule();
    });
    return this.running;
  }

  private schedule(): void {
    this.timer?.cancel();
    this.timer = this.clock.setTimer(this.dtm.timing.recoveryIntervalMs, () => {
      this.timer = undefined;
      this.trigger();
    });
  }

  private async recover(): Promise<DtxRecoveryReport> {
    const qd = this.qd;
    const report: DtxRecoveryReport = { committed: 0, aborted: 0, unreachable: [] };
    if (qd.inst.state !== 'running') return report;
    const minAge = this.startup ? 0 : this.dtm.timing.preparedPeriodMs;
    const stillPrepared = new Set<string>();
    const bound = this.dtm.timing.callTimeoutMs;
    await Promise.all(
      Array.from({ length: qd.numSegments }, async (_, content) => {
        try {
          const prepared = await qd.callContent(content, 'listPrepared', [], bound);
          for (const p of prepared) {
            const action = inDoubtAction(
              {
                committed: this.dtm.committed.has(p.gid),
                running: this.dtm.isRunningGid(p.gid),
                ageMs: qd.clock.now() - p.prepared,
              },
              minAge,
            );
            if (action === 'commit') {
              await qd.callContent(content, 'commitPrepared', [p.gid], bound);
              report.committed++;
            } else if (action === 'abort') {
              await qd.callContent(content, 'abortPrepared', [p.gid], bound);
              report.aborted++;
            } else stillPrepared.add(p.gid);
          }
        } catch {
          report.unreachable.push(content);
        }
      }),
    );
    report.unreachable.sort((a, b) => a - b);
    if (!report.unreachable.length) {
      this.startup = false;
      for (const gid of [...this.dtm.committed])
        if (!this.dtm.isRunningGid(gid) && !stillPrepared.has(gid)) this.dtm.forget(gid);
    }
    // A pass that finished nothing and reached what the last one reached says nothing new: at
    // a compressed gp_dtx_recovery_interval there are several a second, and they would bury
    // the events that matter.
    const previous = this.last;
    const news =
      report.committed > 0 ||
      report.aborted > 0 ||
      report.unreachable.join() !== (previous?.unreachable.join() ?? '');
    this.passes++;
    this.last = report;
    if (news) qd.trace({ kind: 'dtx.recovery', ...report });
    return report;
  }
}
