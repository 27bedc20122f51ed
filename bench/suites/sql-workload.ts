// The SQL workloads of the cluster suite, shared by the worker that runs our cluster
// (cluster.worker.ts) and the one that runs PGlite (pglite.worker.ts), so both engines get
// exactly the same statements and the same timing code. Runs inside the workers.

/** Anything that runs one SQL statement: a cluster Session, or PGlite itself. */
export interface SqlRunner {
  query(sql: string): Promise<unknown>;
}

/** What a timed workload returns to the page: a BenchSample's shape, built in the worker. */
export interface WorkloadSample {
  value: number;
  extra: Record<string, number>;
}

/** The bulk-load table; `distributed by (id)` is added for our cluster only. */
export const BULK_TABLE = 'b';
export const COMMIT_TABLE = 'c';
export const createTableSql = (table: string, distributed: boolean): string =>
  `create table ${table} (id int, v int, s text)${distributed ? ' distributed by (id)' : ''}`;
export const bulkInsertSql = (rows: number): string =>
  `insert into ${BULK_TABLE} select i, i % 100, 'row' || i from generate_series(1, ${rows}) i`;
export const COUNT_SQL = `select count(*) from ${BULK_TABLE}`;
export const GROUP_BY_SQL = `select v, count(*), sum(id) from ${BULK_TABLE} group by v`;
/** A join whose inner side is redistributed (on our cluster: every row of y moves, by v). */
export const JOIN_SQL = `select count(*) from ${BULK_TABLE} x join ${BULK_TABLE} y on x.id = y.v`;
/** A window over partitions that are not the distribution key: redistributed, sorted, numbered. */
export const WINDOW_SQL = `select count(*), sum(r) from (select row_number() over (partition by v order by id) r from ${BULK_TABLE}) w`;
/** The timed queries over the bulk table, by name. */
export const TIMED_QUERIES = {
  count: COUNT_SQL,
  groupBy: GROUP_BY_SQL,
  join: JOIN_SQL,
  window: WINDOW_SQL,
} as const;
export type TimedQuery = keyof typeof TIMED_QUERIES;

function pct(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** Drops and recreates the bulk table (untimed, before each bulk-load run). */
export async function resetBulkTable(db: SqlRunner, distributed: boolean): Promise<void> {
  await db.query(`drop table if exists ${BULK_TABLE}`);
  await db.query(createTableSql(BULK_TABLE, distributed));
}

/** Times `insert ... select ... generate_series` into the (empty) bulk table. Value: rows/s. */
export async function bulkInsert(db: SqlRunner, rows: number): Promise<WorkloadSample> {
  const t0 = performance.now();
  await db.query(bulkInsertSql(rows));
  const ms = performance.now() - t0;
  return { value: rows / (ms / 1000), extra: { rows, ms } };
}

/** Times one statement; value in ms. */
export async function timeQuery(db: SqlRunner, sql: string): Promise<WorkloadSample> {
  const t0 = performance.now();
  await db.query(sql);
  return { value: performance.now() - t0, extra: {} };
}

/**
 * Every runner loops single-row autocommit INSERTs into the commit table for `ms`, all loops
 * concurrently; keys are unique across loops and runs (`firstKey` onward). Value: commits/s;
 * extras: p50/p99 statement latency (µs), commits. A statement still running at the deadline
 * is awaited and counted (the elapsed time covers it).
 */
export async function commitLoops(
  runners: SqlRunner[],
  ms: number,
  firstKey: number,
): Promise<WorkloadSample & { nextKey: number }> {
  let key = firstKey;
  const lat: number[] = [];
  const t0 = performance.now();
  const until = t0 + ms;
  const loop = async (db: SqlRunner) => {
    while (performance.now() < until) {
      const k = key++;
      const s0 = performance.now();
      await db.query(`insert into ${COMMIT_TABLE} values (${k}, ${k % 100}, 'row${k}')`);
      lat.push((performance.now() - s0) * 1000);
    }
  };
  await Promise.all(runners.map(loop));
  const secs = (performance.now() - t0) / 1000;
  const sorted = Float64Array.from(lat).sort();
  return {
    value: lat.length / secs,
    extra: { p50: pct(sorted, 50), p99: pct(sorted, 99), commits: lat.length, sessions: runners.length },
    nextKey: key,
  };
}

/** Deletes every IndexedDB database whose name starts with `prefix`; returns their names. */
export async function deleteDatabases(prefix: string): Promise<string[]> {
  const names = (await indexedDB.databases())
    .map((d) => d.name)
    .filter((n): n is string => n != null && n.startsWith(prefix));
  await Promise.all(
    names.map(
      (name) =>
        new Promise<void>((resolve, reject) => {
          const r = indexedDB.deleteDatabase(name);
          r.onsuccess = () => resolve();
          r.onerror = () => reject(r.error ?? new Error(`deleteDatabase(${name}) failed`));
          // 'blocked' is not fatal: the delete proceeds once the last connection closes (the
          // engine's disks close themselves on 'versionchange'). A stuck delete would show up
          // as the case's teardown hanging, so give up loudly after a while.
          const timer = setTimeout(
            () => reject(new Error(`deleteDatabase(${name}) still blocked after 10 s`)),
            10_000,
          );
          r.addEventListener('success', () => clearTimeout(timer));
          r.addEventListener('error', () => clearTimeout(timer));
        }),
    ),
  );
  const left = (await indexedDB.databases()).filter((d) => d.name?.startsWith(prefix));
  if (left.length) throw new Error(`IndexedDB databases left behind: ${left.map((d) => d.name).join(', ')}`);
  return names;
}
