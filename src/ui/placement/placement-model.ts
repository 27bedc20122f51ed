/**
 * The placement panel's model, without DOM: a layout planned from hosts, segments per host and
 * mirroring (gpinitsystem's rules), or imported from a real cluster's gp_segment_configuration;
 * its problems in Greenplum's words, what each host's failure would do, and the files a DBA
 * would feed a real cluster.
 */
import {
  ExpansionError,
  formatInputFile,
  layoutNewHosts,
  strategyOf,
  validateExpansion,
  customPlacement,
  validateCustomPlacement,
  detectMirroring,
  parseSegmentConfiguration,
  planCluster,
  toGpaddmirrorsFile,
  toGpinitsystemConfig,
  validatePlacement,
  validateSegmentConfiguration,
  whatIfHostFails,
  type HostFailureImpact,
  type MirrorAssignment,
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
  /**
   * The lab can boot this layout: a gpinitsystem layout (uniform, group/spread/none), or one
   * with hand-placed mirrors, which it builds as a DBA would: mirrorless, then gpaddmirrors -i
   * with `mirrorFile`.
   */
  bootable:
    | {
        hosts: string;
        segmentsPerHost: number;
        mirroring: MirroringMode;
        standby: boolean;
        mirrorFile?: string;
      }
    | undefined;
}

export interface CustomInput {
  hosts: string;
  segmentsPerHost: number;
  standby: boolean;
  /** The host of each content's mirror; a content left out gets the spread layout's host. */
  mirrorHosts: Record<number, string>;
}

/** Each content of a custom layout: where its primary is, and its mirror's default host (spread's). */
export function customContents(
  input: Omit<CustomInput, 'mirrorHosts'>,
): { content: number; primaryHost: string; mirrorHost: string }[] {
  const hosts = splitHosts(input.hosts);
  if (!hosts.length || !(input.segmentsPerHost >= 1)) return [];
  const spread = { hosts, segmentsPerHost: input.segmentsPerHost, mirroring: 'spread' as const };
  const usable = !validatePlacement(spread).some((p) => p.severity === 'error');
  const rows = planCluster(usable ? spread : { ...spread, mirroring: 'none' });
  return rows
    .filter((r) => r.content >= 0 && r.role === 'p')
    .map((p) => ({
      content: p.content,
      primaryHost: p.hostname,
      mirrorHost:
        rows.find((m) => m.content === p.content && m.role === 'm')?.hostname ??
        hosts[(hosts.indexOf(p.hostname) + 1) % hosts.length]!,
    }));
}

/**
 * A layout whose mirrors the person places one by one (gpaddmirrors -i), checked live with
 * Greenplum's rules; shown as it will be once the mirrors are in sync.
 */
export function customLayout(input: CustomInput): Layout {
  const hosts = splitHosts(input.hosts);
  const base = {
    hosts,
    segmentsPerHost: input.segmentsPerHost,
    mirroring: 'none' as const,
    standbyHost: input.standby ? 'scdw' : undefined,
  };
  const baseProblems = validatePlacement(base);
  if (baseProblems.some((p) => p.severity === 'error'))
    return {
      config: undefined,
      problems: baseProblems,
      parseError: undefined,
      whatIf: [],
      bootable: undefined,
    };
  const primaries = planCluster(base);
  const assignments: MirrorAssignment[] = customContents(input).map((c) => ({
    content: c.content,
    host: input.mirrorHosts[c.content] ?? c.mirrorHost,
  }));
  const problems = validateCustomPlacement(primaries, assignments);
  if (problems.some((p) => p.severity === 'error'))
    return { config: undefined, problems, parseError: undefined, whatIf: [], bootable: undefined };
  const added = customPlacement(primaries, assignments).config;
  // As it will be once gpaddmirrors has finished: every pair up and synchronized.
  const config = added.map((r) => (r.content >= 0 ? { ...r, mode: 's' as const, status: 'u' as const } : r));
  const layout = describe(config, problems);
  layout.bootable = {
    hosts: hosts.join(','),
    segmentsPerHost: input.segmentsPerHost,
    mirroring: 'none',
    standby: input.standby,
    mirrorFile: toGpaddmirrorsFile(config),
  };
  return layout;
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

/** An expansion of the running cluster: the layout once gpexpand is done, and its input file. */
export interface ExpansionPlan extends Layout {
  /** gpexpand's input file for the new instances (its -i file). */
  inputFile: string | undefined;
  /** The mirroring strategy the interview uses: the running cluster's own. */
  strategy: string;
}

/**
 * The running cluster grown onto new hosts as gpexpand's interview places them, checked with
 * its rules (host counts for the strategy, numbering, clashes), and what a host's failure
 * would do once the new mirrors are in sync.
 */
export function expandLayout(current: SegmentConfig[], hostsText: string): ExpansionPlan {
  const strategy = strategyOf(current);
  const existing = new Set(current.map((r) => r.hostname));
  const hosts = splitHosts(hostsText).filter((h) => !existing.has(h));
  const none = {
    config: undefined,
    parseError: undefined,
    whatIf: [],
    bootable: undefined,
    inputFile: undefined,
  };
  const refused = (message: string): ExpansionPlan => ({
    ...none,
    strategy,
    problems: [{ code: 'EXPANSION', severity: 'error', message, source: 'gpexpand' }],
  });
  if (!current.some((r) => r.content >= 0))
    return refused('The cluster is not running: start it to plan an expansion.');
  if (!hosts.length)
    return refused('Name at least one new host (hosts already in the cluster are left out).');
  if (strategy !== 'none' && hosts.length < 2)
    return refused('You must be adding two or more hosts when expanding a system with mirroring enabled.');
  try {
    const rows = layoutNewHosts(current, hosts, strategy);
    validateExpansion(current, rows);
    const after = [...current, ...rows].map((r) =>
      r.content >= 0 ? { ...r, mode: 's' as const, status: 'u' as const } : r,
    );
    return { ...describe(after, []), bootable: undefined, inputFile: formatInputFile(rows), strategy };
  } catch (e) {
    if (e instanceof ExpansionError) return refused(e.message);
    throw e;
  }
}

/** The lab's catalog rows as gp_segment_configuration rows. */
export function fromRows(rows: readonly SegmentRow[]): SegmentConfig[] {
  return rows.map(({ preferredRole, ...r }) => ({ ...r, preferred_role: preferredRole })) as SegmentConfig[];
}

export function importLayout(text: string): Layout {
  // Nothing pasted yet: nothing to judge (an error before a keystroke reads as a fault).
  if (!text.trim())
    return { config: undefined, problems: [], parseError: undefined, whatIf: [], bootable: undefined };
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
  return config.map(({ preferred_role, ...r }) => ({ ...r, preferredRole: preferred_role }));
}
