/**
 * The components one by one: the decorator setup guard of STYLE L14, the topology's layout of
 * mirrors (drawn from rows, ahead of the engine's mirroring), the lab's attributes, the SQL
 * splitter, and screenshots at phone width.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import '../../../src/ui/lab/mpp-ha-lab.ts';
import '../../../src/ui/sparkline/mpp-sparkline.ts';
import '../../../src/ui/topology/mpp-topology.ts';
import '../../../src/ui/lessons/mpp-lessons.ts';
import '../../../src/ui/timeline/mpp-timeline.ts';
import type { SegmentRow } from '../../../src/ui/state/types.ts';
import type { ClusterStore } from '../../../src/ui/state/cluster-store.ts';
import { splitStatements } from '../../../src/ui/console/split-sql.ts';
import { allInShadow, inShadow, mount, text, until, watchLitWarnings } from './helpers.ts';

const mounted: Element[] = [];
afterEach(() => {
  for (const el of mounted.splice(0)) el.remove();
});

function row(
  dbid: number,
  content: number,
  role: string,
  hostname: string,
  extra: Partial<SegmentRow> = {},
): SegmentRow {
  return {
    dbid,
    content,
    role,
    preferredRole: role,
    mode: content === -1 ? 's' : 's',
    status: 'u',
    port: content === -1 ? 5432 : role === 'p' ? 6000 + (content % 2) : 7000 + (content % 2),
    hostname,
    address: hostname,
    datadir: `/data/${role === 'p' ? 'primary' : 'mirror'}/gpseg${content}`,
    ...extra,
  };
}

/** gpinitsystem's group mirroring on two hosts, with a standby: what the engine will report. */
const MIRRORED: SegmentRow[] = [
  row(1, -1, 'p', 'cdw'),
  row(10, -1, 'm', 'scdw'),
  row(2, 0, 'p', 'sdw1'),
  row(3, 1, 'p', 'sdw1'),
  row(4, 2, 'p', 'sdw2'),
  row(5, 3, 'p', 'sdw2'),
  row(6, 0, 'm', 'sdw2'),
  row(7, 1, 'm', 'sdw2'),
  row(8, 2, 'm', 'sdw1'),
  row(9, 3, 'm', 'sdw1'),
];

describe('decorator setup (STYLE L14)', () => {
  it('a property set from outside re-renders, and Lit does not warn about class-field shadowing', async () => {
    const warnings = watchLitWarnings();
    try {
      const spark = document.createElement('mpp-sparkline');
      mounted.push(await mount(spark));
      spark.label = 'commits/s';
      spark.values = [1, 2, 3];
      await spark.updateComplete;
      expect(inShadow(spark, 'figcaption')?.textContent).toContain('commits/s');
      expect(inShadow(spark, 'polyline')).not.toBeNull();

      const topo = document.createElement('mpp-topology');
      mounted.push(await mount(topo));
      expect(allInShadow(topo, '[part="instance"]')).toHaveLength(0);
      topo.rows = MIRRORED.slice(0, 3);
      await topo.updateComplete;
      expect(allInShadow(topo, '[part="instance"]')).toHaveLength(3);
      topo.selected = 2;
      await topo.updateComplete;
      expect(inShadow(topo, '[data-dbid="2"]')?.getAttribute('aria-pressed')).toBe('true');

      const lab = document.createElement('mpp-ha-lab');
      lab.setAttribute('workload-rate', '0');
      mounted.push(await mount(lab));
      lab.lesson = 'host-crash';
      await lab.updateComplete;
      expect(lab.getAttribute('lesson')).toBe('host-crash');
      const lessons = inShadow(lab, 'mpp-lessons')!;
      await until(() => inShadow(lessons, 'p')?.textContent?.includes('sdw1'), 'the host-crash lesson');
      warnings.check();
    } finally {
      warnings.restore();
    }
  });
});

describe('<mpp-timeline>', () => {
  it("says in words what FTS's retry of a mirror it has not marked down means", async () => {
    const ev = (seq: number, kind: string, text: string) => ({
      seq,
      at: 1_000 + seq,
      first: 1_000 + seq,
      kind,
      dbid: 6,
      text,
      severity: 'warning',
      count: 1,
    });
    const store = {
      state: 'ready',
      config: [],
      events: [
        ev(2, 'fts.skip_mirror_down', 'content=0 reason=retryRequested'),
        ev(1, 'fts.mirror_down', 'content=0'),
      ],
      onChange: () => () => undefined,
    } as unknown as ClusterStore;
    const tl = document.createElement('mpp-timeline');
    tl.store = store;
    mounted.push(await mount(tl));
    const rows = allInShadow(tl, '.events > li');
    expect(rows.map((r) => r.dataset['kind'])).toEqual(['fts.skip_mirror_down', 'fts.mirror_down']);
    expect(text(rows[0]!.querySelector('.gloss'))).toMatch(/asked FTS to look again before marking it down/);
    expect(rows[1]!.querySelector('.gloss')).toBeNull();
  });
});

describe('<mpp-topology> while the cluster starts', () => {
  it('shows how many instances are up, of how many, on a bar; a resume counts without a total', async () => {
    let listener: (() => void) | undefined;
    const store = {
      state: 'booting',
      config: [],
      catalogError: '',
      bootProgress: { up: 37, of: 130 },
      onChange: (fn: () => void) => {
        listener = fn;
        return () => (listener = undefined);
      },
    } as unknown as ClusterStore;
    const topo = document.createElement('mpp-topology');
    topo.store = store;
    mounted.push(await mount(topo));
    expect(text(inShadow(topo, '[role="status"]'))).toBe('Starting the cluster…');
    const bar = inShadow<HTMLProgressElement>(topo, '.boot-progress progress')!;
    expect([bar.max, bar.value, bar.getAttribute('aria-label'), bar.getAttribute('aria-valuetext')]).toEqual([
      130,
      37,
      'Instances up',
      '37 of 130 instances up',
    ]);
    const status = inShadow(topo, '[role="status"]');
    expect(text(inShadow(topo, '.boot-progress'))).toBe('37 of 130 instances up');
    store.bootProgress = { up: 5, of: undefined };
    listener?.();
    await until(() => text(inShadow(topo, '.boot-progress')) === '5 instances up', 'the count of a resume');
    // Indeterminate: no value while the total is unknown.
    expect(inShadow(topo, '.boot-progress progress')!.hasAttribute('value')).toBe(false);
    (store as { state: string }).state = 'failed';
    store.bootProgress = undefined;
    listener?.();
    await until(() => inShadow(topo, '.boot-progress') === null, 'the bar gone');
    // The same live region, its text changed: a screen reader announces it.
    expect(inShadow(topo, '[role="status"]')).toBe(status);
    expect(text(status)).toBe('The cluster failed to start.');
  });
});

describe('<mpp-topology> with mirrors (rows as the engine will report them)', () => {
  it('draws primaries solid, mirrors dashed, and links each pair; a down mirror breaks its link', async () => {
    await page.viewport(1280, 800);
    const topo = document.createElement('mpp-topology');
    topo.style.cssText = 'width: 760px; background: #0f172a; padding: 8px';
    topo.rows = MIRRORED.map((r) =>
      r.dbid === 7 ? { ...r, status: 'd' } : r.content === 1 ? { ...r, mode: 'n' } : r,
    );
    mounted.push(await mount(topo));
    const cards = allInShadow(topo, '[part="instance"]');
    expect(cards).toHaveLength(10);
    expect(allInShadow(topo, '.card.mirror')).toHaveLength(5);
    expect(allInShadow(topo, '[part="host"] h3').map((h) => h.id)).toEqual([
      'host-cdw',
      'host-scdw',
      'host-sdw1',
      'host-sdw2',
    ]);
    const links = await until(() => {
      const l = allInShadow(topo, 'path.link');
      return l.length === 5 ? l : undefined;
    }, 'five primary-mirror links');
    expect(links.filter((l) => l.classList.contains('broken'))).toHaveLength(1);
    const down = inShadow(topo, '[data-dbid="7"]')!;
    expect(down.dataset['status']).toBe('down');
    expect(down.textContent).toMatch(/mirror/);
    expect(inShadow(topo, '[data-dbid="10"]')?.textContent).toMatch(/standby/);
    expect(down.textContent).toMatch(/down/);
    expect(inShadow(topo, '[data-dbid="3"]')?.textContent).toMatch(/not in sync/);
    await page.screenshot({ path: '__screenshots__/topology-mirrored-preview.png', element: topo });
  });
});

describe('pointing at a card, and the lesson picker at phone width', () => {
  it("a lesson's '▲ this one' mark covers neither the host's header nor the next card", async () => {
    await page.viewport(1280, 800);
    const topo = document.createElement('mpp-topology');
    topo.style.cssText = 'width: 760px; background: #0f172a; padding: 8px';
    topo.rows = MIRRORED;
    topo.pointed = [2, 6];
    mounted.push(await mount(topo));
    for (const dbid of [2, 6]) {
      const card = inShadow(topo, `.card[data-dbid="${dbid}"]`)!;
      const host = card.closest('[part="host"]')!;
      const header = host.querySelector('h3')!.getBoundingClientRect();
      const box = card.getBoundingClientRect();
      // The card below it in its host (or the host's own bottom edge).
      const below = [...host.querySelectorAll('.card')]
        .map((c) => c.getBoundingClientRect())
        .filter((r) => r.top >= box.bottom);
      const next = below.sort((x, y) => x.top - y.top)[0] ?? host.getBoundingClientRect();
      const mark = getComputedStyle(card, '::after');
      expect(mark.content).toMatch(/this one/);
      const top = box.top + parseFloat(getComputedStyle(card).borderTopWidth) + parseFloat(mark.top);
      const bottom = top + parseFloat(mark.height);
      expect(top, `dbid ${dbid}'s mark below its host's header`).toBeGreaterThanOrEqual(header.bottom);
      expect(bottom, `dbid ${dbid}'s mark above the next card`).toBeLessThanOrEqual(next.top);
    }
  });

  it('the lesson picker shows a whole lesson title at 390 px', async () => {
    await page.viewport(390, 844);
    const lessons = document.createElement('mpp-lessons');
    lessons.style.cssText = 'width: 350px';
    mounted.push(await mount(lessons));
    const select = inShadow<HTMLSelectElement>(lessons, 'select')!;
    const ctx = document.createElement('canvas').getContext('2d')!;
    const style = getComputedStyle(select);
    ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    // (Standalone, with no cluster, every lesson adds "not available yet": that is not a title.)
    const titles = [...select.options].map((o) => o.text.trim().replace(/ \(not available yet\)$/, ''));
    const widest = Math.max(...titles.map((t) => ctx.measureText(t).width));
    // The arrow and the padding take about 32 px of the box.
    expect(widest, 'the longest title in the select').toBeLessThanOrEqual(select.clientWidth - 32);
    await page.viewport(1280, 800);
  });
});

describe('<mpp-ha-lab> attributes', () => {
  it('hosts and segments-per-host shape the cluster; mirroring falls back with a notice while unavailable', async () => {
    const lab = document.createElement('mpp-ha-lab');
    lab.setAttribute('hosts', 'sdw1,sdw2,sdw3');
    lab.setAttribute('segments-per-host', '1');
    lab.setAttribute('mirroring', 'group');
    lab.setAttribute('workload-rate', '0');
    mounted.push(await mount(lab));
    await until(() => lab.store.state === 'ready', 'boot');
    const topo = inShadow(lab, 'mpp-topology')!;
    const cards = await until(() => {
      const c = allInShadow(topo, '[part="instance"]');
      return c.length >= 4 ? c : undefined;
    }, 'instance cards');
    const primaries = cards.filter(
      (c) => c.classList.contains('primary') && !c.classList.contains('coordinator'),
    );
    expect(primaries).toHaveLength(3);
    if (!lab.store.config.some((r) => r.role === 'm')) {
      await lab.updateComplete;
      expect(inShadow(lab, '.notice')?.textContent).toMatch(/mirroring/);
    }
  });

  it('stacks its panels at phone width', async () => {
    await page.viewport(390, 844);
    const lab = document.createElement('mpp-ha-lab');
    mounted.push(await mount(lab));
    await until(
      () => lab.store.state === 'ready' && lab.workload.series.length > 2,
      'boot and a few samples',
    );
    const topo = inShadow(lab, '[part="topology"]')!.getBoundingClientRect();
    const wl = inShadow(lab, '[part="workload"]')!.getBoundingClientRect();
    expect(wl.top).toBeGreaterThan(topo.bottom - 1);
    expect(topo.width).toBeLessThanOrEqual(390);
    expect(lab.scrollWidth).toBeLessThanOrEqual(390);
    await page.screenshot({ path: '__screenshots__/lab-phone.png', element: lab });
    await page.viewport(1280, 800);
  });
});

describe('splitStatements', () => {
  it('splits at top-level semicolons only', () => {
    expect(splitStatements("select 1; select ';'; -- x;\nselect $$a;b$$; /* ; */ select 2;")).toEqual([
      'select 1',
      "select ';'",
      '-- x;\nselect $$a;b$$',
      '/* ; */ select 2',
    ]);
    expect(splitStatements(' ; ;\n')).toEqual([]);
    expect(splitStatements('select "a;b" from t')).toEqual(['select "a;b" from t']);
  });

  it("keeps a COPY FROM STDIN's data lines, through the \\. line, with it", () => {
    expect(splitStatements("copy t from stdin;\n1\ta;b\n2\t'\n\\.\nselect 1;")).toEqual([
      "copy t from stdin;\n1\ta;b\n2\t'\n\\.\n",
      'select 1',
    ]);
  });
});
