/**
 * InitPlans: uncorrelated subqueries in expressions (scalar, EXISTS, IN) run before the main
 * plan, and their results enter it as constants. A subquery that refers to the outer query
 * cannot run alone; it is left for the planner, which reports it.
 */
import { sqlError, SqlError } from '../errors.ts';
import type { Expr, FromItem, InsertStmt, Query } from '../sql/ast.ts';
import type { SqlType, Value } from '../sql/types.ts';
import { Planner, type PlannedQuery, type PlannerEnv } from '../plan/planner.ts';
import type { Session } from './session.ts';
import { runPlan } from './dispatcher.ts';
import { computeRecursiveCtes, hasRecursiveCte } from './recursive-cte.ts';
import { computeWindows, hasWindowFunctions } from './windows.ts';
import { computeLaterals, hasLateral, lateralsAsPlain } from './lateral.ts';
import { isWholeRowRefusal } from '../plan/scope.ts';

type SubqueryNode = { kind: 'subquery' | 'exists' | 'inSubquery'; query: Query; pos: number };

/** Fields of a syntax node whose subqueries are in expressions (InitPlan candidates). */
const EXPR_FIELDS: ReadonlySet<string> = new Set([
  'where',
  'having',
  'targets',
  'expr',
  'args',
  'left',
  'right',
  'list',
  'whens',
  'when',
  'then',
  'else',
  'arg',
  'operand',
  'low',
  'high',
  'pattern',
  'on',
  'assignments',
  'value',
  'rows',
  'groupBy',
  'orderBy',
  'items',
  'filter',
]);

/** Subquery nodes in expressions of a statement (not FROM-clause subqueries), innermost first. */
export function findSubqueries(root: unknown): SubqueryNode[] {
  const out: SubqueryNode[] = [];
  const walk = (n: unknown, inExpr: boolean) => {
    if (typeof n !== 'object' || n === null) return;
    if (Array.isArray(n)) {
      for (const x of n) walk(x, inExpr);
      return;
    }
    const node = n as { kind?: string; query?: Query };
    const fromItem = node.kind === 'subquery' && 'alias' in (n as object);
    if (
      (node.kind === 'subquery' || node.kind === 'exists' || node.kind === 'inSubquery') &&
      node.query &&
      inExpr &&
      !fromItem
    ) {
      walk(node.query, false);
      out.push(node as SubqueryNode);
      return;
    }
    for (const k in n) {
      const v = (n as Record<string, unknown>)[k];
      // WITH queries: unused ones never run; recursive ones run their rounds themselves.
      if (k === 'unusedCtes' || k === 'recursiveCtes') continue;
      if (k === 'from' || k === 'using') {
        // FROM items: a subquery there is a relation, but expressions inside it may hold subqueries.
        walk(v, false);
        continue;
      }
      const exprField = EXPR_FIELDS.has(k);
      walk(v, inExpr || exprField);
    }
  };
  walk(root, false);
  return out;
}

interface InitPlan {
  node: SubqueryNode;
  plan: PlannedQuery;
}

/**
 * Plans every uncorrelated subquery of the statement and enters a typed placeholder for each
 * into `env.initplans` (NULL, an empty set, true), so the statement itself can be planned
 * and checked before anything runs: an error in the statement comes before any error of
 * running its subqueries, as in PostgreSQL (and EXPLAIN runs nothing).
 */
export function planInitPlans(root: unknown, env: PlannerEnv): InitPlan[] {
  const out: InitPlan[] = [];
  for (const node of findSubqueries(root)) {
    let plan: PlannedQuery;
    try {
      plan = new Planner(env).planTop(node.query);
    } catch (e) {
      // Refers to columns of the outer query: correlated, cannot run on its own. (A table
      // that does not exist is an error of its own.)
      const outerRef =
        e instanceof SqlError &&
        (e.code === '42703' ||
          (e.code === '42P01' && !e.message.startsWith('relation ')) ||
          // A bare name that is an alias here may be a column of the outer query.
          isWholeRowRefusal(e));
      if (outerRef) continue;
      throw e;
    }
    const type = plan.columns[0]?.type as SqlType;
    if (node.kind === 'subquery' && plan.columns.length !== 1)
      throw sqlError('syntax_error', 'subquery must return only one column', { position: node.pos });
    if (node.kind === 'inSubquery' && plan.columns.length !== 1)
      throw sqlError('syntax_error', 'subquery has too many columns', { position: node.pos });
    if (node.kind === 'exists') env.initplans.set(node, true);
    else if (node.kind === 'subquery') env.initplans.set(node, { value: null, type } as unknown as Value);
    else env.initplans.set(node, { values: [null], type } as unknown as Value[]);
    out.push({ node, plan });
  }
  return out;
}

/** Runs the planned subqueries (Greenplum runs InitPlans on the coordinator before dispatch). */
export async function executeInitPlans(session: Session, plans: InitPlan[], env: PlannerEnv): Promise<void> {
  for (const { node } of plans) {
    // Planned again: a subquery nested in this one has run since (innermost first), and its
    // result replaces the placeholder the first planning saw.
    const plan = new Planner(env).planTop(node.query);
    const dtx = await session.dtxContext(false);
    const { rows } = await runPlan(session.qd.dispatchEnv(session), plan.node, dtx, session.statementTime);
    const type = plan.columns[0]?.type as SqlType;
    if (node.kind === 'exists') env.initplans.set(node, rows.length > 0);
    else if (node.kind === 'subquery') {
      if (rows.length > 1)
        throw sqlError(
          'cardinality_violation',
          'more than one row returned by a subquery used as an expression',
        );
      env.initplans.set(node, { value: rows[0]?.[0] ?? null, type } as unknown as Value);
    } else env.initplans.set(node, { values: rows.map((r) => r[0] ?? null), type } as unknown as Value[]);
  }
}

/**
 * Before the window and LATERAL pre-passes or the InitPlans run anything, the whole query's
 * names are checked, as Postgres' parse analysis does before planning and execution: planned
 * once, its constants not computed, with each window call standing in as a NULL and each LATERAL
 * item as a plain subquery (lateral.ts), an error of class 42 (a missing table or column, a bad
 * GROUP BY position) is reported now, before a subquery's failing constant (fuzz seed 15709);
 * anything else is left for the
 * real run. (With a recursive WITH, whose references resolve only once it is computed, the check
 * is not made.)
 */
/**
 * Errors the names check reports even with windows stubbed and LATERAL items made plain: a
 * missing table or column, and a GROUP BY position past the select list (the stand-ins change
 * neither; seed 20600).
 */
const SURE_NAME_ERRORS = new Set(['42P01', '42703', '42P10']);

function checkNamesFirst(root: unknown, env: PlannerEnv, always = false): 'checked' | 'stopped' {
  // INSERT ... SELECT: its query (seed 16181).
  const r = root as Query | InsertStmt;
  const q = r.kind === 'insert' ? r.source : r;
  if (!q) return 'checked';
  if (q.kind !== 'select' && q.kind !== 'setop' && q.kind !== 'values') return 'checked';
  const exact = !hasWindowFunctions(q) && !hasLateral(q);
  if ((!always && exact && !findSubqueries(q).length) || hasRecursiveCte(q)) return 'checked';
  // A set operation's branches one after the other, as parse analysis takes them: the first
  // branch's error comes first, before a LATERAL item of the second is looked at (seed 16094).
  // A branch whose check stopped on something this pass cannot see past (a form the planner
  // does not build) may hide an error of its own that Postgres reports first: the branches
  // after it are not looked at (seed 20143).
  if (q.kind === 'setop' && !exact) {
    if (checkNamesFirst(q.left, env, true) === 'stopped') return 'stopped';
    if (checkNamesFirst(q.right, env, true) === 'stopped') return 'stopped';
  }
  const stubbed = withoutWindows(q) as Query;
  const namesOnly: PlannerEnv = { ...env, namesOnly: true };
  try {
    planInitPlans(stubbed, namesOnly);
    lateralsAsPlain(stubbed, namesOnly);
    planInitPlans(stubbed, namesOnly);
    new Planner(namesOnly).planTop(stubbed);
  } catch (e) {
    // Class 42 (syntax error or access rule violation) is parse analysis's: a missing table or
    // column, a GROUP BY position past the select list (seed 16181). With windows stubbed as
    // NULLs or LATERAL items made plain, only a missing name is sure to be the query's own.
    if (e instanceof SqlError && (SURE_NAME_ERRORS.has(e.code) || (exact && e.code.startsWith('42'))))
      throw e;
    // Planned as it will run (no stand-ins), a form the planner does not build is the
    // statement's outcome: raised now, before a later branch's pre-pass reports an error
    // that Postgres, past this branch's own errors, would not reach first (seed 20143).
    if (e instanceof SqlError && exact && e.code === '0A000') throw e;
    // The whole statement stopped where Postgres' parse analysis would go on: its derived
    // tables are still analysed in FROM order, each on its own (they cannot see the others),
    // so a missing name or bad GROUP BY position in a later one comes first (seed 20600).
    if (q.kind === 'select') for (const sub of derivedTables(q.from)) checkNamesFirst(sub, env, true);
    return 'stopped';
  } finally {
    for (const node of findSubqueries(stubbed)) env.initplans.delete(node);
  }
  return 'checked';
}

/** The queries of the FROM list's derived tables (not LATERAL ones), in FROM order. */
function derivedTables(from: FromItem[]): Query[] {
  const out: Query[] = [];
  const walk = (f: FromItem): void => {
    if (f.kind === 'join') {
      walk(f.left);
      walk(f.right);
    } else if (f.kind === 'subquery' && !f.lateral && !f.cte) out.push(f.query);
  };
  from.forEach(walk);
  return out;
}

/** The statement's names checked now, as parse analysis checks them, whatever it contains. */
export function checkNames(root: Query, env: PlannerEnv): void {
  checkNamesFirst(root, env, true);
}

/** A copy of the tree with every window call replaced by a NULL. */
function withoutWindows(n: unknown): unknown {
  if (Array.isArray(n)) return n.map(withoutWindows);
  if (typeof n !== 'object' || n === null) return n;
  const node = n as { kind?: string; over?: unknown; pos?: number };
  if (node.kind === 'call' && node.over)
    return { kind: 'literal', value: null, literalType: 'null', pos: node.pos ?? 0 };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(n)) out[k] = withoutWindows(v);
  return out;
}

/**
 * Plans the statement's uncorrelated subqueries, checks the statement with `validate` (its own
 * planning) when there are any, then runs them; their results go into `env.initplans`.
 */
export async function runInitPlans(
  session: Session,
  root: unknown,
  env: PlannerEnv,
  validate?: () => unknown,
): Promise<void> {
  // A query these run ahead of the statement is planned (its names resolved) before any of its
  // subqueries runs: a missing table or column is reported before a value error, as in Postgres.
  const prepare = (q: Query) => runInitPlans(session, q, env, () => new Planner(env).planTop(q));
  checkNamesFirst(root, env);
  await computeLaterals(session, root, env, prepare);
  await computeRecursiveCtes(session, root, env, prepare);
  await computeWindows(root, env, prepare);
  const plans = planInitPlans(root, env);
  if (!plans.length) return;
  if (validate) validate();
  await executeInitPlans(session, plans, env);
}

export type { Expr };
