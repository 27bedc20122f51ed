/**
 * What a gprecoverseg target does between the end of its copy and the moment it serves as a
 * mirror again: its instance starts, replays its WAL, then its primary's walsender connects.
 * Through all of it the lab shows the instance as recovering (the legend's "copy bar, then WAL
 * replay"), never as down. A pure step function over cluster events, tested as a table.
 */
import type { SegmentRow } from './types.ts';

/**
 * After the copy: starting the instance, replaying its WAL, waiting for its primary to stream,
 * streaming until FTS marks it up (the catalog's status, as gpstate shows it).
 */
export type RecoveryPhase = 'starting' | 'replaying' | 'connecting' | 'streaming';

/** The event fields the steps read. */
export interface PhaseEvent {
  kind: string;
  dbid?: number;
  role?: unknown;
}

/** A change: a target's next phase, or its end ('up': serving; 'down': it did not come up). */
export type PhaseChange = [dbid: number, next: RecoveryPhase | 'up' | 'down'];

/** The changes one event makes to the targets in `phases` (in WAL replication). */
export function recoveryStep(
  phases: ReadonlyMap<number, RecoveryPhase>,
  e: PhaseEvent,
  rows: readonly SegmentRow[],
): PhaseChange[] {
  const d = e.dbid;
  switch (e.kind) {
    case 'recovery.bytes':
      // The copy is done; gprecoverseg starts the instance next.
      return d === undefined ? [] : [[d, 'starting']];
    case 'recovery.start':
      return d !== undefined && phases.has(d) ? [[d, 'replaying']] : [];
    case 'instance.up':
      if (d === undefined || !phases.has(d)) return [];
      // A mirror is recovered once its primary streams to it and FTS marks it up; anything
      // else once it runs.
      return [[d, e.role === 'mirror' ? 'connecting' : 'up']];
    case 'walsender.connected': {
      // From the primary: its content's mirror now receives WAL.
      const primary = rows.find((r) => r.dbid === d);
      const mirror = primary && rows.find((r) => r.content === primary.content && r.dbid !== d);
      return mirror && phases.get(mirror.dbid) === 'connecting' ? [[mirror.dbid, 'streaming']] : [];
    }
    case 'instance.crash':
    case 'instance.refused':
      return d !== undefined && phases.has(d) ? [[d, 'down']] : [];
    case 'utility.done':
      // The run ended: a target whose instance never started did not come up.
      return [...phases].filter(([, p]) => p === 'starting').map(([t]) => [t, 'down']);
    default:
      return [];
  }
}

/** Running targets the catalog shows up again: FTS found their primary streaming to them. */
export function settledByCatalog(
  phases: ReadonlyMap<number, RecoveryPhase>,
  rows: readonly SegmentRow[],
): number[] {
  return [...phases]
    .filter(
      ([d, p]) =>
        (p === 'connecting' || p === 'streaming') && rows.some((r) => r.dbid === d && r.status === 'u'),
    )
    .map(([d]) => d);
}

/** The card's words for a phase. */
export const PHASE_WORDS: Record<RecoveryPhase, string> = {
  starting: 'starting its instance',
  replaying: 'replaying its WAL',
  connecting: 'waiting for its primary to stream',
  streaming: 'streaming; FTS marks it up at its next probe',
};
