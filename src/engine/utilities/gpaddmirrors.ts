/**
 * gpaddmirrors: adds a mirror to every primary of a mirrorless cluster, placed as gpaddmirrors
 * places them (group by default, -s spread, -p port offset) in the data directory locations it
 * asks for (or reads from -m), or as an -i file says. The new
 * mirrors enter the catalog as (m, m, n, d), are built by base backups while the primaries keep
 * serving, and turn (u, s) once they stream and FTS has seen them.
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import type { UtilityResult } from '../node/api.ts';
import { markResynchronizing } from './recover-filerep.ts';
import { mirrorOffsetProblem, placeMirrorsForExisting } from '../topology/mirror-placement.ts';
import type { UtilityLog } from './host.ts';
import {
  batchLimits,
  checkBatchSizes,
  instanceRows,
  logFailure,
  logTable,
  NoStackTraceError,
  ProgramArgumentError,
  UserInputError,
  runBatched,
  triggerFtsProbe,
  updateCatalog,
  utilityArgs,
  wrongCoordinatorDir,
} from './host.ts';
import type { OptionSpec, OptionValues } from './options.ts';
import {
  checkLocation,
  meaningfulLines,
  normalizePath,
  portOrDirectoryClash,
  validDatadir,
} from '../topology/config-files.ts';

const OPTIONS: OptionSpec[] = [
  { names: ['-a'], kind: 'flag' },
  { names: ['-s'], kind: 'flag' },
  { names: ['-p'], kind: 'int' },
  { names: ['-i'], kind: 'string' },
  { names: ['-o'], kind: 'string' },
  { names: ['-m'], kind: 'string' },
  { names: ['-B'], kind: 'int' },
  { names: ['-b'], kind: 'int' },
  { names: ['-d'], kind: 'string' },
  { names: ['-l'], kind: 'string' },
  { names: ['-v', '--verbose'], kind: 'flag', key: 'v' },
  { names: ['-q'], kind: 'flag' },
  { names: ['--hba-hostnames'], kind: 'flag' },
];
import type { StandbyHost } from './standby.ts';

export async function gpaddmirrors(
  host: StandbyHost,
  argv: string[],
  files: Map<string, string>,
  log: UtilityLog,
): Promise<UtilityResult> {
  const args = utilityArgs('gpaddmirrors', OPTIONS, argv, { check: addmirrorsRefusals, log });
  if (!args.ok) return args.result;
  const opts = args.o;
  const offset = (opts.p as number | undefined) ?? 1000;
  const spread = opts.s === true;
  const input = opts.i as string | undefined;
  const output = opts.o as string | undefined;
  const qd = host.coordinator();
  await qd.refreshConfig();
  const config = qd.config;
  log.info(`Starting gpaddmirrors with args: ${argv.join(' ')}`);
  const wrongDir = wrongCoordinatorDir(opts, config);
  if (wrongDir) {
    log.error(wrongDir);
    return log.done(2);
  }
  log.info('Heap checksum setting consistent across cluster');
  let mirrors: SegmentConfig[];
  try {
    if (input !== undefined) mirrors = fromFile(config, files.get(input), input);
    else {
      const hosts = [...new Set(config.filter((c) => c.content >= 0).map((c) => c.hostname))];
      // Checked before the directories are asked for, in Greenplum's order.
      const offsetProblem = mirrorOffsetProblem(config, offset);
      if (offsetProblem) throw new ProgramArgumentError(offsetProblem);
      if (config.some((c) => c.content >= 0 && c.role === 'm')) throw new NoStackTraceError(ALREADY_MIRRORED);
      const dirs = mirrorDataDirectories(config, opts.m as string | undefined, files, log);
      mirrors = placeMirrorsForExisting(config, hosts, spread ? 'spread' : 'group', offset, {
        mirrorDataDirectories: dirs,
      }).mirrors;
    }
  } catch (e) {
    if (e instanceof UserInputError) throw e;
    return logFailure(log, e as Error);
  }
  if (output !== undefined) {
    files.set(
      output,
      mirrors.map((m) => `${m.content}|${m.address}|${m.port}|${m.datadir}`).join('\n') + '\n',
    );
    log.info(`Configuration file output to ${output} successfully.`);
    return log.done(0);
  }
  showAddMirrors(log, config, mirrors, batchLimits(opts));
  if (opts.a !== true && !log.confirm('Continue with add mirrors procedure')) return log.userAborted();
  // GpMirrorListToBuild.add_mirrors' steps, in its words. (Its pg_hba.conf update before them is
  // left out: the lab has no pg_hba.conf, and replication connections are always allowed.)
  log.info(`${mirrors.length} segment(s) to add`);
  log.info('Setting up the required segments for recovery');
  log.info('Updating configuration for mirrors');
  // Catalog first: each mirror (m, m, n, d), its primary not in sync.
  await updateCatalog(host, async (tx) => {
    for (const m of mirrors) {
      // In file replication: (m, m, r, d) with its primary in change tracking, as Greenplum 5.
      const [mMode, pMode] = qd.fileRep ? (['r', 'c'] as const) : (['n', 'n'] as const);
      await qd.catalog.insertSegment(tx, { ...m, role: 'm', preferred_role: 'm', mode: mMode, status: 'd' });
      const p = qd.config.find((c) => c.content === m.content && c.role === 'p');
      if (p) await qd.catalog.updateSegment(tx, { ...p, mode: pMode });
      await qd.catalog.addHistory(
        tx,
        m.dbid,
        'gpaddmirrors: segment config for resync: inserted mirror segment configuration',
        host.clock.now(),
      );
    }
  });
  log.info('Initiating segment recovery. Upon completion, will start the successfully recovered segments');
  const failed: SegmentConfig[] = [];
  // The base backups run as gpaddmirrors runs them: -B hosts at once, -b mirrors per host.
  await runBatched(
    mirrors,
    (m) => m.hostname,
    batchLimits(opts),
    async (m) => {
      try {
        log.debug(
          `Running Command: pg_basebackup -h <primary of content ${m.content}> -D ${m.datadir} --target-gp-dbid ${m.dbid} -X stream --write-recovery-conf (on ${m.hostname})`,
        );
        await host.addMirror(m);
        log.info(
          qd.fileRep
            ? `${m.hostname} (dbid ${m.dbid}): full resynchronization started`
            : `${m.hostname} (dbid ${m.dbid}): pg_basebackup: base backup completed`,
        );
      } catch (e) {
        log.error(`${m.hostname} (dbid ${m.dbid}): ${(e as Error).message}`);
        failed.push(m);
      }
    },
  );
  if (qd.fileRep)
    await markResynchronizing(
      host,
      mirrors.filter((m) => !failed.includes(m)),
    );
  if (failed.length) {
    // RecoveryResult's report; the lab names each data directory where Greenplum names its log.
    log.info('----------------------------------------------------------');
    log.info('Failed to add the following segments');
    for (const f of failed) log.info(` hostname: ${f.hostname}; port: ${f.port}; datadir: ${f.datadir}`);
  }
  await triggerFtsProbe(
    host,
    log,
    mirrors.filter((m) => !failed.includes(m)),
  );
  if (failed.length) {
    log.error('gpaddmirrors failed. Please check the output for more details.');
    return log.done(1);
  }
  log.info('******************************************************************');
  log.info('Mirror segments have been added; data synchronization is in progress.');
  log.info('Data synchronization will continue in the background.');
  log.info('Use  gpstate -s  to check the resynchronization progress.');
  log.info('******************************************************************');
  return log.done(0);
}

/**
 * `contentID|address|port|data_dir`, one line per primary, every line checked (fields, address,
 * port, directory, content; each content once; no port or directory shared on a host) before
 * anything changes.
 */
function fromFile(config: SegmentConfig[], text: string | undefined, name: string): SegmentConfig[] {
  if (text === undefined) throw new Error(`Unable to read the input file ${name}`);
  if (config.some((c) => c.content >= 0 && c.role === 'm')) throw new NoStackTraceError(ALREADY_MIRRORED);
  const lines = meaningfulLines(text);
  const primaries = config.filter((c) => c.content >= 0 && c.role === 'p');
  const lineOf = new Map<number, number>();
  // One past the highest dbid, counting up, as GpMirrorBuildCalculator numbers them.
  let next = Math.max(0, ...config.map((c) => c.dbid)) + 1;
  const mirrors = lines.map(([n, line]) => {
    const parts = line.split('|');
    if (parts.length !== 4)
      throw new NoStackTraceError(`line ${n} of file ${name}: expected 4 parts, obtained ${parts.length}`);
    const at = checkLocation({ address: parts[1]!, port: parts[2]!, datadir: parts[3]! }, n);
    // parseutils.check_values' refusals.
    if (typeof at === 'string') throw new NoStackTraceError(at);
    if (!/^-?\d+$/.test(parts[0]!) || Number(parts[0]) < -1)
      throw new NoStackTraceError(`Invalid content ID on line ${n}`);
    const content = Number(parts[0]);
    if (!primaries.some((p) => p.content === content))
      throw new Error(
        `Invalid content ${content} specified in input file (line ${n}): no primary segment has it`,
      );
    const earlier = lineOf.get(content);
    if (earlier !== undefined)
      throw new Error(
        `Content ${content} is given two mirrors, on lines ${earlier} and ${n} of file ${name}`,
      );
    lineOf.set(content, n);
    const m: SegmentConfig = {
      dbid: next++,
      content,
      role: 'm',
      preferred_role: 'm',
      mode: 'n',
      status: 'd',
      ...at,
    };
    return m;
  });
  if (mirrors.length !== primaries.length)
    throw new Error(
      `Wrong number of mirrors specified (specified ${mirrors.length} mirror(s) for ${primaries.length} primarie(s))`,
    );
  const clash = portOrDirectoryClash(config, mirrors);
  if (clash) throw new Error(clash);
  return mirrors;
}

const ALREADY_MIRRORED =
  'GPDB physical mirroring cannot be added.  The cluster is already configured with Mirrors.';

/**
 * The mirrors' data directory locations, one per primary on the busiest host: read from the -m
 * file (each line a full path, exactly that many), or asked for one by one, as Greenplum's
 * interview does (a blank answer is asked again, a path that is not a full one is explained and
 * asked again). Without a pipe, the lab answers /data/mirror.
 */
function mirrorDataDirectories(
  config: readonly SegmentConfig[],
  fileName: string | undefined,
  files: Map<string, string>,
  log: UtilityLog,
): string[] {
  const perHost = new Map<string, number>();
  for (const c of config)
    if (c.content >= 0 && c.preferred_role === 'p')
      perHost.set(c.hostname, (perHost.get(c.hostname) ?? 0) + 1);
  const count = Math.max(0, ...perHost.values());
  if (fileName !== undefined) {
    const text = files.get(fileName);
    if (text === undefined) throw new Error(`Unable to read the data directory file ${fileName}`);
    const lines = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    // Each line checked as it is read, as Greenplum reads them.
    const dirs: string[] = [];
    for (const l of lines) {
      if (dirs.length === count)
        throw new Error(`Number of data directories must equal ${count} but more were read from ${fileName}`);
      const problem = pathProblem(l, ' config file ');
      if (problem) throw new Error(problem);
      dirs.push(normalizePath(l));
    }
    if (dirs.length < count)
      throw new Error(
        `Number of data directories must equal ${count} but ${dirs.length} were read from ${fileName}`,
      );
    return dirs;
  }
  const dirs: string[] = [];
  while (dirs.length < count) {
    const answer = log.ask(
      `Enter mirror segment data directory location ${dirs.length + 1} of ${count} >`,
      DEFAULT_MIRROR_LOCATION,
    );
    if (answer === '') continue;
    const problem = pathProblem(answer, ' ');
    if (problem) {
      log.raw('');
      log.raw(problem);
      log.raw('');
      continue;
    }
    dirs.push(normalizePath(answer));
  }
  return dirs;
}

/** Where the lab's own answer puts the mirrors (the directory gpinitsystem's sample file names). */
const DEFAULT_MIRROR_LOCATION = '/data/mirror';

/** Greenplum wants a full path; the lab's configuration files also forbid spaces and '|'. */
function pathProblem(path: string, source: string): string | undefined {
  if (!path.startsWith('/'))
    return `Path entered${source}is invalid; it must be a full path.  Path: '${path}'`;
  if (!validDatadir(path))
    return `Path entered${source}is invalid: the lab's paths hold no spaces or '|'.  Path: '${path}'`;
  return undefined;
}

/** What gpaddmirrors shows before it asks to go on: its parameters, then each mirror with its primary. */
function showAddMirrors(
  log: UtilityLog,
  config: readonly SegmentConfig[],
  mirrors: readonly SegmentConfig[],
  limits: { hosts: number; perHost: number },
): void {
  const coordinator = config.find((c) => c.content === -1 && c.role === 'p');
  const rule = '--------------------------------------------';
  log.info('Greenplum Add Mirrors Parameters');
  log.info(rule);
  log.info(`Greenplum coordinator data directory    = ${coordinator?.datadir ?? ''}`);
  log.info(`Greenplum coordinator port              = ${coordinator?.port ?? ''}`);
  log.info(`Batch size                              = ${limits.hosts}`);
  log.info(`Segment batch size                      = ${limits.perHost}`);
  mirrors.forEach((m, i) => {
    log.info(rule);
    log.info(`Mirror ${i + 1} of ${mirrors.length}`);
    log.info(rule);
    const primary = config.find((c) => c.content === m.content && c.role === 'p');
    logTable(log, [...(primary ? instanceRows('Primary', primary) : []), ...instanceRows('Mirror', m)]);
  });
  log.info(rule);
}

/** Batch sizes out of range. */
function addmirrorsRefusals(o: OptionValues): string | undefined {
  return checkBatchSizes(o);
}
