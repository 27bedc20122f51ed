/**
 * gpstart: starts a stopped cluster from its catalog: the segments not marked down (primaries
 * and mirrors), then the coordinator, then the standby (-y leaves it). Segments marked down are
 * skipped with Greenplum's lines, for gprecoverseg to bring back. Exit codes as Greenplum 7's:
 * 0 started (also with skipped segments), 1 some instance failed to start, 2 bad options or
 * the coordinator already running.
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import type { UtilityResult } from '../node/api.ts';
import type { UtilityLog } from './host.ts';
import { runBatched, type BatchLimits } from './host.ts';
import type { OptionSpec } from './options.ts';
import {
  CATALOG_VERSION_NO,
  controlArgs,
  hostsAtOnce,
  segmentTable,
  DASHES,
  GP_VERSION_LINE,
  logTable,
  nodesOf,
  stopWithin,
  type MaintenanceHost,
} from './maintenance.ts';

const OPTIONS: OptionSpec[] = [
  { names: ['-m', '--master_only', '-c', '--coordinator_only'], kind: 'flag', key: 'm' },
  { names: ['-R', '--restricted'], kind: 'flag', key: 'R' },
  { names: ['-y', '--no_standby'], kind: 'flag', key: 'y' },
];

export async function gpstart(
  host: MaintenanceHost,
  argv: string[],
  log: UtilityLog,
): Promise<UtilityResult> {
  // The lab's starts have no pg_ctl wait to bound: -t is refused rather than ignored.
  const args = controlArgs('gpstart', OPTIONS, argv, log, (v) =>
    v['t'] !== undefined
      ? '-t: the lab starts each instance without a pg_ctl time limit to set; leave -t out'
      : undefined,
  );
  if (!args.ok) return args.result;
  const o = args.o;
  log.info(`Starting gpstart with args: ${argv.join(' ')}`);
  log.info('Gathering information and validating the environment...');
  log.info(`Greenplum Binary Version: '${GP_VERSION_LINE}'`);
  log.info(`Greenplum Catalog Version: '${CATALOG_VERSION_NO}'`);
  const rows = await host.catalog();
  const coordRow = rows.find((r) => r.content === -1 && r.role === 'p')!;
  const coordinator = host.nodes.get(coordRow.dbid);
  const dir = o.d as string | undefined;
  if (dir !== undefined && dir !== coordRow.datadir) {
    log.error(`gpstart error: Coordinator data directory ${dir} does not exist`);
    return log.done(2);
  }
  if (coordinator.up) {
    log.warn('postmaster.pid file exists on Coordinator, checking if recovery startup required');
    log.info('Commencing recovery startup checks');
    log.info(`Have lock file /tmp/.s.PGSQL.${coordRow.port} and a process running on port ${coordRow.port}`);
    log.error('gpstart error: Coordinator instance process running');
    return log.done(2);
  }
  const restricted = o.R === true;
  if (o.m) {
    log.warn('****************************************************************************');
    log.warn('Coordinator-only start requested. If a standby is configured, this command');
    log.warn('may lead to a split-brain condition and possible unrecoverable data loss.');
    log.warn('Maintenance mode should only be used with direction from Greenplum Support.');
    log.warn('****************************************************************************');
    if (o.a !== true && !log.confirm('Continue with coordinator-only startup')) return log.userAborted();
  }
  log.info(`Starting Coordinator instance in admin${restricted ? ' and RESTRICTED' : ''} mode`);
  log.info('Obtaining Greenplum Coordinator catalog information');
  log.info('Obtaining Segment details from coordinator...');
  log.info('Setting new coordinator era');
  log.info('Coordinator Started...');
  if (o.m) {
    // Coordinator only, gp_role=utility: it stays up for utility-mode connections (gpstop -m stops it).
    await host.restartNode(coordinator, { utilityOnly: true, restricted });
    return log.done(0);
  }
  log.info('Shutting down coordinator');
  const segments = rows.filter((r) => r.content >= 0);
  const skipped = segments.filter((r) => r.status === 'd');
  for (const r of skipped)
    log.warn(
      `Skipping startup of segment marked down in configuration: on ${r.hostname} directory ${r.datadir} <<<<<`,
    );
  const targets = segments.filter((r) => r.status === 'u');
  if (o.a !== true) {
    startSummary(log, coordRow, rows, o.y === true, targets);
    if (!log.confirm('Continue with Greenplum instance startup')) return log.userAborted();
  }
  const mirrored = segments.some((r) => r.role === 'm');
  log.info(
    `Commencing parallel ${mirrored ? 'primary and mirror ' : ''}segment instance startup, please wait...`,
  );
  const failed = await startAll(host, log, targets, coordRow.dbid, hostsAtOnce(o));
  log.info('Process results...');
  for (const r of targets.filter((x) => failed.has(x.dbid)))
    log.info(
      `DBID:${r.dbid}  FAILED  host:'${r.hostname}' datadir:'${r.datadir}' with reason:'${failed.get(r.dbid)}'`,
    );
  // A content is served by its primary, or by a mirror that was in sync.
  const covered = new Set(
    targets.filter((r) => !failed.has(r.dbid) && (r.role === 'p' || r.mode === 's')).map((r) => r.content),
  );
  const lost = [...new Set(segments.map((r) => r.content))].filter((c) => !covered.has(c));
  if (lost.length) {
    for (const c of lost) log.error(`No segment started for content: ${c}.`);
    log.info('Commencing parallel segment instance shutdown, please wait...');
    // pg_ctl stop -m fast with its default 120 s wait: a primary waiting for FTS (which only
    // a running coordinator has) would not stop on its own.
    await Promise.all(
      [...nodesOf(host, targets).values()].map((n) =>
        n.up ? stopWithin(host, n, 'fast', 120, 'gpstart') : undefined,
      ),
    );
    log.error('gpstart error: Do not have enough valid segments to start the array.');
    return log.done(2);
  }
  const started = targets.length - failed.size;
  log.info(DASHES);
  const FAILED = 'Failed segment starts';
  const SKIPPED = 'Skipped segment starts (segments are marked down in configuration)';
  logTable(
    log,
    [
      ['Successful segment starts', started],
      [FAILED, failed.size],
      [SKIPPED, skipped.length],
    ],
    new Set([...(failed.size ? [FAILED] : []), ...(skipped.length ? [SKIPPED] : [])]),
  );
  log.info(DASHES);
  const tail = started !== targets.length ? ' <<<<<<<<' : '';
  log.info(
    skipped.length
      ? `Successfully started ${started} of ${targets.length} segment instances, skipped ${skipped.length} other segments ${tail}`
      : `Successfully started ${started} of ${targets.length} segment instances ${tail}`,
  );
  log.info(DASHES);
  if (skipped.length) {
    log.warn('**************************************************************************');
    log.warn(`There are ${skipped.length} segment(s) marked down in the database`);
    log.warn('To recover from this current state, review usage of the gprecoverseg');
    log.warn('management utility which will recover failed segment instance databases.');
    log.warn('**************************************************************************');
  }
  log.info(
    `Starting Coordinator instance ${coordRow.hostname} directory ${coordRow.datadir} ${restricted ? 'in RESTRICTED mode' : ''}`,
  );
  await host.restartNode(coordinator, restricted ? { restricted } : undefined);
  log.info(`Command pg_ctl reports Coordinator ${coordRow.hostname} instance active`);
  log.info('Connecting to db template1 on host localhost');
  const standbyFailed = await startStandby(host, log, rows, o.y === true);
  if (standbyFailed) {
    log.warn('Standby Coordinator could not be started');
    return log.done(1);
  }
  if (failed.size) {
    log.warn(`Number of segments which failed to start:  ${failed.size}`);
    return log.done(1);
  }
  if (skipped.length) {
    log.warn(`Number of segments not attempted to start: ${skipped.length}`);
    log.info('Check status of database with gpstate utility');
    return log.done(0);
  }
  log.info('Database successfully started');
  return log.done(0);
}

/** Starts each target not running (primaries, then mirrors); the failures, with their reasons. */
async function startAll(
  host: MaintenanceHost,
  log: UtilityLog,
  targets: readonly SegmentConfig[],
  from: number,
  limits: BatchLimits,
): Promise<Map<number, string>> {
  const nodes = nodesOf(host, targets);
  const failed = new Map<number, string>();
  // A host the coordinator cannot reach gets no start (gpstart reaches hosts over ssh); FTS
  // then marks its instances down once the coordinator runs.
  const unreachable = new Set<string>();
  for (const r of targets)
    if (!host.reachable(from, r.dbid)) {
      unreachable.add(r.hostname);
      failed.set(r.dbid, `Host ${r.hostname} is unreachable`);
    }
  for (const h of unreachable) log.warn(`Host ${h} is unreachable`);
  for (const role of ['p', 'm'] as const)
    await runBatched(
      targets.filter((r) => r.role === role),
      (r) => r.hostname,
      limits,
      async (r) => {
        const n = nodes.get(r.dbid);
        if (!n) return void failed.set(r.dbid, 'no such instance');
        if (n.up || failed.has(r.dbid)) return;
        log.debug(
          `Running Command: pg_ctl -D ${r.datadir} -l ${r.datadir}/log/startup.log -w -t 600 start (dbid ${r.dbid} on ${r.hostname})`,
        );
        try {
          await host.restartNode(n);
        } catch (e) {
          failed.set(r.dbid, e instanceof Error ? e.message : String(e));
        }
      },
    );
  return failed;
}

/** True when a standby should have started and did not. */
async function startStandby(
  host: MaintenanceHost,
  log: UtilityLog,
  rows: readonly SegmentConfig[],
  skip: boolean,
): Promise<boolean> {
  const row = rows.find((r) => r.content === -1 && r.role === 'm');
  if (!row || skip) {
    log.info('No standby coordinator configured.  skipping...');
    return false;
  }
  log.info('Starting standby coordinator');
  log.info(
    `Checking if standby coordinator is running on host: ${row.hostname}  in directory: ${row.datadir}`,
  );
  const node = host.nodes.get(row.dbid);
  if (node.up) return false;
  try {
    await host.bootStandby(node);
    return false;
  } catch {
    log.warn('Could not start standby coordinator');
    return true;
  }
}

/** What gpstart will start, shown before it asks to go on. */
function startSummary(
  log: UtilityLog,
  coord: SegmentConfig,
  rows: readonly SegmentConfig[],
  noStandby: boolean,
  targets: readonly SegmentConfig[],
): void {
  log.info('--------------------------');
  log.info('Coordinator instance parameters');
  log.info('--------------------------');
  log.info('Database                 = template1');
  log.info(`Coordinator Port              = ${coord.port}`);
  log.info(`Coordinator directory         = ${coord.datadir}`);
  log.info('Timeout                  = 600 seconds');
  if (rows.some((r) => r.content === -1 && r.role === 'm'))
    log.info(`Coordinator standby start     = ${noStandby ? 'Off' : 'On'}`);
  else log.info('Coordinator standby           = Off ');
  segmentTable(log, 'Segment instances that will be started', targets);
}
