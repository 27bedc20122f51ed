/** createCluster: picks the runtime (inline or sim) and lays out the cluster. */
import { sqlError } from '../errors.ts';
import { realClock } from '../runtime/real-clock.ts';
import { ControllableClock } from '../runtime/controllable-clock.ts';
import type { Cluster, ClusterOptions } from './api.ts';
import { InlineCluster } from './cluster.ts';
import { planCluster } from './placement.ts';
import { createSimCluster } from './sim-cluster.ts';

export async function createCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const runtime = options.runtime ?? 'inline';
  if (runtime !== 'inline' && runtime !== 'sim')
    throw sqlError('feature_not_supported', `runtime "${runtime}" is not available yet`);
  const config = planCluster({
    hosts: options.hosts ?? ['sdw1', 'sdw2'],
    segmentsPerHost: options.segmentsPerHost ?? 2,
    mirroring: options.mirroring ?? 'none',
    standbyHost: options.standby ? 'scdw' : undefined,
  });
  if (runtime === 'sim') return createSimCluster(options, config);
  // Wall-clock time the lab can pause and speed up (cluster.time).
  const time = new ControllableClock(realClock);
  const c = new InlineCluster(options, config, time.clock);
  c.time = time;
  await c.start();
  return c;
}
