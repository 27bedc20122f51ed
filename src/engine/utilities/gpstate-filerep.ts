/**
 * gpstate in file replication (Greenplum 4/5): the data states Synchronized, Change Tracking
 * and Resynchronizing, the change tracking log's size, and resynchronization progress as the
 * primaries report them (blocks sent of those planned, an estimated end time).
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import type { FileRepStatus } from '../filerep/protocol.ts';
import { BLCKSZ } from '../storage/disk.ts';
import { pairOf, type UtilityHost, type UtilityLog } from './host.ts';

/** gparray's MODE_LABELS (and Greenplum 7's n). */
export function dataState(mode: SegmentConfig['mode']): string {
  return { s: 'Synchronized', c: 'Change Tracking', r: 'Resynchronizing', n: 'Not In Sync' }[mode];
}

/** The primary's own report, over its link from the coordinator; undefined when it does not answer. */
export async function fileRepStatusOf(
  host: UtilityHost,
  config: readonly SegmentConfig[],
  dbid: number,
): Promise<FileRepStatus | undefined> {
  const coordinator = config.find((c) => c.content === -1 && c.role === 'p');
  if (!coordinator) return undefined;
  return host.nodes.call(coordinator.dbid, dbid, 'filerepStatus', [], 5_000).catch(() => undefined);
}

const kB = (blocks: number) => `${Math.round((blocks * BLCKSZ) / 1024)} kB`;

/** Progress figures of a resynchronization, as gpstate printed them. */
export function resyncFigures(s: FileRepStatus, now: number) {
  const r = s.resync;
  if (!r) return undefined;
  const pct = r.total ? Math.floor((100 * r.done) / r.total) : 100;
  const elapsed = Math.max(1, now - r.startedAt);
  const end = r.done ? r.startedAt + (elapsed * r.total) / r.done : undefined;
  return {
    mode: r.full ? 'Full' : 'Incremental',
    synchronized: kB(r.done),
    total: kB(r.total),
    progress: `${pct}%`,
    end: end === undefined ? 'Not Available' : formatTime(end),
  };
}

function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** gpstate -e: pairs resynchronizing, pairs in change tracking. Returns whether any were found. */
export async function fileRepMirroringReport(
  host: UtilityHost,
  log: UtilityLog,
  config: readonly SegmentConfig[],
  row: (cols: string[]) => string,
): Promise<boolean> {
  const primaries = config.filter((c) => c.content >= 0 && c.role === 'p');
  const resyncing = primaries.filter((p) => p.mode === 'r');
  const tracking = primaries.filter((p) => p.mode === 'c');
  if (resyncing.length) {
    log.info('----------------------------------------------------');
    log.info('Segment Pairs in Resynchronization');
    log.info(
      row([
        'Current Primary',
        'Port',
        'Resync mode',
        'Est. resync progress',
        'Est. total to resync',
        'Est. resync end time',
        'Change tracking size',
        'Mirror',
        'Port',
      ]),
    );
    for (const p of resyncing) {
      const m = pairOf([...config], p.content).mirror;
      const s = await fileRepStatusOf(host, config, p.dbid);
      const f = s && resyncFigures(s, host.clock.now());
      log.info(
        row([
          p.hostname,
          String(p.port),
          f?.mode ?? 'Unknown',
          f?.progress ?? 'Unknown',
          f?.total ?? 'Unknown',
          f?.end ?? 'Unknown',
          s ? kB(s.changeTrackingBlocks) : 'Unknown',
          m?.hostname ?? '',
          String(m?.port ?? ''),
        ]),
      );
    }
  }
  if (tracking.length) {
    log.info('----------------------------------------------------');
    log.info('Segment Pairs in Change Tracking');
    log.info(row(['Current Primary', 'Port', 'Change tracking size', 'Mirror', 'Port']));
    for (const p of tracking) {
      const m = pairOf([...config], p.content).mirror;
      const s = await fileRepStatusOf(host, config, p.dbid);
      log.info(
        row([
          p.hostname,
          String(p.port),
          s ? kB(s.changeTrackingBlocks) : 'unable to retrieve data size',
          m?.hostname ?? '',
          String(m?.port ?? ''),
        ]),
      );
    }
  }
  return resyncing.length + tracking.length > 0;
}

/** gpstate -s: a primary's file replication lines. */
export async function fileRepDetail(
  host: UtilityHost,
  log: UtilityLog,
  c: SegmentConfig,
  config: readonly SegmentConfig[],
): Promise<void> {
  log.info(`      Mirror status                     = ${dataState(c.mode)}`);
  if (c.mode === 's') return;
  const s = await fileRepStatusOf(host, config, c.dbid);
  log.info(`      Change tracking data size         = ${s ? kB(s.changeTrackingBlocks) : 'Unknown'}`);
  const f = s && resyncFigures(s, host.clock.now());
  if (!f) return;
  log.info(`      Resynchronization mode            = ${f.mode}`);
  log.info(`      Data synchronized                 = ${f.synchronized}`);
  log.info(`      Estimated total data to synchronize = ${f.total}`);
  log.info(`      Estimated resync progress with mirror = ${f.progress}`);
  log.info(`      Estimated resync end time         = ${f.end}`);
}
