/**
 * Views: CREATE [OR REPLACE] VIEW and DROP VIEW, kept in the coordinator's catalog (WAL-logged,
 * so the standby has them), and expanded where a statement names one, as Postgres' rewriter
 * does: the view becomes a subquery under its name. Postgres' rules hold: a view and a table
 * share one namespace; OR REPLACE may add columns but not drop, rename or retype one; DROP TABLE
 * of a table a view reads is refused without CASCADE, which drops the view too. Writing through a
 * view is refused as Greenplum refuses it.
 */
import { EXPANSION_SCHEMA } from '../sql/parse-query.ts';
import { PG_REWRITE, type ViewInfo } from '../catalog/catalog.ts';
import { relationNameTaken } from './indexes.ts';
import { sqlError } from '../errors.ts';
import type { CreateViewStmt, DropViewStmt, FromItem, Query, Statement } from '../sql/ast.ts';
import { typeDisplayName } from '../sql/types.ts';
import { Planner } from '../plan/planner.ts';
import { planInitPlans } from './initplans.ts';
import { commandResult, type QueryResult } from './results.ts';
import type { Session } from './session.ts';
import { collectTableNames, plannerEnv } from './statements.ts';

/** How deep views may name views (Postgres stops an endless loop of rules the same way). */
const MAX_DEPTH = 32;

export async function runCreateView(s: Session, stmt: CreateViewStmt): Promise<QueryResult> {
  const d = await s.ensureDtx();
  const name = stmt.name.name;
  // One CREATE VIEW at a time: the first one may be creating pg_rewrite itself.
  await s.qd.locks.acquire(s.id, PG_REWRITE, 'ExclusiveLock');
  const views = await s.qd.catalog.listViews(d.local);
  const old = views.find((v) => v.name === name);
  if ((old && !stmt.orReplace) || (!old && (await relationNameTaken(s, name))))
    throw sqlError('duplicate_table', `relation "${name}" already exists`);
  const query = await expandQuery(s, stmt.query, views);
  const env = await plannerEnv(s, query);
  planInitPlans(query, env);
  const planned = new Planner(env).planTop(query);
  if (stmt.columns && stmt.columns.length > planned.columns.length)
    throw sqlError('syntax_error', 'CREATE VIEW specifies more column names than columns');
  const columns = planned.columns.map((c, i) => ({ name: stmt.columns?.[i] ?? c.name, type: c.type }));
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) throw sqlError('duplicate_column', `column "${c.name}" specified more than once`);
    seen.add(c.name);
  }
  if (old) checkReplacement(old, columns);
  const names = new Set<string>();
  collectTableNames(stmt.query, names);
  const info = {
    name,
    definition: stmt.text,
    query: JSON.stringify(stmt.query),
    columns,
    dependsOn: [...names],
  };
  if (old) await s.qd.catalog.dropView(d.local, old);
  await s.qd.catalog.createView(d.local, info, old?.oid);
  return commandResult('CREATE VIEW');
}

/** OR REPLACE keeps the columns a view had, in order, with their names and types. */
function checkReplacement(old: ViewInfo, columns: ViewInfo['columns']): void {
  if (columns.length < old.columns.length)
    throw sqlError('invalid_table_definition', 'cannot drop columns from view');
  old.columns.forEach((o, i) => {
    const n = columns[i]!;
    if (n.name !== o.name)
      throw sqlError(
        'invalid_table_definition',
        `cannot change name of view column "${o.name}" to "${n.name}"`,
      );
    if (typeDisplayName(n.type) !== typeDisplayName(o.type))
      throw sqlError(
        'invalid_table_definition',
        `cannot change data type of view column "${o.name}" from ${typeDisplayName(o.type)} to ${typeDisplayName(n.type)}`,
      );
  });
}

export async function runDropView(s: Session, stmt: DropViewStmt): Promise<QueryResult> {
  const d = await s.ensureDtx();
  const notices: string[] = [];
  for (const n of stmt.names) {
    const views = await s.qd.catalog.listViews(d.local);
    const v = views.find((x) => x.name === n.name);
    if (!v) {
      if (await s.qd.catalog.getTable(d.local, n.name))
        throw sqlError('wrong_object_type', `"${n.name}" is not a view`, {
          hint: 'Use DROP TABLE to remove a table.',
        });
      if (stmt.ifExists) {
        notices.push(`NOTICE:  view "${n.name}" does not exist, skipping`);
        continue;
      }
      throw sqlError('undefined_table', `view "${n.name}" does not exist`);
    }
    await dropDependents(s, views, n.name, 'view', stmt.cascade, notices);
    await s.qd.catalog.dropView(d.local, v);
  }
  return commandResult('DROP VIEW', 0, notices);
}

/**
 * Before a table or view goes: the views that read it (and the views that read those) are refused
 * without CASCADE (2BP01) and dropped with it.
 */
export async function dropDependents(
  s: Session,
  views: ViewInfo[],
  name: string,
  kind: 'table' | 'view',
  cascade: boolean,
  notices: string[],
): Promise<void> {
  const dependents: ViewInfo[] = [];
  const visit = (target: string): void => {
    for (const v of views)
      if (v.dependsOn.includes(target) && !dependents.includes(v)) {
        dependents.push(v);
        visit(v.name);
      }
  };
  visit(name);
  if (!dependents.length) return;
  if (!cascade)
    throw sqlError(
      'dependent_objects_still_exist',
      `cannot drop ${kind} ${name} because other objects depend on it`,
      {
        detail: dependents.map((v) => `view ${v.name} depends on ${kind} ${name}`).join('\n'),
        hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
      },
    );
  const d = await s.ensureDtx();
  notices.push(
    dependents.length === 1
      ? `NOTICE:  drop cascades to view ${dependents[0]!.name}`
      : `NOTICE:  drop cascades to ${dependents.length} other objects\nDETAIL:  ${dependents.map((v) => `drop cascades to view ${v.name}`).join('\n')}`,
  );
  for (const v of dependents) await s.qd.catalog.dropView(d.local, v);
}

/** The views of the catalog, or none when there are none (most statements). */
async function viewsOf(s: Session): Promise<ViewInfo[]> {
  const tx = s.dtx?.local ?? s.qd.inst.xact.begin();
  return s.qd.catalog.listViews(tx);
}

/**
 * The statement with every view it names replaced by its query. INSERT, UPDATE and DELETE into
 * a view, and TRUNCATE of one, are refused; DROP TABLE of one says to use DROP VIEW.
 */
export async function expandViews(s: Session, stmt: Statement): Promise<Statement> {
  if (stmt.kind === 'createView' || stmt.kind === 'dropView') return stmt;
  const views = await viewsOf(s);
  if (!views.length) return stmt;
  const byName = new Map(views.map((v) => [v.name, v]));
  const isView = (name: string) => byName.has(name) && !s.temp.get(name);
  if ((stmt.kind === 'insert' || stmt.kind === 'update' || stmt.kind === 'delete') && isView(stmt.table.name))
    throw sqlError('feature_not_supported', `cannot change view "${stmt.table.name}"`, {
      hint: 'changing views is not supported in Greenplum',
    });
  if (stmt.kind === 'truncate' || stmt.kind === 'dropTable')
    for (const n of stmt.names)
      if (isView(n.name))
        throw sqlError('wrong_object_type', `"${n.name}" is not a table`, {
          ...(stmt.kind === 'dropTable' ? { hint: 'Use DROP VIEW to remove a view.' } : {}),
        });
  return expandNode(stmt, byName, isView, 0) as Statement;
}

async function expandQuery(s: Session, q: Query, views: ViewInfo[]): Promise<Query> {
  if (!views.length) return q;
  const byName = new Map(views.map((v) => [v.name, v]));
  return expandNode(q, byName, (n) => byName.has(n) && !s.temp.get(n), 0) as Query;
}

function expandNode(
  node: unknown,
  views: Map<string, ViewInfo>,
  isView: (name: string) => boolean,
  depth: number,
): unknown {
  if (Array.isArray(node)) return node.map((x) => expandNode(x, views, isView, depth));
  if (typeof node !== 'object' || node === null) return node;
  const o = node as { kind?: string };
  if (o.kind === 'table') {
    const ref = node as FromItem & { kind: 'table' };
    const v = views.get(ref.name.name);
    if (v && (!ref.name.schema || ref.name.schema === EXPANSION_SCHEMA) && isView(ref.name.name)) {
      if (depth >= MAX_DEPTH)
        throw sqlError(
          'invalid_object_definition',
          `infinite recursion detected in rules for relation "${v.name}"`,
        );
      const query = expandNode(JSON.parse(v.query) as Query, views, isView, depth + 1) as Query;
      return {
        kind: 'subquery',
        query,
        alias: {
          name: ref.alias?.name ?? v.name,
          // Column aliases of the reference first, then the view's own names.
          columns: v.columns.map((c, i) => ref.alias?.columns?.[i] ?? c.name),
        },
        pos: ref.pos,
      };
    }
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, expandNode(v, views, isView, depth)]));
}
