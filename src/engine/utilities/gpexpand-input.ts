/**
 * gpexpand's input file: `hostname|address|port|datadir|dbid|content|preferred_role`, one line
 * per new instance. Read and checked whole before anything changes, in Greenplum's order and
 * words (gparray's validateExpansionSegs); and written by the interview for new hosts, placing
 * primaries as the existing hosts hold them and mirrors with the cluster's strategy.
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import { checkLocation, meaningfulLines, validHostname } from '../topology/config-files.ts';

/** A refusal of gpexpand's (Greenplum's ExpansionError): `gpexpand failed: ...`, exit 3. */
export class ExpansionError extends Error {}

/** The new instances an input file names, each checked, or an ExpansionError. */
export function readInputFile(config: readonly SegmentConfig[], text: string, name: string): SegmentConfig[] {
  const rows: SegmentConfig[] = [];
  const maxContent = Math.max(...config.map((c) => c.content));
  for (const [n, line] of meaningfulLines(text)) {
    const parts = line.split('|');
    const invalid = (msg: string) =>
      new ExpansionError(`Invalid input file on line ${n} of file ${name}: ${msg}`);
    if (parts.length !== 7) throw invalid(`expected 7 parts, obtained ${parts.length}`);
    const [hostname, address, port, datadir, dbid, content, role] = parts as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const at = checkLocation({ address, port, datadir }, n);
    if (typeof at === 'string') throw invalid(at);
    if (!/^-?\d+$/.test(content) || Number(content) < -1) throw invalid(`Invalid content ID on line ${n}`);
    if (!validHostname(hostname)) throw invalid(`Invalid hostname on line ${n}`);
    if (!/^\d+$/.test(dbid) || Number(dbid) < 1) throw invalid(`Invalid dbid on line ${n}`);
    if (role !== 'p' && role !== 'm') throw invalid(`Invalid role on line ${n}`);
    const row: SegmentConfig = {
      ...at,
      hostname,
      dbid: Number(dbid),
      content: Number(content),
      role,
      preferred_role: role,
      mode: 'n',
      status: role === 'p' ? 'u' : 'd',
    };
    if (row.content <= maxContent) throw new ExpansionError('Invalid content ID for expansion segment');
    if (role === 'p' && rows.some((r) => r.role === 'p' && r.content === row.content))
      throw new ExpansionError('Duplicate content id for primary segment');
    // A second mirror line for a content replaces the first, as Greenplum's reader does.
    const twin = rows.findIndex((r) => r.role === 'm' && role === 'm' && r.content === row.content);
    if (twin >= 0) rows.splice(twin, 1);
    rows.push(row);
  }
  validateExpansion(config, rows);
  return rows;
}

/** The dbids an input file names (its fifth field), for the rollback of its setup. */
export function inputDbids(text: string): number[] {
  return meaningfulLines(text)
    .map(([, l]) => Number(l.split('|')[4]))
    .filter((d) => Number.isInteger(d) && d > 0);
}

/** validateExpansionSegs: the new rows as a whole, against the cluster. */
export function validateExpansion(config: readonly SegmentConfig[], rows: readonly SegmentConfig[]): void {
  const invalid = (msg: string) => new ExpansionError(`Invalid input file: ${msg}`);
  if (!rows.length) throw invalid('No expansion segments defined');
  const mirrored = config.some((c) => c.content >= 0 && c.role === 'm');
  const contents = [...new Set(rows.map((r) => r.content))].sort((a, b) => a - b);
  const maxContent = Math.max(...config.map((c) => c.content));
  if (contents.some((c, i) => c !== maxContent + 1 + i))
    throw invalid('Expansion segments do not have contiguous content ids.');
  for (const c of contents) {
    const hasMirror = rows.some((r) => r.content === c && r.role === 'm');
    if (mirrored && !hasMirror) throw invalid('Expansion segment has no mirror but mirroring is enabled.');
    if (!mirrored && hasMirror)
      throw invalid('Expansion segment has a mirror segment defined but mirroring is not enabled.');
    if (!rows.some((r) => r.content === c && r.role === 'p')) throw invalid('Invalid content ids');
  }
  const dbids = rows.map((r) => r.dbid).sort((a, b) => a - b);
  const maxDbid = Math.max(...config.map((c) => c.dbid));
  if (dbids.some((d, i) => d !== maxDbid + 1 + i)) throw invalid('Expansion segments have incorrect dbids');
  const byHost = new Map<string, SegmentConfig[]>();
  for (const r of [...config, ...rows]) byHost.set(r.hostname, [...(byHost.get(r.hostname) ?? []), r]);
  for (const [host, list] of byHost) {
    const dirs = new Set<string>();
    const ports = new Set<number>();
    for (const r of list) {
      if (dirs.has(r.datadir))
        throw invalid(`Data directory ${r.datadir} used multiple times on host ${host}`);
      if (ports.has(r.port)) throw invalid(`Port ${r.port} is used multiple times on host ${host}`);
      dirs.add(r.datadir);
      ports.add(r.port);
    }
  }
  // The lab's own check (Greenplum leaves it to the DBA): a mirror on its primary's host
  // protects nothing, since one host failure takes both.
  for (const m of rows.filter((r) => r.role === 'm')) {
    const p = rows.find((r) => r.role === 'p' && r.content === m.content)!;
    if (p.hostname === m.hostname)
      throw invalid(
        `Expansion segment ${m.content} has its primary and its mirror on host ${m.hostname}: a failure of that host would lose both. Place the mirror on another host.`,
      );
  }
}

/** The input file's text for these rows, primary then mirror for each new content. */
export function formatInputFile(rows: readonly SegmentConfig[]): string {
  const sorted = [...rows].sort((a, b) => a.content - b.content || (a.role === 'p' ? -1 : 1));
  return sorted
    .map((r) => [r.hostname, r.address, r.port, r.datadir, r.dbid, r.content, r.role].join('|'))
    .join('\n')
    .concat('\n');
}

export type MirrorStrategy = 'grouped' | 'spread';

/**
 * The interview's layout for new hosts: each gets as many primaries as the host of content 0
 * has, with ports counting up from the lowest primary port and directories beside the
 * template's; mirrors grouped on the next new host, or spread one per following host.
 */
export function layoutNewHosts(
  config: readonly SegmentConfig[],
  hosts: readonly string[],
  strategy: MirrorStrategy | 'none',
): SegmentConfig[] {
  const segs = config.filter((c) => c.content >= 0);
  const template = segs.find((c) => c.content === 0 && c.preferred_role === 'p')!;
  const templatePrimaries = segs
    .filter((c) => c.preferred_role === 'p' && c.hostname === template.hostname)
    .sort((a, b) => a.content - b.content);
  const templateMirrors = segs.filter((c) => c.preferred_role === 'm');
  const perHost = templatePrimaries.length;
  if (strategy === 'grouped' && hosts.length < 2)
    throw new ExpansionError('Not enough hosts for grouped mirroring.  You must have at least 2');
  if (strategy === 'spread' && hosts.length <= perHost)
    throw new ExpansionError(
      'Not enough hosts for spread mirroring.  You must have more hosts than primary segments per host',
    );
  const minPort = Math.min(...segs.filter((c) => c.preferred_role === 'p').map((c) => c.port));
  const minMirrorPort = templateMirrors.length ? Math.min(...templateMirrors.map((c) => c.port)) : 0;
  const parentOf = (dir: string) => dir.replace(/\/[^/]*$/, '');
  const prefixOf = (dir: string) => (/([^/]*?)-?\d+$/.exec(dir)?.[1] ?? 'gpseg').replace(/-$/, '');
  const primaryDir = parentOf(template.datadir);
  const prefix = prefixOf(template.datadir);
  const mirrorTemplate = templateMirrors[0];
  const mirrorDir = mirrorTemplate ? parentOf(mirrorTemplate.datadir) : primaryDir;
  let content = Math.max(...config.map((c) => c.content)) + 1;
  let dbid = Math.max(...config.map((c) => c.dbid)) + 1;
  const primaries: SegmentConfig[] = [];
  for (const host of hosts)
    for (let i = 0; i < perHost; i++) {
      primaries.push({
        dbid: 0,
        content: content++,
        role: 'p',
        preferred_role: 'p',
        mode: 'n',
        status: 'u',
        hostname: host,
        address: host,
        port: minPort + i,
        datadir: `${primaryDir}/${prefix}${content - 1}`,
      });
    }
  const mirrors: SegmentConfig[] = [];
  if (strategy !== 'none') {
    const nextPort = new Map<string, number>();
    hosts.forEach((host, h) => {
      const own = primaries.filter((p) => p.hostname === host);
      own.forEach((p, i) =>
        mirrors.push(
          mirrorOf(p, hosts, h, i, strategy, nextPort, minMirrorPort, `${mirrorDir}/${prefix}${p.content}`),
        ),
      );
    });
  }
  // dbids in Greenplum's order: primaries first, then mirrors, each by host name.
  const byHost = (a: SegmentConfig, b: SegmentConfig) =>
    a.hostname.localeCompare(b.hostname) || a.content - b.content;
  for (const r of [...primaries.sort(byHost), ...mirrors.sort(byHost)]) r.dbid = dbid++;
  return [...primaries, ...mirrors];
}

/**
 * The interview's extra segments per host (Greenplum's createSegmentRows): `dirs.primary.length`
 * more primaries on every host, the array's and the new ones, with ports counting up from the
 * highest primary port in use and directories under the roots given; their mirrors grouped on
 * the next host or spread over the following ones, ports from the highest mirror port. Then
 * every new row is numbered as the interview numbers them: contents to the primaries by host
 * name, each mirror its primary's, dbids primaries first, then mirrors, each by host name.
 */
export function layoutExtraSegments(
  config: readonly SegmentConfig[],
  newHostRows: readonly SegmentConfig[],
  dirs: { primary: readonly string[]; mirror: readonly string[] },
  strategy: MirrorStrategy | 'none',
): SegmentConfig[] {
  const all = [...config.filter((c) => c.content >= 0), ...newHostRows];
  const firstContent = (h: string) => Math.min(...all.filter((c) => c.hostname === h).map((c) => c.content));
  const hosts = [...new Set(all.filter((c) => c.preferred_role === 'p').map((c) => c.hostname))].sort(
    (a, b) => firstContent(a) - firstContent(b),
  );
  const prefix =
    (/([^/]*?)-?\d+$/.exec(all.find((c) => c.content === 0)?.datadir ?? '')?.[1] ?? 'gpseg').replace(
      /-$/,
      '',
    ) || 'gpseg';
  const maxPort = (role: string) =>
    Math.max(0, ...all.filter((c) => c.preferred_role === role).map((c) => c.port));
  const primaries: SegmentConfig[] = [...newHostRows.filter((r) => r.role === 'p')];
  const mirrors: SegmentConfig[] = [...newHostRows.filter((r) => r.role === 'm')];
  const extra: { p: SegmentConfig; i: number; h: number }[] = [];
  hosts.forEach((host, h) =>
    dirs.primary.forEach((root, i) => {
      const p: SegmentConfig = {
        dbid: 0,
        content: 0,
        role: 'p',
        preferred_role: 'p',
        mode: 'n',
        status: 'u',
        hostname: host,
        address: host,
        port: maxPort('p') + 1 + i,
        datadir: root,
      };
      primaries.push(p);
      extra.push({ p, i, h });
    }),
  );
  const nextPort = new Map<string, number>();
  const extraMirrors = new Map<SegmentConfig, SegmentConfig>();
  if (strategy !== 'none')
    for (const { p, i, h } of extra) {
      const m = mirrorOf(
        p,
        hosts,
        h,
        i,
        strategy,
        nextPort,
        maxPort('m') + 1,
        dirs.mirror[i] ?? dirs.primary[i]!,
      );
      extraMirrors.set(p, m);
      mirrors.push(m);
    }
  // Numbering across the new hosts' rows and the extra ones together.
  const byHost = (a: SegmentConfig, b: SegmentConfig) => a.hostname.localeCompare(b.hostname);
  const oldMirrorOf = new Map(newHostRows.filter((r) => r.role === 'm').map((m) => [m.content, m]));
  let content = Math.max(...config.map((c) => c.content)) + 1;
  const isExtra = new Set(extra.map((e) => e.p));
  for (const p of primaries.sort(byHost)) {
    const mirror = isExtra.has(p) ? extraMirrors.get(p) : oldMirrorOf.get(p.content);
    p.content = content++;
    p.datadir = isExtra.has(p)
      ? `${p.datadir.replace(/\/+$/, '')}/${prefix}${p.content}`
      : renumbered(p.datadir, p.content);
    if (mirror) {
      mirror.content = p.content;
      mirror.datadir = isExtra.has(p)
        ? `${mirror.datadir.replace(/\/+$/, '')}/${prefix}${p.content}`
        : renumbered(mirror.datadir, p.content);
    }
  }
  let dbid = Math.max(...config.map((c) => c.dbid)) + 1;
  for (const r of [...primaries, ...[...mirrors].sort(byHost)]) r.dbid = dbid++;
  return [...primaries, ...mirrors];
}

/**
 * The mirror of primary `p`, the i-th on host number `h` of `hosts`: grouped on the next host,
 * spread on the i-th one after; each mirror host's ports count up from `firstPort`.
 */
function mirrorOf(
  p: SegmentConfig,
  hosts: readonly string[],
  h: number,
  i: number,
  strategy: MirrorStrategy,
  ports: Map<string, number>,
  firstPort: number,
  datadir: string,
): SegmentConfig {
  const target = hosts[(h + 1 + (strategy === 'spread' ? i : 0)) % hosts.length]!;
  const port = ports.get(target) ?? firstPort;
  ports.set(target, port + 1);
  return {
    ...p,
    role: 'm',
    preferred_role: 'm',
    status: 'd',
    hostname: target,
    address: target,
    port,
    datadir,
  };
}

/** A data directory's trailing content number replaced (gpseg4 becomes gpseg6). */
function renumbered(dir: string, content: number): string {
  return dir.replace(/\d+$/, String(content));
}

/** The cluster's mirroring strategy as its layout shows it: spread if one host's mirrors have several primaries' hosts. */
export function strategyOf(config: readonly SegmentConfig[]): MirrorStrategy | 'none' {
  const segs = config.filter((c) => c.content >= 0);
  if (!segs.some((c) => c.preferred_role === 'm')) return 'none';
  const primaryHosts = new Map<string, Set<string>>();
  for (const m of segs.filter((c) => c.preferred_role === 'm')) {
    const p = segs.find((c) => c.content === m.content && c.preferred_role === 'p');
    if (!p) continue;
    primaryHosts.set(p.hostname, (primaryHosts.get(p.hostname) ?? new Set()).add(m.hostname));
  }
  return [...primaryHosts.values()].some((s) => s.size > 1) ? 'spread' : 'grouped';
}
