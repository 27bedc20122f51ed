/**
 * The Simulation panel's recording controls: the form that starts a run of your own, and the
 * bar of what only a run has (time passing, the explorer's bank transfers) while it records.
 */
import { html, nothing } from 'lit';
import type { Shape, SimRun, Step } from '../../workers/index.ts';

/** The clusters a recording can start from: the explorer's three. */
export const SHAPE_LABELS = {
  group: '2 hosts × 2 segments, group mirroring',
  spread: '3 hosts × 2 segments, spread mirroring',
  none: '3 hosts × 2 segments, no mirrors',
} as const satisfies Record<Shape['mirroring'], string>;

export type ShapeName = keyof typeof SHAPE_LABELS;

export interface RecordFormHost {
  shape: ShapeName;
  replication: 'wal' | 'filerep';
  busy: boolean;
  setShape(s: ShapeName): void;
  setReplication(r: 'wal' | 'filerep'): void;
  start(): void;
  importFile(file: File | undefined): void;
}

export function recordForm(h: RecordFormHost) {
  return html`<form
      class="record"
      @submit=${(e: Event) => {
        e.preventDefault();
        h.start();
      }}
    >
      <label
        >Cluster<select
          class="wide"
          .value=${h.shape}
          @change=${(e: Event) => h.setShape((e.target as HTMLSelectElement).value as ShapeName)}
        >
          ${Object.entries(SHAPE_LABELS).map(([k, label]) => html`<option value=${k}>${label}</option>`)}
        </select></label
      >
      <label
        >Replication<select
          class="wide"
          .value=${h.replication}
          @change=${(e: Event) => h.setReplication((e.target as HTMLSelectElement).value as 'wal' | 'filerep')}
        >
          <option value="wal">WAL streaming</option>
          <option value="filerep">file replication</option>
        </select></label
      >
      <button type="submit" ?disabled=${h.busy}>Record a run</button>
      <label class="file"
        >Open a run file<input
          type="file"
          accept=".json,application/json"
          @change=${(e: Event) => {
            const input = e.target as HTMLInputElement;
            h.importFile(input.files?.[0]);
            input.value = '';
          }}
      /></label>
    </form>
    <p class="muted small">
      A run file or a run link can also be dropped on this panel. Nothing leaves the page.
    </p>`;
}

export interface RecordBarHost {
  busy: boolean;
  /** Whether time passes under the bank workload (LOAD_CLIENTS clients) or quietly. */
  underLoad: boolean;
  setUnderLoad(on: boolean): void;
  act(step: Step): void;
}

/** Bank clients running while time passes under load. */
const LOAD_CLIENTS = 3;

const WAITS = [1_000, 10_000, 60_000, 300_000];

/** While a run records: the lab's actions are its steps; time passes only when you let it. */
export function recordBar(h: RecordBarHost, run: SimRun) {
  if (run.done) return nothing;
  const salt = (run.seed * 31 + run.plan.length * 7919) % 2 ** 31;
  return html`<div class="recording" role="group" aria-label="Recording">
    <p>
      <strong>Recording.</strong> Your SQL in the console, the fault buttons, the utilities and the lessons'
      actions are this run's next steps. Virtual time passes only when you let it:
    </p>
    <div class="row">
      ${WAITS.map(
        (ms) =>
          html`<button
            class="quiet"
            ?disabled=${h.busy}
            @click=${() => h.act(h.underLoad ? { op: 'load', clients: LOAD_CLIENTS, ms, salt: salt + ms } : { op: 'wait', ms })}
          >
            Wait ${ms < 60_000 ? `${ms / 1000} s` : `${ms / 60_000} min`}
          </button>`,
      )}
      <label class="inline"
        ><input
          type="checkbox"
          .checked=${h.underLoad}
          @change=${(e: Event) => h.setUnderLoad((e.target as HTMLInputElement).checked)}
        />
        under the bank workload (${LOAD_CLIENTS} clients)</label
      >
      <button ?disabled=${h.busy} @click=${() => h.act({ op: 'transfers', n: 4, salt })}>
        4 bank transfers
      </button>
    </div>
  </div>`;
}
