/** Runs one parsed statement in a session. */
import { tablesInUtilityMode } from './utility-mode.ts';
import { sqlError } from '../errors.ts';
import { CATALOG_CHANGE_LOCK } from './locks.ts';
import type { Query, Statement } from '../sql/ast.ts';
import { Planner, type PlannerEnv } from '../plan/planner.ts';
import type { PlanNode, TableInfo } from '../plan/plan.ts';
import { T, type SqlType, type Value } from '../sql/types.ts';
import type { Session } from './session.ts';
import { commandResult, rowsResult, type QueryResult } from './results.ts';
import { runPlan, type AnalyzeSink } from './dispatcher.ts';
import { checkNames, runInitPlans } from './initplans.ts';
import { runCreateTable, runCreateTableAs, runDropTable, runTruncate } from './ddl.ts';
import { runExpandTable } from './expand-table.ts';
import { runDelete, runInsert, runUpdate } from './dml.ts';
import { runExplain } from './explain.ts';
import { pgSleep, sleepArgument } from './pg-sleep.ts';
import { checkNullableLocking, lockedTables, refuseNestedLocking } from '../sql/locking.ts';
import { runCreateView, runDropView } from './views.ts';
import { runCreateIndex, runDropIndex, runReindex } from './indexes.ts';
import { runCopy } from './copy.ts';

/** Statements that change the catalog: refused while gpexpand holds it (gp_expand_lock_catalog). */
const CATALOG_CHANGES = new Set<Statement['kind']>([
  'createTable',
  'createTableAs',
  'dropTable',
  'truncate',
  'expandTable',
  'createView',
  'dropView',
  'createIndex',
  'dropIndex',
  'reindex',
]);

/**
 * A catalog change takes the catalog change lock in share mode, held to the transaction's end,
 * so gpexpand's setup waits for it; while gpexpand holds (or waits for) the lock, a transaction
 * that has not changed the catalog yet is refused (gp_expand_protect_catalog_changes).
 */
async function protectCatalogChange(s: Session): Promise<void> {
  if (s.qd.locks.holds(s.id, CATALOG_CHANGE_LOCK)) return;
  if (s.qd.catalogLocked)
    throw sqlError(
      'object_not_in_prerequisite_state',
      'gpexpand in progress, catalog changes are disallowed.',
      {
        hint: 'Wait for gpexpand to finish its setup (gpstate -x shows its state), then run the statement again.',
      },
    );
  await s.qd.locks.acquire(s.id, CATALOG_CHANGE_LOCK, 'AccessShareLock');
}

export async function runStatement(s: Session, stmt: Statement): Promise<QueryResult> {
  refuseNestedLocking(stmt);
  if (CATALOG_CHANGES.has(stmt.kind)) await protectCatalogChange(s);
  switch (stmt.kind) {
    case 'select':
    case 'values':
    case 'setop':
      return runQuery(s, stmt);
    case 'insert':
      return runInsert(s, stmt);
    case 'copy':
      return runCopy(s, stmt);
    case 'update':
      return runUpdate(s, stmt);
    case 'delete':
      return runDelete(s, stmt);
    case 'createTable':
      return runCreateTable(s, stmt);
    case 'createTableAs':
      return runCreateTableAs(s, stmt);
    case 'dropTable':
      return runDropTable(s, stmt);
    case 'truncate':
      return runTruncate(s, stmt);
    case 'expandTable':
      return runExpandTable(s, stmt);
    case 'explain':
      return runExplain(s, stmt);
    case 'set': {
      const value = stmt.toDefault
        ? null
        : stmt.values.length === 1
          ? stmt.values[0]!.text
          : stmt.values.map((v) => v.text);
      const notices = s.settings.set(stmt.name, value, stmt.local);
      return commandResult(
        'SET',
        0,
        notices.map((n) => `${n.severity}:  ${n.message}`),
      );
    }
    case 'reset':
      if (stmt.name === 'all') s.settings.resetAll();
      else s.settings.reset(stmt.name);
      return commandResult('RESET');
    case 'show': {
      if (stmt.name === 'all') {
        const rows = s.settings.showAll().map((r) => [r.name, r.setting, r.description]);
        return rowsResult(
          [
            { name: 'name', type: T.text },
            { name: 'setting', type: T.text },
            { name: 'description', type: T.text },
          ],
          rows,
        );
      }
      const r = rowsResult([{ name: stmt.name, type: T.text }], [[s.settings.show(stmt.name)]]);
      r.command = 'SHOW';
      return r;
    }
    case 'checkpoint': {
      await s.qd.inst.checkpoint();
      await Promise.all(
        Array.from({ length: s.qd.numSegments }, (_, c) => s.qd.callContent(c, 'checkpoint', [])),
      );
      return commandResult('CHECKPOINT');
    }
    case 'vacuum':
      return commandResult('VACUUM');
    case 'analyze':
      return commandResult('ANALYZE');
    case 'setTransaction':
      return commandResult('SET');
    case 'declareCursor':
      return s.cursors.declare(s, stmt);
    case 'fetch':
      return s.cursors.fetch(s, stmt);
    case 'closeCursor':
      return s.cursors.close(stmt);
    case 'createView':
      return runCreateView(s, stmt);
    case 'dropView':
      return runDropView(s, stmt);
    case 'createIndex':
      return runCreateIndex(s, stmt);
    case 'dropIndex':
      return runDropIndex(s, stmt);
    case 'reindex':
      return runReindex(s, stmt);
    default:
      throw sqlError('feature_not_supported', `${stmt.kind} is not supported`);
  }
}

/** Tables a statement names, preloaded so planning can be synchronous. */
export async function plannerEnv(s: Session, root: unknown): Promise<PlannerEnv> {
  const tx = s.dtx?.local ?? s.qd.inst.xact.begin();
  const all = await s.qd.catalog.listTables(tx);
  const names = new Set<string>();
  collectTableNames(root, names);
  const tables = new Map<string, TableInfo>();
  for (const t of all) if (names.has(t.name)) tables.set(t.name, t);
  // pg_temp comes first in the search path: a temporary table hides a table of its name.
  for (const t of s.temp.all()) if (names.has(t.name)) tables.set(t.name, t);
  return {
    tables,
    system: s.qd.systemRelations(),
    numSegments: s.qd.numSegments,
    initplans: new Map(),
    scanMethods: {
      indexscan: s.settings.gucs.get<boolean>('enable_indexscan'),
      seqscan: s.settings.gucs.get<boolean>('enable_seqscan'),
    },
  };
}

export function collectTableNames(n: unknown, out: Set<string>): void {
  if (typeof n !== 'object' || n === null) return;
  if (Array.isArray(n)) {
    for (const x of n) collectTableNames(x, out);
    return;
  }
  const node = n as { kind?: string; name?: { name?: string } | string; table?: { name?: string } };
  if (node.kind === 'table' && typeof node.name === 'object' && node.name?.name) out.add(node.name.name);
  if ((node.kind === 'insert' || node.kind === 'update' || node.kind === 'delete') && node.table?.name)
    out.add(node.table.name);
  for (const v of Object.values(n)) collectTableNames(v, out);
}

/** `SELECT gp_request_fts_probe_scan()`: waits for a fresh FTS cycle, then answers true. */
function isProbeScanRequest(q: Query): boolean {
  return (
    q.kind === 'select' &&
    q.from.length === 0 &&
    q.targets.length === 1 &&
    q.targets[0]!.kind === 'expr' &&
    q.targets[0]!.expr.kind === 'call' &&
    q.targets[0]!.expr.name === 'gp_request_fts_probe_scan'
  );
}

export async function runQuery(s: Session, q: Query): Promise<QueryResult> {
  const sleep = sleepArgument(q);
  if (sleep && q.kind === 'select') {
    const t = q.targets[0]!;
    const arg: Query = {
      ...q,
      targets: [
        {
          ...t,
          expr: { kind: 'cast', expr: sleep, type: { name: 'float8', pos: sleep.pos }, pos: sleep.pos },
        },
      ],
    } as Query;
    const seconds = (await runQuery(s, arg)).rows[0]![0] as number | null;
    return pgSleep(s, seconds, t.kind === 'expr' && t.alias ? t.alias : 'pg_sleep');
  }
  if (isProbeScanRequest(q)) {
    if (!s.qd.fts) throw sqlError('object_not_in_prerequisite_state', 'FTS is not running');
    await s.qd.fts.requestScan();
    return rowsResult([{ name: 'gp_request_fts_probe_scan', type: T.bool }], [[true]]);
  }
  const r = await queryRows(s, q);
  return rowsResult(r.columns, r.rows);
}

/** Plans and runs a query: its columns and rows as the engine holds them (not yet client values). */
export async function queryRows(
  s: Session,
  q: Query,
  analyze?: { sink: AnalyzeSink; planned(node: PlanNode): void },
): Promise<{ columns: { name: string; type: SqlType }[]; rows: Value[][] }> {
  const env = await plannerEnv(s, q);
  if (s.utility && env.tables.size) throw tablesInUtilityMode([...env.tables.keys()]);
  // A locking clause the query cannot honour is refused where Postgres' parse analysis
  // refuses it: once the names are known to be right.
  if (q.lockingRefused) {
    checkNames(q, env);
    throw sqlError('feature_not_supported', q.lockingRefused.message, {
      position: q.lockingRefused.position,
    });
  }
  await lockTables(s, env, 'AccessShareLock');
  // FOR UPDATE and its kin: Greenplum's ExclusiveLock on each table they lock (sql/locking.ts).
  if (q.kind === 'select' && q.locking?.length)
    for (const l of lockedTables(q, q.locking)) {
      const t = env.tables.get(l.table);
      if (t) await s.qd.locks.acquire(s.id, t.oid, 'ExclusiveLock', l.nowait ? t.name : undefined);
    }
  await runInitPlans(s, q, env, () => new Planner(env).planTop(q));
  const planner = new Planner(env);
  const plan = planner.planTop(q);
  if (q.kind === 'select' && q.locking?.length) checkNullableLocking(q, q.locking);
  const dtx = await s.dtxContext(false);
  analyze?.planned(plan.node);
  const result = await runPlan(
    s.qd.dispatchEnv(s, env.numSegments),
    plan.node,
    dtx,
    s.statementTime,
    analyze ? { analyze: analyze.sink } : {},
  );
  noteParticipants(s, result.touched, result.writers);
  return { columns: plan.columns, rows: result.rows };
}

export async function lockTables(
  s: Session,
  env: PlannerEnv,
  mode: 'AccessShareLock' | 'RowExclusiveLock' | 'ExclusiveLock',
) {
  let waited = false;
  for (const t of env.tables.values()) if (await s.qd.locks.acquire(s.id, t.oid, mode)) waited = true;
  if (waited) await refreshTables(s, env);
}

/**
 * After waiting for a lock, the tables as they are now: the holder may have given one a new
 * file or spread it over more segments (TRUNCATE, ALTER TABLE ... EXPAND TABLE), as Postgres
 * reads a relation again once it holds its lock. The segment count is read again too: gpexpand
 * may have added segments meanwhile.
 */
export async function refreshTables(s: Session, env: PlannerEnv): Promise<void> {
  const tx = s.qd.inst.xact.begin();
  try {
    const now = new Map((await s.qd.catalog.listTables(tx)).map((t) => [t.oid, t]));
    for (const [name, t] of env.tables) {
      const fresh = now.get(t.oid);
      if (fresh && !s.temp.get(name)) env.tables.set(name, fresh);
    }
  } finally {
    s.qd.inst.xact.abort(tx);
  }
  env.numSegments = s.qd.numSegments;
}

/** Records which segments a statement touched and wrote (for commit and abort). */
export function noteParticipants(s: Session, touched: Set<number>, writers: Set<number>): void {
  if (!s.dtx) return;
  for (const c of touched) s.dtx.touched.add(c);
  for (const c of writers) s.dtx.writers.add(c);
}

/**
 * Temporary tables need session lifetime on every segment; until they have it, they are
 * refused rather than created as permanent tables that outlive the session.
 */
