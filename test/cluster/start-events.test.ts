import { describe, expect, it } from 'vitest';
import { createCluster, type ClusterEvent } from '../../src/engine/index.ts';

describe('createCluster: the events of the start', () => {
  it('are heard while the cluster starts, an instance.up per instance, and only until it has', async () => {
    const heard: ClusterEvent[] = [];
    const c = await createCluster(
      { hosts: ['sdw1', 'sdw2'], segmentsPerHost: 2, mirroring: 'group', standby: true },
      { onEvent: (e) => heard.push(e) },
    );
    try {
      const up = heard.filter((e) => e.kind === 'instance.up').map((e) => e.dbid);
      // 1 coordinator, 4 primaries, 4 mirrors, 1 standby: each heard coming up, once.
      expect([...up].sort((a, b) => a! - b!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      const count = heard.length;
      // After the start, what happens is for subscribe(): the start's listener is gone.
      await c.faults.crash(3);
      const crashed: ClusterEvent[] = [];
      const off = c.subscribe((e) => crashed.push(e));
      await c.faults.restart(3);
      off();
      expect(crashed.some((e) => e.kind === 'instance.up' && e.dbid === 3)).toBe(true);
      expect(heard).toHaveLength(count);
    } finally {
      await c.close();
    }
  });
});
