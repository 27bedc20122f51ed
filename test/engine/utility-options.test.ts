/** The utilities' option parser against optparse's rules, as a table. */
import { describe, expect, it } from 'vitest';
import {
  HelpRequested,
  OptionError,
  parseOptions,
  type OptionSpec,
} from '../../src/engine/utilities/options.ts';

const specs: OptionSpec[] = [
  { names: ['-a'], kind: 'flag' },
  { names: ['-F'], kind: 'flag' },
  { names: ['-v', '--verbose'], kind: 'flag', key: 'verbose' },
  { names: ['-i'], kind: 'string' },
  { names: ['-B'], kind: 'int' },
  { names: ['--differential'], kind: 'flag' },
  { names: ['--replay-lag'], kind: 'string' },
  { names: ['--retries'], kind: 'int' },
];

const parse = (line: string) => {
  try {
    const r = parseOptions(specs, line.split(' ').filter(Boolean));
    return { ...r.values, ...(r.positional.length ? { positional: r.positional } : {}) };
  } catch (e) {
    if (e instanceof OptionError) return `error: ${e.message}`;
    throw e;
  }
};

describe('utility options (optparse rules)', () => {
  it.each([
    ['-a -F', { a: true, F: true }],
    ['-avF', { a: true, verbose: true, F: true }],
    ['--verbose', { verbose: true }],
    ['-i file -a', { i: 'file', a: true }],
    ['-aifile', { a: true, i: 'file' }],
    ['-ai file', { a: true, i: 'file' }],
    ['-B 4', { B: 4 }],
    ['-B4', { B: 4 }],
    ['-B -3', { B: -3 }],
    ['--replay-lag=10', { 'replay-lag': '10' }],
    ['--replay-lag 10', { 'replay-lag': '10' }],
    ['-a extra', { a: true, positional: ['extra'] }],
    ['-a -- -F', { a: true, positional: ['-F'] }],
    ['-B abc', "error: option -B: invalid integer value: 'abc'"],
    ['-B 1.5', "error: option -B: invalid integer value: '1.5'"],
    ['-x', 'error: no such option: -x'],
    ['-ax', 'error: no such option: -x'],
    ['--nope', 'error: no such option: --nope'],
    ['-i', 'error: -i option requires 1 argument'],
    ['--replay-lag', 'error: --replay-lag option requires 1 argument'],
    ['--differential=1', 'error: --differential option does not take a value'],
    ['--diff', { differential: true }],
    ['--verb', { verbose: true }],
    ['--replay=5', { 'replay-lag': '5' }],
    ['--re', 'error: ambiguous option: --re (--replay-lag, --retries?)'],
  ])('%s', (line, want) => {
    expect(parse(line)).toEqual(want);
  });

  it('records the order options were given in', () => {
    expect(parseOptions(specs, ['-F', '-a', '-F']).given).toEqual(['F', 'a']);
  });

  it('-h, -? and --help ask for help', () => {
    for (const h of ['-h', '-?', '--help'])
      expect(() => parseOptions(specs, ['-a', h])).toThrow(HelpRequested);
  });
});
