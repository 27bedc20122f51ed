/**
 * whileAnswering: a long call is waited for while its peer answers keepalives, and given up on
 * when a keepalive goes unanswered (unless told to wait for ever) or shows the call was lost;
 * a keepalive that shows the call done ends the wait with its outcome (the reply was lost).
 */
import { describe, expect, it } from 'vitest';
import { whileAnswering, type PingAnswer } from '../../../src/engine/runtime/clock.ts';
import { ManualClock } from '../../support/fake-clock.ts';

type Answer = 'received' | 'not received' | 'silent' | 'done';

/** Runs one wait: the work settles after `workAfter` pings (never when undefined). */
async function run(answers: Answer[], giveUp: boolean, workAfter?: number) {
  const clock = new ManualClock();
  let resolveWork!: (v: string) => void;
  const work = new Promise<string>((r) => (resolveWork = r));
  let pings = 0;
  const ping = (): Promise<PingAnswer<string>> => {
    const a = answers[pings++] ?? 'received';
    if (workAfter !== undefined && pings === workAfter) resolveWork('done');
    if (a === 'silent') return Promise.reject(new Error('no answer'));
    return Promise.resolve(a === 'received' ? 'working' : a === 'done' ? { done: 'done by ping' } : 'lost');
  };
  const lost = (): Error => new Error('lost');
  const outcome = whileAnswering(work, ping, { everyMs: 100, giveUp, lost }, clock).then(
    (v) => v,
    (e: Error) => `error: ${e.message}`,
  );
  for (let i = 0; i < 10; i++) {
    clock.advance(100);
    await new Promise((r) => setImmediate(r));
  }
  const settled = await Promise.race([outcome, new Promise((r) => setImmediate(() => r('pending')))]);
  return { settled, pings };
}

describe('whileAnswering', () => {
  it.each([
    // answers to successive pings, give up on silence, pings before the work ends → outcome
    [['received', 'received'], true, 3, 'done'],
    [['received', 'silent'], true, undefined, 'error: no answer'],
    [['received', 'not received'], true, undefined, 'error: lost'],
    [['silent', 'silent', 'received'], false, 4, 'done'],
    [['silent', 'not received'], false, undefined, 'error: lost'],
    [['received'], true, undefined, 'pending'],
    // The work's reply was lost (it never settles), and the peer shows it done: that outcome.
    [['silent', 'done'], false, undefined, 'done by ping'],
    [['received', 'done'], true, undefined, 'done by ping'],
  ] as [Answer[], boolean, number | undefined, string][])(
    'pings %j, giveUp %s, work after ping %s → %s',
    async (answers, giveUp, workAfter, expected) => {
      const { settled } = await run(answers, giveUp, workAfter);
      expect(settled).toBe(expected);
    },
  );

  it('stops pinging once the work has settled', async () => {
    const { pings } = await run([], true, 2);
    expect(pings).toBe(2);
  });
});
