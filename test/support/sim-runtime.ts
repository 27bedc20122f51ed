/**
 * Setup of the `node-sim` project: every cluster a scenario creates without naming a runtime
 * runs on the sim runtime (virtual time, seeded delivery). A test's waits let virtual time pass
 * on every simulation it has started, so FTS probes, walsenders and timeouts run meanwhile.
 */
import { setDefaultRuntime } from '../../src/engine/cluster/create.ts';
import { SimScheduler } from '../../src/engine/runtime/sim.ts';
import { setWaitTime, wallTime } from './wait.ts';

setDefaultRuntime('sim');

// The project runs its files in one module graph per worker (isolate: false), and a setup file
// runs again before each of them: `drive` is wrapped once per worker, and each file starts with
// no simulation left over from the one before. (The mark is on the class: a fresh module graph
// has a fresh class to wrap.)
const marked = SimScheduler as unknown as { testRuntimeLive?: Set<SimScheduler> };
/**
 * The simulations driven so far; one leaves when its close settles, or when its start fails
 * (a test that creates and closes clusters one after another advances only the live one).
 */
const live = (marked.testRuntimeLive ??= wrapDrive());
live.clear();

function wrapDrive(): Set<SimScheduler> {
  const started = new Set<SimScheduler>();
  const drive = SimScheduler.prototype.drive;
  SimScheduler.prototype.drive = function <T>(
    this: SimScheduler,
    work: Promise<T>,
    what?: string,
    ms?: number,
  ) {
    started.add(this);
    const result = drive.call(this, work, what, ms) as Promise<T>;
    const leave = () => void started.delete(this);
    if (what === 'close') void result.then(leave, leave);
    else if (what === 'cluster start') void result.catch(leave);
    return result;
  };
  return started;
}

let passed = 0;
setWaitTime({
  now: () => passed,
  async pass(ms, until) {
    passed += ms;
    const sims = [...live];
    // A test that names another runtime (inline) waits on the wall clock.
    if (sims.length === 0) return wallTime.pass(ms, until);
    // Virtual time stops passing once `until` settles: nothing runs on behind the test's back.
    const settled = until?.then(
      () => undefined,
      () => undefined,
    );
    await Promise.all(
      sims.map((sched) => {
        const sleep = sched.clock.sleep(ms);
        return sched.drive(settled ? Promise.race([sleep, settled]) : sleep, 'advance', ms + 1);
      }),
    );
  },
  // Virtual time a poll lets pass: FTS's shortest scaled intervals are around 100 ms.
  pollMs: 50,
});
