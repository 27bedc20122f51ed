/**
 * The explorer: runs a plan of workload steps and faults on a simulated cluster and checks,
 * after every step, what must hold whatever happened:
 * - no acknowledged commit is lost (the register's acknowledged appends, the DDL that succeeded);
 * - every bank sum read equals the total (distributed snapshots never show half a transfer);
 * - never two acting primaries for one content that could both acknowledge commits;
 * - no call hangs past its deadline (SimulationTimeout);
 * and, once the faults are repaired at the end (heal, restart, activate, gprecoverseg,
 * rebalance): the cluster serves again, every synchronized mirror's pages equal its primary's
 * and the standby's catalog pages equal the coordinator's.
 */
import { createCluster } from '../cluster/create.ts';
import type { SimCluster } from '../cluster/sim-cluster.ts';
import { SimulationTimeout } from '../runtime/sim.ts';
import { apply, repair } from './apply.ts';
import {
  ACCOUNTS,
  checkAcked,
  checkCopies,
  checkInDoubt,
  checkPrimaries,
  decidedInDoubt,
  emptyAcked,
  InvariantViolation,
  OPENING_BALANCE,
  type Acked,
  type ClientOp,
} from './checks.ts';
import { isPersonStep, PersonSessions, type StepValue } from './person.ts';
import { MAX_STEPS, stepProblem } from './run-link.ts';
import { describeStep, shapeFor, type Shape, type Step } from './steps.ts';

export interface Failure {
  /** Index of the step after which the check failed (the plan's length: the final checks). */
  step: number;
  invariant: string;
  message: string;
}

export interface RunResult {
  seed: number;
  failure: Failure | undefined;
  /** The simulator's event trace (same seed and plan: same trace). */
  trace: readonly string[];
  /** What each step did, one line each. */
  log: string[];
  virtualMs: number;
  /** Contents whose copies were compared page by page at the end (-1: the standby's catalog). */
  compared: number[];
}

/**
 * One run of a plan, a step at a time: the lab steps through it; `runPlan` runs it all. The
 * cluster stays open until `close()`, so a viewer can look at it between steps.
 */
export class SimRun {
  readonly seed: number;
  readonly shape: Shape;
  readonly cluster: SimCluster;
  /** What each step did, one line each. */
  readonly log: string[] = [];
  /** Index of the next step; `plan.length` once the steps are done, then the repair. */
  next = 0;
  failure: Failure | undefined;
  finished = false;
  /** Contents compared page by page after the repair. */
  readonly compared: number[] = [];
  private readonly acked: Acked = emptyAcked();
  private readonly steps: Step[];
  private readonly sessions = new PersonSessions();
  /** What each person's step gave back (a statement's rows or error, a utility's output). */
  private readonly values = new Map<number, StepValue>();
  /** What each step's log line says it did ("ok", "refused: ...", "exit 1"). */
  private readonly notes = new Map<number, string>();
  private readonly start: number;
  /** When each step ran, in virtual ms from the run's start. */
  readonly stepTimes: { start: number; end: number }[] = [];
  /** FTS's decisions (failovers, mirrors marked down or up, double faults), when they were made. */
  readonly decisions: { at: number; kind: string; content: number }[] = [];

  private constructor(seed: number, plan: readonly Step[], shape: Shape, cluster: SimCluster) {
    this.seed = seed;
    this.steps = [...plan];
    this.shape = shape;
    this.cluster = cluster;
    this.start = cluster.sim.now();
    cluster.subscribe((e) => {
      if (e.kind.startsWith('fts.') && e.kind !== 'fts.cycle' && 'content' in e)
        this.decisions.push({ at: cluster.sim.now() - this.start, kind: e.kind, content: e.content });
    });
  }

  /** The workload's operations as their clients saw them, times from the run's start. */
  get ops(): ClientOp[] {
    return this.acked.ops.map((o) => ({ ...o, start: o.start - this.start, end: o.end - this.start }));
  }

  /** The steps, run and to run. */
  get plan(): readonly Step[] {
    return this.steps;
  }

  /**
   * Boots the cluster (the seed's shape unless a recorded run chose its own) and creates the
   * workload's tables.
   */
  static async begin(
    seed: number,
    plan: readonly Step[],
    replication: Replication = 'wal',
    shape: Shape = shapeFor(seed),
  ): Promise<SimRun> {
    const c = (await createCluster({
      runtime: 'sim',
      seed,
      replication,
      hosts: shape.hosts,
      segmentsPerHost: shape.segmentsPerHost,
      mirroring: shape.mirroring,
      standby: true,
    })) as SimCluster;
    await c.query('create table bank (id int, balance int) distributed by (id)');
    await c.query(`insert into bank select i, ${OPENING_BALANCE} from generate_series(1, ${ACCOUNTS}) i`);
    await c.query('create table reg (k int, v int) distributed by (k)');
    await c.query('create table xfer (id int) distributed by (id)');
    return new SimRun(seed, plan, shape, c);
  }

  get done(): boolean {
    return this.finished || this.failure !== undefined;
  }

  get virtualMs(): number {
    return this.cluster.sim.now() - this.start;
  }

  /**
   * Recording: `step` becomes the run's next step and runs at once, with the same checks as any
   * other; what it gave back is returned. Only at the end of the plan (see `takeOver`).
   */
  async record(step: Step): Promise<{ note: string; value: StepValue }> {
    if (this.done)
      throw new Error(
        this.failure
          ? `The run stopped after step ${this.failure.step} (${this.failure.invariant}); take over from an earlier step.`
          : 'The run is repaired and checked; take over from an earlier step to go on.',
      );
    if (this.next !== this.steps.length) throw new Error('Take over at this step before recording.');
    // What is recorded must replay: a step its link or file would refuse is refused now.
    const problem = stepProblem(step);
    if (problem) throw invalidStep(`This action cannot be a step of a run (${problem}).`);
    if (this.steps.length >= MAX_STEPS)
      throw invalidStep(`A run holds at most ${MAX_STEPS} steps; export this one and start another.`);
    this.steps.push(step);
    await this.step();
    const i = this.steps.length - 1;
    if (this.failure?.step === i)
      throw new Error(`Step ${i} stopped the run: ${this.failure.invariant}. ${this.failure.message}`);
    return { note: this.notes.get(i) ?? '', value: this.values.get(i) ?? { kind: 'none' } };
  }

  /**
   * Take over here: the steps after this point are dropped, and what is recorded follows. The
   * sessions the replay opened have no client any more: they are returned, for the recorder to
   * close as its first steps (a client gone: its backend ends, its open transaction rolls back).
   */
  takeOver(): number[] {
    if (this.done) throw new Error('The run has ended; replay it to an earlier step to take over there.');
    this.steps.length = this.next;
    return this.sessions.ids();
  }

  /** What step `i` gave back, if it was a person's. */
  valueOf(i: number): StepValue | undefined {
    return this.values.get(i);
  }

  /** Applies the next step and checks the invariants; after the last, repairs and checks all. */
  async step(): Promise<void> {
    if (this.done) return;
    const i = this.next;
    if (i === this.steps.length) {
      try {
        this.log.push(`${i}: repair -> ${await repair(this.cluster)}`);
        // DTX recovery finishes what the faults left prepared within its interval.
        const dtx = this.cluster.sim.dtx();
        const before = decidedInDoubt(this.cluster);
        const wait = (dtx?.recoveryIntervalMs ?? 0) + 30_000;
        await this.cluster.sim.advance(wait);
        checkInDoubt(this.cluster, before, wait);
        await checkAcked(this.cluster, this.acked, true);
        this.compared.push(...(await checkCopies(this.cluster)));
      } catch (e) {
        this.failure = asFailure(i, e);
      }
      this.finished = true;
      return;
    }
    const step = this.steps[i]!;
    this.next++;
    const began = this.virtualMs;
    try {
      const quiet = step.op === 'wait' && this.cluster.sim.calm();
      const before = quiet ? decidedInDoubt(this.cluster) : [];
      let note: string;
      if (isPersonStep(step)) {
        const done = await this.sessions.apply(this.cluster, step);
        this.values.set(i, done.value);
        note = done.note;
      } else note = await apply(this.cluster, step, this.acked);
      if (quiet && this.cluster.sim.calm()) checkInDoubt(this.cluster, before, step.ms);
      this.notes.set(i, note);
      this.log.push(`${i}: ${describeStep(step)}${note ? ` -> ${note}` : ''}`);
      await checkAcked(this.cluster, this.acked);
      checkPrimaries(this.cluster);
      await checkCopies(this.cluster, true);
    } catch (e) {
      this.failure = asFailure(i, e);
      const held = this.sessions.transactions();
      if (e instanceof SimulationTimeout && held.length)
        this.failure.message += ` Session ${held.join(', ')} held a transaction open (BEGIN without COMMIT or ROLLBACK): a run's steps run one at a time, so a step that needs the rows it locked waits for it for ever. End the transaction before such a step.`;
    }
    this.stepTimes.push({ start: began, end: this.virtualMs });
  }

  result(): RunResult {
    return {
      seed: this.seed,
      failure: this.failure,
      trace: this.cluster.sim.trace,
      log: this.log,
      virtualMs: this.virtualMs,
      compared: this.compared,
    };
  }

  close(): Promise<void> {
    return this.cluster.close().catch(() => undefined);
  }
}

/** How the seed's cluster mirrors its segments: WAL streaming, or Greenplum 5 file replication. */
export type Replication = 'wal' | 'filerep';

/** Runs a whole plan (steps, repair, final checks) and closes its cluster. */
export async function runPlan(
  seed: number,
  plan: readonly Step[],
  replication: Replication = 'wal',
): Promise<RunResult> {
  const run = await SimRun.begin(seed, plan, replication);
  try {
    while (!run.done) await run.step();
    return run.result();
  } finally {
    await run.close();
  }
}

function asFailure(step: number, e: unknown): Failure {
  if (e instanceof InvariantViolation) return { step, invariant: e.invariant, message: e.message };
  if (e instanceof SimulationTimeout) return { step, invariant: 'no call hangs', message: e.message };
  return {
    step,
    invariant: 'no unexpected error',
    message: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
  };
}

/** A step a run cannot hold (as SQL's invalid_parameter_value). */
function invalidStep(message: string): Error {
  return Object.assign(new Error(message), { code: '22023' });
}
