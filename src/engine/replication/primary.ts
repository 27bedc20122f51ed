/**
 * Replication on an acting primary: its walsender, synchronous replication, and its answers
 * to FTS (Greenplum's HandleFtsWalRepProbe).
 *
 * Sync rep is `synchronous_standby_names = '*'`, persisted in gp_replication.conf on the
 * primary's disk so it survives a restart. The primary turns it on itself when FTS probes and
 * the mirror is streaming; only FTS turns it off (SYNCREP_OFF), after marking the mirror down.
 */
import type { ReplicaCheckResult } from './replica-check.ts';
import { sqlError } from '../errors.ts';
import type { Instance } from '../instance/instance.ts';
import { BLCKSZ } from '../storage/disk.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Lsn } from '../storage/lsn.ts';
import type { FtsApi, ProbeResponse } from './protocol.ts';
import { WalSender, type MirrorLink } from './walsender.ts';

import { SLOT_NAME, markSlotLost, slotLost } from './slot.ts';

const CONF = 'gp_replication.conf';

export interface PrimaryTiming {
  /** gp_fts_mark_mirror_down_grace_period, ms (scaled). */
  graceMs: number;
  /** gp_fts_replication_attempt_count. */
  attemptCount: number;
  /** How soon the walsender retries a lost mirror, ms. */
  retryMs: number;
  /** max_slot_wal_keep_size in bytes; -1 keeps everything the mirror still needs. */
  maxSlotWalKeepSize: number;
}

export class PrimaryReplication implements FtsApi {
  private readonly inst: Instance;
  private readonly clock: Clock;
  /** Replaced on a configuration reload (gpstop -u). */
  timing: PrimaryTiming;
  walsender: WalSender | undefined;
  syncRepOn: boolean;
  /** The last gp_replica_check of this primary against its mirror (the lab's instance details). */
  lastReplicaCheck: ReplicaCheckResult | undefined;
  /** Commits waiting for the mirror to flush their record (across walsender reconnections). */
  private readonly waiters: { lsn: Lsn; resolve: () => void }[] = [];
  readonly startTime: number;

  /** A hold for tests and lessons, applied to every walsender this primary starts. */
  private readonly walsenderHold: (() => Promise<void>) | undefined;

  constructor(
    inst: Instance,
    clock: Clock,
    timing: PrimaryTiming,
    options: { coordinator?: boolean; walsenderHold?: () => Promise<void> } = {},
  ) {
    this.inst = inst;
    this.clock = clock;
    this.timing = timing;
    this.coordinator = options.coordinator ?? false;
    this.walsenderHold = options.walsenderHold;
    this.startTime = clock.now();
    this.syncRepOn = readSyncRep(inst);
    inst.serveReplication({
      waitForSyncRep: (lsn) => this.waitForSyncRep(lsn),
      retainWalFrom: () => this.retainWalFrom(),
    });
  }

  /** The replication slot: WAL the mirror has not flushed is kept, up to the limit. */
  private retainWalFrom(): Lsn | undefined {
    const ws = this.walsender;
    const inst = this.inst;
    if (!ws || ws.syncError === 'walread' || slotLost(inst)) return undefined;
    const need = ws.flush;
    const limit = this.timing.maxSlotWalKeepSize;
    if (limit >= 0 && inst.wal.insertLsn - need > limit) {
      ws.syncError = 'walread';
      markSlotLost(inst);
      inst.rt.trace({ kind: 'slot.lost', slot: SLOT_NAME });
      return undefined;
    }
    return need;
  }

  /** Starts streaming to the mirror. */
  attachMirror(link: MirrorLink): void {
    this.walsender?.stop();
    this.walsender = new WalSender(this.inst, link, this.clock, this.timing.retryMs, {
      flushed: (flush) => this.flushed(flush),
      // The mirror has everything flushed so far: from this very step on, commits wait for it.
      // (Greenplum turns sync rep on in the next FTS probe; doing it here leaves no window in
      // which FTS could call a pair in sync while commits made without waiting are missing.)
      streaming: () => {
        if (!this.coordinator && !this.syncRepOn) void this.setSyncRep(true).catch(() => undefined);
      },
      // The coordinator's commits wait only while a standby is connected: when it goes, so do the waits.
      disconnected: () => {
        if (this.coordinator) this.releaseWaiters();
      },
      hold: () => this.walsenderHold?.() ?? Promise.resolve(),
    });
    this.walsender.start();
  }

  stop(): void {
    this.walsender?.stop();
    this.releaseWaiters();
  }

  /**
   * Sync rep: a commit waits until the mirror has flushed its record — for as long as sync rep
   * is on, even while the mirror is gone; only SYNCREP_OFF or the mirror's return ends it.
   */
  /**
   * On the coordinator there is no FTS to turn sync rep off: commits wait for the standby only
   * while its walsender streams; with no standby connected they never wait (greenplum-ha §2.5).
   */
  readonly coordinator: boolean;

  /** Undefined when the commit need not wait. */
  private waitForSyncRep(lsn: Lsn): Promise<void> | undefined {
    if (this.coordinator) {
      if (!this.walsender || this.walsender.state !== 'streaming') return undefined;
    } else if (!this.syncRepOn || !this.walsender) return undefined;
    if (this.walsender.flush >= lsn) return undefined;
    return new Promise((resolve) => this.waiters.push({ lsn, resolve }));
  }

  /** Commits waiting in sync rep (for pg_stat_activity's SyncRep wait). */
  get syncRepWaiting(): number {
    return this.waiters.length;
  }

  private flushed(flush: Lsn): void {
    const still = this.waiters.filter((w) => {
      if (w.lsn > flush) return true;
      w.resolve();
      return false;
    });
    this.waiters.splice(0, this.waiters.length, ...still);
  }

  private releaseWaiters(): void {
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  async ftsProbe(): Promise<ProbeResponse> {
    this.inst.mustBeRunning();
    await this.ioCheck();
    const r = this.mirrorStatus();
    const ws = this.walsender;
    // Ready for sync rep: the primary turns it on itself, and reports it on.
    if (!this.syncRepOn && ws && ws.state === 'streaming') {
      await this.setSyncRep(true);
      r.isSyncRepEnabled = true;
    }
    return r;
  }

  async ftsSyncRepOff(): Promise<ProbeResponse> {
    this.inst.mustBeRunning();
    await this.setSyncRep(false);
    this.releaseWaiters();
    return this.mirrorStatus();
  }

  mirrorStatus(): ProbeResponse {
    const ws = this.walsender;
    const up = !!ws && (ws.state === 'streaming' || (ws.state === 'catchup' && ws.sentSomething));
    let requestRetry = false;
    if (!up) {
      // Within the grace period after the mirror disconnected (or this primary started), FTS
      // is asked to look again before marking the mirror down.
      const disconnect = ws && ws.failedAttempts <= this.timing.attemptCount ? ws.lastDisconnect : 0;
      const since = Math.max(disconnect, this.startTime);
      const elapsed = this.clock.now() - since;
      requestRetry = elapsed >= 0 && elapsed < this.timing.graceMs && ws?.syncError !== 'walread';
    }
    return {
      isMirrorUp: up,
      isInSync: up && ws!.state === 'streaming',
      isSyncRepEnabled: this.syncRepOn,
      isRoleMirror: false,
      requestRetry,
    };
  }

  private async setSyncRep(on: boolean): Promise<void> {
    this.syncRepOn = on;
    this.inst.rt.trace(on ? { kind: 'syncrep.on' } : { kind: 'syncrep.off' });
    const block = new Uint8Array(BLCKSZ);
    const json = new TextEncoder().encode(JSON.stringify({ synchronous_standby_names: on ? '*' : '' }));
    block.set(json);
    this.inst.disk.write(CONF, 0, block);
    await this.inst.disk.sync();
  }

  /** Greenplum's FTS disk check: write and sync its probe file (fts_probe_file.bak). */
  private async ioCheck(): Promise<void> {
    try {
      // Its own small file, synced on its own: a bulk load's pending writes do not delay it.
      await this.inst.disk.checkIO();
    } catch (e) {
      throw sqlError('io_error', 'disk IO check during FTS probe failed', { detail: (e as Error).message });
    }
  }
}

export function readSyncRep(inst: Instance): boolean {
  const b = inst.disk.read(CONF, 0);
  if (!b) return false;
  const end = b.indexOf(0);
  try {
    const conf = JSON.parse(new TextDecoder().decode(b.subarray(0, end < 0 ? b.length : end))) as {
      synchronous_standby_names?: string;
    };
    return conf.synchronous_standby_names === '*';
  } catch {
    return false;
  }
}
