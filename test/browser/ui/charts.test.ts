/**
 * The charts at phone width: axis text drawn at its own size (not a 600-unit drawing scaled
 * down), the y-axis maximum whole, and a fault band named for people.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import '../../../src/ui/charts/mpp-charts.ts';
import type { MppCharts } from '../../../src/ui/charts/mpp-charts.ts';
import type { ClusterStore } from '../../../src/ui/state/cluster-store.ts';
import type { LabEvent } from '../../../src/ui/state/types.ts';
import type { BankWorkload } from '../../../src/ui/workload/bank-workload.ts';
import { allInShadow, inShadow, mount, until } from './helpers.ts';

let el: MppCharts | undefined;
afterEach(() => {
  el?.remove();
  el = undefined;
});

describe('<mpp-charts>', () => {
  it('at 390 px: axis text at least 10 px, the y maximum unclipped ("5k"), the host crash band in words', async () => {
    await page.viewport(390, 800);
    const now = Date.now();
    const series = Array.from({ length: 50 }, (_, i) => ({
      t: now - 50_000 + i * 1000,
      commits: 4,
      errors: 0,
      latencyMs: i === 30 ? 4200 : 40,
    }));
    const crash = (dbid: number): LabEvent => ({
      seq: dbid,
      at: now - 20_000,
      first: now - 20_000,
      kind: 'instance.crash',
      text: '',
      severity: 'critical',
      count: 1,
      dbid,
    });
    const rows = [2, 3, 8, 9].map((dbid) => ({ dbid, hostname: 'sdw1' }));
    const store = {
      lagSeries: [],
      events: [crash(2), crash(3), crash(8), crash(9)],
      config: [...rows, { dbid: 6, hostname: 'sdw2' }],
      health: { faultBands: () => [[now - 20_000, now - 5_000]] },
      onChange: () => () => undefined,
    } as unknown as ClusterStore;
    const workload = { series, onChange: () => () => undefined } as unknown as BankWorkload;
    const c = document.createElement('mpp-charts');
    c.style.width = '350px';
    c.store = store;
    c.workload = workload;
    el = await mount(c);
    const latency = await until(() => inShadow(c, '[data-chart="latency"] svg'), 'the latency chart');
    await until(() => latency.getAttribute('viewBox') === '0 0 350 130', 'drawn at its own width');
    await c.updateComplete;
    const texts = allInShadow<SVGTextElement>(c, '[data-chart="latency"] svg text');
    const yMax = texts.find((t) => /^\s*5k\s*$/.test(t.textContent ?? ''));
    expect(yMax, texts.map((t) => t.textContent).join(' | ')).toBeDefined();
    expect(yMax!.getBoundingClientRect().left).toBeGreaterThanOrEqual(latency.getBoundingClientRect().left);
    for (const t of texts) expect(t.getBoundingClientRect().height).toBeGreaterThanOrEqual(10);
    const band = inShadow(c, '[data-chart="commits"] text.band-label');
    expect(band?.textContent).toBe('host sdw1 crashed');
  });
});
