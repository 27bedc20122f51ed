/**
 * Drives one simulated run in the lab: boots it, shows it, replays it to a step, runs its
 * steps one at a time, and (once taken over) records the person's actions as its next steps.
 *
 * Every step, replayed or recorded, goes the same way: the step, then the lab's read of the
 * catalog, in one queue. The lab reads nothing else from the run's cluster and acts on it only
 * through the recorder, so a replay of the same steps in this lab meets the same states, to the
 * virtual millisecond.
 */
import { SimRun, type Shape, type Step, type StepValue } from '../../workers/index.ts';
import { recordedCluster, type StepRecorder } from './recorded-cluster.ts';
import type { Cluster } from '../../workers/index.ts';

/** What a run is made from: a link's, a file's, a seed's, or a new recording's. */
export interface RunSpec {
  seed: number;
  replication: 'wal' | 'filerep';
  plan: Step[];
  /** A recorded run's own cluster (undefined: the seed's shape). */
  shape: Shape | undefined;
}

export interface RunHost {
  /** Shows the run's cluster in the lab (`acted`: what its panels act on); settles once read. */
  adopt(run: SimRun, acted: Cluster, live: boolean): Promise<void>;
  /** The lab's read of the views, at a step's end. */
  read(): Promise<void>;
  changed(): void;
}

/** Code for an action a replay refuses (object_not_in_prerequisite_state). */
const REPLAYING = '55000';

export class RunDriver {
  private current: SimRun | undefined;
  private currentSpec: RunSpec | undefined;
  private isRecording = false;
  private isLive = false;
  private pending = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private sessions = 0;
  private readonly host: RunHost;

  constructor(host: RunHost) {
    this.host = host;
  }

  get run(): SimRun | undefined {
    return this.current;
  }

  get spec(): RunSpec | undefined {
    return this.currentSpec;
  }

  /** Whether the person's actions become the run's next steps. */
  get recording(): boolean {
    return this.isRecording;
  }

  /** Gone live: the run's time runs with the lab's clock, and it neither steps nor records. */
  get live(): boolean {
    return this.isLive;
  }

  /** Whether steps or actions are queued or running. */
  get busy(): boolean {
    return this.pending > 0;
  }

  /**
   * Boots a run and shows it, then replays it to step `upTo`; `record` takes it over there (the
   * steps after it are dropped). The run in the lab is replaced only once the new one has booted.
   */
  load(spec: RunSpec, upTo: number, record = false): Promise<void> {
    return this.enqueue(async () => {
      const run = await SimRun.begin(spec.seed, spec.plan, spec.replication, spec.shape);
      const old = this.current;
      this.current = run;
      this.currentSpec = spec;
      this.isRecording = false;
      this.isLive = false;
      this.sessions = Math.max(0, ...spec.plan.map((s) => ('session' in s ? (s.session ?? 0) : 0)));
      await this.host.adopt(
        run,
        recordedCluster(run.cluster, this.recorderOf(run), this.closerOf(run)),
        false,
      );
      if (old && old !== run) await old.close();
      while (run.next < upTo && !run.done) await this.stepOf(run);
      if (record && this.current === run) await this.takeOverNow(run);
    });
  }

  /**
   * Runs the next planned step (after the last: the repair and the final checks), of `run` only
   * when given: a loop over one run's steps stops when another run is opened meanwhile.
   */
  step(run?: SimRun): Promise<void> {
    return this.enqueue(async () => {
      const r = this.current;
      if (r && (!run || r === run) && !r.done && !this.isLive) await this.stepOf(r);
    });
  }

  /** Take over here: the steps after this one are dropped; the person's actions follow. */
  takeOver(): Promise<void> {
    const run = this.current;
    if (!run) return Promise.resolve();
    if (this.isLive)
      return Promise.reject(new Error('This run has gone live; replay its link to take it over at a step.'));
    return this.enqueue(() => this.takeOverNow(run));
  }

  /**
   * Go live from here: the run's cluster runs on with the lab's clock, its panels act on it
   * directly, as on any cluster. The run stops here: its link replays up to this step.
   */
  goLive(): Promise<void> {
    return this.enqueue(async () => {
      const run = this.current;
      if (!run || this.isLive) return;
      this.isLive = true;
      this.isRecording = false;
      await this.host.adopt(run, run.cluster, true);
    });
  }

  /** Records an action the panel offers itself (a wait, transfers). */
  act(step: Step): Promise<{ note: string; value: StepValue }> {
    const run = this.current;
    if (!run) return Promise.reject(new Error('No run is loaded: load a seed, open a run, or record one.'));
    return this.recorderOf(run).record(step);
  }

  /** Lets go of the run (the lab closes its cluster with the next one it shows). */
  forget(): void {
    this.current = undefined;
    this.currentSpec = undefined;
    this.isRecording = false;
    this.isLive = false;
    this.host.changed();
  }

  private async stepOf(run: SimRun): Promise<void> {
    await run.step();
    if (this.current === run) await this.host.read();
  }

  /** The replay's sessions lost their client (the console let go of them): they end first. */
  private async takeOverNow(run: SimRun): Promise<void> {
    const orphans = run.takeOver();
    this.isRecording = true;
    for (const session of orphans) await run.record({ op: 'disconnect', session });
    if (orphans.length && this.current === run) await this.host.read();
    this.host.changed();
  }

  /**
   * The lab closing the run's recorded view: the run ends with it (the panel lets go of it),
   * except when it went live, when the lab keeps its cluster running.
   */
  private closerOf(run: SimRun): () => Promise<void> {
    return () => {
      if (this.current === run && this.isLive) return Promise.resolve();
      if (this.current === run) this.forget();
      return run.close();
    };
  }

  /** The run's recorder: bound to this run, so an old console's session cannot write into a new one. */
  private recorderOf(run: SimRun): StepRecorder {
    return {
      record: (step) =>
        this.enqueue(async () => {
          if (this.current !== run)
            throw new Error('That run is no longer open; act on the one the lab shows.');
          if (this.isLive) throw new Error('This run has gone live: act on its cluster directly.');
          if (!this.isRecording)
            throw Object.assign(
              new Error(
                'This is a replay: it runs its own steps. Press "Take over here" in the Simulation panel to act on it from this step.',
              ),
              { code: REPLAYING },
            );
          const out = await run.record(step);
          await this.host.read();
          return out;
        }),
      newSession: () => ++this.sessions,
      look: (work) => this.inTurn(work),
    };
  }

  /** Takes its turn after the steps queued before it: a look never falls inside a step. */
  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const done = this.queue.then(work);
    this.queue = done.then(
      () => undefined,
      () => undefined,
    );
    return done;
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    this.pending++;
    this.host.changed();
    const done = this.queue.then(work);
    this.queue = done.then(
      () => undefined,
      () => undefined,
    );
    return done.finally(() => {
      this.pending--;
      this.host.changed();
    });
  }
}
