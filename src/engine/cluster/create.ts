/** createCluster: picks the runtime (inline, sim or worker) and lays out the cluster. */
import { sqlError } from '../errors.ts';
import { realClock } from '../runtime/real-clock.ts';
import { ControllableClock } from '../runtime/controllable-clock.ts';
import type { Cluster, ClusterOptions } from '../node/api.ts';
import type { ClusterEvent } from '../runtime/events.ts';
import { InlineCluster } from './cluster.ts';
import { startHeard } from './shell.ts';
import { planCluster, type SegmentConfig } from '../topology/placement.ts';
import { createSimCluster } from './sim-cluster.ts';
import { ProcessCluster, type ProcessSpawner, type SavedTopology } from './process-cluster.ts';

/** What the caller of createCluster hears while the cluster starts. */
export interface StartHooks {
  /**
   * Each event of the start (an 'instance.up' per instance, the walsenders connecting...), as
   * it happens, until createCluster settles; `subscribe` on the cluster hears what follows. A
   * large cluster takes seconds to start: this is how a caller shows how far it is.
   */
  onEvent?: (e: ClusterEvent) => void;
}

export async function createCluster(options: ClusterOptions = {}, hooks: StartHooks = {}): Promise<Cluster> {
  const runtime = options.runtime ?? defaultRuntime;
  if (runtime === 'worker') {
    if (!workerSpawner)
      throw sqlError('feature_not_supported', 'runtime "worker" needs the browser runtime', {
        hint: "Import the package's browser entry (src/workers), which starts instances in Web Workers.",
      });
    return createProcessCluster(options, workerSpawner(options), hooks);
  }
  if (runtime !== 'inline' && runtime !== 'sim')
    throw sqlError('feature_not_supported', `unknown runtime "${String(runtime)}"`);
  const config = clusterLayout(options);
  if (runtime === 'sim') return createSimCluster(options, config, hooks.onEvent);
  // Wall-clock time the lab can pause and speed up (cluster.time).
  const time = new ControllableClock(realClock);
  const c = new InlineCluster(options, config, time.clock);
  c.time = time;
  await startHeard(c, hooks.onEvent, () => c.start());
  return c;
}

/** The instances createCluster(options) lays out (gp_segment_configuration's first rows). */
export function clusterLayout(options: ClusterOptions): SegmentConfig[] {
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
  hooks: StartHooks = {},
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
    : new ProcessCluster(options, clusterLayout(options), spawner, realClock);
  c.release = release;
  try {
    await startHeard(c, hooks.onEvent, () => c.open(saved));
  } catch (e) {
    await c.close();
    throw e;
  }
  return c;
}
