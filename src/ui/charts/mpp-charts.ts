import { LitElement, css, html, svg, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { define } from '../define.ts';
import type { ClusterStore } from '../state/cluster-store.ts';
import { StoreWatcher } from '../state/store-watcher.ts';
import { baseStyles } from '../shared/base.styles.ts';
import type { BankWorkload } from '../workload/bank-workload.ts';
import { faultLabel } from './fault-label.ts';

/** The drawing's width before the element is measured; then its own width, so text keeps its size. */
const DEFAULT_W = 600;
const H = 130;
const PAD_L = 44;
const PAD_B = 18;

export const RANGES = [
  { ms: 60_000, label: '1 min' },
  { ms: 5 * 60_000, label: '5 min' },
  { ms: 15 * 60_000, label: '15 min' },
] as const;

interface Series {
  id: string;
  title: string;
  unit: string;
  points: { t: number; v: number }[];
  /** Times marked on the chart (seconds with errors). */
  marks?: { t: number; v: number }[];
}

/** An axis value in at most four characters: 500, 2k, 10k, 1.5M. */
export function axisLabel(v: number): string {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (v >= 1e4) return `${Math.round(v / 1e3)}k`;
  if (v >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return String(+v.toFixed(2));
}

/** A round axis maximum above `v`: 1, 2, 5, 10, 20, 50... */
export function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].find((m) => m * p >= v) ?? 10) * p;
}

/**
 * Larger time-series charts than the workload's sparklines, as CockroachDB's DB Console draws
 * them: commits per second (seconds with errors marked), transfer latency, the largest
 * replication lag, over a chosen time range, with the periods a fault was in force drawn as
 * bands labelled with what started them.
 * @tag mpp-charts
 */
export class MppCharts extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .bar {
        display: flex;
        gap: 0.4rem;
        align-items: center;
        flex-wrap: wrap;
        margin-bottom: 0.4rem;
      }
      button[aria-pressed='true'] {
        border-color: var(--mpp-accent, #38bdf8);
        background: var(--mpp-button-bg, #0c4a6e);
      }
      figure {
        margin: 0 0 0.6rem;
      }
      figcaption {
        font-size: 0.8rem;
        margin-bottom: 0.15rem;
      }
      svg {
        width: 100%;
        height: auto;
        display: block;
        background: var(--mpp-card-bg, #0b1324);
        border: 1px solid var(--mpp-border, #334155);
        border-radius: 6px;
      }
      .axis {
        stroke: var(--mpp-border, #334155);
      }
      .grid {
        stroke: var(--mpp-border, #334155);
        stroke-dasharray: 2 4;
      }
      text {
        fill: var(--mpp-muted, #94a3b8);
        font-size: 11px;
      }
      .line {
        fill: none;
        stroke: var(--mpp-accent, #38bdf8);
        stroke-width: 1.8;
      }
      .mark {
        fill: var(--mpp-down, #f87171);
      }
      .band {
        fill: var(--mpp-fault-shade, rgba(251, 191, 36, 0.18));
      }
      .band-label {
        fill: var(--mpp-warn, #fbbf24);
        font-weight: 600;
      }
    `,
  ];

  @property({ attribute: false }) store: ClusterStore | undefined;
  @property({ attribute: false }) workload: BankWorkload | undefined;
  @state() private _range: number = RANGES[0].ms;
  /** The charts' drawn width in CSS pixels (one viewBox unit is one pixel: text is never scaled down). */
  @state() private _width = DEFAULT_W;
  private _off: (() => void) | undefined;
  private readonly _resize = new ResizeObserver((entries) => {
    const w = Math.round(entries[0]?.contentRect.width ?? 0);
    // Redrawn on the next frame: a redraw inside the observer's callback would resize again in it.
    if (w > 0 && Math.abs(w - this._width) >= 8) requestAnimationFrame(() => (this._width = w));
  });

  constructor() {
    super();
    new StoreWatcher(this);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this._off = this.workload?.onChange(() => this.requestUpdate());
    this._resize.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._off?.();
    this._resize.disconnect();
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('workload') && this.isConnected) {
      this._off?.();
      this._off = this.workload?.onChange(() => this.requestUpdate());
    }
  }

  /** The chosen time range in milliseconds. */
  get range(): number {
    return this._range;
  }

  override render() {
    const now = Date.now();
    const from = now - this._range;
    const w = this.workload?.series ?? [];
    const lag = this.store?.lagSeries ?? [];
    const series: Series[] = [
      {
        id: 'commits',
        title: 'Commits per second',
        unit: '/s',
        points: w.map((s) => ({ t: s.t, v: s.commits })),
        marks: w.filter((s) => s.errors > 0).map((s) => ({ t: s.t, v: s.errors })),
      },
      {
        id: 'latency',
        title: 'Transfer latency (or the oldest wait)',
        unit: 'ms',
        points: w.map((s) => ({ t: s.t, v: s.latencyMs })),
      },
      {
        id: 'lag',
        title: 'Replication lag, largest pair',
        unit: 'kB',
        points: lag.map((x) => ({ t: x.t, v: x.maxLagBytes / 1024 })),
      },
    ];
    const bands = this.store?.health.faultBands(from, now) ?? [];
    return html`<div class="bar" role="group" aria-label="Time range">
        ${RANGES.map(
          (r) =>
            html`<button
              class="quiet"
              data-range=${r.ms}
              aria-pressed=${this._range === r.ms ? 'true' : 'false'}
              @click=${() => (this._range = r.ms)}
            >
              ${r.label}
            </button>`,
        )}
        <span class="muted"
          >shaded: a fault in force${bands.length ? ` (${bands.length} in this range)` : ''}</span
        >
      </div>
      ${series.map((s) => this._chart(s, from, now, bands))}`;
  }

  /** What started a fault period, in words. */
  private _label(start: number): string {
    const rows = this.store?.config ?? [];
    return faultLabel(
      this.store?.events ?? [],
      start,
      (d) => rows.find((r) => r.dbid === d)?.hostname,
      (h) => rows.filter((r) => r.hostname === h).length,
    );
  }

  private _chart(s: Series, from: number, to: number, bands: [number, number][]) {
    const W = Math.max(280, this._width);
    const pts = s.points.filter((p) => p.t >= from);
    const max = niceMax(Math.max(0, ...pts.map((p) => p.v)));
    const x = (t: number) => PAD_L + ((t - from) / (to - from)) * (W - PAD_L - 4);
    const y = (v: number) => H - PAD_B - (v / max) * (H - PAD_B - 8);
    const line = pts.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
    // As many time labels as fit: three on a phone, five wider.
    const fractions = W < 480 ? [0, 0.5, 1] : [0, 0.25, 0.5, 0.75, 1];
    const ticks = fractions.map((f) => from + f * (to - from));
    const last = pts[pts.length - 1];
    const peak = Math.max(0, ...pts.map((p) => p.v));
    const summary = `${s.title}: ${last ? `${last.v.toFixed(1)} ${s.unit} now` : 'no data yet'}, peak ${peak.toFixed(1)} ${s.unit} over the last ${RANGES.find((r) => r.ms === this._range)?.label}; ${bands.length} fault period${bands.length === 1 ? '' : 's'}`;
    return html`<figure data-chart=${s.id}>
      <figcaption>${s.title} (${s.unit})</figcaption>
      <svg viewBox="0 0 ${W} ${H}" role="img" aria-label=${summary}>
        ${bands.map(
          ([a, b]) =>
            svg`<rect class="band" x=${x(a).toFixed(1)} y="0" width=${Math.max(2, x(b) - x(a)).toFixed(1)} height=${H - PAD_B}></rect>
              ${
                // Near the right edge the label ends at the edge instead of running off it.
                x(a) > W - 150
                  ? svg`<text class="band-label" x=${W - 3} y="11" text-anchor="end">${this._label(a)}</text>`
                  : svg`<text class="band-label" x=${(x(a) + 3).toFixed(1)} y="11">${this._label(a)}</text>`
              }`,
        )}
        <line class="grid" x1=${PAD_L} x2=${W} y1=${y(max / 2)} y2=${y(max / 2)}></line>
        <line class="axis" x1=${PAD_L} x2=${PAD_L} y1="4" y2=${H - PAD_B}></line>
        <line class="axis" x1=${PAD_L} x2=${W} y1=${H - PAD_B} y2=${H - PAD_B}></line>
        <text x=${PAD_L - 4} y=${y(max) + 4} text-anchor="end">${axisLabel(max)}</text>
        <text x=${PAD_L - 4} y=${H - PAD_B} text-anchor="end">0</text>
        ${ticks.map(
          (t, i) =>
            svg`<text x=${x(t).toFixed(1)} y=${H - 4} text-anchor=${i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : 'middle'}>${new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })}</text>`,
        )}
        ${(s.marks ?? [])
          .filter((m) => m.t >= from)
          .map(
            (m) =>
              svg`<rect class="mark" x=${(x(m.t) - 1.5).toFixed(1)} y=${H - PAD_B - 6} width="3" height="6"></rect>`,
          )}
        ${pts.length > 1 ? svg`<polyline class="line" points=${line}></polyline>` : nothing}
      </svg>
    </figure>`;
  }
}

define('mpp-charts', MppCharts);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-charts': MppCharts;
  }
}
