/**
 * The cluster shell every runtime shares: sessions and their bookkeeping, the event stream,
 * the framing of a utility run, instance status with FTS's view of it, the record of planned
 * stops, and the Faults API. A runtime (inline, worker, sim) supplies only its NodeControl: the
 * abstract members below, which start, stop and reach its instances.
 */
import { sqlError } from '../errors.ts';
import { settleLater, type Clock } from '../runtime/clock.ts';
import { FaultPoints } from '../runtime/fault-points.ts';
import type { NetworkFaults } from '../runtime/link-faults.ts';
import type { QueryResult } from '../server/results.ts';
import type { DiskFaultChange } from '../storage/disk.ts';
import type { TimeControl } from '../runtime/controllable-clock.ts';
import type { CoordinatorStart } from '../node/boot.ts';
import { withProbeTimes } from '../node/instance-status.ts';
import type {
  BlockImage,
  BlockView,
  Cluster,
  ClusterEvent,
  ClusterOptions,
  DataDirectory,
  Faults,
  InstanceStatus,
  RunOptions,
  Session,
  UtilityResult,
} from '../node/api.ts';

export abstract class ClusterShell implements Cluster {
  abstract readonly options: ClusterOptions;
  abstract readonly clock: Clock;
  abstract readonly time: TimeControl | undefined;
  /** Files utilities read and write (-i, -o): a small in-memory home directory. */
  readonly files = new Map<string, string>();
  /** Named fault points (gp_inject_fault's suspend), shared by every instance. */
  readonly points = new FaultPoints();
  readonly faults: Faults = this.makeFaults();
  closed = false;
  protected readonly openSessions = new Set<Session>();
  private readonly listeners = new Set<(e: ClusterEvent) => void>();
  /** Who stopped each instance that is down after a planned stop (the lab's hints follow it). */
  protected readonly stoppedBy = new Map<number, string>();
  /**
   * The disk faults set on each instance: they belong to its disk, so they hold while it is
   * down and after it restarts (the runtime applies them to every disk handle it opens).
   */
  protected readonly diskFaults = new Map<number, DiskFaultChange>();

  // ---- NodeControl: what a runtime provides ------------------------------------------------

  /** The process dies at once: memory lost, disk kept. False when it was not running. */
  protected abstract takeDown(dbid: number): Promise<boolean>;
  /** Starts the instance again from its disk, by its catalog role. */
  abstract restart(dbid: number, how?: CoordinatorStart): Promise<void>;
  /** A session on the coordinator, or a utility-mode one on `dbid`. */
  protected abstract openSession(options: { dbid?: number; utility?: boolean }): Promise<Session>;
  /** One instance seen from inside its process (a stopped one: what is known of it). */
  protected abstract statusOf(dbid: number): Promise<InstanceStatus>;
  /** The coordinator acting now, or the one that acted last. */
  protected abstract coordinatorDbid(): number | undefined;
  protected abstract runUtility(commandLine: string, options: RunOptions): Promise<UtilityResult>;
  /** The instances a fault names: a dbid, or every instance on a host. */
  protected abstract targets(t: number | string): number[];
  /** The network faults the links obey. */
  protected abstract readonly net: NetworkFaults;
  /** Tells every process the network faults or the fault-point holds changed. */
  protected abstract faultsChanged(what: 'net' | 'holds'): Promise<void>;
  /** Puts disk faults in force on the instance's disk (on a running process's handle too). */
  protected abstract setDiskFaults(dbid: number, change: DiskFaultChange): Promise<void>;
  protected abstract corruptBlock(dbid: number, file: string, block: number, bit?: number): Promise<void>;
  /** Every data directory on the hosts, retired instances' included, until removed. */
  abstract directoriesOnHosts(): DataDirectory[];
  /** Reads an instance's blocks inside its process (node/block-images.ts). */
  protected abstract readBlocks(dbid: number, prefix: string, view: BlockView): Promise<BlockImage[]>;
  abstract close(): Promise<void>;

  // ---- written once ---------------------------------------------------------------------

  // Every client call settles on a later task, refused or not, as over a network.
  connect(options: { dbid?: number; utility?: boolean } = {}): Promise<Session> {
    return settleLater(this.clock, async () => {
      if (this.closed) throw sqlError('connection_does_not_exist', 'the cluster is closed');
      const inner = await this.openSession(options);
      const api: Session = {
        query: (sql) => inner.query(sql),
        close: async () => {
          this.openSessions.delete(api);
          await inner.close();
        },
      };
      this.openSessions.add(api);
      return api;
    });
  }

  async query(sql: string): Promise<QueryResult> {
    const s = await this.connect();
    try {
      return await s.query(sql);
    } finally {
      await s.close();
    }
  }

  async run(commandLine: string, options: RunOptions = {}): Promise<UtilityResult> {
    this.emit({ kind: 'utility.start', command: commandLine });
    const r = await this.runUtility(commandLine, options);
    this.emit({ kind: 'utility.done', command: commandLine, exitCode: r.exitCode });
    return r;
  }

  /** The instance's status; a segment's carries the acting coordinator's probe times of it. */
  async instanceStatus(dbid: number): Promise<InstanceStatus> {
    const status = await this.statusOf(dbid);
    const qd = this.coordinatorDbid();
    return qd !== undefined && qd !== dbid ? withProbeTimes(status, await this.statusOf(qd)) : status;
  }

  blocks(dbid: number, prefix = '', view: BlockView = 'disk'): Promise<BlockImage[]> {
    return settleLater(this.clock, async () => {
      if (view !== 'disk' && view !== 'instance')
        throw sqlError('invalid_parameter_value', `unknown block view "${String(view)}"`, {
          hint: "Read 'disk' (what the disk holds) or 'instance' (what the running instance sees).",
        });
      return this.readBlocks(dbid, prefix, view);
    });
  }

  dataDirectories(): Promise<DataDirectory[]> {
    return settleLater(this.clock, async () => this.directoriesOnHosts());
  }

  subscribe(listener: (event: ClusterEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(e: ClusterEvent): void {
    const event = { time: this.clock.now(), ...e };
    for (const l of this.listeners) {
      // A listener is the caller's code, run inside whatever emitted (a boot, a failover): one
      // that throws must stop neither the other listeners nor that work. Its error is reported
      // on its own, as an unhandled rejection.
      try {
        l(event);
      } catch (err) {
        void Promise.reject(err);
      }
    }
    this.afterEvent(e);
  }

  /** What a runtime does after an event (the worker runtime saves its topology). */
  protected afterEvent(_e: ClusterEvent): void {}

  async crash(dbid: number): Promise<void> {
    if (await this.takeDown(dbid)) this.emit({ kind: 'instance.crash', dbid });
  }

  /** A planned stop by a utility: the same immediate stop, told apart from a crash. */
  async stop(dbid: number, by: string): Promise<void> {
    this.stopping.add(dbid);
    try {
      if (!(await this.takeDown(dbid))) return;
    } finally {
      this.stopping.delete(dbid);
    }
    this.stoppedBy.set(dbid, by);
    this.emit({ kind: 'instance.stopped', dbid, by });
  }

  /** Instances a utility is stopping now (their sessions end as a fast shutdown ends them). */
  private readonly stopping = new Set<number>();

  /** Whether `dbid` is down, or going down, by a utility's stop rather than a crash. */
  protected stoppedOnPurpose(dbid: number): boolean {
    return this.stopping.has(dbid) || this.stoppedBy.has(dbid);
  }

  /** Client sessions open now (gpstop refuses to stop a cluster in use without -M fast). */
  userSessions(): number {
    return this.openSessions.size;
  }

  /** Closing: holds released, every open session closed. */
  protected async closeSessions(): Promise<void> {
    this.points.releaseAll();
    for (const s of [...this.openSessions]) await s.close().catch(() => undefined);
  }

  private async diskFault(dbid: number, change: DiskFaultChange): Promise<void> {
    this.targets(dbid);
    this.diskFaults.set(dbid, { ...this.diskFaults.get(dbid), ...change });
    await this.setDiskFaults(dbid, change);
  }

  /** The public Faults API, the same on every runtime: each call settles once the fault is in force. */
  private makeFaults(): Faults {
    const ids = (list: (number | string)[]) => new Set(list.flatMap((t) => this.targets(t)));
    const net = (change: (n: NetworkFaults) => void) => {
      change(this.net);
      return this.faultsChanged('net');
    };
    return {
      crash: async (t) => {
        for (const dbid of this.targets(t)) await this.crash(dbid);
      },
      restart: async (t) => {
        // Every target is started; those that refused to run (a former primary, whose place
        // its mirror took) are reported together rather than as restarted.
        const notRunning: InstanceStatus[] = [];
        for (const dbid of this.targets(t)) {
          await this.restart(dbid);
          const status = await this.statusOf(dbid);
          if (!status.running) notRunning.push(status);
        }
        if (notRunning.length > 0) throw restartFailed(notRunning);
      },
      partition: (a, b) => net((n) => n.partition(ids(a), ids(b))),
      heal: () => net((n) => n.heal()),
      delay: (t, ms) => net((n) => this.targets(t).forEach((dbid) => n.delay(dbid, ms))),
      slowDisk: (dbid, ms) => this.diskFault(dbid, { latencyMs: ms }),
      diskFull: (dbid, full) => this.diskFault(dbid, { full }),
      corruptBlock: (dbid, file, block, bit) => this.corruptBlock(dbid, file, block, bit),
      suspend: (point, dbid) => {
        const hold = this.points.suspend(point, dbid);
        void this.faultsChanged('holds');
        return {
          reached: hold.reached,
          release: () => {
            hold.release();
            void this.faultsChanged('holds');
          },
        };
      },
    };
  }
}

/**
 * A restart that left instances down. The one refusal an instance reports is a former primary,
 * marked a mirror when its mirror took over, with no standby.signal (boot.ts); an instance that
 * is down without saying why (its status did not answer) is not blamed on that.
 */
export function restartFailed(down: InstanceStatus[]): Error {
  const unknown = down.filter((s) => !s.refused).map((s) => `dbid ${s.dbid}`);
  if (unknown.length > 0)
    return sqlError(
      'object_not_in_prerequisite_state',
      `${unknown.join(', ')} did not start, or did not answer whether it runs`,
      { hint: 'Run gpstate -e to see which instances are down, and the timeline for why.' },
    );
  const which = down.map((s) => `dbid ${s.dbid}`).join(', ');
  return sqlError(
    'object_not_in_prerequisite_state',
    `${which} did not start: a former primary must be recovered with gprecoverseg before it can run as a mirror`,
    {
      detail:
        'Its mirror was promoted while it was down; it has no standby.signal to follow the new primary.',
      hint: 'Run gprecoverseg -a: it rewinds the former primary from the new one (pg_rewind) and starts it as a mirror.',
    },
  );
}

/** Runs a cluster's start with `onEvent` subscribed to it for as long as the start runs. */
export async function startHeard<T>(
  c: { subscribe(listener: (e: ClusterEvent) => void): () => void },
  onEvent: ((e: ClusterEvent) => void) | undefined,
  start: () => Promise<T>,
): Promise<T> {
  const off = onEvent ? c.subscribe(onEvent) : undefined;
  try {
    return await start();
  } finally {
    off?.();
  }
}
