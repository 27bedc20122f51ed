import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { define } from '../define.ts';
import { emit } from '../events.ts';
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
  @state() private _output: (ActionOutcome & { command: string }) | undefined;
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
    if (changed.has('lesson')) {
      this._checks = [];
      this._open(0);
    }
  }

  protected override updated(): void {
    const st = this._lesson.steps[this._step];
    const c = this._checks[this._step] ?? IDLE;
    const key = `${this.lesson}/${this._step}/${this._pollGen}`;
    if (st?.checkOnOpen && c.state === 'idle' && this.store?.state === 'ready' && this._autoKey !== key) {
      this._autoKey = key;
      // After this update, not during it.
      setTimeout(() => {
        if (this._autoKey === key && (this._checks[this._step] ?? IDLE).state === 'idle')
          void this._poll(this._step, 5_000);
      }, 0);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._pollGen++;
  }

  private _open(step: number): void {
    this._pollGen++;
    this._step = step;
    this._output = undefined;
    this._checks = this._checks.map((c, i) => (i >= step && c.state !== 'pass' ? IDLE : c));
  }

  private _setCheck(step: number, c: CheckState): void {
    const next = [...this._checks];
    next[step] = c;
    this._checks = next;
  }

  /** Polls the step's check until it passes or its deadline (scaled to the cluster's time) passes. */
  private async _poll(step: number, budgetMs?: number): Promise<void> {
    const chk = this._lesson.steps[step]?.check;
    if (!chk) return;
    const gen = ++this._pollGen;
    const scale = 30 / (this.store?.options.timeScale ?? 30);
    const deadline = performance.now() + (budgetMs ?? chk.timeoutMs ?? 20_000) * scale;
    this._setCheck(step, { state: 'checking', seen: this._checks[step]?.seen ?? '' });
    for (;;) {
      const r = await chk.test(this._ctx);
      if (gen !== this._pollGen) return;
      if (r.ok) return this._setCheck(step, { state: 'pass', seen: r.seen });
      if (performance.now() > deadline) return this._setCheck(step, { state: 'fail', seen: r.seen });
      this._setCheck(step, { state: 'checking', seen: r.seen });
      await new Promise((res) => setTimeout(res, POLL_MS));
      if (gen !== this._pollGen) return;
    }
  }

  private async _act(a: StepAction): Promise<void> {
    const step = this._step;
    const command = describeAction(a);
    this._running = command;
    this._pollGen++;
    if (this._lesson.steps[step]?.check) this._setCheck(step, { state: 'checking', seen: '' });
    try {
      const out = await runAction(this.store, a, this);
      if (this._step === step) this._output = { ...out, command };
    } finally {
      this._running = undefined;
    }
    if (this._step === step) void this._poll(step);
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
          return html`<li
            class=${i === this._step ? 'current' : done ? 'done' : ''}
            aria-current=${i === this._step ? 'step' : 'false'}
          >
            <span aria-hidden="true">${done ? '✓' : i + 1}</span
            ><span class="sr-only">${done ? 'done: ' : ''}</span>${s.title}
          </li>`;
        })}
      </ol>
      <section class="step" data-step=${this._step} aria-labelledby="step-title">
        <h3 id="step-title">Step ${this._step + 1} of ${steps.length}: ${st.title}</h3>
        ${st.text.map((t) => html`<p>${rich(t)}</p>`)}
        ${(st.actions ?? []).map(
          (a) =>
            html`<div class="row">
              <button
                class=${a.danger ? 'danger' : ''}
                data-step-action=${a.kind}
                ?disabled=${!(a.kind === 'rebuild' || ready) || this._running !== undefined}
                @click=${() => this._act(a)}
              >
                ${this._running === describeAction(a) ? 'Running…' : a.label}
              </button>
              <code class="cmd ${actionStyle(a)}">${describeAction(a)}</code>
            </div>`,
        )}
        ${this._renderOutput()} ${st.check ? this._renderCheck(st.check.expected, c) : nothing}
      </section>
      <div class="nav">
        <button class="quiet back" ?disabled=${this._step === 0} @click=${() => this._open(this._step - 1)}>
          ← Back
        </button>
        ${
          last
            ? html`<span class="end ${c.state === 'pass' || !st.check ? 'ok' : 'muted'}"
                >${c.state === 'pass' || !st.check ? 'Lesson complete.' : 'Last step.'}</span
              >`
            : html`<button
                class="next ${c.state === 'pass' ? '' : 'quiet'}"
                @click=${() => this._open(this._step + 1)}
              >
                Next →
              </button>`
        }
      </div>
    `;
  }

  private _renderOutput() {
    const o = this._output;
    if (!o || !o.output) return nothing;
    return html`<details class="output" ?open=${!o.ok}>
      <summary class=${o.ok ? '' : 'error'}>Output of <code>${o.command}</code></summary>
      <pre class=${o.ok ? '' : 'error'}>${o.output}</pre>
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
