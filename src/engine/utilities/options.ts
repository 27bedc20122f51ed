/**
 * Command-line options as Greenplum's utilities read them (Python's optparse): short flags
 * combine (`-avF`), a short option's value may follow it in the same word (`-B4`) or the
 * next one, long options take `--name=value` or `--name value`, integers are checked as
 * integers, and every mistake is one line worded as optparse words it (exit 2).
 */

export type OptionKind = 'flag' | 'string' | 'int' | 'float';

export interface OptionSpec {
  /** The names it answers to: '-a', '--differential'. */
  names: readonly string[];
  kind: OptionKind;
  /** Where the value lands in the result; defaults to the first name without dashes. */
  key?: string;
}

export type OptionValues = Record<string, boolean | string | number | undefined>;

export interface ParsedOptions {
  values: OptionValues;
  /** Arguments that are not options, in order. */
  positional: string[];
  /** Option keys in the order they were given (a repeated option counts once). */
  given: string[];
}

/** A mistake on the command line: optparse's message, without the "prog: error: " prefix. */
export class OptionError extends Error {
  override name = 'OptionError';
}

/** -h, -? or --help: the caller prints the options and exits 0. */
export class HelpRequested extends Error {
  override name = 'HelpRequested';
}

const HELP = new Set(['-h', '-?', '--help']);

/** The options as optparse's help lists them: `-a`, `-i VALUE`, `--replay-lag=VALUE`. */
export function optionsHelp(specs: readonly OptionSpec[]): string {
  const lines = specs.map((s) => {
    const arg = s.kind === 'flag' ? '' : s.kind === 'string' ? 'VALUE' : s.kind === 'int' ? 'N' : 'X';
    return (
      '  ' + s.names.map((n) => (arg ? (n.startsWith('--') ? `${n}=${arg}` : `${n} ${arg}`) : n)).join(', ')
    );
  });
  return ['Options:', '  -h, -?, --help', ...lines].join('\n');
}

const keyOf = (s: OptionSpec) => s.key ?? s.names[0]!.replace(/^-+/, '');

/** Parses `argv` by `specs`; throws OptionError with optparse's wording. */
export function parseOptions(specs: readonly OptionSpec[], argv: readonly string[]): ParsedOptions {
  const byName = new Map<string, OptionSpec>();
  for (const s of specs) for (const n of s.names) byName.set(n, s);
  const values: OptionValues = {};
  const given: string[] = [];
  const positional: string[] = [];
  const set = (spec: OptionSpec, name: string, raw: string | undefined) => {
    const key = keyOf(spec);
    if (!given.includes(key)) given.push(key);
    if (spec.kind === 'flag') values[key] = true;
    else if (spec.kind === 'string') values[key] = raw;
    else if (spec.kind === 'int') {
      if (!/^[+-]?\d+$/.test(raw!.trim()))
        throw new OptionError(`option ${name}: invalid integer value: '${raw}'`);
      values[key] = Number(raw);
    } else {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw!.trim()))
        throw new OptionError(`option ${name}: invalid floating-point value: '${raw}'`);
      values[key] = Number(raw);
    }
  };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (HELP.has(word) && !byName.has(word)) throw new HelpRequested();
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      let name = eq < 0 ? word : word.slice(0, eq);
      // optparse takes any unambiguous prefix of a long option.
      if (!byName.has(name)) {
        const longs = [...byName.keys()].filter((n) => n.startsWith('--') && n.startsWith(name));
        if (longs.length > 1) throw new OptionError(`ambiguous option: ${name} (${longs.join(', ')}?)`);
        if (longs.length === 1) name = longs[0]!;
      }
      const spec = byName.get(name);
      if (!spec) throw new OptionError(`no such option: ${name}`);
      if (spec.kind === 'flag') {
        if (eq >= 0) throw new OptionError(`${name} option does not take a value`);
        set(spec, name, undefined);
      } else if (eq >= 0) set(spec, name, word.slice(eq + 1));
      else {
        if (i + 1 >= argv.length) throw new OptionError(`${name} option requires 1 argument`);
        set(spec, name, argv[++i]);
      }
      continue;
    }
    if (word.startsWith('-') && word.length > 1) {
      for (let j = 1; j < word.length; j++) {
        const name = `-${word[j]}`;
        const spec = byName.get(name);
        if (!spec) throw new OptionError(`no such option: ${name}`);
        if (spec.kind === 'flag') {
          set(spec, name, undefined);
          continue;
        }
        // The rest of the word is the value, else the next word.
        if (j + 1 < word.length) set(spec, name, word.slice(j + 1));
        else {
          if (i + 1 >= argv.length) throw new OptionError(`${name} option requires 1 argument`);
          set(spec, name, argv[++i]);
        }
        break;
      }
      continue;
    }
    positional.push(word);
  }
  return { values, positional, given };
}
