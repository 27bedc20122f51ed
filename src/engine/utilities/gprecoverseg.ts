/**
 * gprecoverseg: brings failed segments back as mirrors of the acting primaries (incremental,
 * --differential or -F full), or with -r restores every pair to its preferred roles.
 * The catalog steps follow Greenplum: targets down and not in sync, the live primary not in
 * sync, recovery, the targets started as mirrors, two FTS probes; the pair turns 's' only once
 * the mirror streams and FTS has seen it.
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import type { RecoveryMode } from './recover-data.ts';
import { finishFileRep, recoverFileRep } from './recover-filerep.ts';
import type { UtilityResult } from '../cluster/api.ts';
import {
  pairOf,
  probeUntil,
  updateCatalog,
  UtilityLog,
  type RecoveryProgress,
  type UtilityHost,
} from './host.ts';

interface Args {
  auto: boolean;
  full: boolean;
  differential: boolean;
  rebalance: boolean;
  output?: string;
  input?: string;
  newHosts?: string;
}

function parse(argv: string[]): Args | string {
  const a: Args = { auto: false, full: false, differential: false, rebalance: false };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    if (x === '-a') a.auto = true;
    else if (x === '-F') a.full = true;
    else if (x === '--differential') a.differential = true;
    else if (x === '-r') a.rebalance = true;
    else if (x === '-o') a.output = argv[++i] ?? '';
    else if (x === '-i') a.input = argv[++i] ?? '';
    else if (x === '-p') a.newHosts = argv[++i] ?? '';
    else if (x === '-aF' || x === '-Fa') {
      a.auto = true;
      a.full = true;
    } else if (x === '-ar' || x === '-ra') {
      a.auto = true;
      a.rebalance = true;
    } else if (['-v', '-s', '--no-progress', '-q'].includes(x)) continue;
    else if (x === '-B' || x === '-b' || x === '-d' || x === '-l' || x === '--replay-lag') i++;
    else if (x === '--disable-replay-lag' || x === '--hba-hostnames') continue;
    else return `no such option: ${x}`;
  }
  if (a.full && a.differential) return 'Only one of -F and --differential may be specified';
  const exclusive = [a.input !== undefined, a.newHosts !== undefined, a.rebalance, a.differential].filter(
    Boolean,
  ).length;
  if (exclusive > 1) return 'Only one of -i, -p, -r and --differential may be specified';
  if (a.output !== undefined && a.differential) return 'Invalid -o provided with --differential argument';
  return a;
}

export async function gprecoverseg(
  host: UtilityHost,
  argv: string[],
  files: Map<string, string>,
): Promise<UtilityResult> {
  const log = new UtilityLog('gprecoverseg');
  const args = parse(argv);
  if (typeof args === 'string') return { exitCode: 2, stdout: '', stderr: `gprecoverseg: error: ${args}\n` };
  log.info(`Starting gprecoverseg with args: ${argv.join(' ')}`);
  const qd = host.coordinator();
  await qd.refreshConfig();
  const config = qd.config;
  if (
    !config.some((c) => (c.content >= 0 && c.role === 'm') || (c.content >= 0 && c.preferred_role === 'm'))
  ) {
    log.error('GPDB Mirroring replication is not configured for this Greenplum Database instance.');
    return { exitCode: 2, stdout: log.stdout, stderr: log.stderr };
  }
  if (args.rebalance) return rebalance(host, log);

  let failed = config.filter((c) => c.content >= 0 && c.status === 'd');
  const moves = new Map<number, Location>();
  if (args.input !== undefined) {
    const text = files.get(args.input);
    if (text === undefined) {
      log.error(`Unable to read the input file ${args.input}`);
      return { exitCode: 2, stdout: log.stdout, stderr: log.stderr };
    }
    const wanted = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const picked: SegmentConfig[] = [];
    for (const line of wanted) {
      const groups = line.split(/\s+/);
      const [address, port, datadir] = groups[0]!.split('|');
      const row = config.find(
        (c) => c.address === address && String(c.port) === port && c.datadir === datadir,
      );
      if (!row) {
        log.error(
          `A segment to recover was not found in configuration. This segment is described by address|port|directory '${line}'`,
        );
        return { exitCode: 2, stdout: log.stdout, stderr: log.stderr };
      }
      picked.push(row);
      if (groups[1]) {
        const to = parseLocation(groups[1]);
        if (typeof to === 'string') {
          log.error(`${to} in line '${line}'`);
          return { exitCode: 2, stdout: log.stdout, stderr: log.stderr };
        }
        moves.set(row.dbid, to);
      }
    }
    failed = picked;
  }
  if (args.newHosts !== undefined) {
    // -p: the failed segments of the i-th failed host are rebuilt on the i-th new host, with
    // the same ports and directories.
    const newHosts = args.newHosts.split(',').filter(Boolean);
    const failedHosts = [...new Set(failed.map((f) => f.hostname))];
    if (newHosts.length !== failedHosts.length) {
      log.error(
        `The number of new hosts (${newHosts.length}) does not match the number of failed hosts (${failedHosts.length}): ${failedHosts.join(', ') || 'none'}`,
      );
      return { exitCode: 2, stdout: log.stdout, stderr: log.stderr };
    }
    for (const f of failed) {
      const to = newHosts[failedHosts.indexOf(f.hostname)]!;
      moves.set(f.dbid, { hostname: to, address: to, port: f.port, datadir: f.datadir });
    }
  }
  for (const [dbid, to] of moves) {
    const clash = locationClash(config, dbid, to);
    if (clash) {
      log.error(clash);
      return { exitCode: 2, stdout: log.stdout, stderr: log.stderr };
    }
  }
  if (args.output !== undefined) {
    files.set(
      args.output,
      failed.map((f) => `${f.address}|${f.port}|${f.datadir}`).join('\n') + (failed.length ? '\n' : ''),
    );
    log.info(`Configuration file output to ${args.output} successfully`);
    return { exitCode: 0, stdout: log.stdout, stderr: '' };
  }
  if (!failed.length) {
    log.info('No segments to recover');
    return { exitCode: 0, stdout: log.stdout, stderr: '' };
  }
  const type =
    args.full || moves.size === failed.length ? 'Full' : args.differential ? 'Differential' : 'Incremental';
  log.info('Greenplum instance recovery parameters');
  log.info('---------------------------------------------------------');
  log.info(`Recovery type              = Standard`);
  log.info(`${failed.length} segment(s) to recover`);
  log.info(`Synchronization mode       = ${type}`);
  const ok = await recover(host, log, failed, type, moves);
  if (qd.fileRep) return { exitCode: finishFileRep(log, ok, failed), stdout: log.stdout, stderr: log.stderr };
  return finish(log, ok, failed);
}

/** Where a recovered segment goes when it moves (gprecoverseg -p / -i, gpmovemirrors). */
export type Location = Pick<SegmentConfig, 'hostname' | 'address' | 'port' | 'datadir'>;

export async function recover(
  host: UtilityHost,
  log: UtilityLog,
  wanted: SegmentConfig[],
  type: 'Full' | 'Differential' | 'Incremental',
  moves: ReadonlyMap<number, Location> = new Map(),
): Promise<SegmentConfig[]> {
  const qd = host.coordinator();
  if (qd.fileRep) return recoverFileRep(host, log, wanted, type, moves);
  // A segment rebuilt elsewhere gets a full copy in its new place.
  const targets = wanted.map((t) => ({ ...t, ...moves.get(t.dbid) }));
  for (const t of targets) {
    const { primary } = pairOf(qd.config, t.content);
    if (moves.has(t.dbid) && primary?.hostname === t.hostname)
      log.warn(`Segment is being recovered to the same host as its primary (dbid ${t.dbid})`);
  }
  // The catalog first: targets down and not in sync, their live primaries not in sync.
  await stopAndMarkTargets(host, log, targets, moves, { target: 'n', primary: 'n' });

  log.info('Initiating segment recovery. Upon completion, will start the successfully recovered segments');
  const recovered: SegmentConfig[] = [];
  const failedFull: SegmentConfig[] = [];
  for (const t of targets) {
    if (host.cancelled()) {
      log.warn(`${t.hostname} (dbid ${t.dbid}): not recovered: the run was cancelled`);
      continue;
    }
    const { primary } = pairOf(qd.config, t.content);
    const source = primary ? host.nodes.get(primary.dbid) : undefined;
    const target = host.nodes.get(t.dbid);
    const who = `${t.hostname} (dbid ${t.dbid})`;
    if (!primary || primary.status !== 'u' || !source?.up || (!source.inst && !source.remote)) {
      log.error(`Primary segment is not up for content ${t.content}`);
      continue;
    }
    const kind = (moves.has(t.dbid) ? 'full' : type.toLowerCase()) as RecoveryProgress['type'];
    const entry: RecoveryProgress = {
      content: t.content,
      hostname: t.hostname,
      port: t.port,
      type: kind,
      done: 0,
      total: 0,
    };
    host.recoveryProgress.set(t.dbid, entry);
    try {
      let lastPct = -1;
      const progress = (done: number, total: number) => {
        if (host.cancelled()) throw new Error("recovery cancelled at the user's request");
        entry.done = done;
        entry.total = total;
        host.emit({ kind: 'recovery.progress', dbid: t.dbid, done, total, type: kind });
        // Sequential progress lines (as with -s), one per tenth of the way.
        const pct = total ? Math.floor((100 * done) / total) : 100;
        if (Math.floor(pct / 10) > Math.floor(lastPct / 10) && pct < 100) {
          lastPct = pct;
          log.raw(`${who}: ${Math.round(done / 1024)}/${Math.round(total / 1024)} kB (${pct}%)`);
        }
      };
      await host.reach('gprecoverseg_copy', t.dbid);
      if (host.cancelled()) throw new Error("recovery cancelled at the user's request");
      const mode: RecoveryMode = moves.has(t.dbid) ? 'full' : (type.toLowerCase() as RecoveryMode);
      const r = await host.recoverData(target, source, mode, progress);
      if (r.kind === 'full') {
        log.raw(
          `${who}: ${Math.round(r.bytes / 1024)}/${Math.round(r.bytes / 1024)} kB (100%), 0/1 tablespace`,
        );
        log.info(`${who}: pg_basebackup: base backup completed`);
        host.emit({ kind: 'recovery.bytes', dbid: t.dbid, type: 'full', bytes: r.bytes });
      } else if (r.kind === 'skipped') {
        log.info(`${who}: skipping pg_rewind on mirror as standby.signal is present`);
        host.emit({ kind: 'recovery.bytes', dbid: t.dbid, type: 'incremental', bytes: 0 });
      } else {
        log.raw(
          `${who}: ${Math.round(r.bytes / 1024)}/${Math.round(r.total / 1024)} kB (${r.total ? Math.round((100 * r.bytes) / r.total) : 100}%)`,
        );
        if (r.kind === 'rewind') log.info(`${who}: pg_rewind: Done!`);
        else
          log.info(
            `${who}: total size is ${r.total} speedup is ${r.bytes ? (r.total / r.bytes).toFixed(2) : 'n/a'}`,
          );
        host.emit({ kind: 'recovery.bytes', dbid: t.dbid, type: mode, bytes: r.bytes, total: r.total });
      }
      await host.restartNode(target);
      recovered.push(t);
    } catch (e) {
      log.error(`${who}: ${(e as Error).message}`);
      if (type === 'Full' || moves.has(t.dbid)) failedFull.push(t);
    } finally {
      host.recoveryProgress.delete(t.dbid);
    }
  }
  if (failedFull.length) await backOut(host, log, wanted, failedFull);
  log.info('Triggering FTS probe');
  await qd.fts?.requestScan();
  await qd.fts?.requestScan();
  return recovered;
}

/**
 * gprecoverseg's first steps: the targets' processes stopped, then one catalog change making
 * each target a mirror that is down (in `modes.target`) and its primary `modes.primary`, with
 * the history row; a moved target's node goes to its new host.
 */
export async function stopAndMarkTargets(
  host: UtilityHost,
  log: UtilityLog,
  targets: readonly SegmentConfig[],
  moves: ReadonlyMap<number, Location>,
  modes: { target: SegmentConfig['mode']; primary: SegmentConfig['mode'] },
): Promise<void> {
  const qd = host.coordinator();
  log.info(`Ensuring ${targets.length} failed segment(s) are stopped`);
  for (const t of targets) {
    const node = host.nodes.get(t.dbid);
    if (node.up) await host.stopNode(node, 'gprecoverseg');
  }
  log.info('Updating configuration for mirrors');
  await updateCatalog(host, async (tx) => {
    for (const t of targets) {
      const { primary } = pairOf(qd.config, t.content);
      await qd.catalog.updateSegment(tx, { ...t, role: 'm', status: 'd', mode: modes.target });
      if (primary) await qd.catalog.updateSegment(tx, { ...primary, mode: modes.primary });
      await qd.catalog.addHistory(
        tx,
        t.dbid,
        'gprecoverseg: segment config for resync: segment mode and status',
        host.clock.now(),
      );
    }
  });
  for (const [dbid, to] of moves) host.nodes.get(dbid).host = to.hostname;
}

/**
 * Full recoveries that failed get their catalog change reverted: the row as it was (its old
 * place, for a move), still down, with a backout history row.
 */
async function backOut(
  host: UtilityHost,
  log: UtilityLog,
  before: readonly SegmentConfig[],
  failed: readonly SegmentConfig[],
): Promise<void> {
  log.info(
    'Some mirrors failed during basebackup. Reverting the gp_segment_configuration updates for these mirrors',
  );
  await updateCatalog(host, async (tx, qd) => {
    for (const f of failed) {
      const old = before.find((b) => b.dbid === f.dbid)!;
      await qd.catalog.updateSegment(tx, { ...old, role: 'm', status: 'd', mode: 'n' });
      await qd.catalog.addHistory(
        tx,
        f.dbid,
        'gprecoverseg: segment config for backout: segment mode and status',
        host.clock.now(),
      );
    }
  });
  for (const f of failed) host.nodes.get(f.dbid).host = before.find((b) => b.dbid === f.dbid)!.hostname;
}

/** A former primary whose WAL went on past the point where its partner's timeline began. */
function finish(log: UtilityLog, ok: SegmentConfig[], wanted: SegmentConfig[]): UtilityResult {
  if (ok.length === wanted.length) {
    log.info('********************************');
    log.info('Segments successfully recovered.');
    log.info('********************************');
    log.info('Recovered mirror segment(s) need to sync WAL with primary segments.');
    log.info("Use 'gpstate -e' to check progress of WAL sync remaining bytes");
    return { exitCode: 0, stdout: log.stdout, stderr: log.stderr };
  }
  log.info('gprecoverseg failed. Please check the output for more details.');
  log.info(
    'Failed to recover the following segments. You must run either gprecoverseg --differential or gprecoverseg -F for all incremental failures',
  );
  for (const w of wanted)
    if (!ok.some((o) => o.dbid === w.dbid))
      log.info(` hostname: ${w.hostname}; port: ${w.port}; datadir: ${w.datadir}`);
  return { exitCode: 1, stdout: log.stdout, stderr: log.stderr };
}

async function rebalance(host: UtilityHost, log: UtilityLog): Promise<UtilityResult> {
  const qd = host.coordinator();
  const unbalanced = qd.config.filter((c) => c.content >= 0 && c.role === 'p' && c.preferred_role === 'm');
  if (!unbalanced.length) {
    log.info('No segments are running in their non-preferred role and need to be rebalanced.');
    return { exitCode: 0, stdout: log.stdout, stderr: '' };
  }
  log.info('Recovery type              = Rebalance');
  unbalanced.forEach((u, i) => {
    log.info(`Unbalanced segment ${i + 1} of ${unbalanced.length}`);
    log.info(`   Unbalanced instance host        = ${u.hostname}`);
    log.info(`   Unbalanced instance port        = ${u.port}`);
    log.info(`   Balanced role                   = Mirror`);
    log.info(`   Current role                    = Primary`);
  });
  log.warn('This operation will cancel queries that are currently executing.');
  log.warn('Connections to the database however will not be interrupted.');
  const stop: SegmentConfig[] = [];
  for (const u of unbalanced) {
    const { mirror } = pairOf(qd.config, u.content);
    if (
      !mirror ||
      mirror.status !== 'u' ||
      mirror.mode !== 's' ||
      u.mode !== 's' ||
      !host.nodes.get(mirror.dbid).up
    ) {
      log.warn(
        `Not rebalancing primary segment dbid ${u.dbid} with its mirror dbid ${mirror?.dbid ?? '?'} because one is either down, unreachable, or not synchronized`,
      );
      continue;
    }
    stop.push(u);
  }
  log.info('Stopping unbalanced primary segments...');
  for (const u of stop) await host.stopNode(host.nodes.get(u.dbid), 'gprecoverseg -r');
  log.info('Triggering segment reconfiguration');
  const promoted = await probeUntil(host, (config) =>
    stop.every((u) => config.find((c) => c.dbid === u.dbid)?.role === 'm'),
  );
  if (!promoted) {
    log.error('Mirror promotion did not complete in 600 seconds.');
    return { exitCode: 1, stdout: log.stdout, stderr: log.stderr };
  }
  const targets = qd.config.filter((c) => stop.some((u) => u.dbid === c.dbid));
  const ok = await recover(host, log, targets, 'Incremental');
  if (ok.length !== targets.length) {
    log.error('Failed to start the synchronization step of the segment rebalance.');
    return { exitCode: 1, stdout: log.stdout, stderr: log.stderr };
  }
  if (stop.length < unbalanced.length) {
    log.warn(`${unbalanced.length - stop.length} segments were not rebalanced.`);
    log.info('The rebalance operation has completed with WARNINGS.');
    return { exitCode: 1, stdout: log.stdout, stderr: log.stderr };
  }
  log.info('The rebalance operation has completed successfully.');
  return { exitCode: 0, stdout: log.stdout, stderr: '' };
}

/** `address|port|datadir`, the form of a recovery or move file's location group. */
export function parseLocation(group: string): Location | string {
  const [address, port, datadir, extra] = group.split('|');
  if (!address || !port || !datadir || extra !== undefined || !/^\d+$/.test(port))
    return `Invalid location '${group}': expected address|port|data_directory`;
  const p = Number(port);
  if (p < 1 || p > 65535) return `Invalid port ${port} in '${group}'`;
  return { hostname: address, address, port: p, datadir };
}

/** Another segment already uses that port or directory on that host. */
export function locationClash(
  config: readonly SegmentConfig[],
  dbid: number,
  to: Location,
): string | undefined {
  const other = config.find(
    (c) => c.dbid !== dbid && c.hostname === to.hostname && (c.port === to.port || c.datadir === to.datadir),
  );
  if (!other) return undefined;
  return other.port === to.port
    ? `Port ${to.port} on host ${to.hostname} is already used by dbid ${other.dbid}`
    : `Data directory ${to.datadir} on host ${to.hostname} is already used by dbid ${other.dbid}`;
}
