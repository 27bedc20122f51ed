/**
 * The lab end to end, in Chromium: it boots a default cluster on its own, the console runs SQL
 * and shows SQLSTATEs, and a segment crashed from the controls shows down, breaks queries,
 * and recovers on restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import '../../../src/ui/lab/mpp-ha-lab.ts';
import type { MppHaLab } from '../../../src/ui/lab/mpp-ha-lab.ts';
import type { MppControls } from '../../../src/ui/controls/mpp-controls.ts';
import { allInShadow, inShadow, mount, text, until } from './helpers.ts';
import { splitStatements } from '../../../src/ui/console/split-sql.ts';

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
  return el;
}

function cards(el: MppHaLab): HTMLElement[] {
  return allInShadow(inShadow(el, 'mpp-topology'), '[part="instance"]');
}

function card(el: MppHaLab, dbid: number): HTMLElement | undefined {
  return cards(el).find((c) => c.dataset['dbid'] === String(dbid));
}

/** Types a script into the console, presses Run, and waits for its last statement's outcome. */
async function runSql(el: MppHaLab, sql: string): Promise<HTMLElement> {
  const consoleEl = inShadow(el, 'mpp-console')!;
  const ta = inShadow<HTMLTextAreaElement>(consoleEl, 'textarea')!;
  const run = inShadow<HTMLButtonElement>(consoleEl, 'button.run')!;
  await until(() => !run.disabled, 'the Run button to be enabled');
  ta.value = sql;
  ta.dispatchEvent(new Event('input'));
  const before = allInShadow(consoleEl, '.run-block').length;
  run.click();
  const statements = splitStatements(sql).length;
  return until(() => {
    const blocks = allInShadow(consoleEl, '.run-block');
    const latest = blocks[0];
    if (blocks.length <= before || !latest) return undefined;
    const outcomes = [...latest.querySelectorAll<HTMLElement>('.outcome')];
    return outcomes.length === statements && !run.disabled ? latest : undefined;
  }, `the console to finish: ${sql}`);
}

describe('<mpp-ha-lab>', () => {
  it('boots a default cluster: 10 instances (group mirrors, a standby) with role and status text, workload running', async () => {
    await page.viewport(1280, 800);
    const el = await bootLab();
    const list = await until(() => (cards(el).length === 10 ? cards(el) : undefined), '10 instance cards');
    const texts = list.map((c) => text(c));
    expect(texts.filter((t) => t.includes('coordinator'))).toHaveLength(2); // the coordinator and its standby
    expect(text(list.find((c) => c.dataset['dbid'] === '10')!)).toMatch(/standby/);
    const byDbid = (d: number) => text(list.find((c) => c.dataset['dbid'] === String(d))!);
    for (const d of [2, 3, 4, 5]) expect(byDbid(d)).toMatch(/primary/);
    for (const d of [6, 7, 8, 9]) expect(byDbid(d)).toMatch(/mirror/);
    for (const t of texts) expect(t).toMatch(/\bup\b/);
    const hosts = allInShadow(inShadow(el, 'mpp-topology'), '[part="host"]').map(
      (h) => h.querySelector('h3')?.textContent,
    );
    expect(hosts.join(' ')).toMatch(/cdw.*sdw1.*sdw2/s);
    expect(hosts.join(' ')).toContain('scdw');
    const workload = inShadow(el, 'mpp-workload')!;
    await until(() => el.workload.commits > 0, 'the workload to commit');
    await until(() => Number(inShadow(workload, '[data-stat="commits"]')?.textContent) > 0, 'commits shown');
    await until(() => el.store.features !== undefined && inShadow(el, 'mpp-catalog') !== null, 'panels');
    await until(() => el.workload.series.length >= 2, 'two workload samples');
    await page.screenshot({ path: '__screenshots__/lab-1280x800.png' });
    // An instance's details show its pair's walsender from gp_stat_replication.
    window.scrollTo(0, 0);
    card(el, 2)!.click();
    const details = await until(() => inShadow(el, 'mpp-instance-details'), 'the details panel');
    // It opens below the topology, past the window's bottom at 800 px: the page shows its start.
    await until(
      () => inShadow(el, 'section.p-details')!.getBoundingClientRect().top < window.innerHeight - 100,
      'the details panel scrolled into view',
    );
    expect(card(el, 2)!.getBoundingClientRect().bottom).toBeGreaterThan(0);
    await until(() => {
      const table = inShadow(details, 'table.replication');
      return !!table && /state\s*streaming[\s\S]*replay_lsn\s*[0-9A-F]+\/[0-9A-F]+/.test(text(table));
    }, 'the pair streaming, with its LSNs');
    // And from inside its process: running as a primary, its WAL and its buffer pool.
    await until(() => {
      const t = inShadow(details, 'table.inside');
      return (
        !!t &&
        /running as\s*primary[\s\S]*timeline\s*1[\s\S]*buffer pool\s*\d+ of \d+ pages in use/.test(text(t))
      );
    }, 'the instance seen from inside');
    // How fast it answers FTS's probes, against the probe timeout.
    await until(
      () =>
        /FTS probe answer\s*last [\d.]+ m?s, worst [\d.]+ m?s of \d+\s+probes · timeout\s+[\d.]+ m?s/.test(
          text(inShadow(details, 'table.inside')),
        ),
      'the probe answer times',
    );
    // Its data checksums, as pg_control records them, and no damaged block read.
    await until(
      () => /data checksums\s*on · no damaged blocks read/.test(text(inShadow(details, 'table.inside'))),
      'the integrity row',
    );
    // Escape in the panel closes it, as its ✕ does, and the card gets the focus back; Escape on
    // the selected card closes it too.
    const topology = inShadow(el, 'mpp-topology')!;
    inShadow<HTMLButtonElement>(details, 'button[aria-label="Close details"]')!.focus();
    await userEvent.keyboard('{Escape}');
    await until(() => !inShadow(el, 'mpp-instance-details'), 'the details closed by Escape');
    await until(() => topology.shadowRoot!.activeElement === card(el, 2), 'the focus back on the card');
    card(el, 2)!.click();
    await until(() => inShadow(el, 'mpp-instance-details'), 'the details panel again');
    card(el, 2)!.focus();
    await userEvent.keyboard('{Escape}');
    await until(() => !inShadow(el, 'mpp-instance-details'), 'the details closed by Escape on the card');
    expect(card(el, 2)!.getAttribute('aria-pressed')).toBe('false');
    // The coordinator's row keeps mode n: the details do not call a streaming pair "not in sync".
    card(el, 1)!.click();
    const qd = await until(() => inShadow(el, 'mpp-instance-details'), "the coordinator's details");
    const shown = () => (qd.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ');
    await until(() => /mode n \(the catalog does not track/.test(shown()), "the coordinator's mode");
    expect(shown()).not.toMatch(/not in sync/);
  });

  it('runs a script in the console and shows the result', async () => {
    const el = await bootLab({ 'workload-rate': '0' });
    const block = await runSql(
      el,
      'create table t(a int) distributed by (a); insert into t select generate_series(1,100); select count(*) from t; create table u(a int)',
    );
    const outcomes = [...block.querySelectorAll('.outcome')];
    expect(text(outcomes[0])).toContain('CREATE TABLE');
    expect(text(outcomes[1])).toContain('INSERT 0 100');
    expect(outcomes[2]?.querySelector('td')?.textContent).toBe('100');
    // Notices as psql prints them: each with its own severity, once.
    const notices = [...outcomes[3]!.querySelectorAll('.notice')].map((n) => n.textContent ?? '');
    expect(notices.map((n) => n.slice(0, n.indexOf(':')))).toEqual(['NOTICE', 'HINT']);
    expect(notices[0]).toMatch(/^NOTICE: {2}Table doesn't have 'DISTRIBUTED BY' clause/);
  });

  it('shows a SQL error with its SQLSTATE', async () => {
    const el = await bootLab({ 'workload-rate': '0' });
    const block = await runSql(el, 'select 1/0');
    const err = block.querySelector<HTMLElement>('.outcome.failed')!;
    expect(err.dataset['code']).toBe('22012');
    expect(text(err)).toContain('SQLSTATE: 22012');
    expect(text(err)).toMatch(/division by zero/);
    // A new cluster does not show the old one's outcomes.
    const consoleEl = inShadow(el, 'mpp-console')!;
    await el.reboot();
    await until(() => el.store.state === 'ready', 'the new cluster to boot');
    expect(allInShadow(consoleEl, '.run-block')).toHaveLength(0);
    expect((await runSql(el, 'select 2')).querySelector('td')?.textContent).toBe('2');
  });

  it('keeps an open transaction when the window narrows to one column and back', async () => {
    await page.viewport(1280, 800);
    const el = await bootLab({ 'workload-rate': '0' });
    const consoleEl = inShadow(el, 'mpp-console')!;
    await runSql(
      el,
      'begin; create table narrow_tx (a int) distributed by (a); insert into narrow_tx values (1)',
    );
    // The lab goes to one column: every panel is moved, not made again.
    await page.viewport(390, 844);
    await until(() => document.documentElement.scrollWidth <= 390, 'the one-column layout');
    expect(inShadow(el, 'mpp-console')).toBe(consoleEl);
    await page.viewport(1280, 800);
    await until(() => inShadow(el, '.col.main') !== null, 'the two-column layout');
    expect(inShadow(el, 'mpp-console')).toBe(consoleEl);
    expect(inShadow(consoleEl, '.tx')?.textContent?.trim()).toMatch(/^In a transaction/);
    const block = await runSql(
      el,
      'insert into narrow_tx values (2); commit; select count(*) from narrow_tx',
    );
    expect(text(block.querySelectorAll('.outcome')[2]!)).toMatch(/\b2\b/);
  });

  it('at 390 px every control is inside the page, the jump bar wraps, and a checkbox is a 24 px target', async () => {
    await page.viewport(390, 844);
    const el = await bootLab({ 'workload-rate': '0' });
    await until(
      () =>
        inShadow(inShadow(el, 'mpp-controls'), 'select') && inShadow(inShadow(el, 'mpp-timeline'), '.chip'),
      'the controls and the timeline',
    );
    // Every control in every shadow root, except inside a box that scrolls or clips on purpose
    // (a wide catalog table scrolls inside its panel).
    const controls: HTMLElement[] = [];
    const walk = (root: ParentNode) => {
      for (const n of root.querySelectorAll<HTMLElement>('*')) {
        if (n.matches('a[href], button, input, select, textarea, label.chip')) controls.push(n);
        if (n.shadowRoot) walk(n.shadowRoot);
      }
    };
    walk(el.shadowRoot!);
    const clipped = (n: HTMLElement): boolean => {
      for (let p: Element | null = n.parentElement ?? (n.getRootNode() as ShadowRoot).host; p && p !== el;) {
        if (getComputedStyle(p).overflowX !== 'visible') return true;
        p = p.parentElement ?? ((p.getRootNode() as ShadowRoot).host as Element | undefined) ?? null;
      }
      return false;
    };
    // Inside the page, and inside its group's box (a fieldset's border) where it has one.
    const out = controls
      .filter((n) => n.getBoundingClientRect().width > 1 && !clipped(n))
      .filter((n) => {
        const r = n.getBoundingClientRect();
        const box = n.closest('fieldset')?.getBoundingClientRect() ?? { left: 0, right: 390 };
        return r.right > Math.min(390, box.right) + 0.5 || r.left < box.left - 0.5;
      })
      .map(
        (n) =>
          `${n.tagName.toLowerCase()} "${text(n).slice(0, 30)}" ${Math.round(n.getBoundingClientRect().right)}`,
      );
    expect(out).toEqual([]);
    // The jump bar shows every link: none hidden off its end.
    const jump = inShadow(el, 'nav.jump')!;
    expect(jump.scrollWidth).toBeLessThanOrEqual(jump.clientWidth);
    expect([...jump.querySelectorAll('a')].map((a) => text(a))).toEqual([
      'Topology',
      'Faults',
      'SQL',
      'Lessons',
      'Timeline',
      'Simulation',
    ]);
    // A jump lands the panel's heading below the bar (two lines at 390 px), not under it.
    for (const link of [...jump.querySelectorAll<HTMLAnchorElement>('a')]) {
      link.click();
      const heading = inShadow(el, link.getAttribute('href')!)!;
      await until(
        () => document.activeElement === el && el.shadowRoot!.activeElement === heading,
        `${text(link)} focused`,
      );
      const top = heading.getBoundingClientRect().top;
      expect(top, text(link)).toBeGreaterThanOrEqual(jump.getBoundingClientRect().bottom);
    }
    const chips = allInShadow(inShadow(el, 'mpp-timeline'), '.chip');
    expect(chips.length).toBeGreaterThan(3);
    for (const c of chips) expect(c.getBoundingClientRect().height).toBeGreaterThanOrEqual(24);
  });

  it("a utility's output opens in a full view: wide, its lines unwrapped, closed by Escape", async () => {
    await page.viewport(1280, 800);
    const el = await bootLab({ 'workload-rate': '0' });
    const ctl = inShadow(el, 'mpp-controls')!;
    await until(() => inShadow(ctl, 'input[name="cmd"]'), 'the controls');
    const input = inShadow<HTMLInputElement>(ctl, 'input[name="cmd"]')!;
    input.value = 'gpstate -s';
    input.dispatchEvent(new Event('input'));
    inShadow<HTMLButtonElement>(ctl, 'form button[type="submit"]')!.click();
    await until(
      () => /Segment Info/.test(inShadow(ctl, '.output pre')?.textContent ?? ''),
      'gpstate -s output',
    );
    const inline = inShadow<HTMLElement>(ctl, '.output pre')!;
    await until(
      () => !inShadow<HTMLButtonElement>(ctl, '[data-action="full-output"]')?.disabled,
      'Full view enabled',
    );
    inShadow<HTMLButtonElement>(ctl, '[data-action="full-output"]')!.click();
    const dialog = await until(() => {
      const d = inShadow<HTMLDialogElement>(ctl, 'dialog.full-output');
      return d?.open && d.querySelector('pre') ? d : undefined;
    }, 'the full view open');
    const pre = dialog.querySelector<HTMLElement>('pre')!;
    expect(pre.textContent).toBe(inline.textContent);
    expect(pre.clientWidth).toBeGreaterThan(2 * inline.clientWidth);
    expect(pre.clientHeight).toBeGreaterThan(inline.clientHeight);
    expect(getComputedStyle(pre).whiteSpace).toBe('pre');
    await userEvent.keyboard('{Escape}');
    await until(() => !dialog.open, 'the full view closed by Escape');
    expect(dialog.querySelector('pre')).toBeNull();
  });

  it('shows the transaction state as psql marks its prompt, and runs a pasted COPY with its rows', async () => {
    const el = await bootLab({ 'workload-rate': '0' });
    const consoleEl = inShadow(el, 'mpp-console')!;
    const badge = () => inShadow(consoleEl, '.tx')?.textContent?.trim();
    await runSql(el, 'begin');
    expect(badge()).toMatch(/^In a transaction/);
    await runSql(el, 'select 1/0');
    expect(badge()).toMatch(/^Transaction failed/);
    await runSql(el, 'rollback');
    expect(badge()).toBeUndefined();
    const block = await runSql(
      el,
      'create table ct (a int, b text) distributed by (a);\nCOPY ct FROM STDIN WITH CSV;\n1,"x; y"\n2,\n\\.\nCOPY (select * from ct order by a) TO STDOUT;',
    );
    const outcomes = block.querySelectorAll('.outcome');
    expect(outcomes).toHaveLength(3);
    expect(text(outcomes[1]!)).toContain('COPY 2');
    expect(outcomes[2]!.querySelector('pre.copy-out')?.textContent).toBe('1\tx; y\n2\t\\N');
  });

  it("Cancel stops the running statement with 57014, and the Run button keeps the keyboard's focus", async () => {
    const el = await bootLab({ 'workload-rate': '0' });
    await runSql(el, 'select 1');
    const consoleEl = inShadow(el, 'mpp-console')!;
    const ta = inShadow<HTMLTextAreaElement>(consoleEl, 'textarea')!;
    const run = inShadow<HTMLButtonElement>(consoleEl, 'button.run')!;
    ta.value = 'select pg_sleep(3600)';
    ta.dispatchEvent(new Event('input'));
    run.focus();
    run.click();
    const cancel = await until(
      () => inShadow<HTMLButtonElement>(consoleEl, 'button.cancel'),
      'the Cancel button',
    );
    // A disabled button would drop the focus to the page: Run stays focusable while it runs.
    expect(run.disabled).toBe(false);
    expect(run.getAttribute('aria-disabled')).toBe('true');
    expect(consoleEl.shadowRoot!.activeElement).toBe(run);
    cancel.click();
    const failed = await until(
      () =>
        allInShadow(consoleEl, '.run-block')[0]?.querySelector<HTMLElement>('.outcome.failed') ?? undefined,
      'the statement to fail',
    );
    expect(failed.dataset['code']).toBe('57014');
    expect(text(failed)).toMatch(/canceling statement due to user request/);
    await until(() => (inShadow(consoleEl, 'button.cancel') ? undefined : true), 'Cancel to go away');
    // The session goes on.
    const again = await runSql(el, 'select 2');
    expect(again.querySelector('td')?.textContent).toBe('2');
  });

  it('crashing a segment from the controls marks it down and breaks queries; restart recovers', async () => {
    await page.viewport(1280, 800);
    // Mirrorless: nothing fails over, so the loss stays visible until the restart.
    const el = await bootLab({ 'workload-rate': '6', mirroring: 'none' });
    await runSql(el, 'create table t(a int) distributed by (a); insert into t select generate_series(1,100)');
    // The workload has set up its table and runs: a crash before that stops its start instead
    // (it cannot create the table with a segment down), which is not what this case is about.
    await until(() => el.workload.commits > 0, 'the workload to commit');
    const controls = inShadow<MppControls>(el, 'mpp-controls')!;
    const select = inShadow<HTMLSelectElement>(controls, 'select')!;
    select.value = '3';
    select.dispatchEvent(new Event('change'));
    await controls.updateComplete;
    expect(inShadow(controls, '.cmd.api')?.textContent).toBe('cluster.faults.crash(3)');
    inShadow<HTMLButtonElement>(controls, '[data-action="crash"]')!.click();

    const down = await until(
      () => (card(el, 3)?.dataset['status'] === 'crashed' ? card(el, 3) : undefined),
      'dbid 3 down',
    );
    expect(down.textContent).toMatch(/crashed/);
    const failed = await runSql(el, 'select count(*) from t');
    const err = failed.querySelector<HTMLElement>('.outcome.failed');
    expect(err, 'the query needing seg1 fails visibly').not.toBeNull();
    expect(text(err)).toMatch(/SQLSTATE: \w{5}/);
    await until(() => el.workload.errors > 0, 'the workload to see errors');
    const wl = inShadow(el, 'mpp-workload')!;
    await until(() => inShadow(wl, '.last-error'), 'the workload to show its last error');
    const timeline = inShadow(el, 'mpp-timeline')!;
    await until(() => inShadow(timeline, '[data-kind="instance.crash"]'), 'the crash in the timeline');
    await until(() => inShadow(wl, '[data-health="failing"]'), 'the workload to report failing');
    // The client's view: each transfer as its client saw it, the crash on the same axis; its
    // counts are the workload's own.
    const view = await until(
      () =>
        inShadow(wl, 'figure.client line.fault') ? inShadow<HTMLElement>(wl, 'figure.client') : undefined,
      "the crash in the client's view",
    );
    await until(() => allInShadow(wl, 'figure.client rect.op.failed').length > 0, 'failed transfers drawn');
    const w = el.workload;
    const n = (k: string) => Number(inShadow<HTMLElement>(wl, 'figure.client')!.dataset[k]);
    await until(
      () => n('ok') === w.commits && n('failed') + n('indeterminate') === w.errors,
      "the view's counts to match the workload's",
    );
    expect(n('indeterminate')).toBe(w.indeterminate);
    // The caption's first counts are of the 30 s drawn: one per bar.
    const bars = allInShadow(wl, 'figure.client rect.op').length;
    expect(text(inShadow(wl, 'figure.client figcaption'))).toMatch(
      new RegExp(`^The client's view of the last 30 s: ${bars} transfers, `),
    );
    expect(w.outcomes.length).toBe(w.commits + w.errors);
    view.scrollIntoView();
    await page.screenshot({
      path: '__screenshots__/workload-client-view.png',
      element: inShadow(el, '[part="workload"]')!,
    });
    // The charts shade the seconds during which the fault was in force.
    const charts = allInShadow(wl, 'mpp-sparkline');
    expect(charts).toHaveLength(3);
    await until(() => allInShadow(charts[0], 'rect.fault').length > 0, 'commits/s shaded during the fault');
    expect(inShadow(charts[0], 'svg')!.getAttribute('aria-label')).toMatch(/during a fault/);
    inShadow<HTMLButtonElement>(inShadow(el, 'mpp-topology'), '[data-dbid="3"]')!.click();
    await until(() => inShadow(el, 'mpp-instance-details'), 'the details panel');
    await page.screenshot({ path: '__screenshots__/lab-segment-crashed.png' });
    const consolePanel = inShadow(el, '[part="console"]')!;
    consolePanel.scrollIntoView();
    await page.screenshot({ path: '__screenshots__/lab-segment-crashed-console.png', element: consolePanel });
    window.scrollTo(0, 0);

    // Pressed from the keyboard: disabled while it runs, the button gets its focus back after.
    const restart = inShadow<HTMLButtonElement>(controls, '[data-action="restart"]')!;
    restart.focus();
    restart.click();
    await controls.updateComplete;
    expect(restart.disabled).toBe(true);
    await until(() => card(el, 3)?.dataset['status'] === 'up', 'dbid 3 up again');
    await until(() => !restart.disabled, 'the restart to finish');
    await controls.updateComplete;
    expect(controls.shadowRoot!.activeElement).toBe(restart);
    const ok = await runSql(el, 'select count(*) from t');
    expect(ok.querySelector('.outcome.failed')).toBeNull();
    expect(ok.querySelector('td')?.textContent).toBe('100');
  });

  it('gpstop from the controls: every card shows stopped (not crashed), SQL is refused with a gpstart hint, the recommendation is gpstart; gpstart brings it back', async () => {
    await page.viewport(1280, 800);
    const el = await bootLab({ 'workload-rate': '0' });
    await runSql(el, 'create table m(a int) distributed by (a); insert into m select generate_series(1,100)');
    const controls = inShadow<MppControls>(el, 'mpp-controls')!;
    const button = (cmd: string) =>
      allInShadow<HTMLButtonElement>(controls, 'button.util').find(
        (b) => text(b.querySelector('code')) === cmd,
      )!;
    button('gpstop -a -M fast').click();
    await until(() => cards(el).every((c) => c.dataset['status'] === 'stopped'), 'every instance stopped');
    expect(text(card(el, 1))).toMatch(/stopped by a utility; gpstart -a starts it/);
    // The console's session was ended by the fast shutdown; a new one is refused.
    const ended = await runSql(el, 'select count(*) from m');
    expect(text(ended.querySelector('.outcome.failed'))).toMatch(
      /terminating connection due to administrator command|coordinator is not running/,
    );
    const refused = await runSql(el, 'select count(*) from m');
    expect(text(refused.querySelector('.outcome.failed'))).toMatch(/coordinator is not running/);
    const recs = inShadow(el, 'mpp-recommendations')!;
    await until(() => inShadow(recs, '[data-rec="gpstart"]'), 'the gpstart recommendation');
    expect(inShadow(recs, '[data-rec="activate"]')).toBeFalsy();
    await page.screenshot({ path: '__screenshots__/lab-cluster-stopped.png' });
    button('gpstart -a').click();
    await until(
      () => cards(el).every((c) => c.dataset['status'] === 'up'),
      'every instance up again',
      30_000,
    );
    const ok = await runSql(el, 'select count(*) from m');
    expect(ok.querySelector('td')?.textContent).toBe('100');
  });

  it('pause stops the cluster clock and the workload; resume and speed run it again', async () => {
    const el = await bootLab({ 'workload-rate': '8' });
    await until(() => el.workload.commits > 0, 'the workload to commit');
    const pause = inShadow<HTMLButtonElement>(el, '[data-action="pause"]')!;
    const layout = inShadow(el, '.layout')!;
    const top = layout.getBoundingClientRect().top;
    pause.click();
    await until(() => pause.getAttribute('aria-pressed') === 'true', 'the pause button pressed');
    // The announcement takes the line held for it: the panels below do not move.
    await until(
      () => /Cluster time paused/.test(inShadow(el, '.announce')?.textContent ?? ''),
      'the pause announced',
    );
    expect(layout.getBoundingClientRect().top).toBe(top);
    expect(pause.textContent).toMatch(/Resume/);
    expect(el.store.cluster!.time!.paused).toBe(true);
    expect(el.workload.running).toBe(false);
    // The panel says why it is not running, and that it will run again by itself.
    const panel = inShadow(el, 'mpp-workload');
    const consoleEl = inShadow(el, 'mpp-console');
    await until(
      () => /paused with cluster time/.test(inShadow(panel, '[data-health]')?.textContent ?? ''),
      'the workload panel to say it is paused with time',
    );
    expect(inShadow(panel, '[data-action="toggle"]')?.textContent?.trim()).toBe('Stop');
    // While not running the panel shows no rate from before.
    expect(inShadow(panel, '[data-stat="cps"]')?.textContent?.trim()).toBe('0');
    // A sessions count out of range is clamped, and the box shows the value in force.
    const sessions = inShadow<HTMLInputElement>(panel, 'input[type="number"]')!;
    for (const [typed, inForce] of [
      ['-3', 1],
      ['40', 16],
    ] as const) {
      sessions.value = typed;
      sessions.dispatchEvent(new Event('change'));
      expect([sessions.value, el.workload.sessions]).toEqual([String(inForce), inForce]);
    }
    await until(
      () => /cluster time is paused/.test(inShadow(consoleEl, '.hint')?.textContent ?? ''),
      'the console hint to say time is paused',
    );
    // While paused the cluster's time stands still: the SQL now() does not move.
    const t1 = (await el.store.cluster!.query('select now()')).rows[0]![0];
    await new Promise((r) => setTimeout(r, 300));
    const t2 = (await el.store.cluster!.query('select now()')).rows[0]![0];
    expect(t2).toEqual(t1);
    pause.click();
    await until(() => pause.getAttribute('aria-pressed') === 'false', 'the pause button released');
    expect(el.store.cluster!.time!.paused).toBe(false);
    expect(el.workload.running).toBe(true);
    const speed = inShadow<HTMLSelectElement>(el, '[data-action="speed"]')!;
    speed.value = '4';
    speed.dispatchEvent(new Event('change'));
    expect(el.store.cluster!.time!.speed).toBe(4);
    // The console's hint follows the speed: 30x compression at 4x is 120x, 60 s in 0.5 s.
    await until(
      () =>
        /runs 120× faster: pg_sleep\(60\) and a 60 s timeout take 0\.5 s/.test(
          inShadow(consoleEl, '.hint')?.textContent ?? '',
        ),
      'the console hint at 4x',
    );
    expect(el.store.actions.map((a) => a.command)).toEqual(
      expect.arrayContaining(['cluster.time.pause()', 'cluster.time.resume()', 'cluster.time.setSpeed(4)']),
    );
    const before = el.workload.commits;
    await until(() => el.workload.commits > before, 'commits again after resume');
  });
});
