/**
 * Setup of the `node-worker` project: every cluster a scenario creates without naming a
 * runtime runs on the worker runtime's orchestration, its processes in this thread.
 */
import { registerWorkerRuntime, setDefaultRuntime } from '../../src/engine/cluster/create.ts';
import { inThreadSpawner } from '../../src/engine/cluster/in-thread-spawner.ts';
import { realClock } from '../../src/engine/runtime/real-clock.ts';

registerWorkerRuntime(() => inThreadSpawner(realClock));
setDefaultRuntime('worker');
