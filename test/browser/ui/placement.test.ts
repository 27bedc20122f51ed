/**
 * The cluster planner in Chromium: gpinitsystem's rules with their errors, a what-if for each
 * host, a pasted gp_segment_configuration rebuilt as a topology, the exported files, and the
 * layout booted in the lab.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import '../../../src/ui/lab/mpp-ha-lab.ts';
import '../../../src/ui/placement/mpp-placement.ts';
import type { MppHaLab } from '../../../src/ui/lab/mpp-ha-lab.ts';
import type { MppPlacement } from '../../../src/ui/placement/mpp-placement.ts';
import { allInShadow, answerConfirm, inShadow, mount, text, until } from './helpers.ts';

let el: HTMLElement | undefined;
afterEach(() => {
  el?.remove();
  el = undefined;
});

const ALIGNED = ` dbid | content | role | preferred_role | mode | status | port | hostname | address | datadir
------+---------+------+----------------+------+--------+------+----------+---------+------------------------
    1 |      -1 | p    | p              | n    | u      | 5432 | cdw      | cdw     | /data/coordinator/gpseg-1
    2 |       0 | p    | p              | s    | u      | 6000 | sdw1     | sdw1    | /data/primary/gpseg0
    3 |       1 | p    | p              | s    | u      | 6001 | sdw1     | sdw1    | /data/primary/gpseg1
    4 |       2 | p    | p              | s    | u      | 6000 | sdw2     | sdw2    | /data/primary/gpseg2
    5 |       3 | p    | p              | s    | u      | 6001 | sdw2     | sdw2    | /data/primary/gpseg3
    6 |       0 | m    | m              | s    | u      | 7000 | sdw2     | sdw2    | /data/mirror/gpseg0
    7 |       1 | m    | m              | s    | u      | 7001 | sdw2     | sdw2    | /data/mirror/gpseg1
    8 |       2 | m    | m              | s    | u      | 7000 | sdw1     | sdw1    | /data/mirror/gpseg2
    9 |       3 | m    | m              | s    | u      | 7001 | sdw1     | sdw1    | /data/mirror/gpseg3
(9 rows)
`;

/** A booted lab (no workload) and its planner panel. */
async function labWithPlanner(): Promise<{ lab: MppHaLab; panel: MppPlacement }> {
  await page.viewport(1280, 800);
  const lab = document.createElement('mpp-ha-lab') as MppHaLab;
  lab.setAttribute('workload-rate', '0');
  el = await mount(lab);
  await until(() => lab.store.state === 'ready', 'the lab to boot');
  return { lab, panel: inShadow<MppPlacement>(lab, 'mpp-placement')! };
}

describe('<mpp-placement>', () => {
  it('plans with gpinitsystem rules: spread needs more hosts than segments per host, says so, and what-ifs', async () => {
    const p = (el = await mount(document.createElement('mpp-placement')));
    const panel = p as MppPlacement;
    // 3 hosts × 2 spread: valid, and a host failure spreads its primaries over the others.
    await until(() => allInShadow(panel, '.whatif li').length === 3, 'three what-if lines');
    const lines = allInShadow(panel, '.whatif li').map(text);
    expect(lines[0]).toMatch(/If sdw1 fails: 2 primaries fail over to sdw2, sdw3/);
    expect(lines[0]).toMatch(/stays available/);
    expect(text(inShadow(panel, 'pre.gpinitsystem')!)).toMatch(/--mirror-mode=spread|MIRROR_PORT_BASE/);
    // 3 hosts × 3 spread: gpinitsystem refuses.
    const per = allInShadow<HTMLInputElement>(panel, 'input')[1]!;
    per.value = '3';
    per.dispatchEvent(new Event('input'));
    await panel.updateComplete;
    const problems = await until(() => inShadow(panel, '.problems'), 'the problems list');
    expect(text(problems)).toMatch(/error:/);
    expect(allInShadow(panel, '.whatif li')).toHaveLength(0);
  });

  it('imports a real cluster listing, shows its double faults, exports its files, and boots it in the lab', async () => {
    const { lab, panel } = await labWithPlanner();
    panel.importText(ALIGNED);
    await panel.updateComplete;
    const lines = allInShadow(panel, '.whatif li').map(text);
    expect(lines).toHaveLength(2);
    // Group mirroring on two hosts: a host's failure moves both its primaries to the other one.
    expect(lines[0]).toMatch(
      /If sdw1 fails: 2 primaries fail over to sdw2; 2 mirror\(s\) lost; sdw2 then carries 4 primaries/,
    );
    const preview = inShadow(panel, 'mpp-topology')!;
    await until(
      () => allInShadow(preview, '[part="instance"]').length === 9,
      'nine instances in the preview',
    );
    expect(text(inShadow(panel, 'pre.gpaddmirrors')!)).toContain('0|sdw2|7000|/data/mirror/gpseg0');
    // A broken listing names its line.
    panel.importText(ALIGNED.replace('    4 |       2 | p', '    4 |       x | p'));
    await panel.updateComplete;
    expect(text(inShadow(panel, '[role="alert"]')!)).toMatch(/line/);
    panel.importText(ALIGNED);
    await panel.updateComplete;
    panel.scrollIntoView();
    await page.screenshot({ path: '__screenshots__/placement-import.png' });
    const build = allInShadow<HTMLButtonElement>(panel, 'button').find((b) =>
      /Build this cluster/.test(text(b)),
    )!;
    const before = lab.store;
    build.click();
    expect(await answerConfirm(lab)).toMatch(/Replace the running cluster/);
    await until(() => lab.store !== before, 'a new cluster booting');
    await until(
      () => lab.store.state === 'ready' && lab.store.config.length === 9 && lab.standby === false,
      'the imported layout booted (no standby in the listing)',
      30_000,
    );
    expect(lab.mirroring).toBe('group');
    expect(lab.hosts).toBe('sdw1,sdw2');
  });

  it('plans an expansion of the running cluster: refuses one new host, previews two, runs gpexpand setup', async () => {
    const { lab, panel } = await labWithPlanner();
    allInShadow<HTMLButtonElement>(panel, '[role="tab"]')
      .find((b) => b.dataset['mode'] === 'expand')!
      .click();
    await panel.updateComplete;
    const hosts = inShadow<HTMLInputElement>(panel, 'form input')!;
    hosts.value = 'sdw3';
    hosts.dispatchEvent(new Event('input'));
    await panel.updateComplete;
    expect(text(inShadow(panel, '.problems')!)).toMatch(
      /You must be adding two or more hosts when expanding a system with mirroring enabled/,
    );
    hosts.value = 'sdw3,sdw4';
    hosts.dispatchEvent(new Event('input'));
    await panel.updateComplete;
    // Group mirroring: sdw3's primaries are mirrored on sdw4 and the other way round.
    const lines = await until(() => {
      const l = allInShadow(panel, '.whatif li').map(text);
      return l.length === 4 ? l : undefined;
    }, 'four what-if lines');
    expect(lines[2]).toMatch(/If sdw3 fails: 2 primaries fail over to sdw4/);
    expect(text(inShadow(panel, 'pre.gpexpand')!)).toContain('sdw3|sdw3|6000|/data/primary/gpseg4|11|4|p');
    panel.scrollIntoView();
    await page.screenshot({ path: '__screenshots__/placement-expand.png' });
    // On a phone (390 px): nothing of the tab is wider than the screen.
    await page.viewport(390, 844);
    // The lab goes to one column (its ResizeObserver, next frame); the page does not scroll sideways.
    await until(
      () => document.documentElement.clientWidth === 390 && document.documentElement.scrollWidth <= 390,
      'the lab laid out in one column at 390 px',
    );
    await panel.updateComplete;
    // The same planner, moved into the one column: its tab and what was typed are kept.
    expect(inShadow(lab, 'mpp-placement')).toBe(panel);
    expect(panel.isConnected).toBe(true);
    expect(inShadow<HTMLInputElement>(panel, 'form input')!.value).toBe('sdw3,sdw4');
    expect(allInShadow(panel, '.whatif li')).toHaveLength(4);
    const wide = [panel, ...allInShadow<HTMLElement>(panel, 'form, .whatif, .problems, pre, button')]
      .filter((e) => e.getBoundingClientRect().right > 391)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
    expect(wide).toEqual([]);
    // The panel around the planner (the custom element itself is inline and has no box).
    const box = inShadow<HTMLElement>(lab, '[part="placement"]')!;
    box.scrollIntoView();
    await page.screenshot({ path: '__screenshots__/placement-expand-390.png', element: box });
    await page.viewport(1280, 800);
    allInShadow<HTMLButtonElement>(panel, 'button')
      .find((b) => /Run gpexpand setup/.test(text(b)))!
      .click();
    await until(
      () => lab.store.config.filter((r) => r.content >= 0).length === 16,
      'the new segments in the catalog',
      30_000,
    );
    const ran = await until(() => {
      const a = lab.store.actions.find((x) => x.command === 'gpexpand -i gpexpand_inputfile_lab');
      return a?.ok !== undefined ? a : undefined;
    }, 'gpexpand setup to finish');
    expect(ran.ok).toBe(true);
    expect(ran.output).toContain('Initialization of the system expansion complete.');
  });

  it('custom mirroring: a host per mirror with live errors, then built in the lab with gpaddmirrors -i', async () => {
    const { lab, panel } = await labWithPlanner();
    const mirroring = allInShadow<HTMLSelectElement>(panel, 'form select')[0]!;
    mirroring.value = 'custom';
    mirroring.dispatchEvent(new Event('change'));
    await panel.updateComplete;
    // 3 hosts × 2: one host choice per content, spread's by default, and a valid layout.
    const choices = () => allInShadow<HTMLSelectElement>(panel, 'table.custom select');
    await until(() => choices().length === 6, 'six mirror host choices');
    expect(allInShadow(panel, '.whatif li')).toHaveLength(3);
    // Content 0's primary is on sdw1: its mirror there is refused, in Greenplum's words.
    const c0 = choices().find((x) => x.dataset['content'] === '0')!;
    c0.value = 'sdw1';
    c0.dispatchEvent(new Event('change'));
    await panel.updateComplete;
    expect(text(inShadow(panel, '.problems')!)).toMatch(
      /mirror of content 0 is on sdw1, the host of its primary/,
    );
    expect(allInShadow(panel, '.whatif li')).toHaveLength(0);
    // Both mirrors of sdw1's primaries on sdw3: uneven, a warning, and what sdw1's loss does.
    c0.value = 'sdw3';
    c0.dispatchEvent(new Event('change'));
    const c1 = choices().find((x) => x.dataset['content'] === '1')!;
    c1.value = 'sdw3';
    c1.dispatchEvent(new Event('change'));
    await panel.updateComplete;
    expect(text(inShadow(panel, '.problems')!)).toMatch(/not spread evenly/);
    const lines = allInShadow(panel, '.whatif li').map(text);
    expect(lines[0]).toMatch(/If sdw1 fails: 2 primaries fail over to sdw3/);
    expect(text(inShadow(panel, 'pre.gpaddmirrors')!)).toMatch(/0\|sdw3\|\d+\|\/data\/mirror\/gpseg0/);
    panel.scrollIntoView();
    await page.screenshot({ path: '__screenshots__/placement-custom.png' });
    const build = allInShadow<HTMLButtonElement>(panel, 'button').find((b) =>
      /Build this cluster/.test(text(b)),
    )!;
    const before = lab.store;
    build.click();
    expect(await answerConfirm(lab)).toMatch(/Replace the running cluster/);
    await until(() => lab.store !== before, 'a new cluster booting');
    await until(
      () => {
        const rows = lab.store.config.filter((r) => r.content >= 0 && r.role === 'm');
        return lab.store.state === 'ready' && rows.length === 6 ? rows : undefined;
      },
      'the mirrors added by gpaddmirrors -i',
      60_000,
    );
    const mirrorHost = (content: number) =>
      lab.store.config.find((r) => r.content === content && r.role === 'm')?.hostname;
    expect([mirrorHost(0), mirrorHost(1)]).toEqual(['sdw3', 'sdw3']);
  });
});
