/**
 * Where gpaddmirrors puts the mirrors of a mirrorless cluster, as `gp_segment_configuration`
 * rows (pure functions, no I/O; reference: shared/greenplum-ha.md §4):
 *
 * - {@link placeMirrorsForExisting} is `GpMirrorBuildCalculator` (group / spread);
 * - {@link customPlacement} is `-i`: the person chooses the host of each mirror.
 *
 * A new mirror is (m, m, n, d) until its first sync; its primary goes to mode n.
 */
import {
  DEFAULTS,
  PlacementError,
  portRangeProblems,
  problem,
  segDir,
  throwIfErrors,
  type PlacementProblem,
  type SegmentConfig,
} from './placement.ts';

const GPADDMIRRORS_MIN_PORT = 6432;
const GPADDMIRRORS_MAX_PORT = 61000;

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
