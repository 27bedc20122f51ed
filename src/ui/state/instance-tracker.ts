/**
 * What each instance's process is doing, as the lab learns it from the cluster's events: up,
 * crashed, stopped by a utility, recovering; the copies gprecoverseg and gpaddmirrors make, and
 * a recovery target's phases until it serves again. News worth saying is announced.
 */
import type { ClusterEvent } from '../../workers/index.ts';
import { haNews } from './ha-news.ts';
import { recoveryStep, settledByCatalog, type RecoveryPhase } from './recovery-phase.ts';
import type { ProcState, SegmentRow } from './types.ts';

/** A copy gprecoverseg or gpaddmirrors is making for an instance (its 'recovery.progress'). */
export interface CopyProgress {
  done: number;
  total: number;
  /** 'full', 'incremental', 'differential' (gprecoverseg's modes), 'resync' (file replication). */
  type: string;
}

/** What the tracker reads of the store, and how it speaks. */
export interface TrackerHost {
  config(): readonly SegmentRow[];
  fileRep(): boolean;
  announce(text: string): void;
  changed(): void;
}

export class InstanceTracker {
  readonly proc = new Map<number, ProcState>();
  /** Copies running now, by target dbid. */
  readonly recovery = new Map<number, CopyProgress>();
  /** gprecoverseg's targets after their copy, until they serve again (see recovery-phase.ts). */
  readonly recoveryPhase = new Map<number, RecoveryPhase>();
  /** Instances that crashed (or PANICked) since they were last up. */
  private readonly crashed = new Set<number>();
  private readonly host: TrackerHost;

  constructor(host: TrackerHost) {
    this.host = host;
  }

  onEvent(e: ClusterEvent): void {
    const dbid = typeof e.dbid === 'number' ? e.dbid : undefined;
    if (dbid !== undefined) this.trackProc(e, dbid);
    this.trackHa(e);
    if (!this.host.fileRep()) this.trackRecovery(e);
  }

  /** Recovery targets the catalog shows serving again (its read can come before the events). */
  settleByCatalog(): void {
    for (const d of settledByCatalog(this.recoveryPhase, this.host.config())) this.endRecovery(d, 'up');
  }

  private trackProc(e: ClusterEvent, dbid: number): void {
    const kind = e.kind;
    const host = this.host.config().find((r) => r.dbid === dbid)?.hostname ?? '?';
    const who = `dbid ${dbid} on ${host}`;
    if (kind === 'instance.crash') {
      this.proc.set(dbid, 'down');
      this.crashed.add(dbid);
      this.host.announce(`Instance ${who} crashed.`);
    } else if (kind === 'instance.stopped') {
      // A utility's planned stop, not a crash; a recovery's target stays "recovering" through it.
      if (this.recovery.has(dbid) || this.recoveryPhase.has(dbid)) return;
      this.proc.set(dbid, 'stopped');
      this.host.announce(`Instance ${who} was stopped by ${String(e['by'] ?? 'a utility')}.`);
    } else if (kind === 'panic') {
      this.proc.set(dbid, 'crashing');
      this.crashed.add(dbid);
    } else if (kind === 'recovery.start') {
      this.proc.set(dbid, 'recovering');
    } else if (kind === 'instance.promoted' && this.proc.get(dbid) === 'recovering') {
      // A file-replication mirror starts its instance (crash recovery) when promoted.
      this.proc.set(dbid, 'up');
    } else if (kind === 'instance.up') {
      this.recovery.delete(dbid);
      // A recovered mirror is announced when its primary streams to it (trackRecovery).
      if (this.recoveryPhase.has(dbid)) return;
      const was = this.proc.get(dbid);
      const crashed = this.crashed.delete(dbid);
      this.proc.set(dbid, 'up');
      if (was === 'stopped') this.host.announce(`Instance ${who} started.`);
      // Only an instance that crashed comes back "after crash recovery": a new one (a standby
      // gpinitstandby made) is simply up.
      else if (crashed) this.host.announce(`Instance ${who} is up again after crash recovery.`);
      else if (was && was !== 'up') this.host.announce(`Instance ${who} is up.`);
    }
  }

  /** Failovers, promotions and activation in words; copies' progress remembered for the cards. */
  private trackHa(e: ClusterEvent): void {
    const news = haNews(e, {
      fileRep: this.host.fileRep(),
      hostOf: (d) => this.host.config().find((r) => r.dbid === d)?.hostname,
    });
    if (news) this.host.announce(news);
    switch (e.kind) {
      case 'recovery.progress':
        this.recovery.set(e.dbid, { done: e.done, total: e.total, type: e.type });
        break;
      // The copy is done: the instance starts (crash recovery, then streaming or resync).
      case 'recovery.bytes':
        this.recovery.delete(e.dbid);
        break;
      case 'filerep.synchronized':
        this.recovery.delete(e.mirror);
        break;
      case 'utility.done':
        this.recovery.clear();
        break;
    }
  }

  /** A recovery target's phases after its copy: recovering until it serves, then up (or down). */
  private trackRecovery(e: ClusterEvent): void {
    const dbid = typeof e.dbid === 'number' ? e.dbid : undefined;
    const ev = {
      kind: e.kind,
      role: 'role' in e ? e.role : undefined,
      ...(dbid !== undefined ? { dbid } : {}),
    };
    for (const [d, next] of recoveryStep(this.recoveryPhase, ev, this.host.config())) {
      if (next === 'up' || next === 'down') this.endRecovery(d, next);
      else {
        this.recoveryPhase.set(d, next);
        this.proc.set(d, 'recovering');
      }
    }
  }

  endRecovery(dbid: number, how: 'up' | 'down'): void {
    if (!this.recoveryPhase.delete(dbid)) return;
    const host = this.host.config().find((r) => r.dbid === dbid)?.hostname ?? '?';
    if (how === 'down') {
      if (this.proc.get(dbid) === 'recovering') this.proc.set(dbid, 'down');
      return;
    }
    this.proc.set(dbid, 'up');
    this.host.announce(
      `Instance dbid ${dbid} on ${host} is recovered: its primary streams to it, FTS marked it up.`,
    );
    this.host.changed();
  }
}
