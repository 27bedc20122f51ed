/**
 * The guided lessons, followed to their end by pressing their buttons, and the recommended
 * next actions derived from the catalog. Every wait polls with a deadline.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import '../../../src/ui/lab/mpp-ha-lab.ts';
import type { MppHaLab } from '../../../src/ui/lab/mpp-ha-lab.ts';
import type { MppLessons } from '../../../src/ui/lessons/mpp-lessons.ts';
import { LESSONS } from '../../../src/ui/lessons/lessons.ts';
import { deleteCluster } from '../../../src/workers/index.ts';
import { allInShadow, answerConfirm, inShadow, mount, text, until } from './helpers.ts';

let lab: MppHaLab | undefined;

afterEach(() => {
  lab?.remove();
  lab = undefined;
});

async function bootLab(attrs: Record<string, string> = {}): Promise<MppHaLab> {
  const el = document.createElement('mpp-ha-lab');
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  lab = await mount(el);
  await until(() => el.store.state === 'ready', 'the cluster to boot');
  await until(() => el.workload.ready, 'the bank table to be loaded');
  return el;
}

function lessonsOf(el: MppHaLab): MppLessons {
  return inShadow<MppLessons>(el, 'mpp-lessons')!;
}

function checkState(ls: MppLessons): string | undefined {
  return inShadow(ls, '.check')?.dataset['checkState'];
}

function recIds(el: MppHaLab): string[] {
  const panel = inShadow(el, 'mpp-recommendations');
  return allInShadow(panel, '[data-rec]').map((r) => r.dataset['rec']!);
}

/**
 * Opens a lesson and follows it: on each step presses every action button (except rebuilding
 * the cluster, which a step offers only as a way back to a healthy start), waits for the check
 * to pass and presses Next. `onStep` runs after a step's check passed.
 */
async function follow(
  el: MppHaLab,
  id: string,
  onStep: (step: number) => Promise<void> = async () => undefined,
  opts: { rebuild?: boolean } = {},
): Promise<MppLessons> {
  el.lesson = id;
  await el.updateComplete;
  const ls = lessonsOf(el);
  const lesson = LESSONS.find((l) => l.id === id)!;
  if (lesson.needs)
    await until(() => el.store.features[lesson.needs!], `the feature ${lesson.needs}`, 30_000);
  for (let i = 0; i < lesson.steps.length; i++) {
    await until(() => ls.step === i && inShadow(ls, `.step[data-step="${i}"]`), `step ${i + 1}`);
    const buttons = allInShadow<HTMLButtonElement>(ls, '[data-step-action]').filter(
      (b) => opts.rebuild || b.dataset['stepAction'] !== 'rebuild',
    );
    for (const b of buttons) {
      await until(() => !b.disabled, `the button "${text(b)}" to be enabled`);
      b.click();
      await ls.updateComplete;
      // Replacing the running cluster asks first, saying what is lost.
      if (b.dataset['stepAction'] === 'rebuild')
        expect(await answerConfirm(el)).toMatch(/every table in it goes/);
      await until(() => b.isConnected && !b.disabled, `"${text(b)}" to finish`, 30_000);
      if (b.dataset['stepAction'] === 'rebuild') await until(() => el.workload.ready, 'the new bank table');
    }
    if (lesson.steps[i]!.check)
      await until(
        () => checkState(ls) === 'pass',
        `step ${i + 1} (${lesson.steps[i]!.title}) to pass; last seen: ${text(inShadow(ls, '.check'))}`,
        45_000,
      );
    await onStep(i);
    // Next (enabled now the check passed); the step may already have moved on by itself.
    if (i < lesson.steps.length - 1 && ls.step === i) inShadow<HTMLButtonElement>(ls, 'button.next')!.click();
  }
  await until(() => text(inShadow(ls, '.end')) === 'Lesson complete.', 'the lesson to be complete');
  return ls;
}

describe('lessons', () => {
  it('lesson 1 on a cluster of another layout: its first check fails and says so, rather than naming the wrong dbids', async () => {
    const el = await bootLab({ hosts: 'sdw1,sdw2,sdw3', mirroring: 'spread' });
    el.lesson = 'primary-failover';
    await el.updateComplete;
    const ls = lessonsOf(el);
    await until(() => checkState(ls) === 'fail', 'the first check to fail', 60_000);
    expect(text(inShadow(ls, '.check'))).toMatch(/lessons' layout/);
    expect(inShadow<HTMLButtonElement>(ls, 'button.next')?.disabled).toBe(true);
  });

  it('lesson 5 on a cluster of another layout: its first check fails, rather than taking a segment mirror for the standby', async () => {
    const el = await bootLab({ hosts: 'sdw1,sdw2,sdw3', mirroring: 'spread' });
    el.lesson = 'standby';
    await el.updateComplete;
    const ls = lessonsOf(el);
    await until(() => checkState(ls) === 'fail', 'the first check to fail', 60_000);
    expect(text(inShadow(ls, '.check'))).toMatch(/lessons' layout/);
  });

  it('a cluster replaced from outside the lesson (New cluster) starts the open lesson over', async () => {
    const el = await bootLab();
    el.lesson = 'primary-failover';
    await el.updateComplete;
    const ls = lessonsOf(el);
    await until(() => checkState(ls) === 'pass', 'step 1 to pass', 60_000);
    inShadow<HTMLButtonElement>(ls, 'button.next')!.click();
    await until(() => ls.step === 1, 'step 2');
    const before = el.store.cluster;
    void el.reboot();
    await until(() => el.store.state === 'ready' && el.store.cluster !== before, 'the new cluster');
    await until(() => ls.step === 0 && inShadow(ls, '.step[data-step="0"]'), 'step 1 again');
    // Its check is the new cluster's, run afresh.
    await until(() => checkState(ls) === 'pass', 'step 1 to pass on the new cluster', 60_000);
  });

  it('lesson 1: crash a primary, FTS promotes its mirror, every check passes; the recommendations follow the catalog', async () => {
    await page.viewport(1280, 900);
    const el = await bootLab();
    // Every feature is detected, so the controls that needed them are enabled, without notes.
    await until(() => Object.values(el.store.features).every(Boolean), 'every feature detected', 30_000);
    const controls = inShadow(el, 'mpp-controls')!;
    await until(
      () => allInShadow<HTMLButtonElement>(controls, 'button.util').every((b) => !b.disabled),
      'utilities enabled',
    );
    expect(allInShadow(controls, '.note').map((n) => text(n))).toEqual([]);
    const ls = await follow(el, 'primary-failover', async (step) => {
      if (step !== 1) return;
      // After the failover: the catalog has dbid 2 down, so gprecoverseg -a is recommended.
      await until(() => recIds(el).includes('recover'), 'the recommendation to run gprecoverseg -a');
      const panel = inShadow(el, '[part="lessons"]')!;
      panel.scrollIntoView();
      await page.screenshot({ path: '__screenshots__/lesson-1-step-2.png', element: panel });
      const recPanel = inShadow(el, '[part="recommendations"]')!;
      await page.screenshot({ path: '__screenshots__/recommendations-recover.png', element: recPanel });
    });
    expect(text(inShadow(ls, '.check'))).toMatch(/Passed/);
    expect(text(inShadow(ls, '.check'))).toMatch(/dbid 2 .*status=d/);
    // Back shows the previous step again, its check still passed.
    inShadow<HTMLButtonElement>(ls, 'button.back')!.click();
    await until(() => inShadow(ls, '.step[data-step="3"]'), 'step 4 again');
    expect(checkState(ls)).toBe('pass');

    const recs = inShadow(el, 'mpp-recommendations')!;
    const recover = inShadow(recs, '[data-rec="recover"]')!;
    expect(text(recover)).toContain('Recover with gprecoverseg -a');
    expect(text(recover.querySelector('code'))).toBe('gprecoverseg -a');
    inShadow<HTMLButtonElement>(recs, '[data-rec-action="recover"]')!.click();
    // Recovered and in sync: the roles are still switched, so rebalancing is next.
    await until(() => recIds(el).includes('rebalance'), 'the recommendation to run gprecoverseg -r', 30_000);
    expect(text(inShadow(recs, '[data-rec="rebalance"]'))).toContain('Rebalance with gprecoverseg -r');
    const panel = inShadow(el, '[part="recommendations"]')!;
    panel.scrollIntoView();
    await page.screenshot({ path: '__screenshots__/recommendations-rebalance.png', element: panel });
    inShadow<HTMLButtonElement>(recs, '[data-rec-action="rebalance"]')!.click();
    await until(() => recIds(el).join() === 'healthy', 'no action needed after the rebalance', 30_000);
  });

  it('lesson 5: the coordinator fails, the standby is activated and re-protected with gpinitstandby -s cdw', async () => {
    await page.viewport(1280, 900);
    const el = await bootLab();
    await follow(el, 'standby', async (step) => {
      if (step === 1) {
        await until(() => recIds(el).includes('activate'), 'the recommendation to activate the standby');
        const recs = inShadow(el, 'mpp-recommendations')!;
        expect(text(inShadow(recs, '[data-rec="activate"] code'))).toBe(
          'gpactivatestandby -d /data/coordinator/gpseg-1',
        );
        const panel = inShadow(el, '[part="recommendations"]')!;
        panel.scrollIntoView();
        await page.screenshot({ path: '__screenshots__/recommendations-activate.png', element: panel });
      }
      if (step === 2) {
        // The old coordinator's directory is still on cdw: the lab shows it there, and recommends
        // moving it aside before gpinitstandby (which would refuse it), not gpinitstandby itself.
        await until(
          () => recIds(el).includes('move-old-datadir'),
          'the recommendation to move the old directory',
        );
        expect(recIds(el)).not.toContain('add-standby');
        const recs = inShadow(el, 'mpp-recommendations')!;
        expect(text(inShadow(recs, '[data-rec="move-old-datadir"] code'))).toBe(
          'ssh cdw mv /data/coordinator/gpseg-1 /data/coordinator/backup_gpseg-1',
        );
        const topo = inShadow(el, 'mpp-topology')!;
        await until(
          () => inShadow(topo, '.leftover[data-dbid="1"]'),
          "the old coordinator's directory on cdw",
        );
        expect(text(inShadow(topo, '[aria-labelledby="host-cdw"] .leftover-path'))).toBe(
          '/data/coordinator/gpseg-1',
        );
        expect(text(inShadow(topo, '.leftover'))).toMatch(/gpinitstandby will not initialize over it/);
        await page.screenshot({
          path: '__screenshots__/topology-old-coordinator-directory.png',
          element: topo,
        });
      }
    });
    const rows = el.store.config.filter((r) => r.content === -1);
    await until(
      () => el.store.config.some((r) => r.content === -1 && r.role === 'm' && r.hostname === 'cdw'),
      'the new standby in the lab catalog',
    );
    expect(rows.find((r) => r.role === 'p')?.hostname).toBe('scdw');
    // Moved aside, the directory shows under its new name, beside the new standby's.
    await until(
      () =>
        text(inShadow(inShadow(el, 'mpp-topology')!, '.leftover-path')) ===
        '/data/coordinator/backup_gpseg-1',
      'the moved directory on cdw',
    );
    // Moved aside, it is in nobody's way.
    expect(text(inShadow(inShadow(el, 'mpp-topology')!, '.leftover'))).not.toMatch(/will not initialize/);
    await until(
      () =>
        /activated/.test(el.store.announcement) ||
        el.store.events.some((e) => e.kind === 'standby.activated'),
      'the activation event',
    );
  });
});

describe('the other lessons, followed to their end', () => {
  for (const id of [
    'mirror-failure',
    'recovery',
    'double-fault',
    'rolling-maintenance',
    'expand-cluster',
    'segment-crash',
  ]) {
    it(id, async () => {
      // The expansion runs where the site runs it: every instance a Web Worker on IndexedDB.
      const worker = id === 'expand-cluster' ? `lesson-expand-${Date.now()}` : undefined;
      const el = await bootLab(worker ? { runtime: 'worker', 'cluster-name': worker } : {});
      await follow(
        el,
        id,
        async (step) => {
          if (id === 'mirror-failure' && step === 2) {
            const panel = inShadow(el, '[part="lessons"]')!;
            panel.scrollIntoView();
            await page.screenshot({ path: '__screenshots__/lesson-2-blocked.png', element: panel });
            // What the text says: the waits are in pg_stat_activity on dbid 2, wait_event SyncRep.
            const ls = lessonsOf(el);
            const see = allInShadow<HTMLButtonElement>(ls, '[data-step-action]').find((x) =>
              /waiting sessions/.test(text(x)),
            )!;
            expect(text(see.nextElementSibling)).toMatch(/^dbid 2 \(utility mode\)=# select .*wait_event/);
            const before = el.store.actions.length;
            see.click();
            const ran = await until(() => {
              const latest = el.store.actions[0];
              return el.store.actions.length > before && latest?.ok !== undefined ? latest : undefined;
            }, 'the utility-mode query on dbid 2');
            expect(ran.command).toMatch(/^dbid 2 \(utility mode\)=# /);
            expect(ran.output).toMatch(/wait_event_type \| wait_event/);
            expect(ran.output).toMatch(/\| IPC +\| SyncRep +\|/);
          }
          if (id === 'expand-cluster' && step === 2) {
            // Setup done: four hosts, eight contents, the bank table still on its old four. The
            // topology's strip lists each table waiting; the new segments say none of it is there.
            const topo = inShadow(el, 'mpp-topology')!;
            const statuses = () =>
              allInShadow<HTMLElement>(topo, '.expansion li[data-status]').map((li) => li.dataset['status']);
            // The lab reads gpexpand.status on its own refresh: a read between setup's 'SETUP'
            // and 'SETUP DONE' rows shows the strip before its state catches up.
            await until(
              () =>
                statuses().length > 0 &&
                inShadow<HTMLElement>(topo, '.expansion')?.dataset['state'] === 'SETUP DONE',
              'the expansion strip, setup done',
            );
            expect(new Set(statuses())).toEqual(new Set(['NOT STARTED']));
            expect(text(inShadow(topo, '.expansion li[data-table="public.bank"]'))).toMatch(
              /waiting: on 4 of 8 segments/,
            );
            const newCards = allInShadow<HTMLElement>(topo, '.card').filter(
              (c) => Number(c.dataset['content']) >= 4,
            );
            expect(newCards).toHaveLength(8);
            for (const c of newCards)
              expect(text(c)).toMatch(/\+ new \(gpexpand\): \d+ tables? not here yet/);
            const oldCard = allInShadow<HTMLElement>(topo, '.card').find(
              (c) => c.dataset['content'] === '0',
            )!;
            expect(text(oldCard)).not.toMatch(/new \(gpexpand\)/);
            // The header counts the hosts in the catalog now, not those the cluster was built on.
            expect(text(inShadow(el, '[part="header"] .sub'))).toMatch(/8 primaries, 8 mirrors on 4 hosts/);
            const panel = inShadow(el, '[part="topology"]')!;
            panel.scrollIntoView();
            await page.screenshot({ path: '__screenshots__/expand-after-setup.png', element: panel });
          }
          if (id === 'expand-cluster' && step === 5) {
            // Under the workload: no transfer the bank acknowledged was lost (the check passed:
            // every account, the whole sum), and the transfers kept committing.
            expect(el.workload.running).toBe(true);
            expect(el.workload.commits).toBeGreaterThan(0);
            // No acknowledged transfer lost: every account the client ledger can settle holds
            // exactly what the acknowledged transfers say (a conserved sum alone cannot show it).
            const kept = await el.workload.verify();
            expect(kept.wrong).toEqual([]);
            expect(kept.checked).toBeGreaterThan(900);
            // The strip follows: every table done, nothing left on the old segments.
            const topo = inShadow(el, 'mpp-topology')!;
            await until(
              () => inShadow<HTMLElement>(topo, '.expansion')?.dataset['state'] === 'EXPANSION COMPLETE',
              'the strip to say the expansion is complete',
            );
            const statuses = allInShadow<HTMLElement>(topo, '.expansion li[data-status]').map(
              (li) => li.dataset['status'],
            );
            expect(statuses.length).toBeGreaterThan(0);
            expect(new Set(statuses)).toEqual(new Set(['COMPLETED']));
            expect(allInShadow(topo, '.new-seg')).toHaveLength(0);
          }
          if (id === 'double-fault' && step === 2) {
            await until(() => recIds(el).includes('double-fault-0'), 'the double-fault recommendation');
            const panel = inShadow(el, '[part="recommendations"]')!;
            panel.scrollIntoView();
            await page.screenshot({
              path: '__screenshots__/recommendations-double-fault.png',
              element: panel,
            });
          }
        },
        { rebuild: id === 'segment-crash' },
      );
      if (worker) {
        el.remove();
        await until(() => el.store.state === 'closed', 'the worker cluster to close');
        await deleteCluster(worker);
      }
    });
  }

  it('file-replication: change tracking, resynchronization, failover in Greenplum 5 states', async () => {
    await page.viewport(1280, 900);
    const el = await bootLab();
    const details = async (dbid: number, shot: string, want: RegExp) => {
      inShadow<HTMLButtonElement>(inShadow(el, 'mpp-topology'), `[data-dbid="${dbid}"]`)!.click();
      await until(
        () => want.test(text(inShadow(inShadow(el, 'mpp-instance-details'), '.filerep'))),
        shot,
        20_000,
      );
      const panel = inShadow(el, '[part="details"]')!;
      panel.scrollIntoView();
      await page.screenshot({ path: `__screenshots__/${shot}.png`, element: panel });
    };
    await follow(
      el,
      'file-replication',
      async (step) => {
        if (step === 0) {
          const r = await el.store.cluster!.query(
            'select replication_port from gp_segment_configuration where dbid = 2',
          );
          expect(r.rows).toEqual([[8000]]);
          await details(6, 'filerep-mirror', /passive/);
        }
        if (step === 3) {
          await details(2, 'filerep-change-tracking', /Change Tracking/);
          window.scrollTo(0, 0);
          await page.screenshot({ path: '__screenshots__/filerep-lab.png' });
        }
        if (step === 5) await details(6, 'filerep-failed-over', /Change Tracking/);
      },
      { rebuild: true },
    );
    expect(el.clusterOptions().replication).toBe('filerep');
  });

  it('host-crash: group then spread on three hosts', async () => {
    await page.viewport(1280, 900);
    const el = await bootLab();
    await follow(
      el,
      'host-crash',
      async (step) => {
        if (step === 3) {
          await page.screenshot({ path: '__screenshots__/lesson-3-spread-host-down.png' });
        }
      },
      { rebuild: true },
    );
  });
});
