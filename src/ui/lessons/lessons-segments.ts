/**
 * Lessons on one content's pair: a primary fails and FTS promotes its mirror; a mirror fails
 * and commits block until FTS marks it down; both fail (a double fault).
 */
import { CHECK_SQL } from '../workload/bank-workload.ts';
import {
  allOf,
  check,
  fails,
  healthy,
  historyHas,
  moneyConserved,
  readConfig,
  rowText,
  rowsAre,
  stalledSeconds,
} from './checks.ts';
import type { Lesson, LessonStep, StepAction } from './lesson-types.ts';

export const FRESH: StepAction = {
  kind: 'rebuild',
  shape: { hosts: 'sdw1,sdw2', mirroring: 'group' },
  label: 'Start a fresh cluster',
};

/**
 * The instances of FRESH's cluster, which the lessons name by dbid: primaries 2-5 (contents
 * 0-3, two per host), and the mirror of content c, dbid 6 + c, on the other host.
 */
export const FRESH_LAYOUT = rowsAre(
  "the lessons' layout: primaries dbid 2, 3 on sdw1 and 4, 5 on sdw2; their mirrors dbid 6, 7 on sdw2 and 8, 9 on sdw1",
  {
    2: { preferred_role: 'p', hostname: 'sdw1' },
    3: { preferred_role: 'p', hostname: 'sdw1' },
    4: { preferred_role: 'p', hostname: 'sdw2' },
    5: { preferred_role: 'p', hostname: 'sdw2' },
    6: { preferred_role: 'm', hostname: 'sdw2' },
    7: { preferred_role: 'm', hostname: 'sdw2' },
    8: { preferred_role: 'm', hostname: 'sdw1' },
    9: { preferred_role: 'm', hostname: 'sdw1' },
  },
);

/** The first step of every mirrored lesson: a healthy cluster to break, laid out as the text says. */
export function baseline(text: string): LessonStep {
  return {
    title: 'A healthy, mirrored cluster',
    text: [
      text,
      'If the check below does not pass (an earlier lesson left something broken, or the cluster has another layout), start a fresh cluster.',
    ],
    actions: [FRESH],
    check: allOf("a healthy cluster in the lessons' layout", healthy({ hosts: 2 }), FRESH_LAYOUT),
    checkOnOpen: true,
  };
}

export const FAILED_OVER = rowsAre(
  'FTS marked dbid 2 down and promoted its mirror: dbid 2 role=m status=d; dbid 6 role=p status=u mode=n',
  { 2: { role: 'm', status: 'd' }, 6: { role: 'p', status: 'u', mode: 'n' } },
);

export const PRIMARY_FAILOVER: Lesson = {
  id: 'primary-failover',
  title: '1. A primary fails: FTS promotes its mirror',
  summary:
    'A primary segment dies; the fault tolerance server (FTS) on the coordinator notices and promotes its mirror.',
  needs: 'mirroring',
  steps: [
    baseline(
      'Each primary segment streams its WAL to a mirror on another host (group mirroring: the mirrors of sdw1 live on sdw2). A commit waits until the mirror has the WAL (synchronous replication), so the mirror has every committed transaction.',
    ),
    {
      title: 'Crash the primary of content 0',
      text: [
        'The primary of content 0 (dbid 2 on sdw1) dies: its memory is lost, its disk is kept. Transfers that touch content 0 fail.',
        'FTS probes every primary each `gp_fts_probe_interval` (60 s in Greenplum, 2 s here). The probe of dbid 2 fails, FTS retries (`gp_fts_probe_retries`), then fails over: it marks dbid 2 down and promotes dbid 6.',
      ],
      actions: [{ kind: 'crash', target: 2, label: 'Crash dbid 2', danger: true }],
      check: FAILED_OVER,
      point: [2, 6],
    },
    {
      title: 'What FTS recorded',
      text: [
        'The promoted mirror is now the acting primary of content 0. Its mode is n (not in sync): it has no mirror while dbid 2 is down. Its preferred_role stays m, so the cluster knows the roles are switched.',
        'Every change FTS makes to gp_segment_configuration is written to gp_configuration_history.',
      ],
      actions: [
        { kind: 'sql', sql: 'select * from gp_configuration_history', label: 'Read the history' },
        { kind: 'utility', command: 'gpstate -m', label: 'Show mirrors' },
      ],
      check: check(
        'gp_configuration_history records dbid 6 becoming the primary of content 0',
        async (ctx) => {
          const ok = await historyHas(ctx, 'for dbid 6 with contentid 0 to p, u, and n');
          return {
            ok,
            seen: ok
              ? 'FTS: update role, status, and mode for dbid 6 with contentid 0 to p, u, and n'
              : 'no such row yet',
          };
        },
      ),
      checkOnOpen: true,
      point: [6],
    },
    {
      title: 'The clients carry on',
      text: [
        'A transaction that was running on dbid 2 at the crash was rolled back, and its client got an error and retried: the workload panel counts those errors (often none, since a transfer takes only milliseconds). New transactions reach content 0 on dbid 6, and no committed transfer was lost: the money still adds up.',
      ],
      actions: [{ kind: 'sql', sql: CHECK_SQL, label: 'Count the money' }],
      check: moneyConserved(),
      checkOnOpen: true,
    },
    {
      title: 'Running without a mirror',
      text: [
        'Content 0 now has a single copy: another failure there would make its data unavailable. `gpstate -e` lists the problem; the recommended actions suggest `gprecoverseg -a` (lesson 4 carries on from here).',
      ],
      actions: [{ kind: 'utility', command: 'gpstate -e', label: 'Show segments with problems' }],
      check: rowsAre('dbid 2 is still down (status=d): content 0 has no mirror until it is recovered', {
        2: { status: 'd' },
      }),
      checkOnOpen: true,
      point: [2],
    },
  ],
};

const HOLD_FTS = { kind: 'suspend', point: 'fts_probe', dbid: 1 } as const;

export const MIRROR_FAILURE: Lesson = {
  id: 'mirror-failure',
  title: '2. A mirror fails: commits wait for FTS',
  summary:
    'A mirror dies; commits on its content wait for it until FTS marks it down and the primary turns synchronous replication off.',
  needs: 'mirroring',
  steps: [
    baseline(
      'The bank workload must be running (workload panel): its transfers are the commits we will watch. Each commit on a primary waits until its mirror has flushed the WAL.',
    ),
    {
      title: 'Hold FTS',
      text: [
        "FTS would notice a dead mirror within one probe interval. To see the window before it does, hold its probes, as `gp_inject_fault` with the `fts_probe` fault point does in Greenplum's tests.",
      ],
      actions: [{ ...HOLD_FTS, label: 'Hold FTS probes' }],
      check: check('the fts_probe fault point is held', async (ctx) => {
        const held = ctx.store?.holds.has('fts_probe@1') ?? false;
        return { ok: held, seen: held ? 'FTS probes are held' : 'FTS probes run' };
      }),
    },
    {
      title: 'Crash the mirror of content 0',
      text: [
        'dbid 6 (the mirror of content 0, on sdw2) dies. The primary dbid 2 keeps working, but each commit on content 0 waits for the mirror to confirm its WAL, and nothing tells it to stop waiting.',
        "Transfers touching content 0 hang (no error: a wait). Soon every client session is stuck on one. The catalog still says dbid 6 is up and synchronized, but dbid 2's card shows the commits it holds (◷ not acknowledging), read from `pg_stat_activity` on dbid 2, where they wait with `wait_event` SyncRep.",
      ],
      actions: [
        { kind: 'crash', target: 6, label: 'Crash dbid 6', danger: true },
        {
          kind: 'sql',
          dbid: 2,
          sql: "select pid, state, wait_event_type, wait_event, query_start, query from pg_stat_activity where wait_event = 'SyncRep'",
          label: 'See the waiting sessions',
        },
      ],
      check: check(
        'a transfer has waited more than 2 s while the catalog still says dbid 6 status=u mode=s',
        async (ctx) => {
          if (!ctx.workload?.running)
            return { ok: false, seen: 'the workload is stopped: start it in the workload panel' };
          const r = (await readConfig(ctx)).find((x) => x.dbid === 6);
          const wait = stalledSeconds(ctx);
          return {
            ok: wait > 2 && r?.status === 'u' && r.mode === 's',
            seen: `oldest transfer waiting ${wait.toFixed(1)} s; ${r ? rowText(r) : 'no row for dbid 6'}`,
          };
        },
      ),
      point: [6, 2],
    },
    {
      title: 'Let FTS probe',
      text: [
        'FTS probes dbid 2, which answers that its mirror is gone. FTS marks dbid 6 down (status d), sets both to not in sync (mode n), and tells dbid 2 to turn synchronous replication off. The waiting commits complete and the workload flows again.',
      ],
      actions: [{ kind: 'release', point: 'fts_probe', dbid: 1, label: 'Release FTS' }],
      check: check(
        'dbid 6 status=d mode=n; dbid 2 role=p mode=n; no transfer waiting more than 2 s',
        async (ctx) => {
          const rows = await readConfig(ctx);
          const m = rows.find((x) => x.dbid === 6);
          const p = rows.find((x) => x.dbid === 2);
          const wait = stalledSeconds(ctx);
          return {
            ok: m?.status === 'd' && m.mode === 'n' && p?.role === 'p' && p.mode === 'n' && wait < 2,
            seen: `${m ? rowText(m) : '?'}; ${p ? rowText(p) : '?'}; oldest transfer waiting ${wait.toFixed(1)} s`,
          };
        },
      ),
      point: [6, 2],
    },
    {
      title: 'Recover the mirror',
      text: [
        "`gprecoverseg -a` restarts dbid 6 as a mirror and it catches up from dbid 2's WAL; when it has, FTS sets both to mode s and commits wait for it again.",
      ],
      actions: [{ kind: 'utility', command: 'gprecoverseg -a', label: 'Recover' }],
      check: rowsAre(
        'dbid 6 status=u mode=s; dbid 2 mode=s',
        { 6: { status: 'u', mode: 's' }, 2: { mode: 's' } },
        40_000,
      ),
      point: [6],
    },
  ],
};

export const DOUBLE_FAULT: Lesson = {
  id: 'double-fault',
  title: '6. Double fault: both copies of a content down',
  summary: 'The mirror fails, then its primary: nothing is left to promote, and content 0 is unavailable.',
  needs: 'mirroring',
  steps: [
    baseline('Every content has two copies; one may fail without losing data or availability.'),
    {
      title: 'Lose the mirror',
      text: [
        'dbid 6, the mirror of content 0, dies. FTS marks it down; dbid 2 carries on alone, not in sync.',
      ],
      actions: [{ kind: 'crash', target: 6, label: 'Crash dbid 6', danger: true }],
      check: rowsAre('dbid 6 status=d; dbid 2 mode=n', { 6: { status: 'd' }, 2: { role: 'p', mode: 'n' } }),
    },
    {
      title: 'Lose the primary too',
      text: [
        'Now dbid 2 dies. FTS cannot fail over: the mirror is down and may lack committed transactions. It leaves the catalog as it is (dbid 2 still p, u) and records a double fault in gp_configuration_history.',
        'Every query or transaction that needs content 0 fails until one of its instances returns.',
      ],
      actions: [
        { kind: 'crash', target: 2, label: 'Crash dbid 2', danger: true },
        { kind: 'sql', sql: 'select count(*) from bank', label: 'Query the bank' },
      ],
      check: check(
        'FTS recorded "double fault detected for content id 0" and select count(*) from bank fails',
        async (ctx) => {
          const df = await historyHas(ctx, 'double fault detected for content id 0');
          const q = await fails('', 'select count(*) from bank').test(ctx);
          return {
            ok: df && q.ok,
            seen: `${df ? 'double fault recorded' : 'no double fault recorded yet'}; ${q.seen}`,
          };
        },
      ),
    },
    {
      title: 'Bring the primary back',
      text: [
        'Restart dbid 2: crash recovery replays its WAL and content 0 is available again with every committed transaction. Restart the primary, not the mirror: the mirror stopped receiving WAL when it was marked down.',
      ],
      actions: [{ kind: 'restart', target: 2, label: 'Restart dbid 2' }],
      check: moneyConserved(),
    },
    {
      title: 'Recover the mirror',
      text: ['With the primary up, `gprecoverseg -a` brings dbid 6 back as its mirror.'],
      actions: [{ kind: 'utility', command: 'gprecoverseg -a', label: 'Recover' }],
      check: rowsAre(
        'dbid 6 status=u mode=s; dbid 2 mode=s',
        { 6: { status: 'u', mode: 's' }, 2: { mode: 's' } },
        40_000,
      ),
    },
  ],
};
