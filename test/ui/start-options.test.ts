import { describe, expect, it } from 'vitest';
import { fallbackFrom } from '../../src/ui/state/start-options.ts';

const notYet = Object.assign(new Error('not built yet'), { code: '0A000' });
const other = Object.assign(new Error('bad layout'), { code: '22023' });

describe('what a start gives up when a feature is not available yet', () => {
  it.each([
    // error, options, options tried next (undefined: the start fails), what it goes without
    [
      notYet,
      { mirroring: 'spread', standby: true },
      { mirroring: 'none', standby: true },
      'mirroring "spread"',
    ],
    [
      notYet,
      { mirroring: 'none', standby: true },
      { mirroring: 'none', standby: false },
      'a standby coordinator',
    ],
    [notYet, { mirroring: 'none', standby: false }, undefined, undefined],
    [other, { mirroring: 'group', standby: true }, undefined, undefined],
  ] as const)('%o on %o', (e, options, next, without) => {
    const f = fallbackFrom(e, options);
    expect(f?.options).toEqual(next);
    if (without) expect(f?.without).toBe(`${without} (not built yet)`);
  });
});
