/**
 * An instance's configuration as it runs: read from the postgresql.conf on its own disk when
 * it starts (written there by "gpinitsystem" the first time), and re-read on reload (gpstop -u).
 * Every long-lived part that depends on a reloadable (sighup) setting takes the new value: FTS's
 * timings, DTX recovery, sync rep's grace period, checkpoints. postmaster settings wait for a
 * restart (pg_settings.pending_restart), so what SHOW says is always what runs.
 */
import {
  initialConfigText,
  parseConfigText,
  readConfigText,
  writeConfigText,
} from '../instance/config-file.ts';
import { CONTROL_FILE } from '../instance/control.ts';
import type { StorageSettings } from '../instance/instance.ts';
import type { PrimaryTiming } from '../replication/primary.ts';
import type { FtsTiming } from '../server/fts.ts';
import { Settings, type GucValue, type ReloadResult } from '../server/settings.ts';
import type { Disk } from '../storage/disk.ts';
import { answerTimeoutMs, scaledMs } from '../runtime/time-scale.ts';
import type { BootContext } from './boot.ts';
import type { InstanceNode } from './nodes.ts';
import { coordinatorOf, instanceOf, replicationOf } from './process.ts';

const quotedType = (name: string): boolean => {
  const def = Settings.definitions().find((d) => d.name === name.toLowerCase());
  return def?.type === 'string';
};

/**
 * The instance's postgresql.conf values. A data directory without one (a fresh instance, or a
 * disk made before the file existed) gets gpinitsystem's: the cluster's settings.
 */
export async function readNodeConfig(
  disk: Disk,
  initial: Readonly<Record<string, GucValue>>,
): Promise<Record<string, string>> {
  let text = readConfigText(disk);
  if (text === undefined) {
    text = initialConfigText(initial, quotedType);
    // Only into an initialised directory: an empty one stays empty (a mirror awaiting its copy).
    // It rides the instance's next sync (its startup's): lost to a crash before that, it is
    // written again from the same settings, so it needs no sync of its own.
    if (disk.nblocks(CONTROL_FILE) > 0) writeConfigText(disk, text);
  }
  return parseConfigText(text);
}

/** The parts of the boot context that come from this instance's own configuration. */
export function nodeContext(ctx: BootContext, gucs: Settings): BootContext {
  return { ...ctx, gucs, settings: gucs.configValues(), storage: storageSettings(gucs, ctx.timeScale) };
}

/** What the storage layer runs with, from the instance's settings: timings under the time scale. */
export function storageSettings(gucs: Settings, timeScale: number): StorageSettings {
  return {
    shared_buffers: gucs.get<number>('shared_buffers'),
    checkpoint_timeout: gucs.getScaledMs('checkpoint_timeout', timeScale),
    checkpoint_completion_target: gucs.get<number>('checkpoint_completion_target'),
    checkpoint_write_delay: scaledMs(100, timeScale),
    max_wal_size: gucs.get<number>('max_wal_size'),
    wal_keep_size: gucs.get<number>('wal_keep_size'),
  };
}

export function ftsTiming(gucs: Settings, timeScale: number): FtsTiming {
  return {
    intervalMs: gucs.getScaledMs('gp_fts_probe_interval', timeScale),
    timeoutMs: answerTimeoutMs(gucs.get<number>('gp_fts_probe_timeout'), timeScale),
    retries: gucs.get<number>('gp_fts_probe_retries'),
    retryWaitMs: 1000 / timeScale,
  };
}

export function primaryTiming(gucs: Settings, timeScale: number): PrimaryTiming {
  const keep = gucs.get<number>('max_slot_wal_keep_size');
  return {
    graceMs: gucs.getScaledMs('gp_fts_mark_mirror_down_grace_period', timeScale),
    attemptCount: gucs.get<number>('gp_fts_replication_attempt_count'),
    retryMs: Math.max(10, 5000 / timeScale),
    maxSlotWalKeepSize: keep < 0 ? -1 : keep,
  };
}

export function dtxTiming(gucs: Settings, timeScale: number) {
  return {
    phase2RetryMs: gucs.getScaledMs('dtx_phase2_retry_second', timeScale),
    retryBaseMs: 100 / timeScale,
    recoveryIntervalMs: gucs.getScaledMs('gp_dtx_recovery_interval', timeScale),
    preparedPeriodMs: gucs.getScaledMs('gp_dtx_recovery_prepared_period', timeScale),
  };
}

/** What one instance's reload did, for gpstop -u and pg_reload_conf(). */
export interface NodeReload extends ReloadResult {
  /** Lines the server would log for entries it could not apply (their old values stay). */
  errors: string[];
}

/**
 * SIGHUP: the instance re-reads its postgresql.conf. Entries with a bad value are logged and
 * skipped, as Postgres does ("configuration file contains errors; unaffected changes were
 * applied"); the rest apply to the instance and to every open session that has not SET them.
 */
export function reloadNodeConfig(node: InstanceNode, timeScale: number): NodeReload {
  const gucs = node.config;
  const out: NodeReload = { applied: [], pendingRestart: [], errors: [] };
  const inst = node.up ? instanceOf(node.process) : undefined;
  if (!inst || !gucs) return out;
  const text = readConfigText(node.disk) ?? '';
  const good: Record<string, string> = {};
  for (const [name, value] of Object.entries(parseConfigText(text))) {
    try {
      new Settings({ config: { [name]: value } });
      good[name] = value;
    } catch (e) {
      out.errors.push(`${(e as Error).message}; "${name}" keeps its value`);
    }
  }
  const r = gucs.reload(good);
  out.applied = r.applied;
  out.pendingRestart = r.pendingRestart;
  Object.assign(inst.settings, storageSettings(gucs, timeScale), {
    // Fixed for the life of the process.
    shared_buffers: inst.settings.shared_buffers,
  });
  inst.rescheduleCheckpoints();
  const repl = replicationOf(node.process);
  if (repl) repl.timing = primaryTiming(gucs, timeScale);
  const qd = coordinatorOf(node.process);
  if (qd) {
    const values = gucs.configValues();
    qd.settings = values;
    for (const s of qd.sessions.values()) s.settings.gucs.reload(values);
    qd.fts?.retime(ftsTiming(gucs, timeScale));
    qd.dtm.timing = { ...qd.dtm.timing, ...dtxTiming(gucs, timeScale) };
    qd.connectTimeoutMs = answerTimeoutMs(gucs.get<number>('gp_segment_connect_timeout'), timeScale);
  }
  return out;
}

/** A live value as SHOW gives it to a new session on this instance (gpconfig -s). */
export function liveSetting(node: InstanceNode, name: string): string | undefined {
  if (!node.up || !node.config) return undefined;
  return node.config.show(name);
}
