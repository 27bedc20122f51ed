/**
 * How far a cluster's start has got: its instances up, counted from the start's own events,
 * against how many it starts (a fresh layout's rows; a resume's, as `startsOnResume` counts
 * them). A layout of 130 instances takes seconds to start on two cores.
 */
import { clusterLayout, type ClusterEvent, type ClusterOptions } from '../../workers/index.ts';

export interface BootProgress {
  up: number;
  /** Unknown for a resume whose saved rows were not counted, or a layout that cannot work. */
  of: number | undefined;
}

export class BootCount {
  private readonly up = new Set<number>();
  private readonly of: number | undefined;

  constructor(options: ClusterOptions, resumeStarts: number | undefined) {
    this.of = options.resume ? resumeStarts : instancesOf(options);
  }

  /** Counts an instance coming up; false when the event changed nothing. */
  note(e: ClusterEvent): boolean {
    if (e.kind !== 'instance.up' || e.dbid === undefined || this.up.has(e.dbid)) return false;
    this.up.add(e.dbid);
    return true;
  }

  get progress(): BootProgress {
    return { up: this.up.size, of: this.of };
  }
}

/** How many instances `createCluster(options)` starts: its layout's rows. */
function instancesOf(options: ClusterOptions): number | undefined {
  try {
    return clusterLayout(options).length;
  } catch {
    return undefined; // a layout that cannot work: createCluster says why
  }
}
