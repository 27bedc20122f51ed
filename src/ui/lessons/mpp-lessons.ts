import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { define } from '../define.ts';
import { whenRemoved } from '../shared/when-removed.ts';
import { emit } from '../events.ts';
import type { Cluster } from '../../workers/index.ts';
import type { ClusterStore } from '../state/cluster-store.ts';
import { StoreWatcher } from '../state/store-watcher.ts';
import type { BankWorkload } from '../workload/bank-workload.ts';
import '../crash-demo/mpp-crash-demo.ts';
import { actionStyle, describeAction, type LessonContext, type StepAction } from './lesson-types.ts';
import { LESSONS } from './lessons.ts';
import { runAction, type ActionOutcome } from './run-action.ts';
import { styles } from './mpp-lessons.styles.ts';

/** A step's check: not run yet, polling, reached, or not reached by its deadline. */
export interface CheckState {
  state: 'idle' | 'checking' | 'pass' | 'fail';
  seen: string;
}

const IDLE: CheckState = { state: 'idle', seen: '' };
const POLL_MS = 400;
/** How long a passed step waits before moving on by itself (time to read what happened). */
export const ADVANCE_MS = 4000;

/** Paragraph text with `backticks` as code. */
function rich(text: string) {
  return text.split('`').map((part, i) => (i % 2 ? html`<code>${part}</code>` : part));
}

/**
 * Guided lessons, one step at a time: what happens and why, buttons that act (each showing the
 * exact call, command line or SQL), and a check that polls the cluster for the expected state
 * and shows what it expected and what it saw. Back and Next move between steps.
 * @fires mpp-lesson-change - detail: { lesson }
 * @fires mpp-lab-configure - a step asks the lab for a new cluster
 * @tag mpp-lessons
 */
export class MppLessons extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) store: ClusterStore | undefined;
  /** The bank workload, for checks on the clients. */
  @property({ attribute: false }) workload: BankWorkload | undefined;
  /** The id of the open lesson. */
  @property() lesson = 'primary-failover';

  @state() private _step = 0;
  @state() private _checks: CheckState[] = [];
  @state() private _running: string | undefined;
  @state() private _output: (ActionOutcome & { command: string; shown?: boolean }) | undefined;
  /** Steps the learner chose to skip (their check never passed). */
  @state() private _skipped = new Set<number>();
  /** Move on by itself once a step's check passes after its action (the learner's pacing choice). */
  @state() autoAdvance = true;
  /** When the open step moves on by itself (undefined: it does not). */
  @state() private _advanceAt: number | undefined;
  private _advanceTimer: ReturnType<typeof setTimeout> | undefined;
  private _tick: ReturnType<typeof setInterval> | undefined;
  private _pollGen = 0;
  private _autoKey = '';
  private readonly _ctx: LessonContext;

  constructor() {
    super();
    new StoreWatcher(this);
    const read = () => ({ store: this.store, workload: this.workload });
    this._ctx = {
      get store() {
        return read().store;
      },
      get workload() {
        return read().workload;
      },
    };
  }

  private get _lesson() {
    return LESSONS.find((l) => l.id === this.lesson) ?? LESSONS[0]!;
  }

  /** The open step's index. */
  get step(): number {
    return this._step;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const cluster = this.store?.cluster;
    // A cluster the lesson did not build (New cluster, the planner, a simulated run adopted):
    // what its checks passed and its output showed were the old cluster's, so it starts over.
    const replaced =
      cluster && this._clusterSeen && cluster !== this._clusterSeen && this._running === undefined;
    if (cluster) this._clusterSeen = cluster;
    if (changed.has('lesson') || replaced) {
      this._checks = [];
      this._skipped = new Set();
      this._open(0);
    }
  }

  /** The cluster the lesson's state belongs to. */
  private _clusterSeen: Cluster | undefined;

  protected override updated(): void {
    const st = this._lesson.steps[this._step];
    const c = this._checks[this._step] ?? IDLE;
    const key = `${this.lesson}/${this._step}/${this._pollGen}`;
    // (Not on a simulated run that moves by its steps: there a check's query is one of them.)
    if (
      st?.checkOnOpen &&
      c.state === 'idle' &&
      this.store?.state === 'ready' &&
      !this.store.stepDriven &&
      this._autoKey !== key
    ) {
      this._autoKey = key;
      // After this update, not during it.
      setTimeout(() => {
        if (this._autoKey === key && (this._checks[this._step] ?? IDLE).state === 'idle')
          void this._poll(this._step, 5_000);
      }, 0);
    }
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this._point();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    whenRemoved(this, () => {
      this._pollGen++;
      this._cancelAdvance();
      emit(this, 'mpp-lesson-point', { dbids: [] });
    });
  }

  private _open(step: number): void {
    this._pollGen++;
    this._cancelAdvance();
    this._step = step;
    this._output = undefined;
    // A step never checked (skipped past) has no entry: it is idle.
    this._checks = Array.from({ length: Math.max(this._checks.length, step + 1) }, (_, i) => {
      const c = this._checks[i];
      return c && (i < step || c.state === 'pass') ? c : IDLE;
    });
    this._point();
  }

  /** Points the topology at the cards the open step talks about. */
  private _point(): void {
    const st = this._lesson.steps[this._step];
    if (this.isConnected)
      emit(this, 'mpp-lesson-point', { dbids: this._lesson.demo ? [] : (st?.point ?? []) });
  }

  /** Moves from step `from` to the next, if it is still the open one (a click and the timer may race). */
  private _next(from: number, skip = false): void {
    if (from !== this._step || from >= this._lesson.steps.length - 1) return;
    if (skip) this._skipped = new Set([...this._skipped, from]);
    this._open(from + 1);
    // The new step's heading takes the focus, so a keyboard user reads on from there.
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('#step-title')?.focus());
  }

  private _cancelAdvance(): void {
    clearTimeout(this._advanceTimer);
    clearInterval(this._tick);
    this._advanceTimer = undefined;
    this._advanceAt = undefined;
  }

  /** After a step's check passes because of what the learner did: move on soon, unless told to stay. */
  private _scheduleAdvance(step: number): void {
    this._cancelAdvance();
    if (!this.autoAdvance || step !== this._step || step >= this._lesson.steps.length - 1) return;
    this._advanceAt = Date.now() + ADVANCE_MS;
    this._advanceTimer = setTimeout(() => {
      this._cancelAdvance();
      this._next(step);
    }, ADVANCE_MS);
    this._tick = setInterval(() => this.requestUpdate(), 500);
  }

  private _setCheck(step: number, c: CheckState): void {
    const next = Array.from(
      { length: Math.max(this._checks.length, step + 1) },
      (_, i) => this._checks[i] ?? IDLE,
    );
    next[step] = c;
    this._checks = next;
  }

  /**
   * Polls the step's check until it passes or its deadline (scaled to the cluster's time) passes.
   * `advance`: the poll follows the learner's action, so a pass that is new moves the lesson on.
   */
  private async _poll(step: number, budgetMs?: number, advance = false): Promise<void> {
    const chk = this._lesson.steps[step]?.check;
    if (!chk) return;
    const passedBefore = this._checks[step]?.state === 'pass';
    const gen = ++this._pollGen;
    const scale = 30 / (this.store?.options.timeScale ?? 30);
    const deadline = performance.now() + (budgetMs ?? chk.timeoutMs ?? 20_000) * scale;
    this._setCheck(step, { state: 'checking', seen: this._checks[step]?.seen ?? '' });
    // A poll belongs to the cluster it began on: a replaced one (a simulated run) ends it.
    const store = this.store;
    for (;;) {
      if (this.store !== store) return;
      const r = await chk.test(this._ctx);
      if (gen !== this._pollGen) return;
      if (r.ok) {
        this._setCheck(step, { state: 'pass', seen: r.seen });
        if (advance && !passedBefore) this._scheduleAdvance(step);
        return;
      }
      // A simulated run's time passes only by its steps: polling would not see it change.
      if (this.store?.stepDriven)
        return this._setCheck(step, {
          state: 'fail',
          seen: `${r.seen} (time passes here only by the run's steps: let it pass in the Simulation panel, then check again)`,
        });
      if (performance.now() > deadline) return this._setCheck(step, { state: 'fail', seen: r.seen });
      this._setCheck(step, { state: 'checking', seen: r.seen });
      await new Promise((res) => setTimeout(res, POLL_MS));
      if (gen !== this._pollGen) return;
    }
  }

  private async _act(a: StepAction): Promise<void> {
    const step = this._step;
    const command = describeAction(a);
    const passedBefore = this._checks[step]?.state === 'pass';
    this._running = command;
    this._pollGen++;
    if (this._lesson.steps[step]?.check && !passedBefore)
      this._setCheck(step, { state: 'checking', seen: '' });
    try {
      const out = await runAction(this.store, a, this);
      // What a query or a utility printed is the point of pressing it: shown open.
      if (this._step === step)
        this._output = { ...out, command, shown: a.kind === 'sql' || a.kind === 'utility' };
    } finally {
      this._running = undefined;
    }
    if (this._step === step && !passedBefore) void this._poll(step, undefined, true);
  }

  override render() {
    const lesson = this._lesson;
    const available = !lesson.needs || (this.store?.features[lesson.needs] ?? false);
    return html`
      <label
        >Lesson
        <select
          @change=${(e: Event) => {
            this.lesson = (e.target as HTMLSelectElement).value;
            emit(this, 'mpp-lesson-change', { lesson: this.lesson });
          }}
        >
          ${LESSONS.map((l) => {
            const ok = !l.needs || (this.store?.features[l.needs] ?? false);
            return html`<option value=${l.id} ?selected=${l.id === lesson.id}>
              ${l.title}${ok ? '' : ' (not available yet)'}
            </option>`;
          })}
        </select>
      </label>
      <p class="summary">${lesson.summary}</p>
      ${available ? nothing : html`<p class="note">This lesson needs ${lesson.needs}, which this cluster does not have yet: its steps are shown, not runnable.</p>`}
      ${lesson.demo ? html`<mpp-crash-demo></mpp-crash-demo>` : this._renderSteps(available)}
    `;
  }

  private _renderSteps(available: boolean) {
    const steps = this._lesson.steps;
    const st = steps[this._step];
    if (!st) return nothing;
    const c = this._checks[this._step] ?? IDLE;
    const last = this._step === steps.length - 1;
    const ready = available && this.store?.state === 'ready';
    return html`
      <ol class="progress" aria-label="Steps">
        ${steps.map((s, i) => {
          const done = this._checks[i]?.state === 'pass';
          const skipped = !done && this._skipped.has(i);
          return html`<li
            class=${i === this._step ? 'current' : done ? 'done' : skipped ? 'skipped' : ''}
            aria-current=${i === this._step ? 'step' : 'false'}
          >
            <span aria-hidden="true">${done ? '✓' : skipped ? '↷' : i + 1}</span
            ><span class="sr-only">${done ? 'done: ' : skipped ? 'skipped: ' : ''}</span>${s.title}
          </li>`;
        })}
      </ol>
      <section class="step" data-step=${this._step} aria-labelledby="step-title">
        <h3 id="step-title" tabindex="-1">Step ${this._step + 1} of ${steps.length}: ${st.title}</h3>
        ${st.text.map((t) => html`<p>${rich(t)}</p>`)}
        ${
          st.point?.length
            ? html`<p class="look">
                Look at
                ${st.point.map(
                  (d) =>
                    html`<button
                      class="quiet reveal"
                      data-reveal=${d}
                      @click=${() => emit(this, 'mpp-lesson-point', { dbids: st.point ?? [], reveal: d })}
                    >
                      dbid ${d}
                    </button>`,
                )}
                in the topology (marked there).
              </p>`
            : nothing
        }
        ${(st.actions ?? []).map(
          (a) =>
            html`<div class="row">
              <button
                class=${a.danger ? 'danger' : ''}
                data-step-action=${a.kind}
                ?disabled=${!(a.kind === 'rebuild' || a.kind === 'openRun' || ready) || this._running !== undefined}
                @click=${() => this._act(a)}
              >
                ${this._running === describeAction(a) ? 'Running…' : a.label}
              </button>
              <code class="cmd ${actionStyle(a)}">${describeAction(a)}</code>
            </div>`,
        )}
        ${this._renderOutput()} ${st.check ? this._renderCheck(st.check.expected, c) : nothing}
      </section>
      ${this._renderNav(st.check !== undefined, c, last)}
    `;
  }

  /**
   * Back; Next, enabled once the step's check passed (or the step has none); an explicit "skip
   * this step"; the countdown of a step that moves on by itself; the next lesson at the end.
   */
  private _renderNav(hasCheck: boolean, c: CheckState, last: boolean) {
    const step = this._step;
    const passed = !hasCheck || c.state === 'pass';
    const i = LESSONS.findIndex((l) => l.id === this._lesson.id);
    const following = LESSONS.slice(i + 1).find((l) => !l.demo);
    const left =
      this._advanceAt === undefined ? 0 : Math.max(0, Math.ceil((this._advanceAt - Date.now()) / 1000));
    return html`<div class="nav">
        <button class="quiet back" ?disabled=${step === 0} @click=${() => this._open(step - 1)}>
          ← Back
        </button>
        ${
          last
            ? html`<span class="end ${passed ? 'ok' : 'muted'}"
                >${passed ? 'Lesson complete.' : 'Last step.'}</span
              >`
            : html`<button
                  class="next ${passed ? '' : 'quiet'}"
                  ?disabled=${!passed}
                  aria-describedby=${passed ? nothing : 'next-why'}
                  @click=${() => this._next(step)}
                >
                  Next →
                </button>
                ${
                  passed
                    ? nothing
                    : html`<button class="quiet skip" @click=${() => this._next(step, true)}>
                          Skip this step
                        </button>
                        <span id="next-why" class="muted why">Next unlocks when the check passes.</span>`
                }`
        }
      </div>
      ${
        this._advanceAt !== undefined
          ? html`<p class="advance" role="status">
              Passed. The next step opens in ${left} s.
              <button class="quiet stay" @click=${() => this._cancelAdvance()}>Stay on this step</button>
            </p>`
          : nothing
      }
      ${
        last && passed && following
          ? html`<p class="following">
              <button
                class="next-lesson"
                @click=${() => {
                  this.lesson = following.id;
                  emit(this, 'mpp-lesson-change', { lesson: following.id });
                }}
              >
                Next lesson: ${following.title} →
              </button>
            </p>`
          : nothing
      }
      <label class="pace"
        ><input
          type="checkbox"
          .checked=${this.autoAdvance}
          @change=${(e: Event) => {
            this.autoAdvance = (e.target as HTMLInputElement).checked;
            if (!this.autoAdvance) this._cancelAdvance();
          }}
        />
        Move on by itself when my action in a step passes its check</label
      >`;
  }

  private _renderOutput() {
    const o = this._output;
    if (!o || !o.output) return nothing;
    return html`<details class="output" ?open=${!o.ok || !!o.note || !!o.shown}>
      <summary class=${o.ok ? '' : 'error'}>Output of <code>${o.command}</code></summary>
      <pre tabindex="0" class=${o.ok ? '' : 'error'}>${o.output}</pre>
      ${o.note ? html`<p class="note">${o.note}</p>` : nothing}
    </details>`;
  }

  private _renderCheck(expected: string, c: CheckState) {
    const mark = { idle: '○', checking: '…', pass: '✓', fail: '✗' }[c.state];
    const head = {
      idle: 'Check',
      checking: 'Checking the cluster…',
      pass: 'Passed',
      fail: 'Not reached yet',
    }[c.state];
    return html`<div class="check ${c.state}" data-check-state=${c.state} role="status" aria-live="polite">
      <p class="head"><span aria-hidden="true">${mark}</span> ${head}</p>
      <dl>
        <dt>Expected</dt>
        <dd>${expected}</dd>
        ${
          c.seen
            ? html`<dt>Seen</dt>
                <dd class="seen">${c.seen}</dd>`
            : nothing
        }
      </dl>
      ${
        c.state === 'checking'
          ? nothing
          : html`<button
              class="quiet check-now"
              ?disabled=${this.store?.state !== 'ready'}
              @click=${() => this._poll(this._step, 3_000)}
            >
              ${c.state === 'idle' ? 'Check now' : 'Check again'}
            </button>`
      }
    </div>`;
  }
}

define('mpp-lessons', MppLessons);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-lessons': MppLessons;
  }
}
