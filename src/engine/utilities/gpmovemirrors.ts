/**
 * gpmovemirrors -i move_config_file: moves mirrors to new hosts, ports or directories. Each
 * line is `old_address|port|data_dir new_address|port|data_dir`. As in Greenplum, the listed
 * mirrors are stopped, FTS marks them down, and they are rebuilt in their new places by a full
 * recovery (gprecoverseg -i). Exit codes: 0 success, 2 bad option, 3 a malformed file, an
 * unknown mirror or a failed recovery. A file that cannot work changes nothing: every line is
 * checked before the first mirror stops.
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import type { UtilityResult } from '../node/api.ts';
import type { UtilityLog } from './host.ts';
import {
  MAX_BATCH_SIZE,
  MAX_SEGMENT_BATCH_SIZE,
  batchLimits,
  probeUntil,
  type UtilityHost,
  usageError,
  utilityArgs,
  wrongCoordinatorDir,
} from './host.ts';
import { recover } from './gprecoverseg.ts';
import { meaningfulLines } from '../topology/config-files.ts';
import type { OptionSpec, OptionValues } from './options.ts';
import { movedClash, parseLocationGroup, type Location } from './recovery-plan.ts';

const OPTIONS: OptionSpec[] = [
  { names: ['-i', '--input'], kind: 'string', key: 'i' },
  { names: ['-d'], kind: 'string' },
  { names: ['-B'], kind: 'int' },
  { names: ['-b'], kind: 'int' },
  { names: ['-l'], kind: 'string' },
  { names: ['-v', '--verbose'], kind: 'flag', key: 'v' },
  { names: ['-a'], kind: 'flag' },
  { names: ['--hba-hostnames'], kind: 'flag' },
];

export async function gpmovemirrors(
  host: UtilityHost,
  argv: string[],
  files: Map<string, string>,
  log: UtilityLog,
): Promise<UtilityResult> {
  const args = utilityArgs('gpmovemirrors', OPTIONS, argv, {
    positional: (a) => `Unknown argument ${a[0]!}`,
    check: movemirrorsBatchSizes,
    log,
  });
  if (!args.ok) return args.result;
  const o = args.o;
  const input = o.i as string | undefined;
  if (!input) return usageError('gpmovemirrors', 'Missing argument. -i or --input is a required argument.');
  log.info(`Starting gpmovemirrors with args: ${argv.join(' ')}`);
  const fail = (msg: string): UtilityResult => {
    log.error(msg);
    return log.done(3);
  };
  const text = files.get(input);
  if (text === undefined) return fail(`Unable to read the input file ${input}`);
  const qd = host.coordinator();
  await qd.refreshConfig();
  const config = qd.config;
  const wrongDir = wrongCoordinatorDir(o, config);
  if (wrongDir) return fail(wrongDir);
  const moves = new Map<number, Location>();
  const mirrors: SegmentConfig[] = [];
  for (const [n, line] of meaningfulLines(text)) {
    const bad = (msg: string) => fail(`Invalid input file on line ${n} of file ${input}: ${msg}`);
    const groups = line.split(/\s+/);
    if (groups.length !== 2) return bad(`expected 2 groups but found ${groups.length}`);
    const from = parseLocationGroup(groups[0]!, n, input, 'failed');
    const to = parseLocationGroup(groups[1]!, n, input, 'new');
    if (typeof from === 'string') return bad(from);
    if (typeof to === 'string') return bad(to);
    const row = config.find(
      (c) => c.address === from.address && c.port === from.port && c.datadir === from.datadir,
    );
    const described = `address = ${from.address}, port = ${from.port}, segment data directory = ${from.datadir}`;
    if (!row) return bad(`Old mirror segment does not exist with given information: ${described}`);
    if (row.content < 0) return bad(`Cannot move coordinator or coordinator mirror segments: ${described}`);
    if (row.role !== 'm') return bad(`Old mirror segment is not currently in a mirror role: ${described}`);
    if (from.address === to.address && from.port === to.port && from.datadir === to.datadir) {
      log.warn(
        `input file line ${n} contained request to move a mirror with identical attributes (${groups[0]})`,
      );
      continue;
    }
    if (moves.has(row.dbid)) return bad(`mirror dbid ${row.dbid} is moved twice`);
    moves.set(row.dbid, to);
    mirrors.push(row);
  }
  // The moved mirrors together: no two on one port or in one directory of a host.
  const clash = movedClash(config, moves);
  if (clash) return fail(clash);
  if (!mirrors.length) {
    log.info('No mirrors to move');
    return log.done(0);
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
  const ok = await recover(host, log, targets, 'Full', moves, batchLimits(o));
  if (ok.length !== targets.length)
    return fail('gprecoverseg failed. Please check the output for more details.');
  log.info('Mirrors moved successfully.');
  log.info("Use 'gpstate -m' to check the mirrors' state once they are in sync");
  return log.done(0);
}

/** gpmovemirrors words its -B / -b limits its own way. */
function movemirrorsBatchSizes(o: OptionValues): string | undefined {
  for (const [k, max] of [
    ['B', MAX_BATCH_SIZE],
    ['b', MAX_SEGMENT_BATCH_SIZE],
  ] as const) {
    const v = o[k] as number | undefined;
    if (v !== undefined && (v < 1 || v > max))
      return `Invalid value for argument -${k}. Value must be >= 1 and <= ${max}`;
  }
  return undefined;
}
