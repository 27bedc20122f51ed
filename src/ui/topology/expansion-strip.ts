/**
 * The topology's strip for a gpexpand run: its state, how much is on every segment now, and
 * each table's redistribution (waiting on its old segments, moving, done), as
 * gpexpand.status_detail and gp_distribution_policy say.
 */
import { css, html, nothing } from 'lit';
import {
  expansionProgress,
  expansionStateWords,
  type ExpansionView,
  type TableExpansion,
} from '../state/expansion.ts';

/** Tables listed by name; the rest are counted. */
const LISTED = 8;

function size(bytes: number): string {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.round(bytes / 1024)} kB`;
}

function where(t: TableExpansion, segments: number): string {
  switch (t.status) {
    case 'NOT STARTED':
      return `waiting: on ${t.segments ?? '?'} of ${segments} segments`;
    case 'IN PROGRESS':
      return `moving from ${t.segments ?? '?'} to ${segments} segments`;
    case 'COMPLETED':
      return `done: on all ${t.segments ?? segments} segments`;
    default:
      return 'dropped since setup';
  }
}

function tableBar(t: TableExpansion) {
  // A table moves in one statement: its share is unknown until it commits (no value: busy).
  if (t.status === 'IN PROGRESS')
    return html`<progress class="table-bar" aria-label=${`${t.name} redistributing`}></progress>`;
  return html`<progress
    class="table-bar"
    max="1"
    .value=${t.status === 'COMPLETED' ? 1 : 0}
    aria-label=${`${t.name} ${t.status === 'COMPLETED' ? 'done' : 'waiting'}`}
  ></progress>`;
}

export function expansionStrip(v: ExpansionView | undefined, segments: number) {
  if (!v) return nothing;
  const p = expansionProgress(v);
  const total = p.done + p.running + p.waiting;
  const listed = v.tables.slice(0, LISTED);
  return html`<section class="expansion" aria-label="gpexpand redistribution" data-state=${v.state}>
    <h3>gpexpand: ${expansionStateWords(v.state)}</h3>
    <p class="small">
      ${p.done} of ${total} table${total === 1 ? '' : 's'} on all ${segments}
      segments${p.running ? `, ${p.running} moving` : ''}${p.waiting ? `, ${p.waiting} waiting on their old segments` : ''};
      ${size(p.bytesDone)} of ${size(p.bytesTotal)} redistributed
    </p>
    <progress
      class="overall"
      max=${p.bytesTotal || 1}
      .value=${p.bytesTotal ? p.bytesDone : total === p.done ? 1 : 0}
      aria-label="Bytes redistributed"
    ></progress>
    <ul class="tables">
      ${listed.map(
        (t) =>
          html`<li data-table=${t.name} data-status=${t.status}>
            <span class="name">${t.name}</span>${tableBar(t)}<span class="where small"
              >${where(t, segments)}</span
            >
          </li>`,
      )}
      ${v.tables.length > LISTED ? html`<li class="small muted">and ${v.tables.length - LISTED} more (gpstate -x lists them)</li>` : nothing}
    </ul>
  </section>`;
}

export const expansionStyles = css`
  .expansion {
    margin: 0 0 0.75rem;
    padding: 0.5rem 0.75rem;
    border: 1px solid var(--mpp-border, #334155);
    border-left: 4px solid var(--mpp-accent, #38bdf8);
    border-radius: 6px;
    background: var(--mpp-host-bg, rgba(148, 163, 184, 0.06));
  }
  .expansion h3 {
    margin: 0 0 0.25rem;
    font-size: 0.85rem;
  }
  .expansion p {
    margin: 0 0 0.35rem;
  }
  .expansion progress {
    accent-color: var(--mpp-accent, #38bdf8);
  }
  .expansion progress.overall {
    width: 100%;
    height: 0.6rem;
  }
  .expansion .tables {
    list-style: none;
    margin: 0.35rem 0 0;
    padding: 0;
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr));
    gap: 0.2rem 1rem;
  }
  .expansion li {
    display: grid;
    grid-template-columns: minmax(0, 1fr) 5rem;
    align-items: center;
    column-gap: 0.5rem;
    font-size: 0.75rem;
  }
  .expansion li .name {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .expansion li .table-bar {
    width: 5rem;
    height: 0.5rem;
  }
  .expansion li .where {
    grid-column: 1 / -1;
  }
  .new-seg {
    color: var(--mpp-accent, #38bdf8);
  }
`;
