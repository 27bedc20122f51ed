/**
 * ALTER TABLE ... EXPAND TABLE (Greenplum 7): a table that lived on the first `numsegments`
 * contents before gpexpand added segments is rewritten over all of them. Its rows stream from
 * its old segments into a new file on every segment, each to the segment its hash over the new
 * count says (a replicated table is copied whole to each), its indexes are rebuilt there, and
 * its old files go when the transaction commits: an abort leaves the table as it was.
 */
import { sqlError } from '../errors.ts';
import type { ExpandTableStmt } from '../sql/ast.ts';
import { broadcast, redistribute, SliceCounter } from '../plan/locus.ts';
import { tableLocus } from '../plan/direct-dispatch.ts';
import type { DmlNode, PlanNode, TableInfo } from '../plan/plan.ts';
import { runPlan } from './dispatcher.ts';
import { onTableSegments, rebuildIndexes } from './indexes.ts';
import { commandResult, type QueryResult } from './results.ts';
import { noteParticipants } from './statements.ts';
import type { Session } from './session.ts';

export async function runExpandTable(s: Session, stmt: ExpandTableStmt): Promise<QueryResult> {
  const d = await s.ensureDtx();
  const name = stmt.name.name;
  const t = s.temp.get(name) ?? (await s.qd.catalog.getTable(d.local, name));
  if (!t) {
    if ((await s.qd.catalog.listViews(d.local)).some((v) => v.name === name))
      throw sqlError('wrong_object_type', `"${name}" is not a table, materialized view, or foreign table`);
    if (stmt.ifExists)
      return commandResult('ALTER TABLE', 0, [`NOTICE:  relation "${name}" does not exist, skipping`]);
    throw sqlError('undefined_table', `relation "${name}" does not exist`, { position: stmt.name.pos });
  }
  // Another session may have expanded it (or given it a new file) while this one waited.
  if (await s.qd.locks.acquire(s.id, t.oid, 'AccessExclusiveLock')) {
    const fresh = s.qd.inst.xact.begin();
    const now = await s.qd.catalog.getTable(fresh, name).finally(() => s.qd.inst.xact.abort(fresh));
    if (!now)
      throw sqlError('undefined_table', `relation "${name}" does not exist`, { position: stmt.name.pos });
    return expandLocked(s, now);
  }
  return expandLocked(s, t);
}

async function expandLocked(s: Session, t: TableInfo): Promise<QueryResult> {
  const name = t.name;
  const d = await s.ensureDtx();
  const all = s.qd.numSegments;
  // Already over every segment: nothing moves (Greenplum returns at once too).
  if (t.numsegments >= all) return commandResult('ALTER TABLE');
  if (s.temp.get(name) === t)
    throw sqlError('feature_not_supported', 'ALTER TABLE EXPAND TABLE of a temporary table is not supported');

  const fresh = s.qd.catalog.allocateOid();
  const expanded = await s.qd.catalog.setRelfilenode(d.local, t, fresh, all);
  await onTableSegments(s, expanded, (c, dtx) => s.qd.callContent(c, 'createStorage', [dtx, fresh]));

  // INSERT INTO <new file> SELECT * FROM <old file>, segment to segment.
  const slices = new SliceCounter();
  const scan: PlanNode = {
    op: 'scan',
    table: t,
    withCtid: false,
    withSegmentId: false,
    types: t.columns.map((c) => c.type),
    locus: tableLocus(t, all),
  };
  const input =
    t.policy.kind === 'replicated'
      ? broadcast(scan, slices)
      : redistribute(scan, t.policy.kind === 'hash' ? t.policy.keys : [], slices);
  // Index entries come with the rebuild below, into new index files on every segment.
  const target = { ...expanded, indexes: [] };
  const root: DmlNode = { op: 'insert', table: target, input, types: [], locus: { kind: 'strewn' } };
  const r = await runPlan(s.qd.dispatchEnv(s), root, await s.dtxContext(true), s.statementTime);
  noteParticipants(s, r.touched, r.writers);
  if (expanded.indexes?.length) await rebuildIndexes(s, expanded, undefined, t);
  await onTableSegments(s, t, (c, dtx) => s.qd.callContent(c, 'dropStorage', [dtx, t.relfilenode]));
  return commandResult('ALTER TABLE');
}
