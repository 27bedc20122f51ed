import { LitElement, css, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { deleteCluster, savedClusters, type SavedClusterInfo } from '../../workers/index.ts';
import { define } from '../define.ts';
import { confirmAction } from '../shared/confirm-replace.ts';
import { baseStyles } from '../shared/base.styles.ts';
import { KeepFocusWhileBusy } from '../shared/keep-focus.ts';

/**
 * The clusters the worker runtime saved in this browser (one IndexedDB database per instance,
 * and their layout), with a way to delete one. The cluster this lab runs, or one another tab
 * runs, cannot be deleted from here.
 * @tag mpp-saved-clusters
 */
export class MppSavedClusters extends LitElement {
  static override styles = [
    baseStyles,
    css`
      ul {
        list-style: none;
        padding: 0;
        margin: 0 0 0.4rem;
        display: flex;
        flex-direction: column;
        gap: 0.4rem;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
        justify-content: space-between;
        border: 1px solid var(--mpp-border, #334155);
        border-radius: 6px;
        padding: 0.3rem 0.5rem;
      }
    `,
  ];

  /** The storage name of the cluster this lab runs (never deleted from here). */
  @property() current = '';
  @state() private _list: SavedClusterInfo[] | undefined;
  @state() private _busy = '';
  @state() private _message = '';

  constructor() {
    super();
    new KeepFocusWhileBusy(this, () => this._busy !== '');
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.reload();
  }

  /** Reads the saved clusters again. */
  async reload(): Promise<void> {
    try {
      this._list = await savedClusters();
    } catch (e) {
      this._message = `Could not read this browser's IndexedDB: ${e instanceof Error ? e.message : String(e)}`;
      this._list = [];
    }
  }

  private async _delete(c: SavedClusterInfo): Promise<void> {
    const n = c.databases.length;
    const ok = await confirmAction(
      this,
      `Delete the saved cluster "${c.name}"?`,
      [
        `Its ${n} IndexedDB database${n === 1 ? '' : 's'} (every instance's disk: its tables, WAL and catalog) are deleted from this browser.`,
        'Its saved layout goes too: it can no longer be resumed. This cannot be undone.',
      ],
      'Delete it',
    );
    if (!ok) return;
    this._busy = c.name;
    try {
      await deleteCluster(c.name);
      this._message = `Deleted "${c.name}" (${n} database${n === 1 ? '' : 's'}).`;
    } catch (e) {
      this._message = `Could not delete "${c.name}": ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      this._busy = '';
      await this.reload();
    }
  }

  override render() {
    const list = this._list;
    return html`
      <p class="muted">
        The worker runtime keeps each instance's disk in its own IndexedDB database in this browser, so a
        cluster survives a reload.
      </p>
      ${
        list === undefined
          ? html`<p class="muted">Reading…</p>`
          : list.length === 0
            ? html`<p class="muted">No saved clusters.</p>`
            : html`<ul>
                ${list.map((c) => {
                  const here = c.name === this.current;
                  const why = here ? 'running in this lab' : c.open ? 'open in another tab' : '';
                  const rows = c.topology.rows.filter((r) => !r.retired).length;
                  return html`<li data-saved=${c.name}>
                    <span
                      ><strong>${c.name}</strong>: ${rows} instances, ${c.databases.length}
                      database${c.databases.length === 1 ? '' : 's'}${why ? html` · <em>${why}</em>` : nothing}</span
                    >
                    <button
                      class="danger"
                      data-delete=${c.name}
                      ?disabled=${!!why || this._busy !== ''}
                      @click=${() => this._delete(c)}
                    >
                      ${this._busy === c.name ? 'Deleting…' : 'Delete'}<span class="sr-only"> ${c.name}</span>
                    </button>
                  </li>`;
                })}
              </ul>`
      }
      <button class="quiet" @click=${() => this.reload()}>Refresh the list</button>
      ${this._message ? html`<p role="status">${this._message}</p>` : nothing}
    `;
  }
}

define('mpp-saved-clusters', MppSavedClusters);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-saved-clusters': MppSavedClusters;
  }
}
