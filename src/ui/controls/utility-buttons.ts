/** The utility commands the controls panel offers as buttons. */
import type { DataDirectory } from '../../workers/index.ts';
import { freeCoordinatorHost, standbyDirectoryInTheWay, type SegmentRow } from '../state/types.ts';

/** The utilities the lab offers as buttons, with what each does (the standby's: `utilities`). */
const UTILITIES: { cmd: string; what: string }[] = [
  { cmd: 'gpstate', what: 'summary of the cluster' },
  { cmd: 'gpstate -m', what: 'mirrors and their sync state' },
  { cmd: 'gpstate -e', what: 'segments with problems' },
  { cmd: 'gpstate -f', what: 'the standby coordinator' },
  { cmd: 'gprecoverseg -a', what: 'recover down segments incrementally' },
  { cmd: 'gprecoverseg -aF', what: 'full recovery (copy the primary)' },
  { cmd: 'gprecoverseg -r', what: 'rebalance: back to preferred roles' },
  { cmd: 'gpstop -a -M fast', what: 'stop the whole cluster (clean shutdown)' },
  { cmd: 'gpstart -a', what: 'start a stopped cluster' },
  { cmd: 'gpstop -a -M fast --host sdw1', what: 'stop segment host sdw1 for maintenance' },
  { cmd: 'gpconfig -s gp_fts_probe_interval', what: 'a setting on every instance' },
  {
    cmd: 'gpconfig -c gp_fts_probe_interval -v 20s --coordinatoronly',
    what: 'change a setting (written, not loaded)',
  },
  { cmd: 'gpstop -u', what: 'reload settings changed with gpconfig' },
  { cmd: "printf 'sdw3\\nsdw4\\n' > new_hosts", what: 'write a hosts file naming two new segment hosts' },
  {
    cmd: 'gpexpand -f new_hosts',
    what: 'expansion interview: writes an input file placing the new segments',
  },
  { cmd: 'cat gpexpand_inputfile_*', what: 'read the input file (use the name gpexpand printed)' },
  { cmd: 'gpstate -x', what: "an expansion's state and the tables left to redistribute" },
  { cmd: 'gpexpand', what: 'after setup: redistribute every table onto the new segments' },
  { cmd: 'gpexpand -c -s', what: 'remove the gpexpand schema once the expansion is done' },
  {
    cmd: 'ssh sdw1 pg_controldata -D /data/primary/gpseg0',
    what: "content 0's control file: state, last checkpoint (running or stopped)",
  },
];

/**
 * The buttons for this catalog: after `gprecoverseg -r`, the standby coordinator's utility as the
 * catalog allows it: activate the standby there is (from its data directory), or add one on the
 * coordinator host not in use. Fixed commands would name a standby that is gone, or a host that
 * is the coordinator's now. An old coordinator's data directory where the standby would go
 * (after gpactivatestandby) is offered to be moved aside first: gpinitstandby refuses to
 * initialize over it.
 */
export function utilities(
  config: readonly SegmentRow[],
  directories: readonly DataDirectory[] = [],
): { cmd: string; what: string }[] {
  const coordinator = config.find((r) => r.content === -1 && r.role === 'p');
  const standby = config.find((r) => r.content === -1 && r.role === 'm');
  const host = coordinator && freeCoordinatorHost(coordinator.hostname);
  const inTheWay = coordinator && !standby ? standbyDirectoryInTheWay(coordinator, directories) : undefined;
  const moveAside = inTheWay
    ? [
        {
          cmd: inTheWay.move,
          what: `move aside the old coordinator's data directory (dbid ${inTheWay.dir.dbid}), which gpinitstandby will not overwrite`,
        },
      ]
    : [];
  const forStandby = standby
    ? [
        {
          cmd: `gpactivatestandby -d ${standby.datadir}`,
          what: `activate the standby coordinator (dbid ${standby.dbid} on ${standby.hostname})`,
        },
      ]
    : host
      ? [...moveAside, { cmd: `gpinitstandby -s ${host}`, what: `add a standby coordinator on ${host}` }]
      : [];
  // A cluster with segments and no mirrors: gpaddmirrors (Greenplum refuses it once mirrored).
  const segments = config.filter((r) => r.content >= 0);
  const addMirrors =
    segments.length && !segments.some((r) => r.role === 'm')
      ? [
          {
            cmd: 'gpaddmirrors -a',
            what: 'add a mirror to every primary (asks where; the lab answers /data/mirror)',
          },
        ]
      : [];
  const at = UTILITIES.findIndex((u) => u.cmd === 'gprecoverseg -r') + 1;
  return [...UTILITIES.slice(0, at), ...forStandby, ...addMirrors, ...UTILITIES.slice(at)];
}
