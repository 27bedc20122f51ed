/**
 * The client's view of the live bank workload (Jepsen's timeline): the last 30 seconds of
 * transfers as bars from start to end, each ok, failed (its SQLSTATE) or indeterminate (a
 * COMMIT whose connection went), with crashes and FTS's decisions as lines on the same axis,
 * so the seconds after a promotion, and the commits left in doubt, can be seen.
 */
import { html, svg, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { lanes, outcomeCounts } from '../sim/client-timeline.ts';
import type { BankWorkload } from './bank-workload.ts';
import type { LabEvent } from '../state/types.ts';

const WINDOW_MS = 30_000;
const WIDTH = 600;
const LANE = 6;

/** Events drawn as lines: a crash in red, FTS's decisions in blue. */
const MARKS: Record<string, 'fault' | 'decision'> = {
  'instance.crash': 'fault',
  'fts.failover': 'decision',
  'fts.promote': 'decision',
  'fts.mirror_down': 'decision',
  'fts.double_fault': 'decision',
};

/**
 * The view redraws several times a second while transfers run. Each bar and line is drawn once,
 * at a place fixed in time (`x`, from the workload's epoch), keyed to its transfer; only the
 * group's translation moves with the clock. Bars placed relative to now got new attributes at
 * every redraw, and the style recalculation of a hundred SVG elements was most of the page's
 * idle work.
 */
export function clientView(w: BankWorkload, events: readonly LabEvent[], now = Date.now()) {
  const from = now - WINDOW_MS;
  const ops = w.outcomes.filter((o) => o.end >= from);
  const all = outcomeCounts(w.outcomes);
  const shown = outcomeCounts(ops);
  if (!w.outcomes.length) return nothing;
  const x = (t: number) => ((t - w.epoch) / WINDOW_MS) * WIDTH;
  const laneOf = lanes(ops);
  const height = Math.max(4, Math.max(0, ...laneOf) + 1) * LANE + 6;
  const marks = events.filter((e) => MARKS[e.kind] && e.at >= from);
  return html`<figure
    class="client"
    data-ok=${all.ok}
    data-failed=${all.failed}
    data-indeterminate=${all.indeterminate}
  >
    <figcaption>
      The client's view of the last 30 s: ${ops.length} transfers,
      <span class="ok">${shown.ok} ok</span>, <span class="failed">${shown.failed} failed</span>,
      <span class="indeterminate">${shown.indeterminate} indeterminate</span>. Of the latest
      ${w.outcomes.length}: ${all.ok} ok, ${all.failed} failed, ${all.indeterminate} indeterminate. Red lines:
      crashes; blue: FTS's decisions.
    </figcaption>
    <svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="Transfers over the last 30 seconds">
      <g transform="translate(${-x(from)} 0)">
        ${repeat(
          marks,
          (e) => e,
          (e) =>
            svg`<line class=${MARKS[e.kind]!} x1=${x(e.at)} x2=${x(e.at)} y1="0" y2=${height}><title>${e.kind} ${e.text}</title></line>`,
        )}
        ${repeat(
          ops,
          (o) => o,
          (o, i) =>
            svg`<rect class=${`op ${o.outcome}`} data-outcome=${o.outcome} x=${x(o.start)} y=${3 + laneOf[i]! * LANE} width=${Math.max(1.5, x(o.end) - x(o.start))} height=${LANE - 1}><title>${o.outcome}${o.code ? ` (${o.code})` : ''}, ${Math.round(o.end - o.start)} ms</title></rect>`,
        )}
      </g>
    </svg>
  </figure>`;
}
