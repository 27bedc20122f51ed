/**
 * The lab on the worker runtime, in Chromium: every instance a Web Worker with its own
 * IndexedDB database. It boots and serves the console; a second lab on the same page is
 * refused the cluster; after the element goes away (a reload), the next one offers to resume
 * the saved cluster, and resuming brings back the rows with every instance recovered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import '../../../src/ui/lab/mpp-ha-lab.ts';
import type { MppHaLab } from '../../../src/ui/lab/mpp-ha-lab.ts';
import type { MppSimReplay } from '../../../src/ui/sim/mpp-sim-replay.ts';
import { deleteCluster } from '../../../src/workers/index.ts';
import { allInShadow, answerConfirm, inShadow, mount, text, until } from './helpers.ts';

const labs: MppHaLab[] = [];
afterEach(() => {
  for (const l of labs.splice(0)) l.remove();
});

async function mountLab(name: string, attrs: Record<string, string> = {}): Promise<MppHaLab> {
  const el = document.createElement('mpp-ha-lab');
  el.setAttribute('runtime', 'worker');
  el.setAttribute('cluster-name', name);
  el.setAttribute('workload-rate', '0');
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  labs.push(el);
  return mount(el);
}

const cards = (el: MppHaLab) => allInShadow(inShadow(el, 'mpp-topology'), '[part="instance"]');

describe('<mpp-ha-lab runtime="worker">', () => {
  it('boots on workers, refuses a second owner, and resumes the saved cluster after the element goes away', async () => {
    await page.viewport(1280, 800);
    const name = `lab-worker-${Date.now()}`;
    const el = await mountLab(name);
    await until(() => el.store.state === 'ready', 'the worker cluster to boot', 60_000);
    await until(() => (cards(el).length === 10 ? true : undefined), '10 instance cards', 30_000);
    const c = el.store.cluster!;
    await c.query('create table kept (a int) distributed by (a)');
    await c.query('insert into kept select generate_series(1, 250)');
    // Pause and speed act on every worker's clock.
    expect(c.time).toBeDefined();
    inShadow<HTMLButtonElement>(el, '[data-action="pause"]')!.click();
    await until(() => c.time?.paused, 'time paused');
    inShadow<HTMLButtonElement>(el, '[data-action="pause"]')!.click();
    await until(() => c.time && !c.time.paused, 'time running');

    // Another lab (a second tab) asking for the same cluster is told at once that it runs
    // elsewhere (55006): no Resume to press, nothing started or deleted.
    const second = await mountLab(name);
    const notice = await until(() => inShadow(second, '.resume'), 'the notice');
    expect(text(notice)).toMatch(/open in another tab[\s\S]*55006/);
    expect(inShadow(second, '[data-action="resume"]')).toBeNull();
    expect(inShadow(second, '[data-action="fresh"]')).toBeNull();
    expect(second.store.state).toBe('idle');
    expect(text(inShadow(inShadow(second, 'mpp-topology'), '[role="status"]'))).toMatch(/another tab/);
    second.remove();

    // The page goes away: the element and its cluster close.
    el.remove();
    await until(() => el.store.state === 'closed', 'the first lab closed');

    const again = await mountLab(name);
    const offer = await until(() => inShadow(again, '.resume'), 'the resume offer', 30_000);
    expect(text(offer)).toMatch(/10 instances/);
    await page.screenshot({ path: '__screenshots__/lab-worker-resume-offer.png' });
    // Starting fresh deletes the saved databases: it asks first, and Cancel keeps the offer.
    inShadow<HTMLButtonElement>(again, '[data-action="fresh"]')!.click();
    expect(await answerConfirm(again, false)).toMatch(/10 IndexedDB databases are deleted/);
    expect(inShadow(again, '[data-action="resume"]')).not.toBeNull();
    expect(again.store.state).toBe('idle');
    inShadow<HTMLButtonElement>(again, '[data-action="resume"]')!.click();
    await until(() => again.store.state === 'ready', 'the resumed cluster', 60_000);
    // Its start was counted against the 10 instances the resume starts.
    expect(again.store.resumeStarts).toBe(10);
    expect((await again.store.cluster!.query('select count(*) from kept')).rows).toEqual([[250]]);
    await until(() => (cards(again).length === 10 ? true : undefined), '10 instance cards again', 30_000);
    // A mirror's details, read inside its worker: running as a mirror, replaying.
    cards(again)
      .find((c) => c.dataset['dbid'] === '6')!
      .click();
    const details = await until(() => inShadow(again, 'mpp-instance-details'), 'the details panel');
    await until(() => {
      const t = inShadow(details, 'table.inside');
      return !!t && /running as\s*mirror[\s\S]*WAL replayed\s*[0-9A-F]+\/[0-9A-F]+/.test(text(t));
    }, 'the mirror seen from inside its worker');
    await page.screenshot({ path: '__screenshots__/lab-worker-resumed.png' });
    again.remove();
    await until(() => again.store.state === 'closed', 'closed');
    await deleteCluster(name);
  });

  it('a cluster stopped with gpstop before a reload: the offer says so, the resumed lab shows it stopped and recommends gpstart; after gpstart the workload starts', async () => {
    await page.viewport(1280, 800);
    const name = `lab-stopped-${Date.now()}`;
    const el = await mountLab(name);
    await until(() => el.store.state === 'ready', 'the worker cluster to boot', 60_000);
    expect((await el.store.cluster!.run('gpstop -a -M fast')).exitCode).toBe(0);
    el.remove();
    await until(() => el.store.state === 'closed', 'the first lab closed');

    const again = await mountLab(name, { 'workload-rate': '4' });
    const offer = await until(() => inShadow(again, '.resume'), 'the resume offer', 30_000);
    expect(text(offer)).toMatch(/stopped with gpstop \(a clean shutdown\)[\s\S]*gpstart -a/);
    expect(text(offer)).not.toMatch(/crash recovery/);
    inShadow<HTMLButtonElement>(again, '[data-action="resume"]')!.click();
    await until(() => again.store.state === 'ready', 'the resumed cluster', 60_000);
    // gpstop stopped every instance: the resume starts none of them.
    expect(again.store.resumeStarts).toBe(0);
    // The layout comes from the saved topology while the coordinator is down: every card, stopped.
    await until(
      () =>
        cards(again).length === 10 && cards(again).every((c) => c.dataset['status'] === 'stopped')
          ? true
          : undefined,
      '10 stopped instance cards',
      30_000,
    );
    const recs = inShadow(again, 'mpp-recommendations')!;
    await until(() => inShadow(recs, '[data-rec="gpstart"]'), 'the gpstart recommendation');
    await page.screenshot({ path: '__screenshots__/lab-worker-resumed-stopped.png' });
    expect(again.workload.running).toBe(false);
    expect((await again.store.cluster!.run('gpstart -a')).exitCode).toBe(0);
    await until(() => cards(again).every((c) => c.dataset['status'] === 'up'), 'every instance up', 60_000);
    await until(() => again.workload.commits > 0, 'the workload to start and commit', 60_000);
    again.remove();
    await until(() => again.store.state === 'closed', 'closed');
    await deleteCluster(name);
  });

  it('two labs embedded on one page run two clusters with their own databases', async () => {
    const make = () => {
      const el = document.createElement('mpp-ha-lab');
      el.setAttribute('runtime', 'worker');
      el.setAttribute('workload-rate', '0');
      labs.push(el);
      return mount(el);
    };
    const [a, b] = [await make(), await make()];
    expect([a.effectiveClusterName, b.effectiveClusterName]).toEqual(['mpp-ha-lab', 'mpp-ha-lab-2']);
    // A guard against a hang, not a speed target: alone this takes about 15 s; beside CI's node
    // projects on two cores, twenty workers booting at once took past 60 s, and once past 180 s.
    await until(() => a.store.state === 'ready' && b.store.state === 'ready', 'both clusters', 420_000);
    await a.store.cluster!.query('create table only_in_a (x int)');
    await expect(b.store.cluster!.query('select * from only_in_a')).rejects.toMatchObject({ code: '42P01' });
    const dbs = (await indexedDB.databases()).map((d) => d.name ?? '');
    expect(dbs.filter((n) => /^mpp-ha-lab-dbid\d+$/.test(n))).toHaveLength(10);
    expect(dbs.filter((n) => /^mpp-ha-lab-2-dbid\d+$/.test(n))).toHaveLength(10);
    // Replaced by a recorded run, lab a's worker cluster goes with its databases (as the
    // question before it says); lab b's stay.
    await inShadow<MppSimReplay>(a, 'mpp-sim-replay')!.record('group');
    await until(
      () => a.store.options.runtime === 'sim' && a.store.state === 'ready',
      'the run shown in lab a',
    );
    const named = async (re: RegExp) =>
      (await indexedDB.databases()).filter((d) => re.test(d.name ?? '')).length;
    const deadline = performance.now() + 60_000;
    let left = await named(/^mpp-ha-lab-dbid\d+$/);
    while (left > 0 && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100)); // polling, with the deadline above
      left = await named(/^mpp-ha-lab-dbid\d+$/);
    }
    expect(left).toBe(0);
    expect(await named(/^mpp-ha-lab-2-dbid\d+$/)).toBe(10);
    a.remove();
    b.remove();
    await until(() => a.store.state === 'closed' && b.store.state === 'closed', 'both closed');
    await deleteCluster('mpp-ha-lab');
    await deleteCluster('mpp-ha-lab-2');
  }, 540_000);
});
