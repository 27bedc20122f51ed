/**
 * CREATE INDEX, DROP INDEX and REINDEX on the coordinator, and the indexes CREATE TABLE makes
 * for PRIMARY KEY and UNIQUE: the catalog row in pg_index, then the index built on every
 * segment, all in the statement's distributed transaction (a build that fails anywhere, a
 * duplicate key on one segment, leaves no index anywhere).
 *
 * Locks as Postgres takes them: CREATE INDEX and REINDEX take ShareLock on the table (reads go
 * on, writes wait), DROP INDEX takes AccessExclusiveLock.
 */
import { settleAll } from './settle-all.ts';
import { PG_INDEX } from '../catalog/catalog.ts';
import { sqlError } from '../errors.ts';
import type { ColumnInfo, IndexInfo, Policy, TableInfo } from '../plan/plan.ts';
import type { CreateIndexStmt, DropIndexStmt, ReindexStmt } from '../sql/ast.ts';
import { commandResult, type QueryResult } from './results.ts';
import type { Session } from './session.ts';

/** Postgres' NAMEDATALEN - 1. */
const MAX_NAME = 63;

export async function runCreateIndex(s: Session, stmt: CreateIndexStmt): Promise<QueryResult> {
  const d = await s.ensureDtx();
  const tname = stmt.table.name;
  const temp = s.temp.get(tname);
  const table = temp ?? (await s.qd.catalog.getTable(d.local, tname));
  if (!table) {
    if ((await s.qd.catalog.listViews(d.local)).some((v) => v.name === tname))
      throw sqlError('wrong_object_type', `cannot create index on relation "${tname}"`, {
        detail: 'This operation is not supported for views.',
      });
    throw sqlError('undefined_table', `relation "${tname}" does not exist`, { position: stmt.table.pos });
  }
  if (stmt.name !== undefined && (await relationNameTaken(s, stmt.name))) {
    if (stmt.ifNotExists)
      return commandResult('CREATE INDEX', 0, [`NOTICE:  relation "${stmt.name}" already exists, skipping`]);
    throw sqlError('duplicate_table', `relation "${stmt.name}" already exists`);
  }
  const columns = stmt.columns.map((c) => {
    const i = table.columns.findIndex((x) => x.name === c.name);
    if (i < 0) throw sqlError('undefined_column', `column "${c.name}" does not exist`, { position: c.pos });
    return i;
  });
  for (const c of columns)
    if (table.columns[c]!.type.name === 'json')
      throw sqlError(
        'undefined_object',
        'data type json has no default operator class for access method "btree"',
        {
          hint: 'You must specify an operator class for the index or define a default operator class for the data type.',
        },
      );
  if (table.storage === 'ao')
    throw sqlError('feature_not_supported', 'indexes on append-optimized tables are not supported', {
      hint: 'This lab builds btree indexes on heap tables; create the table without appendoptimized=true to index it.',
    });
  if (stmt.unique)
    checkUniqueKey(
      stmt.columns.map((c) => c.name),
      table.policy,
      table.columns,
      'index',
    );
  await s.qd.locks.acquire(s.id, table.oid, 'ShareLock');
  const name =
    stmt.name ??
    (await chooseIndexName(
      s,
      table.name,
      columns.map((c) => table.columns[c]!.name),
      'idx',
    ));
  await addIndex(s, table, { name, columns, unique: stmt.unique, primary: false, constraint: false });
  return commandResult('CREATE INDEX');
}

/**
 * PRIMARY KEY, UNIQUE, CREATE UNIQUE INDEX: a unique index is checked on each segment alone, so
 * the table's distribution key must be among its columns (equal keys then meet on one segment),
 * and a randomly distributed table cannot have one. The errors are Greenplum's.
 */
export function checkUniqueKey(
  cols: string[],
  policy: Policy,
  columns: ColumnInfo[],
  kind: 'primary' | 'constraint' | 'index',
): void {
  const what = kind === 'primary' ? 'PRIMARY KEY' : 'UNIQUE';
  for (const n of cols)
    if (!columns.some((c) => c.name === n))
      throw sqlError('undefined_column', `column "${n}" named in key does not exist`);
  if (policy.kind === 'random')
    throw sqlError('invalid_table_definition', `${what} and DISTRIBUTED RANDOMLY are incompatible`);
  if (policy.kind !== 'hash') return;
  const missing = policy.keys.map((i) => columns[i]!.name).find((n) => !cols.includes(n));
  if (missing !== undefined)
    throw sqlError(
      'invalid_table_definition',
      kind === 'primary'
        ? "PRIMARY KEY definition must contain all columns in the table's distribution key"
        : kind === 'constraint'
          ? "UNIQUE constraint must contain all columns in the table's distribution key"
          : "UNIQUE index must contain all columns in the table's distribution key",
      { detail: `Distribution key column "${missing}" is not included in the constraint.` },
    );
}

/** Creates an index: its pg_index row (or the temp table's list), then the build everywhere. */
export async function addIndex(
  s: Session,
  table: TableInfo,
  def: Omit<IndexInfo, 'oid' | 'relfilenode'>,
): Promise<IndexInfo> {
  const d = await s.ensureDtx();
  const oid = s.qd.catalog.allocateOid();
  const ix: IndexInfo = { ...def, oid, relfilenode: oid };
  const temp = s.temp.get(table.name) === table ? table : undefined;
  if (temp) s.temp.setIndexes(temp, [...(temp.indexes ?? []), ix]);
  else {
    // The first index ever creates pg_index itself: one such CREATE at a time.
    if (!s.qd.catalog.hasIndexCatalog()) await s.qd.locks.acquire(s.id, PG_INDEX, 'ExclusiveLock');
    await s.qd.catalog.createIndex(d.local, table, ix);
  }
  await buildEverywhere(s, table, ix);
  return ix;
}

/** The name Postgres chooses: table_columns_suffix, cut to 63 bytes, numbered when taken. */
export async function chooseIndexName(
  s: Session,
  table: string,
  cols: string[],
  suffix: string,
): Promise<string> {
  const base = suffix === 'pkey' ? table : `${table}_${cols.join('_')}`;
  for (let n = 0; ; n++) {
    const tail = `_${suffix}${n ? n : ''}`;
    const name = base.slice(0, MAX_NAME - tail.length) + tail;
    if (!(await relationNameTaken(s, name))) return name;
  }
}

/** Whether a table, view or index has this name (they share one namespace). */
export async function relationNameTaken(s: Session, name: string): Promise<boolean> {
  if (s.temp.get(name) || s.temp.all().some((t) => t.indexes?.some((ix) => ix.name === name))) return true;
  const tx = (await s.ensureDtx()).local;
  const tables = await s.qd.catalog.listTables(tx);
  if (tables.some((t) => t.name === name || t.indexes?.some((ix) => ix.name === name))) return true;
  return (await s.qd.catalog.listViews(tx)).some((v) => v.name === name);
}

export async function runDropIndex(s: Session, stmt: DropIndexStmt): Promise<QueryResult> {
  const d = await s.ensureDtx();
  const notices: string[] = [];
  for (const n of stmt.names) {
    const found = await findIndex(s, n.name);
    if (!found) {
      if (await relationNameTaken(s, n.name))
        throw sqlError('wrong_object_type', `"${n.name}" is not an index`, {
          hint: 'Use DROP TABLE to remove a table.',
        });
      if (stmt.ifExists) {
        notices.push(`NOTICE:  index "${n.name}" does not exist, skipping`);
        continue;
      }
      throw sqlError('undefined_object', `index "${n.name}" does not exist`);
    }
    const { table, ix, temp } = found;
    if (ix.constraint)
      throw sqlError(
        'dependent_objects_still_exist',
        `cannot drop index ${ix.name} because constraint ${ix.name} on table ${table.name} requires it`,
        { hint: `You can drop constraint ${ix.name} on table ${table.name} instead.` },
      );
    await s.qd.locks.acquire(s.id, table.oid, 'AccessExclusiveLock');
    if (temp)
      s.temp.setIndexes(
        temp,
        (temp.indexes ?? []).filter((x) => x !== ix),
      );
    else await s.qd.catalog.dropIndex(d.local, ix);
    await onTableSegments(s, table, (c, dtx) => s.qd.callContent(c, 'dropStorage', [dtx, ix.relfilenode]));
  }
  return commandResult('DROP INDEX', 0, notices);
}

export async function runReindex(s: Session, stmt: ReindexStmt): Promise<QueryResult> {
  const d = await s.ensureDtx();
  const name = stmt.name.name;
  let table: TableInfo | undefined;
  let only: IndexInfo | undefined;
  if (stmt.target === 'index') {
    const found = await findIndex(s, name);
    if (!found)
      throw sqlError('undefined_table', `relation "${name}" does not exist`, { position: stmt.name.pos });
    table = found.table;
    only = found.ix;
  } else {
    table = s.temp.get(name) ?? (await s.qd.catalog.getTable(d.local, name));
    if (!table)
      throw sqlError('undefined_table', `relation "${name}" does not exist`, { position: stmt.name.pos });
    if (!table.indexes?.length)
      return commandResult('REINDEX', 0, [`NOTICE:  table "${name}" has no indexes to reindex`]);
  }
  await s.qd.locks.acquire(s.id, table.oid, 'ShareLock');
  await rebuildIndexes(s, table, only);
  return commandResult('REINDEX');
}

/**
 * Each index of `table` (or just `only`) rebuilt into new storage from the table's rows; the
 * old files go when the transaction commits (REINDEX; TRUNCATE, whose table is new and empty;
 * EXPAND TABLE, whose old index files are on the segments `oldOn` spread over).
 */
export async function rebuildIndexes(
  s: Session,
  table: TableInfo,
  only?: IndexInfo,
  oldOn: { numsegments: number } = table,
): Promise<void> {
  const d = await s.ensureDtx();
  const temp = s.temp.get(table.name) === table ? table : undefined;
  const rebuilt: IndexInfo[] = [];
  for (const ix of table.indexes ?? []) {
    if (only && ix.oid !== only.oid) {
      rebuilt.push(ix);
      continue;
    }
    const fresh = s.qd.catalog.allocateOid();
    const moved = temp
      ? { ...ix, relfilenode: fresh }
      : await s.qd.catalog.setIndexRelfilenode(d.local, table, ix, fresh);
    rebuilt.push(moved);
    await buildEverywhere(s, table, moved);
    await onTableSegments(s, oldOn, (c, dtx) => s.qd.callContent(c, 'dropStorage', [dtx, ix.relfilenode]));
  }
  if (temp) s.temp.setIndexes(temp, rebuilt);
}

/** The index of this name and its table. */
async function findIndex(
  s: Session,
  name: string,
): Promise<{ table: TableInfo; ix: IndexInfo; temp?: TableInfo } | undefined> {
  for (const t of s.temp.all()) {
    const ix = t.indexes?.find((x) => x.name === name);
    if (ix) return { table: t, ix, temp: t };
  }
  const tx = (await s.ensureDtx()).local;
  for (const t of await s.qd.catalog.listTables(tx)) {
    const ix = t.indexes?.find((x) => x.name === name);
    if (ix) return { table: t, ix };
  }
  return undefined;
}

function buildEverywhere(s: Session, table: TableInfo, ix: IndexInfo): Promise<void> {
  return onTableSegments(s, table, (c, dtx) => s.qd.callContent(c, 'buildIndex', [dtx, table, ix]));
}

/**
 * A storage change on every segment a table is on (all, or fewer while gpexpand has not
 * expanded it), each a writer in the distributed transaction.
 */
export async function onTableSegments(
  s: Session,
  table: { numsegments: number },
  work: (content: number, dtx: Awaited<ReturnType<Session['dtxContext']>>) => Promise<unknown>,
): Promise<void> {
  const d = await s.ensureDtx();
  const dtx = await s.dtxContext(true);
  await settleAll(
    s.qd.tableContents(table).map(async (c) => {
      await work(c, dtx);
      d.writers.add(c);
      d.touched.add(c);
    }),
  );
}
