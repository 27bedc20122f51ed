/** The distributed transaction manager's decisions, as tables (server/dtx-rules.ts). */
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../../src/engine/errors.ts';
import {
  commitPath,
  inDoubtAction,
  outcomeUncertain,
  phase2RetryDelay,
} from '../../../src/engine/server/dtx-rules.ts';

describe('commitPath', () => {
  it.each([
    [0, false, 'local'],
    [0, true, 'local'],
    [1, false, 'one-phase'],
    [1, true, 'two-phase'],
    [2, false, 'two-phase'],
    [4, true, 'two-phase'],
  ] as const)('%i segment writers, coordinator wrote %s: %s', (writers, qd, path) => {
    expect(commitPath(writers, qd)).toBe(path);
  });
});

describe('inDoubtAction (DTX recovery)', () => {
  const period = 120_000;
  it.each([
    // committed running age minAge -> action
    [true, false, 0, period, 'commit'],
    [true, true, 999_999, period, 'leave'],
    [false, true, 999_999, 0, 'leave'],
    [false, false, 119_999, period, 'leave'],
    [false, false, 120_000, period, 'abort'],
    [false, false, 5, 0, 'abort'],
  ] as const)(
    'committed %s, running %s, %i ms old (period %i): %s',
    (committed, running, ageMs, min, action) => {
      expect(inDoubtAction({ committed, running, ageMs }, min)).toBe(action);
    },
  );
});

describe('outcomeUncertain', () => {
  it.each([
    ['08006', true],
    ['08007', true],
    ['57P01', true],
    ['57P02', true],
    ['58030', true],
    ['58M01', true],
    ['XX000', true],
    ['XX001', true],
    ['23502', false],
    ['40001', false],
    ['42P01', false],
    ['53100', false],
  ])('SQLSTATE %s: %s', (code, uncertain) => {
    expect(outcomeUncertain(new SqlError(code, 'x'))).toBe(uncertain);
  });

  it('a raw error is uncertain', () => {
    expect(outcomeUncertain(new RangeError('Offset is outside the bounds of the DataView'))).toBe(true);
  });
});

describe('phase2RetryDelay (doNotifyingCommitPrepared)', () => {
  it.each([
    [1, 100],
    [10, 100],
    [11, 100],
    [12, 200],
    [30, 2000],
    [60, 5000],
    [200, 5000],
  ])('retry %i waits %i ms', (retry, ms) => {
    expect(phase2RetryDelay(retry, 100)).toBe(ms);
  });
});
