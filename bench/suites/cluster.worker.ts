// Our cluster, inline runtime (every instance in this one thread, linked by MessageChannels +
// Comlink) on IndexedDB, inside a dedicated worker as the product runs its instances. Timing
// happens here; the page only starts workloads and collects samples.
import * as Comlink from 'comlink';
import {
  IdbDisk,
  MemoryDisk,
  configureWorkerRuntime,
  createCluster,
  deleteCluster,
  registerDiskProvider,
  type Cluster,
  type Session,
} from '../../src/workers/index.ts';
import {
  BULK_TABLE,
  COMMIT_TABLE,
  TIMED_QUERIES,
  type TimedQuery,
  bulkInsertSql,
  bulkInsert,
  resetBulkTable,
  commitLoops,
  createTableSql,
  deleteDatabases,
  timeQuery,
  type WorkloadSample,
} from './sql-workload.ts';

/**
 * Where the time goes, without a profiler: every instance's disk is the product's IdbDisk, with
 * its sync() timed. `busyMs` is wall time during which at least one instance had a sync (an
 * IndexedDB readwrite transaction) in flight; the rest of a workload's time is the engine's CPU
 * (this one thread) and message passing.
 */
const io = {
  syncs: 0,
  busyMs: 0,
  inFlight: 0,
  since: 0,
  disks: [] as (IdbDisk | MemoryDisk)[],
  /** Wall time of each sync (µs), from the call until its caller resumes. */
  syncUs: [] as number[],
};

/**
 * The ceiling rows' disk: the engine's memory disk, whose sync lands one task of the event loop
 * later (as IdbDisk's does, at the earliest), so commits still group behind a flush in flight.
 * What it leaves out is IndexedDB's own cost.
 */
class OneTaskDisk extends MemoryDisk {
  override async sync(): Promise<void> {
    const landed = super.sync();
    await laterTask();
    await landed;
  }
}
const taskChannel = new MessageChannel();
const waitingForTask: (() => void)[] = [];
taskChannel.port1.onmessage = () => waitingForTask.shift()?.();
const laterTask = () =>
  new Promise<void>((resolve) => {
    waitingForTask.push(resolve);
    taskChannel.port2.postMessage(0);
  });

/** The disks the next cluster opened gets (open's `storage`). */
let diskKind: 'indexeddb' | 'memory' = 'indexeddb';

registerDiskProvider('indexeddb', async (name) => {
  const disk = diskKind === 'memory' ? new OneTaskDisk() : await IdbDisk.open(name);
  const sync = disk.sync.bind(disk);
  disk.sync = async () => {
    const t0 = performance.now();
    if (io.inFlight++ === 0) io.since = t0;
    try {
      await sync();
    } finally {
      io.syncUs.push((performance.now() - t0) * 1000);
      io.syncs++;
      if (--io.inFlight === 0) io.busyMs += performance.now() - io.since;
    }
  };
  io.disks.push(disk);
  return disk;
});

function ioSnapshot() {
  const busy = io.busyMs + (io.inFlight > 0 ? performance.now() - io.since : 0);
  return { syncs: io.syncs, busyMs: busy, bytes: io.disks.reduce((n, d) => n + d.stats.bytesSynced, 0) };
}

/** Runs `work` and adds the IndexedDB share of its time to the sample's extras. */
async function withIo(work: () => Promise<WorkloadSample>): Promise<WorkloadSample> {
  const a = ioSnapshot();
  io.syncUs.length = 0;
  const t0 = performance.now();
  const r = await work();
  const syncUs = io.syncUs.sort((x, y) => x - y);
  const wallMs = performance.now() - t0;
  const b = ioSnapshot();
  return {
    value: r.value,
    extra: {
      ...r.extra,
      idbSyncs: b.syncs - a.syncs,
      idbBusyMs: b.busyMs - a.busyMs,
      idbBusyPct: (100 * (b.busyMs - a.busyMs)) / wallMs,
      idbMB: (b.bytes - a.bytes) / (1024 * 1024),
      // Beside storage/IdbDisk syncs/s: a sync's latency inside the cluster, thread and all.
      syncP50Us: syncUs[Math.floor(syncUs.length / 2)] ?? 0,
    },
  };
}

let cluster: Cluster | undefined;
let clusterName: string | undefined;
/** The arguments the cluster was opened with (a run that needs a fresh one opens it again). */
let openedWith: Parameters<(typeof api)['open']> | undefined;
/** gpexpand has grown the cluster: the next expansion run starts from a fresh one. */
let expanded = false;
let nextKey = 1;

function need(): Cluster {
  if (!cluster) throw new Error('no cluster: call open() first');
  return cluster;
}

const api = {
  /** Creates a fresh mirrorless cluster on IndexedDB named `name` (its databases: `name-dbid<n>`). */
  async open(
    name: string,
    hosts: string[],
    segmentsPerHost: number,
    mirroring: 'none' | 'group' = 'none',
    replication: 'wal' | 'filerep' = 'wal',
    /** 'worker': every instance in its own Web Worker (nested in this one), as the site runs them. */
    runtime: 'inline' | 'worker' = 'inline',
    workerUrl?: string,
    /**
     * 'memory': the engine's in-memory disks, whose sync costs no IndexedDB transaction: the rate
     * the engine itself allows, with the browser's storage taken out (the ceiling rows).
     */
    storage: 'indexeddb' | 'memory' = 'indexeddb',
  ): Promise<void> {
    await deleteDatabases(`${name}-`);
    if (runtime === 'worker') {
      if (workerUrl) configureWorkerRuntime({ workerUrl });
      await deleteCluster(name);
    }
    openedWith = [name, hosts, segmentsPerHost, mirroring, replication, runtime, workerUrl, storage];
    expanded = false;
    clusterName = name; // set first, so destroy() cleans up after a failed start too
    fileReplication = replication === 'filerep';
    diskKind = storage;
    cluster = await createCluster({
      runtime,
      hosts,
      segmentsPerHost,
      mirroring,
      replication,
      // Through the provider above, which hands out memory disks for storage 'memory'.
      storage: 'indexeddb',
      name,
    });
    // Mirrored: let FTS turn sync rep on before anything is measured.
    if (mirroring !== 'none') await cluster.query('select gp_request_fts_probe_scan()');
    nextKey = 1;
  },

  /** Closes the cluster and deletes its IndexedDB databases; returns their names. */
  async destroy(): Promise<string[]> {
    const c = cluster;
    const name = clusterName;
    cluster = undefined;
    clusterName = undefined;
    await c?.close();
    io.disks = [];
    if (!name) return [];
    const deleted = await deleteDatabases(`${name}-`);
    // The worker runtime's saved topology too (nothing for the inline runtime).
    await deleteCluster(name).catch(() => undefined);
    return deleted;
  },

  async bulkLoad(rows: number): Promise<WorkloadSample> {
    const c = need();
    await resetBulkTable(c, true);
    return withIo(() => bulkInsert(c, rows));
  },

  /**
   * Loads the bulk table untimed, unless it already holds `rows` rows, then checkpoints, so a
   * query's timing does not include writing out the load's dirty pages beside it.
   */
  async ensureLoaded(rows: number): Promise<void> {
    const c = need();
    const has = await c.query(`select count(*) from ${BULK_TABLE}`).then(
      (r) => Number(r.rows[0]?.[0]),
      () => -1,
    );
    if (has !== rows) {
      await resetBulkTable(c, true);
      await c.query(bulkInsertSql(rows));
    }
    await c.query('checkpoint');
  },

  async timed(query: TimedQuery): Promise<WorkloadSample> {
    const c = need();
    return withIo(() => timeQuery(c, TIMED_QUERIES[query]));
  },

  async createCommitTable(): Promise<void> {
    await need().query(createTableSql(COMMIT_TABLE, true));
  },

  /** `sessions` sessions (one cluster.connect() each) loop single-row autocommit INSERTs for `ms`. */
  async commits(sessions: number, ms: number): Promise<WorkloadSample> {
    const c = need();
    const list: Session[] = [];
    for (let i = 0; i < sessions; i++) list.push(await c.connect());
    try {
      const before = await walFlushes(c);
      const sample = await withIo(async () => {
        const r = await commitLoops(list, ms, nextKey);
        nextKey = r.nextKey;
        return { value: r.value, extra: r.extra };
      });
      const after = await walFlushes(c);
      const commits = sample.extra?.commits ?? 0;
      // Group commit at work: how many WAL flushes (disk syncs) each commit cost, where.
      return {
        ...sample,
        extra: {
          ...sample.extra,
          segmentFlushesPerCommit: (after.segments - before.segments) / Math.max(1, commits),
          coordinatorFlushesPerCommit: (after.coordinator - before.coordinator) / Math.max(1, commits),
        },
      };
    } finally {
      for (const s of list) await s.close();
    }
  },
};

/** WAL flushes since start, summed over the primaries, and the coordinator's. */
async function walFlushes(c: Cluster): Promise<{ segments: number; coordinator: number }> {
  const rows = (await c.query(`select dbid, content from gp_segment_configuration where role = 'p'`)).rows;
  let segments = 0;
  let coordinator = 0;
  for (const [dbid, content] of rows) {
    const flushes = (await c.instanceStatus(Number(dbid))).wal?.flushes ?? 0;
    if (Number(content) === -1) coordinator += flushes;
    else segments += flushes;
  }
  return { segments, coordinator };
}

/**
 * Failover time: commits keep going to content 0 while its primary (dbid 2) crashes; the figure
 * is the time from the crash to the first commit that succeeds on the promoted mirror, as FTS
 * detects the failure (probe interval, timeout and retries under the lab's time scale).
 */
async function failoverTime(): Promise<{ value: number; extra: Record<string, number> }> {
  const c = need();
  await c.query('create table if not exists fo (a int) distributed by (a)');
  await c.query('insert into fo select generate_series(1, 40)');
  const on0 = (await c.query('select min(a) from fo where gp_segment_id = 0')).rows[0]![0] as number;
  await c.query('select gp_request_fts_probe_scan()');
  // Detection: FTS has marked the primary down and chosen to promote its mirror (the catalog
  // change is committed). Promotion: the mirror runs as the primary.
  let detected = NaN;
  let promoted = NaN;
  const off = c.subscribe((e) => {
    if (e.kind === 'fts.failover' && e.from === 2 && Number.isNaN(detected)) detected = performance.now();
    if (e.kind === 'instance.promoted' && Number.isNaN(promoted)) promoted = performance.now();
  });
  const t0 = performance.now();
  await c.faults.crash(2);
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      await c.query(`insert into fo values (${on0})`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
    if (performance.now() - t0 > 60_000) throw new Error('no commit succeeded within 60 s of the crash');
  }
  const ms = performance.now() - t0;
  off();
  // The lab's default time scale is 30: the probe interval is 60 s / 30 = 2000 ms.
  const intervalMs = 60_000 / 30;
  await restorePreferredRoles(c);
  return {
    value: ms,
    extra: {
      attempts,
      probeIntervalMs: intervalMs,
      detectedMs: detected - t0,
      promotedMs: promoted - t0,
      afterDetectionMs: ms - (detected - t0),
    },
  };
}

const RECOVERY_ROWS = 100_000;

/**
 * Untimed, after a failover: the failed primary recovered as a mirror (gprecoverseg -a), then
 * the preferred roles restored (gprecoverseg -ar), so the next run fails the same primary over.
 */
async function restorePreferredRoles(c: Cluster): Promise<void> {
  // The run ended with a commit on the promoted mirror: FTS had marked the primary down.
  for (const command of ['gprecoverseg -a', 'gprecoverseg -ar']) {
    const r = await c.run(command);
    if (r.exitCode !== 0) throw new Error(`${command} exited ${r.exitCode}: ${r.stdout.slice(-400)}`);
    await allSynced(c);
  }
}

async function probeUntil(c: Cluster, done: () => Promise<boolean>, what: string): Promise<void> {
  const t0 = performance.now();
  for (;;) {
    await c.query('select gp_request_fts_probe_scan()');
    if (await done()) return;
    if (performance.now() - t0 > 120_000) throw new Error(`${what}: not reached within 120 s`);
  }
}

const allSynced = (c: Cluster) =>
  probeUntil(
    c,
    async () =>
      Number(
        (
          await c.query(
            "select count(*) from gp_segment_configuration where content >= 0 and (mode <> 's' or status <> 'u')",
          )
        ).rows[0]![0],
      ) === 0,
    'every pair in sync',
  );

/**
 * Recovery cost: content 0's primary fails, `pct`% of that segment's rows change on the
 * promoted mirror, then `gprecoverseg -a <mode>` rebuilds the old primary as a mirror. The
 * figure is the utility's wall time; the bytes it moved come from its recovery.bytes events.
 * A rebalance afterwards (untimed) restores the preferred roles for the next case.
 */
/** The open cluster mirrors by Greenplum 5 file replication. */
let fileReplication = false;

async function recoveryCost(
  mode: string,
  pct: number,
): Promise<{ value: number; extra: Record<string, number> }> {
  const c = need();
  // Every case starts from the same segment: updates leave old row versions behind (there is no
  // VACUUM), so reusing the table would grow it from one case to the next.
  await c.query('create table if not exists rec (a int, b text) distributed by (a)');
  await c.query('truncate rec');
  await c.query(`insert into rec select i, repeat('x', 100) from generate_series(1, ${RECOVERY_ROWS}) i`);
  await c.query('checkpoint');
  await allSynced(c);
  const primary = (
    await c.query("select dbid from gp_segment_configuration where content = 0 and role = 'p'")
  ).rows[0]![0] as number;
  await c.faults.crash(primary);
  await probeUntil(
    c,
    async () =>
      (await c.query(`select role from gp_segment_configuration where dbid = ${primary}`)).rows[0]![0] ===
      'm',
    'failover',
  );
  await c.query(`update rec set b = b where a % 100 < ${pct}`);
  let bytes = 0;
  let total = 0;
  const off = c.subscribe((e) => {
    const ev = e as { kind: string; bytes?: number; total?: number };
    if (ev.kind === 'recovery.bytes') {
      bytes += ev.bytes ?? 0;
      total += ev.total ?? ev.bytes ?? 0;
    }
  });
  const t0 = performance.now();
  const r = await c.run(`gprecoverseg -a ${mode}`);
  const ms = performance.now() - t0;
  off();
  if (r.exitCode !== 0)
    throw new Error(`gprecoverseg -a ${mode} exited ${r.exitCode}: ${r.stdout.slice(-400)}`);
  await allSynced(c);
  // File replication copies in the background after gprecoverseg returns: the figure runs
  // until the pair is synchronized.
  const synced = performance.now() - t0;
  await c.run('gprecoverseg -ar');
  await allSynced(c);
  return {
    value: fileReplication ? synced : ms,
    extra: { movedMB: bytes / (1024 * 1024), segmentMB: total / (1024 * 1024), pctChanged: pct },
  };
}

/**
 * gpexpand onto two new hosts (2 x 2 group-mirrored to 4 x 2): the bulk table of `rows` rows
 * loaded and setup run untimed, then phase 2 timed. The figure is the rows redistributed per
 * second; the extras give the bytes IndexedDB wrote meanwhile (every instance, mirrors too).
 */
async function expansion(rows: number): Promise<WorkloadSample> {
  if (expanded && openedWith) {
    // Each run expands the same 2 x 2 shape: a fresh cluster, not the one grown by the last run.
    const args = openedWith;
    await api.destroy();
    await api.open(...args);
  }
  expanded = true;
  const c = need();
  await resetBulkTable(c, true);
  await c.query(bulkInsertSql(rows));
  await c.run("printf 'sdw3\\nsdw4\\n' > new_hosts");
  const interview = await c.run('gpexpand -f new_hosts');
  if (interview.exitCode !== 0) throw new Error(`gpexpand -f: ${interview.stdout}`);
  const setup = await c.run('gpexpand -i gpexpand_inputfile_*');
  if (setup.exitCode !== 0) throw new Error(`gpexpand -i: ${setup.stdout}`);
  return withIo(async () => {
    const t0 = performance.now();
    const r = await c.run('gpexpand');
    const ms = performance.now() - t0;
    if (!r.stdout.includes('EXPANSION COMPLETED SUCCESSFULLY')) throw new Error(`gpexpand: ${r.stdout}`);
    return { value: rows / (ms / 1000), extra: { rows, ms } };
  });
}

Object.assign(api, { failoverTime, recoveryCost, expansion });

export type ClusterBenchWorker = typeof api & {
  failoverTime: typeof failoverTime;
  recoveryCost: typeof recoveryCost;
  expansion: typeof expansion;
};
Comlink.expose(api);
