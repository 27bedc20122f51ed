/**
 * CREATE TABLE, CREATE TABLE AS, DROP TABLE and TRUNCATE: the catalog changes on the
 * coordinator, the storage on every segment, all in one distributed transaction. (Indexes,
 * those of PRIMARY KEY and UNIQUE included: indexes.ts.)
 */
import { dropDependents } from './views.ts';
import { sqlError } from '../errors.ts';
import type {
  ColumnDef,
  CreateTableAsStmt,
  CreateTableStmt,
  DistributedBy,
  DropTableStmt,
  StorageOption,
  TruncateStmt,
} from '../sql/ast.ts';
import { parseTypeName, T, type SqlType } from '../sql/types.ts';
import type { ColumnInfo, Policy, TableInfo } from '../plan/plan.ts';
import type { Session } from './session.ts';
import { commandResult, type QueryResult } from './results.ts';
import { insertQueryInto } from './dml.ts';
import {
  addIndex,
  checkUniqueKey,
  chooseIndexName,
  onTableSegments,
  rebuildIndexes,
  relationNameTaken,
} from './indexes.ts';

const HASHABLE = new Set([
  'int2',
  'int4',
  'int8',
  'numeric',
  'float4',
  'float8',
  'text',
  'varchar',
  'bpchar',
  'bool',
  'date',
  'timestamp',
  'timestamptz',
  'jsonb',
]);

export async function runCreateTable(s: Session, stmt: CreateTableStmt): Promise<QueryResult> {
  const name = stmt.name.name;
  await s.ensureDtx();
  if (stmt.temporary ? s.temp.get(name) : await relationNameTaken(s, name)) {
    if (stmt.ifNotExists)
      return commandResult('CREATE TABLE', 0, [`NOTICE:  relation "${name}" already exists, skipping`]);
    throw sqlError('duplicate_table', `relation "${name}" already exists`);
  }
  const columns = stmt.columns.map(columnInfo);
  const seen = new Set<string>();
  for (const c of stmt.columns) {
    if (seen.has(c.name))
      throw sqlError('duplicate_column', `column "${c.name}" specified more than once`, { position: c.pos });
    seen.add(c.name);
  }
  const pk =
    stmt.primaryKey?.columns.map((c) => c.name) ??
    stmt.columns.filter((c) => c.primaryKey).map((c) => c.name);
  for (const n of pk) {
    const col = columns.find((c) => c.name === n);
    if (!col) throw sqlError('undefined_column', `column "${n}" named in key does not exist`);
    col.notNull = true;
  }
  const unique = (stmt.unique ?? []).map((u) => u.columns.map((c) => c.name));
  const { policy, notices } = choosePolicy(stmt.distributedBy, columns, pk.length ? pk : (unique[0] ?? []));
  if (pk.length) checkUniqueKey(pk, policy, columns, 'primary');
  for (const u of unique) checkUniqueKey(u, policy, columns, 'constraint');
  const storage = storageOf(stmt.options);
  if (storage === 'ao' && (pk.length || unique.length))
    throw sqlError(
      'feature_not_supported',
      'PRIMARY KEY and UNIQUE on append-optimized tables are not supported',
      {
        hint: 'This lab builds btree indexes on heap tables; create the table without appendoptimized=true.',
      },
    );
  const table = await createTable(s, name, columns, policy, storage, stmt.temporary);
  // The indexes that enforce the constraints, named as Postgres names them.
  const keys = [
    ...(pk.length ? [{ cols: pk, primary: true }] : []),
    ...unique.map((cols) => ({ cols, primary: false })),
  ];
  for (const k of keys) {
    const positions = k.cols.map((n) => columns.findIndex((c) => c.name === n));
    const ixName = await chooseIndexName(s, name, k.cols, k.primary ? 'pkey' : 'key');
    await addIndex(s, table, {
      name: ixName,
      columns: positions,
      unique: true,
      primary: k.primary,
      constraint: true,
    });
  }
  return commandResult('CREATE TABLE', 0, notices);
}

export async function runCreateTableAs(s: Session, stmt: CreateTableAsStmt): Promise<QueryResult> {
  const name = stmt.name.name;
  await s.ensureDtx();
  if (stmt.temporary ? s.temp.get(name) : await relationNameTaken(s, name)) {
    if (stmt.ifNotExists)
      return commandResult('SELECT', 0, [`NOTICE:  relation "${name}" already exists, skipping`]);
    throw sqlError('duplicate_table', `relation "${name}" already exists`);
  }
  const { Planner } = await import('../plan/planner.ts');
  const { plannerEnv } = await import('./statements.ts');
  const env = await plannerEnv(s, stmt.query);
  const probe = new Planner(env).planTop(stmt.query);
  const columns: ColumnInfo[] = probe.columns.map((c, i) => ({
    name: stmt.columnNames?.[i] ?? c.name,
    type: c.type.name === 'unknown' ? T.text : c.type,
    notNull: false,
  }));
  const { policy, notices } = choosePolicy(stmt.distributedBy, columns, [], true);
  const table = await createTable(s, name, columns, policy, storageOf(stmt.options), stmt.temporary);
  let count = 0;
  if (stmt.withData)
    count = await insertQueryInto(
      s,
      table,
      stmt.query,
      columns.map((_, i) => i),
    );
  return commandResult('SELECT', count, notices);
}

async function createTable(
  s: Session,
  name: string,
  columns: ColumnInfo[],
  policy: Policy,
  storage: 'heap' | 'ao',
  temporary = false,
): Promise<TableInfo> {
  const d = await s.ensureDtx();
  const def = { name, columns, policy, storage, numsegments: s.qd.numSegments };
  let table: TableInfo;
  if (temporary) {
    const oid = s.qd.catalog.allocateOid();
    table = { ...def, oid, relfilenode: oid };
    s.temp.add(table);
  } else table = await s.qd.catalog.createTable(d.local, def);
  await s.qd.locks.acquire(s.id, table.oid, 'AccessExclusiveLock');
  await onTableSegments(s, table, (c, dtx) => s.qd.callContent(c, 'createStorage', [dtx, table.relfilenode]));
  return table;
}

export async function runDropTable(s: Session, stmt: DropTableStmt): Promise<QueryResult> {
  const d = await s.ensureDtx();
  const notices: string[] = [];
  for (const n of stmt.names) {
    const temp = s.temp.get(n.name);
    const t = temp ?? (await s.qd.catalog.getTable(d.local, n.name));
    if (!t) {
      if (stmt.ifExists) {
        notices.push(`NOTICE:  table "${n.name}" does not exist, skipping`);
        continue;
      }
      throw sqlError('undefined_table', `table "${n.name}" does not exist`);
    }
    await s.qd.locks.acquire(s.id, t.oid, 'AccessExclusiveLock');
    if (!temp)
      await dropDependents(s, await s.qd.catalog.listViews(d.local), t.name, 'table', stmt.cascade, notices);
    if (temp) s.temp.drop(temp);
    else await s.qd.catalog.dropTable(d.local, t);
    await onTableSegments(s, t, async (c, dtx) => {
      await s.qd.callContent(c, 'dropStorage', [dtx, t.relfilenode]);
      for (const ix of t.indexes ?? []) await s.qd.callContent(c, 'dropStorage', [dtx, ix.relfilenode]);
    });
  }
  return commandResult('DROP TABLE', 0, notices);
}

export async function runTruncate(s: Session, stmt: TruncateStmt): Promise<QueryResult> {
  const d = await s.ensureDtx();
  for (const n of stmt.names) {
    const temp = s.temp.get(n.name);
    const t = temp ?? (await s.qd.catalog.mustGetTable(d.local, n.name, n.pos));
    await s.qd.locks.acquire(s.id, t.oid, 'AccessExclusiveLock');
    // A new, empty relfilenode; the old file goes when the transaction commits.
    const fresh = s.qd.catalog.allocateOid();
    const old = t.relfilenode;
    let now = t;
    if (temp) s.temp.retarget(temp, fresh);
    else now = await s.qd.catalog.setRelfilenode(d.local, t, fresh);
    await onTableSegments(s, t, async (c, dtx) => {
      await s.qd.callContent(c, 'createStorage', [dtx, fresh]);
      await s.qd.callContent(c, 'dropStorage', [dtx, old]);
    });
    // Its indexes start again, empty, in new files too.
    if (now.indexes?.length) await rebuildIndexes(s, now);
  }
  return commandResult('TRUNCATE TABLE');
}

function columnInfo(c: ColumnDef): ColumnInfo {
  const type: SqlType = parseTypeName(c.type);
  const info: ColumnInfo = { name: c.name, type, notNull: c.notNull || c.primaryKey };
  if (c.default) info.default = JSON.stringify(c.default);
  return info;
}

function storageOf(options: StorageOption[]): 'heap' | 'ao' {
  let ao = false;
  for (const o of options) {
    const v = (o.value ?? 'true').toLowerCase();
    if (o.name === 'appendoptimized' || o.name === 'appendonly') ao = v === 'true' || v === 'on' || v === '1';
    else if (o.name === 'orientation') {
      if (v !== 'row')
        throw sqlError('feature_not_supported', `orientation=${v} is not supported; use orientation=row`, {
          position: o.pos,
        });
    } else if (!['compresstype', 'compresslevel', 'blocksize', 'checksum', 'fillfactor'].includes(o.name))
      throw sqlError('invalid_parameter_value', `unrecognized parameter "${o.name}"`, { position: o.pos });
  }
  return ao ? 'ao' : 'heap';
}

/** Greenplum's distribution policy choice, with its NOTICE when it picks a default key. */
export function choosePolicy(
  by: DistributedBy | undefined,
  columns: ColumnInfo[],
  primaryKey: string[],
  ctas = false,
): { policy: Policy; notices: string[] } {
  if (by?.kind === 'randomly') return { policy: { kind: 'random' }, notices: [] };
  if (by?.kind === 'replicated') return { policy: { kind: 'replicated' }, notices: [] };
  if (by?.kind === 'hash') {
    const keys = by.columns.map((c) => {
      const i = columns.findIndex((x) => x.name === c.name);
      if (i < 0)
        throw sqlError(
          'undefined_column',
          `column "${c.name}" named in 'DISTRIBUTED BY' clause does not exist`,
          {
            position: c.pos,
          },
        );
      const type = columns[i]!.type.name;
      if (!HASHABLE.has(type))
        throw sqlError(
          'undefined_object',
          `data type ${type} has no default operator class for access method "hash"`,
          {
            hint: 'You must specify an operator class or define a default operator class for the data type.',
            position: c.pos,
          },
        );
      return i;
    });
    if (new Set(keys).size !== keys.length)
      throw sqlError('duplicate_column', `duplicate column in DISTRIBUTED BY clause`, { position: by.pos });
    return { policy: { kind: 'hash', keys }, notices: [] };
  }
  if (primaryKey.length) {
    return {
      policy: { kind: 'hash', keys: primaryKey.map((n) => columns.findIndex((c) => c.name === n)) },
      notices: [],
    };
  }
  const first = columns.findIndex((c) => HASHABLE.has(c.type.name));
  if (first < 0)
    return {
      policy: { kind: 'random' },
      notices: [
        "NOTICE:  Table doesn't have 'DISTRIBUTED BY' clause, and no column type is suitable for a distribution key. Creating a NULL policy entry.",
      ],
    };
  const hint =
    "HINT:  The 'DISTRIBUTED BY' clause determines the distribution of data. Make sure column(s) chosen are the optimal data distribution key to minimize skew.";
  const notice = ctas
    ? `NOTICE:  Table doesn't have 'DISTRIBUTED BY' clause. Creating a NULL policy entry.`
    : `NOTICE:  Table doesn't have 'DISTRIBUTED BY' clause -- Using column named '${columns[first]!.name}' as the Greenplum Database data distribution key for this table.`;
  if (ctas)
    return {
      policy: { kind: 'hash', keys: [first] },
      notices: [
        `NOTICE:  Table doesn't have 'DISTRIBUTED BY' clause -- Using column(s) named '${columns[first]!.name}' as the Greenplum Database data distribution key for this table.`,
        hint,
      ],
    };
  return { policy: { kind: 'hash', keys: [first] }, notices: [notice, hint] };
}
