/**
 * The lab's hold on a cluster's time: pause, resume and speed. On the inline runtime they are
 * the cluster's own clock controls (cluster.time), logged as the API calls they are; on the sim
 * runtime, whose virtual time moves only when driven, a pump advances it with the wall clock.
 */
import type { Cluster, SimCluster } from '../../workers/index.ts';

export interface LabTimeHost {
  cluster(): Cluster | undefined;
  log(command: string, output: string): void;
  changed(): void;
}

export class LabTime {
  /**
   * On the sim runtime, how many virtual milliseconds pass per real one while the lab runs
   * (Greenplum's timings at 1; 30 for compressed time); 0 leaves the pump off.
   */
  pumpFactor = 30;
  /** The multiplier applied on top of the preset (1: the preset's pace). */
  speedFactor = 1;
  private readonly host: LabTimeHost;
  private pump: ReturnType<typeof setInterval> | undefined;
  private pumpPaused = false;
  private basePump = 30;

  constructor(host: LabTimeHost) {
    this.host = host;
  }

  get paused(): boolean {
    const t = this.host.cluster()?.time;
    return t ? t.paused : this.pumpPaused;
  }

  setPaused(paused: boolean): void {
    const t = this.host.cluster()?.time;
    if (t) {
      if (paused) t.pause();
      else t.resume();
      this.host.log(`cluster.time.${paused ? 'pause' : 'resume'}()`, paused ? 'time paused' : 'time running');
    } else this.pumpPaused = paused;
    this.host.changed();
  }

  setSpeed(factor: number): void {
    this.speedFactor = factor;
    const t = this.host.cluster()?.time;
    if (t) {
      t.setSpeed(factor);
      this.host.log(`cluster.time.setSpeed(${factor})`, `time runs at ${factor}×`);
    } else {
      this.pumpFactor = this.basePump * factor;
      this.pumpPaused = false;
    }
    this.host.changed();
  }

  /** Starts the pump for a simulated cluster (nothing for one on the wall clock). */
  start(c: Cluster): void {
    const sim = (c as Partial<SimCluster>).sim;
    if (!sim || this.pumpFactor <= 0) return;
    this.basePump = this.pumpFactor;
    let last = performance.now();
    let busy = false;
    this.pump = setInterval(() => {
      const now = performance.now();
      const ms = (now - last) * this.pumpFactor;
      last = now;
      if (busy || this.host.cluster() !== c || this.pumpPaused) return;
      busy = true;
      void sim.advance(ms).finally(() => (busy = false));
    }, 100);
  }

  stop(): void {
    clearInterval(this.pump);
    this.pump = undefined;
  }

  /**
   * How many times faster than the wall clock cluster time runs: the pump's pace on the sim
   * runtime, else the preset's compression (`timeScale`) times the speed.
   */
  wallFactor(timeScale: number): number {
    return this.pump !== undefined ? this.pumpFactor : timeScale * this.speedFactor;
  }
}

/** What a wait in SQL takes on the wall clock, at the cluster's current pace. */
export function timeHint(paused: boolean, factor: number): string {
  if (paused) return ' · cluster time is paused: pg_sleep and timeouts wait until it resumes';
  if (factor === 1) return '';
  const pace = (f: number) => (Number.isInteger(f) ? String(f) : f.toFixed(f < 1 ? 2 : 1));
  const how = factor > 1 ? `${pace(factor)}× faster` : `${pace(1 / factor)}× slower`;
  const wall = 60 / factor;
  return ` · cluster time runs ${how}: pg_sleep(60) and a 60 s timeout take ${wall < 10 ? wall.toFixed(1) : Math.round(wall)} s`;
}
