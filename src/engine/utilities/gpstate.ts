/**
 * gpstate: the state of the array from the catalog and the live replication status, in the
 * shapes Greenplum prints (greenplum-ha.md §3.6): the summary, -m mirrors, -c pair mapping,
 * -e mirroring status report, -f standby, -Q catalog only, -x a gpexpand run's state.
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import type { UtilityResult } from '../node/api.ts';
import type { UtilityLog } from './host.ts';
import { MAX_BATCH_SIZE, pairOf, type UtilityHost, utilityArgs, wrongCoordinatorDir } from './host.ts';
import type { OptionSpec } from './options.ts';
import { portReport, versionReport } from './gpstate-instances.ts';
import { expansionInProgress, expansionReport } from './gpstate-expansion.ts';
import { SERVER_VERSION_STRING } from '../version.ts';

const OPTIONS: OptionSpec[] = [
  ...['-m', '-c', '-e', '-s', '-f', '-Q', '-b', '-i', '-p', '-a', '-x'].map((n) => ({
    names: [n],
    kind: 'flag' as const,
  })),
  { names: ['-q', '--quiet'], kind: 'flag', key: 'q' },
  { names: ['-v', '--verbose'], kind: 'flag', key: 'v' },
  { names: ['-l'], kind: 'string' },
  { names: ['-d', '--coordinator_data_directory', '--master_data_directory'], kind: 'string', key: 'd' },
  { names: ['-B'], kind: 'int' },
];

/** The options that choose a report: at most one at a time. */
const OUTPUT_OPTIONS = ['-m', '-c', '-e', '-s', '-f', '-Q', '-b', '-i', '-p', '-x'];
import { formatLsn, parseLsn } from '../storage/lsn.ts';
import { dataState, fileRepDetail, fileRepMirroringReport } from './gpstate-filerep.ts';

export async function gpstate(host: UtilityHost, argv: string[], log: UtilityLog): Promise<UtilityResult> {
  const args = utilityArgs('gpstate', OPTIONS, argv, { log });
  if (!args.ok) return args.result;
  const o = args.o;
  const flags = new Set(Object.keys(o).map((k) => (k.length === 1 ? `-${k}` : `--${k}`)));
  log.info(`Starting gpstate with args: ${argv.join(' ')}`);
  const refuse = (msg: string): UtilityResult => {
    log.error(`gpstate: error: ${msg}`);
    return log.done(2);
  };
  if (OUTPUT_OPTIONS.filter((f) => flags.has(f)).length > 1)
    return refuse('Too many output options specified');
  const B = o.B as number | undefined;
  if (B !== undefined && (B < 1 || B > MAX_BATCH_SIZE))
    return refuse(`Invalid parallelDegree provided with -B argument: ${B}`);
  const qd = host.coordinator();
  await qd.refreshConfig();
  const config = qd.config;
  const wrongDir = wrongCoordinatorDir(o, config);
  if (wrongDir) return refuse(wrongDir);
  const segs = config.filter((c) => c.content >= 0);
  const mirrored = segs.some((c) => c.role === 'm');
  const live = async (dbid: number) => host.nodes.get(dbid).up;
  log.info("local Greenplum Version: 'postgres (Greenplum Database) 7.0.0 build mpp-ha-lab'");
  log.info(`coordinator Greenplum Version: '${SERVER_VERSION_STRING}'`);
  log.info('Obtaining Segment details from coordinator...');

  if (flags.has('-i')) {
    versionReport(host, config, log);
    return log.done(0);
  }
  if (flags.has('-p')) {
    portReport(config, log);
    return log.done(0);
  }

  if (flags.has('-x')) {
    await expansionReport(host, log, row);
    return log.done(0);
  }

  if (flags.has('-f')) {
    standbyReport(host, config, log);
    return log.done(0);
  }

  if (flags.has('-m')) {
    if (!mirrored) {
      log.warn('-m option specified, but no mirrors are configured.');
      return log.done(0);
    }
    log.info('--------------------------------------------------------------');
    log.info('--Current GPDB mirror list and status');
    log.info('--Type = Group');
    log.info('--------------------------------------------------------------');
    let acting = 0;
    let actingUnsynced = 0;
    const lines: string[][] = [['Mirror', 'Datadir', 'Port', 'Status', 'Data Status']];
    const bad: boolean[] = [false];
    for (const m of segs.filter((c) => c.preferred_role === 'm').sort((a, b) => a.content - b.content)) {
      const status = m.status === 'd' ? 'Failed' : m.role === 'p' ? 'Acting as Primary' : 'Passive';
      const data = dataState(qd.fileRep ? (pairOf(config, m.content).primary?.mode ?? m.mode) : m.mode);
      lines.push([m.hostname, m.datadir, String(m.port), status, data]);
      bad.push(m.status === 'd' || m.role === 'p' || m.mode !== 's');
      if (m.role === 'p') {
        acting++;
        if (m.mode !== 's') actingUnsynced++;
      }
    }
    // A row that needs attention is a warning line, as Greenplum's TableLogger prints it.
    alignedRows(lines).forEach((line, i) => {
      if (bad[i]) log.warn(`${line.trimStart()}   <<<<<<<<`);
      else log.info(line);
    });
    log.info('--------------------------------------------------------------');
    if (acting) log.warn(`${acting} segment(s) configured as mirror(s) are acting as primaries`);
    if (actingUnsynced)
      log.warn(`${actingUnsynced} mirror segment(s) acting as primaries are not synchronized`);
    return log.done(0);
  }

  if (flags.has('-c')) {
    if (!mirrored) {
      log.info('--------------------------------------------------------------');
      log.info('--Primary list [Mirror not used]');
      log.info('--------------------------------------------------------------');
      log.info(row(['Primary', 'Datadir', 'Port']));
      for (const p of segs.sort((a, b) => a.content - b.content))
        log.info(row([p.hostname, p.datadir, String(p.port)]));
      return log.done(0);
    }
    log.info('--------------------------------------------------------------');
    log.info('--Current GPDB mirror list and status');
    log.info('--Type = Group');
    log.info('--------------------------------------------------------------');
    const lines: string[][] = [
      ['Status', 'Data State', 'Primary', 'Datadir', 'Port', 'Mirror', 'Datadir', 'Port'],
    ];
    let switched = 0;
    let unsynced = 0;
    for (const content of [...new Set(segs.map((s) => s.content))].sort((a, b) => a - b)) {
      // Columns by preferred role, as Greenplum prints them: a switched pair keeps its
      // preferred primary on the left.
      const pair = config.filter((c) => c.content === content);
      const p = pair.find((c) => c.preferred_role === 'p');
      const m = pair.find((c) => c.preferred_role === 'm');
      if (!p || !m) continue;
      const switchedPair = p.role !== 'p';
      const passive = switchedPair ? p : m;
      const status = `${switchedPair ? 'Mirror Active, Primary' : 'Primary Active, Mirror'} ${passive.status === 'd' ? 'Failed' : 'Available'}`;
      if (switchedPair) switched++;
      if (p.mode !== 's') unsynced++;
      lines.push([
        status,
        dataState(p.mode),
        p.hostname,
        p.datadir,
        String(p.port),
        m.hostname,
        m.datadir,
        String(m.port),
      ]);
    }
    for (const line of alignedRows(lines)) log.info(line);
    log.info('--------------------------------------------------------------');
    if (switched) log.warn(`${switched} segment(s) configured as mirror(s) are acting as primaries`);
    if (unsynced) log.warn(`${unsynced} primary segment(s) are not synchronized`);
    return log.done(0);
  }

  if (flags.has('-e')) {
    let problems = false;
    log.info('----------------------------------------------------');
    log.info('Segment Mirroring Status Report');
    if (host.recoveryProgress.size) {
      problems = true;
      log.info('----------------------------------------------------');
      log.info('Segments in recovery');
      log.info(
        row([
          'Segment',
          'Port',
          'Recovery type',
          'Completed bytes (kB)',
          'Total bytes (kB)',
          'Percentage completed',
        ]),
      );
      for (const r of host.recoveryProgress.values()) {
        const pct = r.total ? Math.floor((100 * r.done) / r.total) : 0;
        log.info(
          row([
            r.hostname,
            String(r.port),
            r.type,
            String(Math.round(r.done / 1024)),
            String(Math.round(r.total / 1024)),
            `${pct}%`,
          ]),
        );
      }
    }
    const switched = segs.filter((c) => c.role === 'p' && c.preferred_role === 'm');
    if (switched.length) {
      problems = true;
      log.info('----------------------------------------------------');
      log.info('Segments with Primary and Mirror Roles Switched');
      log.info(row(['Current Primary', 'Port', 'Mirror', 'Port']));
      for (const p of switched) {
        const m = pairOf(config, p.content).mirror;
        log.info(row([p.hostname, String(p.port), m?.hostname ?? '', String(m?.port ?? '')]));
      }
    }
    if (qd.fileRep && (await fileRepMirroringReport(host, log, config, row))) problems = true;
    const unsynced = segs.filter((c) => c.role === 'p' && c.mode === 'n' && pairOf(config, c.content).mirror);
    if (unsynced.length) {
      problems = true;
      log.info('----------------------------------------------------');
      log.info('Unsynchronized Segment Pairs');
      log.info(row(['Current Primary', 'Port', 'WAL sync remaining bytes', 'Mirror', 'Port']));
      for (const p of unsynced) {
        const m = pairOf(config, p.content).mirror!;
        // The primary's walsender, asked over the coordinator's link (any runtime); one it
        // cannot reach within gp_segment_connect_timeout is Unknown.
        const ws = await qd
          .callContent(p.content, 'replicationStatus', [], qd.connectTimeoutMs)
          .then((rows) => rows[0])
          .catch(() => undefined);
        const flushed = ws?.connected ? parseLsn(ws.wal_flushed_lsn) : undefined;
        const mirrorFlushed = ws?.connected ? parseLsn(ws.flush_lsn) : undefined;
        const remaining =
          flushed !== undefined && mirrorFlushed !== undefined
            ? String(Math.max(0, flushed - mirrorFlushed))
            : 'Unknown';
        log.info(row([p.hostname, String(p.port), remaining, m.hostname, String(m.port)]));
      }
    }
    // Down in the catalog, or not running though the catalog says up (stopped by gpstop while the
    // coordinator runs alone after gpstart -m; crashed, before FTS notices): gpstate asks each
    // segment's host, not only the catalog.
    const running = new Map<number, boolean>();
    for (const c of segs) running.set(c.dbid, await live(c.dbid));
    const down = segs.filter((c) => c.status === 'd' || !running.get(c.dbid));
    if (down.length) {
      problems = true;
      log.info('----------------------------------------------------');
      log.info('Downed Segments (may include segments where status could not be retrieved)');
      log.info(row(['Segment', 'Port', 'Config status', 'Status']));
      for (const d of down)
        log.info(
          row([
            d.hostname,
            String(d.port),
            d.status === 'd' ? 'Down' : 'Up',
            running.get(d.dbid) ? 'Up' : d.status === 'd' ? 'Down in configuration' : 'Down',
          ]),
        );
    }
    if (!problems) log.info('All segments are running normally');
    return log.done(problems ? 1 : 0);
  }

  // The summary (also -s, -Q, -b): key = value lines; problems marked with <<<<<<<<.
  const primaries = segs.filter((c) => c.preferred_role === 'p');
  const mirrors = segs.filter((c) => c.preferred_role === 'm');
  const kv = (k: string, v: string | number, bad = false) =>
    bad ? log.warn(`${k.padEnd(50)} = ${v}   <<<<<<<<`) : log.info(`   ${k.padEnd(50)} = ${v}`);
  log.info('Gathering data from segments...');
  log.info('-----------------------------------------------------');
  log.info('-Coordinator Configuration & Status');
  log.info('-----------------------------------------------------');
  kv('Coordinator instance', 'Active');
  const standby = config.find((c) => c.content === -1 && c.role === 'm');
  if (standby) {
    kv('Coordinator standby', standby.hostname);
    const up = host.nodes.get(standby.dbid).up;
    kv('Standby coordinator state', up ? 'Standby host passive' : 'Standby host DOWN', !up);
  } else log.info('   No coordinator standby configured');
  kv('Total segment instance count from metadata', segs.length);
  log.info('-----------------------------------------------------');
  log.info('-Primary Segment Status');
  log.info('-----------------------------------------------------');
  kv('Total primary segments', primaries.length);
  const pFailed = primaries.filter((c) => c.status === 'd').length;
  kv('Total primary segment valid (at coordinator)', primaries.length - pFailed);
  kv('Total primary segment failures (at coordinator)', pFailed, pFailed > 0);
  log.info('-----------------------------------------------------');
  log.info('-Mirror Segment Status');
  log.info('-----------------------------------------------------');
  if (!mirrored && !mirrors.length) log.info('   Mirrors not configured on this array');
  else {
    const mFailed = mirrors.filter((c) => c.status === 'd').length;
    kv('Total mirror segments', mirrors.length);
    kv('Total mirror segment valid (at coordinator)', mirrors.length - mFailed);
    kv('Total mirror segment failures (at coordinator)', mFailed, mFailed > 0);
    const actingP = mirrors.filter((c) => c.role === 'p').length;
    kv('Total number mirror segments acting as primary segments', actingP, actingP > 0);
    kv('Total number mirror segments acting as mirror segments', mirrors.length - actingP);
  }
  if (await expansionInProgress(host)) {
    log.info('-----------------------------------------------------');
    kv('Cluster Expansion', 'In Progress');
  }
  if (flags.has('-s')) {
    coordinatorDetail(host, config, log);
    for (const c of segs.sort((a, b) => a.dbid - b.dbid)) await detail(host, log, c, config);
  }
  log.info('-----------------------------------------------------');
  return log.done(0);
}

async function detail(
  host: UtilityHost,
  log: UtilityLog,
  c: SegmentConfig,
  config: SegmentConfig[],
): Promise<void> {
  const node = host.nodes.get(c.dbid);
  const qd = host.coordinator();
  const pair = pairOf(config, c.content);
  log.info('-----------------------------------------------------');
  log.info(`   Segment Info`);
  log.info(`      Hostname                          = ${c.hostname}`);
  log.info(`      Address                           = ${c.address}`);
  log.info(`      Datadir                           = ${c.datadir}`);
  log.info(`      Port                              = ${c.port}`);
  log.info(`   Mirroring Info`);
  log.info(`      Current role                      = ${c.role === 'p' ? 'Primary' : 'Mirror'}`);
  log.info(`      Preferred role                    = ${c.preferred_role === 'p' ? 'Primary' : 'Mirror'}`);
  if (pair.mirror && qd.fileRep) {
    if (c.role === 'p') await fileRepDetail(host, log, c, config);
    else log.info(`      Mirror status                     = ${dataState(pair.primary?.mode ?? c.mode)}`);
  } else if (pair.mirror && pair.primary) {
    // The primary's walsender, asked over the coordinator's link (any runtime); one it
    // cannot reach within gp_segment_connect_timeout is Unknown.
    const ws = await qd
      .callContent(c.content, 'replicationStatus', [], qd.connectTimeoutMs)
      .then((rows) => rows[0])
      .catch(() => undefined);
    if (c.role === 'p') {
      log.info(
        `      Mirror status                     = ${c.mode === 's' ? 'Synchronized' : 'Not in Sync'}`,
      );
      const flushed = ws && parseLsn(ws.wal_flushed_lsn);
      const sent = ws && parseLsn(ws.sent_lsn);
      log.info(
        `      Bytes remaining to send to mirror = ${flushed !== undefined && sent !== undefined ? Math.max(0, flushed - sent) : 'Unknown'}`,
      );
    } else {
      const state = ws?.connected && ws.state ? ws.state[0]!.toUpperCase() + ws.state.slice(1) : 'Unknown';
      log.info(`      Mirror status                     = ${state}`);
    }
    log.info(`   Replication Info`);
    log.info(`      WAL Sent Location                 = ${ws?.connected ? ws.sent_lsn : 'Unknown'}`);
    log.info(`      WAL Flush Location                = ${ws?.connected ? ws.flush_lsn : 'Unknown'}`);
    log.info(`      WAL Replay Location               = ${ws?.connected ? ws.replay_lsn : 'Unknown'}`);
  }
  log.info(`   Status`);
  log.info(`      PID                               = ${node.up ? 10000 + c.dbid : 'Not found'}`);
  log.info(`      Configuration reports status as   = ${c.status === 'u' ? 'Up' : 'Down'}`);
  log.info(
    `      ${c.role === 'p' ? 'Database status' : 'Segment status'}                   = ${node.up ? 'Up' : c.status === 'd' ? 'Down in configuration' : 'Down'}`,
  );
}

/** gpstate -s: the coordinator block before the segments'. */
function coordinatorDetail(host: UtilityHost, config: SegmentConfig[], log: UtilityLog): void {
  const coord = config.find((c) => c.content === -1 && c.role === 'p');
  const standby = config.find((c) => c.content === -1 && c.role === 'm');
  if (!coord) return;
  const kv = (k: string, v: string | number) => log.info(`   ${k.padEnd(48)} = ${v}`);
  log.info('----------------------------------------------------------------------');
  log.info('-Coordinator Configuration & Status');
  log.info('----------------------------------------------------------------------');
  kv('Coordinator host', coord.hostname);
  kv('Coordinator postgres process ID', 10000 + coord.dbid);
  kv('Coordinator data directory', coord.datadir);
  kv('Coordinator port', coord.port);
  kv('Coordinator current role', 'dispatch');
  kv('Greenplum initsystem version', '7.0.0 build mpp-ha-lab');
  kv('Greenplum current version', SERVER_VERSION_STRING);
  kv('Postgres version', '12.12');
  kv('Coordinator standby', standby ? standby.hostname : 'No coordinator standby configured');
  if (standby)
    kv(
      'Standby coordinator status',
      host.nodes.get(standby.dbid).up ? 'Standby host passive' : 'Standby host DOWN',
    );
}

/** gpstate -f: the standby's catalog row, whether it runs, and the coordinator's walsender to it. */
function standbyReport(host: UtilityHost, config: SegmentConfig[], log: UtilityLog): void {
  const standby = config.find((c) => c.content === -1 && c.role === 'm');
  if (!standby) {
    log.info('Standby coordinator instance not configured');
    return;
  }
  const up = host.nodes.get(standby.dbid).up;
  log.info('Standby coordinator details');
  log.info('-----------------------');
  log.info(`   Standby address          = ${standby.address}`);
  log.info(`   Standby data directory   = ${standby.datadir}`);
  log.info(`   Standby port             = ${standby.port}`);
  // A standby that is not running is flagged, as gpstate flags each value that needs attention.
  const flag = (line: string) => (up ? log.info(line) : log.warn(line));
  flag(`   Standby PID              = ${up ? 10000 + standby.dbid : 0}`);
  flag(`   Standby status           = ${up ? 'Standby host passive' : 'Standby process not running'}`);
  log.info('--------------------------------------------------------------');
  log.info('--pg_stat_replication');
  log.info('--------------------------------------------------------------');
  // The coordinator's own walsender: gpstate runs beside it.
  const ws = host.coordinator().replication?.walsender;
  if (!ws || ws.state === 'stopped') {
    log.info('No entries found.');
  } else {
    log.info(`-WAL Sender State: ${ws.state}`);
    log.info(`-Sync state: ${ws.state === 'streaming' ? 'sync' : 'async'}`);
    log.info(`-Sent Location: ${formatLsn(ws.sent)}`);
    log.info(`-Flush Location: ${formatLsn(ws.flush)}`);
    log.info(`-Replay Location: ${formatLsn(ws.replay)}`);
  }
  log.info('--------------------------------------------------------------');
}

/**
 * A table's rows in aligned columns, as Greenplum's TableLogger prints them: each column as
 * wide as its widest cell and a gap (at least as wide as `row` pads), so that a long status
 * or data directory does not push the columns after it out of line.
 */
function alignedRows(rows: readonly string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 18, c.length + 2)));
  return rows.map(
    (r) =>
      '   ' +
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join(' ')
        .trimEnd(),
  );
}

function row(cols: string[]): string {
  return (
    '   ' +
    cols
      .map((c) => c.padEnd(18))
      .join(' ')
      .trimEnd()
  );
}
