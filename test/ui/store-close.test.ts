import { describe, expect, it, vi } from 'vitest';
import type { Cluster } from '../../src/workers/index.ts';
import type * as Workers from '../../src/workers/index.ts';

// The clusters the store's createCluster made, to see what became of them.
const made = vi.hoisted(() => [] as Cluster[]);
vi.mock('../../src/workers/index.ts', async (importOriginal) => {
  const real = await importOriginal<typeof Workers>();
  return {
    ...real,
    createCluster: async (...args: Parameters<typeof real.createCluster>) => {
      const c = await real.createCluster(...args);
      made.push(c);
      return c;
    },
  };
});

const { ClusterStore } = await import('../../src/ui/state/cluster-store.ts');

describe("the lab's store closed while its cluster starts", () => {
  it('closes the cluster once it is up, stays closed, and keeps nothing running', async () => {
    const store = new ClusterStore();
    const booting = store.boot({ hosts: ['sdw1'], segmentsPerHost: 1, mirroring: 'none' });
    // close() settles only once the start has closed what it made: a lab that boots the same
    // name next finds it free.
    let closed = false;
    await store.close().then(() => (closed = true));
    expect(closed).toBe(true);
    expect(made).toHaveLength(1);
    await booting;
    expect(store.state).toBe('closed');
    expect(store.cluster).toBeUndefined();
    expect(made).toHaveLength(1);
    // A closed cluster refuses new sessions: nothing of it was left running.
    await expect(made[0]!.query('select 1')).rejects.toThrow();
  });
});
