/**
 * Queries: SELECT blocks, VALUES, set operations, FROM items and joins.
 *
 * Shape rules (Postgres 12 gram.y):
 * 1. INTERSECT binds tighter than UNION and EXCEPT; all three are left-associative.
 * 2. A trailing ORDER BY / LIMIT / OFFSET belongs to the whole set operation, not its last arm;
 *    a parenthesised arm may carry its own, and writing a second one for the same query is
 *    "multiple ... clauses not allowed".
 * 3. A subquery in FROM must have an alias.
 */
import type {
  Alias,
  CommonTableExpr,
  DefaultMarker,
  Expr,
  FromItem,
  Query,
  SelectStmt,
  SelectTarget,
  SortItem,
  WindowSpec,
} from './ast.ts';
import type { Cursor } from './cursor.ts';
import { keywordCategory } from './lexer.ts';
import { parseCallArgs, parseWindowBody } from './parse-call.ts';
import { parseExpr, parseParenQuery } from './parse-expr.ts';
import { SqlError, sqlError } from '../errors.ts';
import { withQueries } from './cte.ts';
import { parseGroupBy, rewriteGroupingSets } from './grouping-sets.ts';
import { checkLocking, parseLocking } from './locking.ts';

/** Whether the token `k` ahead starts a query (SELECT, VALUES, TABLE or WITH). */
export function isQueryStart(c: Cursor, k = 0): boolean {
  return c.isWord('select', k) || c.isWord('values', k) || c.isWord('table', k) || c.isWord('with', k);
}

/** Parses a full query: set operations plus a trailing ORDER BY / LIMIT / OFFSET. */
export function parseQuery(c: Cursor): Query {
  const ctes = c.isWord('with') ? parseWith(c) : undefined;
  const parsed = parseSetOps(c, 1);
  parseQueryTail(c, parsed);
  const locking = parseLocking(c);
  if (locking.length) {
    // A set operation or VALUES is refused at once, as Postgres refuses it before analysing
    // the branches; a SELECT's restrictions wait until its names are checked (queryRows).
    try {
      for (const l of locking) checkLocking(parsed, l);
    } catch (e) {
      if (!(e instanceof SqlError) || parsed.kind !== 'select') throw e;
      parsed.lockingRefused = { message: e.message, position: e.position ?? 0 };
    }
    parsed.locking = locking;
    // LIMIT / OFFSET may also follow the locking clause.
    parseQueryTail(c, parsed);
  }
  const q = rewriteGroupingSets(parsed);
  if (parsed.lockingRefused && q !== parsed) q.lockingRefused = parsed.lockingRefused;
  return ctes ? withQueries(ctes.recursive, ctes.list, q) : q;
}

/** `WITH [RECURSIVE] name [(cols)] AS [[NOT] MATERIALIZED] (query), ...`. */
function parseWith(c: Cursor): { recursive: boolean; list: CommonTableExpr[] } {
  c.expectWord('with');
  const recursive = c.acceptWord('recursive');
  const list: CommonTableExpr[] = [];
  do {
    const pos = c.peek().pos;
    const name = c.colId();
    if (list.some((x) => x.name === name))
      throw sqlError('duplicate_alias', `WITH query name "${name}" specified more than once`, {
        position: pos,
      });
    const columns = c.isOp('(') ? c.nameList().map((n) => n.name) : undefined;
    c.expectWord('as');
    if (c.acceptWord('not')) c.expectWord('materialized');
    else c.acceptWord('materialized');
    c.expectOp('(');
    if (c.isWord('insert') || c.isWord('update') || c.isWord('delete'))
      throw c.unsupported('a data-modifying statement in WITH');
    const query = parseQuery(c);
    c.expectOp(')');
    list.push({ name, ...(columns ? { columns } : {}), query, pos });
  } while (c.acceptOp(','));
  if (c.isWord('insert') || c.isWord('update') || c.isWord('delete'))
    throw c.unsupported('WITH before INSERT, UPDATE or DELETE');
  return { recursive, list };
}

function parseSetOps(c: Cursor, minLevel: number): Query {
  let left = parseQueryPrimary(c);
  for (;;) {
    const t = c.peek();
    const level = c.isWord('intersect') ? 2 : c.isWord('union') || c.isWord('except') ? 1 : 0;
    if (level === 0 || level < minLevel) return left;
    c.next();
    const all = c.acceptWord('all');
    if (!all) c.acceptWord('distinct');
    const right = parseSetOps(c, level + 1);
    const op = t.value as 'union' | 'intersect' | 'except';
    left = { kind: 'setop', op, all, left, right, orderBy: [], pos: t.pos };
  }
}

function parseQueryPrimary(c: Cursor): Query {
  const t = c.peek();
  if (c.acceptOp('(')) {
    const q = parseQuery(c);
    c.expectOp(')');
    return q;
  }
  if (c.isWord('select')) return parseSelect(c);
  if (c.isWord('values')) return parseValues(c);
  if (c.acceptWord('table')) {
    const pos = c.peek().pos;
    const name = parseQualifiedName(c);
    return selectBlock(t.pos, [{ kind: 'star', pos }], [{ kind: 'table', name, pos }]);
  }
  throw c.syntaxError();
}

function selectBlock(pos: number, targets: SelectTarget[], from: FromItem[]): SelectStmt {
  return { kind: 'select', distinct: false, targets, from, groupBy: [], orderBy: [], pos };
}

function parseQueryTail(c: Cursor, q: Query): void {
  const multiple = (what: string, pos: number) =>
    sqlError('syntax_error', `multiple ${what} clauses not allowed`, { position: pos });
  if (c.isWord('order')) {
    const pos = c.next().pos;
    c.expectWord('by');
    if (q.orderBy.length > 0) throw multiple('ORDER BY', pos);
    q.orderBy = parseSortList(c);
  }
  let sawLimit = false;
  let sawOffset = false;
  for (;;) {
    const t = c.peek();
    if (c.acceptWord('limit')) {
      if (sawLimit || q.limit) throw multiple('LIMIT', t.pos);
      sawLimit = true;
      if (!c.acceptWord('all')) q.limit = parseExpr(c);
      if (c.isOp(',')) {
        throw sqlError('syntax_error', 'LIMIT #,# syntax is not supported', {
          position: t.pos,
          hint: 'Use separate LIMIT and OFFSET clauses.',
        });
      }
    } else if (c.acceptWord('offset')) {
      if (sawOffset || q.offset) throw multiple('OFFSET', t.pos);
      sawOffset = true;
      q.offset = parseExpr(c);
      if (!c.acceptWord('rows')) c.acceptWord('row');
    } else if (c.acceptWord('fetch')) {
      if (sawLimit || q.limit) throw multiple('LIMIT', t.pos);
      sawLimit = true;
      if (!c.acceptWord('first')) c.expectWord('next');
      const count: Expr =
        c.isWord('row') || c.isWord('rows')
          ? { kind: 'literal', value: 1, literalType: 'integer', text: '1', pos: t.pos }
          : parseExpr(c, 9);
      if (!c.acceptWord('rows')) c.expectWord('row');
      if (c.isWord('with')) throw c.unsupported('FETCH ... WITH TIES');
      c.expectWord('only');
      q.limit = count;
    } else {
      return;
    }
  }
}

export function parseSortList(c: Cursor): SortItem[] {
  const items: SortItem[] = [];
  do {
    const pos = c.peek().pos;
    const item: SortItem = { expr: parseExpr(c), descending: false, pos };
    if (c.acceptWord('desc')) item.descending = true;
    else if (!c.acceptWord('asc') && c.isWord('using')) throw c.unsupported('ORDER BY ... USING');
    if (c.acceptWord('nulls')) {
      if (c.acceptWord('first')) item.nulls = 'first';
      else if (c.expectWord('last')) item.nulls = 'last';
    }
    items.push(item);
  } while (c.acceptOp(','));
  return items;
}

/** Words after which a SELECT has no target list (`SELECT FROM t` is valid Postgres). */
const AFTER_TARGETS = new Set([
  'from',
  'where',
  'group',
  'having',
  'order',
  'limit',
  'offset',
  'fetch',
  'for',
  'union',
  'intersect',
  'except',
  'into',
  'window',
]);

function parseSelect(c: Cursor): SelectStmt {
  const pos = c.expectWord('select').pos;
  const q = selectBlock(pos, [], []);
  if (c.isWord('distinct')) {
    c.next();
    if (c.isWord('on')) throw c.unsupported('SELECT DISTINCT ON');
    q.distinct = true;
  } else {
    c.acceptWord('all');
  }
  const t = c.peek();
  const noTargets =
    t.kind === 'eof' || c.isOp(';') || c.isOp(')') || (t.kind === 'ident' && AFTER_TARGETS.has(t.value));
  if (!noTargets) q.targets = parseTargetList(c);
  if (c.isWord('into')) throw c.unsupported('SELECT INTO');
  if (c.acceptWord('from')) q.from = parseFromList(c);
  if (c.acceptWord('where')) q.where = parseExpr(c);
  if (c.isWord('group')) {
    c.next();
    c.expectWord('by');
    const g = parseGroupBy(c);
    q.groupBy = g.groupBy;
    if (g.sets) q.groupingSets = g.sets;
  }
  if (c.acceptWord('having')) q.having = parseExpr(c);
  const named = new Map<string, WindowSpec>();
  if (c.acceptWord('window'))
    do {
      const pos = c.peek().pos;
      const name = c.colId();
      if (named.has(name))
        throw sqlError('windowing_error', `window "${name}" is already defined`, { position: pos });
      c.expectWord('as');
      c.expectOp('(');
      named.set(name, resolveWindow(parseWindowBody(c, pos), named));
      c.expectOp(')');
    } while (c.acceptOp(','));
  resolveWindowRefs([q.targets, q.orderBy], named);
  return q;
}

/** Window calls of this SELECT that name a window of its WINDOW clause get its definition. */
function resolveWindowRefs(node: unknown, named: ReadonlyMap<string, WindowSpec>): void {
  if (Array.isArray(node)) {
    for (const x of node) resolveWindowRefs(x, named);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const call = node as { kind?: string; over?: WindowSpec };
  if (call.kind === 'call' && call.over?.ref) call.over = resolveWindow(call.over, named);
  for (const [k, v] of Object.entries(node)) if (k !== 'query') resolveWindowRefs(v, named);
}

/** Postgres' rules for a window built on a named one (transformWindowDefinitions). */
function resolveWindow(spec: WindowSpec, named: ReadonlyMap<string, WindowSpec>): WindowSpec {
  if (!spec.ref) return spec;
  const { name, bare } = spec.ref;
  const base = named.get(name);
  if (!base) throw sqlError('undefined_object', `window "${name}" does not exist`, { position: spec.pos });
  if (bare) return { ...base, pos: spec.pos };
  const refuse = (m: string) => sqlError('windowing_error', m, { position: spec.pos });
  if (spec.partitionBy.length) throw refuse(`cannot override PARTITION BY clause of window "${name}"`);
  if (spec.orderBy.length && base.orderBy.length)
    throw refuse(`cannot override ORDER BY clause of window "${name}"`);
  if (base.frame) throw refuse(`cannot copy window "${name}" because it has a frame clause`);
  return {
    partitionBy: base.partitionBy,
    orderBy: spec.orderBy.length ? spec.orderBy : base.orderBy,
    ...(spec.frame ? { frame: spec.frame } : {}),
    pos: spec.pos,
  };
}

/** Parses a select list (also used for RETURNING). */
export function parseTargetList(c: Cursor): SelectTarget[] {
  const targets: SelectTarget[] = [];
  do {
    const pos = c.peek().pos;
    if (c.acceptOp('*')) {
      targets.push({ kind: 'star', pos });
      continue;
    }
    if (c.isLabel() && c.isOp('.', 1) && c.isOp('*', 2)) {
      const table = c.next().value;
      c.next();
      c.next();
      targets.push({ kind: 'star', table, pos });
      continue;
    }
    const target: SelectTarget = { kind: 'expr', expr: parseExpr(c), pos };
    if (c.acceptWord('as')) {
      target.alias = c.label();
    } else {
      // A bare alias must not be a keyword that could continue the statement.
      const a = c.peek();
      if (a.kind === 'qident' || (a.kind === 'ident' && keywordCategory(a.value) === undefined)) {
        target.alias = c.next().value;
      }
    }
    targets.push(target);
  } while (c.acceptOp(','));
  return targets;
}

/** `VALUES (a, b), (c, d)`; DEFAULT is allowed as an item (the binder restricts it to INSERT). */
function parseValues(c: Cursor): Query {
  const pos = c.expectWord('values').pos;
  const rows: (Expr | DefaultMarker)[][] = [];
  do {
    c.expectOp('(');
    const row: (Expr | DefaultMarker)[] = [];
    do {
      const t = c.peek();
      if (c.acceptWord('default')) row.push({ kind: 'default', pos: t.pos });
      else row.push(parseExpr(c));
    } while (c.acceptOp(','));
    c.expectOp(')');
    const first = rows[0];
    if (first && first.length !== row.length) {
      throw sqlError('syntax_error', 'VALUES lists must all be the same length', { position: row[0]?.pos });
    }
    rows.push(row);
  } while (c.acceptOp(','));
  return { kind: 'values', rows, orderBy: [], pos };
}

/**
 * `[schema.]name`. The engine has one namespace for tables, and gpexpand's schema besides: a
 * relation in schema gpexpand is named `gpexpand.<name>` there (gpexpand.status_detail), so it
 * never meets a user's table of the same short name. Other schema names are not checked.
 */
export function parseQualifiedName(c: Cursor): { schema?: string; name: string; pos: number } {
  const pos = c.peek().pos;
  const first = c.colId();
  if (c.isOp('.')) {
    c.next();
    if (!c.isLabel()) throw c.syntaxError();
    const name = c.next().value;
    if (c.isOp('.') && c.isLabel(1)) throw c.unsupported('cross-database references', c.peek(1));
    return { schema: first, name: first === EXPANSION_SCHEMA ? `${first}.${name}` : name, pos };
  }
  return { name: first, pos };
}

/** gpexpand's schema (see parseQualifiedName). */
export const EXPANSION_SCHEMA = 'gpexpand';

/** A comma-separated FROM (or USING / UPDATE ... FROM) list. */
export function parseFromList(c: Cursor): FromItem[] {
  const items = [parseFromItem(c)];
  while (c.acceptOp(',')) items.push(parseFromItem(c));
  return items;
}

const JOIN_WORDS: Record<string, 'inner' | 'left' | 'right' | 'full'> = {
  join: 'inner',
  inner: 'inner',
  left: 'left',
  right: 'right',
  full: 'full',
};

function parseFromItem(c: Cursor): FromItem {
  let left = parseFromPrimary(c);
  for (;;) {
    const pos = c.peek().pos;
    if (c.acceptWord('cross')) {
      c.expectWord('join');
      const right = parseFromPrimary(c);
      left = { kind: 'join', joinType: 'cross', natural: false, left, right, pos };
      continue;
    }
    const natural = c.acceptWord('natural');
    const t = c.peek();
    const joinType = t.kind === 'ident' ? JOIN_WORDS[t.value] : undefined;
    if (joinType === undefined) {
      if (natural) throw c.syntaxError();
      return left;
    }
    c.next();
    if (t.value !== 'join') {
      if (t.value !== 'inner') c.acceptWord('outer');
      c.expectWord('join');
    }
    const right = parseFromPrimary(c);
    left = { kind: 'join', joinType, natural, left, right, pos };
    if (natural) continue;
    if (c.acceptWord('on')) left.on = parseExpr(c);
    else if (c.isWord('using')) {
      c.next();
      left.using = c.nameList().map((n) => n.name);
    } else throw c.syntaxError();
  }
}

function parseFromPrimary(c: Cursor): FromItem {
  const t = c.peek();
  const pos = t.pos;
  if (c.acceptWord('lateral')) {
    // LATERAL applies to a subquery or a function call, nothing else (gram.y's table_ref).
    const item =
      c.isOp('(') || (c.peek().kind === 'ident' && c.peek(1).kind === 'op' && c.peek(1).value === '(')
        ? parseFromPrimary(c)
        : undefined;
    if (!item || (item.kind !== 'subquery' && item.kind !== 'function')) throw c.syntaxError();
    item.lateral = true;
    return item;
  }
  if (c.isOp('(')) {
    const query = parseParenQuery(c);
    if (query) {
      const alias = parseAlias(c);
      if (!alias) {
        throw sqlError('syntax_error', 'subquery in FROM must have an alias', {
          position: pos,
          hint: 'For example, FROM (SELECT ...) [AS] foo.',
        });
      }
      return { kind: 'subquery', query, alias, pos };
    }
    c.next();
    const item = parseFromItem(c);
    c.expectOp(')');
    if (c.isWord('as') || c.isColId()) throw c.unsupported('aliases on parenthesised joins');
    return item;
  }
  c.acceptWord('only');
  const name = parseQualifiedName(c);
  let item: FromItem;
  if (c.isOp('(')) {
    const call = parseCallArgs(c, name.name, pos);
    if (name.schema !== undefined) call.schema = name.schema;
    if (c.isWord('with')) throw c.unsupported('WITH ORDINALITY');
    item = { kind: 'function', call, pos };
  } else {
    item = { kind: 'table', name, pos };
  }
  const alias = parseAlias(c);
  if (alias) item.alias = alias;
  if (c.isWord('tablesample')) throw c.unsupported('TABLESAMPLE');
  return item;
}

/** `[AS] alias [(col, ...)]`, or undefined when no alias follows. */
export function parseAlias(c: Cursor): Alias | undefined {
  if (!c.acceptWord('as') && !c.isColId()) return undefined;
  const alias: Alias = { name: c.colId() };
  if (c.isOp('(')) alias.columns = c.nameList().map((n) => n.name);
  return alias;
}
