import { LitElement, html, nothing, render, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type { ClusterOptions, SavedTopology } from '../../workers/index.ts';
import { define } from '../define.ts';
import { ClusterStore } from '../state/cluster-store.ts';
import { utility } from '../state/actions.ts';
import { StoreWatcher } from '../state/store-watcher.ts';
import { BankWorkload } from '../workload/bank-workload.ts';
import '../topology/mpp-topology.ts';
import '../cluster-state/mpp-cluster-state.ts';
import '../instance-details/mpp-instance-details.ts';
import '../controls/mpp-controls.ts';
import '../console/mpp-console.ts';
import type { MppConsole } from '../console/mpp-console.ts';
import '../workload/mpp-workload.ts';
import '../timeline/mpp-timeline.ts';
import '../charts/mpp-charts.ts';
import '../catalog/mpp-catalog.ts';
import '../lessons/mpp-lessons.ts';
import '../recommend/mpp-recommendations.ts';
import '../saved/mpp-saved-clusters.ts';
import type {
  ConfirmDetail,
  InstanceSelectDetail,
  LabConfigureDetail,
  LessonPointDetail,
  ReplaceRequestDetail,
  SimRequestDetail,
  SimAdoptDetail,
  SimBootDetail,
} from '../events.ts';
import '../sim/mpp-sim-replay.ts';
import '../placement/mpp-placement.ts';
import { lossOf, renderConfirm, renderResumeOffer, type Question } from './lab-dialogs.ts';
import { LabBoot } from './lab-boot.ts';
import { renderHeader } from './lab-header.ts';
import {
  MAIN_COLUMN,
  NARROW_BELOW_PX,
  NARROW_ORDER,
  SIDE_COLUMN,
  SKIP_TARGETS,
  JUMP_LABELS,
  panelsOf,
  parseView,
  type Panel,
  type PanelId,
} from './lab-panels.ts';
import { styles } from './mpp-ha-lab.styles.ts';

/** The attributes that define the cluster; changing one boots a new cluster. */
const CLUSTER_PROPS = [
  'hosts',
  'segmentsPerHost',
  'mirroring',
  'replication',
  'standby',
  'speed',
  'runtime',
  'clusterName',
] as const;

/** The lab's default cluster names, in document order of the unnamed labs. */
function defaultName(i: number): string {
  return i === 0 ? 'mpp-ha-lab' : `mpp-ha-lab-${i + 1}`;
}

/**
 * The lab: a Greenplum-style MPP cluster running in this tab, with a light workload already
 * running, its topology, fault controls, a SQL console, live catalog views, an event timeline,
 * charts and guided lessons. Registers every component it uses.
 *
 * What it stores: with `runtime="worker"`, each instance's disk is an IndexedDB database of this
 * origin named `<cluster>-dbid<dbid>`, and the small database `mpp-ha-lab-topologies` keeps each
 * cluster's layout so a reload can resume it (the Saved clusters panel lists and deletes them).
 * The inline and sim runtimes store nothing. The lab deletes only databases it recognizes as its
 * own (listed in its saved layout, or with its disk schema).
 *
 * @csspart header - the title bar
 * @csspart topology - the topology panel (with the cluster state)
 * @csspart details - the selected instance's details
 * @csspart workload - the workload panel
 * @csspart controls - the fault and utility controls
 * @csspart console - the SQL console panel
 * @csspart catalog - the catalog views panel
 * @csspart timeline - the event timeline panel
 * @csspart charts - the time-series charts panel
 * @csspart lessons - the lessons panel
 * @csspart recommendations - the recommended next actions panel
 * @csspart saved - the saved clusters panel (worker runtime)
 * @csspart placement - the cluster planner (layouts, imports, what-ifs, exported files)
 * @csspart simulation - the simulation panel (seed replay, large simulated clusters)
 * @cssprop --mpp-bg, --mpp-fg, --mpp-muted, --mpp-panel-bg, --mpp-border, --mpp-accent, --mpp-focus, --mpp-selected
 * @cssprop --mpp-primary, --mpp-mirror, --mpp-coordinator, --mpp-down, --mpp-ok, --mpp-warn
 * @tag mpp-ha-lab
 */
export class MppHaLab extends LitElement {
  static override styles = styles;

  /** Segment hosts, comma-separated. */
  @property() hosts = 'sdw1,sdw2';
  /** Primaries per segment host. */
  @property({ type: Number, attribute: 'segments-per-host' }) segmentsPerHost = 2;
  /** Mirror placement, as gpinitsystem does it; group by default. */
  @property() mirroring: 'none' | 'group' | 'spread' = 'group';
  /**
   * How mirrors are kept: 'wal' streams the WAL (Greenplum 6, 7, Cloudberry; the default);
   * 'filerep' replicates file blocks with change tracking and resynchronization (Greenplum 4, 5).
   */
  @property() replication: 'wal' | 'filerep' = 'wal';
  /** A standby coordinator on 'scdw' (on by default; `standby="false"` turns it off). */
  @property({
    converter: {
      fromAttribute: (v: string | null) => v !== 'false' && v !== '0',
      toAttribute: (v: boolean) => String(v),
    },
  })
  standby = true;
  /** 'compressed' time (default) or 'realistic' Greenplum timings. */
  @property() speed: 'compressed' | 'realistic' = 'compressed';
  /**
   * 'inline' (default): every instance a database in this tab's thread, on memory disks.
   * 'worker': every instance in its own Web Worker with its own IndexedDB database; the
   * cluster survives a reload (the lab offers to resume it). 'sim': the deterministic
   * simulator's virtual time, for clusters of hundreds of instances.
   */
  @property() runtime: 'inline' | 'sim' | 'worker' = 'inline';
  /**
   * The worker runtime's cluster name: its databases, and the one tab that may own it. Default:
   * 'mpp-ha-lab', then 'mpp-ha-lab-2', ... for further labs on the page, in document order,
   * skipping names other labs on the page were given, so two labs never share a cluster and
   * each finds its own again after a reload.
   */
  @property({ attribute: 'cluster-name' }) clusterName = '';
  /**
   * Only these panels, in this order (space-separated): topology, details, recommendations,
   * workload, lessons, controls, console, timeline, charts, catalog, saved, placement,
   * simulation, and header. Empty: the whole lab. Example: `view="topology console"`.
   */
  @property() view = '';

  /** The cluster name in effect (see clusterName). */
  get effectiveClusterName(): string {
    if (this.clusterName) return this.clusterName;
    const labs = [...document.querySelectorAll('mpp-ha-lab')] as MppHaLab[];
    const taken = new Set(labs.map((e) => e.clusterName).filter(Boolean));
    const unnamed = labs.filter((e) => !e.clusterName);
    const mine = Math.max(0, unnamed.indexOf(this));
    let seen = -1;
    for (let i = 0; ; i++) {
      const n = defaultName(i);
      if (taken.has(n)) continue;
      if (++seen === mine) return n;
    }
  }
  /** The open lesson's id. */
  @property({ reflect: true }) lesson = 'primary-failover';
  /** Transfers per second the bank workload starts with; 0 leaves it stopped. */
  @property({ type: Number, attribute: 'workload-rate' }) workloadRate = 4;

  /** The running cluster's state (replaced on every boot). */
  @state() store: ClusterStore = new ClusterStore();
  @state() private _selected: number | undefined;
  /** Cards the open lesson step points at. */
  @state() private _pointed: number[] = [];
  /** The question the confirmation dialog asks now. */
  @state() private _question: Question | undefined;
  private _answer: ((yes: boolean) => void) | undefined;
  @query('mpp-console') private _console!: MppConsole;
  @query('dialog.confirm') private _dialog!: HTMLDialogElement;

  /** One column (the element is narrow): the DOM order is the reading order at every width. */
  @state() private _narrow = false;
  private readonly _resize = new ResizeObserver((entries) => {
    const w = entries[0]?.contentRect.width ?? 0;
    // Next frame: a layout change inside a resize callback would re-trigger observers at once.
    if (w > 0) requestAnimationFrame(() => (this._narrow = w < NARROW_BELOW_PX));
  });

  readonly workload = new BankWorkload();
  /** Boots, closes and resumes the cluster (lab-boot.ts). */
  private readonly _boot = new LabBoot(this, {
    useStore: (store) => {
      this.store = store;
      this._selected = undefined;
    },
    followLayout: (o) => this._followLayout(o),
    focusResume: () => this._focusResume(),
  });
  private _booted = false;

  constructor() {
    super();
    new StoreWatcher(this);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this._resize.observe(this);
    if (this._booted) this._boot.schedule();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._resize.disconnect();
    this._answer?.(false);
  }

  protected override firstUpdated(): void {
    this._booted = true;
    this._boot.schedule();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this._booted && CLUSTER_PROPS.some((p) => changed.has(p) && changed.get(p) !== undefined))
      this._boot.schedule();
  }

  /** Options for createCluster from the attributes. */
  clusterOptions(): ClusterOptions {
    const hosts = this.hosts
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    return {
      hosts: hosts.length ? hosts : ['sdw1', 'sdw2'],
      segmentsPerHost: Math.max(1, Math.min(this.runtime === 'sim' ? 16 : 8, this.segmentsPerHost || 1)),
      mirroring: this.mirroring,
      replication: this.replication,
      // 'compressed' runs Greenplum's timings 30× faster, so a failover takes seconds. On the
      // sim runtime the timings stay Greenplum's and virtual time runs faster instead.
      timeScale: this.speed === 'realistic' || this.runtime === 'sim' ? 1 : 30,
      standby: this.standby,
      runtime: this.runtime,
      storage: this.runtime === 'worker' ? 'indexeddb' : 'memory',
      name: this.runtime === 'worker' ? this.effectiveClusterName : 'mpp-ha-lab',
      ...(this._boot.resuming ? { resume: true } : {}),
    };
  }

  /** Closes the current cluster and boots a new one from the attributes, workload included. */
  reboot(): Promise<void> {
    return this._boot.reboot();
  }

  /** The attributes become a saved cluster's layout (LabBoot resumes it next). */
  private _followLayout(o: SavedTopology['options']): void {
    if (o.hosts) this.hosts = o.hosts.join(',');
    if (o.segmentsPerHost) this.segmentsPerHost = o.segmentsPerHost;
    if (o.mirroring) this.mirroring = o.mirroring;
    this.replication = o.replication ?? 'wal';
    this.standby = o.standby ?? false;
  }

  /**
   * The resume offer takes the focus, so a keyboard or screen reader user lands on it. On the
   * static site it also scrolls into view (a reload restores the old scroll position); an
   * embedded lab does not move its author's page.
   */
  private _focusResume(): void {
    void this.updateComplete.then(() => {
      const b = this.renderRoot.querySelector<HTMLElement>('.resume button');
      if (!b) return;
      const site = document.documentElement.hasAttribute('data-mpp-site');
      b.focus({ preventScroll: !site });
      if (site) b.closest('section')?.scrollIntoView({ block: 'center' });
    });
  }

  /** Asks the confirmation dialog; resolves with the answer. */
  confirm(q: Question): Promise<boolean> {
    this._answer?.(false);
    return new Promise((resolve) => {
      this._question = q;
      this._answer = (yes) => {
        this._answer = undefined;
        this._question = undefined;
        if (this._dialog?.open) this._dialog.close();
        resolve(yes);
      };
      void this.updateComplete.then(() => {
        if (this._dialog && !this._dialog.open) this._dialog.showModal();
      });
    });
  }

  /** Confirms replacing the running cluster with `what` (nothing running: nothing to ask). */
  private _confirmReplace(what: string): Promise<boolean> {
    const lost = lossOf(this.store, this.workload, this.store.options.runtime === 'worker');
    if (!lost.length) return Promise.resolve(true);
    return this.confirm({
      title: `Replace the running cluster with ${what}?`,
      lost,
      confirm: 'Replace the cluster',
    });
  }

  private async _newCluster(): Promise<void> {
    const o = this.store.options;
    const hosts = o.hosts?.length ?? 0;
    // The layout it was built with: after gpexpand that is not the one running now.
    const built = `${hosts} host${hosts === 1 ? '' : 's'} × ${o.segmentsPerHost ?? 1} segments, mirroring ${o.mirroring ?? 'none'}`;
    if (await this._confirmReplace(`a new one as this one was built (${built})`)) await this.reboot();
  }

  /** A lesson or the planner asks for a cluster of another shape: confirm, set the attributes, boot. */
  private _configure(d: LabConfigureDetail): void {
    const done = (async () => {
      const what = `a new ${d.mirroring === 'none' ? 'unmirrored' : `${d.mirroring}-mirrored`} cluster on ${d.hosts.split(',').length} hosts`;
      if (!(await this._confirmReplace(what))) throw new Error('Cancelled: the running cluster was kept.');
      this.hosts = d.hosts;
      this.mirroring = d.mirroring;
      this.replication = d.replication ?? 'wal';
      this.segmentsPerHost = d.segmentsPerHost ?? 2;
      this.standby = d.standby ?? true;
      await this.updateComplete;
      this._boot.cancel();
      await this.reboot();
      if (this.store.state !== 'ready')
        throw new Error(`the cluster failed to start: ${this.store.bootError}`);
      // Mirrors placed by hand: gpaddmirrors -i, as a DBA builds such a layout.
      if (d.mirrorFile) {
        this.store.cluster!.files.set('mirror_config', d.mirrorFile);
        if (!(await utility(this.store, 'gpaddmirrors -a -i mirror_config')))
          throw new Error('gpaddmirrors -i failed: see the timeline');
      }
    })();
    d.reply(done);
  }

  /** Shows a cluster the simulation panel made (a replay): no workload of the lab's own. */
  private _adopt(d: SimAdoptDetail): void {
    const store = new ClusterStore();
    store.refreshMs = 1000;
    this._boot.replaceWith(store);
    const adopted = store.adopt(d.cluster, d.options, d.pump, d.reader);
    if (d.reply) d.reply(adopted);
    else void adopted;
  }

  /** A lesson's request to the Simulation panel: a run to open and take over, time to let pass. */
  private _simRequest(d: SimRequestDetail): Promise<void> {
    const panel = this.renderRoot.querySelector('mpp-sim-replay');
    if (!panel) return Promise.reject(new Error('This lab shows no Simulation panel to run it in.'));
    return d.kind === 'open' ? panel.openRun(d.run, d.what) : panel.actOrThrow(d.step);
  }

  private _simBoot(d: SimBootDetail): void {
    this.hosts = d.hosts;
    this.segmentsPerHost = d.segmentsPerHost;
    this.mirroring = d.mirroring;
    this.runtime = 'sim';
  }

  /** Pause stops the cluster's clock and the workload with it; resume restarts both. */
  private _togglePause(): void {
    const s = this.store;
    const pausing = !s.timePaused;
    if (pausing) this.workload.pauseWithTime();
    s.setTimePaused(pausing);
    if (!pausing) this.workload.resumeWithTime();
    s.announce(pausing ? 'Cluster time paused.' : 'Cluster time running again.');
  }

  private _openConsole(dbid: number | undefined): void {
    const c = this._console;
    if (!c) return;
    c.target = dbid;
    c.scrollIntoView({ block: 'nearest' });
    c.setText(c.sql);
  }

  /** A lesson step points at cards; on request, one is brought into view and focused. */
  private _point(d: LessonPointDetail): void {
    this._pointed = d.dbids;
    if (d.reveal !== undefined) this._focusCard(d.reveal);
  }

  private _select(d: InstanceSelectDetail): void {
    const opened = this._selected === undefined && d.dbid !== undefined;
    this._selected = d.dbid;
    if (d.refocus !== undefined) this._focusCard(d.refocus);
    else if (opened) void this.updateComplete.then(() => this._revealDetails());
  }

  /**
   * The details panel opens below the topology, often past the window's bottom: the page moves
   * just enough to show its start, so the click visibly did something and the cards stay in view.
   */
  private _revealDetails(): void {
    const panel = this.renderRoot.querySelector<HTMLElement>('section.p-details');
    if (!panel) return;
    const r = panel.getBoundingClientRect();
    const shown = Math.min(r.height, 240);
    if (r.top + shown > window.innerHeight)
      window.scrollBy({ top: r.top + shown - window.innerHeight, behavior: 'smooth' });
  }

  private _focusCard(dbid: number): void {
    const topo = this.renderRoot.querySelector('.p-topology mpp-topology');
    const card = topo?.shadowRoot?.querySelector<HTMLElement>(`button.card[data-dbid="${dbid}"]`);
    card?.scrollIntoView({ block: 'center' });
    card?.focus({ preventScroll: true });
  }

  /** A skip link: focus the panel's heading (ids inside a shadow root cannot be URL targets). */
  private _skipTo(e: Event, id: PanelId): void {
    e.preventDefault();
    const h = this.renderRoot.querySelector<HTMLElement>(`#h-${id}`);
    if (!h) return;
    // The heading lands just below the sticky jump bar, however many lines it wraps to.
    const bar = this.renderRoot.querySelector<HTMLElement>('nav.jump');
    if (bar) h.style.scrollMarginTop = `${bar.offsetHeight + 8}px`;
    h.focus({ preventScroll: true });
    h.scrollIntoView({ block: 'start' });
  }

  /** Whether a panel shows at all (details only with a selection, saved clusters only on disk). */
  private _shown(id: PanelId): boolean {
    if (id === 'details') return this._selected !== undefined;
    if (id === 'saved') return this.runtime === 'worker';
    return true;
  }

  /**
   * Each panel's section, made once and kept: switching between one and two columns moves it
   * rather than making a new one, so what a person typed or chose in it stays (a planner's tab,
   * a console's open transaction, a lesson's step).
   */
  private readonly _sections = new Map<PanelId, HTMLElement>();

  private _panel(panel: Panel): HTMLElement {
    const id = panel.id;
    let section = this._sections.get(id);
    if (!section) {
      section = document.createElement('section');
      section.className = `panel p-${id}`;
      section.setAttribute('part', id);
      section.setAttribute('aria-labelledby', `h-${id}`);
      this._sections.set(id, section);
    }
    render(
      html`<h2 id=${`h-${id}`} tabindex="-1">${panel.title}</h2>
        ${panel.render()}`,
      section,
      { host: this },
    );
    return section;
  }

  override render() {
    const s = this.store;
    const view = parseView(this.view);
    const panels = panelsOf({
      store: s,
      workload: this.workload,
      lesson: this.lesson,
      selected: this._selected,
      pointed: this._pointed,
      clusterName: this.effectiveClusterName,
    });
    const shown = (ids: readonly PanelId[]) =>
      ids.filter((id) => this._shown(id)).map((id) => this._panel(panels[id]));
    const skips = SKIP_TARGETS.filter((id) => this._shown(id) && (!view || view.includes(id)));
    return html`
      ${
        skips.length > 1
          ? this._narrow && !view
            ? // One column is a long page (the console some 4,000 px down on a phone): the
              // links stay in view, for touch and keyboard alike.
              html`<nav class="skip jump" aria-label="Jump to a panel">
                <span class="muted">Jump to</span>
                ${skips.map(
                  (id) =>
                    html`<a
                      href=${`#h-${id}`}
                      title=${panels[id].title}
                      aria-label=${panels[id].title}
                      @click=${(e: Event) => this._skipTo(e, id)}
                      >${JUMP_LABELS[id] ?? panels[id].title}</a
                    >`,
                )}
              </nav>`
            : html`<nav class="skip" aria-label="Skip to a panel">
                ${skips.map(
                  (id) =>
                    html`<a class="sr-only" href=${`#h-${id}`} @click=${(e: Event) => this._skipTo(e, id)}
                      >Skip to ${panels[id].title}</a
                    >`,
                )}
              </nav>`
          : nothing
      }
      ${
        !view || view.includes('header')
          ? renderHeader({
              store: s,
              worker: this.runtime === 'worker',
              speed: this.speed,
              waiting: this._boot.resumable ? (this._boot.openElsewhere ? 'elsewhere' : 'choice') : undefined,
              togglePause: () => this._togglePause(),
              newCluster: () => void this._newCluster(),
            })
          : nothing
      }
      ${s.bootNotice ? html`<p class="notice" role="note">${s.bootNotice}</p>` : nothing}
      ${s.state === 'failed' ? html`<p class="error" role="alert">The cluster failed to start: ${s.bootError}</p>` : nothing}
      ${this._boot.resumable ? renderResumeOffer(this._boot.resumable, this.effectiveClusterName, this._boot.openElsewhere, (c) => void this._boot.decide(c)) : nothing}
      <p class="announce" role="status" aria-live="polite" aria-atomic="true" title=${s.announcement}>
        ${s.announcement}
      </p>
      <div
        class="layout ${view || this._narrow ? 'single' : ''}"
        @mpp-instance-select=${(e: CustomEvent<InstanceSelectDetail>) => this._select(e.detail)}
        @mpp-console-open=${(e: CustomEvent<{ dbid: number | undefined }>) => this._openConsole(e.detail.dbid)}
        @mpp-lesson-change=${(e: CustomEvent<{ lesson: string }>) => (this.lesson = e.detail.lesson)}
        @mpp-lesson-point=${(e: CustomEvent<LessonPointDetail>) => this._point(e.detail)}
        @mpp-lab-configure=${(e: CustomEvent<LabConfigureDetail>) => this._configure(e.detail)}
        @mpp-sim-adopt=${(e: CustomEvent<SimAdoptDetail>) => this._adopt(e.detail)}
        @mpp-sim-boot=${(e: CustomEvent<SimBootDetail>) => this._simBoot(e.detail)}
        @mpp-sim-request=${(e: CustomEvent<SimRequestDetail>) => e.detail.reply(this._simRequest(e.detail))}
        @mpp-replace-request=${(e: CustomEvent<ReplaceRequestDetail>) => e.detail.reply(this._confirmReplace(e.detail.what))}
        @mpp-confirm=${(e: CustomEvent<ConfirmDetail>) => e.detail.reply(this.confirm(e.detail))}
      >
        ${
          view
            ? shown(view.filter((t): t is PanelId => t !== 'header'))
            : this._narrow
              ? shown(NARROW_ORDER)
              : html`<div class="col main">${shown(MAIN_COLUMN)}</div>
                  <div class="col side">${shown(SIDE_COLUMN)}</div>`
        }
      </div>
      ${renderConfirm(this._question, (yes) => this._answer?.(yes))}
    `;
  }
}

define('mpp-ha-lab', MppHaLab);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-ha-lab': MppHaLab;
  }
}
