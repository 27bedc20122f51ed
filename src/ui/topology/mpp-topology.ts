import { LitElement, html, svg, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { define } from '../define.ts';
import { emit } from '../events.ts';
import type { ClusterStore } from '../state/cluster-store.ts';
import { StoreWatcher } from '../state/store-watcher.ts';
import { contentLabel, modeLabel, roleLabel, type ProcState, type SegmentRow } from '../state/types.ts';
import { styles } from './mpp-topology.styles.ts';

/** What the card shows as the instance's status: the catalog's, unless the lab knows better. */
export type Effective = 'up' | 'down' | 'crashed' | 'recovering' | 'starting';

export function effectiveStatus(row: SegmentRow, proc: ProcState | undefined): Effective {
  if (proc === 'crashing' || proc === 'down') return row.status === 'd' ? 'down' : 'crashed';
  if (proc === 'recovering') return 'recovering';
  if (proc === 'starting') return 'starting';
  return row.status === 'd' ? 'down' : 'up';
}

const STATUS_GLYPH: Record<Effective, string> = {
  up: '✔',
  down: '✖',
  crashed: '✖',
  recovering: '↻',
  starting: '…',
};

const STATUS_TEXT: Record<Effective, string> = {
  up: 'up',
  down: 'down',
  crashed: 'crashed',
  recovering: 'crash recovery',
  starting: 'starting',
};

function roleGlyph(row: SegmentRow): string {
  if (row.content === -1) return row.role === 'p' ? '◆' : '◇';
  return row.role === 'p' ? '●' : '○';
}

/**
 * The cluster's hosts as boxes and its instances as cards. Role, status and mode are shown
 * as text and shape as well as colour; a primary and its mirror (same content) are joined by
 * a line, and hovering or focusing one highlights both.
 * @fires mpp-instance-select - detail: { dbid } when a card is activated
 * @csspart host - a host box
 * @csspart instance - an instance card
 * @tag mpp-topology
 */
export class MppTopology extends LitElement {
  static override styles = styles;

  /** The lab's cluster store. */
  @property({ attribute: false }) store: ClusterStore | undefined;
  /** The dbid whose details are open. */
  @property({ type: Number }) selected: number | undefined;
  /** Rows to draw instead of the store's (previews and tests of layouts the engine cannot run yet). */
  @property({ attribute: false }) rows: SegmentRow[] | undefined;
  /** Process states to use with `rows`. */
  @property({ attribute: false }) procs: Map<number, ProcState> | undefined;

  @state() private _hoverContent: number | undefined;
  @state() private _links: { d: string; content: number; ok: boolean }[] = [];

  private _resize: ResizeObserver | undefined;

  constructor() {
    super();
    new StoreWatcher(this);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this._resize = new ResizeObserver(() => this._measureLinks());
    this._resize.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._resize?.disconnect();
  }

  private get _rows(): SegmentRow[] {
    return this.rows ?? this.store?.config ?? [];
  }

  private _proc(dbid: number): ProcState | undefined {
    return (this.procs ?? this.store?.proc)?.get(dbid);
  }

  override render() {
    const rows = this._rows;
    if (!rows.length)
      return html`<p class="muted" role="status">${this.store?.catalogError || 'Starting the cluster…'}</p>`;
    const hosts = [...new Set(rows.map((r) => r.hostname))].sort(
      (a, b) => hostOrder(rows, a) - hostOrder(rows, b),
    );
    // Hosts that only run the coordinator or its standby share one narrow column.
    const coordOnly = (h: string) => rows.filter((r) => r.hostname === h).every((r) => r.content === -1);
    const coordHosts = hosts.filter(coordOnly);
    const segHosts = hosts.filter((h) => !coordOnly(h));
    return html`
      <div class="wrap ${this._compact ? 'compact' : ''}">
        <svg class="links" aria-hidden="true">
          ${this._links.map(
            (l) =>
              svg`<path d=${l.d} class=${`link ${l.ok ? '' : 'broken'} ${l.content === this._hoverContent ? 'hot' : ''}`}></path>`,
          )}
        </svg>
        <div class="hosts">
          ${
            coordHosts.length
              ? html`<div class="coord-col">
                  ${coordHosts.map((h) =>
                    this._renderHost(
                      h,
                      rows.filter((r) => r.hostname === h),
                    ),
                  )}
                </div>`
              : nothing
          }
          ${segHosts.map((h) =>
            this._renderHost(
              h,
              rows.filter((r) => r.hostname === h),
            ),
          )}
        </div>
      </div>
      ${this._legend()}
    `;
  }

  private _renderHost(host: string, rows: SegmentRow[]) {
    const allDown = rows.every((r) => effectiveStatus(r, this._proc(r.dbid)) !== 'up');
    return html`
      <section class="host ${allDown ? 'host-down' : ''}" part="host" aria-label=${`host ${host}`}>
        <h3>
          <span class="host-icon" aria-hidden="true"></span
          >${host}${allDown ? html` <span class="tag">all down</span>` : nothing}
        </h3>
        <div class="cards">${rows.map((r) => this._renderCard(r))}</div>
      </section>
    `;
  }

  /**
   * Many instances (a simulated 16 × 8 cluster): each card shrinks to one line (role glyph,
   * content, status glyph, its full description in its label), and pairs are linked on hover
   * only, so a host of 16 instances fits a row.
   */
  private get _compact(): boolean {
    return this._rows.length > COMPACT_ABOVE;
  }

  private _renderCard(r: SegmentRow) {
    const eff = effectiveStatus(r, this._proc(r.dbid));
    const roleCls = `${r.content === -1 ? 'coordinator ' : ''}${r.role === 'p' ? 'primary' : 'mirror'}`;
    const mismatch = r.role !== r.preferredRole;
    const partner = this._rows.find((x) => x.content === r.content && x.dbid !== r.dbid);
    const paired = partner !== undefined;
    const cls = [
      'card',
      roleCls,
      `st-${eff}`,
      this.selected === r.dbid ? 'selected' : '',
      this._hoverContent === r.content && r.content >= 0 ? 'pair-hot' : '',
    ].join(' ');
    const label = `dbid ${r.dbid}, ${contentLabel(r.content)}, ${roleLabel(r.role, r.content)}, ${STATUS_TEXT[eff]}${
      r.content >= 0 ? (paired ? `, ${modeLabel(r.mode)}` : ', no mirror') : ''
    }`;
    return html`
      <button
        class=${cls}
        part="instance"
        data-dbid=${r.dbid}
        data-content=${r.content}
        data-status=${eff}
        aria-pressed=${this.selected === r.dbid ? 'true' : 'false'}
        aria-label=${label}
        title=${label}
        @click=${() => emit(this, 'mpp-instance-select', { dbid: this.selected === r.dbid ? undefined : r.dbid })}
        @mouseenter=${() => (this._hoverContent = r.content)}
        @mouseleave=${() => (this._hoverContent = undefined)}
        @focus=${() => (this._hoverContent = r.content)}
        @blur=${() => (this._hoverContent = undefined)}
      >
        <span class="top">
          <span class="glyph role-glyph" aria-hidden="true">${roleGlyph(r)}</span>
          <span class="content">${contentLabel(r.content)}</span>
          ${
            this._compact
              ? html`<span class="glyph st" aria-hidden="true">${STATUS_GLYPH[eff]}</span>`
              : html`<span class="dbid">dbid ${r.dbid}</span>`
          }
        </span>
        ${this._compact ? nothing : this._cardDetails(r, eff, mismatch, paired, partner)}
      </button>
    `;
  }

  private _cardDetails(
    r: SegmentRow,
    eff: ReturnType<typeof effectiveStatus>,
    mismatch: boolean,
    paired: boolean,
    partner: SegmentRow | undefined,
  ) {
    return html` <span class="line role">
        ${roleLabel(r.role, r.content)}${mismatch ? html` <span class="warn">⚠ preferred ${roleLabel(r.preferredRole, r.content)}</span>` : nothing}
      </span>
      <span class="line status"
        ><span class="glyph st" aria-hidden="true">${STATUS_GLYPH[eff]}</span> ${STATUS_TEXT[eff]}</span
      >
      ${eff === 'crashed' ? html`<span class="line small">catalog still says <code>u</code>: no FTS yet</span>` : nothing}
      ${
        r.content >= 0
          ? paired
            ? html`<span class="line mode">${r.mode === 's' ? '⇄' : '⇥'} ${modeLabel(r.mode)}</span>`
            : html`<span class="line mode muted">– no mirror</span>`
          : nothing
      }
      ${
        partner
          ? html`<span class="line small pair"
              >↔ ${roleLabel(partner.role, partner.content)} dbid ${partner.dbid} on ${partner.hostname}</span
            >`
          : nothing
      }
      <span class="line port muted">:${r.port}</span>`;
  }

  private _legend() {
    return html`<p class="legend muted">
      <span>◆ coordinator</span><span>● primary</span><span>○ mirror (dashed)</span><span>✔ up</span
      ><span>✖ down (hatched)</span><span>↻ recovering</span><span>⇄ synced</span><span>⇥ not in sync</span
      ><span>– no mirror</span>
    </p>`;
  }

  override updated(): void {
    this._measureLinks();
  }

  /** Lines between each primary and its mirror, in the wrapper's coordinates. */
  private _measureLinks(): void {
    const wrap = this.renderRoot.querySelector<HTMLElement>('.wrap');
    if (!wrap) return;
    if (this._compact) {
      if (this._links.length) this._links = [];
      return;
    }
    const origin = wrap.getBoundingClientRect();
    const links: { d: string; content: number; ok: boolean }[] = [];
    const byContent = new Map<number, SegmentRow[]>();
    for (const r of this._rows) byContent.set(r.content, [...(byContent.get(r.content) ?? []), r]);
    for (const [content, pair] of byContent) {
      if (pair.length < 2) continue;
      const [a, b] = pair.map((r) => this.renderRoot.querySelector<HTMLElement>(`[data-dbid="${r.dbid}"]`));
      if (!a || !b) continue;
      // The coordinator row always shows mode n (the catalog says nothing of its replication):
      // that pair is healthy when both are up.
      const ok = pair.every(
        (r) => effectiveStatus(r, this._proc(r.dbid)) === 'up' && (r.mode === 's' || content === -1),
      );
      links.push({ d: linkPath(a.getBoundingClientRect(), b.getBoundingClientRect(), origin), content, ok });
    }
    const same =
      links.length === this._links.length &&
      links.every((l, i) => l.d === this._links[i]?.d && l.ok === this._links[i]?.ok);
    if (!same) this._links = links;
  }
}

/**
 * A curve between two cards: side to side when they sit next to each other, bottom to top
 * when one is above the other. Cards paint over the curve, so it shows in the gaps.
 */
export function linkPath(a: DOMRect, b: DOMRect, origin: DOMRect): string {
  const ax = a.left + a.width / 2;
  const ay = a.top + a.height / 2;
  const bx = b.left + b.width / 2;
  const by = b.top + b.height / 2;
  const f = (x: number, y: number) => `${(x - origin.left).toFixed(1)},${(y - origin.top).toFixed(1)}`;
  if (Math.abs(bx - ax) > Math.abs(by - ay)) {
    const [l, r] = ax < bx ? [a, b] : [b, a];
    const y1 = l.top + l.height / 2;
    const y2 = r.top + r.height / 2;
    const bend = Math.max(20, (r.left - l.right) / 2);
    return `M${f(l.right, y1)} C${f(l.right + bend, y1)} ${f(r.left - bend, y2)} ${f(r.left, y2)}`;
  }
  const [t, u] = ay < by ? [a, b] : [b, a];
  const x1 = t.left + t.width / 2;
  const x2 = u.left + u.width / 2;
  const bend = Math.max(20, (u.top - t.bottom) / 2);
  return `M${f(x1, t.bottom)} C${f(x1, t.bottom + bend)} ${f(x2, u.top - bend)} ${f(x2, u.top)}`;
}

/** Above this many instances the topology draws compact cards. */
const COMPACT_ABOVE = 40;

function hostOrder(rows: SegmentRow[], host: string): number {
  const r = rows.filter((x) => x.hostname === host);
  if (r.some((x) => x.content === -1 && x.role === 'p' && x.preferredRole === 'p')) return -2;
  if (r.some((x) => x.content === -1)) return -1;
  return Math.min(...r.map((x) => x.dbid));
}

define('mpp-topology', MppTopology);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-topology': MppTopology;
  }
}
