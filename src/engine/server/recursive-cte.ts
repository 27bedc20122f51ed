/**
 * WITH RECURSIVE: a recursive union computed on the coordinator before the statement is
 * planned, as Postgres' RecursiveUnion runs it: the non-recursive term once, then the
 * recursive term again and again on the rows the last round added (its work table), until a
 * round adds none; UNION (not ALL) keeps only rows not seen before. Each round is a query of
 * its own, dispatched like any other, so the tables it joins stay where they are distributed.
 * The rows are held against statement_mem and every round honours cancel and
 * statement_timeout: a recursion without end fails its statement, not the instance.
 */
import { sqlError } from '../errors.ts';
import { rowBytes } from '../exec/interrupts.ts';
import { Planner, type PlannedQuery, type PlannerEnv, type WorkTable } from '../plan/planner.ts';
import type { Query, RecursiveCte } from '../sql/ast.ts';
import { formatValue, type Value } from '../sql/types.ts';
import { runPlan } from './dispatcher.ts';
import type { Session } from './session.ts';

/** The recursive WITH queries of a statement, nested ones (which others may read) first. */
function collect(node: unknown, out: RecursiveCte[]): RecursiveCte[] {
  if (Array.isArray(node)) {
    for (const x of node) collect(x, out);
    return out;
  }
  if (typeof node !== 'object' || node === null) return out;
  for (const k in node) {
    if (k === 'recursiveCtes') continue;
    collect((node as Record<string, unknown>)[k], out);
  }
  for (const r of (node as { recursiveCtes?: RecursiveCte[] }).recursiveCtes ?? []) {
    collect(r.base, out);
    collect(r.step, out);
    out.push(r);
  }
  return out;
}

/** Whether a statement has a recursive WITH query anywhere in it. */
export function hasRecursiveCte(root: unknown): boolean {
  return collect(root, []).length > 0;
}

/** Postgres' type names in messages (format_type). */
const TYPE_NAMES: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  varchar: 'character varying',
  bpchar: 'character',
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
};

export async function computeRecursiveCtes(
  s: Session,
  root: unknown,
  env: PlannerEnv,
  prepare: (q: Query) => Promise<void>,
): Promise<void> {
  for (const r of collect(root, [])) {
    const tables = (env.workTables ??= new Map<string, WorkTable>());
    if (tables.has(r.result)) continue;
    const base = await run(s, env, r.base, prepare);
    const given = r.columns?.length ?? 0;
    if (given > base.plan.columns.length)
      throw sqlError(
        'invalid_column_reference',
        `WITH query "${r.name}" has ${base.plan.columns.length} columns available but ${given} columns specified`,
        { position: r.pos },
      );
    const columns = base.plan.columns.map((c, i) => ({ name: r.columns?.[i] ?? c.name, type: c.type }));
    const seen = new Set<string>();
    const all: Value[][] = [];
    const add = (rows: Value[][]): Value[][] => {
      const fresh: Value[][] = [];
      for (const row of rows) {
        if (!r.all) {
          const key = row
            .map((v, i) => (v === null ? '\u0000' : formatValue(v, columns[i]!.type)))
            .join('\u0001');
          if (seen.has(key)) continue;
          seen.add(key);
        }
        s.interrupts?.reserve(rowBytes(row), 'RecursiveUnion');
        fresh.push(row);
      }
      all.push(...fresh);
      return fresh;
    };
    let work = add(base.rows);
    while (work.length) {
      await s.interrupts?.check();
      tables.set(r.work, { columns, rows: work });
      const step = await run(s, env, r.step, prepare);
      if (step.plan.columns.length !== columns.length)
        throw sqlError('syntax_error', 'each UNION query must have the same number of columns', {
          position: r.pos,
        });
      step.plan.columns.forEach((c, i) => {
        const want = columns[i]!.type;
        if (c.type.name !== want.name)
          throw sqlError(
            'datatype_mismatch',
            `recursive query "${r.name}" column ${i + 1} has type ${TYPE_NAMES[want.name] ?? want.name} in non-recursive term but type ${TYPE_NAMES[c.type.name] ?? c.type.name} overall`,
            { position: r.pos, hint: 'Cast the output of the non-recursive term to the correct type.' },
          );
      });
      work = add(step.rows);
    }
    tables.delete(r.work);
    tables.set(r.result, { columns, rows: all });
  }
}

async function run(
  s: Session,
  env: PlannerEnv,
  q: Query,
  prepare: (q: Query) => Promise<void>,
): Promise<{ plan: PlannedQuery; rows: Value[][] }> {
  await prepare(q);
  const plan = new Planner(env).planTop(q);
  const dtx = await s.dtxContext(false);
  const { rows } = await runPlan(s.qd.dispatchEnv(s), plan.node, dtx, s.statementTime);
  return { plan, rows };
}
