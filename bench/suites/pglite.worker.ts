// PGlite (Postgres compiled to WebAssembly) with `idb://` storage, in a dedicated worker: the
// reference the cluster suite's targets are stated against. A bench-only devDependency; nothing
// under src/ imports it. Same statements and timing code as cluster.worker.ts (sql-workload.ts).
//
// PGlite is one backend with one connection: "N sessions" are N concurrent async loops on the
// same instance, which PGlite serializes (its query mutex) — what a user of it gets. With
// `idb://` and default (not relaxed) durability, every statement returns only after PGlite has
// synced its in-memory file system to IndexedDB.
import * as Comlink from 'comlink';
import { PGlite } from '@electric-sql/pglite';
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
  type SqlRunner,
  type WorkloadSample,
} from './sql-workload.ts';

let db: PGlite | undefined;
let dbName: string | undefined;
let nextKey = 1;

/** PGlite's IDBFS names the IndexedDB database after the mount point: `/pglite/<dataDir>`. */
const idbPrefix = (name: string) => `/pglite/${name}`;

function need(): PGlite {
  if (!db) throw new Error('no PGlite: call open() first');
  return db;
}

const runner = (): SqlRunner => {
  const d = need();
  return { query: (sql) => d.query(sql) };
};

const api = {
  async open(name: string): Promise<void> {
    await deleteDatabases(idbPrefix(name));
    dbName = name; // set first, so destroy() cleans up after a failed start too
    db = new PGlite(`idb://${name}`);
    await db.waitReady;
    nextKey = 1;
  },

  async destroy(): Promise<string[]> {
    const d = db;
    const name = dbName;
    db = undefined;
    dbName = undefined;
    await d?.close();
    return name ? deleteDatabases(idbPrefix(name)) : [];
  },

  async bulkLoad(rows: number): Promise<WorkloadSample> {
    const d = runner();
    await resetBulkTable(d, false);
    return bulkInsert(d, rows);
  },

  async ensureLoaded(rows: number): Promise<void> {
    const d = need();
    const has = await d.query<{ n: number }>(`select count(*)::int as n from ${BULK_TABLE}`).then(
      (r) => r.rows[0]?.n ?? -1,
      () => -1,
    );
    if (has === rows) return;
    await resetBulkTable(d, false);
    await d.query(bulkInsertSql(rows));
  },

  async timed(query: TimedQuery): Promise<WorkloadSample> {
    return timeQuery(runner(), TIMED_QUERIES[query]);
  },

  async createCommitTable(): Promise<void> {
    await need().query(createTableSql(COMMIT_TABLE, false));
  },

  /** `sessions` concurrent loops on the one PGlite instance (it serializes them). */
  async commits(sessions: number, ms: number): Promise<WorkloadSample> {
    const r = await commitLoops(
      Array.from({ length: sessions }, () => runner()),
      ms,
      nextKey,
    );
    nextKey = r.nextKey;
    return { value: r.value, extra: r.extra };
  },
};

export type PgliteBenchWorker = typeof api;
Comlink.expose(api);
