/**
 * SELECT ... FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE [OF t, ...] [NOWAIT]: the rows a
 * query returns are locked for the rest of the transaction. Greenplum without the global deadlock
 * detector (gp_enable_global_deadlock_detector off, its default) locks the whole table in
 * ExclusiveLock mode instead of each row, so another writer or locker of the table waits while a
 * plain SELECT goes on: that is what the lab does. Postgres' restrictions are kept (no
 * aggregates, GROUP BY, DISTINCT, set operations or windows with it, in the derived tables it
 * locks too, and nothing locked on the nullable side of an outer join).
 */
import { sqlError } from '../errors.ts';
import type { FromItem, LockingClause, Query, SelectStmt } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { isAggregateName } from './aggregates.ts';

/** Parses every `FOR ...` locking clause at the cursor (none: an empty list). */
export function parseLocking(c: Cursor): LockingClause[] {
  const out: LockingClause[] = [];
  while (c.isWord('for')) {
    const pos = c.next().pos;
    let strength: LockingClause['strength'];
    if (c.acceptWord('update')) strength = 'UPDATE';
    else if (c.acceptWord('share')) strength = 'SHARE';
    else if (c.acceptWord('no')) {
      c.expectWord('key');
      c.expectWord('update');
      strength = 'NO KEY UPDATE';
    } else {
      c.expectWord('key');
      c.expectWord('share');
      strength = 'KEY SHARE';
    }
    const of: { name: string; pos: number }[] = [];
    if (c.acceptWord('of'))
      do {
        const p = c.peek().pos;
        of.push({ name: c.colId(), pos: p });
      } while (c.acceptOp(','));
    let nowait = false;
    if (c.acceptWord('nowait')) nowait = true;
    else if (c.isWord('skip')) throw c.unsupported('SKIP LOCKED');
    out.push({ strength, of, nowait, pos });
  }
  return out;
}

function hasCall(node: unknown, test: (name: string, over: boolean) => boolean): boolean {
  if (typeof node !== 'object' || node === null) return false;
  if (Array.isArray(node)) return node.some((n) => hasCall(n, test));
  const o = node as { kind?: string; name?: string; over?: unknown };
  if (o.kind === 'subquery' || o.kind === 'exists' || o.kind === 'inSubquery') return false;
  if (o.kind === 'call' && o.name && test(o.name, o.over !== undefined)) return true;
  return Object.values(node).some((v) => hasCall(v, test));
}

/** Postgres' CheckSelectLocking: where a locking clause cannot say which rows it locks. */
export function checkLocking(q: Query, clause: LockingClause): void {
  const refuse = (what: string) =>
    sqlError('feature_not_supported', `FOR ${clause.strength} is not allowed with ${what}`, {
      position: clause.pos,
    });
  if (q.kind === 'setop') throw refuse('UNION/INTERSECT/EXCEPT');
  if (q.kind !== 'select') throw refuse('VALUES');
  if (q.distinct) throw refuse('DISTINCT clause');
  if (q.groupBy.length || q.groupingSets) throw refuse('GROUP BY clause');
  if (q.having) throw refuse('HAVING clause');
  if (hasCall([q.targets, q.orderBy], (n, over) => !over && isAggregateName(n)))
    throw refuse('aggregate functions');
  if (hasCall([q.targets, q.orderBy], (_n, over) => over)) throw refuse('window functions');
  // A derived table it locks (every one, without OF) is held to the same rules, as Postgres
  // applies the clause to the subquery; WITH queries are not locked.
  const walk = (f: FromItem): void => {
    if (f.kind === 'join') {
      walk(f.left);
      walk(f.right);
    } else if (f.kind === 'subquery' && !f.cte && locks(clause, f.alias.name))
      checkLocking(f.query, { ...clause, of: [] });
  };
  q.from.forEach(walk);
}

function locks(clause: LockingClause, ref: string): boolean {
  return !clause.of.length || clause.of.some((o) => o.name === ref);
}

/**
 * Postgres' planner: a relation the clauses lock on the nullable side of an outer join has rows
 * that may be all NULLs, which lock nothing; refused (checked once names are resolved).
 */
export function checkNullableLocking(q: SelectStmt, clauses: LockingClause[]): void {
  const hasTables = (items: FromItem[]): boolean =>
    items.some((f) =>
      f.kind === 'table'
        ? true
        : f.kind === 'join'
          ? hasTables([f.left, f.right])
          : f.kind === 'subquery' && f.query.kind === 'select' && hasTables(f.query.from),
    );
  const walk = (f: FromItem, nullable: boolean): void => {
    if (f.kind === 'join') {
      walk(f.left, nullable || f.joinType === 'right' || f.joinType === 'full');
      walk(f.right, nullable || f.joinType === 'left' || f.joinType === 'full');
      return;
    }
    const ref =
      f.kind === 'table'
        ? (f.alias?.name ?? f.name.name)
        : f.kind === 'subquery' && !f.cte
          ? f.alias.name
          : undefined;
    if (ref === undefined) return;
    const clause = clauses.find((c) => locks(c, ref));
    if (!clause) return;
    if (!nullable) {
      // A derived table locked whole locks the relations inside it, their outer joins included.
      if (f.kind === 'subquery' && f.query.kind === 'select')
        checkNullableLocking(f.query, [{ ...clause, of: [] }]);
      return;
    }
    if (f.kind === 'subquery' && (f.query.kind !== 'select' || !hasTables(f.query.from))) return;
    throw sqlError(
      'feature_not_supported',
      `FOR ${clause.strength} cannot be applied to the nullable side of an outer join`,
    );
  };
  for (const f of q.from) walk(f, false);
}

/** The tables the locking clauses lock (by their name in FROM), and whether without waiting. */
export function lockedTables(
  q: SelectStmt,
  clauses: LockingClause[],
): { table: string; ref: string; nowait: boolean }[] {
  const refs: { table: string; ref: string }[] = [];
  const walk = (items: FromItem[]): void => {
    for (const f of items) {
      if (f.kind === 'table') refs.push({ table: f.name.name, ref: f.alias?.name ?? f.name.name });
      else if (f.kind === 'join') walk([f.left, f.right]);
      else if (f.kind === 'subquery' && f.query.kind === 'select') walk(f.query.from);
    }
  };
  walk(q.from);
  const out = new Map<string, { table: string; ref: string; nowait: boolean }>();
  const add = (r: { table: string; ref: string }, nowait: boolean) =>
    out.set(r.ref, { ...r, nowait: nowait || (out.get(r.ref)?.nowait ?? false) });
  for (const c of clauses) {
    if (!c.of.length) for (const r of refs) add(r, c.nowait);
    for (const o of c.of) {
      const r = refs.find((x) => x.ref === o.name);
      if (!r)
        throw sqlError(
          'undefined_table',
          `relation "${o.name}" in FOR ${c.strength} clause not found in FROM clause`,
          {
            position: o.pos,
          },
        );
      add(r, c.nowait);
    }
  }
  return [...out.values()];
}

/**
 * A locking clause anywhere but on the statement's own top-level SELECT (a subquery, a WITH
 * query, INSERT ... SELECT, DECLARE, EXPLAIN) is refused: the lab takes its locks only there.
 */
export function refuseNestedLocking(stmt: { kind: string }): void {
  const top = stmt.kind === 'select' || stmt.kind === 'setop' || stmt.kind === 'values';
  const walk = (n: unknown, root: boolean): void => {
    if (typeof n !== 'object' || n === null) return;
    if (Array.isArray(n)) return n.forEach((x) => walk(x, false));
    const o = n as { locking?: LockingClause[] };
    if (!root && o.locking?.length)
      throw sqlError(
        'feature_not_supported',
        `FOR ${o.locking[0]!.strength} is only supported on the statement's own SELECT`,
        {
          position: o.locking[0]!.pos,
          hint: 'Lock the rows with a SELECT ... FOR UPDATE of its own, in the same transaction.',
        },
      );
    for (const [k, v] of Object.entries(n)) if (k !== 'locking') walk(v, false);
  };
  walk(stmt, top);
}
