import { LitElement, css, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { define } from '../define.ts';
import { emit } from '../events.ts';
import { rovingKeydown } from '../shared/roving.ts';
import { baseStyles } from '../shared/base.styles.ts';
import type { MirroringMode } from '../../workers/index.ts';
import '../topology/mpp-topology.ts';
import type { ClusterStore } from '../state/cluster-store.ts';
import { errorText } from '../state/start-options.ts';
import { StoreWatcher } from '../state/store-watcher.ts';
import { utility } from '../state/actions.ts';
import {
  expandLayout,
  fromRows,
  type ExpansionPlan,
  customLayout,
  customContents,
  exportGpaddmirrors,
  exportGpinitsystem,
  importLayout,
  planLayout,
  splitHosts,
  toRows,
  whatIfText,
  type Layout,
} from './placement-model.ts';

/**
 * Plan a cluster before running it: hosts, segments per host and mirroring (gpinitsystem's
 * group or spread), or a real cluster's gp_segment_configuration pasted in (psql's aligned
 * output or CSV). Live validation in Greenplum's words, a what-if for every host's failure, a
 * preview, the gpinitsystem and gpaddmirrors files to take to a real cluster, and a button that
 * boots the layout in the lab. Or the running cluster grown onto new hosts as gpexpand's
 * interview places them, with the input file, and a button that runs gpexpand's setup.
 * @csspart preview - the topology preview
 * @csspart files - the exported files
 * @tag mpp-placement
 */
export class MppPlacement extends LitElement {
  static override styles = [
    baseStyles,
    css`
      input.narrow {
        width: 5rem;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: end;
      }
      label {
        display: flex;
        flex-direction: column;
        font-size: 0.75rem;
        color: var(--mpp-muted, #94a3b8);
      }
      input,
      select,
      textarea {
        padding: 0.2rem 0.35rem;
        border-radius: 4px;
        border: 1px solid var(--mpp-border, #334155);
        background: var(--mpp-card-bg, #0b1324);
      }
      textarea {
        width: 100%;
        min-height: 7rem;
        font-family: var(--mpp-mono, ui-monospace, monospace);
        font-size: 0.75rem;
      }
      .tabs {
        display: flex;
        gap: 0.3rem;
        margin-bottom: 0.5rem;
      }
      .tabs button[aria-selected='true'] {
        background: var(--mpp-accent, #38bdf8);
        color: #04111d;
      }
      ul {
        margin: 0.4rem 0;
        padding-left: 1.1rem;
        font-size: 0.8rem;
      }
      li.error {
        color: var(--mpp-down, #f87171);
      }
      li.warning {
        color: var(--mpp-warn, #fbbf24);
      }
      .bad {
        color: var(--mpp-down, #f87171);
      }
      pre {
        max-height: 12rem;
        overflow: auto;
        font-size: 0.72rem;
        background: var(--mpp-card-bg, #0b1324);
        padding: 0.4rem;
        border-radius: 4px;
      }
      details {
        margin: 0.4rem 0;
      }
    `,
  ];

  /** The running cluster, for an expansion plan. */
  @property({ attribute: false }) store: ClusterStore | undefined;

  @state() private _mode: Mode = 'plan';
  /** Expansion: the new hosts. */
  @state() private _newHosts = 'sdw3,sdw4';
  @state() private _expanding = false;

  constructor() {
    super();
    new StoreWatcher(this);
  }
  @state() private _hosts = 'sdw1,sdw2,sdw3';
  @state() private _segments = 2;
  @state() private _mirroring: MirroringMode | 'custom' = 'spread';
  /** How the mirrors are kept: WAL streaming, or Greenplum 5 file replication. */
  @state() private _replication: 'wal' | 'filerep' = 'wal';
  /** Custom mirroring: the host the person chose for each content's mirror. */
  @state() private _mirrorHosts: Record<number, string> = {};
  @state() private _standby = true;
  @state() private _import = '';

  /** The layout as the inputs describe it now. */
  get layout(): Layout {
    if (this._mode === 'import') return importLayout(this._import);
    if (this._mode === 'expand') return expandLayout(fromRows(this.store?.config ?? []), this._newHosts);
    const base = { hosts: this._hosts, segmentsPerHost: this._segments, standby: this._standby };
    return this._mirroring === 'custom'
      ? customLayout({ ...base, mirrorHosts: this._mirrorHosts })
      : planLayout({ ...base, mirroring: this._mirroring });
  }

  /** Chooses the host of one content's mirror (custom mirroring). */
  setMirrorHost(content: number, host: string): void {
    this._mirrorHosts = { ...this._mirrorHosts, [content]: host };
  }

  /** One host choice per content, defaulting to spread mirroring's host. */
  private renderCustom() {
    const hosts = splitHosts(this._hosts);
    const contents = customContents({
      hosts: this._hosts,
      segmentsPerHost: this._segments,
      standby: this._standby,
    });
    if (!contents.length) return nothing;
    return html`<table class="custom" aria-label="Mirror host of each content">
      <thead>
        <tr>
          <th>content</th>
          <th>primary on</th>
          <th>mirror on</th>
        </tr>
      </thead>
      <tbody>
        ${contents.map(({ content: c, primaryHost, mirrorHost }) => {
          const chosen = this._mirrorHosts[c] ?? mirrorHost;
          return html`<tr>
            <td>${c}</td>
            <td>${primaryHost}</td>
            <td>
              <select
                data-content=${c}
                aria-label=${`host of content ${c}'s mirror`}
                .value=${chosen}
                @change=${(e: Event) => this.setMirrorHost(c, (e.target as HTMLSelectElement).value)}
              >
                ${hosts.map((h) => html`<option value=${h} ?selected=${h === chosen}>${h}</option>`)}
              </select>
            </td>
          </tr>`;
        })}
      </tbody>
    </table>`;
  }

  /** Pastes a gp_segment_configuration listing (psql aligned output or CSV) and shows it. */
  importText(text: string): void {
    this._mode = 'import';
    this._import = text;
  }

  private boot(b: NonNullable<Layout['bootable']>): void {
    emit(this, 'mpp-lab-configure', {
      hosts: b.hosts,
      mirroring: b.mirroring,
      replication: this._replication,
      segmentsPerHost: b.segmentsPerHost,
      standby: b.standby,
      ...(b.mirrorFile ? { mirrorFile: b.mirrorFile } : {}),
      // The lab reports a boot that fails itself; nothing to add here.
      reply: (done) => void done.catch(() => undefined),
    });
  }

  private download(name: string, text: string): void {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  /** Runs gpexpand's setup on the running cluster with the planned input file. */
  private async expand(inputFile: string): Promise<void> {
    const store = this.store;
    if (!store?.cluster) return;
    this._expanding = true;
    try {
      store.cluster.files.set('gpexpand_inputfile_lab', inputFile);
      await utility(store, 'gpexpand -i gpexpand_inputfile_lab');
    } catch (e) {
      // The file could not be written (a recorded run takes its files from its own steps).
      store.finishAction(
        store.beginAction('utility', 'gpexpand -i gpexpand_inputfile_lab'),
        false,
        errorText(e),
      );
    } finally {
      this._expanding = false;
    }
  }

  private renderExpansion(l: ExpansionPlan) {
    return html`<div class="row">
        <button
          ?disabled=${this._expanding || this.store?.state !== 'ready'}
          @click=${() => void this.expand(l.inputFile!)}
        >
          ${this._expanding ? 'Running gpexpand setup…' : 'Run gpexpand setup on the running cluster'}
        </button>
        <span class="muted">Then run <code>gpexpand</code> to redistribute the tables.</span>
      </div>
      <div part="files">
        <details open>
          <summary>gpexpand -i file (mirroring: ${l.strategy})</summary>
          <pre tabindex="0" class="gpexpand">${l.inputFile}</pre>
          <button class="quiet" @click=${() => this.download('gpexpand_inputfile', l.inputFile!)}>
            Download
          </button>
        </details>
      </div>`;
  }

  private renderInputs() {
    if (this._mode === 'expand')
      return html`<form @submit=${(e: Event) => e.preventDefault()}>
        <label
          >New segment hosts<input
            .value=${this._newHosts}
            @input=${(e: Event) => (this._newHosts = (e.target as HTMLInputElement).value)}
        /></label>
        <span class="muted">placed as gpexpand's interview places them, beside the running cluster</span>
      </form>`;
    if (this._mode === 'import')
      return html`<label
        >Output of <code>select * from gp_segment_configuration</code> (psql aligned, unaligned or CSV)
        <textarea
          .value=${this._import}
          spellcheck="false"
          @input=${(e: Event) => (this._import = (e.target as HTMLTextAreaElement).value)}
        ></textarea>
      </label>`;
    return html`<form @submit=${(e: Event) => e.preventDefault()}>
        <label
          >Segment hosts<input
            .value=${this._hosts}
            @input=${(e: Event) => (this._hosts = (e.target as HTMLInputElement).value)}
        /></label>
        <label
          >Primaries per host<input
            type="number"
            min="1"
            max="16"
            class="narrow"
            .value=${String(this._segments)}
            @input=${(e: Event) => (this._segments = Math.floor(Number((e.target as HTMLInputElement).value)) || 0)}
        /></label>
        <label
          >Mirroring<select
            .value=${this._mirroring}
            @change=${(e: Event) =>
              (this._mirroring = (e.target as HTMLSelectElement).value as MirroringMode | 'custom')}
          >
            <option value="group">group</option>
            <option value="spread">spread</option>
            <option value="custom">custom (each mirror's host)</option>
            <option value="none">none</option>
          </select></label
        >
        <label
          >Replication<select
            .value=${this._replication}
            @change=${(e: Event) =>
              (this._replication = (e.target as HTMLSelectElement).value as 'wal' | 'filerep')}
          >
            <option value="wal">WAL streaming (Greenplum 6, 7)</option>
            <option value="filerep">file replication (Greenplum 4, 5)</option>
          </select></label
        >
        <label
          >Standby on scdw<input
            type="checkbox"
            .checked=${this._standby}
            @change=${(e: Event) => (this._standby = (e.target as HTMLInputElement).checked)}
        /></label>
      </form>
      ${this._mirroring === 'custom' ? this.renderCustom() : nothing}`;
  }

  private _tabKey = (e: KeyboardEvent): void => {
    const to = rovingKeydown(e, [...this.renderRoot.querySelectorAll<HTMLElement>('[role="tab"]')]);
    if (to) this._mode = to.dataset['mode'] as Mode;
  };

  override render() {
    const l = this.layout;
    const errors = l.problems.filter((p) => p.severity === 'error');
    return html`
      <div class="tabs" role="tablist" aria-label="Source of the layout">
        ${TABS.map(
          ([mode, label]) =>
            html`<button
              role="tab"
              data-mode=${mode}
              aria-selected=${this._mode === mode}
              tabindex=${this._mode === mode ? 0 : -1}
              class="quiet"
              @click=${() => (this._mode = mode)}
              @keydown=${this._tabKey}
            >
              ${label}
            </button>`,
        )}
      </div>
      ${this.renderInputs()}
      <div aria-live="polite">
        ${l.parseError ? html`<p class="bad" role="alert">${l.parseError}</p>` : nothing}
        ${
          l.problems.length
            ? html`<ul class="problems">
                ${l.problems.map(
                  (p) =>
                    html`<li class=${p.severity}>
                      ${p.severity}: ${p.message} <span class="muted">(${p.source})</span>
                    </li>`,
                )}
              </ul>`
            : l.config
              ? html`<p class="muted">Valid: ${l.config.length} instances.</p>`
              : nothing
        }
      </div>
      ${
        l.config && !errors.length
          ? html`
              <h3>What if a host fails?</h3>
              <ul class="whatif">
                ${l.whatIf.map((w) => html`<li class=${w.survives ? '' : 'error'}>${whatIfText(w)}</li>`)}
              </ul>
              <div part="preview"><mpp-topology preview .rows=${toRows(l.config)}></mpp-topology></div>
              ${this._mode === 'expand' ? this.renderExpansion(l as ExpansionPlan) : this.renderBuild(l)}
            `
          : nothing
      }
    `;
  }

  private renderBuild(l: Layout) {
    if (!l.config) return nothing;
    return html`<div class="row">
        ${
          l.bootable
            ? html`<button @click=${() => this.boot(l.bootable!)}>Build this cluster in the lab</button>`
            : html`<span class="muted"
                >A custom or uneven layout: gpinitsystem cannot build it from a config, so the lab cannot
                either.</span
              >`
        }
      </div>
      <div part="files">
        <details>
          <summary>gpinitsystem_config</summary>
          <pre tabindex="0" class="gpinitsystem">${exportGpinitsystem(l.config)}</pre>
          <button
            class="quiet"
            @click=${() => this.download('gpinitsystem_config', exportGpinitsystem(l.config!))}
          >
            Download
          </button>
        </details>
        ${
          l.config.some((r) => r.content >= 0 && r.preferred_role === 'm')
            ? html`<details>
                <summary>gpaddmirrors -i file</summary>
                <pre tabindex="0" class="gpaddmirrors">${exportGpaddmirrors(l.config)}</pre>
                <button
                  class="quiet"
                  @click=${() => this.download('mirror_config', exportGpaddmirrors(l.config!))}
                >
                  Download
                </button>
              </details>`
            : nothing
        }
      </div>`;
  }
}

type Mode = 'plan' | 'import' | 'expand';

const TABS: [Mode, string][] = [
  ['plan', 'Plan with gpinitsystem rules'],
  ['import', 'Import a real cluster'],
  ['expand', 'Expand the running cluster'],
];

define('mpp-placement', MppPlacement);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-placement': MppPlacement;
  }
}
