/**
 * Plain data the lab's components pass to each other: catalog rows as the UI reads them,
 * process states derived from cluster events, and the log of actions a person took.
 */
import { backupDirectoryName, type DataDirectory } from '../../workers/index.ts';

/** One row of gp_segment_configuration. */
export interface SegmentRow {
  dbid: number;
  content: number;
  role: string;
  preferredRole: string;
  mode: string;
  status: string;
  port: number;
  hostname: string;
  address: string;
  datadir: string;
}

/** One row of gp_configuration_history. */
export interface HistoryRow {
  time: string;
  dbid: number;
  desc: string;
}

/**
 * What the lab knows about an instance's process, from the Faults calls it made and the events
 * the cluster sent. Without FTS the catalog keeps saying 'u' for a crashed instance; this is
 * how the topology can still show it down.
 */
export type ProcState = 'up' | 'crashing' | 'down' | 'stopped' | 'starting' | 'recovering';

/** The process is not running: it died, is dying, or a utility stopped it (gpstop, gprecoverseg). */
export function procNotRunning(p: ProcState | undefined): boolean {
  return p === 'down' || p === 'crashing' || p === 'stopped';
}

/** How much an event matters: the timeline ranks and filters by it. */
export type Severity = 'critical' | 'warning' | 'info' | 'debug';

/** A cluster event (or a person's action) with a sequence number, as the timeline lists it. */
export interface LabEvent {
  seq: number;
  /** Wall-clock milliseconds when the lab last received it. */
  at: number;
  /** When the first of its folded repeats came. */
  first: number;
  /**
   * The same two moments on the cluster's clock (what now() and gp_configuration_history read),
   * which runs ahead of the wall's at a faster speed; what the timeline shows.
   */
  clusterAt?: number;
  clusterFirst?: number;
  kind: string;
  dbid?: number;
  /** The event's other fields, formatted (the latest repeat's). */
  text: string;
  severity: Severity;
  /** How many times it came (repeats are folded into one entry). */
  count: number;
}

/** Something a person (or a lesson) did: the exact command line, SQL or API call, and its outcome. */
export interface ActionRecord {
  seq: number;
  at: number;
  kind: 'fault' | 'utility' | 'sql' | 'api';
  command: string;
  ok: boolean | undefined;
  output: string;
  /**
   * An exit status that is an answer, not a failure (`gpstate -e` exits 1 when it found
   * segments with problems): shown as a warning, with what it means.
   */
  note?: string;
}

/** Features that other engineers are still building; detected by trying and catching 0A000. */
export interface Features {
  mirroring: boolean;
  standby: boolean;
  utilities: boolean;
  utilityMode: boolean;
  ftsProbe: boolean;
}

/** Content id → the label Greenplum's tools print. */
/** The coordinator host a standby goes on: the lab's pair cdw / scdw, the one not in use. */
export function freeCoordinatorHost(coordinatorHost: string): string {
  return coordinatorHost === 'scdw' ? 'cdw' : 'scdw';
}

/**
 * What is in the way of `gpinitstandby -s HOST` (HOST: freeCoordinatorHost), which puts the standby
 * at the coordinator's path there: a retired instance's data directory at that path (an old
 * coordinator's, after gpactivatestandby), and the command that moves it aside, to a name not
 * taken on that host.
 */
export function standbyDirectoryInTheWay(
  coordinator: SegmentRow,
  directories: readonly DataDirectory[],
): { dir: DataDirectory; move: string } | undefined {
  const host = freeCoordinatorHost(coordinator.hostname);
  const onHost = directories.filter((d) => d.hostname === host);
  const dir = onHost.find((d) => d.retired && d.datadir === coordinator.datadir);
  if (!dir) return undefined;
  const to = backupDirectoryName(dir.datadir, (path) => onHost.some((d) => d.datadir === path));
  return { dir, move: `ssh ${host} mv ${dir.datadir} ${to}` };
}

export function contentLabel(content: number): string {
  return content === -1 ? 'coordinator' : `seg${content}`;
}

/** 'primary' / 'mirror'; on the coordinator's content (-1) a mirror is the standby. */
export function roleLabel(role: string, content = 0): string {
  if (content === -1 && role === 'm') return 'standby';
  return role === 'p' ? 'primary' : role === 'm' ? 'mirror' : role;
}

export function modeLabel(mode: string): string {
  return { s: 'synced', n: 'not in sync', c: 'change tracking', r: 'resynchronizing' }[mode] ?? mode;
}

export function statusLabel(status: string): string {
  return status === 'u' ? 'up' : status === 'd' ? 'down' : status;
}

/** A copy's kind as the lab names it: gprecoverseg's modes, gpaddmirrors (full), file resync. */
export function copyLabel(type: string): string {
  return (
    {
      full: 'full copy',
      incremental: 'incremental (pg_rewind)',
      differential: 'differential copy',
      resync: 'resynchronization',
    }[type] ?? type
  );
}
