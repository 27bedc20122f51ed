/** The lab's pause / resume / speed clock, on a virtual base clock so the test is exact. */
import { describe, expect, it } from 'vitest';
import { ControllableClock } from '../../../src/engine/runtime/controllable-clock.ts';
import { SimScheduler } from '../../../src/engine/runtime/sim.ts';

function setup() {
  const sched = new SimScheduler({ seed: 1, epochMs: 0 });
  const c = new ControllableClock(sched.clock);
  const fired: [string, number][] = [];
  const at = (name: string, ms: number) => c.clock.setTimer(ms, () => fired.push([name, c.clock.now()]));
  return { sched, c, fired, at };
}

describe('ControllableClock', () => {
  it('runs at wall speed by default; timers fire at their cluster time', async () => {
    const { sched, c, fired, at } = setup();
    at('a', 100);
    at('b', 50);
    await sched.advance(200);
    expect(fired).toEqual([
      ['b', 50],
      ['a', 100],
    ]);
    expect(c.clock.now()).toBe(200);
  });

  it('paused, no timer fires and time stands still; resumed, they fire where they were due', async () => {
    const { sched, c, fired, at } = setup();
    at('a', 100);
    await sched.advance(40);
    c.pause();
    expect(c.paused).toBe(true);
    expect(c.speed).toBe(0);
    await sched.advance(1000);
    expect(fired).toEqual([]);
    expect(c.clock.now()).toBe(40);
    const sleeping = c.clock.sleep(10).then(() => fired.push(['slept', c.clock.now()]));
    c.resume();
    await sched.advance(100);
    await sleeping;
    expect(fired).toEqual([
      ['slept', 50],
      ['a', 100],
    ]);
  });

  it('a speed change reschedules pending timers: 4x speed fires a 400 ms timer after 100 ms more', async () => {
    const { sched, c, fired, at } = setup();
    at('a', 800);
    await sched.advance(400);
    c.setSpeed(4);
    await sched.advance(99);
    expect(fired).toEqual([]);
    await sched.advance(2);
    expect(fired).toEqual([['a', 800]]);
    expect(c.speed).toBe(4);
    const t = c.clock.setTimer(10, () => fired.push(['cancelled', 0]));
    t.cancel();
    await sched.advance(100);
    expect(fired).toHaveLength(1);
    expect(() => c.setSpeed(0)).toThrow(RangeError);
  });
});
