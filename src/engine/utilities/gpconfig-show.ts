/**
 * gpconfig -s: a parameter's value on the coordinator and every acting primary as new sessions
 * see it now (the default), or as the postgresql.conf files say (--file, every instance,
 * mirrors and standby too), or both side by side (--file-compare). Plain printed lines, as
 * Greenplum's gpconfig prints them; exit 0 even when the values are out of sync.
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import type { UtilityResult } from '../node/api.ts';
import type { UtilityLog } from './host.ts';
import type { MaintenanceHost } from './maintenance.ts';
import type { OptionValues } from './options.ts';
import { CONFIG_FILE, parseConfigText } from '../instance/config-file.ts';
import { Settings, type SettingDef } from '../server/settings.ts';

/** An error gpconfig logs and, from its main's `print(err)`, prints again bare on stdout; exit 1. */
export function failed(
  log: UtilityLog,
  message: string,
  level: 'ERROR' | 'CRITICAL' = 'ERROR',
): UtilityResult {
  if (level === 'ERROR') log.error(message);
  else log.critical(message);
  log.raw(message);
  return log.done(1);
}

/** The parameter's definition as pg_settings has it (no aliases, no placeholders). */
export function definitionOf(name: string): SettingDef | undefined {
  const lower = name.toLowerCase();
  return Settings.definitions().find((d) => d.name === lower && d.aliasOf === undefined);
}

/** The value a postgresql.conf text gives a parameter, if it sets it. */
export function fileValue(text: string | undefined, name: string): string | undefined {
  return text === undefined ? undefined : parseConfigText(text)[name.toLowerCase()];
}

interface Seen {
  row: SegmentConfig;
  live?: string | undefined;
  file?: string | undefined;
}

const byContent = (a: SegmentConfig, b: SegmentConfig) => a.content - b.content || a.dbid - b.dbid;

/** A file value in SHOW's form, so that '512MB' in a file and '512MB' live compare equal. */
function normalised(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return new Settings({ config: { [name]: value } }).show(name);
  } catch {
    return value;
  }
}

export async function showSetting(
  host: MaintenanceHost,
  log: UtilityLog,
  rows: readonly SegmentConfig[],
  o: OptionValues,
): Promise<UtilityResult> {
  const name = (o['show'] as string).toLowerCase();
  if (name === 'port') {
    log.raw('GUC                 : port');
    for (const r of rows.filter((x) => x.role === 'p').sort(byContent))
      log.raw(`Context: ${String(r.content).padStart(5)} Value: ${r.port}`);
    return log.done(0);
  }
  if (!definitionOf(name))
    return failed(log, `Failed to retrieve GUC information, guc does not exist: ${name}`);
  const fromFiles = o['file'] === true;
  const compare = o['filecompare'] === true;
  // Live values come from the coordinator and the acting primaries; files from every instance.
  const targets = rows.filter((r) => fromFiles || r.role === 'p').sort(byContent);
  const seen: Seen[] = [];
  for (const row of targets) {
    const node = host.nodes.get(row.dbid);
    const s: Seen = { row };
    if (!fromFiles) {
      s.live = await host.showSetting(node, name);
      if (s.live === undefined)
        return failed(
          log,
          `Failed to retrieve GUC information: content ${row.content} (dbid ${row.dbid}) is not running`,
        );
    }
    if (fromFiles || compare) s.file = fileValue(await host.dataFile(node, CONFIG_FILE), name);
    seen.push(s);
  }
  const coordinator = seen.find((s) => s.row.content === -1 && s.row.role === 'p')!;
  const segments = seen.filter((s) => s.row.content >= 0);
  if (fromFiles) return showFiles(log, name, coordinator, seen);
  const liveSame = new Set(segments.map((s) => s.live)).size <= 1;
  if (compare) {
    const filesAgree = seen.every((s) => s.file === undefined || normalised(name, s.file) === s.live);
    if (liveSame && filesAgree) {
      const file = (s: Seen | undefined) => (s?.file === undefined ? 'not set in file' : `file: ${s.file}`);
      consistent(log, name);
      log.raw(`Coordinator value: ${coordinator.live} | ${file(coordinator)}`);
      log.raw(`Segment     value: ${segments[0]?.live} | ${file(segments[0])}`);
    } else {
      log.raw('WARNING: GUCS ARE OUT OF SYNC: ');
      for (const s of seen)
        log.raw(
          `[context: ${s.row.content}] [dbid: ${s.row.dbid}] [name: ${name}] [value: ${s.live} | ${s.file === undefined ? 'not set in file' : `file: ${s.file}`}]`,
        );
    }
    return log.done(0);
  }
  if (liveSame) {
    consistent(log, name);
    log.raw(`Coordinator value: ${coordinator.live}`);
    log.raw(`Segment     value: ${segments[0]?.live}`);
  } else {
    log.raw('WARNING: GUCS ARE OUT OF SYNC: ');
    for (const s of seen) log.raw(`[context: ${s.row.content}] [name: ${name}] [value: ${s.live}]`);
  }
  return log.done(0);
}

function consistent(log: UtilityLog, name: string): void {
  log.raw('Values on all segments are consistent');
  log.raw(`GUC              : ${name}`);
}

/** --file: every instance's file, the standby's and the mirrors' included. */
function showFiles(log: UtilityLog, name: string, coordinator: Seen, seen: Seen[]): UtilityResult {
  const segments = seen.filter((s) => s.row.content >= 0);
  const standby = seen.find((s) => s.row.content === -1 && s.row.role === 'm');
  const same =
    new Set(segments.map((s) => s.file)).size <= 1 && (!standby || standby.file === coordinator.file);
  if (same) {
    consistent(log, name);
    log.raw(
      coordinator.file === undefined
        ? 'No value is set on coordinator'
        : `Coordinator value: ${coordinator.file}`,
    );
    const seg = segments[0]?.file;
    log.raw(seg === undefined ? 'No value is set on segments' : `Segment     value: ${seg}`);
  } else {
    log.raw('WARNING: GUCS ARE OUT OF SYNC: ');
    for (const s of seen)
      log.raw(
        `[context: ${s.row.content}] [dbid: ${s.row.dbid}] [name: ${name}] ${s.file === undefined ? '[not set in file]' : `[value: ${s.file}]`}`,
      );
  }
  return log.done(0);
}
