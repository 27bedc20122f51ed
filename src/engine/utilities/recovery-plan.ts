/**
 * Which segments gprecoverseg recovers, and where: the -i file and the -p new hosts, read and
 * checked whole before anything is stopped or changed (Greenplum's rules and texts: 1 or 2
 * groups of address|port|data_directory per line, each failed segment and each new place
 * once, a segment that is in the configuration and is not an acting primary, no port or
 * directory shared on a host).
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import {
  checkLocation,
  meaningfulLines,
  portOrDirectoryClash,
  validHostname,
  type Location,
} from '../topology/config-files.ts';

export type { Location };

/** One `address|port|data_directory` group of a recovery or move file. */
export function parseLocationGroup(
  group: string,
  line: number,
  file: string,
  which: 'failed' | 'new',
): Location | string {
  const parts = group.split('|');
  if (parts.length !== 3)
    return `line ${line} of file ${file}: expected 3 parts on ${which} segment group, obtained ${parts.length}`;
  return checkLocation({ address: parts[0]!, port: parts[1]!, datadir: parts[2]! }, line);
}

/** How a segment is recovered: gprecoverseg's default, --differential, or -F. */
export type RecoveryType = 'Incremental' | 'Differential' | 'Full';

export interface RecoveryPlan {
  targets: SegmentConfig[];
  /** Targets rebuilt elsewhere, by dbid: their new place. */
  moves: Map<number, Location>;
  /** Targets whose line named their recovery type (I|, D| or F|), by dbid. */
  types: Map<number, RecoveryType>;
}

const TYPE_PREFIX: Record<string, RecoveryType> = { i: 'Incremental', d: 'Differential', f: 'Full' };

/**
 * A failed-segment group of Greenplum 7.1's forms: an optional recovery type (I, D or F, either
 * case), an optional hostname, then address|port|data_directory.
 */
function parseFailedGroup(
  group: string,
  line: number,
  file: string,
): { from: Location; hostname?: string; type?: RecoveryType } | string {
  const parts = group.split('|');
  let type: RecoveryType | undefined;
  // With 5 parts the first is a type; with 4 it is one only if it reads I, D or F.
  const prefix = TYPE_PREFIX[parts[0]!.toLowerCase()];
  if (parts.length === 5 || (parts.length === 4 && prefix)) {
    if (!prefix) return 'Invalid recovery type provided, please provide any of I,D,F,i,d,f as recovery_type';
    type = prefix;
    parts.shift();
  }
  let hostname: string | undefined;
  if (parts.length === 4) {
    hostname = parts.shift()!;
    if (!validHostname(hostname)) return `Invalid hostname on line ${line}`;
  }
  const from = parseLocationGroup(parts.join('|'), line, file, 'failed');
  if (typeof from === 'string') return from;
  return { from, ...(hostname ? { hostname } : {}), ...(type ? { type } : {}) };
}

const sameDir = (a: Location, b: Location) => a.address === b.address && a.datadir === b.datadir;

/** gprecoverseg -i: the whole file, or the first reason it cannot work. */
export function planFromFile(
  text: string,
  file: string,
  config: readonly SegmentConfig[],
): RecoveryPlan | string {
  const entries: {
    line: number;
    group: string;
    from: Location;
    hostname?: string;
    type?: RecoveryType;
    to?: Location;
  }[] = [];
  for (const [line, content] of meaningfulLines(text)) {
    const groups = content.split(/\s+/);
    if (groups.length > 2)
      return `line ${line} of file ${file}: expected 1 or 2 groups but found ${groups.length}`;
    const failed = parseFailedGroup(groups[0]!, line, file);
    if (typeof failed === 'string') return failed;
    const to = groups[1] === undefined ? undefined : parseLocationGroup(groups[1], line, file, 'new');
    if (typeof to === 'string') return to;
    // A segment rebuilt in a new place is always copied whole.
    if (to && failed.type && failed.type !== 'Full')
      return `line ${line} of file ${file}: a segment recovered to a new location is always recovered in full (F), not ${failed.type.toLowerCase()}`;
    entries.push({ line, group: groups[0]!, ...failed, ...(to ? { to } : {}) });
  }
  // Across lines: each failed segment once, each new place once, no new place that another
  // line recovers in place.
  for (let i = 0; i < entries.length; i++)
    for (let j = 0; j < i; j++) {
      const [a, b] = [entries[j]!, entries[i]!];
      const conflict = `config file lines ${a.line} and ${b.line} conflict:`;
      if (sameDir(a.from, b.from))
        return `${conflict} Cannot recover the same failed segment ${b.from.address} and data directory ${b.from.datadir} twice.`;
      if (a.to && b.to && sameDir(a.to, b.to))
        return `${conflict} Cannot recover to the same segment ${b.to.address} and data directory ${b.to.datadir} twice.`;
      const inPlace = [a, b].find((e) => !e.to);
      const moved = [a, b].find((e) => e.to);
      if (inPlace && moved && sameDir(inPlace.from, moved.to!))
        return `${conflict} Cannot recover segment ${inPlace.from.address} with data directory ${inPlace.from.datadir} in place if it is used as a recovery segment.`;
    }
  const plan: RecoveryPlan = { targets: [], moves: new Map(), types: new Map() };
  for (const e of entries) {
    const row = config.find(
      (c) =>
        c.address === e.from.address &&
        c.port === e.from.port &&
        c.datadir === e.from.datadir &&
        (e.hostname === undefined || c.hostname === e.hostname),
    );
    if (!row)
      return `A segment to recover was not found in configuration.  This segment is described by address|port|directory '${e.group}'`;
    if (row.content < 0)
      return `Line ${e.line} names dbid ${row.dbid}, a coordinator: gprecoverseg recovers segments only (gpinitstandby rebuilds a standby coordinator)`;
    if (row.role === 'p')
      return `Segment to recover from for content ${row.content} is not a primary: line ${e.line} names dbid ${row.dbid}, the acting primary of content ${row.content}; only failed segments and mirrors are recovered`;
    plan.targets.push(row);
    if (e.to) plan.moves.set(row.dbid, e.to);
    if (e.type) plan.types.set(row.dbid, e.type);
  }
  const clash = movedClash(config, plan.moves);
  return clash ?? plan;
}

/**
 * gprecoverseg -p: the failed segments of each failed host (sorted by name) go to the next new
 * host, each on the lowest free port from the cluster's lowest segment port, same directory.
 */
export function planNewHosts(
  failed: readonly SegmentConfig[],
  hostList: string,
  config: readonly SegmentConfig[],
): (RecoveryPlan & { unused: string[] }) | string {
  const hosts = [
    ...new Set(
      hostList
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean),
    ),
  ];
  const bad = hosts.find((h) => !validHostname(h));
  if (bad !== undefined) return `Invalid hostname '${bad}' given with -p`;
  const failedHosts = [...new Set(failed.map((f) => f.hostname))].sort();
  if (hosts.length < failedHosts.length) return 'Not enough new recovery hosts given for recovery.';
  const segs = config.filter((c) => c.content >= 0);
  const base = Math.min(...segs.map((c) => c.port));
  const used = new Map<string, Set<number>>();
  for (const c of config) used.set(c.hostname, (used.get(c.hostname) ?? new Set()).add(c.port));
  const moves = new Map<number, Location>();
  for (const f of failed) {
    const to = hosts[failedHosts.indexOf(f.hostname)]!;
    const taken = used.get(to) ?? new Set<number>();
    let port = base;
    while (taken.has(port) && port <= 65535) port++;
    if (port > 65535) return `Unable to assign port on ${to}`;
    used.set(to, taken.add(port));
    moves.set(f.dbid, { hostname: to, address: to, port, datadir: f.datadir });
  }
  const clash = movedClash(config, moves);
  if (clash) return clash;
  return { targets: [...failed], moves, types: new Map(), unused: hosts.slice(failedHosts.length) };
}

/** No two instances on one host with one port or directory, once the moves are made. */
export function movedClash(
  config: readonly SegmentConfig[],
  moves: ReadonlyMap<number, Location>,
): string | undefined {
  const moved = config.filter((c) => moves.has(c.dbid)).map((c) => ({ ...c, ...moves.get(c.dbid)! }));
  return portOrDirectoryClash(config, moved);
}
