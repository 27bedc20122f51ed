/**
 * gpinitstandby (add, -r remove, -n restart a standby coordinator) and gpactivatestandby
 * (promote the standby when the coordinator has failed), with Greenplum's checks and messages
 * (greenplum-ha.md §3.4, §3.5).
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import type { UtilityResult } from '../cluster/api.ts';
import type { InstanceNode } from '../cluster/nodes.ts';
import { updateCatalog, UtilityLog, type UtilityHost } from './host.ts';

/** What the standby utilities need beyond the common host. */
export interface StandbyHost extends UtilityHost {
  /** The standby coordinator's node and catalog row, if one is configured. */
  standby(): { node: InstanceNode; row: SegmentConfig } | undefined;
  /** The coordinator node that is (or was last) acting. */
  coordinatorNodeIfAny(): InstanceNode | undefined;
  createStandby(row: SegmentConfig): Promise<InstanceNode>;
  bootStandby(node: InstanceNode): Promise<void>;
  retire(node: InstanceNode): void;
  /** A new mirror instance: base backup from its content's primary, started, streaming. */
  addMirror(row: SegmentConfig): Promise<void>;
  /** pg_ctl promote on the standby coordinator. */
  promoteStandby(node: InstanceNode): Promise<void>;
}

const done = (log: UtilityLog, exitCode: number): UtilityResult => ({
  exitCode,
  stdout: log.stdout,
  stderr: log.stderr,
});

export async function gpinitstandby(host: StandbyHost, argv: string[]): Promise<UtilityResult> {
  const log = new UtilityLog('gpinitstandby');
  let target: string | undefined;
  let port: number | undefined;
  let dir: string | undefined;
  let remove = false;
  let restart = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-s') target = argv[++i];
    else if (a === '-P') port = Number(argv[++i]);
    else if (a === '-S') dir = argv[++i];
    else if (a === '-r') remove = true;
    else if (a === '-n') restart = true;
    else if (['-a', '-q', '-D', '--hba-hostnames'].includes(a)) continue;
    else if (a === '-ar' || a === '-ra') remove = true;
    else if (a === '-l') i++;
    else return { exitCode: 2, stdout: '', stderr: `gpinitstandby: error: no such option: ${a}\n` };
  }
  if ([target !== undefined, remove, restart].filter(Boolean).length !== 1) {
    log.error('Exactly one of -s, -r and -n must be given.');
    return done(log, 2);
  }
  const qd = host.coordinator();
  await qd.refreshConfig();
  const coordinatorRow = qd.config.find((c) => c.content === -1 && c.role === 'p')!;
  const existing = host.standby();

  if (remove) {
    if (!existing) {
      log.error('No standby coordinator configured');
      return done(log, 2);
    }
    log.info('Removing standby coordinator from catalog...');
    await updateCatalog(host, (tx) => qd.catalog.removeSegment(tx, existing.row.dbid));
    if (existing.node.up) await host.stopNode(existing.node, 'gpinitstandby -r');
    host.retire(existing.node);
    qd.replication?.stop();
    log.info('Successfully removed standby coordinator');
    return done(log, 0);
  }

  if (restart) {
    if (!existing) {
      log.error('No standby coordinator configured');
      return done(log, 2);
    }
    if (existing.node.up) {
      log.info('Standy coordinator is already up and running');
      return done(log, 0);
    }
    await host.bootStandby(existing.node);
    log.info('Successfully started standby coordinator');
    return done(log, 0);
  }

  if (existing) {
    log.error('Error initializing standby coordinator: only a single master standby may be defined');
    return done(log, 2);
  }
  const newPort = port ?? coordinatorRow.port;
  const newDir = dir ?? coordinatorRow.datadir;
  if (target === coordinatorRow.hostname && newPort === coordinatorRow.port) {
    log.error('cannot create standby on the same host and port');
    return done(log, 2);
  }
  if (target === coordinatorRow.hostname && newDir === coordinatorRow.datadir) {
    log.error('coordinator data directory exists');
    log.error('use -S and -P to specify a new data directory and port');
    return done(log, 2);
  }
  const dbid = Math.max(...qd.config.map((c) => c.dbid)) + 1;
  const row: SegmentConfig = {
    dbid,
    content: -1,
    role: 'm',
    preferred_role: 'm',
    mode: 's',
    status: 'u',
    port: newPort,
    hostname: target!,
    address: target!,
    datadir: newDir,
  };
  log.info('Validating environment and parameters for standby initialization...');
  log.info(`Adding standby coordinator to catalog...`);
  await updateCatalog(host, (tx) => qd.catalog.insertSegment(tx, row));
  log.info('Database catalog updated successfully.');
  log.info('Starting standby coordinator');
  try {
    await host.createStandby(row);
  } catch (e) {
    log.error(`Error initializing standby coordinator: ${(e as Error).message}`);
    await updateCatalog(host, (tx) => qd.catalog.removeSegment(tx, dbid));
    return done(log, 2);
  }
  log.info(`Successfully created standby coordinator on ${target}`);
  return done(log, 0);
}

export async function gpactivatestandby(host: StandbyHost, argv: string[]): Promise<UtilityResult> {
  const log = new UtilityLog('gpactivatestandby');
  let dir: string | undefined;
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-d') dir = argv[++i];
    else if (a === '-f') force = true;
    else if (a === '-af' || a === '-fa') force = true;
    else if (['-a', '-q', '-v'].includes(a)) continue;
    else if (a === '-l') i++;
    else return { exitCode: 2, stdout: '', stderr: `gpactivatestandby: error: no such option: ${a}\n` };
  }
  const standby = host.standby();
  if (!standby) {
    log.error('No standby coordinator configured');
    return done(log, 2);
  }
  // Run on the standby host, with COORDINATOR_DATA_DIRECTORY pointing at its data directory.
  const datadir = dir ?? standby.row.datadir;
  if (datadir !== standby.row.datadir) {
    log.error(`Critical required file on standby "${datadir}/standby.signal" is not present.`);
    return done(log, 2);
  }
  const old = host.coordinatorNodeIfAny();
  log.info('------------------------------------------------------');
  log.info(`Standby data directory    = ${datadir}`);
  log.info(`Standby port              = ${standby.row.port}`);
  log.info(`Standby running           = ${standby.node.up ? 'yes' : 'no'}`);
  log.info(`Force standby activation  = ${force ? 'yes' : 'no'}`);
  log.info('------------------------------------------------------');
  if (old?.up) {
    if (!force) {
      log.error('Active postgres process on coordinator');
      log.error('Need to stop current coordinator before activating the standby.');
      return done(log, 2);
    }
    // Forced: the old coordinator is stopped first, so two coordinators never act at once.
    await host.stopNode(old, 'gpactivatestandby -f');
  }
  if (!standby.node.up) {
    if (!force) {
      log.error('If you wish to continue you must use the -f option to force the activation process.');
      log.error('Force activation required');
      return done(log, 2);
    }
    await host.bootStandby(standby.node);
  }
  log.info('Promoting standby...');
  await host.promoteStandby(standby.node);
  if (old) host.retire(old);
  log.info('Standby coordinator is promoted');
  log.info('------------------------------------------------------');
  log.info(`The activation of the standby coordinator has completed successfully.`);
  log.info(`${standby.row.hostname} is now the new primary coordinator.`);
  log.info('You will need to update your user access mechanism to reflect');
  log.info('the change of coordinator hostname.');
  log.info('Do not re-start the failed coordinator while the fail-over coordinator is');
  log.info('operational, this could result in database corruption!');
  log.info('------------------------------------------------------');
  return done(log, 0);
}
