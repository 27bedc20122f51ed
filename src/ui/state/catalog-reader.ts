/**
 * The catalog as the lab reads it: gp_segment_configuration (sorted by content, then dbid),
 * gp_configuration_history (newest first) and gp_stat_replication, each one query.
 */
import type { Cluster } from '../../workers/index.ts';
import type { HistoryRow, SegmentRow } from './types.ts';

function asNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

/** Rows as objects keyed by column name. */
export function rowsToObjects(r: {
  fields: { name: string }[];
  rows: unknown[][];
}): Record<string, unknown>[] {
  return r.rows.map((row) => Object.fromEntries(r.fields.map((f, i) => [f.name, row[i]])));
}

export async function readSegmentConfiguration(c: Cluster): Promise<SegmentRow[]> {
  const conf = rowsToObjects(await c.query('select * from gp_segment_configuration'));
  return conf
    .map((r) => ({
      dbid: asNumber(r['dbid']),
      content: asNumber(r['content']),
      role: String(r['role']),
      preferredRole: String(r['preferred_role']),
      mode: String(r['mode']),
      status: String(r['status']),
      port: asNumber(r['port']),
      hostname: String(r['hostname']),
      address: String(r['address']),
      datadir: String(r['datadir']),
    }))
    .sort((a, b) => a.content - b.content || a.dbid - b.dbid);
}

export async function readConfigurationHistory(c: Cluster): Promise<HistoryRow[]> {
  const hist = rowsToObjects(await c.query('select * from gp_configuration_history'));
  return hist
    .map((r) => ({ time: String(r['time']), dbid: asNumber(r['dbid']), desc: String(r['desc']) }))
    .reverse();
}

/** gp_stat_replication: each pair's walsender, its LSNs and sync state. */
export async function readReplication(c: Cluster): Promise<Record<string, unknown>[]> {
  return rowsToObjects(
    await c.query(
      'select gp_segment_id, state, sent_lsn, flush_lsn, replay_lsn, sync_state, sync_error from gp_stat_replication',
    ),
  );
}
