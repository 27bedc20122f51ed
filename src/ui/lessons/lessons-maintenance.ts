/**
 * Planned maintenance of a segment host, as a DBA does it on a real cluster: stop the host's
 * segments with gpstop --host (their mirrors on other hosts take over), work on the host, bring
 * its segments back with gprecoverseg, and return the roles with gprecoverseg -r.
 */
import { CHECK_SQL } from '../workload/bank-workload.ts';
import { check, healthy, moneyConserved, readConfig, rowsAre, rowText } from './checks.ts';
import type { Lesson } from './lesson-types.ts';
import { baseline } from './lessons-segments.ts';

/** With group mirroring on sdw1 and sdw2: sdw1 holds primaries 2, 3 and mirrors 8, 9. */
const ON_SDW1 = [2, 3, 8, 9];

export const ROLLING_MAINTENANCE: Lesson = {
  id: 'rolling-maintenance',
  title: '7. Planned maintenance of a segment host',
  summary:
    'Take a segment host out for maintenance with gpstop --host, keep serving from its mirrors, then bring it back with gprecoverseg and rebalance.',
  needs: 'utilities',
  steps: [
    baseline(
      'Most failovers in a real cluster are planned: a host needs a kernel update, a disk or more memory. The bank workload can keep running through this lesson.',
    ),
    {
      title: 'Stop the segments on sdw1',
      text: [
        '`gpstop --host sdw1` stops only the segment instances on sdw1, cleanly (`-M fast`: a shutdown checkpoint each). It refuses when the coordinator or the standby is on that host, when a primary there has both halves of its pair on it, or when a primary there is not synchronized: its mirror would not have every transaction.',
        'It then asks FTS to probe: the primaries of sdw1 are gone, so FTS promotes their mirrors on sdw2, as in a failure, but at the moment you chose.',
      ],
      actions: [
        { kind: 'utility', command: 'gpstop -a -M fast --host sdw1', label: 'Stop sdw1', danger: true },
      ],
      check: rowsAre('dbid 2 and 3 role=m status=d; dbid 6 and 7 role=p status=u; dbid 8 and 9 status=d', {
        2: { role: 'm', status: 'd' },
        3: { role: 'm', status: 'd' },
        6: { role: 'p', status: 'u' },
        7: { role: 'p', status: 'u' },
        8: { status: 'd' },
        9: { status: 'd' },
      }),
      point: ON_SDW1,
    },
    {
      title: 'Work on the host while sdw2 serves',
      text: [
        'Every content is served from sdw2 now, with no mirror: a failure of sdw2 during the maintenance window would take the data away, so keep the window short. `gpstate -e` lists what is not protected.',
        'The transfers go on, and no committed transfer was lost: the money still adds up.',
      ],
      actions: [
        { kind: 'utility', command: 'gpstate -e', label: 'Show segments with problems' },
        { kind: 'sql', sql: CHECK_SQL, label: 'Count the money' },
      ],
      check: moneyConserved(),
      checkOnOpen: true,
    },
    {
      title: 'Bring sdw1 back',
      text: [
        'The host is back: `gprecoverseg -a` starts each of its segments as a mirror, rewinding the former primaries to where the acting ones took over (pg_rewind), and they catch up from the WAL.',
      ],
      actions: [{ kind: 'utility', command: 'gprecoverseg -a', label: 'Recover sdw1' }],
      check: check(
        'dbid 2, 3, 8 and 9 status=u mode=s',
        async (ctx) => {
          const rows = (await readConfig(ctx)).filter((r) => ON_SDW1.includes(r.dbid));
          return {
            ok: rows.length === 4 && rows.every((r) => r.status === 'u' && r.mode === 's'),
            seen: rows.map(rowText).join('; '),
          };
        },
        60_000,
      ),
      point: ON_SDW1,
    },
    {
      title: 'Rebalance',
      text: [
        'sdw2 still runs every primary. `gprecoverseg -r` returns each segment to its preferred role, so the work is spread over both hosts again. Rolling maintenance repeats these steps host by host.',
      ],
      actions: [{ kind: 'utility', command: 'gprecoverseg -a -r', label: 'Rebalance' }],
      check: healthy(),
    },
  ],
};
