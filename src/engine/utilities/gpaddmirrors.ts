/**
 * gpaddmirrors: adds a mirror to every primary of a mirrorless cluster, placed as gpaddmirrors
 * places them (group by default, -s spread, -p port offset), or as an -i file says. The new
 * mirrors enter the catalog as (m, m, n, d), are built by base backups while the primaries keep
 * serving, and turn (u, s) once they stream and FTS has seen them.
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import type { UtilityResult } from '../cluster/api.ts';
import { markResynchronizing } from './recover-filerep.ts';
import { PlacementError, placeMirrorsForExisting } from '../cluster/placement.ts';
import { updateCatalog, UtilityLog } from './host.ts';
import type { StandbyHost } from './standby.ts';

export async function gpaddmirrors(
  host: StandbyHost,
  argv: string[],
  files: Map<string, string>,
): Promise<UtilityResult> {
  const log = new UtilityLog('gpaddmirrors');
  let offset = 1000;
  let spread = false;
  let input: string | undefined;
  let output: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-p') offset = Number(argv[++i]);
    else if (a === '-s') spread = true;
    else if (a === '-i') input = argv[++i];
    else if (a === '-o') output = argv[++i];
    else if (a === '-m' || a === '-B' || a === '-b' || a === '-d' || a === '-l') i++;
    else if (['-a', '-v', '-q', '--hba-hostnames'].includes(a)) continue;
    else if (a === '-as' || a === '-sa') spread = true;
    else return { exitCode: 2, stdout: '', stderr: `gpaddmirrors: error: no such option: ${a}\n` };
  }
  if (!Number.isInteger(offset))
    return { exitCode: 2, stdout: '', stderr: 'gpaddmirrors: error: option -p: invalid integer value\n' };
  const qd = host.coordinator();
  await qd.refreshConfig();
  const config = qd.config;
  log.info(`Starting gpaddmirrors with args: ${argv.join(' ')}`);
  let mirrors: SegmentConfig[];
  try {
    if (input !== undefined) mirrors = fromFile(config, files.get(input), input);
    else {
      const hosts = [...new Set(config.filter((c) => c.content >= 0).map((c) => c.hostname))];
      mirrors = placeMirrorsForExisting(config, hosts, spread ? 'spread' : 'group', offset).mirrors;
    }
  } catch (e) {
    log.error((e as Error).message);
    return { exitCode: e instanceof PlacementError ? e.exitCode : 2, stdout: log.stdout, stderr: log.stderr };
  }
  if (output !== undefined) {
    files.set(
      output,
      mirrors.map((m) => `${m.content}|${m.address}|${m.port}|${m.datadir}`).join('\n') + '\n',
    );
    log.info(`Configuration file output to ${output} successfully.`);
    return { exitCode: 0, stdout: log.stdout, stderr: '' };
  }
  log.info('Greenplum Add Mirrors Parameters');
  log.info('---------------------------------------------------------');
  log.info(`Mirror placement                = ${input ? 'custom' : spread ? 'spread' : 'group'}`);
  for (const m of mirrors)
    log.info(`   mirror dbid ${m.dbid} for content ${m.content}: ${m.hostname}|${m.port}|${m.datadir}`);
  // Catalog first: each mirror (m, m, n, d), its primary not in sync.
  await updateCatalog(host, async (tx) => {
    for (const m of mirrors) {
      // In file replication: (m, m, r, d) with its primary in change tracking, as Greenplum 5.
      const [mMode, pMode] = qd.fileRep ? (['r', 'c'] as const) : (['n', 'n'] as const);
      await qd.catalog.insertSegment(tx, { ...m, role: 'm', preferred_role: 'm', mode: mMode, status: 'd' });
      const p = config.find((c) => c.content === m.content && c.role === 'p');
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
  for (const m of mirrors) {
    try {
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
  }
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
    return { exitCode: 1, stdout: log.stdout, stderr: log.stderr };
  }
  log.info('******************************************************************');
  log.info('Mirror segments have been added; data synchronization is in progress.');
  log.info('Data synchronization will continue in the background.');
  log.info('Use  gpstate -s  to check the resynchronization progress.');
  log.info('******************************************************************');
  return { exitCode: 0, stdout: log.stdout, stderr: '' };
}

/** `contentID|address|port|data_dir`, one line per primary. */
function fromFile(config: SegmentConfig[], text: string | undefined, name: string): SegmentConfig[] {
  if (text === undefined) throw new Error(`Unable to read the input file ${name}`);
  if (config.some((c) => c.content >= 0 && c.role === 'm'))
    throw new Error(
      'GPDB physical mirroring cannot be added. The cluster is already configured with Mirrors.',
    );
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const primaries = config.filter((c) => c.content >= 0 && c.role === 'p');
  if (lines.length !== primaries.length)
    throw new Error(
      `Wrong number of mirrors specified (specified ${lines.length} mirror(s) for ${primaries.length} primarie(s))`,
    );
  const used = new Set(config.map((c) => c.dbid));
  let next = 1;
  return lines.map((line, i) => {
    const parts = line.split('|');
    if (parts.length !== 4)
      throw new Error(`line ${i + 1} of file ${name}: expected 4 parts, obtained ${parts.length}`);
    const content = Number(parts[0]);
    if (!primaries.some((p) => p.content === content))
      throw new Error(`Invalid content ${content} specified in input file`);
    while (used.has(next)) next++;
    used.add(next);
    return {
      dbid: next,
      content,
      role: 'm',
      preferred_role: 'm',
      mode: 'n',
      status: 'd',
      port: Number(parts[2]),
      hostname: parts[1]!,
      address: parts[1]!,
      datadir: parts[3]!,
    };
  });
}
