/**
 * gpaddmirrors: adds a mirror to every primary of a mirrorless cluster, placed as gpaddmirrors
 * places them (group by default, -s spread, -p port offset), or as an -i file says. The new
 * mirrors enter the catalog as (m, m, n, d), are built by base backups while the primaries keep
 * serving, and turn (u, s) once they stream and FTS has seen them.
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import type { UtilityResult } from '../node/api.ts';
import { markResynchronizing } from './recover-filerep.ts';
import { PlacementError, placeMirrorsForExisting } from '../topology/placement.ts';
import type { UtilityLog } from './host.ts';
import {
  batchLimits,
  checkBatchSizes,
  runBatched,
  updateCatalog,
  utilityArgs,
  wrongCoordinatorDir,
} from './host.ts';
import type { OptionSpec, OptionValues } from './options.ts';
import { checkLocation, meaningfulLines, portOrDirectoryClash } from '../topology/config-files.ts';

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
  let mirrors: SegmentConfig[];
  try {
    if (input !== undefined) mirrors = fromFile(config, files.get(input), input);
    else {
      const hosts = [...new Set(config.filter((c) => c.content >= 0).map((c) => c.hostname))];
      mirrors = placeMirrorsForExisting(config, hosts, spread ? 'spread' : 'group', offset).mirrors;
    }
  } catch (e) {
    log.error((e as Error).message);
    return log.done(e instanceof PlacementError ? e.exitCode : 2);
  }
  if (output !== undefined) {
    files.set(
      output,
      mirrors.map((m) => `${m.content}|${m.address}|${m.port}|${m.datadir}`).join('\n') + '\n',
    );
    log.info(`Configuration file output to ${output} successfully.`);
    return log.done(0);
  }
  log.info('Greenplum Add Mirrors Parameters');
  log.info('---------------------------------------------------------');
  log.info(`Mirror placement                = ${input ? 'custom' : spread ? 'spread' : 'group'}`);
  for (const m of mirrors)
    log.info(`   mirror dbid ${m.dbid} for content ${m.content}: ${m.hostname}|${m.port}|${m.datadir}`);
  if (opts.a !== true && !log.confirm('Continue with add mirrors procedure')) return log.userAborted();
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
  await qd.fts?.requestScan();
  if (failed.length) {
    log.error('Failed to add the following segments');
    for (const f of failed) log.error(`   ${f.hostname} ${f.port} ${f.datadir}`);
    log.info('gpaddmirrors failed');
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
  if (config.some((c) => c.content >= 0 && c.role === 'm'))
    throw new Error(
      'GPDB physical mirroring cannot be added.  The cluster is already configured with Mirrors.',
    );
  const lines = meaningfulLines(text);
  const primaries = config.filter((c) => c.content >= 0 && c.role === 'p');
  const used = new Set(config.map((c) => c.dbid));
  const lineOf = new Map<number, number>();
  let next = 1;
  const mirrors = lines.map(([n, line]) => {
    const parts = line.split('|');
    if (parts.length !== 4)
      throw new Error(`line ${n} of file ${name}: expected 4 parts, obtained ${parts.length}`);
    const at = checkLocation({ address: parts[1]!, port: parts[2]!, datadir: parts[3]! }, n);
    if (typeof at === 'string') throw new Error(at);
    if (!/^-?\d+$/.test(parts[0]!) || Number(parts[0]) < -1)
      throw new Error(`Invalid content ID on line ${n}`);
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
    while (used.has(next)) next++;
    used.add(next);
    const m: SegmentConfig = {
      dbid: next,
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

/** Batch sizes out of range, and -m (the lab places mirror directories itself, or as -i says). */
function addmirrorsRefusals(o: OptionValues): string | undefined {
  if (o.m !== undefined) return "-m is not supported here: give the mirrors' data directories with -i";
  return checkBatchSizes(o);
}
