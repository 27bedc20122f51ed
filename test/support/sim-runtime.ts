/**
 * Setup of the `node-sim` project: every cluster a scenario creates without naming a runtime
 * runs on the sim runtime (virtual time, seeded delivery). A test's waits let virtual time pass
 * on every simulation it has started, so FTS probes, walsenders and timeouts run meanwhile.
 */
import { setDefaultRuntime } from '../../src/engine/cluster/create.ts';
import { SimScheduler } from '../../src/engine/runtime/sim.ts';
import { setWaitTime } from './wait.ts';

setDefaultRuntime('sim');

/** The simulations driven so far; a closed one is dropped when its close settles. */
const live = new Set<SimScheduler>();
const drive = SimScheduler.prototype.drive;
SimScheduler.prototype.drive = function <T>(
  this: SimScheduler,
  work: Promise<T>,
  what?: string,
  ms?: number,
) {
  live.add(this);
  const result = drive.call(this, work, what, ms) as Promise<T>;
  if (what === 'close') void result.finally(() => live.delete(this)).catch(() => undefined);
  return result;
};

let passed = 0;
setWaitTime({
  now: () => passed,
  async pass(ms) {
    passed += ms;
    await Promise.all([...live].map((sched) => sched.advance(ms)));
  },
  // Virtual time a poll lets pass: FTS's shortest scaled intervals are around 100 ms.
  pollMs: 50,
});
