import { describe, expect, it } from 'vitest';
import { timeHint } from '../../src/ui/state/lab-time.ts';

// The console's hint says how long a wait written in SQL takes on the wall clock: the preset's
// compression times the lab's Speed control, so it must move when either does.
describe('timeHint', () => {
  it.each([
    [30, ' · cluster time runs 30× faster: pg_sleep(60) and a 60 s timeout take 2.0 s'],
    [120, ' · cluster time runs 120× faster: pg_sleep(60) and a 60 s timeout take 0.5 s'],
    [7.5, ' · cluster time runs 7.5× faster: pg_sleep(60) and a 60 s timeout take 8.0 s'],
    [2, ' · cluster time runs 2× faster: pg_sleep(60) and a 60 s timeout take 30 s'],
    [0.25, ' · cluster time runs 4× slower: pg_sleep(60) and a 60 s timeout take 240 s'],
    [1, ''],
  ])('at %s× says %j', (factor, text) => {
    expect(timeHint(false, factor)).toBe(text);
  });

  it('says time is paused, whatever the pace', () => {
    expect(timeHint(true, 30)).toBe(' · cluster time is paused: pg_sleep and timeouts wait until it resumes');
  });
});
