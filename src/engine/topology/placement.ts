/**
 * Placement: where each instance of a cluster lives, as `gp_segment_configuration` rows.
 *
 * Pure functions, no I/O. They reproduce the layouts Greenplum's own tools compute
 * (reference: shared/greenplum-ha.md §1.1, §3.2, §3.7 and §4):
 *
 * - {@link planCluster} is gpinitsystem (`CREATE_QE_ARRAY`, `CREATE_GROUP_MIRROR_ARRAY`,
 *   `CREATE_SPREAD_MIRROR_ARRAY`, `CHK_QE_ARRAY_PORT_RANGES`): coordinator dbid 1, primaries host by
 *   host, then mirrors in content order, then the standby (dbid max+1, as gpinitstandby adds it).
 * - gpaddmirrors' layouts for a mirrorless cluster (group, spread, `-i`) live in
 *   mirror-placement.ts.
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

export function problem(
  code: PlacementErrorCode,
  message: string,
  source: string,
  severity: 'error' | 'warning' = 'error',
): PlacementProblem {
  return { code, severity, message, source };
}

export function throwIfErrors(problems: readonly PlacementProblem[]): void {
  const errors = problems.filter((p) => p.severity === 'error');
  const first = errors[0];
  if (first) throw new PlacementError(first.code, first.message, errors);
}

export function segDir(base: string, content: number): string {
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

export function portRangeProblems(label: string, ports: readonly number[]): PlacementProblem[] {
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
