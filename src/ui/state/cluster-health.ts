/**
 * The cluster-level view a DBA looks at first, as Greenplum Command Center gives it: the
 * Database State, how many mirrors act as primary, and how the acting primaries spread over the
 * segment hosts (the point of group versus spread mirroring). Derived from
 * gp_segment_configuration and the instance processes the lab has seen die.
 */
import { procNotRunning, type ProcState, type SegmentRow } from './types.ts';

/** Greenplum Command Center's Database State values, most serious first. */
export const DATABASE_STATES = [
  'Database Unreachable',
  'Segment(s) Down',
  'Resyncing',
  'Unbalanced',
  'Normal',
] as const;
export type DatabaseState = (typeof DATABASE_STATES)[number];

export interface ClusterSummary {
  /** The most serious state that holds (what Command Center shows). */
  state: DatabaseState;
  /** Every state that holds, most serious first (Normal only when nothing else does). */
  states: DatabaseState[];
  /** Segment instances down: marked d, or whose process the lab saw die (FTS may not know yet). */
  down: SegmentRow[];
  /** Of those, the ones the catalog still says are up (FTS has not probed them yet). */
  downUnmarked: SegmentRow[];
  /** Pairs both up and not in sync (catching up, resynchronizing). */
  resyncing: SegmentRow[];
  /** Acting primaries whose preferred role is mirror. */
  mirrorsActingAsPrimary: SegmentRow[];
  /** Acting primaries that serve (up) per segment host, in host order; hosts with none show 0. */
  actingPrimaries: Map<string, number>;
}

function procDown(p: ProcState | undefined): boolean {
  return procNotRunning(p);
}

/**
 * Summarizes the catalog. `coordinatorReachable` false (its process is down, or the catalog
 * cannot be read) makes the state Database Unreachable, whatever the last rows said.
 */
export function summarize(
  rows: SegmentRow[],
  proc: ReadonlyMap<number, ProcState>,
  coordinatorReachable: boolean,
): ClusterSummary {
  const segs = rows.filter((r) => r.content >= 0);
  const isDown = (r: SegmentRow) => r.status === 'd' || procDown(proc.get(r.dbid));
  const down = segs.filter(isDown);
  const downUnmarked = down.filter((r) => r.status !== 'd');
  const resyncing = segs.filter((r) => {
    if (r.role !== 'm' || isDown(r)) return false;
    const p = segs.find((x) => x.content === r.content && x.role === 'p');
    return !!p && !isDown(p) && r.mode !== 's';
  });
  const mirrorsActingAsPrimary = segs.filter((r) => r.role === 'p' && r.preferredRole === 'm');
  const actingPrimaries = new Map<string, number>();
  for (const r of segs) if (!actingPrimaries.has(r.hostname)) actingPrimaries.set(r.hostname, 0);
  for (const r of segs)
    if (r.role === 'p' && !isDown(r))
      actingPrimaries.set(r.hostname, (actingPrimaries.get(r.hostname) ?? 0) + 1);
  const states: DatabaseState[] = [];
  if (!coordinatorReachable) states.push('Database Unreachable');
  // As gpstate: the Database State is the catalog's. A process the lab saw die that FTS has not
  // marked yet is in downUnmarked (the recommendations offer a probe), not in the state.
  if (down.length > downUnmarked.length) states.push('Segment(s) Down');
  if (resyncing.length) states.push('Resyncing');
  if (segs.some((r) => r.role !== r.preferredRole)) states.push('Unbalanced');
  if (!states.length) states.push('Normal');
  return {
    state: states[0]!,
    states,
    down,
    downUnmarked,
    resyncing,
    mirrorsActingAsPrimary,
    actingPrimaries,
  };
}

/** A duration in Greenplum's setting syntax ('1min', '60s', '500ms', '60') in milliseconds. */
export function settingMs(v: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h)?\s*$/.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, min: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000;
  return n * unit;
}

/** "in about 2 s", "any moment now". */
export function inAbout(ms: number): string {
  if (ms <= 400) return 'any moment now';
  const s = ms / 1000;
  return `in about ${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
}
