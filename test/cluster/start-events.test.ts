import { describe, expect, it } from 'vitest';
import { createCluster, type ClusterEvent } from '../../src/engine/index.ts';
import { waitFor } from '../support/wait.ts';

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

  it('a listener that throws stops neither the start nor the other listeners; its error is reported', async () => {
    // The error surfaces as an unhandled rejection: caught here instead of by the test runner.
    const runners = process.listeners('unhandledRejection');
    process.removeAllListeners('unhandledRejection');
    const reported: unknown[] = [];
    process.on('unhandledRejection', (err) => reported.push(err));
    const heard: ClusterEvent[] = [];
    try {
      const c = await createCluster(
        { hosts: ['sdw1'], segmentsPerHost: 1 },
        {
          onEvent: () => {
            throw new Error('a bug in the caller');
          },
        },
      );
      try {
        const off = c.subscribe((e) => heard.push(e));
        c.subscribe(() => {
          throw new Error('another bug');
        });
        await c.faults.crash(2);
        off();
        expect(heard.map((e) => e.kind)).toContain('instance.crash');
        expect((await c.query('select 1')).rows).toEqual([[1]]);
      } finally {
        await c.close();
      }
      // Reported on a later turn of the event loop.
      const messages = () => reported.map((e) => (e as Error).message);
      await waitFor(
        () => messages().includes('a bug in the caller') && messages().includes('another bug'),
        10_000,
        'both errors reported',
      );
    } finally {
      process.removeAllListeners('unhandledRejection');
      for (const l of runners) process.on('unhandledRejection', l);
    }
  });
});
