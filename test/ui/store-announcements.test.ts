import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClusterStore } from '../../src/ui/state/cluster-store.ts';
import { utility } from '../../src/ui/state/actions.ts';

let store: ClusterStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

// What the live region says when an instance comes up: "again after crash recovery" only for
// one that crashed, not for a standby gpinitstandby has just made.
describe("the store's announcements of instances coming up", () => {
  it('a restarted instance is up again after crash recovery; a new standby is up', async () => {
    const s = (store = new ClusterStore());
    const said: string[] = [];
    vi.spyOn(s, 'announce').mockImplementation((text: string) => void said.push(text));
    await s.boot({ hosts: ['sdw1', 'sdw2'], segmentsPerHost: 1, mirroring: 'group', standby: true });
    const c = s.cluster!;
    await c.faults.crash(2);
    await c.faults.restart(2);
    await vi.waitFor(
      () => expect(said).toContain('Instance dbid 2 on sdw1 is up again after crash recovery.'),
      {
        timeout: 10_000,
      },
    );
    expect((await c.run('gpinitstandby -r -a')).exitCode).toBe(0);
    const made = await c.run('gpinitstandby -s scdw -a');
    expect(made.exitCode, made.stdout).toBe(0);
    const dbid = Number(
      (await c.query("select dbid from gp_segment_configuration where content = -1 and role = 'm'"))
        .rows[0]![0],
    );
    await vi.waitFor(() => expect(s.proc.get(dbid)).toBe('up'), { timeout: 10_000 });
    expect(said.filter((t) => t.startsWith(`Instance dbid ${dbid} `))).not.toContainEqual(
      expect.stringMatching(/again after crash recovery/),
    );
  });
});

// Each utility run was three timeline entries (the lab's action, utility.start, utility.done),
// the last two saying nothing the action's outcome does not.
describe("the timeline's entries for a utility run", () => {
  it('one for a run from the lab, with its outcome; a run from elsewhere keeps its events', async () => {
    const s = (store = new ClusterStore());
    await s.boot({ hosts: ['sdw1'], segmentsPerHost: 1 });
    const kinds = () => s.events.map((e) => e.kind).filter((k) => /utility/.test(k));
    expect(await utility(s, 'gpstate -Q')).toBe(true);
    expect(kinds()).toEqual(['action.utility']);
    expect(s.events.find((e) => e.kind === 'action.utility')?.text).toMatch(/^gpstate -Q → ok/);
    expect((await s.cluster!.run('gpstate -Q')).exitCode).toBe(0);
    expect(kinds()).toEqual(['utility.done', 'utility.start', 'action.utility']);
  });
});

// A rebalance fails each content over on purpose: the timeline listed it as a CRITICAL failover.
describe("the timeline's failovers during gprecoverseg -r", () => {
  it('are news (info), while a failover from a crash stays critical', async () => {
    const s = (store = new ClusterStore());
    await s.boot({ hosts: ['sdw1', 'sdw2'], segmentsPerHost: 1, mirroring: 'group', timeScale: 200 });
    const c = s.cluster!;
    await c.faults.crash(2);
    await c.query('select gp_request_fts_probe_scan()');
    await vi.waitFor(() => expect(s.events.some((e) => e.kind === 'fts.failover')).toBe(true), {
      timeout: 10_000,
    });
    expect(s.events.find((e) => e.kind === 'fts.failover')!.severity).toBe('critical');
    expect(await utility(s, 'gprecoverseg -a')).toBe(true);
    await vi.waitFor(
      async () => {
        const r = await c.query(
          "select count(*) from gp_segment_configuration where content >= 0 and mode = 's'",
        );
        expect(Number(r.rows[0]![0])).toBe(4);
      },
      { timeout: 20_000, interval: 100 },
    );
    const before = s.events.filter((e) => e.kind === 'fts.failover').length;
    const failovers = () => s.events.filter((e) => e.kind === 'fts.failover');
    expect(await utility(s, 'gprecoverseg -r -a')).toBe(true);
    await vi.waitFor(() => expect(failovers().length + failovers()[0]!.count).toBeGreaterThan(before + 1), {
      timeout: 10_000,
    });
    expect(failovers()[0]!.severity).toBe('info');
  });
});
