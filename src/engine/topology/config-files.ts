/**
 * The checks every utility input file gets before anything changes (gpaddmirrors -i,
 * gprecoverseg -i / -p, gpmovemirrors -i): addresses, ports and directories that can work, and
 * no two instances on one host sharing a port or a data directory. Worded as Greenplum's
 * utilities word them (gppylib parseutils and the port/directory check of gparray).
 */
import type { SegmentConfig } from '../catalog/catalog.ts';

/** Where an instance lives. */
export type Location = Pick<SegmentConfig, 'hostname' | 'address' | 'port' | 'datadir'>;

/**
 * A host name the lab can carry in its files and its catalog: letters, digits, dots, hyphens
 * and underscores (no '|', spaces or markup, which would break the files and the display).
 */
export function validHostname(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name);
}

/** A TCP port a segment can listen on. */
export function validPort(raw: string): boolean {
  return /^\d+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 65535;
}

/** An absolute data directory path without spaces or '|'. */
export function validDatadir(raw: string): boolean {
  return /^\/[^\s|]*$/.test(raw);
}

/** os.path.normpath for a full path: no repeated or trailing '/', no '.' or '..' parts. */
export function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return `/${parts.join('/')}`;
}

/**
 * Where an old data directory is moved aside to, as Greenplum's guide to restoring coordinator
 * mirroring does (/data/coordinator/gpseg-1 to /data/coordinator/backup_gpseg-1); `taken` says
 * which paths are in use on that host, and a number follows the name until one is free.
 */
export function backupDirectoryName(datadir: string, taken: (path: string) => boolean = () => false): string {
  const slash = datadir.lastIndexOf('/');
  const base = `${datadir.slice(0, slash + 1)}backup_${datadir.slice(slash + 1)}`;
  let to = base;
  for (let n = 2; taken(to); n++) to = `${base}_${n}`;
  return to;
}

/**
 * Address, port and directory of one location in a file, checked in Greenplum's order; the
 * message names the line (1-based, counting every physical line).
 */
export function checkLocation(
  parts: { address: string; port: string; datadir: string },
  line: number,
): Location | string {
  if (!validHostname(parts.address)) return `Invalid address on line ${line}`;
  if (!validPort(parts.port)) return `Invalid port on line ${line}`;
  if (!validDatadir(parts.datadir)) {
    return parts.datadir && !parts.datadir.startsWith('/')
      ? `Path entered in config file is invalid; it must be a full path.  Path: '${parts.datadir}' from: ${line}`
      : `Invalid directory on line ${line}`;
  }
  return {
    hostname: parts.address,
    address: parts.address,
    port: Number(parts.port),
    datadir: parts.datadir,
  };
}

/** The lines of an input file that say something: [1-based line number, trimmed text]. */
export function meaningfulLines(text: string): [number, string][] {
  return text
    .split('\n')
    .map((l, i) => [i + 1, l.trim()] as [number, string])
    .filter(([, l]) => l !== '' && !l.startsWith('#'));
}

const normalDir = (d: string) => d.replace(/\/+$/, '').replace(/\/{2,}/g, '/') || '/';

/**
 * The first pair of instances on one host that share a port or a data directory, once the
 * `changes` (new rows, or rows in new places) are applied to `config`; undefined if none.
 */
export function portOrDirectoryClash(
  config: readonly SegmentConfig[],
  changes: readonly SegmentConfig[],
): string | undefined {
  const changed = new Map(changes.map((c) => [c.dbid, c]));
  const all = [...config.filter((c) => !changed.has(c.dbid)), ...changes];
  const byHost = new Map<string, SegmentConfig[]>();
  for (const c of all) byHost.set(c.hostname, [...(byHost.get(c.hostname) ?? []), c]);
  for (const [host, rows] of byHost)
    for (let i = 0; i < rows.length; i++)
      for (let j = i + 1; j < rows.length; j++) {
        const [a, b] = [rows[i]!, rows[j]!];
        // Name the instance being placed first, as Greenplum names the new one first.
        const [x, y] = changed.has(b.dbid) && !changed.has(a.dbid) ? [b, a] : [a, b];
        if (a.port === b.port)
          return `Segment dbid's ${x.dbid} and ${y.dbid} on host ${host} cannot have the same port ${a.port}.`;
        if (normalDir(a.datadir) === normalDir(b.datadir))
          return `Segment dbid's ${x.dbid} and ${y.dbid} on host ${host} cannot have the same data directory '${normalDir(a.datadir)}'.`;
      }
  return undefined;
}
