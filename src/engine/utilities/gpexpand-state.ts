/**
 * What gpexpand keeps between runs, where Greenplum keeps it:
 * - setup's progress in the status file `gpexpand.status` of the coordinator's data directory
 *   (one `STATE:info` line per step; it exists only while a setup is unfinished, so a failed
 *   one is found and can be rolled back with -r);
 * - after setup, the gpexpand schema: `gpexpand.status` (the expansion's state over time),
 *   `gpexpand.status_detail` (one row per table to redistribute) and the view
 *   `gpexpand.expansion_progress`, ordinary tables that sessions can query.
 */
import type { Disk } from '../storage/disk.ts';
import { readTextFile, writeTextFile } from '../instance/config-file.ts';
import type { Coordinator } from '../server/coordinator.ts';
import { Session } from '../server/session.ts';
import type { QueryResult } from '../server/results.ts';
import { ExpansionError } from './gpexpand-input.ts';
import type { UtilityHost } from './host.ts';
import type { ClusterNode } from '../node/nodes.ts';

export const STATUS_FILE = 'gpexpand.status';

/** Setup's steps, in order (Greenplum's gpexpand status file states). */
export const SETUP_STATES = [
  'UNINITIALIZED',
  'EXPANSION_PREPARE_STARTED',
  'BUILD_SEGMENT_TEMPLATE_STARTED',
  'BUILD_SEGMENT_TEMPLATE_DONE',
  'BUILD_SEGMENTS_STARTED',
  'BUILD_SEGMENTS_DONE',
  'UPDATE_CATALOG_STARTED',
  'UPDATE_CATALOG_DONE',
  'SETUP_EXPANSION_SCHEMA_STARTED',
  'SETUP_EXPANSION_SCHEMA_DONE',
  'PREPARE_EXPANSION_SCHEMA_STARTED',
  'PREPARE_EXPANSION_SCHEMA_DONE',
  'EXPANSION_PREPARE_DONE',
] as const;
export type SetupState = (typeof SETUP_STATES)[number];

/**
 * The status file: each step appended as it starts or ends, synced before the step goes on,
 * then copied to the standby coordinator's data directory (Greenplum rsyncs it there), so a
 * standby activated in the middle of a setup finds it and can roll it back.
 */
export class StatusFile {
  private readonly disk: Disk;
  private readonly hooks: StatusFileHooks;
  lines: { state: SetupState; info: string }[];

  constructor(disk: Disk, hooks: StatusFileHooks = {}) {
    this.disk = disk;
    this.hooks = hooks;
    const text = readTextFile(disk, STATUS_FILE);
    this.lines = [];
    for (const line of text?.split('\n').filter(Boolean) ?? []) {
      const at = line.indexOf(':');
      const state = line.slice(0, at) as SetupState;
      if (!SETUP_STATES.includes(state))
        throw new ExpansionError(`Invalid status file.  Unknown status ${line.slice(0, at)}`);
      this.lines.push({ state, info: line.slice(at + 1) });
    }
  }

  get exists(): boolean {
    return this.lines.length > 0;
  }

  get last(): SetupState | undefined {
    return this.lines.at(-1)?.state;
  }

  /** The info a step was written with (the input file's name for EXPANSION_PREPARE_STARTED). */
  infoOf(state: SetupState): string | undefined {
    return this.lines.find((l) => l.state === state)?.info;
  }

  /** Has setup got at least as far as `state`? */
  reached(state: SetupState): boolean {
    const last = this.last;
    return last !== undefined && SETUP_STATES.indexOf(last) >= SETUP_STATES.indexOf(state);
  }

  async set(state: SetupState, info = 'None'): Promise<void> {
    const from = this.last ?? 'UNINITIALIZED';
    const step = SETUP_STATES.indexOf(state) - SETUP_STATES.indexOf(from);
    if (this.exists && step !== 1)
      throw new ExpansionError(`Invalid status transition from ${from} to ${state}`);
    this.lines.push({ state, info });
    await this.write();
    await this.hooks.afterStep?.(state);
  }

  /** Forgets the steps after `state` (a retry redoes them). */
  async rewindTo(state: SetupState): Promise<void> {
    const at = this.lines.findIndex((l) => l.state === state);
    if (at < 0 || at === this.lines.length - 1) return;
    this.lines = this.lines.slice(0, at + 1);
    await this.write();
  }

  private async write(): Promise<void> {
    const text = this.lines.map((l) => `${l.state}:${l.info}\n`).join('');
    writeTextFile(this.disk, STATUS_FILE, text);
    await this.disk.sync();
    await this.hooks.copy?.(text);
  }

  async remove(): Promise<void> {
    this.lines = [];
    this.disk.unlink(STATUS_FILE);
    await this.disk.sync();
    await this.hooks.copy?.(null);
  }
}

export interface StatusFileHooks {
  /** Runs after each step is written: a fault point per step (`gpexpand_<state>`), as tests need. */
  afterStep?: (state: SetupState) => Promise<void>;
  /** Copies the file (null: its removal) to the standby coordinator, if there is one. */
  copy?: (text: string | null) => Promise<void>;
}

/**
 * Is a gpexpand setup unfinished (Greenplum's "phase 1")? Its status file is in the acting
 * coordinator's data directory until setup succeeds or is rolled back.
 */
export async function setupPending(
  host: UtilityHost,
  coordinator: ClusterNode | undefined,
): Promise<boolean> {
  return coordinator !== undefined && (await host.dataFile(coordinator, STATUS_FILE)) !== undefined;
}

/**
 * Greenplum's refusal by utilities that must not run while a setup is unfinished (gpconfig
 * among them): undefined when they may run.
 */
export async function refusedDuringSetup(
  host: UtilityHost,
  coordinator: ClusterNode | undefined,
  utility: string,
): Promise<string | undefined> {
  if (!(await setupPending(host, coordinator))) return undefined;
  return `ERROR: Usage of ${utility} is not supported while the cluster is in a reconfiguration state, exit ${utility}`;
}

/** The schema's state: the newest row of gpexpand.status. */
export type SchemaStatus =
  'SETUP' | 'SETUP DONE' | 'EXPANSION STARTED' | 'EXPANSION STOPPED' | 'EXPANSION COMPLETE';

export interface DetailRow {
  fq_name: string;
  table_oid: number;
  rank: number;
  status: 'NOT STARTED' | 'IN PROGRESS' | 'COMPLETED' | 'NO LONGER EXISTS';
}

const SCHEMA_DDL = [
  'CREATE TABLE gpexpand.status (status text, updated timestamp) DISTRIBUTED RANDOMLY',
  `CREATE TABLE gpexpand.status_detail (dbname text, fq_name text, table_oid int8, root_partition_oid int8,
     rank int4, external_writable bool, status text, expansion_started timestamp,
     expansion_finished timestamp, source_bytes numeric) DISTRIBUTED BY (table_oid)`,
  // The rate over the tables done since redistribution last started: a view of its own, since
  // one view holding it all would not fit in a catalog row.
  `CREATE VIEW gpexpand.progress_rate AS
   SELECT r.rate, (SELECT coalesce(sum(source_bytes), 0) FROM gpexpand.status_detail
                    WHERE status <> 'COMPLETED') / r.rate AS sec
     FROM (SELECT sum(source_bytes) / greatest(extract(epoch FROM max(expansion_finished))
                    - extract(epoch FROM min(expansion_started)), 0.001) AS rate
             FROM gpexpand.status_detail
            WHERE status = 'COMPLETED'
              AND expansion_started >= (SELECT max(updated) FROM gpexpand.status
                                         WHERE status = 'EXPANSION STARTED')) r
    WHERE r.rate > 0`,
  // name/value rows as Greenplum's view has them: counts and bytes per state, the rate, and the
  // time left at that rate.
  `CREATE VIEW gpexpand.expansion_progress AS
   SELECT CASE status WHEN 'NOT STARTED' THEN 'Tables Left' WHEN 'IN PROGRESS' THEN 'Tables In Progress'
                      WHEN 'COMPLETED' THEN 'Tables Expanded' END AS name,
          count(*)::text AS value
     FROM gpexpand.status_detail GROUP BY status
   UNION ALL
   SELECT CASE status WHEN 'NOT STARTED' THEN 'Bytes Left' WHEN 'IN PROGRESS' THEN 'Bytes In Progress'
                      WHEN 'COMPLETED' THEN 'Bytes Done' END,
          sum(source_bytes)::text
     FROM gpexpand.status_detail GROUP BY status
   UNION ALL
   SELECT 'Estimated Expansion Rate', round(rate / 1048576, 2)::text || ' MB/s'
     FROM gpexpand.progress_rate
   UNION ALL
   SELECT 'Estimated Time to Completion',
          lpad(floor(sec / 3600)::text, 2, '0') || ':' || lpad((floor(sec / 60)::int8 % 60)::text, 2, '0')
            || ':' || lpad((floor(sec)::int8 % 60)::text, 2, '0')
     FROM gpexpand.progress_rate`,
];

/**
 * A session of gpexpand's own on the coordinator, for the schema's tables. A session runs one
 * statement at a time: the -n workers' updates take turns.
 */
export class ExpansionSchema {
  private readonly session: Session;
  private readonly qd: Coordinator;
  private turn: Promise<unknown> = Promise.resolve();
  /** The newest status row's time (ms): each new one is later, so the newest is the current. */
  private lastStatusAt: number | undefined;

  /** `utility`: a utility-mode session, for a look at the coordinator's catalog alone (gpstate). */
  constructor(qd: Coordinator, options: { utility?: boolean } = {}) {
    this.qd = qd;
    this.session = new Session(qd, options);
  }

  query(sql: string): Promise<QueryResult> {
    const run = this.turn.then(() => this.session.query(sql));
    this.turn = run.catch(() => undefined);
    return run;
  }

  async exists(): Promise<boolean> {
    const r = await this.query(
      "SELECT count(*) FROM pg_tables WHERE schemaname = 'gpexpand' AND tablename = 'status'",
    );
    return Number(r.rows[0]?.[0]) > 0;
  }

  /** The newest state, or undefined when there is no schema (or no row in it). */
  async status(): Promise<SchemaStatus | undefined> {
    if (!(await this.exists())) return undefined;
    const r = await this.query('SELECT status FROM gpexpand.status ORDER BY updated DESC LIMIT 1');
    return r.rows[0]?.[0] as SchemaStatus | undefined;
  }

  async create(): Promise<void> {
    for (const sql of SCHEMA_DDL) await this.query(sql);
  }

  async setStatus(status: SchemaStatus): Promise<void> {
    if (this.lastStatusAt === undefined) {
      const r = await this.query('SELECT extract(epoch FROM max(updated)) FROM gpexpand.status');
      this.lastStatusAt = Number(r.rows[0]?.[0] ?? 0) * 1000;
    }
    const at = Math.max(this.qd.clock.now(), this.lastStatusAt + 1);
    this.lastStatusAt = at;
    const literal = new Date(at).toISOString().replace('T', ' ').replace('Z', '');
    await this.query(`INSERT INTO gpexpand.status VALUES ('${status}', '${literal}')`);
  }

  /**
   * A row NOT STARTED for every table still on fewer segments than the cluster has and not
   * listed yet: at setup, and again when redistribution starts (a table a transaction open
   * during setup created on the old segments, committed after the list was made).
   */
  async addPartialTables(simple: boolean): Promise<void> {
    const tx = this.qd.inst.xact.begin();
    const tables = await this.qd.catalog.listTables(tx).finally(() => this.qd.inst.xact.abort(tx));
    const listed = new Set((await this.details()).map((d) => d.table_oid));
    const all = this.qd.numSegments;
    for (const t of tables) {
      if (t.name.startsWith('gpexpand.') || t.numsegments >= all || listed.has(t.oid)) continue;
      // -S (simple progress) leaves the sizes out, as Greenplum does.
      let bytes = 0;
      if (!simple)
        for (const c of this.qd.tableContents(t))
          bytes += await this.qd.callContent(c, 'relationSize', [t.relfilenode]);
      await this.query(
        `INSERT INTO gpexpand.status_detail VALUES ('postgres', 'public.${t.name}', ${t.oid}, NULL, 2, false, 'NOT STARTED', NULL, NULL, ${bytes})`,
      );
    }
  }

  async details(where = ''): Promise<DetailRow[]> {
    const r = await this.query(
      `SELECT fq_name, table_oid, rank, status FROM gpexpand.status_detail ${where} ORDER BY rank, table_oid`,
    );
    return r.rows.map(([fq_name, table_oid, rank, status]) => ({
      fq_name: fq_name as string,
      table_oid: Number(table_oid),
      rank: Number(rank),
      status: status as DetailRow['status'],
    }));
  }

  async drop(): Promise<void> {
    await this.query('DROP VIEW IF EXISTS gpexpand.expansion_progress');
    await this.query('DROP VIEW IF EXISTS gpexpand.progress_rate');
    await this.query('DROP TABLE IF EXISTS gpexpand.status_detail, gpexpand.status');
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}
