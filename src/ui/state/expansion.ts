/**
 * A gpexpand run as the lab reads it, from the tables Greenplum's gpexpand keeps on the
 * coordinator: the newest row of gpexpand.status and, per table, gpexpand.status_detail with
 * the segments it is on now (gp_distribution_policy.numsegments). Nothing when there is no
 * gpexpand schema (no expansion, or it was cleaned up with gpexpand -c).
 */
import type { Cluster } from '../../workers/index.ts';

export type TableStatus = 'NOT STARTED' | 'IN PROGRESS' | 'COMPLETED' | 'NO LONGER EXISTS';

export interface TableExpansion {
  /** schema.table, as status_detail's fq_name. */
  name: string;
  status: TableStatus;
  /** Its size when setup listed it (source_bytes). */
  bytes: number;
  /** The segments its rows are on now (undefined once it no longer exists). */
  segments: number | undefined;
}

export interface ExpansionView {
  /** The newest gpexpand.status row: SETUP DONE, EXPANSION STARTED, EXPANSION STOPPED, EXPANSION COMPLETE. */
  state: string;
  tables: TableExpansion[];
}

export async function readExpansion(c: Cluster): Promise<ExpansionView | undefined> {
  const has = await c.query(
    "select count(*) from pg_tables where schemaname = 'gpexpand' and tablename = 'status_detail'",
  );
  if (Number(has.rows[0]?.[0]) === 0) return undefined;
  const state = await c.query('select status from gpexpand.status order by updated desc limit 1');
  const detail = await c.query(
    `select d.fq_name, d.status, d.source_bytes, p.numsegments
       from gpexpand.status_detail d left join gp_distribution_policy p on p.localoid = d.table_oid
      order by d.rank, d.fq_name`,
  );
  return {
    state: String(state.rows[0]?.[0] ?? ''),
    tables: detail.rows.map(([name, status, bytes, segments]) => ({
      name: String(name),
      status: String(status) as TableStatus,
      bytes: Number(bytes ?? 0),
      segments: segments === null || segments === undefined ? undefined : Number(segments),
    })),
  };
}

export interface ExpansionProgress {
  done: number;
  running: number;
  waiting: number;
  bytesDone: number;
  bytesTotal: number;
}

export function expansionProgress(v: ExpansionView): ExpansionProgress {
  const live = v.tables.filter((t) => t.status !== 'NO LONGER EXISTS');
  return {
    done: live.filter((t) => t.status === 'COMPLETED').length,
    running: live.filter((t) => t.status === 'IN PROGRESS').length,
    waiting: live.filter((t) => t.status === 'NOT STARTED').length,
    bytesDone: live.filter((t) => t.status === 'COMPLETED').reduce((a, t) => a + t.bytes, 0),
    bytesTotal: live.reduce((a, t) => a + t.bytes, 0),
  };
}

/**
 * How many tables still to redistribute have no rows on `content` (a segment gpexpand added
 * after they were placed: a table on N segments is on contents 0 to N-1).
 */
export function tablesNotOn(v: ExpansionView, content: number): number {
  return v.tables.filter(
    (t) =>
      (t.status === 'NOT STARTED' || t.status === 'IN PROGRESS') &&
      t.segments !== undefined &&
      content >= t.segments,
  ).length;
}

/** gpstate -x's words for the state, with what to run next. */
export function expansionStateWords(state: string): string {
  switch (state) {
    case 'SETUP DONE':
      return 'setup done: run gpexpand to redistribute the tables';
    case 'EXPANSION STARTED':
      return 'redistributing';
    case 'EXPANSION STOPPED':
      return 'paused at its end time: run gpexpand again to go on';
    case 'EXPANSION COMPLETE':
      return 'complete: gpexpand -c removes the gpexpand schema';
    default:
      return state.toLowerCase();
  }
}
