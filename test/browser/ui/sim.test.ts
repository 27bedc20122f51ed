/**
 * The simulator in the lab, in Chromium: a seed loads as the explorer ran it, steps through its
 * plan with the topology following, steps back by replaying, ends with the repair's verdict;
 * and a 16 × 8 spread cluster (257 instances) runs on the sim runtime.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import '../../../src/ui/lab/mpp-ha-lab.ts';
import type { MppHaLab } from '../../../src/ui/lab/mpp-ha-lab.ts';
import type { MppSimReplay } from '../../../src/ui/sim/mpp-sim-replay.ts';
import { SimRun, generatePlan } from '../../../src/workers/index.ts';
import { allInShadow, answerConfirm, inShadow, mount, text, until } from './helpers.ts';

let lab: MppHaLab | undefined;

afterEach(() => {
  lab?.remove();
  lab = undefined;
});

async function bootLab(attrs: Record<string, string> = {}): Promise<MppHaLab> {
  const el = document.createElement('mpp-ha-lab');
  el.setAttribute('workload-rate', '0');
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  lab = await mount(el);
  await until(() => el.store.state === 'ready', 'the cluster to boot');
  return el;
}

describe('run links', () => {
  afterEach(() => history.replaceState(null, '', location.pathname + location.search));

  it('a link replays the same run in a fresh lab to the step it was made at; a damaged one changes nothing', async () => {
    await page.viewport(1280, 800);
    const el = await bootLab();
    const panel = inShadow<MppSimReplay>(el, 'mpp-sim-replay')!;
    await panel.load(44, 12);
    for (let i = 0; i < 6; i++) await panel.step();
    const link = await panel.copyLink();
    await panel.updateComplete;
    expect(inShadow<HTMLInputElement>(panel, 'label.link input')!.value).toBe(link);
    expect(link).toMatch(/#run=[A-Za-z0-9_-]+$/);
    const read = async (p: MppSimReplay) => ({
      // Its virtual time and event trace too, taken before this read drives the simulation.
      virtualMs: p.run!.virtualMs,
      trace: [...p.run!.cluster.sim.trace],
      log: [...p.run!.log],
      config: (await p.run!.cluster.query('select * from gp_segment_configuration order by dbid')).rows,
      history: (await p.run!.cluster.query('select * from gp_configuration_history')).rows,
    });
    const original = await read(panel);
    el.remove();
    lab = undefined;
    // A fresh lab opened at the link.
    history.replaceState(null, '', `#${link.split('#')[1]}`);
    const fresh = await bootLab();
    const opened = inShadow<MppSimReplay>(fresh, 'mpp-sim-replay')!;
    await until(() => opened.run?.next === 6 && !opened.busy, 'the link replayed to step 6', 30_000);
    expect(await read(opened)).toEqual(original);
    // The replay goes on from there as the original would.
    await opened.step();
    expect(opened.run!.log).toHaveLength(7);
    const code = link.split('#run=')[1]!;
    const before = opened.run;
    await opened.openLink(`#run=${code.slice(0, -12)}`);
    await opened.updateComplete;
    expect(text(inShadow(opened, '.error')!)).toMatch(/damaged .* copy the whole link again/);
    expect(opened.run).toBe(before);
    // A link pasted into this open tab's address is replayed too, once the replacement of the
    // running replay is confirmed.
    history.replaceState(null, '', location.pathname + location.search);
    location.hash = `#run=${code}`;
    expect(await answerConfirm(fresh)).toMatch(/the run in the link/);
    await until(
      () => opened.run !== before && opened.run?.next === 6 && !opened.busy,
      'the pasted link replayed',
      30_000,
    );
    expect((await read(opened)).log).toEqual(original.log);
  });
});

describe("the client's view and scrubbing", () => {
  it("draws every operation with its outcome, the counts equal the workload's; scrubbing back and forth reaches the same states", async () => {
    await page.viewport(1280, 800);
    const el = await bootLab();
    const panel = inShadow<MppSimReplay>(el, 'mpp-sim-replay')!;
    // Seed 44's plan has faults in the middle of its workload steps.
    await panel.load(44, 14);
    const slider = () => inShadow<HTMLInputElement>(panel, 'label.scrub input')!;
    const scrub = async (k: number) => {
      const s = slider();
      s.value = String(k);
      s.dispatchEvent(new Event('change'));
      await until(() => panel.run?.next === k && !s.disabled, `the run at step ${k}`, 30_000);
    };
    await panel.updateComplete;
    await scrub(14);
    const run = panel.run!;
    const log = [...run.log];
    await panel.updateComplete;
    // The oracle: the explorer's own step notes ("4/4 committed", "3/5 acknowledged").
    const acknowledged = log
      .map((l) => /-> (\d+)\/\d+ (committed|acknowledged)/.exec(l))
      .reduce((n, m) => n + (m ? Number(m[1]) : 0), 0);
    const bars = allInShadow<SVGRectElement>(panel, 'figure.client rect.op');
    expect(bars).toHaveLength(run.ops.length);
    const by = (o: string) => bars.filter((b) => b.dataset['outcome'] === o).length;
    expect(by('ok')).toBe(acknowledged);
    expect(bars.map((b) => b.dataset['outcome'])).toEqual(run.ops.map((o) => o.outcome));
    const caption = text(inShadow(panel, 'figure.client figcaption')!);
    expect(caption).toContain(`${run.ops.length} operations`);
    expect(caption).toContain(`${by('ok')} ok`);
    expect(caption).toContain(`${by('failed')} failed`);
    expect(caption).toContain(`${by('indeterminate')} indeterminate`);
    expect(allInShadow(panel, 'figure.client line.fault').length).toBeGreaterThan(0);
    // Back to step 5 replays it; forward again reaches the same log, step for step.
    await scrub(5);
    expect(panel.run!.log).toEqual(log.slice(0, 5));
    await scrub(14);
    expect(panel.run!.log).toEqual(log);
    expect(panel.run!.ops.map((o) => o.outcome)).toEqual(run.ops.map((o) => o.outcome));
    inShadow(panel, 'figure.client')!.scrollIntoView();
    await page.screenshot({
      path: '__screenshots__/sim-client-view.png',
      element: inShadow(el, '[part="simulation"]')!,
    });
  });
});

describe('simulation in the lab', () => {
  it('replays an explorer seed step by step, back one step, and to the repaired verdict', async () => {
    await page.viewport(1280, 800);
    const el = await bootLab();
    const panel = inShadow<MppSimReplay>(el, 'mpp-sim-replay')!;
    panel.scrollIntoView();
    await panel.load(7, 12);
    await until(
      () => el.store.state === 'ready' && el.store.options.runtime === 'sim',
      'the replay cluster shown',
    );
    const run = panel.run!;
    expect(run.next).toBe(0);
    const steps = () => allInShadow(panel, 'li');
    expect(steps()).toHaveLength(13); // 12 steps and the repair
    for (let i = 0; i < 5; i++) await panel.step();
    expect(run.next).toBe(5);
    await panel.updateComplete;
    expect(steps().filter((li) => li.classList.contains('done'))).toHaveLength(5);
    expect(steps()[5]!.getAttribute('aria-current')).toBe('step');
    const fifth = run.log[4]!;
    await panel.back();
    expect(panel.run).not.toBe(run);
    expect(panel.run!.next).toBe(4);
    await panel.step();
    expect(panel.run!.log[4]).toBe(fifth); // the same step, replayed exactly
    await panel.runToEnd();
    await panel.updateComplete;
    expect(panel.run!.failure).toBeUndefined();
    expect(text(inShadow(panel, '.verdict')!)).toMatch(/every invariant held/);
    // The lab ran the same seed as runPlan does, step for step and event for event: its reads
    // of the catalog at each step's end (through the run's watcher) moved nothing.
    const direct = await SimRun.begin(7, generatePlan(7, 12));
    while (!direct.done) await direct.step();
    const directTrace = [...direct.cluster.sim.trace];
    await direct.close();
    expect(panel.run!.log).toEqual(direct.log);
    expect(panel.run!.cluster.sim.trace.join('\n')).toBe(directTrace.join('\n'));
    await until(() => el.store.config.length > 0, 'the catalog of the replayed cluster');
    await page.screenshot({ path: '__screenshots__/sim-replay.png' });
  });

  it('runs a 16 hosts × 8 segments spread cluster on the sim runtime, and fails a host over', async () => {
    await page.viewport(1280, 800);
    const el = await bootLab({
      runtime: 'sim',
      hosts: Array.from({ length: 16 }, (_, i) => `sdw${i + 1}`).join(','),
      'segments-per-host': '8',
      mirroring: 'spread',
    });
    await until(() => el.store.config.length === 258, 'all 258 rows of gp_segment_configuration', 30_000);
    const topology = inShadow(el, '.p-topology mpp-topology')!;
    const cards = await until(() => {
      const list = allInShadow(topology, '[part="instance"]');
      return list.length === 258 ? list : undefined;
    }, 'all 258 instances drawn');
    // Hundreds of instances: compact cards, each still described in full for assistive tech.
    expect(inShadow(topology, '.wrap.compact')).not.toBeNull();
    const seg0 = cards.find((c) => c.dataset['dbid'] === '2')!;
    expect(text(seg0)).toMatch(/seg0 ✔, dbid 2, primary, up, synced/);
    await el.store.cluster!.faults.crash('sdw3');
    // Virtual time runs 30× the wall clock: FTS finds the host gone within seconds.
    await until(
      () => el.store.config.filter((r) => r.content >= 0 && r.status === 'd').length === 16,
      'the 8 primaries and 8 mirrors on sdw3 marked down (the store rereads the catalog)',
      60_000,
    );
    const promoted = el.store.config.filter(
      (r) => r.content >= 0 && r.role === 'p' && r.preferredRole === 'm',
    );
    expect(promoted).toHaveLength(8);
    // Spread mirroring: the 8 promoted mirrors are on 8 different hosts.
    expect(new Set(promoted.map((r) => r.hostname)).size).toBe(8);
    await page.screenshot({ path: '__screenshots__/sim-16x8.png' });
  });
});
