/**
 * WITH queries. A non-recursive WITH query is inlined where it is referenced, as a subquery in
 * FROM under the WITH query's name, as Postgres 12 inlines one referenced once (one referenced
 * more often gives the same rows materialized, for the deterministic queries the lab runs). A
 * reference is a table name without a schema; the innermost WITH query of that name wins, and
 * it hides a table of the same name. WITH queries nothing references are kept to be checked,
 * never run.
 */
import { sqlError } from '../errors.ts';
import type { CommonTableExpr, Query, RecursiveCte } from './ast.ts';

type Node = Record<string, unknown>;

/** WITH queries computed by recursion: references read their result relation by this name. */
const results = new WeakMap<CommonTableExpr, string>();
let internalNames = 0;

/** A relation name no one can write in SQL (it holds a control character). */
function internalName(what: string): string {
  return `\u0001${what}${++internalNames}`;
}

/** How often each WITH query's name is referenced in `node` (outside nested WITHs of the same name). */
function countRefs(node: unknown, names: ReadonlySet<string>, out: Map<string, number>): void {
  if (Array.isArray(node)) {
    for (const x of node) countRefs(x, names, out);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const n = node as Node;
  if (n['kind'] === 'table') {
    const q = n['name'] as { schema?: string; name: string };
    if (q.schema === undefined && names.has(q.name)) out.set(q.name, (out.get(q.name) ?? 0) + 1);
    return;
  }
  for (const v of Object.values(n)) countRefs(v, names, out);
}

/** A deep copy of an AST (plain objects, arrays and scalars): each reference plans its own. */
function copy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(copy);
  if (typeof node !== 'object' || node === null) return node;
  const out: Node = {};
  for (const [k, v] of Object.entries(node)) out[k] = copy(v);
  return out;
}

/** `node` with every reference to a query of `scope` replaced by that query, as a subquery. */
function inline(node: unknown, scope: ReadonlyMap<string, CommonTableExpr>): unknown {
  if (Array.isArray(node)) return node.map((x) => inline(x, scope));
  if (typeof node !== 'object' || node === null) return node;
  const n = node as Node;
  if (n['kind'] === 'table') {
    const q = n['name'] as { schema?: string; name: string };
    const cte = q.schema === undefined ? scope.get(q.name) : undefined;
    if (!cte) return node;
    const alias = n['alias'] as { name: string; columns?: string[] } | undefined;
    const own = alias?.columns ?? [];
    const columns = [...own, ...(cte.columns ?? []).slice(own.length)];
    const internal = results.get(cte);
    if (internal)
      return {
        kind: 'table',
        name: { name: internal, pos: n['pos'] },
        alias: { name: alias?.name ?? cte.name, ...(columns.length ? { columns } : {}) },
        pos: n['pos'],
      };
    return {
      kind: 'subquery',
      query: copy(cte.query) as Query,
      alias: { name: alias?.name ?? cte.name, ...(columns.length ? { columns } : {}) },
      cte: cte.name,
      pos: n['pos'],
    };
  }
  const out: Node = {};
  for (const [k, v] of Object.entries(n)) out[k] = inline(v, scope);
  return out;
}

/**
 * The query a WITH clause governs, its WITH queries inlined. Without RECURSIVE a WITH query
 * sees only those before it; with it, every other one (a query that refers to itself, directly
 * or in a cycle, is refused: recursion is not built yet).
 */
export function withQueries(recursive: boolean, list: CommonTableExpr[], body: Query): Query {
  const resolved = new Map<string, CommonTableExpr>();
  const recursions: RecursiveCte[] = [];
  const pending = new Map(list.map((c) => [c.name, c]));
  const names = new Set(list.map((c) => c.name));
  while (pending.size) {
    let progressed = false;
    for (const cte of [...pending.values()]) {
      const refs = new Map<string, number>();
      countRefs(cte.query, names, refs);
      // Without RECURSIVE only earlier queries are in scope (later names stay table names).
      const visible = recursive
        ? [...refs.keys()]
        : [...refs.keys()].filter((r) => list.findIndex((c) => c.name === r) < list.indexOf(cte));
      if (visible.some((r) => pending.has(r) && r !== cte.name) && recursive) continue;
      const scope = new Map([...resolved].filter(([k]) => visible.includes(k)));
      if (recursive && visible.includes(cte.name)) {
        const r = recursion(cte, scope);
        recursions.push(r);
        const entry = { ...cte };
        results.set(entry, r.result);
        resolved.set(cte.name, entry);
        pending.delete(cte.name);
        progressed = true;
        continue;
      }
      resolved.set(cte.name, { ...cte, query: inline(cte.query, scope) as Query });
      pending.delete(cte.name);
      progressed = true;
    }
    if (!progressed) {
      const first = [...pending.values()][0]!;
      throw sqlError('feature_not_supported', `recursive WITH query "${first.name}" is not supported yet`, {
        position: first.pos,
        hint: 'These WITH queries refer to each other in a cycle, which needs the recursive union.',
      });
    }
  }
  // Used: referenced by the body, or by another WITH query.
  const used = new Map<string, number>();
  countRefs(body, names, used);
  for (const c of list) {
    const refs = new Map<string, number>();
    countRefs(c.query, names, refs);
    for (const r of refs.keys()) if (r !== c.name) used.set(r, 1);
  }
  const out = inline(body, resolved) as Query;
  const unused = list.filter((c) => !used.has(c.name)).map((c) => resolved.get(c.name)!.query);
  if (unused.length) out.unusedCtes = [...(out.unusedCtes ?? []), ...unused];
  if (recursions.length) out.recursiveCtes = [...recursions, ...(out.recursiveCtes ?? [])];
  return out;
}

const recursionError = (message: string, pos: number) =>
  sqlError('invalid_recursion', message, { position: pos });

/**
 * A WITH query that refers to itself, checked as Postgres checks it: `base UNION [ALL] step`,
 * the reference once, in the step only. The step's reference reads the last round's rows.
 */
function recursion(cte: CommonTableExpr, scope: ReadonlyMap<string, CommonTableExpr>): RecursiveCte {
  const q = cte.query;
  const self = new Set([cte.name]);
  if (q.kind !== 'setop' || q.op !== 'union')
    throw recursionError(
      `recursive query "${cte.name}" does not have the form non-recursive-term UNION [ALL] recursive-term`,
      cte.pos,
    );
  if (q.orderBy.length)
    throw sqlError('feature_not_supported', 'ORDER BY in a recursive query is not implemented');
  if (q.limit || q.offset)
    throw sqlError('feature_not_supported', 'OFFSET/LIMIT in a recursive query is not implemented');
  const inBase = new Map<string, number>();
  countRefs(q.left, self, inBase);
  if (inBase.size)
    throw recursionError(
      `recursive reference to query "${cte.name}" must not appear within its non-recursive term`,
      cte.pos,
    );
  const inStep = new Map<string, number>();
  countRefs(q.right, self, inStep);
  if ((inStep.get(cte.name) ?? 0) > 1)
    throw recursionError(
      `recursive reference to query "${cte.name}" must not appear more than once`,
      cte.pos,
    );
  const work = internalName('work');
  const stepScope = new Map(scope);
  const workEntry: CommonTableExpr = { ...cte };
  results.set(workEntry, work);
  stepScope.set(cte.name, workEntry);
  return {
    name: cte.name,
    ...(cte.columns ? { columns: cte.columns } : {}),
    base: inline(q.left, scope) as Query,
    step: inline(q.right, stepScope) as Query,
    all: q.all,
    work,
    result: internalName('result'),
    pos: cte.pos,
  };
}
