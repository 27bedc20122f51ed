import { LitElement, html, svg } from 'lit';
import { property } from 'lit/decorators.js';
import { define } from '../define.ts';
import { styles } from './mpp-sparkline.styles.ts';

const W = 240;
const H = 48;

/**
 * A small SVG line chart of the last samples, with optional marks (e.g. seconds with errors)
 * drawn as red bars under the line, and columns shaded while a fault was in force. No chart
 * library.
 * @csspart chart - the svg
 * @tag mpp-sparkline
 */
export class MppSparkline extends LitElement {
  static override styles = styles;

  /** The samples, oldest first. */
  @property({ attribute: false }) values: number[] = [];
  /** Per sample, a value > 0 draws a mark (its height relative to the largest mark). */
  @property({ attribute: false }) marks: number[] = [];
  /** Per sample, true shades its column: a fault was in force then. */
  @property({ attribute: false }) shade: boolean[] = [];
  /** What is charted, for the accessible name. */
  @property() label = '';
  @property() unit = '';
  /** How many samples the width holds. */
  @property({ type: Number }) capacity = 60;

  override render() {
    const v = this.values;
    const max = Math.max(1, ...v) * 1.2;
    const step = W / Math.max(1, this.capacity - 1);
    const x0 = W - (v.length - 1) * step;
    const pts = v
      .map((y, i) => `${(x0 + i * step).toFixed(1)},${(H - 2 - (y / max) * (H - 6)).toFixed(1)}`)
      .join(' ');
    const mmax = Math.max(1, ...this.marks);
    const mx0 = W - (this.marks.length - 1) * step;
    const last = v[v.length - 1];
    const faults = this.shade.filter(Boolean).length;
    const summary = `${this.label}: ${last === undefined ? 'no data' : `${fmt(last)} ${this.unit}`}, peak ${fmt(Math.max(0, ...v))} ${this.unit}${faults ? `; ${faults} of the last ${this.shade.length} samples during a fault` : ''}`;
    return html`<figure>
      <figcaption>
        <span>${this.label}</span>
        <strong>${last === undefined ? '—' : fmt(last)}</strong><span class="unit">${this.unit}</span>
        <span class="peak">peak ${fmt(Math.max(0, ...v))}</span>
      </figcaption>
      <svg part="chart" viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img" aria-label=${summary}>
        ${this.shade.map((on, i) =>
          on
            ? svg`<rect class="fault" x=${(W - (this.shade.length - 1) * step + i * step - step / 2).toFixed(1)} y="0" width=${step.toFixed(1)} height=${H}></rect>`
            : '',
        )}
        <line class="base" x1="0" y1=${H - 1} x2=${W} y2=${H - 1}></line>
        ${this.marks.map((m, i) =>
          m > 0
            ? svg`<rect class="mark" x=${(mx0 + i * step - step / 2).toFixed(1)} y=${(H - (m / mmax) * (H - 4)).toFixed(1)} width=${Math.max(2, step - 1).toFixed(1)} height=${((m / mmax) * (H - 4)).toFixed(1)}></rect>`
            : '',
        )}
        ${v.length > 1 ? svg`<polyline class="line" points=${pts}></polyline>` : ''}
      </svg>
    </figure>`;
  }
}

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2).replace(/\.?0+$/, '') || '0';
}

define('mpp-sparkline', MppSparkline);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-sparkline': MppSparkline;
  }
}
