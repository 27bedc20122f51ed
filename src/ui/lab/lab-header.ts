/** The lab's title bar: what runs, its time controls (pause, speed) and New cluster. */
import { html } from 'lit';
import { ENGINE_VERSION } from '../../workers/index.ts';
import type { ClusterStore } from '../state/cluster-store.ts';

export interface HeaderContext {
  store: ClusterStore;
  /** The worker runtime (each instance in its own Web Worker). */
  worker: boolean;
  speed: string;
  /** Waiting for the resume choice, or because another tab runs the cluster. */
  waiting: 'choice' | 'elsewhere' | undefined;
  togglePause(): void;
  newCluster(): void;
}

export function renderHeader(h: HeaderContext) {
  const s = h.store;
  const opts = s.options;
  const primaries = s.config.filter((r) => r.content >= 0 && r.role === 'p').length;
  const mirrors = s.config.filter((r) => r.content >= 0 && r.role === 'm').length;
  // The segment hosts in the catalog now (gpexpand adds some), not those the cluster was built on.
  const hosts = new Set(s.config.filter((r) => r.content >= 0).map((r) => r.hostname)).size;
  return html`<div class="bar" part="header">
    <div>
      <h1>MPP HA Lab</h1>
      <p class="muted sub">
        A Greenplum-style cluster running in this
        tab${h.worker ? ', each instance in its own Web Worker' : ''} · engine ${ENGINE_VERSION} ·
        ${
          s.state === 'ready'
            ? `${primaries} primaries${mirrors ? `, ${mirrors} mirrors` : ''} on ${hosts} host${hosts === 1 ? '' : 's'} · mirroring ${opts.mirroring ?? 'none'}${opts.replication === 'filerep' && opts.mirroring !== 'none' ? ' (file replication, Greenplum 5)' : ''} · ${h.speed} time`
            : h.waiting === 'elsewhere'
              ? 'this cluster is open in another tab'
              : h.waiting === 'choice'
                ? 'waiting for your choice: resume or start fresh'
                : s.state === 'idle'
                  ? 'starting'
                  : s.state
        }
      </p>
    </div>
    <div class="time" role="group" aria-label="Cluster time">
      <button
        class="quiet"
        data-action="pause"
        aria-pressed=${s.timePaused}
        ?disabled=${s.state !== 'ready'}
        @click=${h.togglePause}
        title="Stop the cluster's clock: FTS, walsenders, checkpoints and the workload wait"
      >
        ${s.timePaused ? 'Resume' : 'Pause'}
      </button>
      <label
        >Speed
        <select
          data-action="speed"
          ?disabled=${s.state !== 'ready'}
          @change=${(e: Event) => s.setSpeed(Number((e.target as HTMLSelectElement).value))}
        >
          ${[0.25, 0.5, 1, 2, 4].map(
            (f) => html`<option value=${String(f)} ?selected=${f === s.speedFactor}>${f}×</option>`,
          )}
        </select></label
      >
    </div>
    <button
      class="quiet"
      data-action="new-cluster"
      ?disabled=${h.waiting !== undefined}
      @click=${h.newCluster}
      title="Close this cluster and start a fresh one"
    >
      New cluster
    </button>
  </div>`;
}
