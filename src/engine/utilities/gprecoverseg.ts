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
import type { UtilityResult } from '../node/api.ts';
import type { UtilityLog } from './host.ts';
import {
  batchLimits,
  instanceRows,
  logTable,
  checkBatchSizes,
  pairOf,
  probeUntil,
  runBatched,
  runningPrimary,
  triggerFtsProbe,
  updateCatalog,
  type BatchLimits,
  type RecoveryProgress,
  type UtilityHost,
  utilityArgs,
  wrongCoordinatorDir,
} from './host.ts';
import { parseLsn } from '../storage/lsn.ts';
import type { OptionSpec, OptionValues } from './options.ts';
import { planFromFile, planNewHosts, type Location, type RecoveryType } from './recovery-plan.ts';

const OPTIONS: OptionSpec[] = [
  { names: ['-a'], kind: 'flag' },
  { names: ['-F'], kind: 'flag' },
  { names: ['--differential'], kind: 'flag' },
  { names: ['-r'], kind: 'flag' },
  { names: ['-i'], kind: 'string' },
  { names: ['-o'], kind: 'string' },
  { names: ['-p'], kind: 'string' },
  { names: ['-B'], kind: 'int' },
  { names: ['-b'], kind: 'int' },
  { names: ['-d', '--coordinator_data_directory', '--master_data_directory'], kind: 'string', key: 'd' },
  { names: ['-l'], kind: 'string' },
  { names: ['-s'], kind: 'flag' },
  { names: ['-v', '--verbose'], kind: 'flag', key: 'v' },
  { names: ['-q', '--quiet'], kind: 'flag', key: 'q' },
  { names: ['--no-progress'], kind: 'flag' },
  { names: ['--hba-hostnames'], kind: 'flag' },
  { names: ['--replay-lag'], kind: 'float' },
  { names: ['--disable-replay-lag'], kind: 'flag' },
];

/** The option combinations Greenplum refuses, in the order it checks them. */
function refusedCombination(o: OptionValues): string | undefined {
  const has = (k: string) => o[k] !== undefined;
  if (has('p') && has('r')) return 'Only one of -p and -r may be specified';
  if (has('i') && (has('p') || has('r'))) return 'Only one of -i, -p and -r may be specified';
  if (has('differential') && (has('p') || has('r')))
    return 'Only one of -p, -r and --differential may be specified';
  if (has('F') && has('differential')) return 'Only one of -F and --differential may be specified';
  if (has('differential') && has('o')) return 'Invalid -o provided with --differential argument';
  if (has('i') && has('o')) return 'Invalid -i provided with -o argument';
  if (has('r') && has('o')) return 'Invalid -r provided with -o argument';
  if (has('disable-replay-lag') && !has('r')) return '--disable-replay-lag should be used only with -r';
  if (has('F') && has('r')) return '-F option is not supported with -r option';
  if (has('F') && has('p')) return '-F option is not supported with -p option';
  const lag = o['replay-lag'] as number | undefined;
  if (lag !== undefined && lag < 0) return `Invalid --replay-lag value: ${lag}: it must be 0 or more (GB)`;
  return undefined;
}

export async function gprecoverseg(
  host: UtilityHost,
  argv: string[],
  files: Map<string, string>,
  log: UtilityLog,
): Promise<UtilityResult> {
  const args = utilityArgs('gprecoverseg', OPTIONS, argv, { log });
  if (!args.ok) return args.result;
  const o = args.o;
  log.showProgress = o['no-progress'] !== true;
  const refused = refusedCombination(o);
  if (refused) return { exitCode: 2, stdout: '', stderr: `gprecoverseg: error: ${refused}\n` };
  log.info(`Starting gprecoverseg with args: ${argv.join(' ')}`);
  const batch = checkBatchSizes(o, 'parallelDegree', 'parallelPerHost');
  if (batch) {
    log.error(batch);
    return log.done(2);
  }
  const limits = batchLimits(o);
  const qd = host.coordinator();
  await qd.refreshConfig();
  const config = qd.config;
  if (
    !config.some((c) => (c.content >= 0 && c.role === 'm') || (c.content >= 0 && c.preferred_role === 'm'))
  ) {
    log.error('GPDB Mirroring replication is not configured for this Greenplum Database instance.');
    return log.done(2);
  }
  const rejected = (msg: string): UtilityResult => {
    log.error(msg);
    return log.done(2);
  };
  const wrongDir = wrongCoordinatorDir(o, config);
  if (wrongDir) return rejected(wrongDir);
  if (o.r) {
    const lagGb = o['disable-replay-lag'] ? undefined : ((o['replay-lag'] as number | undefined) ?? 10);
    return rebalance(host, log, limits, lagGb, o.a !== true);
  }

  let failed = config.filter((c) => c.content >= 0 && c.status === 'd');
  let moves = new Map<number, Location>();
  let lineTypes = new Map<number, RecoveryType>();
  // Everything the run will do is decided, and checked whole, before anything changes.
  if (o.i !== undefined) {
    const name = o.i as string;
    const text = files.get(name);
    if (text === undefined) return rejected(`Unable to read the input file ${name}`);
    const plan = planFromFile(text, name, config);
    if (typeof plan === 'string') return rejected(plan);
    ({ targets: failed, moves, types: lineTypes } = plan);
  }
  if (o.p !== undefined) {
    const plan = planNewHosts(failed, o.p as string, config);
    if (typeof plan === 'string') return rejected(plan);
    moves = plan.moves;
    if (plan.unused.length) {
      log.warn('The following recovery hosts were not needed:');
      for (const h of plan.unused) log.warn(`\t${h}`);
    }
  }
  if (o.o !== undefined) {
    files.set(
      o.o as string,
      failed.map((f) => `${f.address}|${f.port}|${f.datadir}`).join('\n') + (failed.length ? '\n' : ''),
    );
    log.info(`Configuration file output to ${o.o as string} successfully`);
    return log.done(0);
  }
  if (!failed.length) {
    log.info('No segments to recover');
    return log.done(0);
  }
  // Each segment's type: its -i line's (I|, D|, F|), a new place's (full), else the flags'.
  const flagType: RecoveryType = o.F ? 'Full' : o.differential ? 'Differential' : 'Incremental';
  const typeOf = (f: SegmentConfig): RecoveryType =>
    moves.has(f.dbid) ? 'Full' : (lineTypes.get(f.dbid) ?? flagType);
  const groups = (['Incremental', 'Differential', 'Full'] as const)
    .map((t) => [t, failed.filter((f) => typeOf(f) === t)] as const)
    .filter(([, g]) => g.length);
  log.info('Greenplum instance recovery parameters');
  log.info('---------------------------------------------------------');
  log.info(`Recovery type              = Standard`);
  log.info(`${failed.length} segment(s) to recover`);
  showRecoveryPlan(log, config, failed, typeOf, moves);
  if (o.a !== true && !log.confirm('Continue with segment recovery procedure')) return log.userAborted();
  const ok: SegmentConfig[] = [];
  for (const [type, group] of groups) {
    log.info(
      `Synchronization mode       = ${type}${groups.length > 1 ? ` (${group.length} segment(s))` : ''}`,
    );
    ok.push(...(await recover(host, log, group, type, moves, limits)));
  }
  if (qd.fileRep) return log.done(finishFileRep(log, ok, failed));
  return finish(log, ok, failed, interruptRequested(host, log));
}

/** Each segment's recovery as gprecoverseg shows it before it asks to go on. */
function showRecoveryPlan(
  log: UtilityLog,
  config: readonly SegmentConfig[],
  failed: readonly SegmentConfig[],
  typeOf: (f: SegmentConfig) => RecoveryType,
  moves: ReadonlyMap<number, Location>,
): void {
  failed.forEach((f, i) => {
    const source = config.find((c) => c.content === f.content && c.dbid !== f.dbid);
    const to = moves.get(f.dbid);
    log.info('---------------------------------------------------------');
    log.info(`Recovery ${i + 1} of ${failed.length}`);
    log.info('---------------------------------------------------------');
    logTable(log, [
      ['Synchronization mode', typeOf(f)],
      ...instanceRows('Failed', f),
      ...(source ? instanceRows('Recovery Source', source) : []),
      ...(to ? instanceRows('Recovery Target', to) : [['Recovery Target', 'in-place'] as [string, string]]),
    ]);
  });
  log.info('---------------------------------------------------------');
}

const interruptWarned = new WeakSet<UtilityLog>();

/**
 * Ctrl-C answered y (or SIGTERM), as gprecoverseg's signal handler sees it once the recovery
 * has begun: a warning the first time, then the copies still running are stopped. Before the
 * handler is installed, and while the catalog is written, the lab's runs are not interrupted.
 */
function interruptRequested(host: UtilityHost, log: UtilityLog): boolean {
  if (!host.cancelled()) return false;
  if (!interruptWarned.has(log)) {
    interruptWarned.add(log);
    // Greenplum's own spelling, so that the line is found where a DBA would grep for it.
    log.warn(`Recieved SIGINT signal, terminating ${log.prog}`);
  }
  return true;
}

/** Where a recovered segment goes when it moves (gprecoverseg -p / -i, gpmovemirrors). */
export type { Location };

export async function recover(
  host: UtilityHost,
  log: UtilityLog,
  wanted: SegmentConfig[],
  type: 'Full' | 'Differential' | 'Incremental',
  moves: ReadonlyMap<number, Location> = new Map(),
  limits: BatchLimits = batchLimits({}),
): Promise<SegmentConfig[]> {
  const qd = host.coordinator();
  if (qd.fileRep) return recoverFileRep(host, log, wanted, type, moves);
  // A segment rebuilt elsewhere gets a full copy in its new place.
  for (const t of wanted) {
    const { primary } = pairOf(qd.config, t.content);
    if (moves.has(t.dbid) && primary?.hostname === moves.get(t.dbid)!.hostname)
      log.warn(`Segment is being recovered to the same host as its primary (dbid ${t.dbid})`);
  }
  // The catalog first: targets down and not in sync, their live primaries not in sync.
  const targets = (await stopAndMarkTargets(host, log, wanted, moves, { target: 'n', primary: 'n' })).map(
    (t) => ({ ...t, ...moves.get(t.dbid) }),
  );

  log.info('Initiating segment recovery. Upon completion, will start the successfully recovered segments');
  const recovered: SegmentConfig[] = [];
  const failedFull: SegmentConfig[] = [];
  // gpsegrecovery as Greenplum runs it: -B hosts at once, -b segments at once on each.
  await runBatched(
    targets,
    (t) => t.hostname,
    limits,
    async (t) => {
      if (interruptRequested(host, log)) {
        log.warn(`${t.hostname} (dbid ${t.dbid}): not recovered: the run was cancelled`);
        return;
      }
      const primary = await runningPrimary(host, qd.config, t.content);
      const source = primary ? host.nodes.get(primary.dbid) : undefined;
      const target = host.nodes.get(t.dbid);
      const who = `${t.hostname} (dbid ${t.dbid})`;
      if (!primary || !source) {
        log.error(`Primary segment is not up for content ${t.content}`);
        return;
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
          if (interruptRequested(host, log)) throw new Error("recovery cancelled at the user's request");
          entry.done = done;
          entry.total = total;
          host.emit({ kind: 'recovery.progress', dbid: t.dbid, done, total, type: kind });
          // Sequential progress lines (as with -s), one per tenth of the way.
          const pct = total ? Math.floor((100 * done) / total) : 100;
          if (log.showProgress && Math.floor(pct / 10) > Math.floor(lastPct / 10) && pct < 100) {
            lastPct = pct;
            log.raw(`${who}: ${Math.round(done / 1024)}/${Math.round(total / 1024)} kB (${pct}%)`);
          }
        };
        await host.reach('gprecoverseg_copy', t.dbid);
        if (interruptRequested(host, log)) throw new Error("recovery cancelled at the user's request");
        const mode: RecoveryMode = moves.has(t.dbid) ? 'full' : (type.toLowerCase() as RecoveryMode);
        log.debug(
          mode === 'full'
            ? `Running Command: pg_basebackup -h ${source.host} -D ${t.datadir} --target-gp-dbid ${t.dbid} -X stream --write-recovery-conf`
            : `Running Command: pg_rewind --write-recovery-conf --target-pgdata=${t.datadir} --source-server='host=${source.host} dbname=template1'`,
        );
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
          // pg_rewind's last progress line: all it had to fetch, fetched (its total is what it
          // copies, not the data directory's size); rsync's is the share of the files it sent.
          log.raw(
            r.kind === 'rewind'
              ? `${who}: ${Math.round(r.bytes / 1024)}/${Math.round(r.bytes / 1024)} kB (100%) copied`
              : `${who}: ${Math.round(r.bytes / 1024)}/${Math.round(r.total / 1024)} kB (${r.total ? Math.round((100 * r.bytes) / r.total) : 100}%)`,
          );
          if (r.kind === 'rewind') log.info(`${who}: pg_rewind: Done!`);
          else
            log.info(
              `${who}: total size is ${r.total} speedup is ${r.bytes ? (r.total / r.bytes).toFixed(2) : 'n/a'}`,
            );
          host.emit({ kind: 'recovery.bytes', dbid: t.dbid, type: mode, bytes: r.bytes, total: r.total });
        }
        log.debug(`Running Command: pg_ctl -D ${t.datadir} -l ${t.datadir}/log/startup.log -w start`);
        await host.restartNode(target);
        recovered.push(t);
      } catch (e) {
        log.error(`${who}: ${(e as Error).message}`);
        if (type === 'Full' || moves.has(t.dbid)) failedFull.push(t);
      } finally {
        host.recoveryProgress.delete(t.dbid);
      }
    },
  );
  if (failedFull.length) await backOut(host, log, wanted, failedFull);
  await triggerFtsProbe(host, log, recovered);
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
  wanted: readonly SegmentConfig[],
  moves: ReadonlyMap<number, Location>,
  modes: { target: SegmentConfig['mode']; primary: SegmentConfig['mode'] },
): Promise<SegmentConfig[]> {
  const qd = host.coordinator();
  // The configuration may have moved on since the targets were chosen (FTS promoted one):
  // an instance now acting as primary is never stopped.
  await qd.refreshConfig();
  const targets = wanted.filter((t) => {
    const now = qd.config.find((c) => c.dbid === t.dbid);
    if (now?.role !== 'p') return true;
    log.error(
      `${t.hostname} (dbid ${t.dbid}) now acts as the primary of content ${t.content}: not recovered`,
    );
    return false;
  });
  log.info(`Ensuring ${targets.length} failed segment(s) are stopped`);
  for (const t of targets) {
    const node = host.nodes.get(t.dbid);
    log.debug(
      `Running Command: pg_ctl -D ${t.datadir} -m immediate -w stop (dbid ${t.dbid} on ${t.hostname})`,
    );
    if (node.up) await host.stopNode(node, 'gprecoverseg');
  }
  log.info('Updating configuration for mirrors');
  await updateCatalog(host, async (tx) => {
    for (const t of targets) {
      // Each row as it is now (FTS may have changed it meanwhile), in its new place if it moves.
      const now = qd.config.find((c) => c.dbid === t.dbid) ?? t;
      const { primary } = pairOf(qd.config, t.content);
      const row = {
        ...now,
        ...moves.get(t.dbid),
        role: 'm' as const,
        status: 'd' as const,
        mode: modes.target,
      };
      await qd.catalog.updateSegment(tx, row);
      if (primary && primary.dbid !== t.dbid)
        await qd.catalog.updateSegment(tx, { ...primary, mode: modes.primary });
      await qd.catalog.addHistory(
        tx,
        t.dbid,
        'gprecoverseg: segment config for resync: segment mode and status',
        host.clock.now(),
      );
    }
  });
  for (const [dbid, to] of moves) host.nodes.get(dbid).host = to.hostname;
  return targets;
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
function finish(
  log: UtilityLog,
  ok: SegmentConfig[],
  wanted: SegmentConfig[],
  interrupted: boolean,
): UtilityResult {
  if (ok.length === wanted.length) {
    // The interrupt came once every copy and start had finished: there is nothing to stop.
    if (interrupted)
      log.info('Not able to terminate the recovery process since it has been completed successfully.');
    log.info('********************************');
    log.info('Segments successfully recovered.');
    log.info('********************************');
    log.info('Recovered mirror segment(s) need to sync WAL with primary segments.');
    log.info("Use 'gpstate -e' to check progress of WAL sync remaining bytes");
    return log.done(0);
  }
  if (interrupted) log.error('gprecoverseg process was interrupted by the user.');
  log.error('gprecoverseg failed. Please check the output for more details.');
  log.info(
    'Failed to recover the following segments. You must run either gprecoverseg --differential or gprecoverseg -F for all incremental failures',
  );
  for (const w of wanted)
    if (!ok.some((o) => o.dbid === w.dbid))
      log.info(` hostname: ${w.hostname}; port: ${w.port}; datadir: ${w.datadir}`);
  return log.done(1);
}

/**
 * gprecoverseg -r: every pair whose mirror acts as primary goes back to its preferred roles.
 * Pairs that are down or not synchronized are skipped with a warning, the others go on; a
 * mirror with more WAL to replay than --replay-lag (GB) stops the run before anything changes.
 * Afterwards every down segment is recovered incrementally, as Greenplum's inner
 * `gprecoverseg -a` does.
 */
async function rebalance(
  host: UtilityHost,
  log: UtilityLog,
  limits: BatchLimits,
  replayLagGb: number | undefined,
  interactive: boolean,
): Promise<UtilityResult> {
  const qd = host.coordinator();
  const unbalanced = qd.config.filter((c) => c.content >= 0 && c.role === 'p' && c.preferred_role === 'm');
  if (!unbalanced.length) {
    log.info('No segments are running in their non-preferred role and need to be rebalanced.');
    return log.done(0);
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
  if (interactive && !log.confirm('Continue with segment rebalance procedure')) return log.userAborted();
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
  if (!stop.length) {
    log.info('No segments to rebalance');
    return log.done(0);
  }
  if (replayLagGb !== undefined) {
    const tooFar = await replayLagOver(host, stop, replayLagGb);
    if (tooFar) {
      log.error(
        `${tooFar.bytes} bytes of wal is still to be replayed on mirror with dbid ${tooFar.dbid}, let mirror catchup on replay then trigger rebalance. Use --replay-lag to configure the allowed replay lag limit or --disable-replay-lag to disable the check completely if you wish to continue with rebalance anyway`,
      );
      return log.done(2);
    }
  }
  log.info('Stopping unbalanced primary segments...');
  for (const u of stop) await host.stopNode(host.nodes.get(u.dbid), 'gprecoverseg -r');
  log.info('Triggering segment reconfiguration');
  // Promoted, and running as primaries: the resynchronization copies from them.
  const promoted = await probeUntil(host, async (config) => {
    for (const u of stop) {
      if (config.find((c) => c.dbid === u.dbid)?.role !== 'm') return false;
      if ((await runningPrimary(host, config, u.content)) === undefined) return false;
    }
    return true;
  });
  if (!promoted) {
    log.error('Mirror promotion did not complete in 600 seconds.');
    return log.done(2);
  }
  // The inner `gprecoverseg -a`: the stopped primaries, and any other down segment.
  const targets = qd.config.filter((c) => c.content >= 0 && c.status === 'd');
  const ok = await recover(host, log, targets, 'Incremental', new Map(), limits);
  if (ok.length !== targets.length) {
    log.error('Failed to start the synchronization step of the segment rebalance.');
    return log.done(2);
  }
  if (stop.length < unbalanced.length) {
    log.warn(`${unbalanced.length - stop.length} segment(s) were not rebalanced.`);
    log.info(
      'The rebalance operation has completed with WARNINGS. Please review the output in the gprecoverseg log.',
    );
    return log.done(0);
  }
  log.info('The rebalance operation has completed successfully.');
  return log.done(0);
}

/** The first mirror (of the acting primaries in `pairs`) with at least `gb` GB of WAL to replay. */
async function replayLagOver(
  host: UtilityHost,
  pairs: readonly SegmentConfig[],
  gb: number,
): Promise<{ dbid: number; bytes: number } | undefined> {
  const qd = host.coordinator();
  for (const p of pairs) {
    const rows = await qd.callContent(p.content, 'replicationStatus', []).catch(() => []);
    const r = rows[0];
    const sent = r ? parseLsn(r.sent_lsn) : undefined;
    const replayed = r ? parseLsn(r.replay_lsn) : undefined;
    if (sent === undefined || replayed === undefined) continue;
    const bytes = Math.max(0, sent - replayed);
    const mirror = pairOf(qd.config, p.content).mirror;
    if (mirror && bytes >= gb * 1024 ** 3) return { dbid: mirror.dbid, bytes };
  }
  return undefined;
}
