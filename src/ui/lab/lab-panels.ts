/**
 * The lab's panels and where they go: two columns on a wide screen, one on a narrow one (the
 * live cluster first at every width), or only the panels an embedding author names in `view`,
 * in the author's order.
 */
import type { TemplateResult } from 'lit';

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
export const SKIP_TARGETS: readonly PanelId[] = ['topology', 'controls', 'console', 'lessons', 'timeline'];

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
