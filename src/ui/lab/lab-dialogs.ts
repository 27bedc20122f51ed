/**
 * The lab's questions to the person: the confirmation before anything destructive (saying what
 * is lost), and the offer to resume the cluster a previous visit left (or, when another tab
 * runs that cluster, saying so before anything is tried).
 */
import { html, nothing } from 'lit';
import type { SavedTopology } from '../../workers/index.ts';
import type { ClusterStore } from '../state/cluster-store.ts';
import type { BankWorkload } from '../workload/bank-workload.ts';

/** A question the confirmation dialog asks. */
export interface Question {
  title: string;
  lost: string[];
  confirm: string;
}

/** What replacing the running cluster loses, in sentences (empty: nothing is running). */
export function lossOf(store: ClusterStore, workload: BankWorkload, worker: boolean): string[] {
  if (store.state !== 'ready') return [];
  const rows = store.config;
  const sim = store.options.runtime === 'sim';
  const out = [
    sim
      ? `The simulated cluster (${rows.length} instances) and its replay stop.`
      : `The running cluster (${rows.length} instances) stops, and every table in it goes: the bank and any table you created.${
          worker ? ` Its ${rows.length} IndexedDB databases are deleted from this browser.` : ''
        }`,
    `The event timeline (${store.events.length} ${store.events.length === 1 ? 'entry' : 'entries'}), the action log and the charts start over.`,
  ];
  if (workload.commits || workload.errors)
    out.push(
      `The workload's counters (${workload.commits} ${workload.commits === 1 ? 'commit' : 'commits'}, ${workload.errors} ${workload.errors === 1 ? 'error' : 'errors'}) start again from zero.`,
    );
  const a = store.applied;
  if (a.partition || a.delays.size || a.slowDisks.size || a.fullDisks.size || store.holds.size)
    out.push('The faults you applied (partitions, delays, slow or full disks, held fault points) are gone.');
  return out;
}

export function renderConfirm(q: Question | undefined, answer: (yes: boolean) => void) {
  return html`<dialog
    class="confirm"
    aria-labelledby="confirm-title"
    aria-describedby="confirm-lost"
    @cancel=${(e: Event) => {
      e.preventDefault();
      answer(false);
    }}
  >
    ${
      q
        ? html`<h2 id="confirm-title">${q.title}</h2>
            <div id="confirm-lost">
              <p>This cannot be undone:</p>
              <ul>
                ${q.lost.map((l) => html`<li>${l}</li>`)}
              </ul>
            </div>
            <div class="buttons">
              <button class="quiet" data-confirm="no" autofocus @click=${() => answer(false)}>Cancel</button>
              <button class="danger" data-confirm="yes" @click=${() => answer(true)}>${q.confirm}</button>
            </div>`
        : nothing
    }
  </dialog>`;
}

/** What starting fresh instead of resuming deletes, asked as every destructive action is. */
export function freshStartQuestion(saved: SavedTopology, name: string): Question {
  const instances = saved.rows.filter((r) => !r.retired).length;
  return {
    title: `Delete the saved cluster "${name}" and start fresh?`,
    lost: [
      `Its ${instances} IndexedDB databases are deleted from this browser, and every table in them goes: the bank and any table you created.`,
      'Resume it instead to keep them.',
    ],
    confirm: 'Delete it and start fresh',
  };
}

/** What resuming does: a cluster gpstop stopped stays stopped; the others recover from their WAL. */
function resumeText(saved: SavedTopology, name: string, instances: number, down: number): string {
  const live = saved.rows.filter((r) => !r.retired);
  const coordinator = live.find((r) => r.content === -1 && r.role === 'p');
  const stopped = live.filter((r) => r.stoppedBy !== undefined).length;
  const what = `"${name}": ${instances} instances${down ? `, ${down} marked down` : ''}, each with its own IndexedDB database.`;
  if (coordinator?.stoppedBy !== undefined)
    return `${what} It was stopped with ${coordinator.stoppedBy} (a clean shutdown). Resuming opens its databases and leaves it stopped, as a real cluster stays stopped until you start it: then run gpstart -a. Starting fresh deletes those databases.`;
  return `${what} Resuming starts every instance from its disk (crash recovery from its WAL)${stopped ? `, except the ${stopped} a utility stopped, which stay stopped` : ''}; starting fresh deletes those databases.`;
}

/** The offer to resume a saved cluster, or the news that another tab runs it. */
export function renderResumeOffer(
  saved: SavedTopology,
  name: string,
  openElsewhere: boolean,
  decide: (choice: 'resume' | 'fresh' | 'recheck') => void,
) {
  const instances = saved.rows.filter((r) => !r.retired).length;
  const down = saved.rows.filter((r) => !r.retired && r.status === 'd').length;
  if (openElsewhere)
    return html`<section
      class="notice resume"
      role="alertdialog"
      aria-labelledby="h-resume"
      aria-describedby="d-resume"
    >
      <h2 id="h-resume">This cluster is open in another tab</h2>
      <p id="d-resume">
        "${name}" (${instances} instances) is running in another tab or window of this browser, and one page
        at a time may run a cluster (55006: cluster in use). Close it there, or press New cluster there, then
        check again here. Nothing was started or deleted.
      </p>
      <button data-action="recheck" @click=${() => decide('recheck')}>Check again</button>
    </section>`;
  return html`<section
    class="notice resume"
    role="alertdialog"
    aria-labelledby="h-resume"
    aria-describedby="d-resume"
  >
    <h2 id="h-resume">A cluster from your last visit is saved in this browser</h2>
    <p id="d-resume">${resumeText(saved, name, instances, down)}</p>
    <button data-action="resume" @click=${() => decide('resume')}>Resume it</button>
    <button class="quiet" data-action="fresh" @click=${() => decide('fresh')}>Start fresh</button>
  </section>`;
}
