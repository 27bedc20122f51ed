/**
 * What gpstop and gpstart need of the runtime, and the pieces they share. They run where the
 * processes are managed (the orchestrator in the worker runtime), not inside the coordinator:
 * gpstop stops the coordinator, and gpstart runs while none is running.
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import type { ClusterNode } from '../node/nodes.ts';
import type { NodeReload } from '../node/node-config.ts';
import type { ControlData } from '../instance/control.ts';
import type { StandbyHost } from './standby.ts';
import {
  MAX_SEGMENT_BATCH_SIZE,
  utilityArgs,
  type BatchLimits,
  type UtilityArgs,
  type UtilityLog,
} from './host.ts';
import type { OptionSpec, OptionValues } from './options.ts';
import { GP_VERSION } from '../server/settings-defs.ts';
import { table } from './gpstate-instances.ts';

/** pg_ctl's shutdown modes, gpstop -M. */
export type ShutdownMode = 'smart' | 'fast' | 'immediate';

export interface MaintenanceHost extends StandbyHost {
  /**
   * gp_segment_configuration as the coordinator's data directory holds it: read from the
   * running coordinator, else the rows it had when it stopped.
   */
  catalog(): Promise<SegmentConfig[]>;
  /**
   * Stops an instance as pg_ctl stop -m `mode` does: smart and fast write a shutdown
   * checkpoint first (nothing to replay at the next start), immediate is an immediate exit.
   */
  shutdownNode(node: ClusterNode, mode: ShutdownMode, by: string): Promise<void>;
  /** Client sessions open on the coordinator now (what smart mode waits for). */
  userSessions(): number;
  /** Asks FTS for a probe scan (what gpstop --host's "Recognizing new cluster state" causes). */
  requestProbe(): Promise<void>;
  /** Whether `from` can reach `to` now (the lab's network faults); gpstart runs from the coordinator. */
  reachable(from: number, to: number): boolean;
  /** Wall milliseconds per second of cluster time (time compression): -t is cluster time. */
  msPerClusterSecond: number;
  /** The control file in an instance's data directory, running or not (pg_controldata). */
  controlData(node: ClusterNode): Promise<ControlData | undefined>;
  /** SIGHUP to a running instance: it re-reads its postgresql.conf (gpstop -u). */
  reloadConfig(node: ClusterNode): Promise<NodeReload>;
  /** A setting as a new session on the running instance sees it (undefined when it is down). */
  showSetting(node: ClusterNode, name: string): Promise<string | undefined>;
}

/** Whether the host can run gpstop and gpstart (the one that manages the processes). */
export function isMaintenanceHost(host: StandbyHost): host is MaintenanceHost {
  return typeof (host as Partial<MaintenanceHost>).shutdownNode === 'function';
}

/** The lab's catalog version, in the yyyymmddN shape of Postgres' catversion. */
export const CATALOG_VERSION_NO = '202612041';

export const GP_VERSION_LINE = `postgres (Greenplum Database) ${GP_VERSION}`;

/** The options gpstop and gpstart share (gppylib's simple_main and their own -B, -t). */
const SHARED_OPTIONS: OptionSpec[] = [
  { names: ['-a'], kind: 'flag', key: 'a' },
  { names: ['-B', '--parallel'], kind: 'int', key: 'B' },
  { names: ['-t', '--timeout'], kind: 'int', key: 't' },
  { names: ['-q', '--quiet'], kind: 'flag', key: 'q' },
  { names: ['-v', '--verbose'], kind: 'flag', key: 'v' },
  { names: ['-l', '--logdir'], kind: 'string', key: 'l' },
  { names: ['-d', '--coordinator_data_directory', '--master_data_directory'], kind: 'string', key: 'd' },
];

/** Reads gpstop's or gpstart's command line: its own options, the shared ones, -B in 1..128. */
export function controlArgs(
  prog: 'gpstop' | 'gpstart',
  own: readonly OptionSpec[],
  argv: readonly string[],
  log: UtilityLog,
  check?: (o: OptionValues) => string | undefined,
): UtilityArgs {
  return utilityArgs(prog, [...own, ...SHARED_OPTIONS], argv, {
    log,
    positional: (a) => `Argument ${a[0]} is invalid.  Is an option missing a parameter?`,
    check: (o) => {
      const B = o['B'] as number | undefined;
      if (B !== undefined && (B < 1 || B > 128)) return `Invalid value for parallel degree: ${B}`;
      return check?.(o);
    },
  });
}

/** -B: how many hosts gpstop and gpstart work on at once; a host's instances go together. */
export function hostsAtOnce(o: OptionValues): BatchLimits {
  return { hosts: (o['B'] as number | undefined) ?? 64, perHost: MAX_SEGMENT_BATCH_SIZE };
}

/** Greenplum's key = value blocks: labels padded to the widest, three spaces of indent. */
export function logTable(
  log: UtilityLog,
  rows: [string, string | number][],
  warn: Set<string> = new Set(),
): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) {
    const line = `${k.padEnd(width)}   = ${v}`;
    if (warn.has(k)) log.warn(`${line} <<<<<<<<`);
    else log.info(`   ${line}`);
  }
}

export const DASHES = '-'.repeat(52);

/** The node of each catalog row that is not retired. */
export function nodesOf(host: MaintenanceHost, rows: readonly SegmentConfig[]): Map<number, ClusterNode> {
  const out = new Map<number, ClusterNode>();
  for (const r of rows) {
    const n = host.nodes.nodes.get(r.dbid);
    if (n && !n.retired) out.set(r.dbid, n);
  }
  return out;
}

/**
 * pg_ctl stop -m `mode` -w -t `seconds`: whether the instance stopped within that many seconds
 * of cluster time. One that did not is still shutting down (a checkpoint waiting on a mirror
 * no one will mark down, perhaps for ever); the lab then ends it immediately, as a DBA would,
 * and the caller reports the stop as failed.
 */
export async function stopWithin(
  host: MaintenanceHost,
  node: ClusterNode,
  mode: ShutdownMode,
  seconds: number,
  by: string,
): Promise<boolean> {
  let timer: { cancel(): void } | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = host.clock.setTimer(seconds * host.msPerClusterSecond, () => resolve(false));
  });
  const stopped = host.shutdownNode(node, mode, by).then(() => true);
  const inTime = await Promise.race([stopped, late]);
  timer?.cancel();
  if (!inTime) await host.stopNode(node, by);
  return inTime;
}

/** The segments a start or a stop will act on, as gpstart and gpstop list them before asking. */
export function segmentTable(log: UtilityLog, title: string, segments: readonly SegmentConfig[]): void {
  log.info('---------------------------------------------');
  log.info(title);
  log.info('---------------------------------------------');
  for (const line of table([
    ['Host', 'Datadir', 'Port', 'Status'],
    ...segments.map((r) => [r.hostname, r.datadir, String(r.port), r.status]),
  ]))
    log.info(`   ${line}`);
}
