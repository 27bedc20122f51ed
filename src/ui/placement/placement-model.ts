/**
 * The placement panel's model, without DOM: a layout planned from hosts, segments per host and
 * mirroring (gpinitsystem's rules), or imported from a real cluster's gp_segment_configuration;
 * its problems in Greenplum's words, what each host's failure would do, and the files a DBA
 * would feed a real cluster.
 */
import {
  detectMirroring,
  parseSegmentConfiguration,
  planCluster,
  toGpaddmirrorsFile,
  toGpinitsystemConfig,
  validatePlacement,
  validateSegmentConfiguration,
  whatIfHostFails,
  type HostFailureImpact,
  type MirroringMode,
  type PlacementProblem,
  type SegmentConfig,
} from '../../workers/index.ts';
import type { SegmentRow } from '../state/types.ts';

export interface PlanInput {
  hosts: string;
  segmentsPerHost: number;
  mirroring: MirroringMode;
  standby: boolean;
}

export interface Layout {
  /** The rows, when the input yields a layout at all. */
  config: SegmentConfig[] | undefined;
  problems: PlacementProblem[];
  /** Parse errors of an import, with their line. */
  parseError: string | undefined;
  /** A host's failure, per segment host. */
  whatIf: HostFailureImpact[];
  /** The lab can boot this layout (a gpinitsystem layout: uniform, group/spread/none). */
  bootable:
    { hosts: string; segmentsPerHost: number; mirroring: MirroringMode; standby: boolean } | undefined;
}

export function splitHosts(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((h) => h.trim())
    .filter(Boolean);
}

export function planLayout(input: PlanInput): Layout {
  const opts = {
    hosts: splitHosts(input.hosts),
    segmentsPerHost: input.segmentsPerHost,
    mirroring: input.mirroring,
    standbyHost: input.standby ? 'scdw' : undefined,
  };
  const problems = validatePlacement(opts);
  if (problems.some((p) => p.severity === 'error'))
    return { config: undefined, problems, parseError: undefined, whatIf: [], bootable: undefined };
  const config = planCluster(opts);
  return describe(config, problems);
}

export function importLayout(text: string): Layout {
  let config: SegmentConfig[];
  try {
    config = parseSegmentConfiguration(text);
  } catch (e) {
    return {
      config: undefined,
      problems: [],
      parseError: e instanceof Error ? e.message : String(e),
      whatIf: [],
      bootable: undefined,
    };
  }
  return describe(config, validateSegmentConfiguration(config));
}

function describe(config: SegmentConfig[], problems: PlacementProblem[]): Layout {
  const segHosts = [...new Set(config.filter((r) => r.content >= 0).map((r) => r.hostname))];
  const whatIf = segHosts.map((h) => whatIfHostFails(config, h));
  return { config, problems, parseError: undefined, whatIf, bootable: bootableFrom(config, segHosts) };
}

function bootableFrom(config: SegmentConfig[], hosts: string[]): Layout['bootable'] {
  const mirroring = detectMirroring(config);
  if (mirroring === 'custom') return undefined;
  const prims = config.filter((r) => r.content >= 0 && r.preferred_role === 'p');
  const per = new Map<string, number>();
  for (const p of prims) per.set(p.hostname, (per.get(p.hostname) ?? 0) + 1);
  const counts = new Set(per.values());
  if (counts.size !== 1) return undefined;
  const primaryHosts = hosts.filter((h) => per.has(h));
  return {
    hosts: primaryHosts.join(','),
    segmentsPerHost: [...counts][0]!,
    mirroring,
    standby: config.some((r) => r.content === -1 && r.preferred_role === 'm'),
  };
}

/** One line per host: what Greenplum would do if that host failed now. */
export function whatIfText(w: HostFailureImpact): string {
  const parts: string[] = [];
  if (w.failedOver.length) {
    const to = [...new Set(w.failedOver.map((f) => f.toHost))];
    parts.push(
      `${w.failedOver.length} primar${w.failedOver.length === 1 ? 'y fails' : 'ies fail'} over to ${to.join(', ')}`,
    );
  }
  if (w.doubleFaults.length)
    parts.push(
      `${w.doubleFaults.length} content(s) double-faulted (${[...new Set(w.doubleFaults.map((d) => d.reason))].join(', ')}): unavailable`,
    );
  if (w.unmirroredDown.length)
    parts.push(`${w.unmirroredDown.length} unmirrored content(s) down: unavailable`);
  if (w.mirrorsLost.length) parts.push(`${w.mirrorsLost.length} mirror(s) lost`);
  const busiest = Object.entries(w.actingPrimariesPerHost).sort((a, b) => b[1] - a[1])[0];
  if (busiest && w.failedOver.length) parts.push(`${busiest[0]} then carries ${busiest[1]} primaries`);
  if (w.coordinatorLost) parts.push('the coordinator is lost: activate the standby');
  return `If ${w.host} fails: ${parts.join('; ') || 'nothing on it'}. ${w.survives ? 'The cluster stays available.' : 'The cluster is NOT fully available.'}`;
}

export function exportGpinitsystem(config: SegmentConfig[]): string {
  return toGpinitsystemConfig(config);
}

export function exportGpaddmirrors(config: SegmentConfig[]): string {
  return toGpaddmirrorsFile(config);
}

/** Catalog rows in the topology view's shape. */
export function toRows(config: SegmentConfig[]): SegmentRow[] {
  return config.map((r) => ({
    dbid: r.dbid,
    content: r.content,
    role: r.role,
    preferredRole: r.preferred_role,
    mode: r.mode,
    status: r.status,
    port: r.port,
    hostname: r.hostname,
    address: r.address,
    datadir: r.datadir,
  }));
}
