/**
 * A run of your own, in Chromium: recorded through the lab's own panels (the console, the fault
 * and utility actions the buttons run, the Simulation panel's waits and bank transfers), shared
 * as a link, opened in a fresh lab, and replayed step by step to the same catalog, history,
 * event log, trace and virtual time after every step; exported as a file that imports back
 * byte for byte; and a replay refuses actions until it is taken over.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import '../../../src/ui/lab/mpp-ha-lab.ts';
import type { MppHaLab } from '../../../src/ui/lab/mpp-ha-lab.ts';
import type { MppSimReplay } from '../../../src/ui/sim/mpp-sim-replay.ts';
import type { MppConsole } from '../../../src/ui/console/mpp-console.ts';
import * as act from '../../../src/ui/state/actions.ts';
import type { MppLessons } from '../../../src/ui/lessons/mpp-lessons.ts';
import { LESSONS } from '../../../src/ui/lessons/lessons.ts';
import { allInShadow, answerConfirm, inShadow, mount, text, until } from './helpers.ts';

let lab: MppHaLab | undefined;

afterEach(() => {
  lab?.remove();
  lab = undefined;
  history.replaceState(null, '', location.pathname + location.search);
});

async function bootLab(): Promise<MppHaLab> {
  const el = document.createElement('mpp-ha-lab');
  el.setAttribute('workload-rate', '0');
  lab = await mount(el);
  await until(() => el.store.state === 'ready', 'the cluster to boot');
  return el;
}

/** What the lab shows after a step, and where the simulation is. */
function snapshot(el: MppHaLab, panel: MppSimReplay) {
  const run = panel.run!;
  return {
    log: [...run.log],
    virtualMs: run.virtualMs,
    trace: run.cluster.sim.trace.length,
    config: el.store.config.map((r) => ({ ...r })),
    history: el.store.history.map((r) => ({ ...r })),
    // The cluster's events (the lab's own action entries differ: a replay runs steps, not buttons).
    events: el.store.events.filter((e) => !e.kind.startsWith('action.')).map((e) => `${e.kind} ${e.text}`),
  };
}

describe('a recorded run', () => {
  it('records a failover, recovery and rebalance under bank transfers; its link replays every step the same', async () => {
    await page.viewport(1280, 800);
    const el = await bootLab();
    const panel = inShadow<MppSimReplay>(el, 'mpp-sim-replay')!;
    await panel.record('group');
    await until(() => el.store.options.runtime === 'sim' && panel.recording, 'the recording cluster shown');
    const console_ = inShadow<MppConsole>(el, 'mpp-console')!;
    const store = () => el.store;
    const seen = [snapshot(el, panel)];
    const step = async (what: () => Promise<unknown>) => {
      await what();
      seen.push(snapshot(el, panel));
    };
    // The console's session stays open across steps: its transaction spans a workload step.
    await step(() => console_.run('create table notes (id int, t text) distributed by (id);'));
    await step(() => console_.run('begin;'));
    await step(() => console_.run("insert into notes values (1, 'before the crash');"));
    await step(() => panel.act({ op: 'transfers', n: 4, salt: 3 }));
    await step(() => console_.run('commit;'));
    // The fault button's action, then FTS's minute.
    expect(await act.crash(store(), 2)).toBe(true);
    seen.push(snapshot(el, panel));
    await step(() => panel.act({ op: 'transfers', n: 4, salt: 4 }));
    // FTS's minute, under the bank workload (the record bar's Wait with its box ticked).
    const loadButton = [...allInShadow<HTMLButtonElement>(panel, '.recording button')].find(
      (b) => text(b) === 'Wait 1 min',
    )!;
    expect(inShadow<HTMLInputElement>(panel, '.recording input[type="checkbox"]')!.checked).toBe(true);
    await step(async () => {
      loadButton.click();
      await until(() => panel.run!.plan.length === 8 && !panel.busy, 'the minute under load');
    });
    expect(panel.run!.plan[7]).toMatchObject({ op: 'load', clients: 3, ms: 60_000 });
    expect(el.store.config.find((r) => r.dbid === 2)).toMatchObject({ role: 'm', status: 'd' });
    await step(() => act.restart(store(), 2));
    await step(() => act.utility(store(), 'gprecoverseg -a'));
    await step(() => panel.act({ op: 'wait', ms: 60_000 }));
    await step(() => act.utility(store(), 'gprecoverseg -a -r'));
    await step(() => panel.act({ op: 'wait', ms: 60_000 }));
    await step(() => panel.act({ op: 'transfers', n: 4, salt: 5 }));
    // A link made before a step is dropped by it: it would replay to the step before.
    await panel.copyLink();
    await panel.updateComplete;
    expect(inShadow(panel, 'label.link')).toBeTruthy();
    const [sum] = await console_.run('select count(*), sum(balance) from bank;');
    await panel.updateComplete;
    expect(inShadow(panel, 'label.link')).toBeNull();
    seen.push(snapshot(el, panel));
    expect(sum!.result!.rows).toEqual([[8, 800]]);
    const run = panel.run!;
    expect(run.failure).toBeUndefined();
    expect(el.store.config.find((r) => r.dbid === 2)).toMatchObject({ role: 'p', mode: 's', status: 'u' });
    expect(el.store.history.some((r) => /dbid 2 with contentid 0 to m, d/.test(r.desc))).toBe(true);
    expect(run.plan.map((s) => s.op)).toEqual([
      'sql',
      'sql',
      'sql',
      'transfers',
      'sql',
      'crash',
      'transfers',
      'load',
      'restart',
      'utility',
      'wait',
      'utility',
      'wait',
      'transfers',
      'sql',
    ]);
    const link = await panel.copyLink();
    const file = panel.exportFile();
    el.remove();
    lab = undefined;

    history.replaceState(null, '', `#${link.split('#')[1]}`);
    const fresh = await bootLab();
    const opened = inShadow<MppSimReplay>(fresh, 'mpp-sim-replay')!;
    await until(() => opened.run?.next === 15 && !opened.busy, 'the link replayed', 60_000);
    expect(opened.recording).toBe(false);
    expect(snapshot(fresh, opened)).toEqual(seen.at(-1));
    // The file, opened at its start, then stepped: the original's states at every step.
    await opened.openFile(file.replace('"at": 15', '"at": 0'));
    await until(() => opened.run?.next === 0 && !opened.busy, 'the file opened at its start', 60_000);
    expect(snapshot(fresh, opened)).toEqual(seen[0]);
    for (let i = 1; i < seen.length; i++) {
      await opened.step();
      expect(snapshot(fresh, opened), `after step ${i - 1}`).toEqual(seen[i]);
    }
    // At its end it exports as the very file it was opened from.
    expect(opened.exportFile()).toBe(file);

    // A replay is not changed behind its steps: an action is refused until it is taken over.
    expect(await act.utility(fresh.store, 'gprecoverseg -a')).toBe(false);
    expect(fresh.store.actions[0]!.output).toMatch(/This is a replay.*Take over here/);
    // A card's Crash button says so where it was clicked.
    const topo = inShadow(fresh, 'mpp-topology')!;
    inShadow<HTMLButtonElement>(topo, 'button[data-card-action="crash"][data-dbid="3"]')!.click();
    await until(() => inShadow(topo, '.refused'), 'the refusal shown on the topology');
    expect(text(inShadow(topo, '.refused')!)).toMatch(/Crash of dbid 3 refused: 55000: This is a replay/);
    expect(opened.run!.plan).toHaveLength(15);
    await opened.takeOver();
    // The console session the replay opened has no client now, so it is closed first (its
    // backend ends, as when a client goes away).
    expect(opened.run!.plan).toHaveLength(16);
    expect(opened.run!.plan[15]).toEqual({ op: 'disconnect', session: 1 });
    expect(await act.utility(fresh.store, 'gprecoverseg -a')).toBe(true);
    expect(opened.run!.plan.at(-1)).toEqual({ op: 'utility', command: 'gprecoverseg -a' });
    await opened.updateComplete;
    expect(text(inShadow(opened, '.recording')!)).toMatch(/Recording/);
    // Live from here: time runs with the lab's clock, the panels act on the cluster directly.
    const steps = opened.run!.plan.length;
    const at = opened.run!.virtualMs;
    await opened.goLive();
    await until(() => fresh.store.state === 'ready' && !fresh.store.stepDriven && !opened.busy, 'gone live');
    await until(() => opened.run!.virtualMs > at + 5_000, 'virtual time to run by itself', 30_000);
    const ok = await act.sql(fresh.store, 'select count(*) from bank');
    expect(ok, fresh.store.actions[0]!.output).toBe(true);
    expect(opened.run!.plan).toHaveLength(steps);
    await opened.updateComplete;
    expect(text(inShadow(opened, 'p.recording')!)).toMatch(/Live from step 17/);
    opened.scrollIntoView();
    await page.screenshot({
      path: '__screenshots__/sim-recording.png',
      element: inShadow(fresh, '[part="simulation"]')!,
    });
  }, 120_000);

  it('a lesson starts from a shared run: the failure replays, the learner recovers it, and the recovery goes into the link', async () => {
    await page.viewport(1280, 900);
    const el = await bootLab();
    el.lesson = 'sent-failure';
    await el.updateComplete;
    const ls = inShadow<MppLessons>(el, 'mpp-lessons')!;
    const lesson = LESSONS.find((l) => l.id === 'sent-failure')!;
    const checkState = () => inShadow<HTMLElement>(ls, '.check')?.dataset['checkState'];
    for (let i = 0; i < lesson.steps.length; i++) {
      await until(() => ls.step === i && inShadow(ls, `.step[data-step="${i}"]`), `step ${i + 1}`);
      for (const b of allInShadow<HTMLButtonElement>(ls, '[data-step-action]')) {
        await until(() => !b.disabled, `the button "${text(b)}" to be enabled`);
        b.click();
        await ls.updateComplete;
        // Replacing the running cluster with the run asks first.
        if (b.dataset['stepAction'] === 'openRun')
          expect(await answerConfirm(el)).toMatch(/a colleague’s run/);
        await until(() => b.isConnected && !b.disabled, `"${text(b)}" to finish`, 60_000);
      }
      if (lesson.steps[i]!.check)
        await until(
          () => checkState() === 'pass',
          `step ${i + 1} to pass; last seen: ${text(inShadow(ls, '.check'))}`,
          30_000,
        );
      if (i === 2) {
        const part = inShadow(el, '[part="lessons"]')!;
        part.scrollIntoView();
        await page.screenshot({ path: '__screenshots__/lesson-sent-failure.png', element: part });
      }
      if (i < lesson.steps.length - 1 && ls.step === i)
        inShadow<HTMLButtonElement>(ls, 'button.next')!.click();
    }
    const panel = inShadow<MppSimReplay>(el, 'mpp-sim-replay')!;
    const run = panel.run!;
    expect(run.failure).toBeUndefined();
    expect(panel.recording).toBe(true);
    // The colleague's five steps, then the learner's: their utilities and waits among the checks' reads.
    expect(run.plan.slice(0, 4).map((s) => s.op)).toEqual(['transfers', 'transfers', 'load', 'transfers']);
    const mine = run.plan.slice(4).filter((s) => s.op !== 'sql');
    expect(mine).toEqual([
      { op: 'utility', command: 'gpstate -e' },
      { op: 'utility', command: 'gprecoverseg -a' },
      { op: 'wait', ms: 60_000 },
      { op: 'utility', command: 'gprecoverseg -a -r' },
      { op: 'wait', ms: 60_000 },
    ]);
    // The link carries the recovery: a fresh lab replays it to the same balanced cluster.
    const link = await panel.copyLink();
    const config = el.store.config.map((r) => ({ ...r }));
    el.remove();
    lab = undefined;
    history.replaceState(null, '', `#${link.split('#')[1]}`);
    const fresh = await bootLab();
    const opened = inShadow<MppSimReplay>(fresh, 'mpp-sim-replay')!;
    await until(() => opened.run?.next === run.plan.length && !opened.busy, 'the recovery replayed', 60_000);
    expect(fresh.store.config).toEqual(config);
    expect(fresh.store.config.find((r) => r.dbid === 3)).toMatchObject({ role: 'p', mode: 's', status: 'u' });
  }, 120_000);
});
