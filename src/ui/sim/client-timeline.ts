/**
 * The client's view of a simulated run (Jepsen's timeline): every workload operation as a bar
 * from its start to its end, coloured by what its client learnt (it happened, it did not, or
 * it cannot know), on one axis with the plan's faults and FTS's decisions. Each step has a
 * column of its own (a 300 s wait would otherwise squeeze a step's milliseconds to nothing);
 * time runs linearly within a column.
 */
import { css, html, svg, nothing } from 'lit';
import { describeStep, type ClientOp, type SimRun, type Step } from '../../workers/index.ts';

const WIDTH = 600;
const LANE = 7;
const TOP = 14;

const FAULT_OPS = new Set<Step['op']>([
  'crash',
  'restart',
  'partition',
  'delay',
  'slowDisk',
  'diskFull',
  'coordinatorFailover',
]);

export const OUTCOME_WORDS: Record<ClientOp['outcome'], string> = {
  ok: 'ok',
  failed: 'failed',
  indeterminate: 'indeterminate',
};

/** Steps that strike a fault (the step itself, or one in its middle): the slider marks them. */
export function faultSteps(plan: readonly Step[]): number[] {
  return plan
    .map((s, i) => (FAULT_OPS.has(s.op) || ('during' in s && s.during) ? i : -1))
    .filter((i) => i >= 0);
}

/** An operation as a client saw it: when it started and ended, and what it learnt. */
export type Outcome = Pick<ClientOp, 'start' | 'end' | 'outcome'>;

/** Counts of operations by outcome. */
export function outcomeCounts(ops: readonly Outcome[]): Record<ClientOp['outcome'], number> {
  const n = { ok: 0, failed: 0, indeterminate: 0 };
  for (const o of ops) n[o.outcome]++;
  return n;
}

/** Greedy lanes: each operation in the first lane free when it starts. */
export function lanes(ops: readonly Outcome[]): number[] {
  const ends: number[] = [];
  return ops.map((o) => {
    let lane = ends.findIndex((e) => e <= o.start);
    if (lane < 0) lane = ends.push(0) - 1;
    ends[lane] = Math.max(o.end, o.start);
    return lane;
  });
}

export function clientTimeline(run: SimRun) {
  const steps = run.stepTimes;
  if (!steps.length) return nothing;
  const ops = run.ops;
  const col = WIDTH / steps.length;
  /** x of a virtual time: its step's column, linear within it. */
  const x = (t: number): number => {
    let i = steps.findIndex((s) => t <= s.end);
    if (i < 0) i = steps.length - 1;
    const s = steps[i]!;
    const span = Math.max(1e-6, s.end - s.start);
    return i * col + Math.min(1, Math.max(0, (t - s.start) / span)) * col;
  };
  const laneOf = lanes(ops);
  const height = TOP + (Math.max(0, ...laneOf) + 1) * LANE + 4;
  const counts = outcomeCounts(ops);
  const codes = [...new Set(ops.filter((o) => o.outcome !== 'ok' && o.code).map((o) => o.code))];
  const faults = faultSteps(run.plan).filter((i) => i < steps.length);
  return html`<figure class="client">
    <figcaption>
      The client's view: ${ops.length} operations — <span class="ok">${counts.ok} ok</span>,
      <span class="failed">${counts.failed} failed</span>,
      <span class="indeterminate">${counts.indeterminate} indeterminate</span>
      (a COMMIT whose connection went: the client cannot
      know)${codes.length ? `; SQLSTATEs ${codes.join(', ')}` : ''}. Columns are steps; red lines are faults,
      blue lines FTS's decisions.
    </figcaption>
    <svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="Operations over the run's steps">
      ${steps.map(
        (_, i) =>
          svg`<line class="col" x1=${i * col} x2=${i * col} y1="0" y2=${height}></line>${
            col >= 14 ? svg`<text class="step" x=${i * col + 2} y="9">${i}</text>` : nothing
          }`,
      )}
      ${faults.map((i) => {
        const s = run.plan[i]!;
        const during = 'during' in s ? s.during : undefined;
        const at = x(steps[i]!.start + (during?.afterMs ?? 0));
        return svg`<line class="fault" data-step=${i} x1=${at} x2=${at} y1="0" y2=${height}><title>step ${i}: ${describeStep(s)}</title></line>`;
      })}
      ${run.decisions.map(
        (d) =>
          svg`<line class="decision" x1=${x(d.at)} x2=${x(d.at)} y1="0" y2=${height}><title>${d.kind}, content ${d.content}</title></line>`,
      )}
      ${ops.map((o, i) => {
        const x0 = x(o.start);
        const w = Math.max(1.5, x(Math.max(o.end, o.start)) - x0);
        return svg`<rect class=${`op ${o.outcome}`} data-outcome=${o.outcome} x=${x0} y=${TOP + laneOf[i]! * LANE} width=${w} height=${LANE - 2}><title>${o.kind} ${o.id}: ${OUTCOME_WORDS[o.outcome]}${o.code ? ` (${o.code})` : ''}</title></rect>`;
      })}
    </svg>
  </figure>`;
}

/** The client's-view figures' styles (the simulated run's and the live workload's). */
export const timelineStyles = css`
  figure.client {
    margin: 0.5rem 0;
  }
  figure.client figcaption {
    font-size: 0.78rem;
    margin-bottom: 0.25rem;
  }
  figure.client svg {
    width: 100%;
    height: auto;
    background: var(--mpp-card-bg, #0b1324);
    border-radius: 4px;
  }
  .ok {
    color: var(--mpp-ok, #4ade80);
  }
  .failed {
    color: var(--mpp-down, #f87171);
  }
  .indeterminate {
    color: var(--mpp-warn, #fbbf24);
  }
  rect.op.ok {
    fill: var(--mpp-ok, #4ade80);
  }
  rect.op.failed {
    fill: var(--mpp-down, #f87171);
  }
  rect.op.indeterminate {
    fill: var(--mpp-warn, #fbbf24);
  }
  line.col {
    stroke: var(--mpp-border, #334155);
    stroke-width: 0.5;
  }
  line.fault {
    stroke: var(--mpp-down, #f87171);
    stroke-width: 1.5;
  }
  line.decision {
    stroke: var(--mpp-accent, #38bdf8);
    stroke-width: 1.5;
    stroke-dasharray: 3 2;
  }
  text.step {
    font-size: 7px;
    fill: var(--mpp-muted, #94a3b8);
  }
`;
