/** Compressed timeouts: a wait scales; deciding a peer is dead, or waiting for it to catch up, has a floor. */
import { describe, expect, it } from 'vitest';
import { answerTimeoutMs, catchUpTimeoutMs, scaledMs } from '../../../src/engine/runtime/time-scale.ts';

describe('time scale', () => {
  it('scales waits, keeps floors for answers and catching up, never goes above the setting', () => {
    const cases: [number, number, number, number, number][] = [
      // ms, timeScale, scaled, answer, catch up
      [180_000, 200, 900, 1_000, 10_000],
      [180_000, 30, 6_000, 6_000, 10_000],
      [600_000, 30, 20_000, 20_000, 20_000],
      [5_000, 200, 25, 1_000, 5_000],
      [500, 30, 500 / 30, 500, 500],
      [180_000, 1, 180_000, 180_000, 180_000],
      [0, 200, 0, 0, 0],
    ];
    for (const [ms, scale, scaled, answer, catchUp] of cases) {
      expect(scaledMs(ms, scale), `scaled ${ms} at ${scale}x`).toBeCloseTo(scaled);
      expect(answerTimeoutMs(ms, scale), `answer ${ms} at ${scale}x`).toBe(answer);
      expect(catchUpTimeoutMs(ms, scale), `catch up ${ms} at ${scale}x`).toBe(catchUp);
    }
  });
});
