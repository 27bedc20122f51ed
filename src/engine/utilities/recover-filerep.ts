/**
 * gprecoverseg in file replication (Greenplum 4/5): a failed segment is restarted as a passive
 * mirror and its primary resynchronizes it, sending the blocks its change tracking log names
 * (incremental) or every file (-F). The catalog goes from (u, c, d, s) through (u, c, d, r) to
 * (u, r, u, r) once resynchronization has begun; it continues in the background, and FTS writes
 * (u, s, u, s) when the primary reports it done (gpstate -s and -e show the progress).
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import { pairOf, runningPrimary, updateCatalog, type UtilityHost, type UtilityLog } from './host.ts';
import { stopAndMarkTargets, type Location } from './gprecoverseg.ts';

/** How long gprecoverseg waits for a primary to begin resynchronizing (a host it cannot reach). */
const RESYNC_START_TIMEOUT_MS = 600_000;

export async function recoverFileRep(
  host: UtilityHost,
  log: UtilityLog,
  wanted: SegmentConfig[],
  type: 'Full' | 'Differential' | 'Incremental',
  moves: ReadonlyMap<number, Location> = new Map(),
): Promise<SegmentConfig[]> {
  const qd = host.coordinator();
  if (type === 'Differential') {
    log.error(
      'gprecoverseg --differential copies by comparing WAL-era files; file replication resynchronizes from the change tracking log: use gprecoverseg (incremental) or gprecoverseg -F',
    );
    return [];
  }
  const coordinator = qd.config.find((c) => c.content === -1 && c.role === 'p')!;
  // A primary whose mirror just failed waits for FTS to move it to Change Tracking first.
  if (wanted.some((t) => pairOf(qd.config, t.content).primary?.mode === 's')) await qd.fts?.requestScan();
  // (u, c, d, r): the primary tracks changes until its mirror is back and resynchronizing.
  const targets = (await stopAndMarkTargets(host, log, wanted, moves, { target: 'r', primary: 'c' })).map(
    (t) => ({ ...t, ...moves.get(t.dbid) }),
  );

  const started: SegmentConfig[] = [];
  for (const t of targets) {
    const who = `${t.hostname} (dbid ${t.dbid})`;
    if (host.cancelled()) {
      log.warn(`${who}: not recovered: the run was cancelled`);
      continue;
    }
    const primary = await runningPrimary(host, qd.config, t.content);
    if (!primary) {
      log.error(`Primary segment is not up for content ${t.content}`);
      continue;
    }
    const full = type === 'Full' || moves.has(t.dbid);
    try {
      await host.reach('gprecoverseg_copy', t.dbid);
      await host.restartNode(host.nodes.get(t.dbid));
      const plan = await host.nodes.call(
        coordinator.dbid,
        primary.dbid,
        'filerepResync',
        [t.dbid, full, false],
        RESYNC_START_TIMEOUT_MS,
      );
      log.info(
        (plan?.full ?? full)
          ? `${who}: full resynchronization of ${plan?.blocks ?? 0} blocks from dbid ${primary.dbid}`
          : `${who}: incremental resynchronization of ${plan?.blocks ?? 0} blocks from dbid ${primary.dbid}` +
              ` (${plan?.tracked ?? 0} in the change tracking log, ${plan?.suspects ?? 0} in flight when the pair failed)`,
      );
      host.emit({
        kind: 'recovery.bytes',
        dbid: t.dbid,
        type: full ? 'full' : 'incremental',
        bytes: (plan?.blocks ?? 0) * 8192,
      });
      started.push(t);
    } catch (e) {
      log.error(`${who}: ${(e as Error).message}`);
    }
  }
  await markResynchronizing(host, started);
  log.info('Triggering FTS probe');
  await qd.fts?.requestScan();
  return started;
}

/** Pairs whose resynchronization has begun: (u, r, u, r); FTS writes s once it is done. */
export async function markResynchronizing(
  host: UtilityHost,
  mirrors: readonly SegmentConfig[],
): Promise<void> {
  if (!mirrors.length) return;
  await updateCatalog(host, async (tx, qd) => {
    for (const t of mirrors) {
      const { primary, mirror } = pairOf(qd.config, t.content);
      if (!primary || mirror?.dbid !== t.dbid) continue;
      await qd.catalog.updateSegment(tx, { ...primary, mode: 'r' });
      await qd.catalog.updateSegment(tx, { ...mirror, status: 'u', mode: 'r' });
    }
  });
}

/** The end of a run in file replication: resynchronization goes on in the background. */
export function finishFileRep(log: UtilityLog, ok: SegmentConfig[], wanted: SegmentConfig[]) {
  log.info('Updating segments for resynchronization is completed.');
  log.info('For segments updated successfully, resynchronization will continue in the background.');
  log.info('');
  log.info('Use  gpstate -s  to check the resynchronization progress.');
  if (ok.length === wanted.length) return 0;
  for (const w of wanted)
    if (!ok.some((o) => o.dbid === w.dbid))
      log.info(`Failed to recover: hostname: ${w.hostname}; port: ${w.port}; datadir: ${w.datadir}`);
  return 1;
}
