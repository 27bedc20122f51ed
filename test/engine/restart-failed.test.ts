/** What a restart that left instances down says: the former primary's refusal only when the instance said so. */
import { describe, expect, it } from 'vitest';
import { restartFailed } from '../../src/engine/cluster/shell.ts';
import { downStatus } from '../../src/engine/node/instance-status.ts';

const refused = (dbid: number) => ({ ...downStatus(dbid), refused: 'no standby.signal: …' });

describe('restartFailed', () => {
  it.each([
    [
      [refused(3)],
      /^dbid 3 did not start: a former primary must be recovered with gprecoverseg/,
      /gprecoverseg -a/,
    ],
    [[refused(4), refused(5)], /^dbid 4, dbid 5 did not start: a former primary/, /gprecoverseg -a/],
    // A status that did not answer (a worker busy past the 5 s status call) is not a refusal.
    [[downStatus(3)], /^dbid 3 did not start, or did not answer whether it runs$/, /gpstate -e/],
    [[refused(3), downStatus(6)], /^dbid 6 did not start, or did not answer/, /gpstate -e/],
  ])('%#', (down, message, hint) => {
    const e = restartFailed(down) as Error & { code: string; hint?: string };
    expect(e.code).toBe('55000');
    expect(e.message).toMatch(message);
    expect(e.hint).toMatch(hint);
  });
});
