import { LitElement, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { InstanceStatus } from '../../workers/index.ts';
import { define } from '../define.ts';
import { emit } from '../events.ts';
import * as act from '../state/actions.ts';
import type { ClusterStore } from '../state/cluster-store.ts';
import { StoreWatcher } from '../state/store-watcher.ts';
import { contentLabel, modeLabel, roleLabel, statusLabel } from '../state/types.ts';
import { effectiveStatus } from '../topology/instance-card.ts';
import { styles } from './mpp-instance-details.styles.ts';
import { integrityRows } from './integrity-rows.ts';

/**
 * One instance in detail: its gp_segment_configuration row, what the lab knows of its process,
 * faults applied to it, its recent events, and buttons to crash or restart it.
 * @fires mpp-instance-select - detail: { dbid: undefined } when closed
 * @fires mpp-console-open - detail: { dbid } to open a utility-mode console on it
 * @tag mpp-instance-details
 */
export class MppInstanceDetails extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) store: ClusterStore | undefined;
  /** The instance shown. */
  @property({ type: Number }) dbid: number | undefined;
  /** The instance seen from inside its process, refreshed while shown. */
  @state() private _inside: InstanceStatus | undefined;
  private _poll: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this._poll = setInterval(() => void this._fetchInside(), 1000);
    void this._fetchInside();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this._poll);
  }

  protected override updated(changed: Map<string, unknown>): void {
    if (changed.has('dbid')) {
      this._inside = undefined;
      void this._fetchInside();
    }
  }

  private async _fetchInside(): Promise<void> {
    const c = this.store?.cluster;
    const dbid = this.dbid;
    if (!c || dbid === undefined) return;
    const st = await c.instanceStatus(dbid).catch(() => undefined);
    if (this.dbid === dbid) this._inside = st;
  }

  constructor() {
    super();
    new StoreWatcher(this);
    // Escape anywhere in the panel closes it, as its ✕ does; focus returns to the card.
    this.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape' || this.dbid === undefined || e.defaultPrevented) return;
      e.preventDefault();
      emit(this, 'mpp-instance-select', { dbid: undefined, refocus: this.dbid });
    });
  }

  override render() {
    const s = this.store;
    const row = s?.config.find((r) => r.dbid === this.dbid);
    if (!s || !row) return html`<p class="muted">Select an instance in the topology to see its details.</p>`;
    const eff = effectiveStatus(row, s.proc.get(row.dbid));
    const events = s.events.filter((e) => e.dbid === row.dbid).slice(0, 12);
    const faults = [
      s.applied.slowDisks.has(row.dbid) ? `slow disk ${s.applied.slowDisks.get(row.dbid)} ms` : '',
      s.applied.fullDisks.has(row.dbid) ? 'disk full' : '',
      s.applied.delays.has(String(row.dbid)) ? `link delay ${s.applied.delays.get(String(row.dbid))} ms` : '',
      s.applied.delays.has(row.hostname)
        ? `host ${row.hostname} delayed ${s.applied.delays.get(row.hostname)} ms`
        : '',
    ].filter(Boolean);
    const down = eff === 'crashed' || eff === 'down' || eff === 'stopped';
    return html`
      <header>
        <h2>dbid ${row.dbid} · ${contentLabel(row.content)} · ${row.hostname}</h2>
        <button
          class="quiet"
          aria-label="Close details"
          @click=${() => emit(this, 'mpp-instance-select', { dbid: undefined })}
        >
          ✕
        </button>
      </header>
      <div class="cols">
        <div>
          <h3>gp_segment_configuration</h3>
          <table class="kv">
            <tr>
              <th>dbid</th>
              <td>${row.dbid}</td>
            </tr>
            <tr>
              <th>content</th>
              <td>${row.content}</td>
            </tr>
            <tr>
              <th>role</th>
              <td>${row.role} (${roleLabel(row.role, row.content)})</td>
            </tr>
            <tr>
              <th>preferred_role</th>
              <td>${row.preferredRole} (${roleLabel(row.preferredRole, row.content)})</td>
            </tr>
            <tr>
              <th>mode</th>
              <td>
                ${row.mode}
                (${row.content === -1 ? "the catalog does not track the coordinator's sync: see its replication" : modeLabel(row.mode)})
              </td>
            </tr>
            <tr>
              <th>status</th>
              <td>${row.status} (${statusLabel(row.status)})</td>
            </tr>
            <tr>
              <th>port</th>
              <td>${row.port}</td>
            </tr>
            <tr>
              <th>hostname</th>
              <td>${row.hostname}</td>
            </tr>
            <tr>
              <th>address</th>
              <td>${row.address}</td>
            </tr>
            <tr>
              <th>datadir</th>
              <td class="mono">${row.datadir}</td>
            </tr>
          </table>
          <p>
            Process: <strong class=${down ? 'error' : 'ok'}>${eff}</strong>
            ${faults.length ? html`<br />Faults: ${faults.join(', ')}` : nothing}
          </p>
          <div class="buttons">
            <button class="danger" ?disabled=${down} @click=${() => act.crash(s, row.dbid)}>Crash</button>
            <button @click=${() => act.restart(s, row.dbid)}>
              ${down ? 'Restart' : 'Restart (crash + recover)'}
            </button>
            <button
              ?disabled=${row.content !== -1 && !s.features.utilityMode}
              @click=${() => emit(this, 'mpp-console-open', { dbid: row.content === -1 ? undefined : row.dbid })}
            >
              ${row.content === -1 ? 'Open console' : 'Utility-mode console'}
            </button>
          </div>
          ${this.renderInside()}
          ${this._inside?.fileRep ? this.renderFileRep() : this.renderReplication(row.content)}
        </div>
        <div>
          <h3>Recent events for dbid ${row.dbid}</h3>
          ${
            events.length
              ? html`<ol class="events" tabindex="0" aria-label="Recent events for this instance">
                  ${events.map(
                    (e) =>
                      html`<li>
                        <time>${new Date(e.at).toLocaleTimeString()}</time> <strong>${e.kind}</strong>
                        <span class="mono">${e.text}</span>
                      </li>`,
                  )}
                </ol>`
              : html`<p class="muted">No events yet.</p>`
          }
        </div>
      </div>
    `;
  }

  /** Timeline, WAL positions and buffer pool, read inside the instance's process. */
  private renderInside() {
    const i = this._inside;
    if (!i) return nothing;
    if (!i.running)
      return html`<h3>Inside the process</h3>
        <p class="muted">Not running: its memory (buffer pool, sessions) is gone; its disk is kept.</p>`;
    const b = i.buffers;
    return html`<h3>Inside the process</h3>
      <table class="kv inside">
        <tr>
          <th>running as</th>
          <td>${i.role}</td>
        </tr>
        <tr>
          <th>timeline</th>
          <td>${i.timeline}</td>
        </tr>
        <tr>
          <th>WAL flushed</th>
          <td class="mono">${i.walFlushed}</td>
        </tr>
        <tr>
          <th>WAL replayed</th>
          <td class="mono">${i.walReplayed}</td>
        </tr>
        <tr>
          <th>last checkpoint</th>
          <td class="mono">${i.checkpoint}</td>
        </tr>
        ${
          i.walsender
            ? html`<tr>
                <th>walsender</th>
                <td>${i.walsender}</td>
              </tr>`
            : nothing
        }
        ${this.renderProbeTimes(i.ftsProbe)} ${integrityRows(i.integrity)}
        ${
          b
            ? html`<tr>
                <th>buffer pool</th>
                <td>
                  ${b.used} of ${b.shared_buffers} pages in use, ${b.dirty} dirty (not yet on disk) ·
                  ${b.hits} hits, ${b.reads} reads
                </td>
              </tr>`
            : nothing
        }
      </table>`;
  }

  /**
   * How fast this primary answers FTS: a busy instance must still answer well inside
   * gp_fts_probe_timeout, or FTS fails it over though nothing is wrong.
   */
  private renderProbeTimes(p: InstanceStatus['ftsProbe']) {
    if (!p || p.probes === 0) return nothing;
    const late = p.worstMs > p.timeoutMs / 2;
    return html`<tr>
      <th>FTS probe answer</th>
      <td>
        last ${ms(p.lastMs)}, worst <span class=${late ? 'error' : 'ok'}>${ms(p.worstMs)}</span> of
        ${p.probes}
        probes${p.failures ? html`, <span class="error">${p.failures} unanswered</span>` : nothing} · timeout
        ${ms(p.timeoutMs)}
      </td>
    </tr>`;
  }

  /**
   * Greenplum 5 file replication, as the instance itself reports it: its data state, the
   * change tracking log, a resynchronization's progress; the blocks its cache holds that the
   * mirror does not have yet (they reach the disk, and so the mirror, when written out).
   */
  private renderFileRep() {
    const i = this._inside!;
    const f = i.fileRep!;
    const kB = (blocks: number) => `${((blocks * 8192) / 1024).toFixed(0)} kB`;
    if (f.role === 'mirror')
      return html`<h3>File replication (mirror)</h3>
        <table class="kv filerep">
          <tr>
            <th>state</th>
            <td>passive: applies the blocks its primary writes; runs no queries</td>
          </tr>
          <tr>
            <th>blocks applied</th>
            <td>${f.blocksApplied ?? 0} (${kB(f.blocksApplied ?? 0)}) since it started</td>
          </tr>
        </table>`;
    const state = { s: 'Synchronized', c: 'Change Tracking', r: 'Resynchronizing' }[f.mode ?? 's'];
    const r = f.resync;
    return html`<h3>File replication (primary → mirror)</h3>
      <table class="kv filerep">
        <tr>
          <th>data state</th>
          <td>${state}${f.faulted ? ' — the mirror stopped answering; commits wait for FTS' : ''}</td>
        </tr>
        <tr>
          <th>cache vs disk</th>
          <td>
            ${i.buffers?.dirty ?? 0} pages changed in the cache, not yet on disk: the mirror still has their
            older image until a checkpoint or an eviction writes them
          </td>
        </tr>
        <tr>
          <th>change tracking log</th>
          <td>
            ${f.changeTrackingBlocks} blocks changed while the mirror was away
            (${kB(f.changeTrackingBlocks)}), the log ${f.changeTrackingBytes} bytes on disk
          </td>
        </tr>
        <tr>
          <th>in flight</th>
          <td>${f.inFlight} block writes sent, not yet acknowledged</td>
        </tr>
        ${
          r
            ? html`<tr>
                <th>resynchronizing</th>
                <td>
                  <progress max=${r.total} .value=${r.done}></progress>
                  ${r.done} of ${r.total} blocks
                  (${r.full ? 'full' : `incremental: ${r.tracked} tracked, ${r.suspects} in flight when the pair failed`})
                </td>
              </tr>`
            : nothing
        }
        ${
          f.blocks?.length
            ? html`<tr>
                <th>blocks vs the mirror</th>
                <td>${this.renderBlockMap(f.blocks)}</td>
              </tr>`
            : nothing
        }
        ${
          f.lastResync
            ? html`<tr>
                <th>last resync</th>
                <td>
                  ${f.lastResync.full ? 'full' : 'incremental'}: ${f.lastResync.blocks} blocks sent
                  (${kB(f.lastResync.blocks)})
                </td>
              </tr>`
            : nothing
        }
      </table>`;
  }

  /** One square per relation block: cached only, tracked, or replicated (as the mirror has it). */
  private renderBlockMap(blocks: NonNullable<NonNullable<InstanceStatus['fileRep']>['blocks']>) {
    const count = (s: string) => blocks.filter((b) => b.state === s).length;
    return html`<div
        class="blockmap"
        role="img"
        aria-label=${`${count('cached')} blocks cached only, ${count('tracked')} tracked, ${count('replicated')} replicated`}
      >
        ${blocks.map((b) => html`<span class="blk ${b.state}" title=${`${b.file} block ${b.block}: ${b.state}`}></span>`)}
      </div>
      <div class="legend">
        <span class="blk cached"></span> ${count('cached')} changed in the cache only (the mirror has the
        older image) <span class="blk tracked"></span> ${count('tracked')} in the change tracking log
        <span class="blk replicated"></span> ${count('replicated')} on the mirror too
      </div>`;
  }

  /** The pair's walsender, as gp_stat_replication shows it at the last catalog refresh. */
  private renderReplication(content: number) {
    const r = this.store?.health.replication.get(content);
    const who = content === -1 ? 'coordinator → standby' : 'primary → mirror';
    if (!r)
      return html`<h3>Replication (${who})</h3>
        <p class="muted">No walsender streaming for this ${content === -1 ? 'coordinator' : 'content'}.</p>`;
    return html`<h3>Replication (${who})</h3>
      <table class="kv replication">
        <tr>
          <th>state</th>
          <td>${r.state}</td>
        </tr>
        <tr>
          <th>sync_state</th>
          <td>${r.syncState ?? ''}</td>
        </tr>
        <tr>
          <th>sent_lsn</th>
          <td class="mono">${r.sentLsn ?? ''}</td>
        </tr>
        <tr>
          <th>flush_lsn</th>
          <td class="mono">${r.flushLsn ?? ''}</td>
        </tr>
        <tr>
          <th>replay_lsn</th>
          <td class="mono">${r.replayLsn ?? ''}</td>
        </tr>
        <tr>
          <th>replay lag</th>
          <td>${(r.lagBytes / 1024).toFixed(1)} kB</td>
        </tr>
        ${
          r.syncError && r.syncError !== 'none'
            ? html`<tr>
                <th>sync_error</th>
                <td class="error">${r.syncError}</td>
              </tr>`
            : nothing
        }
      </table>`;
  }
}

define('mpp-instance-details', MppInstanceDetails);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-instance-details': MppInstanceDetails;
  }
}

const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);
