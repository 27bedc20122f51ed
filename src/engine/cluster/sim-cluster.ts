/**
 * The `sim` runtime: the same in-thread cluster as `inline`, on the simulator's virtual clock,
 * channels and disks (runtime/sim.ts). Every public call drives the simulation until it settles,
 * so a caller uses it exactly as the other runtimes; `sim` adds what a simulation needs: letting
 * virtual time pass, the event trace, and a view of the instances for invariant checks.
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import { SimScheduler } from '../runtime/sim.ts';
import { MemoryDisk } from '../storage/memory-disk.ts';
import { sameBytes, type Disk } from '../storage/disk.ts';
import { comparableBlock } from '../storage/checksum.ts';
import type { Cluster, ClusterOptions, Faults, Session } from '../node/api.ts';
import { InlineCluster } from './cluster.ts';
import { startHeard } from './shell.ts';
import type { ClusterEvent } from '../runtime/events.ts';
import type { InstanceNode } from '../node/nodes.ts';
import { coordinatorOf, instanceOf, replicationOf } from '../node/process.ts';
import type { FileRepPrimary } from '../node/filerep-boot.ts';
import { isFileRepMeta } from '../filerep/block-set.ts';

/** One instance as the simulator sees it (for invariants, never for the workload). */
export interface SimInstance {
  dbid: number;
  content: number;
  host: string;
  up: boolean;
  /** What the running process does: serves as primary (or coordinator), or replays WAL. */
  acting: 'primary' | 'mirror' | 'down';
  /**
   * An acting primary whose commits can be acknowledged: synchronous replication is off, or
   * its walsender streams to a mirror. (A deposed primary waits for a mirror that is gone.)
   */
  acksCommits: boolean;
  /** Its walsender streams to its mirror (standby): that copy has everything flushed here. */
  streaming: boolean;
  /** Transactions prepared here and not yet finished (pg_prepared_xacts), with their age. */
  prepared: { gid: string; ageMs: number }[];
}

/** The acting coordinator's distributed transaction manager, as DTX recovery sees it. */
export interface SimDtxView {
  /** Gids whose distributed commit record is written and not yet forgotten. */
  committed: string[];
  /** Whether a session of that coordinator still owns the gid. */
  running(gid: string): boolean;
  /** The acting primary of every content, as that coordinator's catalog says. */
  primaries: number[];
  /** gp_dtx_recovery_interval and gp_dtx_recovery_prepared_period, in ms. */
  recoveryIntervalMs: number;
  preparedPeriodMs: number;
}

export interface SimControl {
  readonly seed: number;
  /** Virtual time, in ms since the simulation's epoch. */
  now(): number;
  /** Lets `ms` of virtual time pass: FTS probes, walsenders, checkpoints run meanwhile. */
  advance(ms: number): Promise<void>;
  /** Runs the simulation until `work` settles; rejects if it takes over `timeoutMs` virtual. */
  drive<T>(work: Promise<T>, what?: string, timeoutMs?: number): Promise<T>;
  /** Every event so far: same seed and same calls, same lines. */
  readonly trace: readonly string[];
  /** The seeded generator the simulation draws from (for workloads that must replay too). */
  random(): number;
  instances(): SimInstance[];
  /**
   * Relation blocks of a content that differ between its acting primary and its running mirror,
   * once the mirror has replayed all the primary flushed and both have written their buffers:
   * empty for a byte-identical copy; undefined when the pair is not both running, or the mirror
   * does not catch up within `timeoutMs` of virtual time.
   */
  differingBlocks(content: number, timeoutMs?: number): Promise<string[] | undefined>;
  /** The acting coordinator's DTM, when one runs. */
  dtx(): SimDtxView | undefined;
  /** No network fault (cut or delay) and no disk fault is in place. */
  calm(): boolean;
}

export const SIM_CALL_DEADLINE_MS = 2 * 3_600_000;

export interface SimCluster extends Cluster {
  readonly sim: SimControl;
  /**
   * The same cluster looked at while it stands still: every call runs as an observation
   * (SimScheduler.observe), so reading it between steps leaves the run exactly as it was. For
   * looking only: its faults and utilities are refused.
   */
  readonly watcher: Cluster;
}

/** A MemoryDisk whose syncs complete at a seeded point in virtual time. */
class SimDisk extends MemoryDisk {
  private readonly sched: SimScheduler;
  constructor(sched: SimScheduler) {
    super((ms) => sched.clock.sleep(ms));
    this.sched = sched;
  }
  override async sync(): Promise<void> {
    await this.sched.diskDelay();
    return super.sync();
  }
}

export async function createSimCluster(
  options: ClusterOptions,
  config: SegmentConfig[],
  onStartEvent?: (e: ClusterEvent) => void,
): Promise<SimCluster> {
  const sched = new SimScheduler({ seed: options.seed ?? 1 });
  // Virtual time costs nothing: Greenplum's own timings (FTS every 60 s...) unless asked otherwise.
  const inner = new InlineCluster({ timeScale: 1, ...options }, config, sched.clock, {
    channel: () => sched.channel(),
    memoryDisk: () => new SimDisk(sched),
  });
  inner.subscribe((e) => sched.note(`event ${e.kind}${e.dbid === undefined ? '' : ` dbid=${e.dbid}`}`));
  await startHeard(inner, onStartEvent, () => sched.drive(inner.start(), 'cluster start'));
  // A call that takes more than two hours of virtual time hangs (the longest legitimate wait,
  // a call to an unreachable host, ends at the link's one-hour deadline).
  const drive = <T>(p: Promise<T>, what: string, timeoutMs = SIM_CALL_DEADLINE_MS) =>
    sched.drive(p, what, timeoutMs);
  const observe = <T>(look: () => Promise<T>, what: string) => sched.observe(look, what);
  const f = inner.faults;
  const faults: Faults = {
    crash: (t) => drive(f.crash(t), `crash ${t}`),
    restart: (t) => drive(f.restart(t), `restart ${t}`),
    partition: (a, b) => f.partition(a, b),
    heal: () => f.heal(),
    delay: (t, ms) => f.delay(t, ms),
    slowDisk: (t, ms) => f.slowDisk(t, ms),
    diskFull: (t, full) => f.diskFull(t, full),
    corruptBlock: (t, file, block, bit) => drive(f.corruptBlock(t, file, block, bit), `corrupt ${t} ${file}`),
    suspend: (point, dbid) => {
      const h = f.suspend(point, dbid);
      return { reached: drive(h.reached, `suspend ${point}`), release: () => h.release() };
    },
  };
  const sim: SimControl = {
    seed: sched.seed,
    now: () => sched.now(),
    advance: (ms) => sched.advance(ms),
    drive: (p, what, timeoutMs) => sched.drive(p, what, timeoutMs),
    trace: sched.trace,
    random: () => sched.random(),
    instances: () =>
      inner.nodes
        .allLocal()
        .filter((n) => !n.retired)
        .map((n) => {
          const p = n.up ? n.process : undefined;
          const inst = instanceOf(p);
          return {
            dbid: n.dbid,
            content: n.content,
            host: n.host,
            up: n.up,
            acting:
              p?.role === 'filerep-mirror'
                ? ('mirror' as const)
                : !inst
                  ? ('down' as const)
                  : inst.standby
                    ? ('mirror' as const)
                    : ('primary' as const),
            acksCommits: acksCommits(inner, n),
            streaming:
              p?.role === 'filerep-primary'
                ? fileRepInSync(p.fileRep)
                : replicationOf(p)?.walsender?.state === 'streaming',
            prepared:
              inst && !inst.standby
                ? [...inst.xact.prepared].map(([gid, t]) => ({ gid, ageMs: sched.now() - t.time }))
                : [],
          };
        }),
    calm: () => {
      const net = inner.nodes.faults.snapshot();
      if (net.cuts.length || net.delays.length) return false;
      return inner.nodes
        .allLocal()
        .every((n) => !(n.disk instanceof MemoryDisk) || (!n.disk.faults.full && !n.disk.latencyMs));
    },
    dtx: () => {
      const qd = inner.nodes
        .allLocal()
        .map((n) => (n.up && !n.retired ? coordinatorOf(n.process) : undefined))
        .find((q) => q !== undefined);
      if (!qd) return undefined;
      return {
        committed: [...qd.dtm.committed],
        running: (gid) => qd.dtm.isRunningGid(gid),
        primaries: qd.contentDbids(),
        recoveryIntervalMs: qd.dtm.timing.recoveryIntervalMs,
        preparedPeriodMs: qd.dtm.timing.preparedPeriodMs,
      };
    },
    differingBlocks: (content, timeoutMs = 60_000) =>
      drive(differingBlocks(inner, content, timeoutMs), `compare content ${content}`, timeoutMs * 2),
  };
  const driven = facade(inner, (work, what) => drive(work(), what), faults);
  // An instance's status is read from its memory: no event, so no drive (whose deadline is one).
  const watcher = facade(inner, observe, watcherFaults);
  return {
    ...driven,
    instanceStatus: (dbid) => inner.instanceStatus(dbid),
    run: (cmd, o) => drive(inner.run(cmd, o), cmd),
    close: () => drive(inner.close(), 'close'),
    sim,
    watcher: {
      ...watcher,
      run: () => Promise.reject(lookOnly('a utility')),
      close: () => Promise.resolve(),
    },
  };
}

type Caller = <T>(work: () => Promise<T>, what: string) => Promise<T>;

/** The reading half of the cluster's API, each call made through `call` (a drive, or a look). */
function facade(inner: InlineCluster, call: Caller, faults: Faults): Omit<Cluster, 'run' | 'close'> {
  const session = (s: Session): Session => ({
    query: (sql) => call(() => s.query(sql), `query ${sql.slice(0, 60)}`),
    close: () => call(() => s.close(), 'session close'),
  });
  return {
    connect: async (o) => session(await call(() => inner.connect(o), 'connect')),
    query: (sql) => call(() => inner.query(sql), `query ${sql.slice(0, 60)}`),
    files: inner.files,
    faults,
    subscribe: (l) => inner.subscribe(l),
    instanceStatus: (dbid) => call(() => inner.instanceStatus(dbid), `status of ${dbid}`),
    blocks: (dbid, prefix, view) => call(() => inner.blocks(dbid, prefix, view), `blocks of ${dbid}`),
    dataDirectories: () => call(() => inner.dataDirectories(), 'data directories'),
  };
}

function lookOnly(what: string): Error {
  return Object.assign(
    new Error(`A simulation's watcher only looks: ${what} is run on the cluster itself.`),
    {
      code: '0A000',
    },
  );
}

/** A watcher injects no fault. */
const watcherFaults: Faults = new Proxy({} as Faults, {
  get: () => () => {
    throw lookOnly('a fault');
  },
});

/**
 * An acting primary that can acknowledge a commit: its disk takes writes, and synchronous
 * replication is off or its walsender streams to an instance still acting as its mirror.
 */
function acksCommits(c: InlineCluster, n: InstanceNode): boolean {
  const p = n.up ? n.process : undefined;
  const inst = instanceOf(p);
  if (!inst || inst.standby) return false;
  if (n.disk instanceof MemoryDisk && n.disk.faults.full) return false;
  const other = c.nodes.mirrorOf(n);
  const peer = other?.up ? c.nodes.local(other.dbid).process : undefined;
  // In file replication a primary whose mirror stopped answering holds its syncs until FTS decides.
  if (p?.role === 'filerep-primary') {
    const d = p.fileRep.disk;
    if (d.faulted) return false;
    // Synchronized or resynchronizing: a commit needs its mirror, still a passive mirror.
    return d.mode === 'c' || (peer?.role === 'filerep-mirror' && !peer.mirror.promoting);
  }
  const repl = replicationOf(p);
  if (!repl || !repl.syncRepOn) return true;
  return repl.walsender?.state === 'streaming' && !!instanceOf(peer)?.standby;
}

function fileRepInSync(fr: FileRepPrimary): boolean {
  return fr.disk.mode === 's' && !fr.disk.faulted;
}

/**
 * File replication: once the primary has written its dirty buffers and the mirror has
 * acknowledged everything sent, the mirror's files equal the primary's, block for block.
 */
async function differingFileRepBlocks(
  c: InlineCluster,
  content: number,
  timeoutMs: number,
): Promise<string[] | undefined> {
  const pair = c.nodes.allLocal().filter((n) => n.content === content && !n.retired && n.up);
  const primary = pair.find((n) => n.process?.role === 'filerep-primary');
  const mirror = pair.find((n) => n.process?.role === 'filerep-mirror');
  if (!primary || !mirror) return undefined;
  const deadline = c.clock.now() + timeoutMs;
  for (;;) {
    const pp = primary.process;
    const mp = mirror.process;
    if (pp?.role !== 'filerep-primary' || mp?.role !== 'filerep-mirror') return undefined;
    const p = pp.inst;
    const fr = pp.fileRep;
    const m = mp.mirror;
    if (!primary.up || !mirror.up || c.clock.now() > deadline) return undefined;
    // A mirror that restarted or stopped answering since the last write is found first (a
    // partition leaves the call waiting for its deadline); a checkpoint that meets a fault waits
    // for FTS. Neither is a pair to compare now.
    const beforeDeadline = (work: Promise<unknown>) =>
      Promise.race([
        work.then(
          () => true,
          () => false,
        ),
        c.clock.sleep(Math.max(0, deadline - c.clock.now())).then(() => false),
      ]);
    if (!(await beforeDeadline(fr.disk.heartbeat())) || !fileRepInSync(fr)) return undefined;
    if (!(await beforeDeadline(p.checkpoint()))) return undefined;
    // Still the same pair after the waits (FTS may have promoted the mirror meanwhile).
    const samePair =
      mirror.process === mp && !m.promoting && mirror.up && primary.up && primary.process === pp;
    if (!samePair) return undefined;
    if (fr.disk.inFlight === 0 && p.pool.usage().dirty === 0 && fileRepInSync(fr)) {
      const data = (d: Disk): BlockSource => ({
        files: (x) => d.files(x).filter((f) => !isFileRepMeta(f)),
        nblocks: (f) => d.nblocks(f),
        view: (f, b) => d.view(f, b),
      });
      return blocksThatDiffer(data(fr.disk), data(m.disk), '');
    }
    await c.clock.sleep(5);
  }
}

async function differingBlocks(
  c: InlineCluster,
  content: number,
  timeoutMs: number,
): Promise<string[] | undefined> {
  if (c.boot.fileRep && content >= 0) return differingFileRepBlocks(c, content, timeoutMs);
  const pair = c.nodes.allLocal().filter((n) => n.content === content && !n.retired && n.up);
  const primary = pair.find((n) => instanceOf(n.process)?.standby === false);
  const mirror = pair.find((n) => instanceOf(n.process)?.standby === true);
  if (!primary || !mirror) return undefined;
  const deadline = c.clock.now() + timeoutMs;
  // Both sides are compared at one instant at which the mirror has replayed exactly the WAL the
  // primary flushed, and no page of the primary holds a change beyond it (work keeps going on
  // meanwhile: FTS, checkpoints). Pages are read as each instance sees them (pool, else disk).
  for (;;) {
    const p = instanceOf(primary.process);
    const m = instanceOf(mirror.process);
    if (!p || !m || !mirror.up || !primary.up || c.clock.now() > deadline) return undefined;
    const flushed = p.wal.flushedLsn;
    if (
      m.replayer.replayed === flushed &&
      p.pool.maxDirtyLsn() <= Number(flushed) &&
      p.wal.insertLsn === flushed
    )
      return blocksThatDiffer(
        {
          files: (x) => p.disk.files(x),
          nblocks: (f) => p.pool.nblocks(f),
          view: (f, b) => comparable(p.pool.peek(f, b), b),
        },
        {
          files: (x) => m.disk.files(x),
          nblocks: (f) => m.pool.nblocks(f),
          view: (f, b) => comparable(m.pool.peek(f, b), b),
        },
        'base/',
      );
    if (p.wal.insertLsn > flushed) {
      // A primary that cannot flush (a full disk) has nothing to compare yet.
      if (
        !(await p.wal.flush(p.wal.insertLsn).then(
          () => true,
          () => false,
        ))
      )
        return undefined;
    } else await c.clock.sleep(5);
  }
}

const comparable = (block: Uint8Array | undefined, b: number) => block && comparableBlock(block, b);

/** What the comparison reads of a disk: a block as the instance sees it. */
export type BlockSource = Pick<Disk, 'files' | 'nblocks' | 'view'>;

/** Blocks of the relation files under `prefix` that differ between two disks (or exist on one). */
export function blocksThatDiffer(a: BlockSource, b: BlockSource, prefix: string): string[] {
  const out: string[] = [];
  for (const f of new Set([...a.files(prefix), ...b.files(prefix)])) {
    const n = Math.max(a.nblocks(f), b.nblocks(f));
    for (let i = 0; i < n; i++) {
      const x = a.view(f, i);
      const y = b.view(f, i);
      if (!x || !y || !sameBytes(x, y)) out.push(`${f} block ${i}`);
    }
  }
  return out;
}
