/** When FTS probes next, in wall time: Greenplum's interval over how fast cluster time runs. */
import { describe, expect, it } from 'vitest';
import { FtsClock } from '../../src/ui/state/fts-clock.ts';
import { ClusterStore } from '../../src/ui/state/cluster-store.ts';
import type { Cluster } from '../../src/workers/index.ts';

const showing = (v: string) => ({ query: async () => ({ rows: [[v]] }) }) as unknown as Cluster;

describe("the store's pace of cluster time when the options name no timeScale", () => {
  it("is the runtime's own default: Greenplum's intervals on the simulator, 30x elsewhere", () => {
    const s = new ClusterStore();
    s.options = { runtime: 'sim' };
    expect(s.clusterTimeFactor).toBe(1);
    s.options = { runtime: 'inline' };
    expect(s.clusterTimeFactor).toBe(30);
    s.options = { runtime: 'inline', timeScale: 5 };
    expect(s.clusterTimeFactor).toBe(5);
  });
});

describe('FtsClock', () => {
  it('divides gp_fts_probe_interval by the pace of cluster time, whatever sets it', async () => {
    const f = new FtsClock();
    await f.read(showing('1min'));
    expect(f.setting).toBe('1min');
    // The preset's timeScale 30 at speed 1, or the simulator's pump at 30x: 2 s of wall time
    // (the simulator's line said "60 s here" while its probes came every 2 s).
    expect(f.interval(30)).toBe(2_000);
    expect(f.interval(30 * 2)).toBe(1_000);
    expect(f.interval(1)).toBe(60_000);
    expect(f.nextIn(30, false, 10_000)).toBeUndefined();
    f.lastProbeAt = 10_000;
    expect(f.nextIn(30, false, 10_500)).toBe(1_500);
    expect(f.nextIn(30, true, 10_500)).toBeUndefined();
  });
});
