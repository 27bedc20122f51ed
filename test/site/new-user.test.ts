/**
 * The built site tried as a new user would (issue 21): what the lab says while a mirror is dead
 * and FTS has not acted, the cluster-level state, a copy's progress, a timeline that keeps what
 * matters, confirmations, the keyboard, axe-core in every main state (fresh, failed over,
 * recovering, resume prompt), small screens, charts, traffic on the links, psql's EXPLAIN.
 * Desktop (1280 px) and phone (390 px); screenshots go to test/browser/ui/__screenshots__.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  SHOTS,
  STRICT_CSP,
  axeViolations,
  commandLine,
  confirmReplace,
  consoleRun,
  crashInPage,
  labReady,
  openPage,
  serveSite,
  untilCatalog,
  workloadReady,
  type Site,
} from './harness.ts';

let site: Site;

beforeAll(async () => {
  site = await serveSite({
    fixtures: { 'views.html': 'views.html', 'foreign.html': 'foreign.html' },
    // The site under a strict Content-Security-Policy when asked (?csp).
    headers: (path): Record<string, string> =>
      path.includes('?csp') ? { 'content-security-policy': STRICT_CSP } : {},
  });
}, 180_000);

afterAll(async () => {
  await site?.close();
});

/** The lab's store, read in the page. */
function store<T>(page: Page, fn: string): Promise<T> {
  return page.evaluate(`(() => { const s = document.querySelector('mpp-ha-lab').store; return ${fn}; })()`);
}

/** The element holding the focus, through shadow roots: its tag, classes and text. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let a: Element | null = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    return a
      ? `${a.tagName.toLowerCase()}.${[...a.classList].join('.')} ${a.getAttribute('data-dbid') ?? ''} ${(a.textContent ?? '').trim().slice(0, 40)}`
      : '';
  });
}

async function noAxeViolations(page: Page, state: string): Promise<void> {
  const v = await axeViolations(page);
  expect(v, `axe-core violations (${state})`).toEqual([]);
}

/** Text as a reader sees it: runs of whitespace as one space. */
const squash = (t: string | null) => (t ?? '').replace(/\s+/g, ' ').trim();

const topo = (page: Page) => page.locator('mpp-ha-lab .p-topology mpp-topology');
const card = (page: Page, dbid: number) => topo(page).locator(`button.card[data-dbid="${dbid}"]`);
const state = (page: Page) => page.locator('mpp-ha-lab mpp-cluster-state');

/** What the page saw of a card while its copy bar showed (see watchCopyBar). */
type CopyWatch = Window & { copySeen?: { status: string | null; text: string | null } };

/**
 * Watches the card of `dbid` on every animation frame, through shadow roots, and keeps the
 * card's status the first time its copy bar shows.
 */
async function watchCopyBar(page: Page, dbid: number): Promise<void> {
  await page.evaluate((dbid) => {
    const deep = (root: ParentNode, sel: string): Element | null => {
      const hit = root.querySelector(sel);
      if (hit) return hit;
      for (const el of root.querySelectorAll('*'))
        if (el.shadowRoot) {
          const inner = deep(el.shadowRoot, sel);
          if (inner) return inner;
        }
      return null;
    };
    const w = window as CopyWatch;
    w.copySeen = undefined;
    const look = () => {
      const card = deep(document, `button.card[data-dbid="${dbid}"]`);
      if (card?.querySelector('progress.copy')) {
        w.copySeen = {
          status: card.getAttribute('data-status'),
          text: card.querySelector('.status')?.textContent ?? null,
        };
        return;
      }
      requestAnimationFrame(look);
    };
    look();
  }, dbid);
}

describe('the site, tried as a new user would', () => {
  it('desktop: status that does not mislead, a copy on the card, a timeline that keeps what matters, confirmations, keyboard, charts, axe in every state', async () => {
    const { context, page, errors } = await openPage(site, 1280, 900);
    await labReady(page);
    await workloadReady(page);

    // Fresh: the cluster-level state first, zero axe violations.
    await expect.poll(() => state(page).locator('[data-state]').textContent()).toBe('Normal');
    expect(await state(page).locator('[data-acting-mirrors]').getAttribute('data-acting-mirrors')).toBe('0');
    expect(await state(page).locator('[data-per-host]').getAttribute('data-per-host')).toBe('sdw1:2 sdw2:2');
    // FTS's interval as gpconfig -s shows it, then what it is at the lab's time scale.
    await expect
      .poll(() => state(page).locator('dl').textContent(), { timeout: 20_000 })
      .toMatch(/probes every 1min \(gp_fts_probe_interval\), 2\.0 s here/);
    // WAL flowing on the pairs' links, FTS probes drawn from the coordinator to the 4 primaries.
    // (Its rate on the line where the gap holds it, else in the line's tooltip: never crushed.)
    await expect
      .poll(() => topo(page).locator('path.link.flowing').count(), { timeout: 20_000 })
      .toBeGreaterThan(0);
    expect(await topo(page).locator('path.link.flowing title').first().textContent()).toMatch(
      /^WAL [\d.]+ (B|kB|MB)\/s$/,
    );
    expect(await topo(page).locator('path.probe').count()).toBe(4);
    await page.screenshot({ path: `${SHOTS}/new-user-fresh.png` });
    await noAxeViolations(page, 'fresh');

    // Keyboard: the first Tab is a skip link; the cards are one tab stop, arrows move, then
    // Tab reaches the focused card's Crash button, and the next Tab leaves the topology.
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatch(/^a\..* Skip to Topology/);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatch(/^button\.card.* 1 /);
    // Arrows go by where the cards are drawn: Right from the coordinator to sdw1's first card,
    // Down to the one below it, Right to the one beside it on sdw2, and back.
    await page.keyboard.press('ArrowRight');
    expect(await focused(page)).toMatch(/^button\.card.* 2 /);
    await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toMatch(/^button\.card.* 3 /);
    await page.keyboard.press('ArrowRight');
    expect(await focused(page)).toMatch(/^button\.card.* 7 /);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowUp');
    expect(await focused(page)).toMatch(/^button\.card.* 2 /);
    // The focus ring is its own colour: not the selection's, not the coordinator's.
    const ring = await page.evaluate(() => {
      let a: Element | null = document.activeElement;
      while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
      const lab = document.querySelector('mpp-ha-lab')!;
      const v = (n: string) => getComputedStyle(lab).getPropertyValue(n).trim();
      return {
        outline: getComputedStyle(a!).outlineColor,
        focus: v('--mpp-focus'),
        sel: v('--mpp-selected'),
        coord: v('--mpp-coordinator'),
      };
    });
    expect(ring.outline).toBe('rgb(255, 255, 255)');
    expect(new Set([ring.focus, ring.sel, ring.coord]).size).toBe(3);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatch(/^button\.card-action\.danger 2 Crash/);
    await page.keyboard.press('Tab');
    expect(await focused(page)).not.toMatch(/card/);

    // A mirror dies while FTS is held: the primary's card says it is not acknowledging, the
    // state counts the waiting commits, the recommendation says FTS is held and what to do.
    await page.evaluate(() => {
      const s = (
        document.querySelector('mpp-ha-lab') as unknown as {
          store: {
            holds: Map<string, unknown>;
            cluster: { faults: { suspend(p: string, d: number): unknown } };
            changed(): void;
          };
        }
      ).store;
      s.holds.set('fts_probe@1', s.cluster.faults.suspend('fts_probe', 1) as never);
      s.changed();
    });
    await topo(page).locator('[data-card-action="crash"][data-dbid="6"]').click();
    await expect.poll(() => card(page, 6).getAttribute('data-status')).toBe('crashed');
    await expect
      .poll(() => card(page, 2).locator('.waiting').textContent(), { timeout: 30_000 })
      .toMatch(/not acknowledging: \d+ commits? waiting[\s\S]*FTS is held/);
    expect(await state(page).locator('[data-waiting]').textContent()).toMatch(/on content 0/);
    const rec = page.locator('mpp-ha-lab mpp-recommendations [data-rec="fts-wait"]');
    await expect.poll(() => rec.textContent()).toMatch(/waits? for a dead mirror[\s\S]*FTS probes are held/);
    expect(await rec.locator('button').textContent()).toMatch(/Release FTS/);
    // Meanwhile the walsender retries every few hundred ms, and says so once for the outage:
    // a debug entry, hidden by default.
    const unreachable = () =>
      store<number>(page, "s.events.find((e) => e.kind === 'walsender.unreachable')?.count ?? 0");
    await expect.poll(unreachable, { timeout: 20_000 }).toBeGreaterThan(0);
    const timeline = page.locator('mpp-ha-lab mpp-timeline');
    expect(await timeline.locator('[data-kind="walsender.unreachable"]').count()).toBe(0);
    expect(Number(await timeline.locator('.hidden-count').getAttribute('data-hidden'))).toBeGreaterThan(0);
    expect(await timeline.locator('[data-kind="instance.crash"]').count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/new-user-mirror-dead-fts-held.png` });
    await timeline.locator('select[data-filter="severity"]').selectOption('debug');
    await expect.poll(() => timeline.locator('[data-kind="walsender.unreachable"]').count()).toBe(1);
    // Not once per retry: the retries of these seconds are one line.
    expect(await unreachable()).toBeLessThan(3);
    await timeline.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/new-user-timeline-folded.png` });
    await timeline.locator('select[data-filter="severity"]').selectOption('info');
    // Released, FTS marks the mirror down: no commit waits any more.
    await rec.locator('button').click();
    await untilCatalog(page, /\b6mmnd\b/, 'dbid 6 marked down');
    await expect.poll(() => state(page).locator('[data-waiting]').count(), { timeout: 20_000 }).toBe(0);
    // The label and the catalog panel refresh on their own schedules: wait for the label too.
    await expect
      .poll(() => state(page).locator('[data-state]').textContent(), { timeout: 20_000 })
      .toBe('Segment(s) Down');
    // gpstate -e lists the problem and exits 1: an answer, not a failure.
    const out = await commandLine(page, 'gpstate -e');
    expect(out).toMatch(/\[exit 1\]/);
    const controls = page.locator('mpp-ha-lab mpp-controls');
    expect(await controls.locator('.exit-note').textContent()).toMatch(/its answer, not a failure/);
    expect(await controls.locator('[part="output"] pre.error').count()).toBe(0);
    // A "no" to gprecoverseg's question: its answer is shown at the output's end, and noted.
    expect(await commandLine(page, "printf 'n\\n' | gprecoverseg")).toMatch(/> n\n[\s\S]*\[exit 4\]/);
    expect(await controls.locator('.exit-note').textContent()).toMatch(/answered no, so it changed nothing/);
    const end = await controls
      .locator('[part="output"] pre')
      .evaluate((pre) => pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 2);
    expect(end, 'the output opens at its end').toBe(true);

    // A primary of another content fails over: one mirror acting as primary, sdw2 carrying
    // three. (Some data first, for a copy long enough to watch; in short statements, so no
    // segment is too busy to answer FTS's probe in time.)
    await consoleRun(page, 'create table big (a int, b text) distributed by (a)');
    for (let i = 0; i < 6; i++)
      await consoleRun(
        page,
        `insert into big select i, repeat('x', 200) from generate_series(${i * 5000 + 1}, ${(i + 1) * 5000}) i`,
      );
    await crashInPage(page, 3);
    await untilCatalog(page, /\b3mpnd\b.*\b7pmnu\b/, 'dbid 7 acting as primary');
    await expect
      .poll(() => state(page).locator('[data-acting-mirrors]').getAttribute('data-acting-mirrors'))
      .toBe('1');
    await expect
      .poll(() => state(page).locator('[data-per-host]').getAttribute('data-per-host'))
      .toBe('sdw1:1 sdw2:3');
    expect(squash(await topo(page).locator('.acting.over').textContent())).toMatch(
      /3 acting primaries \(preferred 2\)/,
    );
    await page.screenshot({ path: `${SHOTS}/new-user-failed-over.png` });
    await noAxeViolations(page, 'failed over');

    // gprecoverseg -F copies the acting primaries onto dbid 3 (and dbid 6): the card shows the
    // copy and its bar.
    await watchCopyBar(page, 3);
    const recovering = commandLine(page, 'gprecoverseg -aF');
    // Recorded in the page on every frame: a copy can start and end between two polls from here.
    const copySeen = () => page.evaluate(() => (window as CopyWatch).copySeen);
    await expect
      .poll(async () => (await card(page, 3).locator('progress.copy').count()) > 0 || !!(await copySeen()), {
        timeout: 60_000,
        interval: 50,
      })
      .toBe(true);
    // The bar is usually still there for the screenshot; the assertions use what the page saw.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${SHOTS}/new-user-recovering.png` });
    await expect.poll(copySeen).toBeTruthy();
    const seen = (await copySeen())!;
    expect(seen.status).toBe('recovering');
    expect(squash(seen.text)).toMatch(/recovering: full copy \d+%/);
    await noAxeViolations(page, 'recovering');
    expect(await recovering).toMatch(/\[exit 0\]/);
    await untilCatalog(page, /\b6mmsu\b.*\b3mpsu\b.*\b7pmsu\b/, 'recovered, in sync');
    expect(
      await store<string[]>(
        page,
        "s.events.filter((e) => e.kind === 'recovery.progress').map((e) => e.text)",
      ),
    ).not.toEqual([]);

    // The charts: time ranges, and the faults drawn as bands.
    const charts = page.locator('mpp-ha-lab mpp-charts');
    await charts.scrollIntoViewIfNeeded();
    await charts.locator('[data-range="300000"]').click();
    expect(await charts.locator('[data-range="300000"]').getAttribute('aria-pressed')).toBe('true');
    expect(await charts.locator('[data-chart="commits"] rect.band').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/new-user-charts.png` });

    // EXPLAIN as psql prints it: the heading over a rule, the plan's indentation kept.
    const plan = await consoleRun(page, 'explain select count(*) from big where a < 10');
    expect(plan).toMatch(/QUERY PLAN\n-+\n Gather Motion|QUERY PLAN\n-+\n [A-Z]/);
    expect(plan).toMatch(/\n {3,}-> {2}/);
    expect(plan).toMatch(/\(\d+ rows\)/);

    // New cluster asks first, saying what is lost; Cancel keeps everything.
    const commitsBefore = await store<number>(page, "document.querySelector('mpp-ha-lab').workload.commits");
    await page.locator('mpp-ha-lab [data-action="new-cluster"]').click();
    const dialog = page.locator('mpp-ha-lab dialog.confirm[open]');
    expect(await dialog.textContent()).toMatch(
      /every table in it goes[\s\S]*IndexedDB databases are deleted[\s\S]*workload's counters/,
    );
    await page.screenshot({ path: `${SHOTS}/new-user-confirm.png` });
    await dialog.locator('[data-confirm="no"]').click();
    expect(
      await store<number>(page, "document.querySelector('mpp-ha-lab').workload.commits"),
    ).toBeGreaterThanOrEqual(commitsBefore);
    await page.locator('mpp-ha-lab [data-action="new-cluster"]').click();
    await confirmReplace(page);
    await expect
      .poll(
        () => store<boolean>(page, "s.state === 'ready' && !s.events.some((e) => e.kind === 'fts.failover')"),
        { timeout: 60_000 },
      )
      .toBe(true);
    // Nothing stale from the last cluster: counters from zero, no old error.
    expect(await store<number>(page, "document.querySelector('mpp-ha-lab').workload.errors")).toBe(0);
    expect(await page.locator('mpp-ha-lab mpp-workload .last-error').count()).toBe(0);
    expect(await store<boolean>(page, "s.events.some((e) => e.kind === 'fts.failover')")).toBe(false);

    // A skipped step is marked, and Back after it works (it threw a TypeError).
    const lessons = page.locator('mpp-ha-lab mpp-lessons');
    await lessons.locator('select').selectOption('recovery');
    await lessons.locator('.step[data-step="0"]').waitFor();
    await expect
      .poll(() => lessons.locator('.check').getAttribute('data-check-state'), { timeout: 20_000 })
      .toBe('pass');
    await lessons.locator('button.next').click();
    await lessons.locator('.step[data-step="1"]').waitFor();
    expect(await lessons.locator('button.next').isDisabled()).toBe(true);
    await lessons.locator('button.skip').click();
    await lessons.locator('.step[data-step="2"]').waitFor();
    expect(await lessons.locator('.progress li.skipped').count()).toBe(1);
    await lessons.locator('button.back').click();
    await lessons.locator('.step[data-step="1"]').waitFor();
    await lessons.locator('button.back').click();
    await lessons.locator('.step[data-step="0"]').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);

  it('390 px: the live cluster first, a preview that is plainly a plan, lessons 1 and 2 followed to the end without skipping', async () => {
    const { context, page, errors } = await openPage(site, 390, 844);
    await labReady(page);
    await workloadReady(page);
    // Time at 2x: the lessons' waits for FTS take half as long (the checks allow for it).
    await page.locator('mpp-ha-lab select[data-action="speed"]').selectOption('2');
    // The live topology starts on the first screen; the planner and simulation come last.
    const top = await page.locator('mpp-ha-lab .p-topology').boundingBox();
    expect(top!.y).toBeLessThan(400);
    const order = await page.evaluate(() =>
      [...document.querySelector('mpp-ha-lab')!.shadowRoot!.querySelectorAll('.panel')].map((p) =>
        p.getAttribute('part'),
      ),
    );
    expect(order.slice(0, 2)).toEqual(['topology', 'recommendations']);
    expect(order.indexOf('console')).toBeLessThan(order.indexOf('placement'));
    expect(order.slice(-2)).toEqual(['placement', 'simulation']);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(391);
    // One long column: a bar that stays in view jumps to the console (once some 4,000 px down).
    const jump = page.locator('mpp-ha-lab nav.jump');
    await jump.getByRole('link', { name: 'SQL console' }).click();
    await expect
      .poll(async () => (await page.locator('mpp-ha-lab .p-console').boundingBox())!.y)
      .toBeLessThan(150);
    expect((await jump.boundingBox())!.y).toBeGreaterThanOrEqual(-1);
    expect((await jump.boundingBox())!.y).toBeLessThan(5);
    // The cards' Crash buttons are at least WCAG 2.2's 24 px target.
    const crash = await page.locator('mpp-ha-lab [data-card-action]').first().boundingBox();
    expect(crash!.height).toBeGreaterThanOrEqual(24);
    await page.screenshot({ path: `${SHOTS}/new-user-390-console.png` });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${SHOTS}/new-user-390-fresh.png` });
    await noAxeViolations(page, 'fresh at 390 px');
    // The bar reaches the last panel too: the Simulation panel, where a run is recorded or
    // replayed (the page ends below it, so it comes into view rather than to the top).
    await jump.getByRole('link', { name: 'Simulation' }).click();
    await expect
      .poll(async () => {
        const y = (await page.locator('mpp-ha-lab .p-simulation').boundingBox())!.y;
        return y >= 0 && y < 500;
      })
      .toBe(true);
    await page.evaluate(() => window.scrollTo(0, 0));
    // The planner's preview says it is a plan, and nothing in it can be pressed.
    const preview = page.locator('mpp-ha-lab mpp-placement mpp-topology[preview]');
    expect(await preview.locator('.preview-tag').textContent()).toMatch(
      /Preview of a planned layout: not running/,
    );
    expect(await preview.locator('button').count()).toBe(0);
    await preview.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/new-user-390-preview.png` });

    // Lessons 1 and 2 as a new user: press the step's buttons and read; Next is locked until
    // the check passes; a step moves on by itself after the action that passes it.
    const lessons = page.locator('mpp-ha-lab mpp-lessons');
    const stepNow = () => lessons.locator('.step').getAttribute('data-step');
    const follow = async (count: number, shot: string) => {
      for (let step = 0; step < count; step++) {
        await expect.poll(stepNow, { timeout: 30_000 }).toBe(String(step));
        const check = lessons.locator('.check');
        // A step that checks on opening settles first.
        await expect
          .poll(() => check.getAttribute('data-check-state'), { timeout: 20_000 })
          .not.toBe('checking');
        const settled = await check.getAttribute('data-check-state');
        if (settled !== 'pass' && step < count - 1)
          expect(await lessons.locator('button.next').isDisabled(), `Next locked on step ${step + 1}`).toBe(
            true,
          );
        // "If the check does not pass, start a fresh cluster": a new user does.
        const rebuild = lessons.locator('[data-step-action="rebuild"]');
        const pressing =
          settled === 'fail' && (await rebuild.count())
            ? [rebuild.first()]
            : await lessons.locator('[data-step-action]:not([data-step-action="rebuild"])').all();
        for (const b of pressing) {
          if ((await stepNow()) !== String(step)) break;
          await expect.poll(() => b.isEnabled(), { timeout: 30_000 }).toBe(true);
          await b.click();
          if ((await b.getAttribute('data-step-action')) === 'rebuild') {
            await confirmReplace(page);
            await labReady(page);
            await workloadReady(page);
          }
          await expect
            .poll(async () => (await stepNow()) !== String(step) || (await b.isEnabled()), {
              timeout: 60_000,
            })
            .toBe(true);
        }
        if ((await stepNow()) !== String(step)) continue; // it moved on by itself
        await expect.poll(() => check.getAttribute('data-check-state'), { timeout: 60_000 }).toBe('pass');
        await page.screenshot({ path: `${SHOTS}/${shot}-step${step + 1}.png` });
        if (step === count - 1) break;
        // Passed because of an action: it moves on by itself; passed on opening: press Next.
        if (await lessons.locator('.advance').count())
          await expect.poll(stepNow, { timeout: 10_000 }).toBe(String(step + 1));
        else if ((await stepNow()) === String(step)) await lessons.locator('button.next').click();
      }
      await expect.poll(() => lessons.locator('.end').textContent()).toBe('Lesson complete.');
      expect(await lessons.locator('.progress li.skipped').count()).toBe(0);
    };
    // Step 2 of lesson 1 points at the card it talks about; Back returns.
    await lessons.scrollIntoViewIfNeeded();
    await expect
      .poll(() => lessons.locator('.check').getAttribute('data-check-state'), { timeout: 20_000 })
      .toBe('pass');
    await lessons.locator('button.next').click();
    await expect.poll(() => card(page, 2).getAttribute('class')).toMatch(/pointed/);
    await page.screenshot({ path: `${SHOTS}/new-user-390-pointed.png` });
    // "Look at dbid 2" brings the card into view, focused.
    await lessons.locator('[data-reveal="2"]').click();
    await expect.poll(() => focused(page)).toMatch(/^button\.card.*pointed.* 2 /);
    const box = await card(page, 2).boundingBox();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y + box!.height).toBeLessThanOrEqual(844);
    await page.screenshot({ path: `${SHOTS}/new-user-390-revealed.png` });
    await lessons.scrollIntoViewIfNeeded();
    await lessons.locator('button.back').click();
    await follow(5, 'new-user-lesson1');
    // The end offers lesson 2, which starts from a healthy cluster (lesson 1 left a failover).
    await lessons.locator('.next-lesson').click();
    await expect.poll(() => lessons.locator('select').inputValue()).toBe('mirror-failure');
    await follow(5, 'new-user-lesson2');
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);

  it('a second tab is told up front; the resume offer is focused and on screen; axe on the prompt; saved clusters deleted from the lab', async () => {
    const first = await openPage(site, 1280, 900);
    await labReady(first.page);
    // Another cluster saved in this browser: a second lab named "other" runs, then goes. (Waited
    // for from here, not inside one long page.evaluate: Chromium once collected the promise such
    // a call awaits, and the call failed with "Resulting promise was garbage collected".)
    await first.page.evaluate(() => {
      const other = document.createElement('mpp-ha-lab');
      for (const [k, v] of Object.entries({
        id: 'other-lab',
        runtime: 'worker',
        'cluster-name': 'other',
        hosts: 'sdw1,sdw2',
        'segments-per-host': '1',
        standby: 'false',
        'workload-rate': '0',
      }))
        other.setAttribute(k, v);
      document.body.append(other);
    });
    await expect
      .poll(
        () =>
          first.page.evaluate(
            () =>
              (document.getElementById('other-lab') as unknown as { store: { state: string } }).store.state,
          ),
        { timeout: 60_000, interval: 100 },
      )
      .toBe('ready');
    await first.page.evaluate(() => document.getElementById('other-lab')!.remove());
    // A second tab while the first runs the cluster: no Resume offered, 55006 said at once.
    const second = await first.context.newPage();
    const errors: string[] = [];
    second.on('pageerror', (e) => errors.push(String(e)));
    await second.goto(site.base);
    const notice = second.locator('mpp-ha-lab .resume');
    await notice.waitFor({ timeout: 30_000 });
    expect(squash(await notice.textContent())).toMatch(/open in another tab[\s\S]*55006/);
    expect(await second.locator('mpp-ha-lab [data-action="resume"]').count()).toBe(0);
    expect(squash(await second.locator('mpp-ha-lab mpp-topology [role="status"]').textContent())).toMatch(
      /another tab/,
    );
    await second.screenshot({ path: `${SHOTS}/new-user-second-tab.png` });
    // The first tab goes; "Check again" now offers the saved cluster, focused and in view.
    await first.page.close();
    await second.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await second.locator('mpp-ha-lab [data-action="recheck"]').click();
    const resume = second.locator('mpp-ha-lab [data-action="resume"]');
    await resume.waitFor({ timeout: 30_000 });
    await expect.poll(() => focused(second)).toMatch(/^button\. .*Resume it/);
    const box = await resume.boundingBox();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y + box!.height).toBeLessThanOrEqual(900);
    expect(squash(await second.locator('mpp-ha-lab mpp-topology [role="status"]').textContent())).toMatch(
      /Waiting for your choice/,
    );
    await second.screenshot({ path: `${SHOTS}/new-user-resume-prompt.png` });
    await noAxeViolations(second, 'resume prompt');
    await resume.click();
    await labReady(second);
    // The saved clusters: this one (running here, kept) and "other", which the lab deletes.
    const saved = second.locator('mpp-ha-lab mpp-saved-clusters');
    await saved.locator('[data-saved="other"]').waitFor({ timeout: 30_000 });
    expect(await saved.locator('[data-delete="mpp-ha-lab"]').isDisabled()).toBe(true);
    await saved.locator('[data-delete="other"]').click();
    const dialog = second.locator('mpp-ha-lab dialog.confirm[open]');
    expect(squash(await dialog.textContent())).toMatch(
      /Delete the saved cluster "other"[\s\S]*IndexedDB databases? \(every instance's disk/,
    );
    await saved.scrollIntoViewIfNeeded();
    await second.screenshot({ path: `${SHOTS}/new-user-delete-saved.png` });
    await dialog.locator('[data-confirm="yes"]').click();
    await expect.poll(() => saved.locator('[data-saved="other"]').count(), { timeout: 30_000 }).toBe(0);
    const dbs = await second.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ''));
    expect(dbs.filter((n) => n.startsWith('other-'))).toEqual([]);
    expect(dbs.filter((n) => n.startsWith('mpp-ha-lab-dbid'))).toHaveLength(10);
    expect(errors).toEqual([]);
    await first.context.close();
  }, 180_000);

  it('embedding: views, names that never collide, a page’s own databases left alone, a strict CSP', async () => {
    // Only the panels an author names; a default name skips the one an author gave.
    const views = await openPage(site, 1280, 900, 'views.html');
    await views.page.waitForFunction(() =>
      [...document.querySelectorAll('mpp-ha-lab')].every(
        (l) => (l as unknown as { store: { state: string } }).store.state === 'ready',
      ),
    );
    const parts = await views.page.evaluate(() =>
      [...document.querySelector('#parts')!.shadowRoot!.querySelectorAll('.panel')].map((p) =>
        p.getAttribute('part'),
      ),
    );
    expect(parts).toEqual(['topology', 'console']);
    expect(await views.page.locator('#parts [part="header"]').count()).toBe(0);
    expect(
      await views.page.evaluate(() =>
        ['parts', 'named', 'second'].map(
          (id) =>
            (document.getElementById(id) as unknown as { effectiveClusterName: string }).effectiveClusterName,
        ),
      ),
    ).toEqual(['mpp-ha-lab', 'mpp-ha-lab-2', 'mpp-ha-lab-3']);
    await views.page.screenshot({ path: `${SHOTS}/new-user-embed-views.png` });
    expect(views.errors).toEqual([]);
    await views.context.close();

    // A page's own databases named like the lab's: the lab boots, says it cannot resume, and
    // deletes neither.
    const foreign = await openPage(site, 1280, 900, 'foreign.html');
    await labReady(foreign.page);
    expect(squash(await foreign.page.locator('mpp-ha-lab .notice').first().textContent())).toMatch(
      /cannot be resumed after a reload: the IndexedDB database "mpp-ha-lab-topologies" exists and is not the lab's/,
    );
    const left = await foreign.page.evaluate(async () =>
      (await indexedDB.databases()).map((d) => `${d.name}@${d.version}`),
    );
    expect(left).toEqual(expect.arrayContaining(['mpp-ha-lab-topologies@5', 'foreign-dbid7@1']));
    expect(left.filter((n) => /^foreign-dbid[12]@/.test(n))).toHaveLength(2);
    expect(foreign.errors).toEqual([]);
    await foreign.context.close();

    // The site under a strict Content-Security-Policy: it boots, and nothing is refused.
    const csp = await site.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await csp.newPage();
    const refused: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) refused.push(m.text());
    });
    await page.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (e) =>
        ((window as unknown as { cspViolations: string[] }).cspViolations ??= []).push(
          `${e.violatedDirective} ${e.blockedURI}`,
        ),
      ),
    );
    await page.goto(`${site.base}?csp`);
    await labReady(page);
    await workloadReady(page);
    expect(
      await page.evaluate(() => (window as unknown as { cspViolations?: string[] }).cspViolations ?? []),
    ).toEqual([]);
    expect(refused).toEqual([]);
    await csp.close();
  }, 120_000);
});
