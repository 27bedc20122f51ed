/** createCluster: picks the runtime (inline, sim or worker) and lays out the cluster. */
import { sqlError } from '../errors.ts';
import { realClock } from '../runtime/real-clock.ts';
import { ControllableClock } from '../runtime/controllable-clock.ts';
import type { Cluster, ClusterOptions } from '../node/api.ts';
import { InlineCluster } from './cluster.ts';
import { planCluster } from '../topology/placement.ts';
import { createSimCluster } from './sim-cluster.ts';
import { ProcessCluster, type ProcessSpawner, type SavedTopology } from './process-cluster.ts';

export async function createCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const runtime = options.runtime ?? defaultRuntime;
  if (runtime === 'worker') {
    if (!workerSpawner)
      throw sqlError('feature_not_supported', 'runtime "worker" needs the browser runtime', {
        hint: "Import the package's browser entry (src/workers), which starts instances in Web Workers.",
      });
    return createProcessCluster(options, workerSpawner(options));
  }
  if (runtime !== 'inline' && runtime !== 'sim')
    throw sqlError('feature_not_supported', `unknown runtime "${String(runtime)}"`);
  const config = planOf(options);
  if (runtime === 'sim') return createSimCluster(options, config);
  // Wall-clock time the lab can pause and speed up (cluster.time).
  const time = new ControllableClock(realClock);
  const c = new InlineCluster(options, config, time.clock);
  c.time = time;
  await c.start();
  return c;
}

function planOf(options: ClusterOptions) {
  return planCluster({
    hosts: options.hosts ?? ['sdw1', 'sdw2'],
    segmentsPerHost: options.segmentsPerHost ?? 2,
    mirroring: options.mirroring ?? 'none',
    standbyHost: options.standby ? 'scdw' : undefined,
  });
}

let defaultRuntime: NonNullable<ClusterOptions['runtime']> = 'inline';

/** For test suites that run every scenario on another runtime (the worker runtime's in Node). */
export function setDefaultRuntime(runtime: NonNullable<ClusterOptions['runtime']>): void {
  defaultRuntime = runtime;
}

let workerSpawner: ((options: ClusterOptions) => ProcessSpawner) | undefined;

/** The browser entry registers how to start an instance's process (a Web Worker). */
export function registerWorkerRuntime(spawner: (options: ClusterOptions) => ProcessSpawner): void {
  workerSpawner = spawner;
}

/** A cluster whose instances run as processes started by `spawner` (the worker runtime). */
export async function createProcessCluster(
  options: ClusterOptions,
  spawner: ProcessSpawner,
): Promise<ProcessCluster> {
  const name = options.name ?? 'mpp-ha-lab';
  // Ownership first: what a resume reads must not be changing under another page.
  const release = await spawner.lock?.(name);
  let saved: SavedTopology | undefined;
  try {
    saved = options.resume ? await spawner.loadTopology?.(name) : undefined;
    if (options.resume && !saved)
      throw sqlError('undefined_object', `there is no saved cluster named "${name}" to resume`, {
        hint: 'Create it without resume: true (that starts it fresh).',
      });
  } catch (e) {
    release?.();
    throw e;
  }
  const c = saved
    ? new ProcessCluster({ ...saved.options, ...options }, saved.initialConfig, spawner, realClock, false)
    : new ProcessCluster(options, planOf(options), spawner, realClock);
  c.release = release;
  try {
    await c.open(saved);
  } catch (e) {
    await c.close();
    throw e;
  }
  return c;
}
