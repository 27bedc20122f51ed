/**
 * pg_controldata: the control file of a data directory, running or not, as Postgres 12 prints
 * it (the fields the lab keeps). It runs on one host: the coordinator's (cdw, or scdw once the
 * standby took over), or the host
 * `ssh HOST pg_controldata ...` names, as a DBA would reach a segment host. Exit 0, or 1 with
 * pg_controldata's own texts when no data directory is given or none is there.
 */
import type { ControlData } from '../instance/control.ts';
import { formatLsn } from '../storage/lsn.ts';
import { segmentFileName } from '../wal/segments.ts';
import type { UtilityResult } from '../node/api.ts';
import type { MaintenanceHost } from './maintenance.ts';
import { CATALOG_VERSION_NO } from './maintenance.ts';

const PROG = 'pg_controldata';

const HELP = `pg_controldata displays control information of a PostgreSQL database cluster.

Usage:
  pg_controldata [OPTION] [DATADIR]

Options:
 [-D, --pgdata=]DATADIR  data directory
  -V, --version          output version information, then exit
  -?, --help             show this help, then exit
`;

const fail = (msg: string, hint = true): UtilityResult => ({
  exitCode: 1,
  stdout: '',
  stderr: `${PROG}: error: ${msg}\n${hint ? `Try "${PROG} --help" for more information.\n` : ''}`,
});

export async function pgControldata(
  host: MaintenanceHost,
  argv: string[],
  /** The host it runs on: the coordinator's, or the one `ssh` names. */
  on: string,
): Promise<UtilityResult> {
  let dir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-?' || a === '--help') return { exitCode: 0, stdout: HELP, stderr: '' };
    if (a === '-V' || a === '--version')
      return { exitCode: 0, stdout: `${PROG} (PostgreSQL) 12.12\n`, stderr: '' };
    if (a === '-D' || a === '--pgdata') {
      const v = argv[++i];
      if (v === undefined) return fail(`option requires an argument -- 'D'`);
      dir = v;
    } else if (a.startsWith('--pgdata=')) dir = a.slice('--pgdata='.length);
    else if (a.startsWith('-D') && a.length > 2) dir = a.slice(2);
    else if (a.startsWith('-')) return fail(`invalid option -- '${a.replace(/^-+/, '')}'`);
    else if (dir === undefined) dir = a;
    else return fail(`too many command-line arguments (first is "${a}")`);
  }
  if (dir === undefined) return fail('no data directory specified');
  const path = dir.replace(/\/+$/, '');
  // Any data directory on that host: an instance's in the configuration, or one a retired
  // instance left (the old coordinator's after gpactivatestandby, on its old timeline).
  const here = (await host.dataDirectories()).find(
    (d) => d.hostname === on && d.datadir.replace(/\/+$/, '') === path,
  );
  const node = here ? host.nodes.nodes.get(here.dbid) : undefined;
  const control = node ? await host.controlData(node) : undefined;
  if (!control)
    return fail(
      `could not open file "${path}/global/pg_control" for reading: No such file or directory`,
      false,
    );
  return { exitCode: 0, stdout: render(control), stderr: '' };
}

function render(c: ControlData): string {
  const segno = Math.floor(c.redo / c.walSegmentSize);
  const fields: [string, string][] = [
    ['Catalog version number', CATALOG_VERSION_NO],
    ['Database system identifier', c.systemIdentifier],
    ['Database cluster state', c.state],
    ['pg_control last modified', new Date(c.time).toUTCString()],
    ['Latest checkpoint location', formatLsn(c.checkpoint)],
    ["Latest checkpoint's REDO location", formatLsn(c.redo)],
    [
      "Latest checkpoint's REDO WAL file",
      segmentFileName(c.timeline, segno, c.walSegmentSize).replace(/^pg_wal\//, ''),
    ],
    ["Latest checkpoint's TimeLineID", String(c.timeline)],
    ['Minimum recovery ending location', formatLsn(c.minRecoveryPoint)],
    ["Min recovery ending loc's timeline", String(c.minRecoveryPoint ? c.timeline : 0)],
    ['Bytes per WAL segment', String(c.walSegmentSize)],
    ['Data page checksum version', c.dataChecksums ? '1' : '0'],
  ];
  return fields.map(([k, v]) => `${`${k}:`.padEnd(38)}${v}\n`).join('');
}
