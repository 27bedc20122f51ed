import { LitElement, css, html } from 'lit';
import { state } from 'lit/decorators.js';
import { ENGINE_VERSION } from '../../engine/index.ts';
import { runCrashDemo, type CrashDemoResult } from '../../workers/crash-demo.ts';
import { define } from '../define.ts';

/**
 * The lab. For now: the engine's version and the crash-recovery demo, run for real in a Web
 * Worker on IndexedDB.
 * @csspart panel - the demo panel
 */
export class MppHaLab extends LitElement {
  static override styles = css`
    :host {
      display: block;
      padding: 1.5rem;
      color: var(--mpp-fg, #e2e8f0);
      background: var(--mpp-bg, #0f172a);
      font-family: var(--mpp-font, system-ui, sans-serif);
    }
    h1 {
      font-size: 1.4rem;
      margin: 0 0 0.25rem;
    }
    .panel {
      border: 1px solid #334155;
      border-radius: 8px;
      padding: 1rem;
      max-width: 48rem;
    }
    button {
      font: inherit;
      padding: 0.4rem 0.9rem;
      border-radius: 6px;
      border: 1px solid #38bdf8;
      background: #0c4a6e;
      color: #f0f9ff;
      cursor: pointer;
    }
    button[disabled] {
      opacity: 0.6;
      cursor: progress;
    }
    dl {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 0.2rem 1rem;
    }
    dt {
      color: #94a3b8;
    }
    .ok {
      color: #4ade80;
    }
    .bad {
      color: #f87171;
    }
  `;

  @state() private _running = false;
  @state() private _result: CrashDemoResult | undefined;
  @state() private _error: string | undefined;

  override render() {
    const r = this._result;
    return html`
      <h1>MPP HA Lab</h1>
      <p>Engine ${ENGINE_VERSION}: a Greenplum-style database running in this tab, no server.</p>
      <section class="panel" part="panel" aria-live="polite">
        <h2>Crash recovery, for real</h2>
        <p>
          One database instance runs in a Web Worker with its own IndexedDB database as its disk. Eight
          sessions commit rows; the worker is terminated mid-work (its memory is gone, its disk stays); a new
          worker runs crash recovery from the WAL and every acknowledged commit must be there.
        </p>
        <button ?disabled=${this._running} @click=${this._run}>
          ${this._running ? 'Running…' : 'Commit, crash, recover'}
        </button>
        ${this._error ? html`<p class="bad">${this._error}</p>` : ''}
        ${
          r
            ? html`<dl>
                <dt>Acknowledged commits</dt>
                <dd>${r.acknowledged}</dd>
                <dt>Rows after recovery</dt>
                <dd>${r.recovered}</dd>
                <dt>Redo</dt>
                <dd>${r.recovery.records} records from ${r.recovery.redoFrom} to ${r.recovery.end}</dd>
                <dt>Stopped because</dt>
                <dd>${r.recovery.stopReason}</dd>
                <dt>In-flight transactions aborted</dt>
                <dd>${r.recovery.abortedXids}</dd>
                <dt>Verdict</dt>
                <dd class=${r.missing.length ? 'bad' : 'ok'}>
                  ${
                    r.missing.length
                      ? `${r.missing.length} acknowledged commits lost`
                      : 'every acknowledged commit survived'
                  }
                </dd>
              </dl>`
            : ''
        }
      </section>
    `;
  }

  private async _run() {
    this._running = true;
    this._error = undefined;
    try {
      this._result = await runCrashDemo();
    } catch (e) {
      this._error = e instanceof Error ? e.message : String(e);
    } finally {
      this._running = false;
    }
  }
}

define('mpp-ha-lab', MppHaLab);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-ha-lab': MppHaLab;
  }
}
