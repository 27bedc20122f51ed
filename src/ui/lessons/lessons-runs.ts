/**
 * Lessons that start from a shared run: the lab replays a failure someone recorded, hands it
 * over at its end, and the learner's recovery is recorded onto it, to be sent back as a link.
 */
import { ACCOUNTS, OPENING_BALANCE } from '../../workers/index.ts';
import { check, rowsAre } from './checks.ts';
import type { Lesson } from './lesson-types.ts';

/**
 * A colleague's run: 2 hosts × 2 segments, group mirroring, under bank transfers; content 1's
 * primary (dbid 3 on sdw1) crashes in the middle of a batch and FTS promotes its mirror (dbid 7).
 */
const SENT_RUN = {
  seed: 101,
  replication: 'wal' as const,
  shape: { mirroring: 'group' as const, hosts: ['sdw1', 'sdw2'], segmentsPerHost: 2 },
  plan: [
    { op: 'transfers' as const, n: 4, salt: 1 },
    { op: 'transfers' as const, n: 4, salt: 2, during: { op: 'crash' as const, target: 3, afterMs: 5 } },
    { op: 'load' as const, clients: 3, ms: 60_000, salt: 3 },
    { op: 'transfers' as const, n: 4, salt: 4 },
  ],
  at: 4,
};

const MONEY_SQL = 'select count(*), sum(balance) from bank';

const money = check(
  `${MONEY_SQL} answers ${ACCOUNTS} accounts holding ${ACCOUNTS * OPENING_BALANCE}`,
  async (ctx) => {
    const c = ctx.store?.cluster;
    if (!c) throw new Error('the cluster is not running');
    const [n, sum] = ((await c.query(MONEY_SQL)).rows[0] ?? []).map(Number);
    return { ok: n === ACCOUNTS && sum === ACCOUNTS * OPENING_BALANCE, seen: `${n} accounts holding ${sum}` };
  },
);

export const SENT_FAILURE: Lesson = {
  id: 'sent-failure',
  title: 'Recover a failure you were sent',
  summary:
    'A colleague recorded a primary failing under load; replay their run, recover it, and send your recovery back as a link.',
  steps: [
    {
      title: 'Open the run',
      text: [
        'A colleague sends you a run: 2 hosts, 2 segments each, group mirroring, a standby, with bank transfers running. In the middle of a batch, the primary of content 1 (dbid 3 on sdw1) crashed; FTS marked it down at its next probe and promoted its mirror, dbid 7 on sdw2, while three clients went on transferring (the Simulation panel draws what each of them saw).',
        'Open it: the lab replays every step on the sim runtime, exactly as it ran, and hands the cluster to you at its end. From then on, what you do is recorded as the run’s next steps, and virtual time passes only when you let it.',
      ],
      actions: [
        {
          kind: 'openRun',
          run: SENT_RUN,
          what: 'a colleague’s run (content 1 failed over)',
          label: 'Open the run',
        },
      ],
      check: rowsAre('dbid 3 down as a mirror; dbid 7 acting primary, not synchronized (mode n)', {
        3: { role: 'm', status: 'd' },
        7: { role: 'p', status: 'u', mode: 'n' },
      }),
      point: [3, 7],
    },
    {
      title: 'Read the damage',
      text: [
        '`gpstate -e` lists what needs attention: content 1 has switched roles, and its pair is not synchronized. Content 1 is served by dbid 7 alone: a second fault on sdw2 now would leave it without a copy.',
        'No acknowledged transfer was lost: the money is all there.',
      ],
      actions: [
        { kind: 'utility', command: 'gpstate -e', label: 'gpstate -e' },
        { kind: 'sql', sql: MONEY_SQL, label: 'Count the money' },
      ],
      check: money,
    },
    {
      title: 'Recover dbid 3',
      text: [
        '`gprecoverseg -a` starts dbid 3 again as content 1’s mirror and catches it up from dbid 7 (incrementally: only what changed since it went down). FTS marks it up; once its WAL has caught up, the pair is synchronized again.',
        'Time passes here only when you let it: if the check does not pass at once (the mirror still catching up), let a minute of virtual time pass and check again.',
      ],
      actions: [
        { kind: 'utility', command: 'gprecoverseg -a', label: 'gprecoverseg -a' },
        { kind: 'wait', ms: 60_000, label: 'Wait 1 min' },
      ],
      check: rowsAre('dbid 3 up as the mirror, the pair synchronized (mode s)', {
        3: { role: 'm', status: 'u', mode: 's' },
        7: { role: 'p', status: 'u', mode: 's' },
      }),
      point: [3, 7],
    },
    {
      title: 'Rebalance',
      text: [
        'dbid 3 was placed as content 1’s primary (preferred_role p) and now acts as its mirror, so sdw2 carries three acting primaries to sdw1’s one. `gprecoverseg -r` switches the pair back to its preferred roles.',
      ],
      actions: [
        { kind: 'utility', command: 'gprecoverseg -a -r', label: 'gprecoverseg -a -r' },
        { kind: 'wait', ms: 60_000, label: 'Wait 1 min' },
      ],
      check: rowsAre('dbid 3 primary again, dbid 7 its mirror, synchronized', {
        3: { role: 'p', preferred_role: 'p', status: 'u', mode: 's' },
        7: { role: 'm', preferred_role: 'm', status: 'u', mode: 's' },
      }),
      point: [3, 7],
    },
    {
      title: 'Send your recovery back',
      text: [
        'Your steps are now part of the run (the checks’ queries too: they ran on it). In the Simulation panel, Copy link to this step (or Export run file) gives a link that replays the failure and your recovery, step for step, in any copy of the lab: nothing leaves the page, the run is in the link.',
      ],
    },
  ],
};
