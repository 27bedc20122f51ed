import { describe, expect, it } from 'vitest';
import { ClusterStore } from '../../src/ui/state/cluster-store.ts';
import { BootCount } from '../../src/ui/state/boot-progress.ts';

describe("the lab's store while the cluster starts", () => {
  it('counts the instances up, of the layout it asked for, and forgets the count once ready', async () => {
    const store = new ClusterStore();
    const seen: { up: number; of: number | undefined }[] = [];
    const changed = store.changed.bind(store);
    store.changed = () => {
      if (store.bootProgress) seen.push({ ...store.bootProgress });
      changed();
    };
    try {
      await store.boot({ hosts: ['sdw1', 'sdw2'], segmentsPerHost: 2, mirroring: 'group', standby: true });
      expect(store.state).toBe('ready');
      // One step per instance, 1 coordinator + 4 primaries + 4 mirrors + 1 standby, and the
      // count stays at 10 while the lab reads the started cluster.
      const ups = seen.map((p) => p.up);
      expect(ups.every((n, i) => i === 0 || n >= ups[i - 1]!)).toBe(true);
      expect([...new Set(ups)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(new Set(seen.map((p) => p.of))).toEqual(new Set([10]));
      expect(store.bootProgress).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it("counts each instance once, against the layout, a resume's count, or nothing it cannot know", () => {
    const fresh = new BootCount({ hosts: ['sdw1'], segmentsPerHost: 2, mirroring: 'none' }, undefined);
    expect(fresh.progress).toEqual({ up: 0, of: 3 });
    const up = (dbid: number) => ({
      kind: 'instance.up' as const,
      dbid,
      role: 'primary' as const,
      recovery: undefined,
    });
    expect([fresh.note(up(2)), fresh.note(up(2)), fresh.note({ kind: 'instance.crash', dbid: 3 })]).toEqual([
      true,
      false,
      false,
    ]);
    expect(fresh.progress).toEqual({ up: 1, of: 3 });
    expect(new BootCount({ resume: true }, 7).progress).toEqual({ up: 0, of: 7 });
    expect(new BootCount({ resume: true }, undefined).progress.of).toBeUndefined();
    // A layout that cannot work (createCluster says why): no total.
    expect(new BootCount({ hosts: [] }, undefined).progress.of).toBeUndefined();
  });
});
