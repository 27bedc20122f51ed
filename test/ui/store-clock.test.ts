import { afterEach, describe, expect, it } from 'vitest';
import { ClusterStore } from '../../src/ui/state/cluster-store.ts';
import { utility } from '../../src/ui/state/actions.ts';
import { waitFor } from '../support/wait.ts';

let store: ClusterStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

// After a faster speed the timeline showed wall-clock times, seconds behind what now() and
// gp_configuration_history said for the same moment.
describe("the timeline's times", () => {
  it("are the cluster's clock, as now() reads it, after time ran faster", async () => {
    const s = (store = new ClusterStore());
    await s.boot({ hosts: ['sdw1'], segmentsPerHost: 1 });
    const c = s.cluster!;
    const nowMs = async () => Number((await c.query('select extract(epoch from now()) * 1000')).rows[0]![0]);
    const start = Date.now();
    c.time!.setSpeed(40);
    await waitFor(async () => ((await nowMs()) - Date.now() > 5_000 ? true : undefined));
    c.time!.setSpeed(1);
    const before = await nowMs();
    expect(await utility(s, 'gpstate -Q')).toBe(true);
    const after = await nowMs();
    const entry = s.events.find((e) => e.kind === 'action.utility')!;
    expect(entry.clusterAt).toBeGreaterThanOrEqual(before - 5);
    expect(entry.clusterAt).toBeLessThanOrEqual(after + 5);
    // The wall's time of the same entry is seconds behind it.
    expect(entry.clusterAt! - entry.at).toBeGreaterThan(5_000);
    expect(entry.at).toBeGreaterThanOrEqual(start);
  });
});
