/**
 * Named points in the engine where a test or a lesson can suspend an instance, as Greenplum's
 * gp_inject_fault 'suspend' does (e.g. `finish_prepared_start_of_function` holds COMMIT
 * PREPARED on one segment). Code calls `await points.reach(name, dbid)`; it returns at once
 * unless that point is held for that instance.
 */
export interface Hold {
  /** Resolves when some call reached the point (and is now waiting). */
  readonly reached: Promise<void>;
  /** Lets every waiting and later call pass. */
  release(): void;
}

interface HoldState {
  released: Promise<void>;
  release: () => void;
  reached: Promise<void>;
  markReached: () => void;
}

export class FaultPoints {
  private readonly holds = new Map<string, HoldState>();

  suspend(point: string, dbid: number): Hold {
    const key = `${point}@${dbid}`;
    let release!: () => void;
    let markReached!: () => void;
    const state: HoldState = {
      released: new Promise<void>((r) => (release = r)),
      release: () => {
        this.holds.delete(key);
        release();
      },
      reached: new Promise<void>((r) => (markReached = r)),
      markReached: () => markReached(),
    };
    this.holds.set(key, state);
    return { reached: state.reached, release: state.release };
  }

  async reach(point: string, dbid: number): Promise<void> {
    const h = this.holds.get(`${point}@${dbid}`);
    if (!h) return;
    h.markReached();
    await h.released;
  }

  /** Is the point held for this instance? (for 'skip' faults, such as skipping FTS probes) */
  isHeld(point: string, dbid: number): boolean {
    const h = this.holds.get(`${point}@${dbid}`);
    if (h) h.markReached();
    return h !== undefined;
  }

  releaseAll(): void {
    for (const h of [...this.holds.values()]) h.release();
  }

  list(): string[] {
    return [...this.holds.keys()];
  }
}
