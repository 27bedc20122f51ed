/**
 * gpexpand: grows a running cluster by new segments, in Greenplum 7's two phases.
 *
 * - No expansion yet: `-f hosts_file` runs the interview for new hosts and writes an input file
 *   (primaries as the existing hosts hold them, mirrors with the cluster's own strategy);
 *   `-i file` checks the file whole, then runs setup (gpexpand-setup.ts).
 * - Setup done: plain `gpexpand` (with `-d` / `-e` to stop at a time, `-n` tables at once)
 *   redistributes the tables (gpexpand-redistribute.ts); it can be stopped and run again.
 * - `-r` rolls back a setup that failed before the catalog changed; `-c` removes the schema.
 */
import type { UtilityResult } from '../node/api.ts';
import { UtilityLog, utilityArgs } from './host.ts';
import type { OptionSpec, OptionValues } from './options.ts';
import type { StandbyHost } from './standby.ts';
import {
  ExpansionError,
  formatInputFile,
  layoutNewHosts,
  readInputFile,
  strategyOf,
} from './gpexpand-input.ts';
import { ExpansionSchema, STATUS_FILE, StatusFile } from './gpexpand-state.ts';
import { rollback, setup } from './gpexpand-setup.ts';
import { redistribute, parseEnd } from './gpexpand-redistribute.ts';
import { meaningfulLines, validHostname } from '../topology/config-files.ts';
import { coordinatorNotRunning } from '../node/session-errors.ts';

const OPTIONS: OptionSpec[] = [
  { names: ['-a', '--analyze'], kind: 'flag', key: 'a' },
  { names: ['-B', '--batch-size'], kind: 'int', key: 'B' },
  { names: ['-c', '--clean'], kind: 'flag', key: 'c' },
  { names: ['-d', '--duration'], kind: 'string', key: 'd' },
  { names: ['-e', '--end'], kind: 'string', key: 'e' },
  { names: ['-f', '--hosts-file'], kind: 'string', key: 'f' },
  { names: ['-i', '--input'], kind: 'string', key: 'i' },
  { names: ['-n', '--parallel'], kind: 'int', key: 'n' },
  { names: ['-r', '--rollback'], kind: 'flag', key: 'r' },
  { names: ['-s', '--silent'], kind: 'flag', key: 's' },
  { names: ['-S', '--simple-progress'], kind: 'flag', key: 'S' },
  { names: ['-t', '--tardir'], kind: 'string', key: 't' },
  { names: ['-v', '--verbose'], kind: 'flag', key: 'v' },
  { names: ['--hba-hostnames'], kind: 'flag' },
];

/** Greenplum's MAX_PARALLEL_EXPANDS and -B's range. */
const MAX_PARALLEL = 96;
const MAX_BATCH = 128;

export async function gpexpand(
  host: StandbyHost,
  argv: string[],
  files: Map<string, string>,
): Promise<UtilityResult> {
  const log = new UtilityLog('gpexpand');
  const args = utilityArgs('gpexpand', OPTIONS, argv, {
    log,
    positional: (words) => `Unknown argument ${words[0]}`,
    check: refusals,
  });
  if (!args.ok) return args.result;
  const o = args.o;
  const done = (exitCode: number): UtilityResult => ({ exitCode, stdout: log.stdout, stderr: log.stderr });
  const node = host.coordinatorNodeIfAny();
  if (!node?.up || !node.qd) throw coordinatorNotRunning(false);
  const qd = host.coordinator();
  await qd.refreshConfig();
  let end: number | undefined;
  try {
    end = parseEnd(o, host.clock.now(), log, 1000 / qd.timeScale);
  } catch (e) {
    log.error((e as Error).message);
    return done(2);
  }
  const status = new StatusFile(node.disk, {
    afterStep: (state) => host.reach(`gpexpand_${state.toLowerCase()}`, node.dbid),
    copy: async (text) => {
      const standby = host.standby();
      if (standby) await host.dataFile(standby.node, STATUS_FILE, text);
    },
  });
  // gpexpand.pid: one run at a time (two redistributing the same table would undo each other).
  if (qd.expansionRunning) {
    log.error('gpexpand is already running.  Only one instance');
    log.error('of gpexpand is allowed at a time.');
    return done(1);
  }
  qd.expansionRunning = true;
  const schema = new ExpansionSchema(qd);
  try {
    if (o.r === true) return done(await rollback(host, status, schema, files, log));
    log.info('Querying gpexpand schema for current expansion state');
    const state = status.exists ? undefined : await schema.status();
    if (o.c === true && state !== undefined)
      return done(await cleanup(schema, state, o, files, qd.config, log));
    if (status.exists) {
      if (!status.reached('UPDATE_CATALOG_DONE')) {
        log.error('The last gpexpand setup did not complete successfully.');
        log.error('Please run gpexpand -r to rollback to the original state.');
        log.info('Exiting...');
        return done(1);
      }
      log.warn('The last gpexpand setup did not complete successfully.');
      log.warn('But you can not rollback to the original state, for new segments have been online.');
      log.warn('So retry the failing work again in gpexpand setup.');
      return done(await setup(host, status, schema, [], o, files, log));
    }
    switch (state) {
      case 'SETUP DONE':
      case 'EXPANSION STOPPED':
        return done(await redistribute(host, schema, o, end, log));
      case 'EXPANSION STARTED':
        log.info('It appears the last run of gpexpand did not exit cleanly.');
        log.info('Resuming the expansion process...');
        return done(await redistribute(host, schema, o, end, log));
      case 'EXPANSION COMPLETE':
        log.info('Expansion has already completed.');
        log.info('If you want to expand again, run gpexpand -c to remove');
        log.info('the gpexpand schema and begin a new expansion');
        log.info('Exiting...');
        return done(0);
      case 'SETUP':
        throw new ExpansionError(
          'Error while trying to query the gpexpand schema: Existing expansion state could not be determined, but a gpexpand schema already exists. Cannot proceed.',
        );
    }
    const input = o.i as string | undefined;
    if (input === undefined) return done(interview(qd.config, o, files, host.clock.now(), log));
    const text = files.get(input);
    if (text === undefined) throw new ExpansionError(`Input file ${input} not found`);
    const rows = readInputFile(qd.config, text, input);
    log.info('Heap checksum setting consistent across cluster');
    return done(await setup(host, status, schema, rows, o, files, log, input));
  } catch (e) {
    if (!(e instanceof ExpansionError)) throw e;
    log.error(`gpexpand failed: ${e.message} \n\nExiting...`);
    return done(3);
  } finally {
    qd.expansionRunning = false;
    await schema.close();
  }
}

/**
 * The interview for new hosts. The lab cannot ask questions: the hosts come from -f, and the
 * answers are the ones a DBA gives for new hosts only (yes; the cluster's own mirroring
 * strategy; no new segments on existing hosts), printed as the interview prints them.
 */
function interview(
  config: Parameters<typeof layoutNewHosts>[0],
  o: OptionValues,
  files: Map<string, string>,
  now: number,
  log: UtilityLog,
): number {
  const hostsFile = o.f as string | undefined;
  if (hostsFile === undefined)
    throw new ExpansionError(
      'gpexpand cannot ask its interview questions here: give the new hosts in a file with -f hosts_file (one name per line), or write an input file and run gpexpand -i input_file',
    );
  const text = files.get(hostsFile);
  if (text === undefined) throw new ExpansionError(`Hosts file ${hostsFile} not found`);
  const hosts = meaningfulLines(text).map(([, l]) => l);
  const bad = hosts.find((h) => !validHostname(h));
  if (bad !== undefined) throw new ExpansionError(`Invalid host name '${bad}' in ${hostsFile}`);
  const existing = new Set(config.map((c) => c.hostname));
  const fresh = [...new Set(hosts.filter((h) => !existing.has(h)))];
  const old = [...new Set(hosts.filter((h) => existing.has(h)))];
  const strategy = strategyOf(config);
  log.raw('');
  log.raw('System Expansion is used to add segments to an existing GPDB array.');
  log.raw('gpexpand did not detect a System Expansion that is in progress.');
  log.raw('');
  log.raw('Would you like to initiate a new System Expansion Yy|Nn (default=N):');
  log.raw('> y');
  log.raw(`New hosts (from ${hostsFile}): ${fresh.join(', ') || 'none'}`);
  // Named hosts already in the array get no segments from this interview: say so.
  if (old.length)
    log.warn(
      `${old.join(', ')} already in the array: the interview adds segments to new hosts only (write an input file to add segments to existing hosts)`,
    );
  if (!fresh.length) {
    log.raw('** No hostnames were given that do not already exist in the **');
    log.raw('** array. Additional segments will be added existing hosts. **');
  }
  if (strategy !== 'none') {
    if (fresh.length < 2)
      throw new ExpansionError(
        'You must be adding two or more hosts when expanding a system with mirroring enabled.',
      );
    log.raw('What type of mirroring strategy would you like?');
    log.raw(' spread|grouped (default=grouped):');
    log.raw(`> ${strategy}`);
  }
  if (!fresh.length) throw new ExpansionError('No new hosts or segments were entered.');
  log.raw('How many new primary segments per host do you want to add? (default=0):');
  log.raw('> 0');
  const rows = layoutNewHosts(config, fresh, strategy);
  const name = `gpexpand_inputfile_${stamp(now)}`;
  files.set(name, formatInputFile(rows));
  log.raw('');
  log.raw('Generating configuration file...');
  log.raw('');
  log.info('Generating input file...');
  log.raw('');
  log.raw(`Input configuration file was written to '${name}'.`);
  log.raw('');
  log.raw('Please review the file and make sure that it is correct then re-run');
  log.raw(`with: gpexpand -i ${name}`);
  log.info('Exiting...');
  return 0;
}

/** strftime("%Y%m%d_%H%M%S") of the cluster's clock. */
function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}_${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/**
 * -c: drops the schema (its status_detail dumped to a file first, as the default answer
 * does). Tables left unexpanded are listed; removing the schema then needs -s, since the lab
 * cannot ask "Are you sure".
 */
async function cleanup(
  schema: ExpansionSchema,
  state: string,
  o: OptionValues,
  files: Map<string, string>,
  config: readonly { content: number; role: string; datadir: string }[],
  log: UtilityLog,
): Promise<number> {
  if (state !== 'EXPANSION COMPLETE') {
    const left = await schema.details("WHERE status = 'NOT STARTED'");
    log.warn('Expansion has not yet completed.  Removing the expansion');
    log.warn('schema now will leave the following tables unexpanded:');
    log.warn(left.map((d) => `\t${d.fq_name}`).join('\n'));
    log.warn('These tables will have to be expanded manually by setting');
    log.warn('the distribution policy using the ALTER TABLE command.');
    if (o.s !== true) {
      log.error(
        'gpexpand cannot ask "Are you sure you want to drop the expansion schema?" here: nothing was removed. Run gpexpand -c -s to drop it anyway, or finish the redistribution first.',
      );
      return 1;
    }
  }
  const coordinatorDir = config.find((c) => c.content === -1 && c.role === 'p')?.datadir ?? '';
  const dump = `${coordinatorDir}/gpexpand.status_detail`;
  log.info(`Dumping gpexpand.status_detail to ${dump}`);
  const r = await schema.query('SELECT * FROM gpexpand.status_detail ORDER BY rank, table_oid');
  files.set(
    dump,
    r.rows.map((row) => row.map((v) => (v === null ? '\\N' : String(v))).join('\t')).join('\n') + '\n',
  );
  log.info('Removing gpexpand schema');
  await schema.drop();
  log.info('Cleanup Finished.  exiting...');
  return 0;
}

/**
 * Values that parse but cannot work. Greenplum logs these and exits 0; the lab exits 2, as
 * for any other mistake on the command line, so a script sees it.
 */
function refusals(o: OptionValues): string | undefined {
  if (o.r === true && o.c === true) return '-r and -c options cannot be specified together.';
  const n = o.n as number | undefined;
  if (n !== undefined && (n < 1 || n > MAX_PARALLEL))
    return `Invalid argument.  parallel value must be >= 1 and <= ${MAX_PARALLEL}`;
  const b = o.B as number | undefined;
  if (b !== undefined && (b < 1 || b > MAX_BATCH))
    return `Invalid argument.  -B value must be >= 1 and <= ${MAX_BATCH}`;
  if (o.t !== undefined)
    return '-t: the lab copies the segment template to the new hosts directly, with no tar file; leave -t out';
  return undefined;
}
