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
    // The site walk: what followed the success line, or a table's last row, stood for the outcome.
    [
      [
        'The activation of the standby coordinator has completed successfully.',
        'scdw is now the new primary coordinator.',
        'Do not re-start the failed coordinator while the fail-over coordinator is',
        'operational, this could result in database corruption!',
        '-------------------------------------------------------',
      ]
        .map((l) => `gpactivatestandby:scdw:gpadmin-[INFO]:-${l}\n`)
        .join(''),
      'The activation of the standby coordinator has completed successfully.',
    ],
    [
      'gpstate:cdw:gpadmin-[INFO]:-   sdw1    /data/mirror/gpseg3   7001   Passive   Synchronized\n[exit 0]',
      '',
    ],
    ['gpstate:cdw:gpadmin-[INFO]:--Replay Location: 0/1E39\n', ''],
    [
      'gpstate:cdw:gpadmin-[INFO]:-Standby coordinator instance not configured\n',
      'Standby coordinator instance not configured',
    ],
    [
      'gpstate:cdw:gpadmin-[WARNING]:--m option specified, but no mirrors are configured.\ngpstate:cdw:gpadmin-[INFO]:-x = 1\n',
      '-m option specified, but no mirrors are configured.',
    ],
  ];
  for (const [out, want] of cases)
    it(want || `(nothing) ${out.slice(0, 40)}`, () => expect(outputGist(out)).toBe(want));
});
