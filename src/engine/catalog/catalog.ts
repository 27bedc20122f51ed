/**
 * The coordinator's catalog: tables, their columns and distribution policies, the segment
 * configuration and its history. It lives in ordinary heap relations of the coordinator's
 * instance, so every change is WAL-logged (and streams to the standby) and is transactional:
 * a CREATE TABLE rolled back leaves no trace, and readers see the catalog through their
 * snapshot like any other rows.
 *
 * | relation                  | relfilenode | one row per            |
 * |---------------------------|-------------|------------------------|
 * | pg_class                  | 1259        | user table             |
 * | pg_attribute              | 1249        | column                 |
 * | gp_segment_configuration  | 5036        | instance (dbid)        |
 * | gp_configuration_history  | 7175        | configuration event    |
 * | pg_rewrite (views)        | 2618        | view                   |
 * | pg_index                  | 2610        | btree index            |
 */
import { sqlError } from '../errors.ts';
import type { Instance } from '../instance/instance.ts';
import type { ColumnInfo, IndexInfo, Policy, TableInfo } from '../plan/plan.ts';
import { encodeRow, decodeRow } from '../sql/tuple-codec.ts';
import { T, type SqlType, type Value } from '../sql/types.ts';
import type { Snapshot } from '../txn/snapshot.ts';
import type { Transaction } from '../txn/xact.ts';
import type { Tid } from '../storage/page.ts';

export const PG_CLASS = 1259;
export const PG_ATTRIBUTE = 1249;
export const GP_SEGMENT_CONFIGURATION = 5036;
export const GP_CONFIGURATION_HISTORY = 7175;
export const PG_REWRITE = 2618;
export const PG_INDEX = 2610;
export const FIRST_NORMAL_OID = 16384;

/** A view: its query as written and as parsed, its columns, and the relations it reads. */
export interface ViewInfo {
  oid: number;
  name: string;
  definition: string;
  /** The parsed query (JSON of the AST), expanded where the view is named. */
  query: string;
  columns: { name: string; type: SqlType }[];
  /** The tables and views its query names (DROP TABLE refuses while a view depends on one). */
  dependsOn: string[];
}
const VIEW_TYPES: SqlType[] = [T.int4, T.text, T.text, T.text, T.text, T.text];
/** indexrelid, indrelid, name, relfilenode, columns (JSON), unique, primary, constraint. */
const INDEX_TYPES: SqlType[] = [T.int4, T.int4, T.text, T.int4, T.text, T.bool, T.bool, T.bool];

/** A row of gp_segment_configuration (Greenplum 7 columns). */
export interface SegmentConfig {
  dbid: number;
  content: number;
  role: 'p' | 'm';
  preferred_role: 'p' | 'm';
  /** s, n (Greenplum 7); in file replication s, c (change tracking), r (resynchronizing). */
  mode: 's' | 'n' | 'c' | 'r';
  status: 'u' | 'd';
  port: number;
  hostname: string;
  address: string;
  datadir: string;
}

export interface HistoryRow {
  time: number;
  dbid: number;
  desc: string;
}

const CLASS_TYPES: SqlType[] = [T.int4, T.text, T.int4, T.text, T.text, T.int4];
const ATTR_TYPES: SqlType[] = [T.int4, T.int2, T.text, T.text, T.bool, T.text];
export const SEGCONF_COLUMNS: { name: string; type: SqlType }[] = [
  { name: 'dbid', type: T.int2 },
  { name: 'content', type: T.int2 },
  { name: 'role', type: T.bpchar },
  { name: 'preferred_role', type: T.bpchar },
  { name: 'mode', type: T.bpchar },
  { name: 'status', type: T.bpchar },
  { name: 'port', type: T.int4 },
  { name: 'hostname', type: T.text },
  { name: 'address', type: T.text },
  { name: 'datadir', type: T.text },
];
const SEGCONF_TYPES = SEGCONF_COLUMNS.map((c) => c.type);
export const HISTORY_COLUMNS: { name: string; type: SqlType }[] = [
  { name: 'time', type: T.timestamptz },
  { name: 'dbid', type: T.int2 },
  { name: 'desc', type: T.text },
];
const HISTORY_TYPES = HISTORY_COLUMNS.map((c) => c.type);

/** Microseconds between the Unix epoch and Postgres' 2000-01-01 epoch. */
const PG_EPOCH_MS = 946_684_800_000;

export class Catalog {
  private nextOid = FIRST_NORMAL_OID;
  private readonly inst: Instance;
  /**
   * The tables as listTables last read them (a relcache, in effect): every statement plans
   * against them, and reading pg_class, pg_attribute and pg_index anew cost about a tenth of a
   * single-row INSERT. Bumped by every catalog write of this coordinator (the only writer of
   * its catalog while it runs; a restart or a promotion builds a new Catalog).
   */
  private generation = 0;
  /** The highest xid that wrote the catalog: a snapshot whose xmin is past it sees every such write settled. */
  private lastWriterXid = 0;
  private tablesCache: { generation: number; tables: TableInfo[] } | undefined;

  constructor(inst: Instance) {
    this.inst = inst;
  }

  /** First start of the coordinator: the catalog relations and the segment configuration. */
  async bootstrap(config: SegmentConfig[], time: number): Promise<void> {
    const tx = this.inst.xact.begin();
    for (const rel of [
      PG_CLASS,
      PG_ATTRIBUTE,
      GP_SEGMENT_CONFIGURATION,
      GP_CONFIGURATION_HISTORY,
      PG_REWRITE,
    ])
      this.inst.createStorage(tx, rel);
    for (const c of config) await this.insertSegment(tx, c);
    void time;
    await this.inst.xact.commit(tx);
  }

  /**
   * After a restart or promotion: the OID counter continues past every table in the catalog
   * and every relation file on disk (a crash-aborted CREATE leaves its file behind).
   */
  async load(): Promise<void> {
    let max = FIRST_NORMAL_OID - 1;
    const tx = this.inst.xact.begin();
    for await (const page of this.inst.heap(PG_CLASS).scan(tx.commandSnapshot()))
      for (const r of page) {
        const v = decodeRow(r.data, CLASS_TYPES);
        max = Math.max(max, v[0] as number, v[2] as number);
      }
    for (const list of (await this.listIndexes(tx)).values())
      for (const ix of list) max = Math.max(max, ix.oid, ix.relfilenode);
    for (const f of this.inst.disk.files('base/')) {
      const n = Number(f.slice(5));
      // Visibility maps of AO tables live far above the OID range (VISIMAP_OFFSET).
      if (Number.isFinite(n) && n < 0x4000_0000) max = Math.max(max, n);
    }
    this.nextOid = max + 1;
  }

  allocateOid(): number {
    return this.nextOid++;
  }

  // ---- tables -----------------------------------------------------------------------------

  /**
   * Every table the transaction's current command sees. A cached list serves any snapshot
   * taken after every catalog writer finished (xmin past the last of them), since all such
   * snapshots see the same catalog; a writer's own transaction, and snapshots older than a
   * write, read the catalog. The tables are frozen: callers share them.
   */
  async listTables(tx: Transaction): Promise<TableInfo[]> {
    const snap = tx.commandSnapshot();
    const settled = snap.xmin > this.lastWriterXid;
    const cached = this.tablesCache;
    if (settled && cached?.generation === this.generation) return [...cached.tables];
    const generation = this.generation;
    const tables = await this.readTables(tx, snap);
    if (settled && generation === this.generation) {
      for (const t of tables) deepFreeze(t);
      this.tablesCache = { generation, tables };
      return [...tables];
    }
    return tables;
  }

  /** Notes a write to the catalog relations: cached reads of them are stale. */
  private noteWrite(tx: Transaction): void {
    this.generation++;
    this.tablesCache = undefined;
    if (tx.xid > this.lastWriterXid) this.lastWriterXid = tx.xid;
  }

  private async readTables(tx: Transaction, snap: Snapshot): Promise<TableInfo[]> {
    const classes: Value[][] = [];
    for await (const page of this.inst.heap(PG_CLASS).scan(snap))
      for (const r of page) classes.push(decodeRow(r.data, CLASS_TYPES));
    const attrs = new Map<number, { num: number; col: ColumnInfo }[]>();
    for await (const page of this.inst.heap(PG_ATTRIBUTE).scan(snap))
      for (const r of page) {
        const a = decodeRow(r.data, ATTR_TYPES);
        const list = attrs.get(a[0] as number) ?? [];
        const col: ColumnInfo = {
          name: a[2] as string,
          type: JSON.parse(a[3] as string) as SqlType,
          notNull: a[4] as boolean,
        };
        if (a[5] !== null) col.default = a[5] as string;
        list.push({ num: a[1] as number, col });
        attrs.set(a[0] as number, list);
      }
    const indexes = await this.listIndexes(tx);
    return classes.map((c) => {
      const t: TableInfo = {
        oid: c[0] as number,
        name: c[1] as string,
        relfilenode: c[2] as number,
        storage: c[3] === 'a' ? 'ao' : 'heap',
        policy: JSON.parse(c[4] as string) as Policy,
        numsegments: c[5] as number,
        columns: (attrs.get(c[0] as number) ?? []).sort((x, y) => x.num - y.num).map((x) => x.col),
      };
      const own = indexes.get(t.oid);
      if (own) t.indexes = own;
      return t;
    });
  }

  // ---- indexes ----------------------------------------------------------------------------

  /** Every index, by the oid of its table. */
  private async listIndexes(tx: Transaction): Promise<Map<number, IndexInfo[]>> {
    const out = new Map<number, IndexInfo[]>();
    // Every statement asks (with the tables): none ever made costs no scan.
    if (this.inst.pool.nblocks(`base/${PG_INDEX}`) === 0) return out;
    for await (const page of this.inst.heap(PG_INDEX).scan(tx.commandSnapshot()))
      for (const r of page) {
        const v = decodeRow(r.data, INDEX_TYPES);
        const list = out.get(v[1] as number) ?? [];
        list.push({
          oid: v[0] as number,
          name: v[2] as string,
          relfilenode: v[3] as number,
          columns: JSON.parse(v[4] as string) as number[],
          unique: v[5] as boolean,
          primary: v[6] as boolean,
          constraint: v[7] as boolean,
        });
        out.set(v[1] as number, list);
      }
    for (const list of out.values()) list.sort((a, b) => a.oid - b.oid);
    return out;
  }

  /** Whether pg_index exists yet (data directories made before indexes have none). */
  hasIndexCatalog(): boolean {
    return this.inst.pool.nblocks(`base/${PG_INDEX}`) > 0;
  }

  async createIndex(tx: Transaction, table: TableInfo, ix: IndexInfo): Promise<void> {
    // A data directory made before indexes existed has no pg_index yet (see createView).
    if (this.inst.pool.nblocks(`base/${PG_INDEX}`) === 0) this.inst.createStorage(tx, PG_INDEX);
    tx.nextCommand();
    await this.inst
      .heap(PG_INDEX)
      .insert(
        tx,
        encodeRow(
          [
            ix.oid,
            table.oid,
            ix.name,
            ix.relfilenode,
            JSON.stringify(ix.columns),
            ix.unique,
            ix.primary,
            ix.constraint,
          ],
          INDEX_TYPES,
        ),
      );
    this.noteWrite(tx);
  }

  async dropIndex(tx: Transaction, ix: IndexInfo): Promise<void> {
    await this.deleteWhere(tx, PG_INDEX, INDEX_TYPES, (v) => v[0] === ix.oid);
  }

  /** Points an index at new storage (REINDEX, TRUNCATE). */
  async setIndexRelfilenode(
    tx: Transaction,
    table: TableInfo,
    ix: IndexInfo,
    relfilenode: number,
  ): Promise<IndexInfo> {
    await this.dropIndex(tx, ix);
    const moved = { ...ix, relfilenode };
    await this.createIndex(tx, table, moved);
    return moved;
  }

  async getTable(tx: Transaction, name: string): Promise<TableInfo | undefined> {
    return (await this.listTables(tx)).find((t) => t.name === name);
  }

  async mustGetTable(tx: Transaction, name: string, pos?: number): Promise<TableInfo> {
    const t = await this.getTable(tx, name);
    if (!t)
      throw sqlError(
        'undefined_table',
        `relation "${name}" does not exist`,
        pos ? { position: pos } : undefined,
      );
    return t;
  }

  async createTable(tx: Transaction, t: Omit<TableInfo, 'oid' | 'relfilenode'>): Promise<TableInfo> {
    const oid = this.allocateOid();
    const info: TableInfo = { ...t, oid, relfilenode: oid };
    await this.insertClass(tx, info);
    for (let i = 0; i < t.columns.length; i++) {
      const c = t.columns[i]!;
      tx.nextCommand();
      await this.inst
        .heap(PG_ATTRIBUTE)
        .insert(
          tx,
          encodeRow([oid, i + 1, c.name, JSON.stringify(c.type), c.notNull, c.default ?? null], ATTR_TYPES),
        );
      this.noteWrite(tx);
    }
    return info;
  }

  /** Points a table at new storage (TRUNCATE): the row in pg_class is replaced. */
  /** A table's new file (TRUNCATE), and (ALTER TABLE EXPAND TABLE) the segments it spreads over. */
  async setRelfilenode(
    tx: Transaction,
    t: TableInfo,
    relfilenode: number,
    numsegments = t.numsegments,
  ): Promise<TableInfo> {
    await this.deleteWhere(tx, PG_CLASS, CLASS_TYPES, (v) => v[0] === t.oid);
    const info = { ...t, relfilenode, numsegments };
    await this.insertClass(tx, info);
    return info;
  }

  async dropTable(tx: Transaction, t: TableInfo): Promise<void> {
    await this.deleteWhere(tx, PG_CLASS, CLASS_TYPES, (v) => v[0] === t.oid);
    await this.deleteWhere(tx, PG_ATTRIBUTE, ATTR_TYPES, (v) => v[0] === t.oid);
    if (t.indexes?.length) await this.deleteWhere(tx, PG_INDEX, INDEX_TYPES, (v) => v[1] === t.oid);
  }

  private async insertClass(tx: Transaction, t: TableInfo): Promise<void> {
    tx.nextCommand();
    await this.inst
      .heap(PG_CLASS)
      .insert(
        tx,
        encodeRow(
          [
            t.oid,
            t.name,
            t.relfilenode,
            t.storage === 'ao' ? 'a' : 'h',
            JSON.stringify(t.policy),
            t.numsegments,
          ],
          CLASS_TYPES,
        ),
      );
    this.noteWrite(tx);
  }

  // ---- views ------------------------------------------------------------------------------

  async listViews(tx: Transaction): Promise<ViewInfo[]> {
    const out: ViewInfo[] = [];
    // Every statement asks (to expand the views it names): none ever made costs no scan.
    if (this.inst.pool.nblocks(`base/${PG_REWRITE}`) === 0) return out;
    for await (const page of this.inst.heap(PG_REWRITE).scan(tx.commandSnapshot()))
      for (const r of page) {
        const v = decodeRow(r.data, VIEW_TYPES);
        out.push({
          oid: v[0] as number,
          name: v[1] as string,
          definition: v[2] as string,
          query: v[3] as string,
          columns: JSON.parse(v[4] as string) as ViewInfo['columns'],
          dependsOn: JSON.parse(v[5] as string) as string[],
        });
      }
    return out;
  }

  async createView(tx: Transaction, v: Omit<ViewInfo, 'oid'>, oid = this.allocateOid()): Promise<ViewInfo> {
    // A data directory made before views existed has no pg_rewrite yet. (Created only while it
    // has no page: an abort unlinks what its transaction created, which then held nothing.)
    if (this.inst.pool.nblocks(`base/${PG_REWRITE}`) === 0) this.inst.createStorage(tx, PG_REWRITE);
    const info = { ...v, oid };
    tx.nextCommand();
    await this.inst
      .heap(PG_REWRITE)
      .insert(
        tx,
        encodeRow(
          [oid, v.name, v.definition, v.query, JSON.stringify(v.columns), JSON.stringify(v.dependsOn)],
          VIEW_TYPES,
        ),
      );
    return info;
  }

  async dropView(tx: Transaction, v: ViewInfo): Promise<void> {
    await this.deleteWhere(tx, PG_REWRITE, VIEW_TYPES, (r) => r[0] === v.oid);
  }

  // ---- segment configuration --------------------------------------------------------------

  async segments(tx: Transaction): Promise<SegmentConfig[]> {
    const out: SegmentConfig[] = [];
    for await (const page of this.inst.heap(GP_SEGMENT_CONFIGURATION).scan(tx.commandSnapshot()))
      for (const r of page) out.push(rowToSegment(decodeRow(r.data, SEGCONF_TYPES)));
    return out.sort((a, b) => a.dbid - b.dbid);
  }

  async insertSegment(tx: Transaction, c: SegmentConfig): Promise<void> {
    tx.nextCommand();
    await this.inst.heap(GP_SEGMENT_CONFIGURATION).insert(tx, encodeRow(segmentToRow(c), SEGCONF_TYPES));
  }

  /** Replaces the row of `c.dbid` (role, status, mode...). */
  async updateSegment(tx: Transaction, c: SegmentConfig): Promise<void> {
    await this.deleteWhere(tx, GP_SEGMENT_CONFIGURATION, SEGCONF_TYPES, (v) => v[0] === c.dbid);
    await this.insertSegment(tx, c);
  }

  async removeSegment(tx: Transaction, dbid: number): Promise<void> {
    await this.deleteWhere(tx, GP_SEGMENT_CONFIGURATION, SEGCONF_TYPES, (v) => v[0] === dbid);
  }

  async addHistory(tx: Transaction, dbid: number, desc: string, timeMs: number): Promise<void> {
    tx.nextCommand();
    const micros = (timeMs - PG_EPOCH_MS) * 1000;
    await this.inst.heap(GP_CONFIGURATION_HISTORY).insert(tx, encodeRow([micros, dbid, desc], HISTORY_TYPES));
  }

  async history(tx: Transaction): Promise<Value[][]> {
    const out: Value[][] = [];
    for await (const page of this.inst.heap(GP_CONFIGURATION_HISTORY).scan(tx.commandSnapshot()))
      for (const r of page) out.push(decodeRow(r.data, HISTORY_TYPES));
    return out;
  }

  private async deleteWhere(
    tx: Transaction,
    rel: number,
    types: SqlType[],
    pred: (v: Value[]) => boolean,
  ): Promise<number> {
    tx.nextCommand();
    const snap = tx.commandSnapshot();
    const tids: Tid[] = [];
    for await (const page of this.inst.heap(rel).scan(snap))
      for (const r of page) if (pred(decodeRow(r.data, types))) tids.push(r.tid);
    for (const tid of tids) await this.inst.heap(rel).delete(tx, tid, snap);
    if (tids.length > 0) this.noteWrite(tx);
    return tids.length;
  }
}

export function segmentToRow(c: SegmentConfig): Value[] {
  return [
    c.dbid,
    c.content,
    c.role,
    c.preferred_role,
    c.mode,
    c.status,
    c.port,
    c.hostname,
    c.address,
    c.datadir,
  ];
}

function rowToSegment(v: Value[]): SegmentConfig {
  return {
    dbid: v[0] as number,
    content: v[1] as number,
    role: v[2] as 'p' | 'm',
    preferred_role: v[3] as 'p' | 'm',
    mode: v[4] as SegmentConfig['mode'],
    status: v[5] as 'u' | 'd',
    port: v[6] as number,
    hostname: v[7] as string,
    address: v[8] as string,
    datadir: v[9] as string,
  };
}

/** Freezes a value and everything it holds (cached catalog rows are shared by every caller). */
function deepFreeze(v: unknown): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
}
