/**
 * gpstop: stops the cluster (coordinator, standby, primaries, then mirrors), the coordinator
 * alone (-m), one segment host for maintenance (--host: its primaries fail over to their
 * mirrors), or signals a configuration reload (-u). Options, checks, texts and exit codes follow
 * Greenplum 7's gpstop: 0 done, 1 a host not in the catalog, 2 bad options or a refusal,
 * nothing stopped.
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import type { UtilityResult } from '../node/api.ts';
import { runBatched, UtilityLog, type BatchLimits } from './host.ts';
import type { OptionValues } from './options.ts';
import type { OptionSpec } from './options.ts';
import { table } from './gpstate-instances.ts';
import {
  controlArgs,
  segmentTable,
  hostsAtOnce,
  DASHES,
  GP_VERSION_LINE,
  logTable,
  nodesOf,
  stopWithin,
  type MaintenanceHost,
  type ShutdownMode,
} from './maintenance.ts';
import { gpstart } from './gpstart.ts';

const OPTIONS: OptionSpec[] = [
  { names: ['-M', '--mode'], kind: 'string', key: 'M' },
  { names: ['-f', '--fast'], kind: 'flag', key: 'f' },
  { names: ['-i', '--immediate'], kind: 'flag', key: 'i' },
  { names: ['-s', '--smart'], kind: 'flag', key: 's' },
  { names: ['-z', '--force'], kind: 'flag', key: 'z' },
  { names: ['-r', '--restart'], kind: 'flag', key: 'r' },
  { names: ['-m', '--master_only', '-c', '--coordinator_only'], kind: 'flag', key: 'm' },
  { names: ['-y'], kind: 'flag', key: 'y' },
  { names: ['-u'], kind: 'flag', key: 'u' },
  { names: ['--host'], kind: 'string', key: 'host' },
  { names: ['--skipvalidation'], kind: 'flag', key: 'skipvalidation' },
];

const MODES: readonly ShutdownMode[] = ['fast', 'immediate', 'smart'];

function check(o: Record<string, unknown>): string | undefined {
  if (o.M !== undefined && !MODES.includes(o.M as ShutdownMode))
    return `option -M: invalid choice: '${String(o.M)}' (choose from 'fast', 'immediate', 'smart')`;
  if ((o.M === 'fast' || o.M === 'immediate') && (o.f || o.i))
    return "Can not mix --mode options with older deprecated '-f,-i,-s'";
  if (o.host !== undefined) {
    if (o.m) return "Incompatible flags. Cannot mix '--host' option with stopping coordinator-only.";
    if (o.r) return "Incompatible flags. Cannot mix '--host' option with '-r' for restart.";
    if (o.u) return "Incompatible flags. Cannot mix '--host' option with '-u' for config reload.";
    if (o.y) return "Incompatible flags. Cannot mix '--host' option with '-y' for skipping standby.";
  }
  const t = o.t as number | undefined;
  if (t !== undefined && t < 120 && !o.skipvalidation)
    return 'Invalid timeout value.  Must be greater than 120 seconds.';
  return undefined;
}

/** Options that take a value: what follows them is not a flag. */
const VALUE_SHORT = new Set(['M', 'B', 't', 'd', 'l']);
const VALUE_LONG = new Set([
  '--mode',
  '--parallel',
  '--timeout',
  '--host',
  '--logdir',
  '--coordinator_data_directory',
  '--master_data_directory',
]);

/** The mode the options ask for: -M, else the old flags (the last wins, -z is fast). */
function modeOf(o: Record<string, unknown>, argv: readonly string[]): ShutdownMode {
  if (o.M === 'fast' || o.M === 'immediate') return o.M;
  let mode: ShutdownMode = (o.M as ShutdownMode | undefined) ?? 'smart';
  const flagMode: Record<string, ShutdownMode> = { f: 'fast', z: 'fast', i: 'immediate', s: 'smart' };
  const longMode: Record<string, ShutdownMode> = {
    '--fast': 'fast',
    '--force': 'fast',
    '--immediate': 'immediate',
    '--smart': 'smart',
  };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    if (a.startsWith('--')) {
      mode = longMode[a] ?? mode;
      if (VALUE_LONG.has(a)) k++;
      continue;
    }
    if (!a.startsWith('-')) continue;
    // A cluster of short flags (-af): a flag that takes a value ends it (-Mfast, -t 300).
    for (let j = 1; j < a.length; j++) {
      const ch = a[j]!;
      if (VALUE_SHORT.has(ch)) {
        if (j === a.length - 1) k++;
        break;
      }
      mode = flagMode[ch] ?? mode;
    }
  }
  return mode;
}

export async function gpstop(host: MaintenanceHost, argv: string[], log: UtilityLog): Promise<UtilityResult> {
  const args = controlArgs('gpstop', OPTIONS, argv, log, check);
  if (!args.ok) return args.result;
  const o = args.o;
  const mode = modeOf(o, argv);
  const timeout = (o.t as number | undefined) ?? 120;
  log.info(`Starting gpstop with args: ${argv.join(' ')}`);
  log.info('Gathering information and validating the environment...');
  const coordinator = host.coordinatorNodeIfAny();
  if (!coordinator?.up) {
    log.error('gpstop error: postmaster.pid file does not exist.  is Greenplum instance already stopped?');
    return log.done(2);
  }
  log.info('Obtaining Greenplum Coordinator catalog information');
  log.info('Obtaining Segment details from coordinator...');
  const rows = await host.catalog();
  const coordRow = rows.find((r) => r.content === -1 && r.role === 'p')!;
  const dir = o.d as string | undefined;
  if (dir !== undefined && dir !== coordRow.datadir) {
    log.error(`gpstop error: postmaster.pid file does not exist.  is Greenplum instance already stopped?`);
    return log.done(2);
  }
  log.info(`Greenplum Version: '${GP_VERSION_LINE}'`);
  if (o.u) return reload(host, log, rows);
  if (o.host !== undefined) return stopHost(host, log, rows, o.host as string, mode, timeout, o);
  const standbyRow = rows.find((r) => r.content === -1 && r.role === 'm');
  const segments = rows.filter((r) => r.content >= 0);
  if (!o.a) {
    coordinatorSummary(log, coordRow, mode, timeout, standbyRow && !o.y, o.m ? [] : segments);
    if (!log.confirm('Continue with Greenplum instance shutdown')) return log.userAborted();
  }
  const waited = await smartWait(host, log, mode, timeout);
  if (waited) return log.done(2);
  await stopCoordinator(host, log, coordRow, mode);
  if (o.m) return log.done(0);
  if (!o.y) {
    if (!standbyRow) log.info('No standby coordinator host configured');
    else {
      const standby = host.nodes.nodes.get(standbyRow.dbid);
      if (!standby?.up) log.warn('Standby is unreachable, skipping shutdown on standby');
      else {
        log.info(`Stopping coordinator standby host ${standbyRow.hostname} mode=${mode}`);
        await host.shutdownNode(standby, mode, 'gpstop');
        log.info(`Successfully shutdown standby process on ${standbyRow.hostname}`);
      }
    }
  }
  if (!(await stopSegments(host, log, rows, segments, mode, hostsAtOnce(o), timeout))) return log.done(2);
  log.info('Database successfully shutdown with no errors reported');
  if (!o.r) return log.done(0);
  log.info('Restarting System...');
  const restarted = await gpstart(host, ['-a', ...(o.y ? ['-y'] : [])], new UtilityLog('gpstart', log.host));
  if (restarted.exitCode !== 0) {
    log.critical(`Error occurred: non-zero rc: ${restarted.exitCode}`);
    log.raw(` Command was: '$GPHOME/bin/gpstart -a -d ${coordRow.datadir}'`);
    return log.done(2);
  }
  return log.done(0);
}

function coordinatorSummary(
  log: UtilityLog,
  coord: SegmentConfig,
  mode: ShutdownMode,
  timeout: number,
  standby: boolean | undefined,
  segments: readonly SegmentConfig[],
): void {
  log.info('---------------------------------------------');
  log.info('Coordinator instance parameters');
  log.info('---------------------------------------------');
  logTable(log, [
    ['Database', 'template1'],
    ['Coordinator port', coord.port],
    ['Coordinator directory', coord.datadir],
    ['Shutdown mode', mode],
    ['Timeout', timeout],
    ['Shutdown Coordinator standby host', standby ? 'On' : 'Off'],
  ]);
  if (!segments.length) return;
  segmentTable(log, 'Segment instances that will be shutdown:', segments);
}

/**
 * Smart mode waits up to -t seconds for the coordinator's client sessions to end. Greenplum then
 * asks whether to go on waiting or stop fast or immediate; the lab cannot ask, so it stops
 * there with nothing stopped and says what to run. True when it gave up.
 */
async function smartWait(
  host: MaintenanceHost,
  log: UtilityLog,
  mode: ShutdownMode,
  timeout: number,
): Promise<boolean> {
  if (mode !== 'smart' || host.userSessions() === 0) return false;
  const sessions = host.userSessions();
  log.info('Stopping coordinator segment and waiting for user connections to finish ...');
  const deadline = host.clock.now() + timeout * host.msPerClusterSecond;
  while (host.userSessions() > 0 && host.clock.now() < deadline) await host.clock.sleep(20);
  if (host.userSessions() === 0) return false;
  log.warn('Smart mode failed to shutdown the coordinator.');
  log.warn(
    `  There were ${sessions} user connections at the start of the shutdown. Note: These connections may be outdated.`,
  );
  log.info('Continue waiting in smart mode, stop in fast mode, or stop in immediate mode.');
  log.error(
    'gpstop cannot ask for a choice here: nothing was stopped. Close the sessions and run gpstop again, or run gpstop -M fast (their transactions are rolled back).',
  );
  return true;
}

async function stopCoordinator(
  host: MaintenanceHost,
  log: UtilityLog,
  coord: SegmentConfig,
  mode: ShutdownMode,
): Promise<void> {
  log.info(`Commencing Coordinator instance shutdown with mode='${mode}'`);
  log.info(`Coordinator segment instance directory=${coord.datadir}`);
  await host.shutdownNode(host.nodes.get(coord.dbid), mode, 'gpstop');
  log.info('Attempting forceful termination of any leftover coordinator process');
}

/**
 * Primaries first, then mirrors (each in parallel), and the summary Greenplum prints. Each stop
 * is pg_ctl -w -t `timeout`: a segment still shutting down after that many seconds (of cluster
 * time) is a failure, reported with Greenplum's lines; gpstop then exits 2. Returns whether
 * every segment stopped in time.
 */
async function stopSegments(
  host: MaintenanceHost,
  log: UtilityLog,
  rows: readonly SegmentConfig[],
  targets: readonly SegmentConfig[],
  mode: ShutdownMode,
  limits: BatchLimits,
  timeout: number,
): Promise<boolean> {
  const nodes = nodesOf(host, targets);
  log.info(`Targeting dbid [${targets.map((r) => r.dbid).join(', ')}] for shutdown`);
  const mirrored = rows.some((r) => r.content >= 0 && r.role === 'm');
  const phases = mirrored
    ? [
        ['primary ', targets.filter((r) => r.role === 'p')],
        ['mirror ', targets.filter((r) => r.role === 'm')],
      ]
    : [['', [...targets]]];
  const timedOut: SegmentConfig[] = [];
  for (const [label, list] of phases as [string, SegmentConfig[]][]) {
    if (!list.length) continue;
    log.info(`Commencing parallel ${label}segment instance shutdown, please wait...`);
    log.info('0.00% of jobs completed');
    await runBatched(
      list,
      (r) => r.hostname,
      limits,
      async (r) => {
        const n = nodes.get(r.dbid);
        log.debug(
          `Running Command: pg_ctl -D ${r.datadir} -m ${mode} -w -t ${timeout} stop (dbid ${r.dbid} on ${r.hostname})`,
        );
        if (!n?.up) return;
        if (await stopWithin(host, n, mode, timeout, 'gpstop')) return;
        timedOut.push(r);
        log.warn(
          `dbid ${r.dbid} on ${r.hostname} was still shutting down after ${timeout} seconds: the lab stopped it immediately (pg_ctl stop -m immediate)`,
        );
      },
    );
    log.info('100.00% of jobs completed');
  }
  const down = targets.filter((r) => r.status === 'd').length;
  const all = rows.filter((r) => r.content >= 0).length;
  const failed = timedOut.length;
  if (failed) {
    log.info('-'.repeat(48));
    log.info('Failed Segment Stop Information ');
    log.info('-'.repeat(48));
    for (const r of timedOut)
      log.info(
        `DBID:${r.dbid}  FAILED  host:'${r.hostname}' datadir:'${r.datadir}' with reason:'pg_ctl: server does not shut down'`,
      );
  }
  log.info(DASHES);
  const entries: [string, number][] = [
    ['Segments stopped successfully', targets.length - failed],
    ['Segments with errors during stop', failed],
  ];
  if (down) entries.push(['Segments that are currently marked down in configuration', down]);
  logTable(log, entries, new Set(['Segments that are currently marked down in configuration']));
  if (down) log.info('         (stop was still attempted on these segments)');
  log.info(DASHES);
  if (!failed) {
    log.info(`Successfully shutdown ${targets.length} of ${all} segment instances `);
    return true;
  }
  log.warn(`Successfully shutdown ${targets.length - failed} of ${all} segment instances <<<<<<<<`);
  log.warn('Segment instance shutdown failures reported');
  log.warn(`Failed to shutdown ${failed} of ${all} segment instances <<<<<`);
  log.warn(`${failed} segments did not complete their shutdown in the allowed`);
  log.warn(`timeout of ${timeout} seconds.  These segments are still in the process`);
  log.warn('of shutting down.  You will not be able to restart the database');
  log.warn('until all processes have terminated.');
  log.warn(`A total of ${failed} errors were encountered`);
  log.warn('Review logfile ~/gpAdminLogs/gpstop.log');
  log.warn('For more details on segment shutdown failure(s)');
  return false;
}

/**
 * -u: every running instance re-reads its postgresql.conf (pg_ctl reload). What each applied,
 * left for a restart or could not read goes to its server log (the lab's event log).
 */
async function reload(
  host: MaintenanceHost,
  log: UtilityLog,
  rows: readonly SegmentConfig[],
): Promise<UtilityResult> {
  log.info('Signalling all postmaster processes to reload');
  const up = rows.filter((r) => host.nodes.nodes.get(r.dbid)?.up);
  await Promise.all(
    up.map(async (r) => {
      const result = await host.reloadConfig(host.nodes.get(r.dbid));
      host.emit({ kind: 'config.reload', dbid: r.dbid, ...result });
    }),
  );
  const down = rows.filter((r) => !host.nodes.nodes.get(r.dbid)?.up);
  if (!down.length) return log.done(0);
  log.info('--------------------------------------------');
  log.info('Some segment postmasters were not reloaded');
  log.info('--------------------------------------------');
  for (const line of table([
    ['Host', 'Datadir', 'Port', 'Status'],
    ...down.map((r) => [r.hostname, r.datadir, String(r.port), 'd']),
  ]))
    log.info(`   ${line}`);
  log.info('--------------------------------------------');
  return log.done(1);
}

/**
 * --host: stops the segments on one host for maintenance. Refused when that would stop the
 * coordinator, leave a content with no copy, or stop a primary whose mirror is not in sync.
 */
async function stopHost(
  host: MaintenanceHost,
  log: UtilityLog,
  rows: readonly SegmentConfig[],
  name: string,
  mode: ShutdownMode,
  timeout: number,
  o: OptionValues,
): Promise<UtilityResult> {
  const hosts = [...new Set(rows.map((r) => r.hostname))];
  if (!hosts.includes(name)) {
    log.error(`host '${name}' is not found in gp_segment_configuration`);
    log.error(`hosts in cluster config: [${hosts.map((h) => `'${h}'`).join(', ')}]`);
    return log.done(1);
  }
  const refuse = (reason: string) => {
    log.critical(`gpstop failed. (Reason='${reason}') exiting...`);
    return log.done(2);
  };
  if (rows.some((r) => r.content === -1 && r.hostname === name))
    return refuse(
      `Specified host '${name}' has the coordinator or standby coordinator on it. This node can only be stopped as part of a full-cluster gpstop, without '--host'.`,
    );
  if (!rows.some((r) => r.content >= 0 && r.role === 'm'))
    return refuse('Cannot perform host-specific gpstop on a cluster without segment mirroring.');
  const onHost = rows.filter((r) => r.content >= 0 && r.hostname === name && r.status === 'u');
  const seg = (r: SegmentConfig) => `${r.hostname}:${r.datadir}:content=${r.content}:dbid=${r.dbid}`;
  for (const r of onHost) {
    const peer = onHost.find((x) => x.content === r.content && x.dbid !== r.dbid);
    if (peer && r.role === 'p')
      return refuse(
        `Segment host '${name}' has both of corresponding primary '${seg(r)}' and mirror '${seg(peer)}'. Aborting.`,
      );
  }
  const unsynced = onHost.find((r) => r.mode !== 's');
  if (unsynced) return refuse(`Segment '${seg(unsynced)}' not synchronized. Aborting.`);
  const coordRow = rows.find((r) => r.content === -1 && r.role === 'p')!;
  if (!o.a) {
    coordinatorSummary(log, coordRow, mode, timeout, false, onHost);
    if (!log.confirm('Continue with Greenplum instance shutdown')) return log.userAborted();
  }
  if (!(await stopSegments(host, log, rows, onHost, mode, hostsAtOnce(o), timeout))) return log.done(2);
  log.info('Database successfully shutdown with no errors reported');
  log.info('Recognizing new cluster state...');
  await host.requestProbe();
  return log.done(0);
}
