/**
 * Coordinator-only relations a session can query: the segment configuration and its history
 * (real catalog tables), and views computed from the running coordinator.
 */
import { HISTORY_COLUMNS, SEGCONF_COLUMNS, segmentToRow } from '../catalog/catalog.ts';
import type { SystemRelation } from '../plan/planner.ts';
import { T } from '../sql/types.ts';
import type { Row } from './protocol.ts';
import type { Coordinator } from './coordinator.ts';

export const systemRelations = new Map<string, SystemRelation>([
  ['gp_segment_configuration', { columns: SEGCONF_COLUMNS }],
  ['gp_configuration_history', { columns: HISTORY_COLUMNS }],
  [
    'pg_stat_activity',
    {
      columns: [
        { name: 'datname', type: T.text },
        { name: 'pid', type: T.int4 },
        { name: 'sess_id', type: T.int4 },
        { name: 'usename', type: T.text },
        { name: 'application_name', type: T.text },
        { name: 'backend_start', type: T.timestamptz },
        { name: 'xact_start', type: T.timestamptz },
        { name: 'query_start', type: T.timestamptz },
        { name: 'wait_event_type', type: T.text },
        { name: 'wait_event', type: T.text },
        { name: 'state', type: T.text },
        { name: 'query', type: T.text },
      ],
    },
  ],
  [
    'gp_distribution_policy',
    {
      columns: [
        { name: 'localoid', type: T.int4 },
        { name: 'policytype', type: T.bpchar },
        { name: 'numsegments', type: T.int2 },
        { name: 'distkey', type: T.text },
      ],
    },
  ],
  [
    'pg_tables',
    {
      columns: [
        { name: 'schemaname', type: T.text },
        { name: 'tablename', type: T.text },
        { name: 'tableowner', type: T.text },
      ],
    },
  ],
]);

const PG_EPOCH_MS = 946_684_800_000;
const micros = (ms: number | undefined) => (ms === undefined ? null : (ms - PG_EPOCH_MS) * 1000);

export async function systemRows(qd: Coordinator, name: string): Promise<Row[]> {
  const tx = qd.inst.xact.begin();
  switch (name) {
    case 'gp_segment_configuration':
      return (await qd.catalog.segments(tx)).map(segmentToRow);
    case 'gp_configuration_history':
      return qd.catalog.history(tx);
    case 'pg_stat_activity':
      return [...qd.sessions.values()].map((s) => [
        'postgres',
        s.pid,
        s.id,
        'gpadmin',
        s.applicationName,
        micros(s.backendStart),
        micros(s.xactStart),
        micros(s.queryStart),
        s.waitEventType ?? null,
        s.waitEvent ?? null,
        s.stateName(),
        s.currentQuery,
      ]);
    case 'gp_distribution_policy':
      return (await qd.catalog.listTables(tx)).map((t) => [
        t.oid,
        t.policy.kind === 'replicated' ? 'r' : 'p',
        t.numsegments,
        t.policy.kind === 'hash' ? t.policy.keys.map((k) => k + 1).join(' ') : '',
      ]);
    case 'pg_tables':
      return (await qd.catalog.listTables(tx)).map((t) => ['public', t.name, 'gpadmin']);
  }
  return [];
}
