/** How an action reads in the lab: an exit status that is an answer, and the line that says how it went. */
import { describe, expect, it } from 'vitest';
import { exitNote } from '../../src/ui/state/actions.ts';
import { outputGist } from '../../src/ui/state/event-log.ts';

describe('exitNote', () => {
  const cases: [string, number, string, RegExp | undefined][] = [
    ['gpstate -e', 1, '', /gpstate -e found segments with problems/],
    ['gpstate -s', 1, '', undefined],
    ['gpstate -e', 0, '', undefined],
    [
      "printf 'n\\n' | gprecoverseg",
      4,
      'gprecoverseg:cdw:gpadmin-[INFO]:-User abort requested, Exiting...\n',
      /^exit 4: gprecoverseg was answered no, so it changed nothing$/,
    ],
    ['gprecoverseg', 4, 'something else', undefined],
    [
      "printf 'n\\n' | gpinitstandby -r",
      2,
      'gpinitstandby:cdw:gpadmin-[ERROR]:-Error removing standby coordinator: User canceled\n',
      /^exit 2: gpinitstandby was answered no/,
    ],
    [
      'gpinitstandby -s cdw',
      2,
      '[ERROR]:-Error initializing standby coordinator: coordinator data directory exists',
      undefined,
    ],
  ];
  for (const [line, code, out, want] of cases)
    it(`${line} → exit ${code}`, () => {
      const note = exitNote(line, code, out);
      if (want === undefined) expect(note).toBeUndefined();
      else expect(note).toMatch(want);
    });
});

describe('outputGist', () => {
  const cases: [string, string][] = [
    [
      'gpactivatestandby:scdw:gpadmin-[INFO]:------\ngpactivatestandby:scdw:gpadmin-[INFO]:-Standby data directory = /d\ngpactivatestandby:scdw:gpadmin-[INFO]:-The activation of the standby coordinator has completed successfully.\ngpactivatestandby:scdw:gpadmin-[INFO]:------\n[exit 0]',
      'The activation of the standby coordinator has completed successfully.',
    ],
    [
      'gpinitstandby:cdw:gpadmin-[INFO]:-Checking\ngpinitstandby:cdw:gpadmin-[ERROR]:-Data directory already exists on host cdw\ngpinitstandby:cdw:gpadmin-[ERROR]:-Error initializing standby coordinator: coordinator data directory exists\n[exit 2]',
      'Data directory already exists on host cdw',
    ],
    [
      'ERROR:  relation "t" does not exist (SQLSTATE 42P01)\n',
      'ERROR:  relation "t" does not exist (SQLSTATE 42P01)',
    ],
    ['', ''],
  ];
  for (const [out, want] of cases) it(want || '(empty)', () => expect(outputGist(out)).toBe(want));
});
