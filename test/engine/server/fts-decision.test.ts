/**
 * FTS's decision for a pair, as a table (server/fts-decision.ts), row for row against the
 * cases of Greenplum's ftsprobe.c processResponse(): a probe that failed or answered, the pair's
 * catalog rows, and what FTS writes, announces and sends.
 */
import { describe, expect, it } from 'vitest';
import type { SegmentConfig } from '../../../src/engine/catalog/catalog.ts';
import { decidePair, type ProbeOutcome } from '../../../src/engine/server/fts-decision.ts';
import type { ProbeResponse } from '../../../src/engine/replication/protocol.ts';

type Row = `${'p' | 'm'}${'u' | 'd'}${'s' | 'n' | 'c' | 'r'}`;

function seg(dbid: number, row: Row): SegmentConfig {
  return {
    dbid,
    content: 0,
    role: row[0] as 'p' | 'm',
    preferred_role: dbid === 2 ? 'p' : 'm',
    status: row[1] as 'u' | 'd',
    mode: row[2] as SegmentConfig['mode'],
    port: 6000 + dbid,
    hostname: 'sdw1',
    address: 'sdw1',
    datadir: `/data/${dbid}`,
  };
}

const failed: ProbeOutcome = { ok: false, error: 'timeout' };
function answered(r: Partial<ProbeResponse>): ProbeOutcome {
  return {
    ok: true,
    r: {
      isMirrorUp: true,
      isInSync: true,
      isSyncRepEnabled: true,
      isRoleMirror: false,
      requestRetry: false,
      ...r,
    },
  };
}

/** A decision in short: the rows written as dbid:role+status+mode, the events, what is sent. */
function summary(d: ReturnType<typeof decidePair>) {
  return {
    rows: d.changes.map((c) => `${c.dbid}:${c.role}${c.status}${c.mode}`),
    history: d.history.length,
    events: d.events.map((e) => e.kind),
    send: d.followUps.map((f) => `${f.kind} ${f.dbid}`),
    doubleFault: d.inDoubleFault,
  };
}

const WAL = { mirrorless: false, fileRep: false };

describe('FTS decision (WAL replication)', () => {
  it.each([
    // primary row, mirror row, was in double fault, probe outcome -> decision
    {
      case: 'probe failed, pair in sync: failover, rows first, then PROMOTE',
      p: 'pus',
      m: 'mus',
      df: false,
      o: failed,
      want: {
        rows: ['2:mdn', '3:pun'],
        history: 2,
        events: ['fts.failover'],
        send: ['promote 3'],
        doubleFault: false,
      },
    },
    {
      case: 'probe failed, mirror not in sync: double fault, recorded once',
      p: 'pun',
      m: 'mun',
      df: false,
      o: failed,
      want: { rows: [], history: 1, events: ['fts.double_fault'], send: [], doubleFault: true },
    },
    {
      case: 'probe failed, mirror down: double fault',
      p: 'pun',
      m: 'mdn',
      df: false,
      o: failed,
      want: { rows: [], history: 1, events: ['fts.double_fault'], send: [], doubleFault: true },
    },
    {
      case: 'probe failed again in double fault: nothing more',
      p: 'pun',
      m: 'mdn',
      df: true,
      o: failed,
      want: { rows: [], history: 0, events: [], send: [], doubleFault: true },
    },
    {
      case: 'answered after a double fault: out of it, one history row',
      p: 'pun',
      m: 'mdn',
      df: true,
      o: answered({ isMirrorUp: false, isSyncRepEnabled: false }),
      want: { rows: [], history: 1, events: [], send: [], doubleFault: false },
    },
    {
      case: 'mirror down, sync rep on: mark it down, then SYNCREP_OFF',
      p: 'pus',
      m: 'mus',
      df: false,
      o: answered({ isMirrorUp: false, isInSync: false }),
      want: {
        rows: ['2:pun', '3:mdn'],
        history: 2,
        events: ['fts.mirror_down'],
        send: ['syncRepOff 2'],
        doubleFault: false,
      },
    },
    {
      case: 'mirror down within the grace period (retry requested): nothing yet',
      p: 'pus',
      m: 'mus',
      df: false,
      o: answered({ isMirrorUp: false, isInSync: false, requestRetry: true }),
      want: { rows: [], history: 0, events: ['fts.skip_mirror_down'], send: [], doubleFault: false },
    },
    {
      case: 'mirror already marked down, sync rep off: nothing',
      p: 'pun',
      m: 'mdn',
      df: false,
      o: answered({ isMirrorUp: false, isInSync: false, isSyncRepEnabled: false }),
      want: { rows: [], history: 0, events: [], send: [], doubleFault: false },
    },
    {
      case: 'mirror back, not yet in sync: up, not in sync',
      p: 'pun',
      m: 'mdn',
      df: false,
      o: answered({ isInSync: false, isSyncRepEnabled: false }),
      want: { rows: ['3:mun'], history: 1, events: ['fts.mirror_up'], send: [], doubleFault: false },
    },
    {
      case: 'mirror caught up: the pair in sync',
      p: 'pun',
      m: 'mun',
      df: false,
      o: answered({}),
      want: { rows: ['2:pus', '3:mus'], history: 2, events: ['fts.mirror_up'], send: [], doubleFault: false },
    },
    {
      case: 'healthy pair: nothing to write',
      p: 'pus',
      m: 'mus',
      df: false,
      o: answered({}),
      want: { rows: [], history: 0, events: [], send: [], doubleFault: false },
    },
    {
      case: 'the probed primary is still a mirror (a PROMOTE lost): PROMOTE again',
      p: 'pun',
      m: 'mdn',
      df: false,
      o: answered({ isRoleMirror: true, isMirrorUp: false, isInSync: false, isSyncRepEnabled: false }),
      want: { rows: [], history: 0, events: [], send: ['promote 2'], doubleFault: false },
    },
  ] as const)('$case', ({ p, m, df, o, want }) => {
    const d = decidePair({ ...WAL, primary: seg(2, p), mirror: seg(3, m), inDoubleFault: df }, o);
    expect(summary(d)).toEqual(want);
  });

  it("writes Greenplum's history texts", () => {
    const d = decidePair(
      { ...WAL, primary: seg(2, 'pus'), mirror: seg(3, 'mus'), inDoubleFault: false },
      failed,
    );
    expect(d.history.map((h) => h.desc)).toEqual([
      'FTS: update role, status, and mode for dbid 2 with contentid 0 to m, d, and n',
      'FTS: update role, status, and mode for dbid 3 with contentid 0 to p, u, and n',
    ]);
  });
});

describe('FTS decision (mirrorless)', () => {
  it.each([
    {
      case: 'down: one history row',
      df: false,
      o: failed,
      history: ['FTS: content id 0 dbid 2 is down'],
      after: true,
    },
    { case: 'still down: none', df: true, o: failed, history: [], after: true },
    {
      case: 'up again',
      df: true,
      o: answered({}),
      history: ['FTS: content id 0 dbid 2 is now up'],
      after: false,
    },
    { case: 'up: none', df: false, o: answered({}), history: [], after: false },
  ])('$case', ({ df, o, history, after }) => {
    const d = decidePair(
      { primary: seg(2, 'pun'), mirror: undefined, mirrorless: true, fileRep: false, inDoubleFault: df },
      o,
    );
    expect(d.history.map((h) => h.desc)).toEqual(history);
    expect(d.changes).toEqual([]);
    expect(d.inDoubleFault).toBe(after);
  });
});

describe('FTS decision (file replication, Greenplum 5 states)', () => {
  const FILEREP = { mirrorless: false, fileRep: true };
  it.each([
    {
      case: 'probe failed, in sync: the old primary m d s, the mirror p u c',
      p: 'pus',
      m: 'mus',
      o: failed,
      want: {
        rows: ['2:mds', '3:puc'],
        history: 2,
        events: ['fts.failover'],
        send: ['promote 3'],
        doubleFault: false,
      },
    },
    {
      case: 'primary reports its mirror faulted: change tracking, then SYNCREP_OFF',
      p: 'pus',
      m: 'mus',
      o: answered({ fileRep: { mode: 's', faulted: true } }),
      want: {
        rows: ['2:puc', '3:mds'],
        history: 2,
        events: ['fts.mirror_down'],
        send: ['syncRepOff 2'],
        doubleFault: false,
      },
    },
    {
      case: 'mirror lost while resynchronizing: it stays r',
      p: 'pur',
      m: 'mur',
      o: answered({ fileRep: { mode: 'c', faulted: false } }),
      want: {
        rows: ['2:puc', '3:mdr'],
        history: 2,
        events: ['fts.mirror_down'],
        send: [],
        doubleFault: false,
      },
    },
    {
      case: 'resynchronizing: both r',
      p: 'puc',
      m: 'mds',
      o: answered({ fileRep: { mode: 'r', faulted: false } }),
      want: { rows: ['2:pur', '3:mur'], history: 2, events: ['fts.mirror_up'], send: [], doubleFault: false },
    },
    {
      case: 'resynchronized: both s',
      p: 'pur',
      m: 'mur',
      o: answered({ fileRep: { mode: 's', faulted: false } }),
      want: { rows: ['2:pus', '3:mus'], history: 2, events: ['fts.mirror_up'], send: [], doubleFault: false },
    },
  ] as const)('$case', ({ p, m, o, want }) => {
    const d = decidePair({ ...FILEREP, primary: seg(2, p), mirror: seg(3, m), inDoubleFault: false }, o);
    expect(summary(d)).toEqual(want);
  });
});
