/**
 * gpinitstandby (add, -r remove, -n restart a standby coordinator) and gpactivatestandby
 * (promote the standby when the coordinator has failed), with Greenplum's checks and messages
 * (greenplum-ha.md §3.4, §3.5).
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import type { DataDirectory, UtilityResult } from '../node/api.ts';
import type { ClusterNode } from '../node/nodes.ts';
import type { UtilityLog } from './host.ts';
import { updateCatalog, type UtilityHost, utilityArgs } from './host.ts';
import type { OptionSpec } from './options.ts';
import {
  backupDirectoryName,
  portOrDirectoryClash,
  validDatadir,
  validHostname,
  validPort,
} from '../topology/config-files.ts';

const INITSTANDBY_OPTIONS: OptionSpec[] = [
  { names: ['-s'], kind: 'string' },
  { names: ['-P'], kind: 'int' },
  { names: ['-S'], kind: 'string' },
  { names: ['-r'], kind: 'flag' },
  { names: ['-n'], kind: 'flag' },
  { names: ['-a'], kind: 'flag' },
  { names: ['-q'], kind: 'flag' },
  { names: ['-D'], kind: 'flag' },
  { names: ['-l'], kind: 'string' },
  { names: ['--hba-hostnames'], kind: 'flag' },
];

const ACTIVATE_OPTIONS: OptionSpec[] = [
  { names: ['-d'], kind: 'string' },
  { names: ['-f'], kind: 'flag' },
  { names: ['-a'], kind: 'flag' },
  { names: ['-q'], kind: 'flag' },
  { names: ['-v'], kind: 'flag' },
  { names: ['-l'], kind: 'string' },
];

/** What the standby utilities need beyond the common host. */
export interface StandbyHost extends UtilityHost {
  /** Every data directory on the hosts, until it is removed: a retire leaves the files. */
  dataDirectories(): Promise<DataDirectory[]>;
  /** A retired instance's data directory removed (rm -rf, its disk wiped) or, with `to`, moved (mv). */
  removeDataDirectory(dbid: number, to?: string): Promise<void>;
  /** The standby coordinator's node and catalog row, if one is configured. */
  standby(): { node: ClusterNode; row: SegmentConfig } | undefined;
  /** The coordinator node that is (or was last) acting. */
  coordinatorNodeIfAny(): ClusterNode | undefined;
  createStandby(row: SegmentConfig): Promise<ClusterNode>;
  bootStandby(node: ClusterNode): Promise<void>;
  retire(node: ClusterNode): void;
  /** A new mirror instance: base backup from its content's primary, started, streaming. */
  addMirror(row: SegmentConfig): Promise<void>;
  /**
   * A new primary instance (gpexpand): initdb on a new disk, started as its row says. Its
   * content holds no table files until a table is created or expanded onto it.
   */
  addPrimary(row: SegmentConfig): Promise<void>;
  /** Stops an instance that is leaving the cluster for good and forgets it (gpexpand -r). */
  removeInstance(node: ClusterNode): Promise<void>;
  /** pg_ctl promote on the standby coordinator. */
  promoteStandby(node: ClusterNode): Promise<void>;
}

export async function gpinitstandby(
  host: StandbyHost,
  argv: string[],
  log: UtilityLog,
): Promise<UtilityResult> {
  const args = utilityArgs('gpinitstandby', INITSTANDBY_OPTIONS, argv, { log });
  if (!args.ok) return args.result;
  const o = args.o;
  const target = o.s as string | undefined;
  const port = o.P as number | undefined;
  const dir = o.S as string | undefined;
  const remove = o.r === true;
  const restart = o.n === true;
  const refuse = (msg: string) => {
    log.error(msg);
    return log.done(2);
  };
  if (target !== undefined && restart) return refuse('Options -s and -n cannot be specified together.');
  if (dir !== undefined && restart) return refuse('Options -S and -n cannot be specified together.');
  if (target !== undefined && remove) return refuse('Options -s and -r cannot be specified together.');
  if (remove && restart) return refuse('Options -r and -n cannot be specified together.');
  if (remove && (port !== undefined || dir !== undefined))
    return refuse('Options -P and -S only apply with -s (a new standby); -r removes the configured one.');
  if (target === undefined && !remove && !restart) return refuse('No action provided in the options.');
  if (target !== undefined && !validHostname(target))
    return refuse(`Unable to ping new standby host ${target}: not a valid host name`);
  if (port !== undefined && !validPort(String(port)))
    return refuse(`Invalid port ${port} given with -P: a port is between 1 and 65535`);
  if (dir !== undefined && !validDatadir(dir))
    return refuse(`Path given with -S is invalid; it must be a full path.  Path: '${dir}'`);
  const qd = host.coordinator();
  await qd.refreshConfig();
  const coordinatorRow = qd.config.find((c) => c.content === -1 && c.role === 'p')!;
  const existing = host.standby();

  if (remove) {
    if (!existing) {
      log.error('Request made to remove warm coordinator standby, but no standby located.');
      log.error('Error removing standby coordinator: no standby configured');
      return log.done(2);
    }
    initStandbySummary(log, coordinatorRow, existing.row, true);
    if (o.a !== true && !log.confirm('Do you want to continue with deleting the standby coordinator?')) {
      log.error('Error removing standby coordinator: User canceled');
      return log.done(2);
    }
    log.info('Removing standby coordinator from catalog...');
    await updateCatalog(host, (tx) => qd.catalog.removeSegment(tx, existing.row.dbid));
    log.info('Database catalog updated successfully.');
    if (existing.node.up) {
      log.info(`Stopping standby coordinator on ${existing.row.hostname}`);
      await host.stopNode(existing.node, 'gpinitstandby -r');
    }
    host.retire(existing.node);
    qd.replication?.stop();
    log.info('Removing data directory on standby coordinator...');
    await host.removeDataDirectory(existing.row.dbid);
    log.info('Successfully removed standby coordinator');
    return log.done(0);
  }

  if (restart) {
    if (!existing) {
      log.error('Cannot use -n option when standby coordinator has not yet been configured');
      return log.done(2);
    }
    if (existing.node.up) {
      log.info('Standy coordinator is already up and running');
      return log.done(0);
    }
    await host.bootStandby(existing.node);
    log.info('Successfully started standby coordinator');
    return log.done(0);
  }

  const failed = (reason: string, ...hints: string[]) => {
    log.error('Failed to create standby');
    for (const h of hints) log.error(h);
    log.error(`Error initializing standby coordinator: ${reason}`);
    return log.done(2);
  };
  if (existing)
    return failed(
      'standby coordinator already configured',
      'Standby coordinator already configured',
      'If you want to start the stopped standby coordinator, use the -n option',
    );
  const newPort = port ?? coordinatorRow.port;
  const newDir = dir ?? coordinatorRow.datadir;
  log.info('Validating environment and parameters for standby initialization...');
  log.info(`Checking for data directory ${newDir} on ${target}`);
  // Any instance's directory, the coordinator's own or one a retired instance left (the old
  // coordinator's after gpactivatestandby): Greenplum never initializes over existing files.
  const onTarget = (await host.dataDirectories()).filter((d) => d.hostname === target);
  const taken = onTarget.find((d) => d.datadir === newDir);
  if (taken)
    return failed(
      'coordinator data directory exists',
      `Data directory already exists on host ${target}`,
      ...(target === coordinatorRow.hostname
        ? [
            'If you want to initialize a new standby on the same host as the coordinator (not recommended), use -S and -P to specify a new data directory and port',
          ]
        : taken.retired
          ? [
              `It holds the files of dbid ${taken.dbid}, no longer in the configuration: move it away (ssh ${target} mv ${newDir} ${backupDirectoryName(newDir, (path) => onTarget.some((d) => d.datadir === path))}) or remove it (ssh ${target} rm -rf ${newDir}), or give another directory with -S`,
            ]
          : []),
    );
  if (target === coordinatorRow.hostname && newPort === coordinatorRow.port)
    return failed('cannot create standby on the same host and port');
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
  // A segment on that host with the same port or directory: the standby could never start.
  const clash = portOrDirectoryClash(qd.config, [row]);
  if (clash) return failed(`the standby cannot share a port or a data directory on ${target}: ${clash}`);
  initStandbySummary(log, coordinatorRow, row, false);
  if (o.a !== true && !log.confirm('Do you want to continue with standby coordinator initialization?')) {
    log.error('Failed to create standby');
    log.error('Error initializing standby coordinator: User canceled');
    return log.done(2);
  }
  log.info(`Adding standby coordinator to catalog...`);
  await updateCatalog(host, (tx) => qd.catalog.insertSegment(tx, row));
  log.info('Database catalog updated successfully.');
  log.info('Starting standby coordinator');
  try {
    log.debug(
      `Running Command: pg_basebackup -D ${row.datadir} --target-gp-dbid ${row.dbid} -X stream --write-recovery-conf (on ${row.hostname})`,
    );
    await host.createStandby(row);
  } catch (e) {
    log.error(`Error initializing standby coordinator: ${(e as Error).message}`);
    await updateCatalog(host, (tx) => qd.catalog.removeSegment(tx, dbid));
    return log.done(2);
  }
  log.info(`Successfully created standby coordinator on ${target}`);
  return log.done(0);
}

/** gpinitstandby's print_summary: what it will add or remove, shown before it asks. */
function initStandbySummary(
  log: UtilityLog,
  coordinator: SegmentConfig,
  standby: SegmentConfig,
  removing: boolean,
): void {
  log.info('-----------------------------------------------------');
  log.info(
    removing
      ? 'Warm coordinator standby removal parameters'
      : 'Greenplum standby coordinator initialization parameters',
  );
  log.info('-----------------------------------------------------');
  log.info(`Greenplum coordinator hostname               = ${coordinator.hostname}`);
  log.info(`Greenplum coordinator data directory         = ${coordinator.datadir}`);
  log.info(`Greenplum coordinator port                   = ${coordinator.port}`);
  log.info(`Greenplum standby coordinator hostname       = ${standby.hostname}`);
  log.info(`Greenplum standby coordinator port           = ${standby.port}`);
  log.info(`Greenplum standby coordinator data directory = ${standby.datadir}`);
  if (!removing) log.info('Greenplum update system catalog         = On');
}

export async function gpactivatestandby(
  host: StandbyHost,
  argv: string[],
  log: UtilityLog,
): Promise<UtilityResult> {
  const args = utilityArgs('gpactivatestandby', ACTIVATE_OPTIONS, argv, {
    log,
    positional: (a) => `Unknown arguments: ${a.join(' ')}`,
  });
  if (!args.ok) return args.result;
  const o = args.o;
  const dir = o.d as string | undefined;
  const force = o.f === true;
  const standby = host.standby();
  if (!standby) {
    log.error('No standby coordinator configured');
    return log.done(2);
  }
  // Run on the standby host, with COORDINATOR_DATA_DIRECTORY pointing at its data directory.
  const datadir = dir ?? standby.row.datadir;
  if (datadir !== standby.row.datadir) {
    log.error(`Critical required file on standby "${datadir}/standby.signal" is not present.`);
    return log.done(2);
  }
  const old = host.coordinatorNodeIfAny();
  log.info('------------------------------------------------------');
  log.info(`Standby data directory    = ${datadir}`);
  log.info(`Standby port              = ${standby.row.port}`);
  log.info(`Standby running           = ${standby.node.up ? 'yes' : 'no'}`);
  log.info(`Force standby activation  = ${force ? 'yes' : 'no'}`);
  log.info('------------------------------------------------------');
  if (old?.up) {
    // Whatever -f says: two coordinators must never act at once.
    // Run on the standby's host: the coordinator's catalog is not at hand, its node is.
    log.warn(`Appears that there is an active postgres process on ${old.host} port=${standby.row.port}`);
    log.warn('Need to stop current coordinator before activating the standby.');
    log.critical('Error activating standby coordinator: Active postgres process on coordinator');
    return log.done(2);
  }
  if (!standby.node.up) {
    if (!force) {
      log.warn('If you wish to continue you must use the -f option to force');
      log.warn('the activation process.');
      log.critical('Error activating standby coordinator: Force activation required');
      return log.done(2);
    }
  }
  if (o.a !== true && !log.confirm('Do you want to continue with standby coordinator activation?')) {
    log.critical('Error activating standby coordinator: User canceled');
    return log.done(2);
  }
  if (!standby.node.up) await host.bootStandby(standby.node);
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
  return log.done(0);
}
