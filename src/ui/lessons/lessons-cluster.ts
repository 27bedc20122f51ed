/**
 * Lessons on the whole cluster: a host fails under group and spread mirroring; recovery and
 * rebalance with gprecoverseg; the coordinator fails and the standby is activated.
 */
import {
  allOf,
  check,
  healthy,
  perHostText,
  primariesPerHost,
  readConfig,
  rowText,
  rowsAre,
  type CatRow,
} from './checks.ts';
import type { Lesson, LabShape, StepCheck } from './lesson-types.ts';
import { FAILED_OVER, FRESH, FRESH_LAYOUT, baseline } from './lessons-segments.ts';

const THREE = 'sdw1,sdw2,sdw3';

/** For each host, the hosts holding the mirrors of its primaries (by preferred role). */
function mirrorHosts(rows: CatRow[]): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const p of rows.filter((r) => r.content >= 0 && r.preferred_role === 'p')) {
    const mirror = rows.find((r) => r.content === p.content && r.preferred_role === 'm');
    if (!mirror) continue;
    const set = m.get(p.hostname) ?? new Set<string>();
    set.add(mirror.hostname);
    m.set(p.hostname, set);
  }
  return m;
}

function layout(shape: LabShape, expected: string): StepCheck {
  return check(expected, async (ctx) => {
    const rows = await readConfig(ctx);
    const mh = mirrorHosts(rows);
    const seen = [...mh].map(([h, s]) => `mirrors of ${h} → ${[...s].join(', ')}`).join('; ');
    const hosts = shape.hosts.split(',');
    const ok =
      ctx.store?.options.mirroring === shape.mirroring &&
      mh.size === hosts.length &&
      [...mh.values()].every((s) => s.size === (shape.mirroring === 'group' ? 1 : 2)) &&
      rows.every((r) => r.content < 0 || (r.status === 'u' && r.role === r.preferred_role));
    const loading = ctx.workload && !ctx.workload.ready;
    return {
      ok: ok && !loading,
      seen: `${seen || 'no mirrors'}${loading ? '; the bank table is still loading' : ''}`,
    };
  });
}

function afterHostLoss(maxPerHost: number, expected: string): StepCheck {
  return check(expected, async (ctx) => {
    const rows = await readConfig(ctx);
    const per = primariesPerHost(rows);
    per.delete('sdw1');
    const contents = new Set(rows.filter((r) => r.content >= 0).map((r) => r.content));
    const served = [...contents].every((c) =>
      rows.some((r) => r.content === c && r.role === 'p' && r.status === 'u' && r.hostname !== 'sdw1'),
    );
    const max = Math.max(0, ...per.values());
    return {
      ok: served && max === maxPerHost,
      seen: `acting primaries per host: ${perHostText(per)}${served ? '' : '; some content has no acting primary yet'}`,
    };
  });
}

export const HOST_FAILURE: Lesson = {
  id: 'host-crash',
  title: '3. A host fails: group vs spread mirroring',
  summary:
    'Losing sdw1 loses every primary on it; where their mirrors live decides how the load lands on the hosts that are left.',
  needs: 'mirroring',
  steps: [
    {
      title: 'Group mirroring on three hosts',
      text: [
        "gpinitsystem places mirrors in one of two ways. Group mirroring (the default) puts all the mirrors of one host's primaries on the next host. Build a cluster of three hosts, two primaries each.",
      ],
      actions: [
        { kind: 'rebuild', shape: { hosts: THREE, mirroring: 'group' }, label: 'Build: group, 3 hosts' },
      ],
      check: layout(
        { hosts: THREE, mirroring: 'group' },
        "each host's mirrors on one other host (mirrors of sdw1 → sdw2)",
      ),
      checkOnOpen: true,
    },
    {
      title: 'Lose sdw1',
      text: [
        'Both primaries of sdw1 die with the host. FTS promotes their mirrors, which all live on sdw2: sdw2 now runs four primaries, twice the work of sdw3, and every query waits for the slowest host.',
      ],
      actions: [{ kind: 'crash', target: 'sdw1', label: 'Crash host sdw1', danger: true }],
      check: afterHostLoss(
        4,
        'every content served off sdw1; the busiest host runs 4 primaries (sdw2: 4, sdw3: 2)',
      ),
    },
    {
      title: 'Spread mirroring on the same hosts',
      text: [
        "Spread mirroring puts the mirrors of one host's primaries on different hosts. It needs more hosts than primaries per host (here 3 > 2).",
      ],
      actions: [
        { kind: 'rebuild', shape: { hosts: THREE, mirroring: 'spread' }, label: 'Build: spread, 3 hosts' },
      ],
      check: layout(
        { hosts: THREE, mirroring: 'spread' },
        "each host's mirrors on two different hosts (mirrors of sdw1 → sdw2, sdw3)",
      ),
    },
    {
      title: 'Lose sdw1 again',
      text: [
        'The two promoted mirrors are on different hosts: sdw2 and sdw3 each take one more primary. The load stays even.',
      ],
      actions: [{ kind: 'crash', target: 'sdw1', label: 'Crash host sdw1', danger: true }],
      check: afterHostLoss(
        3,
        'every content served off sdw1; no host runs more than 3 primaries (sdw2: 3, sdw3: 3)',
      ),
    },
    {
      title: 'Choosing',
      text: [
        'Spread evens out the load after a host failure, but needs more hosts; group works with two hosts. Either way, restart the host and run `gprecoverseg -a`, then `gprecoverseg -r` once in sync (lesson 4).',
      ],
      actions: [
        {
          kind: 'rebuild',
          shape: { hosts: 'sdw1,sdw2', mirroring: 'group' },
          label: 'Back to the default cluster',
        },
      ],
    },
  ],
};

export const RECOVERY: Lesson = {
  id: 'recovery',
  title: '4. Recover and rebalance with gprecoverseg',
  summary:
    'After a failover: recover the failed segment as a mirror, wait for it to sync, then rebalance the roles.',
  needs: 'utilities',
  steps: [
    baseline('We start from a healthy cluster and fail over content 0.'),
    {
      title: 'Fail over content 0',
      text: ['Crash dbid 2; FTS promotes dbid 6. The roles of content 0 are now switched.'],
      actions: [{ kind: 'crash', target: 2, label: 'Crash dbid 2', danger: true }],
      check: FAILED_OVER,
    },
    {
      title: 'Recover the failed segment',
      text: [
        '`gprecoverseg -a` recovers every down segment incrementally: it rewinds dbid 2 to the point where its history diverged from dbid 6 (pg_rewind), starts it as a mirror of dbid 6 and lets it stream the WAL it missed. `-F` would copy the whole primary instead.',
      ],
      actions: [{ kind: 'utility', command: 'gprecoverseg -a', label: 'Recover' }],
      check: rowsAre('dbid 2 role=m status=u (a mirror again); dbid 6 role=p', {
        2: { role: 'm', status: 'u' },
        6: { role: 'p' },
      }),
    },
    {
      title: 'Wait for synchronization',
      text: [
        'The recovered mirror catches up with its primary; `gpstate -e` shows the WAL still to replay. When it has caught up, FTS sets both to mode s.',
        'Rebalancing means failing over to the mirror, which is only safe once it has every transaction: `gprecoverseg -r` skips a pair that is not in sync.',
      ],
      actions: [
        { kind: 'utility', command: 'gpstate -m', label: 'Show mirrors' },
        { kind: 'utility', command: 'gpstate -e', label: 'Show problems' },
      ],
      check: rowsAre('dbid 2 and dbid 6 mode=s', { 2: { mode: 's' }, 6: { mode: 's' } }, 60_000),
      checkOnOpen: true,
    },
    {
      title: 'Rebalance',
      text: [
        'dbid 6 still acts as primary on sdw2, so sdw2 runs three primaries and sdw1 one. `gprecoverseg -r` returns every segment to its preferred role: it stops the acting primary, FTS promotes the original one, and the other comes back as its mirror. Transactions running on those contents are cancelled, so rebalance in a quiet moment.',
      ],
      actions: [{ kind: 'utility', command: 'gprecoverseg -r', label: 'Rebalance' }],
      check: healthy(),
    },
  ],
};

export const STANDBY: Lesson = {
  id: 'standby',
  title: '5. The coordinator fails: activate the standby',
  summary:
    'The coordinator dies; the administrator activates the standby on scdw with gpactivatestandby, then protects it with a new standby.',
  needs: 'standby',
  steps: [
    {
      title: 'The standby coordinator',
      text: [
        "The standby (dbid 10 on scdw) receives the coordinator's WAL: the catalog and the distributed transaction log. It appears in gp_segment_configuration as content -1, role m, and in gp_stat_replication as gp_segment_id -1.",
        'If the check below does not pass (the cluster has another layout, or no standby), start a fresh cluster.',
      ],
      actions: [
        FRESH,
        {
          kind: 'sql',
          sql: 'select gp_segment_id, application_name, state, sync_state from gp_stat_replication where gp_segment_id = -1',
          label: "Show the standby's replication",
        },
      ],
      // The lesson names dbid 10 as the standby: the lessons' layout (2 hosts, group mirrors).
      check: allOf(
        "the lessons' layout, with the standby dbid 10 on scdw streaming",
        FRESH_LAYOUT,
        check('dbid 10 on scdw: the standby (content -1, role m, status u), streaming', async (ctx) => {
          const r = (await readConfig(ctx)).find((x) => x.dbid === 10);
          const rep = await ctx.store!.cluster!.query(
            'select state from gp_stat_replication where gp_segment_id = -1',
          );
          const state = String(rep.rows[0]?.[0] ?? 'no walreceiver');
          return {
            ok:
              r?.content === -1 &&
              r.hostname === 'scdw' &&
              r.role === 'm' &&
              r.status === 'u' &&
              state === 'streaming',
            seen: `${r ? rowText(r) : 'no dbid 10'}; ${state}`,
          };
        }),
      ),
      checkOnOpen: true,
    },
    {
      title: 'The coordinator fails',
      text: [
        "dbid 1 on cdw dies. The segments keep running, but clients cannot connect: every session is on the coordinator. FTS runs on the coordinator, so nothing fails over by itself: activating the standby is the administrator's decision.",
      ],
      actions: [{ kind: 'crash', target: 1, label: 'Crash the coordinator', danger: true }],
      check: check('select 1 on the coordinator fails', async (ctx) => {
        try {
          await ctx.store!.cluster!.query('select 1');
          return { ok: false, seen: 'select 1 succeeded' };
        } catch (e) {
          return { ok: true, seen: `select 1 failed: ${(e as Error).message}` };
        }
      }),
    },
    {
      title: 'Activate the standby',
      text: [
        'On scdw, `gpactivatestandby -d /data/coordinator/gpseg-1` promotes the standby: it replays what it has, finishes or aborts the distributed transactions in doubt, and becomes the coordinator (content -1, role p). Clients reconnect to scdw.',
        'The old coordinator must not start again: its timeline is behind.',
      ],
      actions: [
        {
          kind: 'utility',
          command: 'gpactivatestandby -d /data/coordinator/gpseg-1',
          label: 'Activate the standby',
        },
      ],
      check: rowsAre('dbid 10 on scdw is the coordinator: role=p status=u', {
        10: { role: 'p', status: 'u', hostname: 'scdw' },
      }),
    },
    {
      title: 'Protect the new coordinator',
      text: [
        'The coordinator has no standby now. cdw still holds the old coordinator\'s data directory, and gpinitstandby never initializes over existing files (it fails with "Data directory already exists on host cdw"). So first move it away on cdw, as Greenplum\'s guide does: `ssh cdw mv /data/coordinator/gpseg-1 /data/coordinator/backup_gpseg-1`; `ssh cdw ls /data/coordinator` then shows only backup_gpseg-1.',
        'Then `gpinitstandby -s cdw` makes a new standby there from a base backup of the new coordinator and starts streaming to it. Without `-a` it shows what it will do and asks first (the lab answers yes, and shows it).',
      ],
      actions: [
        {
          kind: 'utility',
          command: 'ssh cdw mv /data/coordinator/gpseg-1 /data/coordinator/backup_gpseg-1',
          label: 'Move the old directory away',
        },
        {
          kind: 'utility',
          command: 'ssh cdw ls /data/coordinator',
          label: "See what cdw's /data/coordinator holds",
        },
        { kind: 'utility', command: 'gpinitstandby -s cdw', label: 'Add a standby on cdw' },
      ],
      check: check(
        'a standby on cdw: content -1 role=m status=u, streaming',
        async (ctx) => {
          const r = (await readConfig(ctx)).find((x) => x.content === -1 && x.role === 'm');
          const rep = await ctx.store!.cluster!.query(
            'select state from gp_stat_replication where gp_segment_id = -1',
          );
          const state = String(rep.rows[0]?.[0] ?? 'no walreceiver');
          return {
            ok: r?.hostname === 'cdw' && r.status === 'u' && state === 'streaming',
            seen: `${r ? rowText(r) : 'no standby row'}; ${state}`,
          };
        },
        30_000,
      ),
    },
  ],
};
