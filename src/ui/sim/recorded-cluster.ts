/**
 * A simulated run seen by the rest of the lab: every query, session, utility and fault the lab's
 * panels make on it becomes a step of the run (recorded with the virtual time it ran at), so a
 * link or file of the run replays what the person did. Nothing reaches the simulation another
 * way: what only looks (the store's views at each step's end, an instance's status or blocks)
 * goes through the run's watcher, which leaves the run as it was.
 */
import type {
  Cluster,
  Faults,
  QueryResult,
  Session,
  SimCluster,
  Step,
  StepValue,
} from '../../workers/index.ts';

/** The run the lab's actions go to: records a step and gives back what it returned. */
export interface StepRecorder {
  record(step: Step): Promise<{ note: string; value: StepValue }>;
  /** A number for a new session of the run (a console's). */
  newSession(): number;
  /** Runs a look at the run (no step) between its steps, never during one. */
  look<T>(work: () => Promise<T>): Promise<T>;
}

/** Code for what a recorded run cannot hold (as SQL's feature_not_supported). */
const NOT_RECORDED = '0A000';

/**
 * `close` is the run's to decide: the cluster a run went live with outlives the recorded view
 * of it that the lab lets go of.
 */
export function recordedCluster(
  raw: SimCluster,
  recorder: StepRecorder,
  close: () => Promise<void>,
): Cluster {
  const rows = async (step: Step): Promise<QueryResult> => {
    const { value } = await recorder.record(step);
    if (value.kind === 'error') throw value.error;
    if (value.kind !== 'rows') throw new Error(`assertion failed: a sql step gave back ${value.kind}`);
    return value.result;
  };
  const fault = async (step: Step): Promise<void> => {
    const { note } = await recorder.record(step);
    if (note.startsWith('refused: ')) throw new Error(note.slice('refused: '.length));
  };
  const faults: Faults = {
    crash: (target) => fault({ op: 'crash', target }),
    restart: (target) => fault({ op: 'restart', target }),
    partition: (a, b) => {
      const hosts = (xs: (number | string)[]) => xs.filter((x): x is string => typeof x === 'string');
      if (hosts(a).length !== a.length || hosts(b).length !== b.length)
        return Promise.reject(notRecorded('a partition of single instances'));
      return fault({ op: 'partition', a: hosts(a), b: hosts(b) });
    },
    heal: () => fault({ op: 'heal' }),
    delay: (target, ms) => {
      if (typeof target !== 'number') return Promise.reject(notRecorded('a delay on a whole host'));
      return fault({ op: 'delay', dbid: target, ms });
    },
    slowDisk: (dbid, ms) => fault({ op: 'slowDisk', dbid, ms }),
    diskFull: (dbid, full) => fault({ op: 'diskFull', dbid, full }),
    corruptBlock: () => Promise.reject(notRecorded('bit rot')),
    suspend: () => {
      throw notRecorded('holding a fault point');
    },
  };
  return {
    connect: async (options = {}) => {
      if (options.utility) throw notRecorded('a utility-mode session on the coordinator');
      const session = recorder.newSession();
      const dbid = options.dbid;
      // The run opens a session at its first statement; one that ran none has nothing to close.
      let used = false;
      return {
        query: (text) => {
          used = true;
          return rows({ op: 'sql', text, session, ...(dbid === undefined ? {} : { dbid }) });
        },
        close: async () => {
          if (used) await recorder.record({ op: 'disconnect', session });
        },
      } satisfies Session;
    },
    query: (text) => rows({ op: 'sql', text }),
    run: async (command, options) => {
      if (options?.signal) throw notRecorded('interrupting a utility');
      const { value } = await recorder.record({ op: 'utility', command });
      if (value.kind !== 'output')
        throw new Error(`assertion failed: a utility step gave back ${value.kind}`);
      return { exitCode: value.exitCode, stdout: value.stdout, stderr: value.stderr };
    },
    files: new ReadOnlyFiles(raw.files),
    faults,
    time: undefined,
    subscribe: (listener) => raw.subscribe(listener),
    // Looking changes nothing (the watcher lets no virtual time pass), so it is not a step.
    instanceStatus: (dbid) => recorder.look(() => raw.watcher.instanceStatus(dbid)),
    blocks: (dbid, prefix, view) => recorder.look(() => raw.watcher.blocks(dbid, prefix, view)),
    dataDirectories: () => recorder.look(() => raw.watcher.dataDirectories()),
    close,
  };
}

/**
 * The utilities' files as the run has them: written by its own steps (a utility's -o, or
 * `printf ... > file`), so a replay has them too; the lab does not write them behind its back.
 */
class ReadOnlyFiles extends Map<string, string> {
  private readonly raw: Map<string, string>;
  constructor(raw: Map<string, string>) {
    super();
    this.raw = raw;
  }
  override get(k: string): string | undefined {
    return this.raw.get(k);
  }
  override has(k: string): boolean {
    return this.raw.has(k);
  }
  override get size(): number {
    return this.raw.size;
  }
  override keys(): MapIterator<string> {
    return this.raw.keys();
  }
  override values(): MapIterator<string> {
    return this.raw.values();
  }
  override entries(): MapIterator<[string, string]> {
    return this.raw.entries();
  }
  override [Symbol.iterator](): MapIterator<[string, string]> {
    return this.raw.entries();
  }
  override forEach(fn: (v: string, k: string, m: Map<string, string>) => void): void {
    this.raw.forEach((v, k) => fn(v, k, this));
  }
  override set(k: string, v: string): this {
    void v;
    throw notRecorded(`writing the file ${k} from the lab (write it with a utility: printf '...' > ${k})`);
  }
  override delete(k: string): boolean {
    throw notRecorded(`removing the file ${k} from the lab`);
  }
  override clear(): void {
    throw notRecorded("removing the utilities' files from the lab");
  }
}

function notRecorded(what: string): Error {
  return Object.assign(
    new Error(
      `${what[0]!.toUpperCase()}${what.slice(1)} is not a step a run can record yet; do it on a cluster started from the lab's layout instead.`,
    ),
    { code: NOT_RECORDED },
  );
}
