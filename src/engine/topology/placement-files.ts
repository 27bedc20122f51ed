/**
 * Placement files: a cluster's layout to and from the files a DBA feeds a real cluster. Export to
 * a gpinitsystem configuration (with MIRROR_PORT_BASE and --mirror-mode, or the `-I` array form
 * for custom layouts), gpaddmirrors `-i` and gprecoverseg `-i` files; import of a real cluster's
 * gp_segment_configuration (psql aligned output or CSV) for what-if analysis in the lab.
 * Pure functions, no I/O (reference: shared/greenplum-ha.md §3.7).
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import { groupByHost } from './mirror-placement.ts';
import { DEFAULTS, PlacementError, dirname } from './placement.ts';
import { validateSegmentConfiguration } from './placement-checks.ts';

export interface GpinitsystemConfigOptions {
  arrayName?: string;
  machineListFile?: string;
}

type Layout = 'group' | 'spread' | 'custom' | 'none';

/** Which gpinitsystem layout produced these rows, if any. */
export function detectMirroring(config: readonly SegmentConfig[]): Layout {
  const prims = config
    .filter((s) => s.content >= 0 && s.preferred_role === 'p')
    .sort((a, b) => a.content - b.content);
  const mirrors = config.filter((s) => s.content >= 0 && s.preferred_role === 'm');
  if (mirrors.length === 0) return 'none';
  const hosts: string[] = [];
  for (const p of prims) if (!hosts.includes(p.hostname)) hosts.push(p.hostname);
  const byHost = groupByHost(prims);
  const k = byHost.get(hosts[0] ?? '')?.length ?? 0;
  const mirrorHost = new Map(mirrors.map((m) => [m.content, m.hostname]));
  const matches = (mode: 'group' | 'spread') =>
    mirrors.length === prims.length &&
    hosts.every((h, hi) =>
      (byHost.get(h) ?? []).every((p, i) => {
        const t = mode === 'group' ? (hi + 1) % hosts.length : (hi + 1 + i) % hosts.length;
        return (byHost.get(h)?.length ?? 0) === k && mirrorHost.get(p.content) === hosts[t];
      }),
    );
  if (matches('group')) return 'group';
  if (matches('spread')) return 'spread';
  return 'custom';
}

/**
 * A gpinitsystem_config that recreates this layout (§3.7). A layout gpinitsystem cannot compute
 * (custom mirrors) is written as the `-I` input form with QD_PRIMARY_ARRAY / PRIMARY_ARRAY /
 * MIRROR_ARRAY instead.
 */
export function toGpinitsystemConfig(
  config: readonly SegmentConfig[],
  options: GpinitsystemConfigOptions = {},
): string {
  const coordinator = config.find((s) => s.content === -1 && s.preferred_role === 'p');
  if (!coordinator) throw new PlacementError('INVALID_CONFIGURATION', 'The configuration has no coordinator');
  const standby = config.find((s) => s.content === -1 && s.preferred_role === 'm');
  const prims = config
    .filter((s) => s.content >= 0 && s.preferred_role === 'p')
    .sort((a, b) => a.content - b.content);
  const mirrors = config
    .filter((s) => s.content >= 0 && s.preferred_role === 'm')
    .sort((a, b) => a.content - b.content);
  const layout = detectMirroring(config);
  const hosts: string[] = [];
  for (const p of prims) if (!hosts.includes(p.hostname)) hosts.push(p.hostname);
  const machineList = options.machineListFile ?? 'hostfile_gpinitsystem';
  const lines: string[] = [
    '# gpinitsystem_config exported by MPP HA Lab',
    `# Segment hosts (${machineList}): ${hosts.join(' ')}`,
    `ARRAY_NAME="${options.arrayName ?? 'MPP HA Lab'}"`,
    `SEG_PREFIX=${DEFAULTS.segPrefix}`,
    'TRUSTED_SHELL=ssh',
    'ENCODING=UNICODE',
  ];
  if (layout === 'custom') {
    const entry = (s: SegmentConfig) =>
      `${s.hostname}~${s.address}~${s.port}~${s.datadir}~${s.dbid}~${s.content}`;
    lines.push(
      '# This mirror layout is neither group nor spread: initialize it with gpinitsystem -I <this file>',
      `QD_PRIMARY_ARRAY=${entry(coordinator)}`,
      'declare -a PRIMARY_ARRAY=(',
      ...prims.map(entry),
      ')',
      'declare -a MIRROR_ARRAY=(',
      ...mirrors.map(entry),
      ')',
    );
  } else {
    const first = groupByHost(prims).get(hosts[0] ?? '') ?? [];
    const firstMirrors = [...mirrors].filter((m) => m.hostname === hosts[1 % Math.max(hosts.length, 1)]);
    const mirrorDirs = (layout === 'group' ? firstMirrors : mirrors.slice(0, first.length))
      .sort((a, b) => a.port - b.port)
      .map((m) => dirname(m.datadir));
    lines.push(
      `PORT_BASE=${Math.min(...prims.map((p) => p.port))}`,
      `declare -a DATA_DIRECTORY=(${first.map((p) => dirname(p.datadir)).join(' ')})`,
      `COORDINATOR_HOSTNAME=${coordinator.hostname}`,
      `COORDINATOR_DIRECTORY=${dirname(coordinator.datadir)}`,
      `COORDINATOR_PORT=${coordinator.port}`,
      `MACHINE_LIST_FILE=./${machineList}`,
    );
    if (layout !== 'none') {
      lines.push(
        `MIRROR_PORT_BASE=${Math.min(...mirrors.map((m) => m.port))}`,
        `declare -a MIRROR_DATA_DIRECTORY=(${mirrorDirs.join(' ')})`,
      );
    }
  }
  const flags = [layout === 'spread' ? '--mirror-mode=spread' : '', standby ? `-s ${standby.hostname}` : '']
    .filter((f) => f !== '')
    .join(' ');
  const source = layout === 'custom' ? '-I gpinitsystem_config' : `-c gpinitsystem_config -h ${machineList}`;
  if (layout === 'spread') {
    lines.push('# Spread mirroring is not a config file key: pass --mirror-mode=spread on the command line.');
  }
  lines.push(`# Run: gpinitsystem ${source}${flags ? ` ${flags}` : ''}`);
  return lines.join('\n') + '\n';
}

/** A gpaddmirrors `-i` file: `<content>|<address>|<port>|<datadir>` per mirror (GPDB 7). */
export function toGpaddmirrorsFile(mirrors: readonly SegmentConfig[]): string {
  return mirrors
    .filter((m) => m.content >= 0 && m.preferred_role === 'm')
    .sort((a, b) => a.content - b.content)
    .map((m) => `${m.content}|${m.address}|${m.port}|${m.datadir}\n`)
    .join('');
}

export interface RecoveryTarget {
  address: string;
  port: number;
  datadir: string;
}

/**
 * A gprecoverseg `-i` file (what `gprecoverseg -o` writes): one line per down segment,
 * `<failed_address>|<failed_port>|<failed_datadir>` for an incremental recovery in place, followed by
 * ` <new_address>|<new_port>|<new_datadir>` when `targets` (by failed dbid) moves it (full recovery).
 */
export function toGprecoversegFile(
  config: readonly SegmentConfig[],
  targets: ReadonlyMap<number, RecoveryTarget> = new Map(),
): string {
  return config
    .filter((s) => s.content >= 0 && s.status === 'd')
    .sort((a, b) => a.content - b.content)
    .map((s) => {
      const t = targets.get(s.dbid);
      const failed = `${s.address}|${s.port}|${s.datadir}`;
      return t ? `${failed} ${t.address}|${t.port}|${t.datadir}\n` : `${failed}\n`;
    })
    .join('');
}

// ---------------------------------------------------------------------------------------------
// Import: `select * from gp_segment_configuration` as psql prints it, or as CSV

const COLUMNS = [
  'dbid',
  'content',
  'role',
  'preferred_role',
  'mode',
  'status',
  'port',
  'hostname',
  'address',
  'datadir',
] as const;

function parseError(line: number, message: string): PlacementError {
  return new PlacementError('PARSE', `line ${line}: ${message}`, undefined, line);
}

function splitCsv(line: string, lineNo: number): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (quoted) throw parseError(lineNo, 'unterminated quoted field');
  out.push(cur);
  return out;
}

/**
 * Reads `select * from gp_segment_configuration` output: psql's aligned format (header,
 * `----+----` separator, `|`-separated rows, `(N rows)` footer), psql's unaligned `-A` format, or
 * CSV with a header. Columns are found by name (extra columns such as GPDB 5's
 * `replication_port` are ignored). Errors name the offending line.
 */
export function parseSegmentConfiguration(text: string): SegmentConfig[] {
  const raw = text.split(/\r?\n/);
  const lines = raw.map((l, i) => ({ text: l, no: i + 1 })).filter((l) => l.text.trim() !== '');
  const headerLine = lines[0];
  if (!headerLine) throw parseError(1, 'no header line: expected the columns of gp_segment_configuration');
  const isCsv = !headerLine.text.includes('|') && headerLine.text.includes(',');
  const split = (l: { text: string; no: number }) =>
    isCsv ? splitCsv(l.text, l.no).map((f) => f.trim()) : l.text.split('|').map((f) => f.trim());
  const header = split(headerLine).map((h) => h.toLowerCase());
  const index = new Map<string, number>();
  for (const col of COLUMNS) {
    const i = header.indexOf(col);
    if (i < 0) throw parseError(headerLine.no, `column "${col}" is missing from the header`);
    index.set(col, i);
  }
  const rows: SegmentConfig[] = [];
  let footer: { count: number; no: number } | undefined;
  for (const l of lines.slice(1)) {
    const t = l.text.trim();
    if (/^[-+]+$/.test(t)) continue; // the aligned format's separator
    const m = /^\((\d+) rows?\)$/.exec(t);
    if (m) {
      footer = { count: Number(m[1]), no: l.no };
      continue;
    }
    if (footer) throw parseError(l.no, 'text after the "(N rows)" footer');
    const fields = split(l);
    if (fields.length !== header.length) {
      throw parseError(l.no, `expected ${header.length} fields, found ${fields.length}`);
    }
    const get = (col: (typeof COLUMNS)[number]) => fields[index.get(col) ?? 0] ?? '';
    const int = (col: (typeof COLUMNS)[number], min: number, max: number) => {
      const v = get(col);
      if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
        throw parseError(l.no, `invalid ${col} "${v}"`);
      }
      return Number(v);
    };
    const oneOf = <T extends string>(col: (typeof COLUMNS)[number], allowed: readonly T[]): T => {
      const v = get(col);
      if (!(allowed as readonly string[]).includes(v)) {
        throw parseError(l.no, `invalid ${col} "${v}" (expected ${allowed.join(' or ')})`);
      }
      return v as T;
    };
    const text = (col: (typeof COLUMNS)[number]) => {
      const v = get(col);
      if (v === '') throw parseError(l.no, `empty ${col}`);
      return v;
    };
    rows.push({
      dbid: int('dbid', 1, 32767),
      content: int('content', -1, 32767),
      role: oneOf('role', ['p', 'm'] as const),
      preferred_role: oneOf('preferred_role', ['p', 'm'] as const),
      mode: oneOf('mode', ['s', 'n'] as const),
      status: oneOf('status', ['u', 'd'] as const),
      port: int('port', 1, 65535),
      hostname: text('hostname'),
      address: text('address'),
      datadir: text('datadir'),
    });
  }
  if (footer && footer.count !== rows.length) {
    throw parseError(footer.no, `the footer says ${footer.count} rows but ${rows.length} were read`);
  }
  if (rows.length === 0) throw parseError(headerLine.no, 'no rows');
  const problems = validateSegmentConfiguration(rows).filter((p) => p.severity === 'error');
  const first = problems[0];
  if (first) throw new PlacementError('INVALID_CONFIGURATION', first.message, problems);
  return rows.sort((a, b) => a.dbid - b.dbid);
}
