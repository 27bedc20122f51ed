/**
 * gpconfig: sets, removes, shows and lists configuration parameters across the cluster, as
 * Greenplum 7's does. -c/-r edit postgresql.conf in the data directory of every instance (or
 * the coordinator and standby only); nothing is reloaded: the change takes effect with
 * `gpstop -u` (sighup, superuser and user parameters) or `gpstop -r` (postmaster ones), as
 * pg_settings.context says. Every error exits 1, printed as a log line and again bare.
 *
 * Lab differences, both so that a file can never keep an instance from starting: values are
 * checked against the parameter's type and range before any file is written (Greenplum's
 * gpconfig writes them unchecked, and the server refuses them at reload or start), so
 * --skipvalidation is refused; and a failure to write one instance's file restores the
 * others' instead of leaving the cluster half changed.
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import type { UtilityResult } from '../node/api.ts';
import {
  CONFIG_FILE,
  changeConfigSetting,
  configLiteral,
  removeConfigSetting,
} from '../instance/config-file.ts';
import { Settings, type SettingDef } from '../server/settings.ts';
import type { UtilityLog } from './host.ts';
import { utilityArgs } from './host.ts';
import type { MaintenanceHost } from './maintenance.ts';
import type { OptionSpec, OptionValues } from './options.ts';
import { definitionOf, failed, showSetting } from './gpconfig-show.ts';
import { refusedDuringSetup } from './gpexpand-state.ts';

const OPTIONS: OptionSpec[] = [
  { names: ['-c', '--change'], kind: 'string', key: 'change' },
  { names: ['-v', '--value'], kind: 'string', key: 'value' },
  { names: ['-m', '--mastervalue', '--coordinatorvalue'], kind: 'string', key: 'coordinatorvalue' },
  { names: ['--masteronly', '--coordinatoronly'], kind: 'flag', key: 'coordinatoronly' },
  { names: ['-P', '--primaryvalue'], kind: 'string', key: 'primaryvalue' },
  { names: ['-M', '--mirrorvalue'], kind: 'string', key: 'mirrorvalue' },
  { names: ['-r', '--remove'], kind: 'string', key: 'remove' },
  { names: ['-s', '--show'], kind: 'string', key: 'show' },
  { names: ['-f', '--file'], kind: 'flag', key: 'file' },
  { names: ['--file-compare'], kind: 'flag', key: 'filecompare' },
  { names: ['-l', '--list'], kind: 'flag', key: 'list' },
  { names: ['--skipvalidation'], kind: 'flag', key: 'skipvalidation' },
  { names: ['--verbose'], kind: 'flag', key: 'verbose' },
  { names: ['--debug'], kind: 'flag', key: 'debug' },
];

function argumentError(o: OptionValues): string | undefined {
  const has = (k: string) => o[k] !== undefined;
  if (!has('change') && !has('remove') && !has('list') && !has('show'))
    return 'No action specified.  See the --help info.';
  if (o['file'] && !has('show')) return "'--file' option must accompany '--show' option";
  if (o['filecompare'] && !has('show')) return "'--file-compare' option must accompany '--show' option";
  if (o['file'] && o['filecompare'])
    return "'--file' option and '--file-compare' option cannot be used together";
  const anyValue = ['value', 'coordinatorvalue', 'primaryvalue', 'mirrorvalue'].some(has);
  if (has('remove') && anyValue)
    return 'remove action does not take a value, primary value, mirror value or coordinator value parameter';
  if (has('change') && has('remove')) return 'Multiple actions specified.  See the --help info.';
  if (has('change') && !has('value') && !has('primaryvalue') && !has('mirrorvalue'))
    return 'change requested but value not specified';
  if (has('change') && has('coordinatorvalue') && o['coordinatoronly'])
    return 'when changing a parameter on the coordinator only specify the --value not --mastervalue';
  if (has('value') && (has('primaryvalue') || has('mirrorvalue')))
    return 'cannot use both value option and primaryvalue/mirrorvalue option';
  const target = (o['change'] ?? o['remove']) as string | undefined;
  if (
    target?.toLowerCase() === 'gp_default_storage_options' &&
    (o['coordinatoronly'] || has('coordinatorvalue'))
  )
    return 'gp_default_storage_options value cannot be different on coordinator and segments';
  if (has('show') && o['skipvalidation']) return '--skipvalidation can not be combined with --show';
  return undefined;
}

export async function gpconfig(
  host: MaintenanceHost,
  argv: string[],
  log: UtilityLog,
): Promise<UtilityResult> {
  const args = utilityArgs('gpconfig', OPTIONS, argv);
  if (!args.ok) return args.result;
  const o = args.o;
  // --debug: DEBUG lines too (the helper command run for each file).
  log.verbose = o['debug'] === true;
  const bad = argumentError(o);
  if (bad) return failed(log, bad);
  if (o['skipvalidation'] && (o['change'] !== undefined || o['remove'] !== undefined))
    return failed(
      log,
      '--skipvalidation: the lab checks every value before it writes a file, so that no instance is left unable to start; leave it out',
    );
  const coordinator = host.coordinatorNodeIfAny();
  if (!coordinator?.up) {
    log.error('could not connect to server: Connection refused');
    return failed(
      log,
      'Failed to connect to database, exiting without action. This script can only be run when the database is up.',
    );
  }
  // Settings written while gpexpand builds new segments would miss them (Greenplum's check).
  const expanding = await refusedDuringSetup(host, coordinator, 'gpconfig');
  if (expanding) {
    log.error(expanding);
    log.info('Run gpconfig again once gpexpand has finished its setup, or rolled it back (gpexpand -r).');
    return log.done(1);
  }
  const rows = await host.catalog();
  if (o['list']) return list(log);
  if (o['show'] !== undefined) return showSetting(host, log, rows, o);
  return edit(host, log, rows, o, argv);
}

/** -l: every parameter, as pg_settings describes it. */
function list(log: UtilityLog): UtilityResult {
  const vartype = { bool: 'bool', int: 'integer', real: 'real', string: 'string', enum: 'enum' };
  for (const d of Settings.definitions()) {
    if (d.aliasOf !== undefined) continue;
    const numeric = d.type === 'int' || d.type === 'real';
    const min = numeric ? String(d.min ?? -2147483648) : 'None';
    const max = numeric ? String(d.max ?? 2147483647) : 'None';
    log.raw(
      `[name: ${d.name}] [unit: ${d.unit ?? 'None'}] [context: ${d.context}] [vartype: ${vartype[d.type]}] [min_val: ${min}] [max_val: ${max}]`,
    );
  }
  return log.done(0);
}

/** The checks Greenplum makes before -c and -r, and the lab's check of the values. */
function validate(name: string, o: OptionValues): string | undefined {
  const lower = name.toLowerCase();
  if (lower === 'port' || lower === 'listen_addresses')
    return `The parameter '${name}' is not modifiable with this tool`;
  const def = definitionOf(name);
  if (!def) return `not a valid GUC: ${name}`;
  if (def.context === 'internal') return `not a modifiable GUC: '${name}'`;
  if (def.noShowAll)
    return `GUC Validation Failed: ${name} cannot be changed under normal conditions. Please refer to gpconfig documentation.`;
  for (const k of ['value', 'coordinatorvalue', 'primaryvalue', 'mirrorvalue']) {
    const v = o[k] as string | undefined;
    if (v === undefined) continue;
    try {
      new Settings({ config: { [def.name]: v } });
    } catch (e) {
      return `new GUC value failed validation: ${(e as Error).message}`;
    }
  }
  if (def.name === 'max_connections' && o['value'] !== undefined && !o['coordinatoronly']) {
    const seg = Number(o['value']);
    const coord = Number(o['coordinatorvalue'] ?? o['value']);
    if (!Number.isInteger(seg) || !Number.isInteger(coord))
      return 'new GUC value failed validation: invalid value for max_connections';
    if (seg <= coord)
      return 'new GUC value failed validation: the value of max_connections must be greater on the segments than on the coordinator';
  }
  return undefined;
}

/** What -c writes into one instance's file (undefined: this instance is left alone). */
function valueFor(row: SegmentConfig, o: OptionValues, def: SettingDef): string | undefined {
  const quoted = (v: string | undefined) =>
    v === undefined ? undefined : configLiteral(v, def.type === 'string');
  if (row.content === -1)
    return quoted((o['coordinatoronly'] ? o['value'] : (o['coordinatorvalue'] ?? o['value'])) as string);
  if (o['coordinatoronly']) return undefined;
  // -P / -M values are written exactly as given.
  const own = (row.role === 'p' ? o['primaryvalue'] : o['mirrorvalue']) as string | undefined;
  return own ?? quoted(o['value'] as string | undefined);
}

/** Python's shlex.quote, for the parameters line. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'"'"'`)}'`;
}

/** -c and -r: every target file is read, edited and written; on a failure, all are restored. */
async function edit(
  host: MaintenanceHost,
  log: UtilityLog,
  rows: readonly SegmentConfig[],
  o: OptionValues,
  argv: string[],
): Promise<UtilityResult> {
  const name = ((o['change'] ?? o['remove']) as string).toLowerCase();
  const problem = validate(name, o);
  if (problem) return failed(log, problem, 'CRITICAL');
  const def = definitionOf(name)!;
  const coordRow = rows.find((r) => r.content === -1 && r.role === 'p')!;
  const edits: { row: SegmentConfig; apply: (text: string) => string }[] = [];
  for (const row of rows) {
    if (o['coordinatoronly'] && row.content !== -1) continue;
    if (o['remove'] !== undefined) edits.push({ row, apply: (t) => removeConfigSetting(t, name) });
    else {
      const literal = valueFor(row, o, def);
      if (literal !== undefined) edits.push({ row, apply: (t) => changeConfigSetting(t, name, literal) });
    }
  }
  const unreachable = edits.filter((e) => !host.reachable(coordRow.dbid, e.row.dbid));
  if (unreachable.length) {
    log.warn(
      'One or more segment hosts are not currently reachable. If you continue with gpconfig, GUCs on unreachable segment hosts will not be updated.',
    );
    const hosts = [...new Set(unreachable.map((e) => e.row.hostname))].join(', ');
    log.info(`The lab continues (as answering y): the files on ${hosts} are not updated`);
  }
  const reachable = edits.filter((e) => !unreachable.includes(e));
  const before = new Map<number, string>();
  const written: SegmentConfig[] = [];
  let failure: string | undefined;
  await Promise.all(
    reachable.map(async ({ row, apply }) => {
      const node = host.nodes.get(row.dbid);
      try {
        const text = (await host.dataFile(node, CONFIG_FILE)) ?? '';
        before.set(row.dbid, text);
        await host.dataFile(node, CONFIG_FILE, apply(text));
        written.push(row);
        if (o['verbose']) log.info(`host=${row.hostname} dir=${row.datadir}`);
        log.debug(`Running Command: gpconfig_helper.py on ${row.hostname}: ${row.datadir}/postgresql.conf`);
      } catch (e) {
        failure ??= `failed updating the postgresql.conf files on host: ${row.hostname} msg:${(e as Error).message}`;
      }
    }),
  );
  const params = argv.map(shellQuote).join(' ');
  if (failure) {
    // Never half changed: the files already written get their old text back.
    await Promise.all(
      written.map((row) =>
        host.dataFile(host.nodes.get(row.dbid), CONFIG_FILE, before.get(row.dbid)!).catch(() => undefined),
      ),
    );
    log.error(failure);
    return failed(log, `finished with errors, parameter string '${params}'; no file was changed`);
  }
  log.info(`completed successfully with parameters '${params}'`);
  return log.done(0);
}
