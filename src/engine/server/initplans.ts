/**
 * InitPlans: uncorrelated subqueries in expressions (scalar, EXISTS, IN) run before the main
 * plan, and their results enter it as constants. A subquery that refers to the outer query
 * cannot run alone; it is left for the planner, which reports it.
 */
import { sqlError, SqlError } from '../errors.ts';
import type { Expr, Query } from '../sql/ast.ts';
import type { SqlType, Value } from '../sql/types.ts';
import { Planner, type PlannerEnv } from '../plan/planner.ts';
import type { Session } from './session.ts';
import { runPlan } from './dispatcher.ts';

type SubqueryNode = { kind: 'subquery' | 'exists' | 'inSubquery'; query: Query; pos: number };

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
    for (const [k, v] of Object.entries(n)) {
      if (k === 'from' || k === 'using') {
        // FROM items: a subquery there is a relation, but expressions inside it may hold subqueries.
        walk(v, false);
        continue;
      }
      const exprField = [
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
      ].includes(k);
      walk(v, inExpr || exprField);
    }
  };
  walk(root, false);
  return out;
}

/** Runs every uncorrelated subquery of the statement; results go into `env.initplans`. */
export async function runInitPlans(session: Session, root: unknown, env: PlannerEnv): Promise<void> {
  for (const node of findSubqueries(root)) {
    let plan;
    try {
      const planner = new Planner(env);
      plan = planner.planTop(node.query);
    } catch (e) {
      // Refers to columns of the outer query: correlated, cannot run on its own.
      if (e instanceof SqlError && (e.code === '42703' || e.code === '42P01')) continue;
      throw e;
    }
    const dtx = await session.dtxContext(false);
    const { rows } = await runPlan(session.qd.dispatchEnv(session), plan.node, dtx, session.statementTime);
    const type = plan.columns[0]?.type as SqlType;
    if (node.kind === 'exists') env.initplans.set(node, rows.length > 0);
    else if (node.kind === 'subquery') {
      if (plan.columns.length !== 1)
        throw sqlError('syntax_error', 'subquery must return only one column', { position: node.pos });
      if (rows.length > 1)
        throw sqlError(
          'cardinality_violation',
          'more than one row returned by a subquery used as an expression',
        );
      env.initplans.set(node, { value: rows[0]?.[0] ?? null, type } as unknown as Value);
    } else {
      if (plan.columns.length !== 1)
        throw sqlError('syntax_error', 'subquery has too many columns', { position: node.pos });
      env.initplans.set(node, { values: rows.map((r) => r[0] ?? null), type } as unknown as Value[]);
    }
  }
}

export type { Expr };
