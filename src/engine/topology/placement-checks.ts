/**
 * Checks of a cluster's configuration as it stands: what a host's failure would take down
 * (whatIfHostFails), and whether a gp_segment_configuration read back from a file or a running
 * cluster is one Greenplum could run (validateSegmentConfiguration).
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import { collisionProblems } from './mirror-placement.ts';
import { problem, type PlacementProblem } from './placement.ts';

export type DoubleFaultReason = 'mirror-on-same-host' | 'mirror-down' | 'mirror-not-in-sync';

export interface HostFailureImpact {
  host: string;
  /** Contents whose acting primary was on the host and whose in-sync mirror takes over. */
  failedOver: { content: number; fromDbid: number; toDbid: number; toHost: string }[];
  /**
   * Contents whose acting primary was on the host and whose mirror cannot take over: FTS leaves
   * the primary p/u and records a double fault; the content is unavailable until it returns.
   */
  doubleFaults: { content: number; dbid: number; reason: DoubleFaultReason }[];
  /** Contents of a mirrorless cluster whose primary was on the host (down, no failover). */
  unmirroredDown: { content: number; dbid: number }[];
  /** Mirrors that were on the host: their primaries keep running, not in sync. */
  mirrorsLost: { content: number; dbid: number }[];
  /** Acting primaries on each surviving segment host afterwards, in host order. */
  actingPrimariesPerHost: Record<string, number>;
  /** All contents stay available. */
  survives: boolean;
  /** The active coordinator was on the host (no automatic failover: run gpactivatestandby). */
  coordinatorLost: boolean;
  standbyLost: boolean;
}

/** What FTS would make of the loss of every instance on `host` (§2.3). */
export function whatIfHostFails(config: readonly SegmentConfig[], host: string): HostFailureImpact {
  const impact: HostFailureImpact = {
    host,
    failedOver: [],
    doubleFaults: [],
    unmirroredDown: [],
    mirrorsLost: [],
    actingPrimariesPerHost: {},
    survives: true,
    coordinatorLost: config.some((s) => s.content === -1 && s.role === 'p' && s.hostname === host),
    standbyLost: config.some((s) => s.content === -1 && s.role === 'm' && s.hostname === host),
  };
  const hostOrder: string[] = [];
  for (const s of config) {
    if (s.content >= 0 && s.hostname !== host && !hostOrder.includes(s.hostname)) hostOrder.push(s.hostname);
  }
  for (const h of hostOrder) impact.actingPrimariesPerHost[h] = 0;
  const bump = (h: string) => {
    impact.actingPrimariesPerHost[h] = (impact.actingPrimariesPerHost[h] ?? 0) + 1;
  };
  const contents = [...new Set(config.filter((s) => s.content >= 0).map((s) => s.content))].sort(
    (a, b) => a - b,
  );
  for (const c of contents) {
    const primary = config.find((s) => s.content === c && s.role === 'p');
    const mirror = config.find((s) => s.content === c && s.role === 'm');
    if (!primary) continue;
    if (primary.hostname !== host) {
      bump(primary.hostname);
      if (mirror && mirror.hostname === host && mirror.status === 'u') {
        impact.mirrorsLost.push({ content: c, dbid: mirror.dbid });
      }
      continue;
    }
    if (!mirror) {
      impact.unmirroredDown.push({ content: c, dbid: primary.dbid });
    } else if (mirror.hostname === host) {
      impact.doubleFaults.push({ content: c, dbid: primary.dbid, reason: 'mirror-on-same-host' });
    } else if (mirror.status !== 'u') {
      impact.doubleFaults.push({ content: c, dbid: primary.dbid, reason: 'mirror-down' });
    } else if (mirror.mode !== 's' || primary.mode !== 's') {
      impact.doubleFaults.push({ content: c, dbid: primary.dbid, reason: 'mirror-not-in-sync' });
    } else {
      impact.failedOver.push({
        content: c,
        fromDbid: primary.dbid,
        toDbid: mirror.dbid,
        toHost: mirror.hostname,
      });
      bump(mirror.hostname);
    }
  }
  impact.survives = impact.doubleFaults.length === 0 && impact.unmirroredDown.length === 0;
  return impact;
}

// ---------------------------------------------------------------------------------------------
// Invariants of a configuration (§1.1)

/** The (primary status, primary mode, mirror status, mirror mode) tuples gparray.py accepts. */
const VALID_SEGMENT_STATES = new Set(['usus', 'unun', 'undn']);

/** Checks §1.1's invariants; an empty list means the management tools would accept it. */
export function validateSegmentConfiguration(config: readonly SegmentConfig[]): PlacementProblem[] {
  const problems: PlacementProblem[] = [];
  const dbids = new Set<number>();
  for (const s of config) {
    if (dbids.has(s.dbid)) problems.push(problem('INVALID_CONFIGURATION', `Duplicate dbid ${s.dbid}`, 'lab'));
    dbids.add(s.dbid);
  }
  const coordinators = config.filter((s) => s.content === -1);
  if (coordinators.filter((s) => s.role === 'p').length !== 1) {
    problems.push(problem('INVALID_CONFIGURATION', 'There must be exactly one active coordinator', 'lab'));
  }
  if (coordinators.filter((s) => s.role === 'm').length > 1) {
    problems.push(
      problem('INVALID_CONFIGURATION', 'only a single master standby may be defined', 'segadmin.c'),
    );
  }
  const contents = [...new Set(config.filter((s) => s.content >= 0).map((s) => s.content))].sort(
    (a, b) => a - b,
  );
  contents.forEach((c, i) => {
    if (c !== i) {
      problems.push(
        problem('INVALID_CONFIGURATION', `Content ids must be 0..N-1; content ${i} is missing`, 'lab'),
      );
    }
    const segs = config.filter((s) => s.content === c);
    const p = segs.filter((s) => s.role === 'p');
    const m = segs.filter((s) => s.role === 'm');
    if (segs.length > 2 || p.length !== 1 || m.length > 1) {
      problems.push(
        problem('INVALID_CONFIGURATION', `Content ${c} has more than two segments`, 'gparray.py'),
      );
      return;
    }
    const primary = p[0];
    const mirror = m[0];
    if (!primary) return;
    const state = mirror
      ? `${primary.status}${primary.mode}${mirror.status}${mirror.mode}`
      : `${primary.status}${primary.mode}dn`;
    if (!VALID_SEGMENT_STATES.has(state)) {
      problems.push(
        problem(
          'INVALID_CONFIGURATION',
          `Invalid GpArray: content ${c} has primary status/mode ${primary.status}/${primary.mode}` +
            (mirror ? ` and mirror status/mode ${mirror.status}/${mirror.mode}` : ' and no mirror'),
          'gparray.py (InvalidSegmentConfiguration)',
        ),
      );
    }
  });
  problems.push(...collisionProblems(config));
  return problems;
}
