import { LitElement, css, html, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import { define } from '../define.ts';
import type { ClusterStore } from '../state/cluster-store.ts';
import { inAbout, type DatabaseState } from '../state/cluster-health.ts';
import { StoreWatcher } from '../state/store-watcher.ts';
import { procNotRunning } from '../state/types.ts';
import { baseStyles } from '../shared/base.styles.ts';

const LEVEL: Record<DatabaseState, 'ok' | 'warn' | 'bad'> = {
  Normal: 'ok',
  Unbalanced: 'warn',
  Resyncing: 'warn',
  'Segment(s) Down': 'bad',
  'Database Unreachable': 'bad',
};

/**
 * The cluster at a glance, as Greenplum Command Center opens with it: the Database State
 * (Normal, Segment(s) Down, Unbalanced, Resyncing, Database Unreachable), how many mirrors act
 * as primary, the acting primaries on each segment host, commits waiting for a mirror, and
 * when FTS probes next.
 * @tag mpp-cluster-state
 */
export class MppClusterState extends LitElement {
  static override styles = [
    baseStyles,
    css`
      dl {
        display: flex;
        flex-wrap: wrap;
        gap: 0.3rem 1.2rem;
        margin: 0 0 0.6rem;
        font-size: 0.8rem;
      }
      dl > div {
        display: flex;
        gap: 0.35rem;
        align-items: baseline;
      }
      dt {
        color: var(--mpp-muted, #94a3b8);
      }
      dd {
        margin: 0;
        font-weight: 600;
      }
      .state {
        padding: 0 0.45rem;
        border-radius: 4px;
        border: 1px solid currentColor;
      }
      .ok {
        color: var(--mpp-ok, #4ade80);
      }
      .warn {
        color: var(--mpp-warn, #fbbf24);
      }
      .bad {
        color: var(--mpp-down, #f87171);
      }
      .also {
        font-weight: 400;
        color: var(--mpp-muted, #94a3b8);
      }
    `,
  ];

  @property({ attribute: false }) store: ClusterStore | undefined;

  constructor() {
    super();
    new StoreWatcher(this);
  }

  override render() {
    const s = this.store;
    if (!s || s.state !== 'ready') return nothing;
    const sum = s.summary;
    const waits = [...s.syncWaits.entries()];
    const waiting = waits.reduce((n, [, w]) => n + w.count, 0);
    const next = s.nextProbeInMs();
    const held = s.holds.has('fts_probe@1');
    const interval = s.probeIntervalMs;
    const hosts = [...sum.actingPrimaries];
    // FTS is a process of the coordinator: it probes nothing while the coordinator is not running.
    const qd = s.config.find((r) => r.content === -1 && r.role === 'p');
    const qdState = qd ? s.proc.get(qd.dbid) : undefined;
    const ftsStopped = procNotRunning(qdState);
    return html`<div role="group" aria-label="Cluster state">
      <dl>
        <div>
          <dt>Database State</dt>
          <dd class="state ${LEVEL[sum.state]}" data-state=${sum.state}>${sum.state}</dd>
          ${sum.states.length > 1 ? html`<dd class="also">also ${sum.states.slice(1).join(', ')}</dd>` : nothing}
        </div>
        <div>
          <dt>Mirrors acting as primary</dt>
          <dd
            class=${sum.mirrorsActingAsPrimary.length ? 'warn' : ''}
            data-acting-mirrors=${sum.mirrorsActingAsPrimary.length}
          >
            ${sum.mirrorsActingAsPrimary.length}
          </dd>
        </div>
        ${
          hosts.length
            ? html`<div>
                <dt>Acting primaries per host</dt>
                <dd data-per-host=${hosts.map(([h, n]) => `${h}:${n}`).join(' ')}>
                  ${hosts.map(([h, n]) => `${h} ${n}`).join(' · ')}
                </dd>
              </div>`
            : nothing
        }
        ${
          waiting
            ? html`<div>
                <dt>Commits waiting for a mirror</dt>
                <dd class="warn" data-waiting=${waiting}>
                  ${waits.map(([c, w]) => `${w.count} on content ${c}`).join(', ')}
                </dd>
              </div>`
            : nothing
        }
        <div>
          <dt>FTS</dt>
          <dd class=${held ? 'warn' : ''}>
            ${
              ftsStopped
                ? `not running: it runs in the coordinator, which is ${qdState === 'stopped' ? 'stopped' : 'down'}`
                : held
                  ? 'probes held (fts_probe fault point)'
                  : interval
                    ? `probes every ${s.probeIntervalSetting ? `${s.probeIntervalSetting} (gp_fts_probe_interval), ` : ''}${(interval / 1000).toFixed(interval < 10_000 ? 1 : 0)} s here${next === undefined ? '' : `, next ${inAbout(next)}`}`
                    : 'probing'
            }
          </dd>
        </div>
      </dl>
    </div>`;
  }
}

define('mpp-cluster-state', MppClusterState);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-cluster-state': MppClusterState;
  }
}
