import { LitElement, html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import { runCrashDemo, type CrashDemoResult } from '../../workers/crash-demo.ts';
import { define } from '../define.ts';
import { styles } from './mpp-crash-demo.styles.ts';

/**
 * Crash recovery, for real: one instance in a Web Worker with an IndexedDB disk; eight sessions
 * commit, the worker is terminated, a new worker recovers from the WAL, and every acknowledged
 * commit must be there.
 * @csspart panel - the demo panel
 * @tag mpp-crash-demo
 */
export class MppCrashDemo extends LitElement {
  static override styles = styles;

  @state() private _running = false;
  @state() private _result: CrashDemoResult | undefined;
  @state() private _error: string | undefined;

  override render() {
    const r = this._result;
    return html`
      <section part="panel" aria-live="polite">
        <p>
          One database instance runs in a Web Worker with its own IndexedDB database as its disk. Eight
          sessions commit rows; the worker is terminated mid-work (its memory is gone, its disk stays); a new
          worker runs crash recovery from the WAL and every acknowledged commit must be there.
        </p>
        <button ?disabled=${this._running} @click=${this._run}>
          ${this._running ? 'Running…' : 'Commit, crash, recover'}
        </button>
        <code class="cmd api">runCrashDemo()</code>
        ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
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
                <dd class=${r.missing.length ? 'error' : 'ok'}>
                  ${r.missing.length ? `${r.missing.length} acknowledged commits lost` : 'every acknowledged commit survived'}
                </dd>
              </dl>`
            : nothing
        }
      </section>
    `;
  }

  private async _run(): Promise<void> {
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

define('mpp-crash-demo', MppCrashDemo);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-crash-demo': MppCrashDemo;
  }
}
