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
import type { UtilityLog } from './host.ts';
import { UserInputError, utilityArgs } from './host.ts';
import type { OptionSpec, OptionValues } from './options.ts';
import type { StandbyHost } from './standby.ts';
import { ExpansionError, readInputFile } from './gpexpand-input.ts';
import { interview } from './gpexpand-interview.ts';
import { ExpansionSchema, STATUS_FILE, StatusFile } from './gpexpand-state.ts';
import { rollback, setup } from './gpexpand-setup.ts';
import { redistribute, parseEnd } from './gpexpand-redistribute.ts';
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
  log: UtilityLog,
): Promise<UtilityResult> {
  const args = utilityArgs('gpexpand', OPTIONS, argv, {
    log,
    positional: (words) => `Unknown argument ${words[0]}`,
    check: refusals,
  });
  if (!args.ok) return args.result;
  const o = args.o;
  const node = host.coordinatorNodeIfAny();
  // It runs beside the coordinator, whose data directory holds its status file.
  if (!node?.up || node.kind !== 'local') throw coordinatorNotRunning(false);
  const qd = host.coordinator();
  await qd.refreshConfig();
  let end: number | undefined;
  try {
    end = parseEnd(o, host.clock.now(), log, 1000 / qd.timeScale);
  } catch (e) {
    log.error((e as Error).message);
    return log.done(2);
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
    return log.done(1);
  }
  qd.expansionRunning = true;
  const schema = new ExpansionSchema(qd);
  try {
    if (o.r === true) return log.done(await rollback(host, status, schema, files, log));
    log.info('Querying gpexpand schema for current expansion state');
    const state = status.exists ? undefined : await schema.status();
    if (o.c === true && state !== undefined)
      return log.done(await cleanup(schema, state, o, files, qd.config, log));
    if (status.exists) {
      if (!status.reached('UPDATE_CATALOG_DONE')) {
        log.error('The last gpexpand setup did not complete successfully.');
        log.error('Please run gpexpand -r to rollback to the original state.');
        log.info('Exiting...');
        return log.done(1);
      }
      log.warn('The last gpexpand setup did not complete successfully.');
      log.warn('But you can not rollback to the original state, for new segments have been online.');
      log.warn('So retry the failing work again in gpexpand setup.');
      return log.done(await setup(host, status, schema, [], o, files, log));
    }
    switch (state) {
      case 'SETUP DONE':
      case 'EXPANSION STOPPED':
        return log.done(await redistribute(host, schema, o, end, log));
      case 'EXPANSION STARTED':
        log.info('It appears the last run of gpexpand did not exit cleanly.');
        log.info('Resuming the expansion process...');
        return log.done(await redistribute(host, schema, o, end, log));
      case 'EXPANSION COMPLETE':
        log.info('Expansion has already completed.');
        log.info('If you want to expand again, run gpexpand -c to remove');
        log.info('the gpexpand schema and begin a new expansion');
        log.info('Exiting...');
        return log.done(0);
      case 'SETUP':
        throw new ExpansionError(
          'Error while trying to query the gpexpand schema: Existing expansion state could not be determined, but a gpexpand schema already exists. Cannot proceed.',
        );
    }
    const input = o.i as string | undefined;
    if (input === undefined)
      return log.done(interview(qd.config, o.f as string | undefined, files, host.clock.now(), log));
    const text = files.get(input);
    if (text === undefined) throw new ExpansionError(`Input file ${input} not found`);
    const rows = readInputFile(qd.config, text, input);
    log.info('Heap checksum setting consistent across cluster');
    return log.done(await setup(host, status, schema, rows, o, files, log, input));
  } catch (e) {
    if (!(e instanceof ExpansionError || e instanceof UserInputError)) throw e;
    log.error(`gpexpand failed: ${e.message} \n\nExiting...`);
    return log.done(3);
  } finally {
    qd.expansionRunning = false;
    await schema.close();
  }
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
