/**
 * The guided lessons, in order. Each step explains, offers actions that run the same functions
 * as the controls (so the same command lines show), and checks the state the cluster reached.
 */
import { CHECK_SQL } from '../workload/bank-workload.ts';
import { check, fails, historyHas, moneyConserved, readConfig } from './checks.ts';
import type { Lesson } from './lesson-types.ts';
import { HOST_FAILURE, RECOVERY, STANDBY } from './lessons-cluster.ts';
import { DOUBLE_FAULT, MIRROR_FAILURE, PRIMARY_FAILOVER } from './lessons-segments.ts';
import { FILE_REPLICATION } from './lessons-filerep.ts';
import { ROLLING_MAINTENANCE } from './lessons-maintenance.ts';
import { EXPAND } from './lessons-expand.ts';
import { SENT_FAILURE } from './lessons-runs.ts';

export { describeAction, actionStyle } from './lesson-types.ts';
export type { Lesson, LessonStep, StepAction } from './lesson-types.ts';

const NO_MIRRORS: Lesson = {
  id: 'segment-crash',
  title: 'A segment crashes without a mirror',
  summary: 'Without a mirror, a crashed primary takes its share of the data away until it restarts.',
  steps: [
    {
      title: 'A cluster without mirrors',
      text: ["Build a cluster with `mirroring: 'none'`: each content has a single copy, its primary."],
      actions: [
        { kind: 'rebuild', shape: { hosts: 'sdw1,sdw2', mirroring: 'none' }, label: 'Build: no mirrors' },
      ],
      check: check('no mirror rows in gp_segment_configuration', async (ctx) => {
        const rows = await readConfig(ctx);
        const mirrors = rows.filter((r) => r.content >= 0 && r.role === 'm').length;
        const down = rows.filter((r) => r.status !== 'u').length;
        return { ok: mirrors === 0 && down === 0, seen: `${mirrors} mirrors, ${down} instances down` };
      }),
      checkOnOpen: true,
    },
    {
      title: 'Crash the primary of content 0',
      text: [
        'dbid 2 dies: memory lost, disk kept. Every transfer touching content 0 fails, and so does any query that needs all segments.',
      ],
      actions: [
        { kind: 'crash', target: 2, label: 'Crash dbid 2', danger: true },
        { kind: 'sql', sql: 'select count(*) from bank', label: 'Query the bank' },
      ],
      check: fails('select count(*) from bank fails', 'select count(*) from bank'),
    },
    {
      title: 'FTS has nothing to promote',
      text: [
        'FTS probes dbid 2 and finds it down, but with no mirror it can only record it: gp_segment_configuration keeps status u, gp_configuration_history says the content is down.',
      ],
      actions: [{ kind: 'sql', sql: 'select * from gp_configuration_history', label: 'Read the history' }],
      check: check('gp_configuration_history: "FTS: content id 0 dbid 2 is down"', async (ctx) => {
        const ok = await historyHas(ctx, 'content id 0 dbid 2 is down');
        return { ok, seen: ok ? 'recorded' : 'not recorded yet' };
      }),
      checkOnOpen: true,
    },
    {
      title: 'Restart it',
      text: [
        "Crash recovery replays dbid 2's WAL from its last checkpoint: every committed transfer survives, and no money was created or lost.",
      ],
      actions: [
        { kind: 'restart', target: 2, label: 'Restart dbid 2' },
        { kind: 'sql', sql: CHECK_SQL, label: 'Count the money' },
      ],
      check: moneyConserved(),
    },
  ],
};

const CRASH_DEMO: Lesson = {
  id: 'crash-recovery',
  title: 'Crash recovery in a real Worker',
  summary:
    'One instance in a Web Worker on IndexedDB is killed mid-work and recovers every acknowledged commit.',
  demo: true,
  steps: [],
};

export const LESSONS: Lesson[] = [
  PRIMARY_FAILOVER,
  MIRROR_FAILURE,
  HOST_FAILURE,
  RECOVERY,
  STANDBY,
  DOUBLE_FAULT,
  ROLLING_MAINTENANCE,
  EXPAND,
  FILE_REPLICATION,
  NO_MIRRORS,
  SENT_FAILURE,
  CRASH_DEMO,
];
