/**
 * gpexpand's interview: the questions Greenplum's gpexpand asks before an expansion, and the
 * input file it writes from the answers. Answers come one per line from standard input, as a
 * DBA pipes them (`printf 'y\n\ngrouped\n1\n/data/primary\n/data/mirror\n' | gpexpand -f hosts`);
 * without any, the lab answers as for new hosts only (yes, the cluster's own mirroring
 * strategy, no new segments per host) and prints what it answered. The transcript is printed
 * either way.
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import type { UtilityLog } from './host.ts';
import {
  ExpansionError,
  formatInputFile,
  layoutExtraSegments,
  layoutNewHosts,
  strategyOf,
  type MirrorStrategy,
} from './gpexpand-input.ts';
import { meaningfulLines, validHostname } from '../topology/config-files.ts';

/** Greenplum's limit on new primary segments per host. */
const MAX_SEGMENTS_PER_HOST = 128;

export function interview(
  config: readonly SegmentConfig[],
  hostsFile: string | undefined,
  files: Map<string, string>,
  now: number,
  log: UtilityLog,
): number {
  // The lab's own answer when nothing was piped in is printed as if typed.
  const ask = (prompt: string, own: string, valid?: (a: string) => boolean): string =>
    log.ask(prompt, own, valid);
  if (hostsFile === undefined && !log.piped)
    throw new ExpansionError(
      'gpexpand cannot ask its interview questions here: give the new hosts in a file with -f hosts_file (one name per line), or pipe the answers in (printf ... | gpexpand), or write an input file and run gpexpand -i input_file',
    );
  log.raw('');
  log.raw('System Expansion is used to add segments to an existing GPDB array.');
  log.raw('gpexpand did not detect a System Expansion that is in progress.');
  log.raw('');
  const go = ask('Would you like to initiate a new System Expansion Yy|Nn (default=N):', 'y', (a) =>
    /^(y|yes|n|no|)$/i.test(a),
  );
  if (!/^y(es)?$/i.test(go)) {
    log.info('User Aborted. Exiting...');
    return 0;
  }
  const named = hostsFile !== undefined ? hostsFromFile(files, hostsFile) : hostsAnswered(ask);
  const existing = new Set(config.map((c) => c.hostname));
  const fresh = [...new Set(named.filter((h) => !existing.has(h)))];
  const old = [...new Set(named.filter((h) => existing.has(h)))];
  if (hostsFile !== undefined) log.raw(`New hosts (from ${hostsFile}): ${fresh.join(', ') || 'none'}`);
  if (old.length)
    log.warn(
      `${old.join(', ')} already in the array: named hosts get segments only as new hosts (the extra segments per host below go on every host)`,
    );
  let strategy = strategyOf(config);
  if (strategy !== 'none') {
    if (fresh.length < 2)
      throw new ExpansionError(
        'You must be adding two or more hosts when expanding a system with mirroring enabled.',
      );
    const own = strategy;
    const a = ask(
      'What type of mirroring strategy would you like?\n spread|grouped (default=grouped):',
      own,
      (x) => /^(spread|grouped|)$/i.test(x),
    );
    strategy = (a.toLowerCase() || 'grouped') as MirrorStrategy;
  }
  if (!fresh.length) {
    log.raw('** No hostnames were given that do not already exist in the **');
    log.raw('** array. Additional segments will be added existing hosts. **');
  }
  const newHostRows = fresh.length ? layoutNewHosts(config, fresh, strategy) : [];
  const perHost = segmentsPerHost(
    ask('How many new primary segments per host do you want to add? (default=0):', '0', (a) => {
      const n = Number(a || '0');
      return !/^-?\d*$/.test(a) || (Number.isInteger(n) && n >= 0 && n <= MAX_SEGMENTS_PER_HOST);
    }),
  );
  const directory = (a: string) => a !== '' && !/\s/.test(a);
  const primary = Array.from({ length: perHost }, (_, i) =>
    ask(`Enter new primary data directory ${i + 1}:`, '', directory),
  );
  const mirror =
    strategy === 'none'
      ? []
      : Array.from({ length: perHost }, (_, i) =>
          ask(`Enter new mirror data directory ${i + 1}:`, '', directory),
        );
  if (!perHost && !fresh.length) throw new ExpansionError('No new hosts or segments were entered.');
  const rows = perHost
    ? layoutExtraSegments(config, newHostRows, { primary, mirror }, strategy)
    : newHostRows;
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

function hostsFromFile(files: Map<string, string>, hostsFile: string): string[] {
  const text = files.get(hostsFile);
  if (text === undefined) throw new ExpansionError(`Hosts file ${hostsFile} not found`);
  const hosts = meaningfulLines(text).map(([, l]) => l);
  const bad = hosts.find((h) => !validHostname(h));
  if (bad !== undefined) throw new ExpansionError(`Invalid host name '${bad}' in ${hostsFile}`);
  return hosts;
}

function hostsAnswered(
  ask: (prompt: string, own: string, valid?: (a: string) => boolean) => string,
): string[] {
  const a = ask(
    '\nEnter a comma separated list of new hosts you want\nto add to your array.  Do not include interface hostnames.\n**Enter a blank line to only add segments to existing hosts**[]:',
    '',
    (x) =>
      x
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean)
        .every(validHostname),
  );
  return a
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
}

/** The answer to "How many new primary segments per host": a non-number fails as int() does. */
function segmentsPerHost(a: string): number {
  if (!/^-?\d*$/.test(a)) throw new ExpansionError(`invalid literal for int() with base 10: '${a}'`);
  return Number(a || '0');
}

/** strftime("%Y%m%d_%H%M%S") of the cluster's clock. */
function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}_${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}
