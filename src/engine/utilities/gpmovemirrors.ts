/**
 * gpmovemirrors -i move_config_file: moves mirrors to new hosts, ports or directories. Each
 * line is `old_address|port|data_dir new_address|port|data_dir`. As in Greenplum, the listed
 * mirrors are stopped, FTS marks them down, and they are rebuilt in their new places by a full
 * recovery (gprecoverseg -i). Exit codes: 0 success, 2 bad option, 3 a malformed file, an
 * unknown mirror or a failed recovery. A file that cannot work changes nothing: every line is
 * checked before the first mirror stops.
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import type { UtilityResult } from '../cluster/api.ts';
import { probeUntil, UtilityLog, type UtilityHost } from './host.ts';
import { locationClash, parseLocation, recover, type Location } from './gprecoverseg.ts';

export async function gpmovemirrors(
  host: UtilityHost,
  argv: string[],
  files: Map<string, string>,
): Promise<UtilityResult> {
  let input: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    if (x === '-i' || x === '--input') input = argv[++i] ?? '';
    else if (['-d', '-B', '-b', '-l'].includes(x)) i++;
    else if (x === '-v' || x === '--verbose' || x === '--hba-hostnames' || x === '-a') continue;
    else return { exitCode: 2, stdout: '', stderr: `gpmovemirrors: error: no such option: ${x}\n` };
  }
  if (!input)
    return {
      exitCode: 2,
      stdout: '',
      stderr: 'gpmovemirrors: error: option -i (the move configuration file) is required\n',
    };
  const log = new UtilityLog('gpmovemirrors');
  log.info(`Starting gpmovemirrors with args: ${argv.join(' ')}`);
  const fail = (msg: string): UtilityResult => {
    log.error(msg);
    return { exitCode: 3, stdout: log.stdout, stderr: log.stderr };
  };
  const text = files.get(input);
  if (text === undefined) return fail(`Unable to read the input file ${input}`);
  const qd = host.coordinator();
  await qd.refreshConfig();
  const config = qd.config;
  const moves = new Map<number, Location>();
  const mirrors: SegmentConfig[] = [];
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const [i, line] of lines.entries()) {
    const groups = line.split(/\s+/);
    if (groups.length !== 2)
      return fail(
        `Invalid line ${i + 1} in ${input}: expected 'old_address|port|data_dir new_address|port|data_dir'`,
      );
    const from = parseLocation(groups[0]!);
    const to = parseLocation(groups[1]!);
    if (typeof from === 'string') return fail(`${from} on line ${i + 1}`);
    if (typeof to === 'string') return fail(`${to} on line ${i + 1}`);
    const row = config.find(
      (c) =>
        c.content >= 0 && c.address === from.address && c.port === from.port && c.datadir === from.datadir,
    );
    if (!row) return fail(`Mirror segment ${groups[0]} (line ${i + 1}) is not in the configuration`);
    if (row.role !== 'm')
      return fail(`Segment ${groups[0]} (dbid ${row.dbid}) is not a mirror: it is acting as primary`);
    if (from.address === to.address && from.port === to.port && from.datadir === to.datadir) {
      log.warn(`request to move a mirror with identical attributes (${groups[0]})`);
      continue;
    }
    const clash = locationClash(config, row.dbid, to);
    if (clash) return fail(clash);
    moves.set(row.dbid, to);
    mirrors.push(row);
  }
  if (!mirrors.length) {
    log.info('No mirrors to move');
    return { exitCode: 0, stdout: log.stdout, stderr: '' };
  }
  // Stop the mirrors, and let FTS mark them down (and turn sync rep off) before the rebuild.
  for (const m of mirrors) {
    const node = host.nodes.get(m.dbid);
    if (node.up) await host.stopNode(node, 'gpmovemirrors');
  }
  const down = await probeUntil(host, (config) =>
    mirrors.every((m) => config.find((c) => c.dbid === m.dbid)?.status === 'd'),
  );
  if (!down) return fail('FTS did not mark the moved mirrors down within 600 seconds');
  const targets = qd.config.filter((c) => moves.has(c.dbid));
  const ok = await recover(host, log, targets, 'Full', moves);
  if (ok.length !== targets.length)
    return fail('gprecoverseg failed. Please check the output for more details.');
  log.info('Mirrors moved successfully.');
  log.info("Use 'gpstate -m' to check the mirrors' state once they are in sync");
  return { exitCode: 0, stdout: log.stdout, stderr: '' };
}
