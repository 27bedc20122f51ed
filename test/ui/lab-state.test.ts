/**
 * The lab's derived state as tables: the event log's ranking, folding and retention, the
 * announcer's summaries, the cluster-level Database State, and small parsers.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventLog, eventSeverity, formatFields, severityOf } from '../../src/ui/state/event-log.ts';
import { Announcer, summarizeNews } from '../../src/ui/state/announcer.ts';
import { inAbout, settingMs, summarize } from '../../src/ui/state/cluster-health.ts';
import { timestampMs } from '../../src/ui/state/sync-waits.ts';
import { parseView } from '../../src/ui/lab/lab-panels.ts';
import { rovingTarget, spatialTarget, type Box } from '../../src/ui/shared/roving.ts';
import { HealthSeries } from '../../src/ui/state/health-series.ts';
import { faultLabel } from '../../src/ui/charts/fault-label.ts';
import { formatRate, linkGap, rateLabelFits } from '../../src/ui/topology/links.ts';
import type { LabEvent, ProcState, SegmentRow } from '../../src/ui/state/types.ts';
import {
  recoveryStep,
  settledByCatalog,
  type PhaseEvent,
  type RecoveryPhase,
} from '../../src/ui/state/recovery-phase.ts';

/**
 * gp_segment_configuration as rows of `dbid content role preferred_role mode status host`: the
 * default cluster (coordinator, standby, 4 primaries, group mirrors on sdw1 and sdw2).
 */
const CLUSTER: SegmentRow[] = `
  1 -1 p p n u cdw
  10 -1 m m n u scdw
  2 0 p p s u sdw1
  3 1 p p s u sdw1
  4 2 p p s u sdw2
  5 3 p p s u sdw2
  6 0 m m s u sdw2
  7 1 m m s u sdw2
  8 2 m m s u sdw1
  9 3 m m s u sdw1`
  .trim()
  .split('\n')
  .map((line) => {
    const [dbid, content, role, preferredRole, mode, status, hostname] = line.trim().split(/\s+/) as string[];
    return {
      dbid: Number(dbid),
      content: Number(content),
      role: role!,
      preferredRole: preferredRole!,
      mode: mode!,
      status: status!,
      port: 6000,
      hostname: hostname!,
      address: hostname!,
      datadir: '/data',
    };
  });

describe('EventLog', () => {
  it('ranks event kinds by severity', () => {
    expect(
      [
        'fts.failover',
        'instance.crash',
        'fts.mirror_down',
        'instance.up',
        'walsender.unreachable',
        'fts.cycle',
        'link.timeout',
      ].map(severityOf),
    ).toEqual(['critical', 'critical', 'warning', 'info', 'debug', 'debug', 'warning']);
  });

  it('a recovery is a warning only when it is crash recovery', () => {
    const start = (clean: boolean, standby: boolean) =>
      eventSeverity({ kind: 'recovery.start', redo: '0/100', clean, standby });
    expect([start(false, false), start(true, false), start(false, true), start(true, true)]).toEqual([
      'warning',
      'info',
      'info',
      'info',
    ]);
    expect(eventSeverity({ kind: 'instance.crash', dbid: 2 })).toBe('critical');
  });

  it('writes a nested record as its fields and a list as a list, not as JSON', () => {
    const f = formatFields({
      kind: 'instance.up',
      dbid: 2,
      role: 'primary',
      recovery: { redoFrom: 6844, wasCleanShutdown: false, skipped: undefined },
      unreachable: [0, 3],
    });
    expect(f.text).toBe(
      'role=primary recovery.redoFrom=6844 recovery.wasCleanShutdown=false unreachable=[0,3]',
    );
  });

  it('folds a repeat wherever it comes (interleaved with others), keeping its first and last time', () => {
    const log = new EventLog();
    let seq = 0;
    const add = (kind: string, dbid: number, fields: Record<string, unknown>, at: number) => {
      const f = formatFields(fields);
      log.add({ seq: ++seq, at, kind, dbid, text: f.text }, f.key);
    };
    for (let i = 0; i < 37; i++) {
      add('walsender.unreachable', 2, { reason: 'could not connect' }, 1000 + i);
      if (i % 10 === 0) add('fts.cycle', 1, { cycle: i, changed: 0 }, 1000 + i);
    }
    const unreachable = log.events.filter((e) => e.kind === 'walsender.unreachable');
    expect(unreachable).toHaveLength(1);
    expect(unreachable[0]).toMatchObject({ count: 37, first: 1000, at: 1036 });
    // FTS cycles differ only in their cycle number: one entry too.
    expect(log.events.filter((e) => e.kind === 'fts.cycle')).toMatchObject([
      { count: 4, text: 'cycle=30 changed=0' },
    ]);
  });

  it('keeps every failover however long the noise lasts', () => {
    const log = new EventLog();
    let seq = 0;
    log.add({ seq: ++seq, at: 0, kind: 'fts.failover', dbid: 1, text: 'content=0 from=2 to=6' }, 'content=0');
    log.add({ seq: ++seq, at: 0, kind: 'instance.promoted', dbid: 6, text: 'timeline=2' }, 'timeline=2');
    // Ten thousand routine events that do not fold (different fields each time).
    for (let i = 0; i < 10_000; i++)
      log.add({ seq: ++seq, at: i, kind: 'checkpoint', dbid: 2 + (i % 4), text: `redo=${i}` }, `lsn=${i}`);
    expect(log.events.some((e) => e.kind === 'fts.failover')).toBe(true);
    expect(log.events.some((e) => e.kind === 'instance.promoted')).toBe(true);
    expect(log.events.filter((e) => e.severity === 'debug').length).toBeLessThanOrEqual(120);
  });

  it('rewrites an action entry with its outcome', () => {
    const log = new EventLog();
    log.add({ seq: 7, at: 0, kind: 'action.utility', text: 'gpstate -e', severity: 'info' });
    log.update(7, { text: 'gpstate -e → ok', severity: 'warning' });
    expect(log.events[0]).toMatchObject({ text: 'gpstate -e → ok', severity: 'warning' });
  });
});

describe('Announcer', () => {
  afterEach(() => vi.useRealTimers());

  it('says a burst of news once, as a summary, politely late', () => {
    vi.useFakeTimers();
    let spoken = 0;
    const a = new Announcer(() => spoken++);
    a.say('Instance dbid 2 on sdw1 crashed.', 0);
    a.say('Instance dbid 3 on sdw1 crashed.', 100);
    a.say('Instance dbid 2 on sdw1 crashed.', 150);
    a.say('FTS failover on content 0.', 200);
    expect(spoken).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(spoken).toBe(1);
    expect(a.current).toBe(
      '3 updates: Instance dbid 2 on sdw1 crashed. Instance dbid 3 on sdw1 crashed. FTS failover on content 0.',
    );
    // It goes stale: after 20 s it leaves the screen (the timeline keeps it), unless news came.
    vi.advanceTimersByTime(18_000);
    a.say('Instance dbid 2 on sdw1 is up again.', 19_000);
    vi.advanceTimersByTime(1_000);
    expect(a.current).toBe('Instance dbid 2 on sdw1 is up again.');
    vi.advanceTimersByTime(19_000);
    expect(a.current).toBe('Instance dbid 2 on sdw1 is up again.');
    vi.advanceTimersByTime(1_000);
    expect(a.current).toBe('');
    expect(spoken).toBe(3);
  });

  it('counts what does not fit', () => {
    expect(summarizeNews(['a', 'b', 'c', 'd', 'e'])).toBe(
      '5 updates: a. b. c. And 2 more in the event timeline.',
    );
    expect(summarizeNews(['only one'])).toBe('only one');
  });
});

describe('summarize (Database State)', () => {
  const none = new Map<number, ProcState>();
  it('Normal, with the acting primaries per host', () => {
    const s = summarize(CLUSTER, none, true);
    expect(s.states).toEqual(['Normal']);
    expect([...s.actingPrimaries]).toEqual([
      ['sdw1', 2],
      ['sdw2', 2],
    ]);
    expect(s.mirrorsActingAsPrimary).toEqual([]);
  });

  it('a crashed mirror FTS has not marked yet leaves the catalog state (as gpstate), listed as unmarked', () => {
    const s = summarize(CLUSTER, new Map([[6, 'down']]), true);
    expect(s.states).toEqual(['Normal']);
    expect(s.downUnmarked.map((r) => r.dbid)).toEqual([6]);
    const marked = CLUSTER.map((r) => (r.dbid === 6 ? { ...r, status: 'd' } : r));
    expect(summarize(marked, new Map([[6, 'down']]), true).state).toBe('Segment(s) Down');
    expect(summarize(marked, none, true).state).toBe('Segment(s) Down');
  });

  it('after a failover: down, unbalanced, one mirror acting as primary, sdw2 carrying three', () => {
    const rows = CLUSTER.map((r) =>
      r.dbid === 2
        ? { ...r, role: 'm', status: 'd', mode: 'n' }
        : r.dbid === 6
          ? { ...r, role: 'p', mode: 'n' }
          : r,
    );
    const s = summarize(rows, new Map([[2, 'down']]), true);
    expect(s.states).toEqual(['Segment(s) Down', 'Unbalanced']);
    expect(s.mirrorsActingAsPrimary.map((r) => r.dbid)).toEqual([6]);
    expect(s.actingPrimaries.get('sdw1')).toBe(1);
    expect(s.actingPrimaries.get('sdw2')).toBe(3);
  });

  it('a recovered mirror catching up is Resyncing; an unreachable coordinator wins', () => {
    const rows = CLUSTER.map((r) => (r.content === 0 ? { ...r, mode: 'n' } : r));
    expect(summarize(rows, none, true).state).toBe('Resyncing');
    expect(summarize(rows, none, false).states).toEqual(['Database Unreachable', 'Resyncing']);
  });
});

describe('recoveryStep (a gprecoverseg target after its copy)', () => {
  const at = (p: RecoveryPhase) => new Map<number, RecoveryPhase>([[6, p]]);
  const none = new Map<number, RecoveryPhase>();
  const cases: [string, Map<number, RecoveryPhase>, PhaseEvent, [number, string][]][] = [
    ['the copy ends: its instance starts', none, { kind: 'recovery.bytes', dbid: 6 }, [[6, 'starting']]],
    ['its recovery begins', at('starting'), { kind: 'recovery.start', dbid: 6 }, [[6, 'replaying']]],
    ['an instance not recovered by a utility', none, { kind: 'recovery.start', dbid: 6 }, []],
    [
      'a mirror running waits for its primary',
      at('replaying'),
      { kind: 'instance.up', dbid: 6, role: 'mirror' },
      [[6, 'connecting']],
    ],
    [
      'anything else is done once it runs',
      at('starting'),
      { kind: 'instance.up', dbid: 6, role: 'primary' },
      [[6, 'up']],
    ],
    [
      'its primary (dbid 2) connects',
      at('connecting'),
      { kind: 'walsender.connected', dbid: 2 },
      [[6, 'streaming']],
    ],
    ['another primary connects', at('connecting'), { kind: 'walsender.connected', dbid: 3 }, []],
    ['it crashes while starting', at('replaying'), { kind: 'instance.crash', dbid: 6 }, [[6, 'down']]],
    ['the run ends before it started', at('starting'), { kind: 'utility.done' }, [[6, 'down']]],
    ['the run ends while it waits for streaming', at('connecting'), { kind: 'utility.done' }, []],
    ['a planned stop is not an end', at('starting'), { kind: 'instance.stopped', dbid: 6 }, []],
  ];
  it.each(cases)('%s', (_what, phases, e, want) => {
    expect(recoveryStep(phases, e, CLUSTER)).toEqual(want);
  });

  it('ends when the catalog shows a running target up (FTS saw its primary stream to it)', () => {
    const down = CLUSTER.map((r) => (r.dbid === 6 ? { ...r, status: 'd' } : r));
    expect(settledByCatalog(at('streaming'), down)).toEqual([]);
    expect(settledByCatalog(at('streaming'), CLUSTER)).toEqual([6]);
    expect(settledByCatalog(at('connecting'), CLUSTER)).toEqual([6]);
    expect(settledByCatalog(at('starting'), CLUSTER)).toEqual([]);
  });

  it('a planned stop is its own kind, not a crash', () => {
    expect(severityOf('instance.stopped')).toBe('info');
    expect(severityOf('instance.crash')).toBe('critical');
  });
});

describe('faultLabel (a chart fault band, in words)', () => {
  const ev = (kind: string, first: number, dbid?: number, text = ''): LabEvent => ({
    seq: first,
    at: first,
    first,
    kind,
    text,
    severity: severityOf(kind),
    count: 1,
    ...(dbid !== undefined ? { dbid } : {}),
  });
  const host = (d: number) => CLUSTER.find((r) => r.dbid === d)?.hostname;
  const on = (h: string) => CLUSTER.filter((r) => r.hostname === h).length;
  it.each([
    ['one crash', [ev('instance.crash', 100, 2)], 'dbid 2 crashed'],
    [
      'every instance of a host',
      [2, 3, 8, 9].map((d) => ev('instance.crash', 100 + d, d)),
      'host sdw1 crashed',
    ],
    ['some instances', [ev('instance.crash', 100, 2), ev('instance.crash', 101, 6)], '2 instances crashed'],
    ['a failover', [ev('fts.failover', 100, 1)], 'FTS failover'],
    [
      'an action of the person',
      [ev('action.fault', 100, undefined, "cluster.faults.delay('sdw1', 200) → ok")],
      "cluster.faults.delay('sdw1', 200)",
    ],
    ['nothing near', [ev('instance.crash', 10_000, 2)], 'fault'],
  ] as [string, LabEvent[], string][])('%s', (_what, events, want) => {
    expect(faultLabel(events, 0, host, on)).toBe(want);
  });
});

describe('WAL rate labels on the topology links', () => {
  const rect = (left: number, top: number, width: number, height: number) =>
    ({ left, top, width, height, right: left + width, bottom: top + height }) as DOMRect;
  it('a label is drawn only where the gap between the cards holds it', () => {
    // Two columns of cards 22 px apart (the lab at 1280 px): "5.3 kB/s" would be crushed.
    const gap = linkGap(rect(0, 0, 240, 110), rect(262, 0, 240, 110));
    expect(gap).toBe(22);
    expect(rateLabelFits(formatRate(5400), gap)).toBe(false);
    expect(rateLabelFits(formatRate(5400), 80)).toBe(true);
    // One card above the other: the vertical space counts.
    expect(linkGap(rect(0, 0, 150, 120), rect(0, 160, 150, 120))).toBe(40);
    expect(rateLabelFits(formatRate(563), 40)).toBe(false);
    expect([formatRate(563), formatRate(5400), formatRate(3 * 1024 * 1024)]).toEqual([
      '563 B/s',
      '5.3 kB/s',
      '3.0 MB/s',
    ]);
  });
});

describe('small parsers', () => {
  it('settings, durations, timestamps', () => {
    expect(['1min', '60s', '60', '500ms', '1h', 'x'].map(settingMs)).toEqual([
      60_000,
      60_000,
      60_000,
      500,
      3_600_000,
      undefined,
    ]);
    expect([100, 1500, 12_300].map(inAbout)).toEqual(['any moment now', 'in about 1.5 s', 'in about 12 s']);
    expect(timestampMs('2026-12-03 23:39:53.039+00')).toBe(Date.UTC(2026, 11, 3, 23, 39, 53, 39));
    expect(timestampMs(null)).toBeUndefined();
  });

  it('view tokens: known ones in the author order; nothing known means the whole lab', () => {
    expect(parseView('topology console')).toEqual(['topology', 'console']);
    expect(parseView(' Console, topology  console header ')).toEqual(['console', 'topology', 'header']);
    expect(parseView('')).toBeUndefined();
    expect(parseView('nonsense')).toBeUndefined();
  });

  it('roving tabindex moves: arrows step, Home and End jump, other keys do nothing', () => {
    const items = ['a', 'b', 'c'];
    expect(
      ['ArrowRight', 'ArrowDown', 'ArrowLeft', 'ArrowUp', 'Home', 'End', 'Tab'].map((k) =>
        rovingTarget(k, items, 'b'),
      ),
    ).toEqual(['c', 'c', 'a', 'a', 'a', 'c', undefined]);
    expect(rovingTarget('ArrowRight', items, 'c')).toBe('c');
  });

  // The topology's cards: the coordinator column (cdw, scdw) beside two host columns of two cards.
  // In document order Down from cdw's card went to scdw's, but Right from it went there too, and
  // Right from the last card of sdw1 went to the first of sdw2 (up a row). Now arrows go by sight.
  it('spatial moves: an arrow goes to the nearest card drawn that way, keeping to its row or column', () => {
    const card = (col: number, row: number): Box => ({
      left: col * 200,
      top: row * 100,
      width: 150,
      height: 80,
    });
    const boxes = [card(0, 0), card(0, 1), card(1, 0), card(1, 1), card(2, 0), card(2, 1)];
    const names = ['cdw', 'scdw', 'sdw1a', 'sdw1b', 'sdw2a', 'sdw2b'];
    const move = (key: string, from: string) => {
      const i = spatialTarget(key, boxes, names.indexOf(from));
      return i === undefined ? undefined : names[i];
    };
    const cases: [string, string, string | undefined][] = [
      ['ArrowRight', 'cdw', 'sdw1a'],
      ['ArrowDown', 'cdw', 'scdw'],
      ['ArrowRight', 'sdw1b', 'sdw2b'],
      ['ArrowLeft', 'sdw2b', 'sdw1b'],
      ['ArrowUp', 'sdw2b', 'sdw2a'],
      ['ArrowLeft', 'sdw1a', 'cdw'],
      // Nothing that way: no move.
      ['ArrowUp', 'cdw', undefined],
      ['ArrowRight', 'sdw2a', undefined],
      ['Home', 'sdw2a', undefined],
    ];
    for (const [key, from, to] of cases) expect(move(key, from), `${key} from ${from}`).toBe(to);
    // Slightly higher but far to the side is not "up"; slightly to the left but far above is not
    // "left" (the site walk found both at 1440 and 390 px).
    const skewed = [card(0, 0), { ...card(2, 0), top: -4 }, { ...card(0, 3), left: -2 }];
    expect(spatialTarget('ArrowUp', skewed, 0)).toBeUndefined();
    expect(spatialTarget('ArrowLeft', skewed, 0)).toBeUndefined();
    expect(spatialTarget('ArrowRight', skewed, 0)).toBe(1);
    expect(spatialTarget('ArrowDown', skewed, 0)).toBe(2);
    // A column whose cards sit lower: Right still lands on the nearest row, not the column's first.
    const offset = [card(0, 0), card(0, 1), { ...card(1, 1), top: 130 }, { ...card(1, 2), top: 230 }];
    expect(spatialTarget('ArrowRight', offset, 1)).toBe(2);
  });

  it('fault bands: the periods a fault was in force within a range', () => {
    const h = new HealthSeries();
    h.noteFault(true, 100);
    h.noteFault(false, 200);
    h.noteFault(true, 300);
    expect(h.faultBands(150, 400)).toEqual([
      [150, 200],
      [300, 400],
    ]);
    expect(h.faultBands(210, 290)).toEqual([]);
  });
});
