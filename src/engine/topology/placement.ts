/**
 * Placement: where each instance of a cluster lives, as `gp_segment_configuration` rows.
 *
 * Pure functions, no I/O. They reproduce the layouts Greenplum's own tools compute
 * (reference: shared/greenplum-ha.md §1.1, §3.2, §3.7 and §4):
 *
 * - {@link planCluster} is gpinitsystem (`CREATE_QE_ARRAY`, `CREATE_GROUP_MIRROR_ARRAY`,
 *   `CREATE_SPREAD_MIRROR_ARRAY`, `CHK_QE_ARRAY_PORT_RANGES`): coordinator dbid 1, primaries host by
 *   host, then mirrors in content order, then the standby (dbid max+1, as gpinitstandby adds it).
 * - {@link placeMirrorsForExisting} is gpaddmirrors' `GpMirrorBuildCalculator` (group / spread).
 * - {@link customPlacement} is gpaddmirrors `-i`: the person chooses the host of each mirror.
 * - {@link whatIfHostFails} answers "if this host dies, who carries what?" for the lab.
 * - Export/import (gpinitsystem_config, gpaddmirrors and gprecoverseg `-i` files,
 *   gp_segment_configuration output) live in placement-files.ts.
 *
 * GROUP AND SPREAD, 4 hosts × 2 primaries (content c on host c div 2):
 *
 *   group:  mirrors of sdw1 (0,1) → sdw2; of sdw2 (2,3) → sdw3; of sdw3 → sdw4; of sdw4 → sdw1
 *   spread: the j-th primary of host h → host h+1+j:  0→sdw2 1→sdw3 | 2→sdw3 3→sdw4 | ...
 *
 * If sdw2 fails, group mirroring leaves sdw3 acting for 4 primaries (its own two plus 2 and 3);
 * spread puts content 2 on sdw3 and content 3 on sdw4, so no host carries more than 3.
 *
 * Errors a person can cause are {@link PlacementError}s (exit code 2, like the utilities' argument
 * validation); {@link validatePlacement} returns the same problems as a list for live forms.
 *
 * Simplifications, said out loud: one address per host (no multi-homed NICs, so gpinitsystem's
 * subnet rotation never applies); hosts are taken in the order given rather than re-sorted
 * (gpinitsystem sorts MACHINE_LIST_FILE; pass sorted names to get its order exactly).
 */

import type { SegmentConfig } from '../catalog/catalog.ts';
import { validHostname } from './config-files.ts';
/** One row of `gp_segment_configuration` (§1.1). */
export type { SegmentConfig } from '../catalog/catalog.ts';

export type MirroringMode = 'none' | 'group' | 'spread';

export interface PlanClusterOptions {
  /** Coordinator host; default 'cdw'. */
  coordinatorHost?: string;
  /** Coordinator port; default 5432. */
  coordinatorPort?: number;
  /** Coordinator directory (COORDINATOR_DIRECTORY); default '/data/coordinator'. */
  coordinatorDirectory?: string;
  /** Standby coordinator host ('scdw'), or undefined for none. */
  standbyHost?: string | undefined;
  /** Segment hosts, in MACHINE_LIST_FILE order. */
  hosts: readonly string[];
  /** Primaries per host (the length of DATA_DIRECTORY). */
  segmentsPerHost: number;
  mirroring: MirroringMode;
  /** PORT_BASE; default 6000. */
  portBase?: number;
  /** MIRROR_PORT_BASE; default 7000. */
  mirrorPortBase?: number;
  /** Every DATA_DIRECTORY entry; default '/data/primary'. */
  dataDirectory?: string;
  /** Every MIRROR_DATA_DIRECTORY entry; default '/data/mirror'. */
  mirrorDataDirectory?: string;
}

/** One finding of a validation. Errors stop the operation; warnings are what the tool warns about. */
export interface PlacementProblem {
  code: PlacementErrorCode;
  severity: 'error' | 'warning';
  message: string;
  /** Where the wording comes from: the Greenplum tool, or 'lab' for the lab's own rules. */
  source: string;
}

export type PlacementErrorCode =
  | 'NO_HOSTS'
  | 'DUPLICATE_HOST'
  | 'INVALID_HOSTNAME'
  | 'SEGMENTS_PER_HOST'
  | 'SPREAD_INSUFFICIENT_HOSTS'
  | 'SAME_HOST_MIRROR'
  | 'PORT_OVERLAP'
  | 'PORT_RANGE'
  | 'PORT_CONFLICT'
  | 'DATADIR_CONFLICT'
  | 'STANDBY_CONFLICT'
  | 'ALREADY_MIRRORED'
  | 'NO_PRIMARIES'
  | 'UNKNOWN_CONTENT'
  | 'WRONG_MIRROR_COUNT'
  | 'DUPLICATE_CONTENT'
  | 'UNKNOWN_HOST'
  | 'TOO_FEW_MIRROR_DIRECTORIES'
  | 'NON_STANDARD'
  | 'INVALID_CONFIGURATION'
  | 'EXPANSION'
  | 'PARSE';

/** A placement that cannot work. `exitCode` is what the Greenplum utility would exit with. */
export class PlacementError extends Error {
  override name = 'PlacementError';
  readonly code: PlacementErrorCode;
  readonly exitCode = 2;
  /** 1-based line of the input text, for parse errors. */
  readonly line: number | undefined;
  /** Every error found, the first of which is this error's message. */
  readonly problems: readonly PlacementProblem[];

  constructor(
    code: PlacementErrorCode,
    message: string,
    problems?: readonly PlacementProblem[],
    line?: number,
  ) {
    super(message);
    this.code = code;
    this.line = line;
    this.problems = problems ?? [{ code, severity: 'error', message, source: 'lab' }];
  }
}

export const DEFAULTS = {
  coordinatorHost: 'cdw',
  coordinatorPort: 5432,
  coordinatorDirectory: '/data/coordinator',
  portBase: 6000,
  mirrorPortBase: 7000,
  dataDirectory: '/data/primary',
  mirrorDataDirectory: '/data/mirror',
  /** gpinitsystem's SEG_PREFIX in the lab. */
  segPrefix: 'gpseg',
  /** gpaddmirrors -p default. */
  mirrorPortOffset: 1000,
} as const;

/** The lowest and highest port gpaddmirrors accepts for a port offset (clsAddMirrors.py). */
const GPADDMIRRORS_MIN_PORT = 6432;
const GPADDMIRRORS_MAX_PORT = 61000;

export function problem(
  code: PlacementErrorCode,
  message: string,
  source: string,
  severity: 'error' | 'warning' = 'error',
): PlacementProblem {
  return { code, severity, message, source };
}

function throwIfErrors(problems: readonly PlacementProblem[]): void {
  const errors = problems.filter((p) => p.severity === 'error');
  const first = errors[0];
  if (first) throw new PlacementError(first.code, first.message, errors);
}

function segDir(base: string, content: number): string {
  return `${base.replace(/\/+$/, '')}/${DEFAULTS.segPrefix}${content}`;
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** Segment hosts in gpinitsystem's order: the coordinator host, if it is also a segment host, first. */
function orderedHosts(hosts: readonly string[], coordinatorHost: string): string[] {
  if (!hosts.includes(coordinatorHost)) return [...hosts];
  return [coordinatorHost, ...hosts.filter((h) => h !== coordinatorHost)];
}

function portRangeProblems(label: string, ports: readonly number[]): PlacementProblem[] {
  // A postmaster refuses such a port at start; its message is the GUC range check of "port".
  const bad = ports.filter((p) => !Number.isInteger(p) || p < 1 || p > 65535);
  return bad
    .slice(0, 1)
    .map((p) =>
      problem(
        'PORT_RANGE',
        `${p} is outside the valid range for parameter "port" (1 .. 65535)`,
        `postgres (${label} port)`,
      ),
    );
}

/**
 * Every problem gpinitsystem (and the lab) would find in these options; empty when
 * {@link planCluster} will succeed. Warnings do not stop it.
 */
export function validatePlacement(options: PlanClusterOptions): PlacementProblem[] {
  const problems: PlacementProblem[] = [];
  const hosts = options.hosts;
  const k = options.segmentsPerHost;
  const coordinatorHost = options.coordinatorHost ?? DEFAULTS.coordinatorHost;
  const coordinatorPort = options.coordinatorPort ?? DEFAULTS.coordinatorPort;
  const portBase = options.portBase ?? DEFAULTS.portBase;
  const mirrorPortBase = options.mirrorPortBase ?? DEFAULTS.mirrorPortBase;
  const mirrored = options.mirroring !== 'none';

  if (hosts.length === 0) {
    problems.push(problem('NO_HOSTS', "Number of Segment instances's 0 (zero)", 'gpinitsystem'));
  }
  if (hosts.some((h) => h.trim() === '')) {
    problems.push(problem('NO_HOSTS', 'A segment host name is empty', 'lab'));
  }
  // Names the lab writes into gp_segment_configuration and its files (a|b|c lines, spaces as
  // separators) and shows on screen: letters, digits, dots, hyphens, underscores.
  for (const h of [...hosts, coordinatorHost, ...(options.standbyHost ? [options.standbyHost] : [])])
    if (h.trim() !== '' && !validHostname(h))
      problems.push(
        problem(
          'INVALID_HOSTNAME',
          `Invalid host name '${h}': use letters, digits, '.', '-' and '_' (no spaces, '|' or markup), up to 63 characters`,
          'lab',
        ),
      );
  if (new Set(hosts).size !== hosts.length) {
    problems.push(
      problem(
        'DUPLICATE_HOST',
        'Duplicate segment instance hostname exists in hostfile_gpinitsystem',
        'gpinitsystem',
      ),
    );
  }
  if (!Number.isInteger(k) || k < 1) {
    problems.push(problem('SEGMENTS_PER_HOST', 'Number of primary directories 0 (zero)', 'gpinitsystem'));
  }
  const distinctHosts = new Set(hosts).size;
  if (options.mirroring === 'spread' && Number.isInteger(k) && k >= 1) {
    if (distinctHosts === 1 || distinctHosts <= k) {
      problems.push(
        problem(
          'SPREAD_INSUFFICIENT_HOSTS',
          'Request made for spread mirroring via --mirror-mode option, but insufficient hosts available. ' +
            'Number of separate hosts must be greater than number of segment instances per host',
          'gpinitsystem',
        ),
      );
    }
  }
  if (mirrored && distinctHosts === 1 && options.mirroring === 'group') {
    problems.push(
      problem(
        'SAME_HOST_MIRROR',
        'With a single segment host every mirror lands on the same host as its primary (as in the demo ' +
          'cluster): a host failure loses both copies. As a best practice, a primary segment and the ' +
          'corresponding mirror are placed on different hosts',
        'gpinitsystem / Greenplum docs',
        'warning',
      ),
    );
  }
  if (mirrored) {
    const dir = options.dataDirectory ?? DEFAULTS.dataDirectory;
    const mdir = options.mirrorDataDirectory ?? DEFAULTS.mirrorDataDirectory;
    if (dir === mdir) {
      problems.push(
        problem(
          'DATADIR_CONFLICT',
          `Conflict between data directory and mirror data directory (${dir}).`,
          'gpinitsystem',
        ),
      );
    }
  }

  // Ports: the GUC range, then gpinitsystem's CHK_QE_ARRAY_PORT_RANGES.
  if (Number.isInteger(k) && k >= 1) {
    const maxPort = portBase + k - 1;
    problems.push(...portRangeProblems('coordinator', [coordinatorPort]));
    problems.push(...portRangeProblems('primary', [portBase, maxPort]));
    if (mirrored) problems.push(...portRangeProblems('mirror', [mirrorPortBase, mirrorPortBase + k - 1]));
    if (coordinatorPort >= portBase && coordinatorPort <= maxPort) {
      problems.push(problem('PORT_OVERLAP', 'COORDINATOR_PORT overlaps with PORT_BASE.', 'gpinitsystem'));
    }
    if (mirrored) {
      const maxMirror = mirrorPortBase + k - 1;
      if (coordinatorPort >= mirrorPortBase && coordinatorPort <= maxMirror) {
        problems.push(
          problem('PORT_OVERLAP', 'COORDINATOR_PORT overlaps with MIRROR_PORT_BASE.', 'gpinitsystem'),
        );
      }
      if (
        (portBase >= mirrorPortBase && portBase <= maxMirror) ||
        (mirrorPortBase >= portBase && mirrorPortBase <= maxPort)
      ) {
        problems.push(
          problem(
            'PORT_OVERLAP',
            'PORT_BASE AND MIRROR_PORT_BASE define overlapping ranges.',
            'gpinitsystem',
          ),
        );
      }
    }
  }

  if (options.standbyHost !== undefined) {
    if (options.standbyHost === coordinatorHost) {
      // The standby gets the coordinator's port and directory (gpinitsystem -s without -P/-S).
      problems.push(
        problem('STANDBY_CONFLICT', 'cannot create standby on the same host and port', 'gpinitstandby'),
      );
    }
    if (options.standbyHost.trim() === '') {
      problems.push(problem('STANDBY_CONFLICT', 'The standby host name is empty', 'lab'));
    }
  }
  return problems;
}

/**
 * The `gp_segment_configuration` rows gpinitsystem creates for these options (dbid order).
 * Throws a {@link PlacementError} for a placement gpinitsystem refuses.
 */
export function planCluster(options: PlanClusterOptions): SegmentConfig[] {
  throwIfErrors(validatePlacement(options));
  const coordinatorHost = options.coordinatorHost ?? DEFAULTS.coordinatorHost;
  const coordinatorPort = options.coordinatorPort ?? DEFAULTS.coordinatorPort;
  const coordinatorDir = segDir(options.coordinatorDirectory ?? DEFAULTS.coordinatorDirectory, -1);
  const portBase = options.portBase ?? DEFAULTS.portBase;
  const mirrorPortBase = options.mirrorPortBase ?? DEFAULTS.mirrorPortBase;
  const dataDirectory = options.dataDirectory ?? DEFAULTS.dataDirectory;
  const mirrorDataDirectory = options.mirrorDataDirectory ?? DEFAULTS.mirrorDataDirectory;
  const k = options.segmentsPerHost;
  const mirrored = options.mirroring !== 'none';
  // A freshly initialized mirrored cluster is in sync (gpinitsystem waits for it); a mirrorless
  // primary has mode n (invariant 7), and the coordinator row always shows n.
  const segMode = mirrored ? 's' : 'n';
  const hosts = orderedHosts(options.hosts, coordinatorHost);
  const h = hosts.length;

  const rows: SegmentConfig[] = [
    {
      dbid: 1,
      content: -1,
      role: 'p',
      preferred_role: 'p',
      mode: 'n',
      status: 'u',
      port: coordinatorPort,
      hostname: coordinatorHost,
      address: coordinatorHost,
      datadir: coordinatorDir,
    },
  ];
  hosts.forEach((host, hi) => {
    for (let i = 0; i < k; i++) {
      const content = hi * k + i;
      rows.push({
        dbid: content + 2,
        content,
        role: 'p',
        preferred_role: 'p',
        mode: segMode,
        status: 'u',
        port: portBase + i,
        hostname: host,
        address: host,
        datadir: segDir(dataDirectory, content),
      });
    }
  });
  if (mirrored) {
    const n = h * k;
    for (let content = 0; content < n; content++) {
      const hi = Math.floor(content / k);
      const i = content % k;
      // group: every mirror of host h on h+1; spread: the i-th on h+1+i (both wrap).
      const target = options.mirroring === 'group' ? (hi + 1) % h : (hi + 1 + i) % h;
      const host = hosts[target] ?? '';
      rows.push({
        dbid: n + 2 + content,
        content,
        role: 'm',
        preferred_role: 'm',
        mode: 's',
        status: 'u',
        port: mirrorPortBase + i,
        hostname: host,
        address: host,
        datadir: segDir(mirrorDataDirectory, content),
      });
    }
  }
  if (options.standbyHost !== undefined) {
    rows.push({
      dbid: Math.max(...rows.map((r) => r.dbid)) + 1,
      content: -1,
      role: 'm',
      preferred_role: 'm',
      mode: 's',
      status: 'u',
      port: coordinatorPort,
      hostname: options.standbyHost,
      address: options.standbyHost,
      datadir: coordinatorDir,
    });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Adding mirrors to a mirrorless cluster (gpaddmirrors)

export interface MirrorPlan {
  /** The new mirror rows, in build order: (m, m, n, d) until their first sync (invariant 8). */
  mirrors: SegmentConfig[];
  /** The whole configuration afterwards: primaries now mode n, mirrors appended. */
  config: SegmentConfig[];
  /** What the tool would warn about (non-standard array, same-host mirrors...). */
  warnings: string[];
}

export interface AddMirrorsOptions {
  /** The `-m` directories, one per mirror index on a host; default '/data/mirror' for each. */
  mirrorDataDirectories?: readonly string[];
}

/**
 * A new mirror's dbid as gpaddmirrors gives it: one past the highest in use, counting up
 * (clsAddMirrors' GpMirrorBuildCalculator). It passes the dbid to gp_add_segment itself rather
 * than let get_availableDbId() take the lowest free one, so a dbid freed by gpactivatestandby
 * (the old coordinator's 1, whose directory may still be on its host) is not handed out again.
 */
function nextMirrorDbid(used: Set<number>): number {
  const dbid = Math.max(0, ...used) + 1;
  used.add(dbid);
  return dbid;
}

/** Rows that are segment primaries by preferred role (`isSegmentPrimary(current_role=False)`). */
function preferredPrimaries(config: readonly SegmentConfig[]): SegmentConfig[] {
  return config.filter((s) => s.content >= 0 && s.preferred_role === 'p');
}

export function groupByHost(segs: readonly SegmentConfig[]): Map<string, SegmentConfig[]> {
  const byHost = new Map<string, SegmentConfig[]>();
  for (const s of segs) {
    const list = byHost.get(s.hostname) ?? [];
    list.push(s);
    byHost.set(s.hostname, list);
  }
  for (const list of byHost.values()) list.sort((a, b) => a.port - b.port);
  return byHost;
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `isStandardArray`, simplified to one address per host: every host holds as many primaries. */
function nonStandardReason(primariesByHost: Map<string, SegmentConfig[]>): string | undefined {
  const counts = new Set([...primariesByHost.values()].map((l) => l.length));
  if (counts.size <= 1) return undefined;
  return 'Not all hosts have the same number of primary segments';
}

/** gpaddmirrors' checkMirrorOffset: the refusal of a -p that puts mirror ports out of range. */
export function mirrorOffsetProblem(config: readonly SegmentConfig[], offset: number): string | undefined {
  return offsetProblems(config, offset)[0]?.message;
}

function offsetProblems(config: readonly SegmentConfig[], offset: number): PlacementProblem[] {
  const ports = config.map((s) => s.port);
  let minPort = Math.min(...ports);
  let maxPort = Math.max(...ports);
  if (offset < 0) {
    minPort += 3 * offset;
    maxPort += offset;
  } else {
    minPort += offset;
    maxPort += 3 * offset;
  }
  if (maxPort > GPADDMIRRORS_MAX_PORT || minPort < GPADDMIRRORS_MIN_PORT) {
    // Verbatim, including the missing space between the two sentences (clsAddMirrors.py).
    return [
      problem(
        'PORT_RANGE',
        'Value of port offset supplied via -p option produces ports outside of the valid range' +
          `Mirror port base range must be between ${GPADDMIRRORS_MIN_PORT} and ${GPADDMIRRORS_MAX_PORT}`,
        'gpaddmirrors',
      ),
    ];
  }
  return [];
}

function alreadyMirroredProblems(config: readonly SegmentConfig[]): PlacementProblem[] {
  if (config.some((s) => s.content >= 0 && s.preferred_role === 'm')) {
    return [
      problem(
        'ALREADY_MIRRORED',
        'GPDB physical mirroring cannot be added. The cluster is already configured with Mirrors.',
        'gpaddmirrors',
      ),
    ];
  }
  if (preferredPrimaries(config).length === 0) {
    return [problem('NO_PRIMARIES', 'The configuration has no primary segments', 'lab')];
  }
  return [];
}

/** Port and directory collisions of instances on one host (gpaddmirrors' final check). */
export function collisionProblems(config: readonly SegmentConfig[]): PlacementProblem[] {
  const problems: PlacementProblem[] = [];
  const seenPort = new Map<string, SegmentConfig>();
  const seenDir = new Map<string, SegmentConfig>();
  for (const s of config) {
    const pk = `${s.hostname}\u0000${s.port}`;
    const other = seenPort.get(pk);
    if (other) {
      problems.push(
        problem(
          'PORT_CONFLICT',
          `Segment dbid's ${other.dbid} and ${s.dbid} on host ${s.hostname} cannot have the same port ${s.port}.`,
          'gpaddmirrors',
        ),
      );
    } else seenPort.set(pk, s);
    const dk = `${s.hostname}\u0000${s.datadir}`;
    const otherDir = seenDir.get(dk);
    if (otherDir) {
      problems.push(
        problem(
          'DATADIR_CONFLICT',
          `Segment dbid's ${otherDir.dbid} and ${s.dbid} on host ${s.hostname} cannot have the same data directory '${s.datadir}'.`,
          'gpaddmirrors',
        ),
      );
    } else seenDir.set(dk, s);
  }
  return problems;
}

function withMirrorsAdded(
  config: readonly SegmentConfig[],
  mirrors: readonly SegmentConfig[],
): SegmentConfig[] {
  const mirrored = new Set(mirrors.map((m) => m.content));
  const updated = config.map((s) =>
    s.content >= 0 && s.role === 'p' && mirrored.has(s.content) ? { ...s, mode: 'n' as const } : { ...s },
  );
  return [...updated, ...mirrors.map((m) => ({ ...m }))];
}

/**
 * gpaddmirrors' layout for a mirrorless cluster (`GpMirrorBuildCalculator`, §4.2).
 *
 * `primaries` is the current configuration (coordinator and standby rows may be included: they
 * count for dbids and for the `-p` offset range check). Hosts are the primaries' hosts sorted by
 * name, primaries on a host sorted by port. A mirror's port is the lowest primary port on its
 * target host + its index among the mirrors placed there + the offset. Each new mirror is
 * (m, m, n, d) and its primary goes to mode n, as the catalog is updated before the base backup.
 *
 * `hosts` must contain every primary host; gpaddmirrors places mirrors only on hosts that hold
 * primaries, so another host there is reported as a warning (use {@link customPlacement}).
 */
export function placeMirrorsForExisting(
  primaries: readonly SegmentConfig[],
  hosts: readonly string[],
  mode: 'group' | 'spread',
  mirrorPortOffset: number = DEFAULTS.mirrorPortOffset,
  options: AddMirrorsOptions = {},
): MirrorPlan {
  const config = primaries;
  const problems = [...alreadyMirroredProblems(config)];
  throwIfErrors(problems);
  const prims = preferredPrimaries(config);
  const primariesByHost = groupByHost(prims);
  const warnings: string[] = [];
  for (const host of primariesByHost.keys()) {
    if (!hosts.includes(host)) {
      problems.push(problem('UNKNOWN_HOST', `Primary host ${host} is not in the list of hosts`, 'lab'));
    }
  }
  for (const host of hosts) {
    if (!primariesByHost.has(host)) {
      warnings.push(
        `Host ${host} holds no primary segment; gpaddmirrors only places mirrors on primary hosts ` +
          '(use a mirror configuration file, gpaddmirrors -i, to use it)',
      );
    }
  }
  problems.push(...offsetProblems(config, mirrorPortOffset));
  const maxPerHost = Math.max(...[...primariesByHost.values()].map((l) => l.length));
  const dirs = options.mirrorDataDirectories ?? Array<string>(maxPerHost).fill(DEFAULTS.mirrorDataDirectory);
  if (dirs.length !== maxPerHost) {
    problems.push(
      problem(
        'TOO_FEW_MIRROR_DIRECTORIES',
        `Number of data directories must equal ${maxPerHost} but ${dirs.length} were read from mirror_data_dirs`,
        'gpaddmirrors',
      ),
    );
  }
  throwIfErrors(problems);

  const reason = nonStandardReason(primariesByHost);
  if (reason !== undefined) {
    warnings.push(
      'The current system appears to be non-standard.',
      reason,
      'gpaddmirrors will not be able to symmetrically distribute the new mirrors.',
      'It is recommended that you specify your own input file with appropriate values.',
    );
  }
  const hostNames = [...primariesByHost.keys()].sort(byName);
  if (mode === 'spread' && hostNames.length <= maxPerHost) {
    warnings.push(
      'Spread mirroring needs more hosts than primary segments per host; ' +
        'gpaddmirrors does not check this, and some hosts receive more than one mirror of another host',
    );
  }

  const usedDbids = new Set(config.map((s) => s.dbid));
  const portBaseByHost = new Map([...primariesByHost].map(([host, l]) => [host, l[0]?.port ?? 0]));
  const mirrorsAddedByHost = new Map<string, number>();
  const mirrors: SegmentConfig[] = [];

  const addFor = (primary: SegmentConfig, target: string): void => {
    const index = mirrorsAddedByHost.get(target) ?? 0;
    const dir = dirs[index];
    if (dir === undefined) {
      throw new PlacementError(
        'TOO_FEW_MIRROR_DIRECTORIES',
        `More mirrors targeted to host ${target} than there are mirror data directories`,
      );
    }
    mirrors.push({
      dbid: nextMirrorDbid(usedDbids),
      content: primary.content,
      role: 'm',
      preferred_role: 'm',
      mode: 'n',
      status: 'd',
      port: (portBaseByHost.get(target) ?? 0) + index + mirrorPortOffset,
      hostname: target,
      address: target,
      datadir: segDir(dir, primary.content),
    });
    mirrorsAddedByHost.set(target, index + 1);
  };

  hostNames.forEach((host, hostIndex) => {
    const list = primariesByHost.get(host) ?? [];
    if (mode === 'group') {
      const target = hostNames[(hostIndex + 1) % hostNames.length] ?? host;
      for (const p of list) addFor(p, target);
    } else {
      let hostOffset = 1;
      for (const p of list) {
        let targetIndex = (hostIndex + hostOffset) % hostNames.length;
        if (targetIndex === hostIndex) {
          hostOffset++;
          targetIndex = (hostIndex + hostOffset) % hostNames.length;
        }
        addFor(p, hostNames[targetIndex] ?? host);
        hostOffset++;
      }
    }
  });
  if (hostNames.length === 1) {
    warnings.push('Every mirror is on the same host as its primary: a host failure loses both copies');
  }
  const result = withMirrorsAdded(config, mirrors);
  throwIfErrors(collisionProblems(result));
  return { mirrors, config: result, warnings };
}

export interface MirrorAssignment {
  content: number;
  host: string;
  /** Default: gpaddmirrors' port rule for that host (lowest primary port + index + 1000). */
  port?: number;
  /** Default: `/data/mirror/gpseg<content>`. */
  datadir?: string;
}

/** Every problem with a hand-made mirror layout; empty when {@link customPlacement} will succeed. */
export function validateCustomPlacement(
  primaries: readonly SegmentConfig[],
  assignments: readonly MirrorAssignment[],
): PlacementProblem[] {
  const problems = [...alreadyMirroredProblems(primaries)];
  const prims = preferredPrimaries(primaries);
  const byContent = new Map(prims.map((p) => [p.content, p]));
  const seen = new Set<number>();
  for (const a of assignments) {
    if (!byContent.has(a.content)) {
      problems.push(
        problem('UNKNOWN_CONTENT', `Invalid content ${a.content} specified in input file`, 'gpaddmirrors'),
      );
    } else if (seen.has(a.content)) {
      problems.push(
        problem('DUPLICATE_CONTENT', `Content ${a.content} has more than two segments`, 'gparray.py'),
      );
    }
    seen.add(a.content);
    if (a.host.trim() === '')
      problems.push(problem('UNKNOWN_HOST', `Content ${a.content}: empty host`, 'lab'));
    if (a.port !== undefined) problems.push(...portRangeProblems('mirror', [a.port]));
  }
  if (assignments.length !== prims.length) {
    problems.push(
      problem(
        'WRONG_MIRROR_COUNT',
        `Wrong number of mirrors specified (specified ${assignments.length} mirror(s) for ${prims.length} primarie(s))`,
        'gpaddmirrors',
      ),
    );
  }
  const hostCount = new Set([...prims.map((p) => p.hostname), ...assignments.map((a) => a.host)]).size;
  for (const a of assignments) {
    const p = byContent.get(a.content);
    if (p && p.hostname === a.host) {
      problems.push(
        problem(
          'SAME_HOST_MIRROR',
          `The mirror of content ${a.content} is on ${a.host}, the host of its primary: a failure of that host ` +
            'loses both copies. As a best practice, a primary segment and the corresponding mirror are ' +
            'placed on different hosts',
          'lab (Greenplum best practice)',
          hostCount >= 2 ? 'error' : 'warning',
        ),
      );
    }
  }
  if (problems.every((p) => p.severity !== 'error')) {
    const counts = new Map<string, number>();
    for (const a of assignments) counts.set(a.host, (counts.get(a.host) ?? 0) + 1);
    if (new Set(counts.values()).size > 1) {
      problems.push(
        problem(
          'NON_STANDARD',
          'The mirrors are not spread evenly: hosts hold ' +
            [...counts].map(([h, n]) => `${h}=${n}`).join(', ') +
            '. The current system appears to be non-standard.',
          'gpaddmirrors',
          'warning',
        ),
      );
    }
    try {
      problems.push(...collisionProblems(buildCustom(primaries, assignments).config));
    } catch (e) {
      if (!(e instanceof PlacementError)) throw e;
      problems.push(...e.problems);
    }
  }
  return problems;
}

function buildCustom(
  primaries: readonly SegmentConfig[],
  assignments: readonly MirrorAssignment[],
): MirrorPlan {
  const prims = preferredPrimaries(primaries);
  const byContent = new Map(prims.map((p) => [p.content, p]));
  const primariesByHost = groupByHost(prims);
  const minPort = Math.min(...prims.map((p) => p.port));
  const usedDbids = new Set(primaries.map((s) => s.dbid));
  const added = new Map<string, number>();
  const mirrors: SegmentConfig[] = [];
  for (const a of assignments) {
    const primary = byContent.get(a.content);
    if (!primary) continue;
    const index = added.get(a.host) ?? 0;
    added.set(a.host, index + 1);
    const base = primariesByHost.get(a.host)?.[0]?.port ?? minPort;
    mirrors.push({
      dbid: nextMirrorDbid(usedDbids),
      content: a.content,
      role: 'm',
      preferred_role: 'm',
      mode: 'n',
      status: 'd',
      port: a.port ?? base + index + DEFAULTS.mirrorPortOffset,
      hostname: a.host,
      address: a.host,
      datadir: a.datadir ?? segDir(DEFAULTS.mirrorDataDirectory, a.content),
    });
  }
  return { mirrors, config: withMirrorsAdded(primaries, mirrors), warnings: [] };
}

/**
 * Mirrors where the person puts them (gpaddmirrors `-i`): new mirrors (m, m, n, d) with
 * available dbids. Refuses what {@link validateCustomPlacement} calls an error.
 */
export function customPlacement(
  primaries: readonly SegmentConfig[],
  assignments: readonly MirrorAssignment[],
): MirrorPlan {
  const problems = validateCustomPlacement(primaries, assignments);
  throwIfErrors(problems);
  const plan = buildCustom(primaries, assignments);
  plan.warnings.push(...problems.filter((p) => p.severity === 'warning').map((p) => p.message));
  return plan;
}
