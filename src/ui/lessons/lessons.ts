/**
 * The guided lessons: steps a learner follows, each with an optional action the lab can run
 * for them (the same actions as the controls, so the same command lines show).
 */
import { CHECK_SQL } from '../workload/bank-workload.ts';
import type { Features } from '../state/types.ts';

export type StepAction =
  | { kind: 'crash' | 'restart'; target: number | string }
  | { kind: 'sql'; sql: string }
  | { kind: 'utility'; command: string };

export interface LessonStep {
  text: string;
  action?: StepAction;
}

export interface Lesson {
  id: string;
  title: string;
  summary: string;
  /** A feature the lesson needs; without it the lesson is shown, its actions disabled. */
  needs?: keyof Features;
  /** The crash-recovery demo panel instead of steps. */
  demo?: boolean;
  steps: LessonStep[];
}

export const LESSONS: Lesson[] = [
  {
    id: 'segment-crash',
    title: 'A segment crashes (no mirror)',
    summary: 'Without a mirror, a crashed primary takes its share of the data away until it restarts.',
    steps: [
      { text: 'The bank workload is committing transfers: watch commits/s in the workload panel.' },
      {
        text: 'Crash the primary of seg0 (dbid 2). Its memory is lost, its disk is kept.',
        action: { kind: 'crash', target: 2 },
      },
      {
        text: 'Every transfer touching seg0 now fails, and a query that needs all segments fails too. The catalog still says status u: nothing probes the segments yet.',
        action: { kind: 'sql', sql: 'select count(*) from bank' },
      },
      {
        text: 'Restart it: crash recovery replays its WAL from the last checkpoint.',
        action: { kind: 'restart', target: 2 },
      },
      {
        text: 'Every committed transfer survived, and no money was created or lost.',
        action: { kind: 'sql', sql: CHECK_SQL },
      },
    ],
  },
  {
    id: 'host-crash',
    title: 'A whole host goes down',
    summary: 'Losing sdw1 loses every primary on it; with mirrors on the other host, FTS would promote them.',
    steps: [
      { text: 'Crash host sdw1 (both its primaries).', action: { kind: 'crash', target: 'sdw1' } },
      { text: 'Look at the topology: the host box is dashed, its cards hatched and marked ✖.' },
      { text: 'Restart the host.', action: { kind: 'restart', target: 'sdw1' } },
    ],
  },
  {
    id: 'mirror-failover',
    title: 'FTS promotes a mirror',
    summary:
      'With mirroring, FTS notices a dead primary, promotes its mirror, and gprecoverseg brings it back.',
    needs: 'mirroring',
    steps: [
      { text: 'Crash the primary of seg0.', action: { kind: 'crash', target: 2 } },
      {
        text: 'Ask FTS to probe now instead of waiting for gp_fts_probe_interval.',
        action: { kind: 'sql', sql: 'select gp_request_fts_probe_scan();' },
      },
      {
        text: 'See the mirror acting as primary, not in sync.',
        action: { kind: 'utility', command: 'gpstate -m' },
      },
      {
        text: 'Recover the failed segment incrementally.',
        action: { kind: 'utility', command: 'gprecoverseg -a' },
      },
      {
        text: 'Rebalance back to preferred roles.',
        action: { kind: 'utility', command: 'gprecoverseg -ar' },
      },
    ],
  },
  {
    id: 'standby',
    title: 'Activate the standby coordinator',
    summary: 'When the coordinator host dies, the standby on scdw takes over.',
    needs: 'standby',
    steps: [
      { text: 'Crash the coordinator host.', action: { kind: 'crash', target: 'cdw' } },
      { text: 'Promote the standby.', action: { kind: 'utility', command: 'gpactivatestandby -a' } },
      { text: 'Check the new coordinator.', action: { kind: 'utility', command: 'gpstate -f' } },
    ],
  },
  {
    id: 'crash-recovery',
    title: 'Crash recovery in a real Worker',
    summary:
      'One instance in a Web Worker on IndexedDB is killed mid-work and recovers every acknowledged commit.',
    demo: true,
    steps: [],
  },
];

export function describeAction(a: StepAction): string {
  switch (a.kind) {
    case 'crash':
    case 'restart':
      return `cluster.faults.${a.kind}(${typeof a.target === 'number' ? a.target : `'${a.target}'`})`;
    case 'sql':
      return a.sql;
    case 'utility':
      return a.command;
  }
}
