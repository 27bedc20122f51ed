/**
 * A utility-mode session (`PGOPTIONS='-c gp_role=utility'`): a connection to one instance that
 * runs statements there alone, without dispatch — how an administrator inspects a segment
 * (pg_stat_replication, pg_current_wal_lsn(), SHOW, CHECKPOINT). A mirror, being in recovery,
 * refuses such connections, as Greenplum's mirrors do.
 */
import { SqlError, sqlError } from '../errors.ts';
import { collect, exec } from '../exec/executor.ts';
import { Interrupts } from '../exec/interrupts.ts';
import type { Instance } from '../instance/instance.ts';
import { Planner, type SystemRelation } from '../plan/planner.ts';
import { parse } from '../sql/parser.ts';
import type { Statement } from '../sql/ast.ts';
import { T } from '../sql/types.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Row } from './protocol.ts';
import { commandResult, rowsResult, type QueryResult } from './results.ts';
import { SessionSettings } from './session-settings.ts';
import { makeEvalContext, statementTimeFrom } from './eval-context.ts';
import { micros, replicationColumns, replicationRowsOf, systemRelations } from './system-views.ts';
import type { SegmentAdmin } from './segment-admin.ts';

/** What a utility-mode session reads of its primary's executor: its walsender. */
type SegmentReplicationView = Pick<SegmentAdmin, 'replication' | 'replicationStatus'>;

/**
 * The lab keeps table definitions on the coordinator alone: a segment has its tables' files but
 * no catalog naming them. Greenplum's segment would read the table here; the lab refuses, saying
 * so, rather than claim the table does not exist.
 */
function planUtilityQuery(
  planner: Planner,
  stmt: Parameters<Planner['planTop']>[0],
): ReturnType<Planner['planTop']> {
  try {
    return planner.planTop(stmt);
  } catch (e) {
    const m =
      e instanceof SqlError && e.code === '42P01'
        ? /^relation "([^"]+)" does not exist$/.exec(e.message)
        : null;
    if (!m) throw e;
    throw sqlError(
      'feature_not_supported',
      `relation "${m[1]}" cannot be read in a utility-mode session on a segment here: a segment knows no table or catalog by name, the lab keeps their definitions on the coordinator only`,
      {
        hint: 'Utility mode on a segment reads pg_stat_replication, pg_stat_activity, SHOW and pg_current_wal_lsn(). For the rows each segment holds of a table, run on the coordinator: select gp_segment_id, count(*) from <table> group by 1.',
      },
    );
  }
}

export class UtilitySession {
  private readonly inst: Instance;
  private readonly qe: SegmentReplicationView | undefined;
  private readonly clock: Clock;
  private readonly content: number;
  readonly settings: SessionSettings;
  private closed = false;

  constructor(
    inst: Instance,
    qe: SegmentReplicationView | undefined,
    content: number,
    dbid: number,
    clock: Clock,
    config: Record<string, string | number | boolean>,
  ) {
    if (inst.standby) throw sqlError('cannot_connect_now', 'the database system is in recovery mode');
    inst.mustBeRunning();
    this.inst = inst;
    this.qe = qe;
    this.content = content;
    this.clock = clock;
    this.settings = new SessionSettings(
      { ...config, gp_contentid: content, gp_dbid: dbid },
      {
        data_checksums: inst.control.dataChecksums === true,
        // A primary turns sync rep on ('*', in gp_replication.conf) once its mirror streams.
        synchronous_standby_names: qe?.replication?.syncRepOn ? '*' : '',
      },
      { gp_role: 'utility' },
    );
  }

  async query(sql: string): Promise<QueryResult> {
    if (this.closed) throw sqlError('connection_does_not_exist', 'connection to the server was closed');
    this.inst.mustBeRunning();
    let last = commandResult('EMPTY');
    for (const s of parse(sql)) last = await this.run(s);
    return last;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /**
   * pg_stat_activity here: this session, and the segment's backends waiting for their mirror
   * (wait_event SyncRep), the wait a blocked commit shows on a primary whose mirror is gone.
   */
  private backendRows(): Row[] {
    const now = micros(this.clock.now());
    const rows: Row[] = [
      ['postgres', 40000 + this.content, null, 'gpadmin', '', now, null, now, null, null, 'active', ''],
    ];
    for (const w of this.inst.xact.syncRepWaits)
      rows.push([
        'postgres',
        30000 + (w.xid % 10000),
        null,
        'gpadmin',
        '',
        micros(w.since),
        micros(w.since),
        micros(w.since),
        'IPC',
        'SyncRep',
        'active',
        w.query,
      ]);
    return rows;
  }

  private async run(stmt: Statement): Promise<QueryResult> {
    switch (stmt.kind) {
      case 'select':
      case 'values':
      case 'setop': {
        const system = new Map<string, SystemRelation>([
          ['pg_stat_replication', { columns: replicationColumns(false) }],
          ['pg_stat_activity', systemRelations.get('pg_stat_activity')!],
        ]);
        const planner = new Planner({ tables: new Map(), system, numSegments: 0, initplans: new Map() });
        const plan = planUtilityQuery(planner, stmt);
        const statementTime = statementTimeFrom(this.clock);
        const evalContext = makeEvalContext(statementTime, this.clock, { inst: this.inst });
        evalContext.backendPid = 40000 + this.content;
        const rows = await collect(
          exec(plan.node, {
            eval: evalContext,
            interrupts: new Interrupts(this.clock, this.settings.gucs.get<number>('statement_mem')),
            content: this.content,
            instance: this.inst,
            received: () => [],
            systemRows: async (name): Promise<Row[]> => {
              if (name === 'pg_stat_activity') return this.backendRows();
              if (name !== 'pg_stat_replication') return [];
              return replicationRowsOf(
                await (this.qe?.replicationStatus() ?? Promise.resolve([])),
                this.clock.now(),
              );
            },
          }),
        );
        return rowsResult(plan.columns, rows);
      }
      case 'show': {
        const r = rowsResult([{ name: stmt.name, type: T.text }], [[this.settings.show(stmt.name)]]);
        r.command = 'SHOW';
        return r;
      }
      case 'set':
        this.settings.set(
          stmt.name,
          stmt.toDefault ? null : stmt.values.map((v) => v.text).join(', '),
          stmt.local,
        );
        return commandResult('SET');
      case 'checkpoint':
        await this.inst.checkpoint();
        return commandResult('CHECKPOINT');
      default:
        throw sqlError(
          'feature_not_supported',
          `${stmt.kind} is not supported in a utility-mode session here`,
          {
            hint: 'Utility mode inspects one instance: SELECT from pg_stat_replication, SHOW, CHECKPOINT.',
          },
        );
    }
  }
}
