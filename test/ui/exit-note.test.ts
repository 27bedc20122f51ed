/** When a utility's exit status is its answer, not a failure, the lab says what it means. */
import { describe, expect, it } from 'vitest';
import { exitNote } from '../../src/ui/state/actions.ts';

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
