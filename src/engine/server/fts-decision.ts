/**
 * FTS's decision for one primary/mirror pair after a probe: a pure function of the pair's
 * catalog rows and the probe's outcome, as Greenplum's ftsprobe.c processResponse() decides it.
 * It says what to write (rows and history), what to announce once that is committed, and what
 * to send next (PROMOTE, SYNCREP_OFF); server/fts.ts does the I/O around it.
 *
 * | probe                 | pair                                  | decision                           |
 * |-----------------------|---------------------------------------|------------------------------------|
 * | failed                | no mirror                             | "content c dbid d is down", once   |
 * | failed                | both in sync, mirror up               | swap roles (old primary m d), PROMOTE |
 * | failed                | otherwise                             | double fault, once                 |
 * | answered              | content was down / in double fault    | "... is up" history                |
 * | answered, is a mirror | (a PROMOTE that did not arrive)       | PROMOTE again                      |
 * | mirror down, retry    | within the grace period               | nothing yet                        |
 * | mirror down           |                                       | primary n, mirror d n; SYNCREP_OFF if on |
 * | mirror up             | mode or status differ                 | the pair's mode (s or n), mirror u |
 *
 * File replication (Greenplum 5) decides from the primary's data state instead: faulted or
 * change tracking makes the pair (p u c, m d s|r); else both take the state the primary reports.
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import type { ProbeResponse } from '../replication/protocol.ts';
import type { TraceEvent } from '../runtime/events.ts';

export type ProbeOutcome = { ok: true; r: ProbeResponse } | { ok: false; error: string };

/** A pair as the catalog holds it, and what FTS remembers of it. */
export interface FtsPair {
  primary: SegmentConfig;
  mirror: SegmentConfig | undefined;
  /** No segment of the cluster has a mirror. */
  mirrorless: boolean;
  /** The content's double fault (or, mirrorless, its being down) is already recorded. */
  inDoubleFault: boolean;
  /** Segments mirror by file replication (Greenplum 5's states). */
  fileRep: boolean;
}

/** What FTS announces, once the decision's rows are committed. */
export type FtsEvent = Extract<
  TraceEvent,
  { kind: 'fts.failover' | 'fts.double_fault' | 'fts.mirror_down' | 'fts.mirror_up' | 'fts.skip_mirror_down' }
>;

/** What FTS sends after the commit. */
export type FtsFollowUp =
  /** `failover`: the mirror of a failover (its failure is a double fault); else a resend. */
  | { kind: 'promote'; dbid: number; content: number; failover: boolean }
  | { kind: 'syncRepOff'; dbid: number };

export interface PairDecision {
  changes: SegmentConfig[];
  history: { dbid: number; desc: string }[];
  events: FtsEvent[];
  followUps: FtsFollowUp[];
  /** The content's double-fault flag afterwards. */
  inDoubleFault: boolean;
}

export function decidePair(pair: FtsPair, outcome: ProbeOutcome): PairDecision {
  const d: PairDecision = {
    changes: [],
    history: [],
    events: [],
    followUps: [],
    inDoubleFault: pair.inDoubleFault,
  };
  const { primary: p, mirror: m } = pair;
  const c = p.content;
  if (!outcome.ok) {
    if (pair.mirrorless || !m) {
      if (!pair.inDoubleFault) {
        d.inDoubleFault = true;
        d.history.push({ dbid: p.dbid, desc: `FTS: content id ${c} dbid ${p.dbid} is down` });
      }
      return d;
    }
    if (p.mode === 's' && m.mode === 's' && m.status === 'u') {
      // The rows first, then PROMOTE. In file replication the new primary tracks changes.
      const [oldMode, newMode] = pair.fileRep ? (['s', 'c'] as const) : (['n', 'n'] as const);
      d.changes.push(
        { ...p, role: 'm', status: 'd', mode: oldMode },
        { ...m, role: 'p', status: 'u', mode: newMode },
      );
      d.history.push(updateRow(p.dbid, c, 'm', 'd', oldMode), updateRow(m.dbid, c, 'p', 'u', newMode));
      d.followUps.push({ kind: 'promote', dbid: m.dbid, content: c, failover: true });
      d.events.push({ kind: 'fts.failover', content: c, from: p.dbid, to: m.dbid, reason: outcome.error });
      return d;
    }
    if (!pair.inDoubleFault) {
      d.inDoubleFault = true;
      d.history.push(doubleFaultRow(p.dbid, c));
      d.events.push({ kind: 'fts.double_fault', content: c, primary: p.dbid, mirror: m.dbid });
    }
    return d;
  }
  const r = outcome.r;
  if (pair.inDoubleFault) {
    d.inDoubleFault = false;
    d.history.push({
      dbid: p.dbid,
      desc:
        pair.mirrorless || !m
          ? `FTS: content id ${c} dbid ${p.dbid} is now up`
          : `FTS: content id ${c} is out of double fault, dbid ${p.dbid} is up`,
    });
  }
  if (pair.mirrorless || !m) return d;
  if (r.isRoleMirror) {
    d.followUps.push({ kind: 'promote', dbid: p.dbid, content: c, failover: false });
    return d;
  }
  if (pair.fileRep) return decideFileRep(d, p, m, r);
  if (!r.isMirrorUp) {
    if (r.requestRetry) {
      d.events.push({ kind: 'fts.skip_mirror_down', content: c, dbid: m.dbid, reason: 'retryRequested' });
      return d;
    }
    if (p.mode !== 'n' || m.status !== 'd' || m.mode !== 'n') {
      d.changes.push({ ...p, mode: 'n' }, { ...m, status: 'd', mode: 'n' });
      d.history.push(updateRow(p.dbid, c, 'p', 'u', 'n'), updateRow(m.dbid, c, 'm', 'd', 'n'));
      d.events.push({ kind: 'fts.mirror_down', content: c, dbid: m.dbid });
    }
    if (r.isSyncRepEnabled) d.followUps.push({ kind: 'syncRepOff', dbid: p.dbid });
    return d;
  }
  const mode = r.isInSync ? 's' : 'n';
  const statusChanged = m.status !== 'u';
  const modeChanged = p.mode !== mode || m.mode !== mode;
  if (modeChanged) {
    d.changes.push({ ...p, mode }, { ...m, status: 'u', mode });
    d.history.push(updateRow(p.dbid, c, 'p', 'u', mode), updateRow(m.dbid, c, 'm', 'u', mode));
  } else if (statusChanged) {
    d.changes.push({ ...m, status: 'u' });
    d.history.push(updateRow(m.dbid, c, 'm', 'u', mode));
  }
  if (modeChanged || statusChanged)
    d.events.push({ kind: 'fts.mirror_up', content: c, dbid: m.dbid, mode, wasDown: statusChanged });
  return d;
}

/** A probed primary in file replication: its data state decides the pair's rows. */
function decideFileRep(d: PairDecision, p: SegmentConfig, m: SegmentConfig, r: ProbeResponse): PairDecision {
  const c = p.content;
  const state = r.fileRep;
  if (!state) return d;
  const set = (
    pMode: SegmentConfig['mode'],
    mStatus: SegmentConfig['status'],
    mMode: SegmentConfig['mode'],
  ) => {
    if (p.mode === pMode && m.status === mStatus && m.mode === mMode) return false;
    d.changes.push({ ...p, mode: pMode }, { ...m, status: mStatus, mode: mMode });
    d.history.push(updateRow(p.dbid, c, 'p', 'u', pMode), updateRow(m.dbid, c, 'm', mStatus, mMode));
    return true;
  };
  if (state.faulted || state.mode === 'c') {
    // The mirror is lost: it stays (d, s), or (d, r) when it failed resynchronizing.
    if (set('c', 'd', m.mode === 'r' ? 'r' : 's'))
      d.events.push({ kind: 'fts.mirror_down', content: c, dbid: m.dbid });
    if (state.faulted) d.followUps.push({ kind: 'syncRepOff', dbid: p.dbid });
    return d;
  }
  const wasDown = m.status !== 'u';
  if (set(state.mode, 'u', state.mode))
    d.events.push({ kind: 'fts.mirror_up', content: c, dbid: m.dbid, mode: state.mode, wasDown });
  return d;
}

export function doubleFaultRow(dbid: number, content: number): { dbid: number; desc: string } {
  return { dbid, desc: `FTS: double fault detected for content id ${content}` };
}

function updateRow(dbid: number, content: number, role: string, status: string, mode: string) {
  return {
    dbid,
    desc: `FTS: update role, status, and mode for dbid ${dbid} with contentid ${content} to ${role}, ${status}, and ${mode}`,
  };
}
