/**
 * The lab's panels and where they go: two columns on a wide screen, one on a narrow one (the
 * live cluster first at every width), or only the panels an embedding author names in `view`,
 * in the author's order.
 */
import { html, type TemplateResult } from 'lit';
import type { ClusterStore } from '../state/cluster-store.ts';
import type { BankWorkload } from '../workload/bank-workload.ts';

/** A panel's id is also its `view` token and its CSS part. */
export const PANEL_IDS = [
  'topology',
  'details',
  'recommendations',
  'workload',
  'lessons',
  'controls',
  'console',
  'timeline',
  'charts',
  'catalog',
  'saved',
  'placement',
  'simulation',
] as const;
export type PanelId = (typeof PANEL_IDS)[number];

/** The `view` tokens: every panel, and the header (title, time controls, New cluster). */
export type ViewToken = PanelId | 'header';

export interface Panel {
  id: PanelId;
  title: string;
  render(): TemplateResult;
}

/** Wide screens: the cluster and what you type on the left, what you do on the right. */
export const MAIN_COLUMN: readonly PanelId[] = [
  'topology',
  'details',
  'console',
  'timeline',
  'charts',
  'catalog',
  'placement',
];
export const SIDE_COLUMN: readonly PanelId[] = [
  'recommendations',
  'workload',
  'lessons',
  'controls',
  'saved',
  'simulation',
];

/** Narrow screens: one column, the live cluster first, then what acts on it, then the rest. */
export const NARROW_ORDER: readonly PanelId[] = PANEL_IDS;

/** Below this width (of the element, not the window) the lab is one column. */
export const NARROW_BELOW_PX = 900;

/** The panels a skip link leads to, in page order. */
export const SKIP_TARGETS: readonly PanelId[] = [
  'topology',
  'controls',
  'console',
  'lessons',
  'timeline',
  'simulation',
];

/** The jump bar's words for each target: short, so the bar wraps to at most two lines at 390 px (each link's accessible name stays the panel's title, which contains them). */
export const JUMP_LABELS: Readonly<Partial<Record<PanelId, string>>> = {
  controls: 'Faults',
  console: 'SQL',
  timeline: 'Timeline',
};

/**
 * Parses `view`: known tokens in the author's order, duplicates dropped; undefined (every panel)
 * when empty or when it names no known token.
 */
export function parseView(view: string): ViewToken[] | undefined {
  const known = new Set<string>([...PANEL_IDS, 'header']);
  const out: ViewToken[] = [];
  for (const t of view.toLowerCase().split(/[\s,]+/))
    if (known.has(t) && !out.includes(t as ViewToken)) out.push(t as ViewToken);
  return out.length ? out : undefined;
}

/** What the panels show: the lab's store and workload, and its view state. */
export interface PanelContext {
  store: ClusterStore;
  workload: BankWorkload;
  lesson: string;
  selected: number | undefined;
  pointed: number[];
  clusterName: string;
}

/** Every panel: its title and its content, bound to the lab's current state. */
export function panelsOf(c: PanelContext): Record<PanelId, Panel> {
  const s = c.store;
  const p = (id: PanelId, title: string, render: Panel['render']): Panel => ({ id, title, render });
  return {
    topology: p(
      'topology',
      'Topology',
      () =>
        html`<mpp-cluster-state .store=${s}></mpp-cluster-state>
          <mpp-topology .store=${s} .selected=${c.selected} .pointed=${c.pointed}></mpp-topology>`,
    ),
    details: p(
      'details',
      'Instance details',
      () => html`<mpp-instance-details .store=${s} .dbid=${c.selected}></mpp-instance-details>`,
    ),
    recommendations: p(
      'recommendations',
      'Recommended next actions',
      () => html`<mpp-recommendations .store=${s}></mpp-recommendations>`,
    ),
    workload: p(
      'workload',
      'Workload: bank transfers',
      () => html`<mpp-workload .store=${s} .workload=${c.workload}></mpp-workload>`,
    ),
    lessons: p(
      'lessons',
      'Lessons',
      () => html`<mpp-lessons .store=${s} .workload=${c.workload} .lesson=${c.lesson}></mpp-lessons>`,
    ),
    controls: p('controls', 'Faults and utilities', () => html`<mpp-controls .store=${s}></mpp-controls>`),
    console: p('console', 'SQL console', () => html`<mpp-console .store=${s}></mpp-console>`),
    timeline: p('timeline', 'Event timeline', () => html`<mpp-timeline .store=${s}></mpp-timeline>`),
    charts: p('charts', 'Charts', () => html`<mpp-charts .store=${s} .workload=${c.workload}></mpp-charts>`),
    catalog: p('catalog', 'Catalog', () => html`<mpp-catalog .store=${s}></mpp-catalog>`),
    saved: p(
      'saved',
      'Saved clusters',
      () => html`<mpp-saved-clusters .current=${c.clusterName}></mpp-saved-clusters>`,
    ),
    placement: p('placement', 'Plan a cluster', () => html`<mpp-placement .store=${s}></mpp-placement>`),
    simulation: p('simulation', 'Simulation', () => html`<mpp-sim-replay .store=${s}></mpp-sim-replay>`),
  };
}
