/**
 * The built static site, as a visitor gets it: `vite build` output served from a sub-path by a
 * plain static server, driven with Playwright in the system Chromium. It boots the default
 * cluster, runs SQL, fails a primary over and shows it, and works offline after the first visit
 * (the service worker precached every file); and the lab embedded in an author's plain page.
 * (The lessons, followed as a new user follows them, are in new-user.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SHOTS,
  commandLine,
  confirmReplace,
  consoleRun,
  crashInPage,
  labReady,
  serveSite,
  type Site,
} from './harness.ts';

let site: Site;
let base = '';
let browser: Site['browser'];

beforeAll(async () => {
  site = await serveSite({ fixtures: { 'embed.html': 'embed.html' } });
  base = site.base;
  browser = site.browser;
}, 180_000);

afterAll(async () => {
  await site?.close();
});

describe('the built site', () => {
  it('boots from a sub-path on the worker runtime, runs SQL, shows a failover, and after an offline reload resumes the cluster from its disks', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(base);
    await labReady(page);
    expect(await page.title()).toMatch(/MPP HA Lab/);
    const out = await consoleRun(
      page,
      'create table t (a int) distributed by (a); insert into t select generate_series(1, 100); select count(*) from t',
    );
    expect(out).toMatch(/100/);

    // A primary crashes: the topology shows the mirror acting as primary, the catalog says so.
    await crashInPage(page, 2);
    await page.waitForFunction(
      () => {
        const lab = document.querySelector('mpp-ha-lab') as unknown as {
          store: { config: { dbid: number; role: string; status: string }[] };
        };
        const rows = lab.store.config;
        return (
          rows.some((r) => r.dbid === 6 && r.role === 'p') &&
          rows.some((r) => r.dbid === 2 && r.status === 'd')
        );
      },
      undefined,
      { timeout: 60_000 },
    );
    const card = page.locator('mpp-ha-lab .p-topology mpp-topology [part="instance"][data-dbid="6"]');
    await expect.poll(async () => (await card.textContent()) ?? '', { timeout: 30_000 }).toMatch(/primary/);
    await page.screenshot({ path: `${SHOTS}/site-failover.png` });

    // The service worker has precached the build: offline, a reload still brings the lab up.
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, {
      timeout: 30_000,
    });
    await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      return reg.active?.state;
    });
    await context.setOffline(true);
    // The reload ends every instance's worker at once; the site runs the worker runtime, so the
    // cluster is still on its IndexedDB disks, and the lab offers to resume it.
    await page.reload();
    const resume = page.locator('mpp-ha-lab [data-action="resume"]');
    await resume.waitFor({ timeout: 30_000 });
    await page.screenshot({ path: `${SHOTS}/site-resume-offer.png` });
    await resume.click();
    await labReady(page);
    expect(await consoleRun(page, 'select count(*) from t')).toMatch(/100/);
    // The failover survived the reload: dbid 6 still acts as content 0's primary.
    await page.waitForFunction(
      () => {
        const lab = document.querySelector('mpp-ha-lab') as unknown as {
          store: { config: { dbid: number; role: string }[] };
        };
        return lab.store.config.some((r) => r.dbid === 6 && r.role === 'p');
      },
      undefined,
      { timeout: 30_000 },
    );
    await page.screenshot({ path: `${SHOTS}/site-offline.png` });
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);

  it('recovers, rebalances and activates the standby from the command line, then builds a planned cluster', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(base);
    await labReady(page);
    const command = (line: string) => commandLine(page, line);
    const catalog = () =>
      page.evaluate(() => {
        const lab = document.querySelector('mpp-ha-lab') as unknown as {
          store: {
            config: { dbid: number; role: string; preferredRole: string; mode: string; status: string }[];
          };
        };
        return lab.store.config
          .map((r) => `${r.dbid}${r.role}${r.preferredRole}${r.mode}${r.status}`)
          .join(' ');
      });
    const until = (pattern: RegExp, what: string) =>
      expect.poll(catalog, { timeout: 60_000, message: what }).toMatch(pattern);
    await crashInPage(page, 2);
    await until(/\b2mpnd\b.*\b6pmnu\b/, 'dbid 2 down, dbid 6 acting as primary');
    expect(await command('gprecoverseg -a')).toMatch(/\[exit 0\]/);
    await until(/\b2mpsu\b.*\b6pmsu\b/, 'recovered and in sync (not in preferred roles)');
    await page.screenshot({ path: `${SHOTS}/site-recovered.png` });
    expect(await command('gprecoverseg -ar')).toMatch(/\[exit 0\]/);
    await until(/\b2ppsu\b.*\b6mmsu\b/, 'rebalanced to preferred roles');
    await page.screenshot({ path: `${SHOTS}/site-rebalanced.png` });
    // The coordinator's worker dies; gpactivatestandby makes the standby the coordinator.
    await crashInPage(page, 1);
    expect(await command('gpactivatestandby -d /data/coordinator/gpseg-1')).toMatch(/\[exit 0\]/);
    await until(/\b10ppnu\b/, 'the standby (dbid 10) acting as coordinator');
    expect(
      await consoleRun(page, 'select count(*) from gp_segment_configuration where content = -1'),
    ).toMatch(/1/);
    await page.screenshot({ path: `${SHOTS}/site-activated.png` });
    // The planner builds a spread layout on three hosts.
    const planner = page.locator('mpp-ha-lab mpp-placement');
    await planner.locator('form input').first().fill('sdw1,sdw2,sdw3');
    await planner.locator('form select').first().selectOption('spread');
    await planner.getByRole('button', { name: /Build this cluster/ }).click();
    // It replaces the running cluster: the lab asks first, saying what is lost.
    expect(await confirmReplace(page)).toMatch(
      /every table in it goes[\s\S]*IndexedDB databases are deleted/,
    );
    await expect
      .poll(
        () =>
          page.evaluate(() => {
            const lab = document.querySelector('mpp-ha-lab') as unknown as {
              hosts: string;
              store: { state: string; config: unknown[] };
            };
            return `${lab.store.state} ${lab.hosts} ${lab.store.config.length}`;
          }),
        { timeout: 60_000 },
      )
      .toBe('ready sdw1,sdw2,sdw3 14');
    await page.screenshot({ path: `${SHOTS}/site-built-spread.png` });
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);

  it('embeds in a plain page with one script tag and one element, its attributes and theme applied', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}embed.html`);
    await labReady(page);
    const rows = await page.evaluate(
      () =>
        (
          document.querySelector('mpp-ha-lab') as unknown as {
            store: { config: { content: number; hostname: string }[] };
          }
        ).store.config,
    );
    // 3 hosts × 2 primaries, spread mirrors, no standby: 1 + 6 + 6 rows.
    expect(rows).toHaveLength(13);
    expect(new Set(rows.filter((r) => r.content >= 0).map((r) => r.hostname))).toEqual(
      new Set(['sdw1', 'sdw2', 'sdw3']),
    );
    const accent = await page.evaluate(() =>
      getComputedStyle(document.querySelector('mpp-ha-lab')!).getPropertyValue('--mpp-accent').trim(),
    );
    expect(accent).toBe('#f59e0b');
    // An embedding page gets no service worker of ours.
    await page.waitForLoadState('load');
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(
      0,
    );
    await page.screenshot({ path: `${SHOTS}/site-embed.png` });
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
