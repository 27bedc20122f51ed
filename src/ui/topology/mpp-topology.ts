import { LitElement, html, svg, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import { define } from '../define.ts';
import { emit } from '../events.ts';
import * as act from '../state/actions.ts';
import type { ClusterStore } from '../state/cluster-store.ts';
import { StoreWatcher } from '../state/store-watcher.ts';
import { standbyDirectoryInTheWay, type ProcState, type SegmentRow } from '../state/types.ts';
import type { DataDirectory } from '../../workers/index.ts';
import { rovingKeydown } from '../shared/roving.ts';
import { cardDetails, cardTop, copyOf, effectiveStatus, type CardContext } from './instance-card.ts';
import { formatRate, linkGap, linkPath, rateLabelFits, type LinkGeometry } from './links.ts';
import { styles } from './mpp-topology.styles.ts';
import { expansionStrip, expansionStyles } from './expansion-strip.ts';

export { effectiveStatus, type Effective } from './instance-card.ts';
export { linkPath } from './links.ts';

/**
 * The cluster's hosts as boxes and its instances as cards. Role, status and mode are shown
 * as text and shape as well as colour; a primary and its mirror (same content) are joined by
 * a line that carries the WAL the primary sends (its rate, dashes flowing), and the
 * coordinator's FTS probes pulse along lines to the acting primaries.
 *
 * Keyboard: the cards are one tab stop (arrow keys, Home and End move between them, Enter
 * opens the details); Tab then reaches the focused card's Crash (or Restart) button.
 *
 * With `preview`, it draws a planned layout: no buttons, a blueprint look, never mistaken for
 * the live cluster.
 * @fires mpp-instance-select - detail: { dbid } when a card is activated
 * @csspart host - a host box
 * @csspart instance - an instance card
 * @csspart leftover - a data directory a retired instance left on its host
 * @tag mpp-topology
 */
export class MppTopology extends LitElement {
  static override styles = [styles, expansionStyles];

  /** The lab's cluster store. */
  @property({ attribute: false }) store: ClusterStore | undefined;
  /** The dbid whose details are open. */
  @property({ type: Number }) selected: number | undefined;
  /** Rows to draw instead of the store's (previews and tests of layouts). */
  @property({ attribute: false }) rows: SegmentRow[] | undefined;
  /** Process states to use with `rows`. */
  @property({ attribute: false }) procs: Map<number, ProcState> | undefined;
  /** A planned layout, not a running cluster: drawn as a blueprint, with nothing to press. */
  @property({ type: Boolean, reflect: true }) preview = false;
  /** dbids a lesson step talks about: their cards are pointed at. */
  @property({ attribute: false }) pointed: number[] = [];

  @state() private _hoverContent: number | undefined;
  @state() private _links: LinkGeometry[] = [];
  /** The card that holds the tab stop. */
  @state() private _active: number | undefined;
  /** A card's crash or restart that was refused, and why (shown where it was clicked). */
  @state() private _refused: { dbid: number; why: string } | undefined;
  private _refusedTimer: ReturnType<typeof setTimeout> | undefined;

  private _resize: ResizeObserver | undefined;

  constructor() {
    super();
    new StoreWatcher(this);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this._resize = new ResizeObserver(() => requestAnimationFrame(() => this._measureLinks()));
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

  private get _ctx(): CardContext {
    return { rows: this._rows, store: this.rows ? undefined : this.store, proc: (d) => this._proc(d) };
  }

  private _eff(r: SegmentRow) {
    return effectiveStatus(r, this._proc(r.dbid), !!copyOf(this._ctx, r.dbid));
  }

  override render() {
    const rows = this._rows;
    if (!rows.length) {
      const s = this.store;
      const why =
        s?.catalogError ||
        (s?.state === 'idle' && s.idleReason) ||
        (s?.state === 'failed' ? 'The cluster failed to start.' : 'Starting the cluster…');
      const p = s?.state === 'booting' && !s.catalogError ? s.bootProgress : undefined;
      const count = p && (p.of === undefined ? `${p.up} instances up` : `${p.up} of ${p.of} instances up`);
      // One status line, kept while its text changes; the count is on the bar, not announced
      // (it changes with every instance).
      return html`<p class="muted" role="status">${why}</p>
        ${
          p
            ? html`<p class="muted boot-progress">
                ${
                  p.of === undefined
                    ? html`<progress aria-label="Instances up" aria-valuetext=${count!}></progress>`
                    : html`<progress
                        max=${p.of}
                        .value=${p.up}
                        aria-label="Instances up"
                        aria-valuetext=${count!}
                      ></progress>`
                }
                <span>${count}</span>
              </p>`
            : nothing
        }`;
    }
    const leftovers = this._leftovers;
    const hosts = [...new Set([...rows.map((r) => r.hostname), ...leftovers.map((d) => d.hostname)])].sort(
      (a, b) => hostOrder(rows, a) - hostOrder(rows, b),
    );
    // Hosts that only run the coordinator or its standby share one narrow column.
    const coordOnly = (h: string) => rows.filter((r) => r.hostname === h).every((r) => r.content === -1);
    const coordHosts = hosts.filter(coordOnly);
    const segHosts = hosts.filter((h) => !coordOnly(h));
    return html`
      ${this.preview ? html`<p class="preview-tag">Preview of a planned layout: not running</p>` : nothing}
      ${
        this._refused
          ? html`<p class="refused" role="alert">
              ${downInCatalog(this._refused.dbid, this._rows) ? 'Restart' : 'Crash'} of dbid
              ${this._refused.dbid} refused: ${this._refused.why}
            </p>`
          : nothing
      }
      ${this.rows ? nothing : expansionStrip(this.store?.expansion, new Set(rows.filter((r) => r.content >= 0).map((r) => r.content)).size)}
      <div class="wrap ${this._compact ? 'compact' : ''}">
        <svg class="links" aria-hidden="true">${this._renderLinks()}</svg>
        <div
          class="hosts"
          role=${this.preview ? nothing : 'group'}
          aria-label=${this.preview ? nothing : 'Instances: arrow keys move between cards, Enter shows details'}
        >
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

  private _renderLinks() {
    const probeAt = this.store?.lastProbeAt ?? 0;
    return html`${this._links.map((l, i) =>
      l.kind === 'pair'
        ? svg`<path id=${`pair-${i}`} d=${l.d} class=${`link ${l.ok ? '' : 'broken'} ${l.rate ? 'flowing' : ''} ${l.content === this._hoverContent ? 'hot' : ''}`}>${l.rate ? svg`<title>WAL ${formatRate(l.rate)}</title>` : ''}</path>
          ${
            // In a gap too narrow for it the text would be crushed along the curve: the line's
            // tooltip (its title) still gives the rate.
            l.rate && rateLabelFits(formatRate(l.rate), l.gap)
              ? svg`<text class="rate"><textPath href=${`#pair-${i}`} startOffset="50%" text-anchor="middle">${formatRate(l.rate)}</textPath></text>`
              : ''
          }`
        : nothing,
    )}
    ${keyed(
      probeAt,
      svg`<g class="probes">${this._links.filter((l) => l.kind === 'probe').map((l) => svg`<path d=${l.d} class="probe"></path>`)}</g>`,
    )}`;
  }

  /**
   * Data directories out of the configuration still on their hosts (an old coordinator's after
   * gpactivatestandby): shown where they are, since gpinitstandby will not initialize over one.
   */
  private get _leftovers(): DataDirectory[] {
    return this.rows ? [] : (this.store?.directories.filter((d) => d.retired) ?? []);
  }

  /** The leftover directory where gpinitstandby would put a standby (standbyDirectoryInTheWay). */
  private get _inTheWay(): number | undefined {
    const coordinator = this._rows.find((r) => r.content === -1 && r.role === 'p');
    const standby = this._rows.some((r) => r.content === -1 && r.role === 'm');
    if (!coordinator || standby) return undefined;
    return standbyDirectoryInTheWay(coordinator, this.store?.directories ?? [])?.dir.dbid;
  }

  private _renderHost(host: string, rows: SegmentRow[]) {
    const allDown = rows.length > 0 && rows.every((r) => this._eff(r) !== 'up');
    const leftovers = this._leftovers.filter((d) => d.hostname === host);
    const segs = rows.filter((r) => r.content >= 0);
    const acting = segs.filter((r) => r.role === 'p' && this._eff(r) === 'up').length;
    const preferred = segs.filter((r) => r.preferredRole === 'p').length;
    const id = `host-${host}`;
    return html`
      <div class="host ${allDown ? 'host-down' : ''}" part="host" role="group" aria-labelledby=${id}>
        <h3 id=${id}>
          <span class="host-icon" aria-hidden="true"></span
          >${host}${allDown ? html` <span class="tag">all down</span>` : nothing}
          ${
            segs.length && !this.preview
              ? html`<span class="acting ${acting > preferred ? 'over' : ''}" data-acting=${acting}
                  >${acting} acting
                  ${acting === 1 ? 'primary' : 'primaries'}${acting !== preferred ? ` (preferred ${preferred})` : ''}</span
                >`
              : nothing
          }
        </h3>
        ${rows.length ? html`<div class="cards">${rows.map((r) => this._renderCard(r))}</div>` : nothing}
        ${leftovers.map(
          (d) =>
            html`<p class="leftover" part="leftover" data-dbid=${d.dbid}>
              <span class="leftover-path"
                >${d.datadir.split('/').map((part, i) => (i ? html`/<wbr />${part}` : part))}</span
              >
              <span class="small"
                >left by dbid ${d.dbid}, no longer in the
                configuration${
                  d.dbid === this._inTheWay ? '; gpinitstandby will not initialize over it' : ''
                }</span
              >
            </p>`,
        )}
      </div>
    `;
  }

  /**
   * Many instances (a simulated 16 × 8 cluster): each card shrinks to one line (role glyph,
   * content, status glyph), and pairs are linked on hover only, so a host of 16 instances fits.
   */
  private get _compact(): boolean {
    return this._rows.length > COMPACT_ABOVE;
  }

  /** The card holding the tab stop: the one last focused, else the selected one, else the first. */
  private get _tabStop(): number | undefined {
    const rows = this._rows;
    for (const d of [this._active, this.selected])
      if (d !== undefined && rows.some((r) => r.dbid === d)) return d;
    return rows[0]?.dbid;
  }

  private _renderCard(r: SegmentRow) {
    const eff = this._eff(r);
    const roleCls = `${r.content === -1 ? 'coordinator ' : ''}${r.role === 'p' ? 'primary' : 'mirror'}`;
    const cls = [
      'card',
      roleCls,
      `st-${eff}`,
      this.selected === r.dbid ? 'selected' : '',
      this._hoverContent === r.content && r.content >= 0 ? 'pair-hot' : '',
      this.pointed.includes(r.dbid) ? 'pointed' : '',
    ].join(' ');
    const body = html`${cardTop(r, eff, this._compact)}${this._compact ? nothing : cardDetails(r, eff, this._ctx)}`;
    if (this.preview)
      return html`<div
        class=${cls}
        part="instance"
        data-dbid=${r.dbid}
        data-content=${r.content}
        data-status=${eff}
      >
        ${body}
      </div>`;
    const stop = this._tabStop === r.dbid;
    const down = eff === 'crashed' || eff === 'down' || eff === 'stopped';
    return html`<div class="slot">
      <button
        class=${cls}
        part="instance"
        data-dbid=${r.dbid}
        data-content=${r.content}
        data-status=${eff}
        tabindex=${stop ? 0 : -1}
        aria-pressed=${this.selected === r.dbid ? 'true' : 'false'}
        @click=${() => emit(this, 'mpp-instance-select', { dbid: this.selected === r.dbid ? undefined : r.dbid })}
        @keydown=${this._onCardKey}
        @mouseenter=${() => (this._hoverContent = r.content)}
        @mouseleave=${() => (this._hoverContent = undefined)}
        @focus=${() => {
          this._hoverContent = r.content;
          this._active = r.dbid;
        }}
        @blur=${() => (this._hoverContent = undefined)}
      >
        ${body}${this.pointed.includes(r.dbid) ? html`<span class="sr-only">(the lesson points here)</span>` : nothing}
      </button>
      ${
        this._compact || !this.store?.cluster
          ? nothing
          : html`<button
              class="card-action ${down ? '' : 'danger'}"
              data-card-action=${down ? 'restart' : 'crash'}
              data-dbid=${r.dbid}
              tabindex=${stop ? 0 : -1}
              title=${down ? `Restart dbid ${r.dbid} (crash recovery from its disk)` : `Crash dbid ${r.dbid}: its memory is lost, its disk kept`}
              @click=${() => this._cardAction(r.dbid, down)}
            >
              ${down ? 'Restart' : 'Crash'}<span class="sr-only"> dbid ${r.dbid}</span>
            </button>`
      }
    </div>`;
  }

  private async _cardAction(dbid: number, down: boolean): Promise<void> {
    const s = this.store;
    if (!s) return;
    this._refused = undefined;
    if (await (down ? act.restart(s, dbid) : act.crash(s, dbid))) return;
    // The action log has why (a replay refuses, an instance already down...): say it here too.
    this._refused = { dbid, why: s.actions[0]?.output ?? 'refused' };
    clearTimeout(this._refusedTimer);
    this._refusedTimer = setTimeout(() => (this._refused = undefined), 10_000);
  }

  private _onCardKey = (e: KeyboardEvent): void => {
    // Escape closes the details of the selected instance; focus stays on its card.
    if (e.key === 'Escape' && this.selected !== undefined) {
      e.preventDefault();
      emit(this, 'mpp-instance-select', { dbid: undefined });
      return;
    }
    const cards = [...this.renderRoot.querySelectorAll<HTMLElement>('button.card')];
    const to = rovingKeydown(e, cards, true);
    if (to) this._active = Number(to.dataset['dbid']);
  };

  private _legend() {
    return html`<p class="legend muted">
      <span>◆ coordinator</span><span>● primary</span><span>○ mirror (dashed)</span><span>✔ up</span
      ><span>✖ down (hatched)</span><span>↻ recovering (copy bar, then WAL replay)</span><span>⇄ synced</span
      ><span>⇥ not in sync</span><span>◷ commits waiting</span><span>– no mirror</span>
      ${this.preview ? nothing : html`<span>lines: WAL sent per second (on the line where it fits, else in its tooltip); pulses: FTS probes</span>`}
      ${this.preview ? nothing : html`<span>keyboard: Tab reaches the current card and its Crash button; arrow keys move to the card beside, above or below, Home and End to the first and last</span>`}
    </p>`;
  }

  override updated(): void {
    this._measureLinks();
  }

  /** Lines between each primary and its mirror, and from the coordinator to the acting primaries. */
  private _measureLinks(): void {
    const wrap = this.renderRoot.querySelector<HTMLElement>('.wrap');
    if (!wrap) return;
    if (this._compact) {
      if (this._links.length) this._links = [];
      return;
    }
    const origin = wrap.getBoundingClientRect();
    const links: LinkGeometry[] = [];
    const byContent = new Map<number, SegmentRow[]>();
    const card = (dbid: number) => this.renderRoot.querySelector<HTMLElement>(`.card[data-dbid="${dbid}"]`);
    for (const r of this._rows) byContent.set(r.content, [...(byContent.get(r.content) ?? []), r]);
    const rates = this.rows ? undefined : this.store?.health.walRate;
    for (const [content, pair] of byContent) {
      if (pair.length < 2) continue;
      const [a, b] = pair.map((r) => card(r.dbid));
      if (!a || !b) continue;
      // The coordinator row always shows mode n (the catalog says nothing of its replication):
      // that pair is healthy when both are up.
      const ok = pair.every((r) => this._eff(r) === 'up' && (r.mode === 's' || content === -1));
      const rate = ok || content === -1 ? Math.round(rates?.get(content) ?? 0) : 0;
      const [ra, rb] = [a.getBoundingClientRect(), b.getBoundingClientRect()];
      links.push({ kind: 'pair', d: linkPath(ra, rb, origin), content, ok, rate, gap: linkGap(ra, rb) });
    }
    const coord = this._rows.find((r) => r.content === -1 && r.role === 'p');
    const from = coord && !this.rows ? card(coord.dbid) : null;
    if (from && this._eff(coord!) === 'up')
      for (const p of this._rows.filter((r) => r.content >= 0 && r.role === 'p')) {
        const to = card(p.dbid);
        if (to)
          links.push({
            kind: 'probe',
            d: linkPath(from.getBoundingClientRect(), to.getBoundingClientRect(), origin),
            content: p.content,
            ok: true,
            rate: 0,
            gap: 0,
          });
      }
    const same =
      links.length === this._links.length &&
      links.every(
        (l, i) => l.d === this._links[i]?.d && l.ok === this._links[i]?.ok && l.rate === this._links[i]?.rate,
      );
    if (!same) this._links = links;
  }
}

/** Above this many instances the topology draws compact cards. */
const COMPACT_ABOVE = 40;

function hostOrder(rows: SegmentRow[], host: string): number {
  const r = rows.filter((x) => x.hostname === host);
  if (r.some((x) => x.content === -1 && x.role === 'p' && x.preferredRole === 'p')) return -2;
  if (r.some((x) => x.content === -1)) return -1;
  // A host holding only a retired instance's directory comes last.
  return r.length ? Math.min(...r.map((x) => x.dbid)) : Number.MAX_SAFE_INTEGER;
}

define('mpp-topology', MppTopology);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-topology': MppTopology;
  }
}

/** Whether the instance is down in the catalog (its card offers a restart). */
function downInCatalog(dbid: number, rows: readonly { dbid: number; status: string }[]): boolean {
  return rows.find((r) => r.dbid === dbid)?.status === 'd';
}
