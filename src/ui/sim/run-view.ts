/** A run's scrubber (a slider over its steps) and its plan, step by step with what each did. */
import { html, nothing } from 'lit';
import { describeStep, type SimRun } from '../../workers/index.ts';
import { faultSteps } from './client-timeline.ts';

/** A slider over the plan's steps, marked at each fault and each step where FTS decided. */
export function scrubber(run: SimRun, busy: boolean, goTo: (k: number) => void) {
  const decided = new Set(
    run.decisions.map((d) => run.stepTimes.findIndex((t) => d.at <= t.end)).filter((i) => i >= 0),
  );
  const marks = [...new Set([...faultSteps(run.plan), ...decided])].sort((a, b) => a - b);
  const at = Math.min(run.next, run.plan.length);
  return html`<label class="scrub"
    >${at} of ${run.plan.length} steps run
    <input
      type="range"
      min="0"
      max=${run.plan.length}
      .value=${String(at)}
      list="sim-marks"
      ?disabled=${busy}
      aria-valuetext=${`${at} of ${run.plan.length} steps run`}
      @change=${(e: Event) => goTo(Number((e.target as HTMLInputElement).value))}
    />
    <datalist id="sim-marks">${marks.map((m) => html`<option value=${m}></option>`)}</datalist>
    <span class="small"
      >marked at steps: faults ${faultSteps(run.plan).join(', ') || 'none'}; FTS decisions
      ${[...decided].join(', ') || 'none yet'}</span
    >
  </label>`;
}

export function planList(run: SimRun) {
  const items = [...run.plan.map((s) => describeStep(s)), 'repair: heal, restart, gprecoverseg, rebalance'];
  return html`<ol part="plan" tabindex="0" start="0" aria-label="Plan of seed ${run.seed}">
    ${items.map((text, i) => {
      const logged = run.log[i];
      const note = logged?.split(' -> ')[1];
      const cls =
        run.failure?.step === i
          ? 'failed'
          : i < run.next || (run.finished && i === run.plan.length)
            ? 'done'
            : i === run.next
              ? 'current'
              : 'pending';
      return html`<li class=${cls} aria-current=${cls === 'current' ? 'step' : 'false'}>
        ${text}${note ? html` <span class="note">→ ${note}</span>` : nothing}
      </li>`;
    })}
  </ol>`;
}

/** The run's verdict: the invariant a step broke, or the repaired run's checks. */
export function verdict(run: SimRun) {
  return run.failure
    ? html`<p class="verdict bad" role="alert">
        Invariant violated after step ${run.failure.step}:
        <strong>${run.failure.invariant}</strong>. ${run.failure.message}
      </p>`
    : run.finished
      ? html`<p class="verdict" role="status">
          Repaired and checked: every invariant held; copies compared page by page for content(s)
          ${run.compared.join(', ')}.
        </p>`
      : nothing;
}
