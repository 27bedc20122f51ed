import { createCluster, type Cluster, type Session } from '../../src/engine/index.ts';

/** The small cluster SQL tests run on: 2 segments on one host, no mirrors, in memory, inline. */
export async function sqlCluster(): Promise<{ c: Cluster; s: Session }> {
  const c = await createCluster({
    hosts: ['sdw1'],
    segmentsPerHost: 2,
    mirroring: 'none',
    runtime: 'inline',
    storage: 'memory',
  });
  return { c, s: await c.connect() };
}
