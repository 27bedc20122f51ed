/**
 * Coordinator-only relations a session can query: the segment configuration and its history
 * (real catalog tables), and views computed from the running coordinator.
 */
import { EXPANSION_SCHEMA } from '../sql/parse-query.ts';
import { HISTORY_COLUMNS, SEGCONF_COLUMNS, segmentToRow } from '../catalog/catalog.ts';
import type { SystemRelation } from '../plan/planner.ts';
import { T } from '../sql/types.ts';
import type { ReplicationRow, Row } from './protocol.ts';
import { formatLsn } from '../storage/lsn.ts';
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
  ['gp_stat_replication', { columns: replicationColumns(true) }],
  ['pg_stat_replication', { columns: replicationColumns(false) }],
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
  [
    'pg_indexes',
    {
      columns: [
        { name: 'schemaname', type: T.text },
        { name: 'tablename', type: T.text },
        { name: 'indexname', type: T.text },
        { name: 'tablespace', type: T.text },
        { name: 'indexdef', type: T.text },
      ],
    },
  ],
  [
    'pg_views',
    {
      columns: [
        { name: 'schemaname', type: T.text },
        { name: 'viewname', type: T.text },
        { name: 'viewowner', type: T.text },
        // The query as it was written (Postgres prints its own reconstruction of it).
        { name: 'definition', type: T.text },
      ],
    },
  ],
]);

/** Greenplum 5's gp_segment_configuration has the file replication port after the address. */
const GP5_SEGCONF_COLUMNS = [
  ...SEGCONF_COLUMNS.slice(0, 9),
  { name: 'replication_port', type: T.int4 },
  ...SEGCONF_COLUMNS.slice(9),
];

/** In file replication mode (a replication port per segment, as gpinitsystem set it up). */
export const fileRepSystemRelations = new Map(systemRelations).set('gp_segment_configuration', {
  columns: GP5_SEGCONF_COLUMNS,
});

/** REPLICATION_PORT_BASE is PORT_BASE + 2000 in gpinitsystem's sample configuration. */
const replicationPort = (port: number, content: number) => (content < 0 ? null : port + 2000);

export function replicationColumns(withSegment: boolean) {
  const cols = [
    { name: 'pid', type: T.int4 },
    { name: 'usesysid', type: T.int4 },
    { name: 'usename', type: T.text },
    { name: 'application_name', type: T.text },
    { name: 'client_addr', type: T.text },
    { name: 'client_hostname', type: T.text },
    { name: 'client_port', type: T.int4 },
    { name: 'backend_start', type: T.timestamptz },
    { name: 'backend_xmin', type: T.text },
    { name: 'state', type: T.text },
    { name: 'sent_lsn', type: T.text },
    { name: 'write_lsn', type: T.text },
    { name: 'flush_lsn', type: T.text },
    { name: 'replay_lsn', type: T.text },
    { name: 'write_lag', type: T.text },
    { name: 'flush_lag', type: T.text },
    { name: 'replay_lag', type: T.text },
    { name: 'sync_priority', type: T.int4 },
    { name: 'sync_state', type: T.text },
    { name: 'reply_time', type: T.timestamptz },
  ];
  return withSegment
    ? [{ name: 'gp_segment_id', type: T.int2 }, ...cols, { name: 'sync_error', type: T.text }]
    : cols;
}

const PG_EPOCH_MS = 946_684_800_000;
/** A runtime time in ms as a timestamptz value (µs since 2000-01-01). */
export const micros = (ms: number | undefined) => (ms === undefined ? null : (ms - PG_EPOCH_MS) * 1000);

export async function systemRows(qd: Coordinator, name: string): Promise<Row[]> {
  const tx = qd.inst.xact.begin();
  switch (name) {
    case 'gp_segment_configuration':
      return (await qd.catalog.segments(tx)).map((c) => {
        const row = segmentToRow(c);
        if (qd.fileRep) row.splice(9, 0, replicationPort(c.port, c.content));
        return row;
      });
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
    case 'gp_stat_replication':
    case 'pg_stat_replication': {
      // The coordinator's own walsender (to a standby) is gp_segment_id -1 in
      // gp_stat_replication, and pg_stat_replication's one row on the coordinator.
      const out: Row[] = [];
      const standby = qd.config.find((c) => c.content === -1 && c.role === 'm');
      const own = qd.replication?.walsender;
      if (own && own.state !== 'stopped')
        out.push([
          -1,
          30001,
          10,
          'gpadmin',
          'gp_walreceiver',
          standby?.address ?? null,
          null,
          40000,
          micros(own.backendStart ?? undefined),
          null,
          own.state,
          formatLsn(own.sent),
          formatLsn(own.write),
          formatLsn(own.flush),
          formatLsn(own.replay),
          null,
          null,
          null,
          1,
          'sync',
          micros(qd.clock.now()),
          own.syncError,
        ]);
      if (name === 'pg_stat_replication') return out.map((r) => r.slice(1, -1));
      await Promise.all(
        qd.config
          .filter((c) => c.content >= 0 && c.role === 'p')
          .map(async (c) => {
            try {
              const rows = await qd.callContent(c.content, 'replicationStatus', []);
              for (const r of rows) {
                if (!r.connected && r.sync_error === 'none') continue;
                const mirror = qd.config.find((m) => m.content === c.content && m.role === 'm');
                out.push([
                  c.content,
                  r.pid,
                  10,
                  'gpadmin',
                  r.application_name,
                  mirror?.address ?? null,
                  null,
                  r.connected ? 40000 + (mirror?.dbid ?? 0) : null,
                  micros(r.backend_start ?? undefined),
                  null,
                  r.state ?? 'startup',
                  r.sent_lsn,
                  r.write_lsn,
                  r.flush_lsn,
                  r.replay_lsn,
                  null,
                  null,
                  null,
                  1,
                  r.sync_state,
                  micros(qd.clock.now()),
                  r.sync_error,
                ]);
              }
            } catch {
              // An unreachable primary shows no walsender.
            }
          }),
      );
      return out.sort((a, b) => (a[0] as number) - (b[0] as number));
    }
    case 'pg_tables':
      return (await qd.catalog.listTables(tx)).map((t) => [...schemaAndName(t.name), 'gpadmin']);
    case 'pg_views':
      return (await qd.catalog.listViews(tx)).map((v) => [...schemaAndName(v.name), 'gpadmin', v.definition]);
    case 'pg_indexes':
      return (await qd.catalog.listTables(tx)).flatMap((t) =>
        (t.indexes ?? []).map((ix) => [
          'public',
          t.name,
          ix.name,
          null,
          `CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX ${ix.name} ON public.${t.name} USING btree (${ix.columns
            .map((c) => t.columns[c]!.name)
            .join(', ')})`,
        ]),
      );
  }
  return [];
}

/** A relation's schema and name: gpexpand's are held as `gpexpand.<name>` (parse-query.ts). */
function schemaAndName(stored: string): [string, string] {
  const prefix = `${EXPANSION_SCHEMA}.`;
  return stored.startsWith(prefix) ? [EXPANSION_SCHEMA, stored.slice(prefix.length)] : ['public', stored];
}

/** pg_stat_replication rows of one instance's walsenders. */
export function replicationRowsOf(rows: ReplicationRow[], now: number): Row[] {
  return rows
    .filter((r) => r.connected)
    .map((r) => [
      r.pid,
      10,
      'gpadmin',
      r.application_name,
      null,
      null,
      null,
      micros(r.backend_start ?? undefined),
      null,
      r.state ?? 'startup',
      r.sent_lsn,
      r.write_lsn,
      r.flush_lsn,
      r.replay_lsn,
      null,
      null,
      null,
      1,
      r.sync_state,
      micros(now),
    ]);
}
