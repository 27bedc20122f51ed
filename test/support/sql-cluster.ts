import { createCluster, type Cluster, type Session } from '../../src/engine/index.ts';

/**
 * The small cluster SQL tests run on: 2 segments on one host, no mirrors, in memory, inline;
 * `setup` runs first, statement by statement, on the session returned.
 */
export async function sqlCluster(...setup: string[]): Promise<{ c: Cluster; s: Session }> {
  const c = await createCluster({
    hosts: ['sdw1'],
    segmentsPerHost: 2,
    mirroring: 'none',
    runtime: 'inline',
    storage: 'memory',
  });
  const s = await c.connect();
  for (const sql of setup) await s.query(sql);
  return { c, s };
}
