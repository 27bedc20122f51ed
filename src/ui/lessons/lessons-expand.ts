/**
 * Expanding a mirrored cluster with gpexpand, as a DBA rehearses it: name the new hosts, let the
 * interview place the new primaries and mirrors, run setup (the point of no return), watch the
 * tables wait on their old segments, survive a failure between the phases, redistribute while
 * the bank workload runs, then recover and clean up.
 */
import { CHECK_SQL } from '../workload/bank-workload.ts';
import { allOf, check, healthy, moneyConserved, rowsAre } from './checks.ts';
import type { Lesson } from './lesson-types.ts';
import { baseline } from './lessons-segments.ts';

const NEW_HOSTS = "printf 'sdw3\\nsdw4\\n' > new_hosts";

export const EXPAND: Lesson = {
  id: 'expand-cluster',
  title: '8. Expanding a mirrored cluster',
  summary:
    'Grow 2 hosts to 4 with gpexpand under load: setup adds primaries and mirrors, then every table is redistributed onto the new segments.',
  needs: 'utilities',
  steps: [
    baseline(
      'Expansion is the rarest HA operation on a real cluster and the one most feared: once its setup has changed the catalog it cannot be undone. Rehearse it here; the bank workload can keep running throughout.',
    ),
    {
      title: 'Name the new hosts',
      text: [
        "gpexpand starts with an interview. Given the new hosts in a file (`-f`), it places a new primary on them for each primary the existing hosts hold, and each new primary's mirror with the cluster's own strategy: grouped here, so all of sdw3's mirrors go to sdw4 and sdw4's to sdw3.",
        'Group mirroring needs at least two new hosts; spread needs more new hosts than segments per host. The interview writes an input file, one line per new instance: `hostname|address|port|datadir|dbid|content|preferred_role`.',
      ],
      actions: [
        { kind: 'utility', command: NEW_HOSTS, label: 'Write the hosts file' },
        { kind: 'utility', command: 'gpexpand -f new_hosts', label: 'Run the interview' },
        { kind: 'utility', command: 'cat gpexpand_inputfile_*', label: 'Read the input file' },
      ],
      check: check('an input file gpexpand_inputfile_* was written', async (ctx) => {
        const names = [...(ctx.store?.cluster?.files.keys() ?? [])].filter((f) =>
          f.startsWith('gpexpand_inputfile_'),
        );
        return { ok: names.length > 0, seen: names.length ? names.join(', ') : 'no input file yet' };
      }),
    },
    {
      title: 'Setup: the new segments join',
      text: [
        "`gpexpand -i` checks the whole file first (numbering, ports and directories, a mirror never on its own primary's host), then runs setup step by step, each step written to `gpexpand.status` in the coordinator's data directory: it locks the catalog against DDL, creates the new primaries, adds them and their mirrors to `gp_segment_configuration` in one transaction, builds the mirrors from their primaries and creates the `gpexpand` schema.",
        'Up to the catalog update a failed setup is undone with `gpexpand -r`. After it, the expansion is irrevocable: the new segments are part of the cluster.',
      ],
      actions: [{ kind: 'utility', command: 'gpexpand -i gpexpand_inputfile_*', label: 'Run setup' }],
      check: healthy({ hosts: 4 }),
    },
    {
      title: 'Tables wait on their old segments',
      text: [
        'Every table that existed keeps its `numsegments` of 4 in `gp_distribution_policy`: its rows are where they were, queries run on those 4 segments only (EXPLAIN shows a Gather Motion 4:1) and the transfers go on. A table created now spreads over all 8.',
        "`gpexpand.status_detail` lists the tables left to redistribute; `gpstate -x` reports the expansion's state.",
      ],
      actions: [
        { kind: 'sql', sql: 'explain select * from bank', label: 'EXPLAIN a query on bank' },
        {
          kind: 'sql',
          sql: 'select fq_name, status, source_bytes from gpexpand.status_detail',
          label: 'Tables to redistribute',
        },
        { kind: 'utility', command: 'gpstate -x', label: 'gpstate -x' },
      ],
      check: check('bank still spreads over 4 segments (numsegments = 4)', async (ctx) => {
        const r = await ctx.store!.cluster!.query(
          "select numsegments from gp_distribution_policy where localoid = (select table_oid from gpexpand.status_detail where fq_name = 'public.bank')",
        );
        const n = Number(r.rows[0]?.[0]);
        return { ok: n === 4, seen: `numsegments = ${Number.isNaN(n) ? 'unknown' : n}` };
      }),
      checkOnOpen: true,
    },
    {
      title: 'A failure between the phases',
      text: [
        'A primary of an old segment fails before the redistribution: FTS promotes its mirror, as it would at any time. Nothing about the expansion changes: the redistribution will read that content from its new primary.',
      ],
      actions: [{ kind: 'crash', target: 2, label: 'Crash dbid 2', danger: true }],
      // The catalog says so as soon as FTS asked for the promotion; the mirror serves once it
      // has finished it, and the next step needs it serving.
      check: allOf(
        'dbid 2 down, its mirror dbid 6 acting as primary and answering queries',
        rowsAre('dbid 2 down, dbid 6 acting primary', { 2: { status: 'd' }, 6: { role: 'p', status: 'u' } }),
        moneyConserved(),
      ),
      point: [2, 6],
    },
    {
      title: 'Redistribute while the workload runs',
      text: [
        "Run `gpexpand` again: each table in `gpexpand.status_detail` is expanded with `ALTER TABLE ... EXPAND TABLE`, lowest rank first, under an ACCESS EXCLUSIVE lock for the length of its own transaction. Its rows move to the segment their hash over 8 segments says; the new segments' WAL streams to their mirrors as any write does.",
        'A transfer that needs a table being expanded waits for it, then goes on. `-d` or `-e` stops at a time of your choosing, and the next `gpexpand` resumes.',
      ],
      actions: [
        { kind: 'utility', command: 'gpexpand', label: 'Redistribute' },
        { kind: 'sql', sql: 'select name, value from gpexpand.expansion_progress', label: 'Progress' },
        { kind: 'sql', sql: CHECK_SQL, label: 'Count the money' },
      ],
      check: check(
        'every table spreads over 8 segments, the money is all there, and every account holds what the acknowledged transfers say',
        async (ctx) => {
          const c = ctx.store!.cluster!;
          const left = Number(
            (await c.query('select count(*) from gp_distribution_policy where numsegments < 8')).rows[0]?.[0],
          );
          const money = await moneyConserved().test(ctx);
          // A lost transfer keeps the sum: the accounts are compared with the client's ledger.
          const kept = ctx.workload ? await ctx.workload.verify() : undefined;
          const ledger = kept
            ? `; ${kept.checked} accounts as the acknowledged transfers say${kept.wrong.length ? `, ${kept.wrong.length} not (an acknowledged transfer lost)` : ''}`
            : '';
          return {
            ok: left === 0 && money.ok && (kept?.wrong.length ?? 0) === 0,
            seen: `${left} table(s) not expanded; ${money.seen}${ledger}`,
          };
        },
      ),
    },
    {
      title: 'Recover the failed segment',
      text: [
        '`gprecoverseg -a` brings dbid 2 back as a mirror of its content; it catches up from the acting primary.',
      ],
      actions: [{ kind: 'utility', command: 'gprecoverseg -a', label: 'Recover' }],
      check: rowsAre(
        'dbid 2 up and synchronized as a mirror',
        { 2: { status: 'u', mode: 's', role: 'm' } },
        60_000,
      ),
      point: [2],
    },
    {
      title: 'Rebalance and clean up',
      text: [
        '`gprecoverseg -r` returns every instance to its preferred role. `gpexpand -c` then removes the `gpexpand` schema (its status_detail is kept in a file): the expansion is over.',
      ],
      actions: [
        { kind: 'utility', command: 'gprecoverseg -a -r', label: 'Rebalance' },
        { kind: 'utility', command: 'gpexpand -c', label: 'Clean up' },
      ],
      check: check(
        'every instance in its preferred role; no gpexpand schema left',
        async (ctx) => {
          const c = ctx.store!.cluster!;
          const h = await healthy({ hosts: 4 }).test(ctx);
          const left = Number(
            (await c.query("select count(*) from pg_tables where schemaname = 'gpexpand'")).rows[0]?.[0],
          );
          return { ok: h.ok && left === 0, seen: `${h.seen}; ${left} gpexpand table(s)` };
        },
        60_000,
      ),
    },
  ],
};
