/**
 * The lab's cluster lifecycle: boot one from the element's attributes, close it, offer a
 * cluster a previous page left (worker runtime) before anything overwrites it, and start the
 * bank workload once a cluster can take it. The element renders; this decides what runs.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import {
  clusterOpenElsewhere,
  deleteCluster,
  savedCluster,
  startsOnResume,
  topologyStoreProblem,
  type ClusterOptions,
  type SavedTopology,
} from '../../workers/index.ts';
import { ClusterStore } from '../state/cluster-store.ts';
import type { SegmentRow } from '../state/types.ts';
import { toRows } from '../placement/placement-model.ts';
import type { BankWorkload } from '../workload/bank-workload.ts';
import { freshStartQuestion, type Question } from './lab-dialogs.ts';

/**
 * Worker clusters this page is closing, by name: a lab that takes the name over (an element
 * moved or re-added) waits for the close, so its own page's lock is not taken for another tab's.
 */
const closingHere = new Map<string, Promise<void>>();

/** What the lifecycle needs of the element. */
export interface LabBootHost extends ReactiveControllerHost {
  readonly isConnected: boolean;
  readonly runtime: ClusterOptions['runtime'];
  readonly speed: 'compressed' | 'realistic';
  readonly effectiveClusterName: string;
  readonly workloadRate: number;
  readonly workload: BankWorkload;
  /** The cluster shown now. */
  readonly store: ClusterStore;
  /** createCluster's options from the attributes (with `resume` while `resuming`). */
  clusterOptions(): ClusterOptions;
  confirm(q: Question): Promise<boolean>;
}

/** What the lifecycle changes in the element, beyond its public surface. */
export interface LabBootHooks {
  /** Shows `store` in place of the current one (each boot makes a new one). */
  useStore(store: ClusterStore): void;
  /** The attributes become a saved cluster's layout, which the next boot resumes. */
  followLayout(options: SavedTopology['options']): void;
  /** The resume offer is shown: it takes the focus once rendered (wait for updateComplete). */
  focusResume(): void;
}

export class LabBoot implements ReactiveController {
  /** A cluster an earlier page left (worker runtime): offered to resume or start fresh. */
  resumable: SavedTopology | undefined;
  /** That cluster is running in another tab: said before anything is tried. */
  openElsewhere = false;
  /** The choice made for the saved cluster, for the next boot. */
  private choice: 'resume' | 'fresh' | undefined;
  /** The saved instances of the cluster being resumed, for the boot that resumes it. */
  private resumeRows: SavedTopology['rows'] | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Closing the last cluster (the worker runtime's lock is free once it settles). */
  private closing: Promise<void> = Promise.resolve();

  private readonly host: LabBootHost;
  private readonly hooks: LabBootHooks;

  constructor(host: LabBootHost, hooks: LabBootHooks) {
    this.host = host;
    this.hooks = hooks;
    host.addController(this);
  }

  /** The next boot resumes the saved cluster (the person chose so). */
  get resuming(): boolean {
    return this.host.runtime === 'worker' && this.choice === 'resume';
  }

  hostDisconnected(): void {
    this.cancel();
    this.shutdown();
  }

  /** Boots on a later task (attribute changes in one task boot once). */
  schedule(): void {
    this.cancel();
    this.timer = setTimeout(() => void this.reboot(), 0);
  }

  cancel(): void {
    clearTimeout(this.timer);
  }

  /** Stops the workload and closes the cluster; `closing` settles once it is closed. */
  private shutdown(): void {
    const host = this.host;
    host.workload.dispose();
    const closing = host.store.close().catch(() => undefined);
    this.closing = this.closing.then(() => closing);
    const name = host.store.options.runtime === 'worker' ? host.store.options.name : undefined;
    if (name) {
      const done = this.closing;
      closingHere.set(name, done);
      void done.then(() => {
        if (closingHere.get(name) === done) closingHere.delete(name);
      });
    }
  }

  /** Closes the current cluster and boots a new one from the attributes, workload included. */
  async reboot(): Promise<void> {
    const host = this.host;
    this.shutdown();
    await this.closing;
    // Gone from the page meanwhile: nothing would ever close what starts now.
    if (!host.isConnected) return;
    // A cluster a previous page left is not overwritten unasked: the lab offers it first, and
    // says so at once when another tab runs it.
    if (host.runtime === 'worker' && !this.choice) {
      const name = host.effectiveClusterName;
      await closingHere.get(name);
      const saved = await savedCluster(name).catch(() => undefined);
      const elsewhere = await clusterOpenElsewhere(name).catch(() => false);
      if (!host.isConnected) return;
      if (saved || elsewhere) {
        this.offer(saved ?? { options: {}, initialConfig: [], rows: [] }, elsewhere);
        const idle = new ClusterStore();
        idle.idleReason = elsewhere
          ? 'This cluster is running in another tab: see above.'
          : 'Waiting for your choice above: resume the saved cluster or start fresh.';
        this.hooks.useStore(idle);
        return;
      }
    }
    this.withdrawOffer();
    const store = new ClusterStore();
    store.refreshMs = host.speed === 'realistic' ? 5000 : 1500;
    store.pumpFactor = host.speed === 'realistic' ? 1 : 30;
    this.hooks.useStore(store);
    const resumed = this.choice === 'resume' ? this.resumeRows : undefined;
    this.resumeRows = undefined;
    if (resumed) {
      store.savedConfig = savedLayout(resumed);
      store.resumeStarts = startsOnResume(resumed).length;
    }
    await store.boot(host.clusterOptions());
    // Later boots ("New cluster", a lesson's layout) start fresh.
    this.choice = 'fresh';
    if (host.store !== store || !store.cluster) return;
    const stopped = resumed?.find((r) => r.content === -1 && r.role === 'p' && !r.retired)?.stoppedBy;
    if (stopped) {
      store.bootNotice =
        `${store.bootNotice} The cluster was stopped with ${stopped} before the reload and stays stopped: start it with gpstart -a.`.trim();
      store.changed();
    }
    const problem = host.runtime === 'worker' ? topologyStoreProblem() : undefined;
    if (problem) {
      store.bootNotice =
        `${store.bootNotice} This cluster cannot be resumed after a reload: ${problem}.`.trim();
      store.changed();
    }
    await this.startWorkload(store);
  }

  /**
   * A store made elsewhere (a replay) takes the lab's place. A running worker cluster replaced
   * (the person was asked, and told its tables go) goes with its disks, as New cluster's would;
   * a saved one only offered stays saved.
   */
  replaceWith(store: ClusterStore): void {
    const host = this.host;
    this.cancel();
    const replaced = host.store.options.runtime === 'worker' ? host.store.options.name : undefined;
    this.shutdown();
    if (replaced) void this.closing.then(() => deleteCluster(replaced)).catch(() => undefined);
    // The replay has the lab now: no offer to resume in front of it.
    this.withdrawOffer();
    this.hooks.useStore(store);
  }

  /** The answer to the resume offer; starting fresh deletes the saved databases, so it asks first. */
  async decide(choice: 'resume' | 'fresh' | 'recheck'): Promise<void> {
    const host = this.host;
    if (choice === 'recheck') {
      this.choice = undefined;
      void this.reboot();
      return;
    }
    const saved = this.resumable;
    if (
      choice === 'fresh' &&
      saved &&
      !(await host.confirm(freshStartQuestion(saved, host.effectiveClusterName)))
    )
      return;
    if (this.resumable !== saved) return;
    this.choice = choice;
    this.resumeRows = choice === 'resume' ? saved?.rows : undefined;
    // Boot the saved layout: the attributes follow it.
    if (choice === 'resume' && saved) this.hooks.followLayout(saved.options);
    this.withdrawOffer();
    this.cancel();
    void host.updateComplete.then(() => {
      this.cancel();
      return this.reboot();
    });
  }

  /**
   * Sets the bank workload up on the store's cluster and starts it. A cluster that cannot take it
   * yet (resumed stopped, its coordinator down) gets it once its catalog can be read again.
   */
  private async startWorkload(store: ClusterStore): Promise<void> {
    const host = this.host;
    const cluster = store.cluster;
    if (!cluster || host.store !== store) return;
    try {
      await host.workload.setup(cluster);
      host.workload.configure(host.workloadRate, host.workload.sessions);
      if (host.workloadRate > 0 && host.store === store) host.workload.start();
    } catch (e) {
      // Only a cluster whose coordinator cannot be read (stopped, down) is waited for; any other
      // failure is said and left there.
      const unreachable = store.catalogError !== '';
      store.announce(
        `The workload could not start: ${e instanceof Error ? e.message : String(e)}.${unreachable ? ' It starts once the cluster answers again.' : ''}`,
      );
      if (!unreachable) return;
      await store.catalogReadable();
      if (host.store === store) await this.startWorkload(store);
    }
  }

  private offer(saved: SavedTopology, elsewhere: boolean): void {
    this.resumable = saved;
    this.openElsewhere = elsewhere;
    this.host.requestUpdate();
    this.hooks.focusResume();
  }

  private withdrawOffer(): void {
    if (!this.resumable && !this.openElsewhere) return;
    this.resumable = undefined;
    this.openElsewhere = false;
    this.host.requestUpdate();
  }
}

/** The saved rows of a resumed cluster as the lab shows them until its catalog can be read. */
function savedLayout(rows: SavedTopology['rows']): SegmentRow[] {
  return toRows(rows.filter((r) => !r.retired)).sort((a, b) => a.content - b.content || a.dbid - b.dbid);
}
