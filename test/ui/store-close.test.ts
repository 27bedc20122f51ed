import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/workers/index.ts';
import { ClusterStore } from '../../src/ui/state/cluster-store.ts';

// The clusters the store's createCluster made, to see what became of them.
const made: Cluster[] = [];
const recording: typeof createCluster = async (...args) => {
  const c = await createCluster(...args);
  made.push(c);
  return c;
};

describe("the lab's store closed while its cluster starts", () => {
  it('closes the cluster once it is up, stays closed, and keeps nothing running', async () => {
    const store = new ClusterStore(recording);
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
