/**
 * gpstate -i (each instance's version) and -p (ports), in Greenplum 7's shapes: the
 * coordinator, its standby, then each pair, primary first. An instance that is down (or marked
 * down) has no version to give: a warning row "unable to retrieve version".
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import { SERVER_VERSION_STRING } from '../version.ts';
import type { UtilityHost, UtilityLog } from './host.ts';

/** Rows as Greenplum's TableLogger lays them out: columns padded to the widest, plus 3. */
export function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)) + 3);
  return rows.map((r) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]!) : c)).join(''));
}

/** Coordinator, standby, then primary and mirror of each content. */
function inPairOrder(config: readonly SegmentConfig[]): SegmentConfig[] {
  const coord = config
    .filter((c) => c.content === -1)
    .sort((a, b) => (a.role === 'p' ? -1 : b.role === 'p' ? 1 : 0));
  const segs = config
    .filter((c) => c.content >= 0)
    .sort((a, b) => a.content - b.content || (a.role === 'p' ? -1 : 1));
  return [...coord, ...segs];
}

export function versionReport(host: UtilityHost, config: readonly SegmentConfig[], log: UtilityLog): void {
  log.info('Loading version information');
  const rows = inPairOrder(config).map((c) => {
    const up = c.status === 'u' && host.nodes.get(c.dbid).up;
    return {
      up,
      cols: [
        c.hostname,
        c.datadir,
        String(c.port),
        up ? SERVER_VERSION_STRING : 'unable to retrieve version',
      ],
    };
  });
  const lines = table([['Host', 'Datadir', 'Port', 'Version'], ...rows.map((r) => r.cols)]);
  log.info(`   ${lines[0]!}`);
  rows.forEach((r, i) => (r.up ? log.info(`   ${lines[i + 1]!}`) : log.warn(`${lines[i + 1]!}   <<<<<<<<`)));
  if (rows.some((r) => !r.up))
    log.warn('Unable to retrieve version data from all segments.  Review table above for details.');
  else log.info('All segments are running the same software version');
}

export function portReport(config: readonly SegmentConfig[], log: UtilityLog): void {
  const coord = config.find((c) => c.content === -1 && c.role === 'p');
  if (coord) log.info(`--Coordinator segment instance  ${coord.datadir}  port = ${coord.port}`);
  log.info('--Segment instance port assignments');
  log.info('----------------------------------');
  const segs = inPairOrder(config).filter((c) => c.content >= 0);
  for (const line of table([
    ['Host', 'Datadir', 'Port'],
    ...segs.map((c) => [c.address, c.datadir, String(c.port)]),
  ]))
    log.info(`   ${line}`);
}
