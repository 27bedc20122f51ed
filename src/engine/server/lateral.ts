/**
 * LATERAL: a subquery or function in FROM that refers to the FROM items before it
 * (`FROM c, LATERAL (SELECT ... WHERE o.cid = c.id ORDER BY ... LIMIT 3) top`, or
 * `FROM t, generate_series(1, t.n) g`, which is lateral without the word, as in Postgres).
 *
 * The lab runs it as a nested loop over the distinct values the item reads from its left:
 * the left side's distinct (referenced) values are fetched once; for each, the item runs with
 * those values as constants; the rows, tagged with the values, become a work table that is
 * joined back on them (IS NOT DISTINCT FROM, so NULLs meet). Every form works (aggregates,
 * LIMIT, windows inside), and the answer is Postgres'. The plan is not Greenplum's, so EXPLAIN
 * of such a query is refused rather than shown different. One difference remains: the left side
 * is computed twice (for its value sets, then for the join), so a volatile left side (random(),
 * a LIMIT without ORDER BY) can give the two runs different rows.
 */
import { sqlError } from '../errors.ts';
import { missingColumnHint } from '../plan/column-hint.ts';
import { Planner, type PlannerEnv, type WorkTable } from '../plan/planner.ts';
import { Scope } from '../plan/scope.ts';
import type { ColumnRef, Expr, FromItem, Query, SelectStmt } from '../sql/ast.ts';
import { parseValue, T, type SqlType, type Value } from '../sql/types.ts';
import { runPlan } from './dispatcher.ts';
import { selectBlocks } from '../sql/select-blocks.ts';
import { andAst, conjuncts } from '../plan/planner-sublink.ts';
import type { Session } from './session.ts';

type LateralItem = Extract<FromItem, { kind: 'subquery' | 'function' }>;

/** A function in FROM whose arguments read columns is lateral (Postgres makes every one so). */
function isLateral(item: FromItem): item is LateralItem {
  if (item.kind === 'subquery') return !!item.lateral;
  if (item.kind === 'function') return !!item.lateral || hasColumnRef(item.call.args);
  return false;
}

function hasColumnRef(n: unknown): boolean {
  if (Array.isArray(n)) return n.some(hasColumnRef);
  if (typeof n !== 'object' || n === null) return false;
  if ((n as { kind?: string }).kind === 'column') return true;
  return Object.values(n).some(hasColumnRef);
}

function fromHasLateral(items: FromItem[]): boolean {
  return items.some((f) => isLateral(f) || (f.kind === 'join' && fromHasLateral([f.left, f.right])));
}

/** SELECT blocks whose FROM holds a lateral item, innermost first. */
const lateralBlocks = (root: unknown): SelectStmt[] =>
  selectBlocks(root, (q) => Array.isArray(q.from) && fromHasLateral(q.from));

/**
 * For checking a statement's names before anything runs: each LATERAL item of `root` (a copy,
 * changed in place) becomes a plain subquery, its reads of the items to its left NULLs of their
 * types. Names that resolve nowhere still fail to plan; errors other than those are the real
 * run's to raise.
 */
export function lateralsAsPlain(root: unknown, env: PlannerEnv): void {
  for (const q of lateralBlocks(root)) {
    const before: FromItem[] = [];
    q.from = q.from.map((item) => {
      const out = plainJoins(env, item, before);
      before.push(out);
      return out;
    });
  }
}

function plainJoins(env: PlannerEnv, item: FromItem, before: FromItem[]): FromItem {
  if (isLateral(item))
    return before.length ? asPlain(env, item, crossAll(before)) : { ...item, lateral: false };
  if (item.kind !== 'join') return item;
  const left = plainJoins(env, item.left, before);
  return { ...item, left, right: plainJoins(env, item.right, [...before, left]) };
}

function asPlain(env: PlannerEnv, item: LateralItem, left: FromItem): FromItem {
  const leftScope = new Planner(env).planFrom([left]).scope;
  const query = lateralQuery(item);
  const keyOf = new Map<ColumnRef, number>();
  const keys: { type: SqlType }[] = [];
  for (const [ref, index] of outerRefs(env, query, leftScope))
    keyOf.set(ref, keys.push({ type: leftScope.columns[index]!.type }) - 1);
  const alias = item.kind === 'subquery' ? item.alias : { name: item.alias?.name ?? item.call.name };
  const sub = substitute(
    query,
    keyOf,
    keys,
    keys.map(() => null),
  ) as Query;
  return { kind: 'subquery', query: sub, alias, pos: item.pos };
}

export function hasLateral(root: unknown): boolean {
  return lateralBlocks(root).length > 0;
}

/** Computes every lateral item of the statement into a work table (see the file comment). */
export async function computeLaterals(
  s: Session,
  root: unknown,
  env: PlannerEnv,
  prepare: (q: Query) => Promise<void>,
): Promise<void> {
  for (const q of lateralBlocks(root)) {
    const from: FromItem[] = [];
    for (let item of q.from) {
      // A LATERAL item inside a join may read the comma items before the join too: they join
      // in at the join's leftmost leaf (the same rows, while no RIGHT or FULL join is above it).
      if (from.length && item.kind === 'join' && fromHasLateral([item]) && innerSpine(item)) {
        checkOnScopes(item, from);
        item = atLeftmost(item, crossAll(from));
        from.length = 0;
      }
      const outside = from.length && item.kind === 'join' && !innerSpine(item) ? [...from] : [];
      if (isLateral(item) && from.length) {
        // `a, b, LATERAL (...) s`: joined to everything before it.
        const left = crossAll(from);
        from.length = 0;
        from.push(await joinLateral(s, env, prepare, left, item, 'inner', undefined, item.pos, [], q.where));
      } else from.push(await rewriteJoins(s, env, prepare, item, outside, q.where));
    }
    q.from = from;
  }
}

/** The names a FROM item's columns are qualified with. */
function aliasesOf(item: FromItem): string[] {
  switch (item.kind) {
    case 'join':
      return [...aliasesOf(item.left), ...aliasesOf(item.right)];
    case 'table':
      return [item.alias?.name ?? item.name.name];
    case 'subquery':
      return [item.alias.name];
    case 'function':
      return [item.alias?.name ?? item.call.name];
    default:
      return [];
  }
}

/**
 * A join's ON sees only the join's own items, not the comma items before it (which its LATERAL
 * items may read): Postgres' error for such a reference, kept when those items join in.
 */
function checkOnScopes(item: FromItem, before: FromItem[]): void {
  if (item.kind !== 'join') return;
  checkOnScopes(item.left, before);
  checkOnScopes(item.right, before);
  if (!item.on) return;
  const own = new Set(aliasesOf(item));
  const outside = new Set(before.flatMap(aliasesOf));
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(visit);
    if (typeof n !== 'object' || n === null) return;
    const node = n as { kind?: string; query?: unknown };
    if (node.kind === 'column') {
      const ref = n as ColumnRef;
      if (ref.table !== undefined && !own.has(ref.table) && outside.has(ref.table))
        throw sqlError('undefined_table', `invalid reference to FROM-clause entry for table "${ref.table}"`, {
          hint: `There is an entry for table "${ref.table}", but it cannot be referenced from this part of the query.`,
          position: ref.pos,
        });
      return;
    }
    if (node.query) return; // a subquery has scopes of its own
    Object.values(n).forEach(visit);
  };
  visit(item.on);
}

/** The AND of the WHERE conjuncts that read only columns qualified with `aliases` (no subqueries). */
function leftConditions(where: Expr | undefined, aliases: Set<string>): Expr | undefined {
  const onlyLeft = (n: unknown): boolean => {
    if (Array.isArray(n)) return n.every(onlyLeft);
    if (typeof n !== 'object' || n === null) return true;
    const node = n as { kind?: string; table?: string; query?: unknown; over?: unknown };
    if (node.kind === 'column') return node.table !== undefined && aliases.has(node.table);
    if (node.query || node.over) return false;
    return Object.values(n).every(onlyLeft);
  };
  return andAst((where ? conjuncts(where) : []).filter(onlyLeft));
}

function crossAll(items: FromItem[]): FromItem {
  return items.reduce((l, r): FromItem => ({
    kind: 'join',
    joinType: 'cross',
    natural: false,
    left: l,
    right: r,
    pos: r.pos,
  }));
}

/** Whether every join from the root down to the leftmost leaf keeps all its left rows' matches as an inner join would. */
function innerSpine(item: FromItem): boolean {
  for (let f = item; f.kind === 'join'; f = f.left)
    if (f.joinType === 'right' || f.joinType === 'full') return false;
  return true;
}

function atLeftmost(item: FromItem, before: FromItem): FromItem {
  if (item.kind !== 'join')
    return { kind: 'join', joinType: 'cross', natural: false, left: before, right: item, pos: item.pos };
  return { ...item, left: atLeftmost(item.left, before) };
}

async function rewriteJoins(
  s: Session,
  env: PlannerEnv,
  prepare: (q: Query) => Promise<void>,
  item: FromItem,
  outside: FromItem[] = [],
  where?: Expr,
): Promise<FromItem> {
  if (item.kind !== 'join') {
    // The leftmost item under a RIGHT or FULL join: nothing of its own join is to its left.
    if (isLateral(item) && outside.length) {
      const f = crossAll(outside);
      await prepare({
        kind: 'select',
        distinct: false,
        targets: [{ kind: 'star', pos: item.pos }],
        from: [f],
        groupBy: [],
        orderBy: [],
        pos: item.pos,
      });
      outerRefs(env, lateralQuery(item), new Scope([]), new Planner(env).planFrom([f]).scope);
    }
    return item;
  }
  // The WHERE filters an item's rows early only where the join above cannot null them: not
  // the left of a RIGHT join, the right of a LEFT one, either side of a FULL one (seed 13066:
  // `a0.c2 IS NULL` pushed below a RIGHT join kept a NULL-extended row).
  const nullsLeft = item.joinType === 'right' || item.joinType === 'full';
  const nullsRight = item.joinType === 'left' || item.joinType === 'full';
  const left = await rewriteJoins(s, env, prepare, item.left, outside, nullsLeft ? undefined : where);
  if (!isLateral(item.right))
    return {
      ...item,
      left,
      right: await rewriteJoins(s, env, prepare, item.right, outside, nullsRight ? undefined : where),
    };
  if (item.joinType === 'right' || item.joinType === 'full')
    throw sqlError('invalid_column_reference', 'invalid reference to FROM-clause entry in a LATERAL item', {
      detail: 'The combining JOIN type must be INNER or LEFT for a LATERAL reference.',
      position: item.right.pos,
    });
  if (item.natural || item.using)
    throw sqlError('feature_not_supported', 'NATURAL or USING joins of a LATERAL item are not supported', {
      hint: 'Write the join condition with ON.',
      position: item.pos,
    });
  return joinLateral(
    s,
    env,
    prepare,
    left,
    item.right,
    item.joinType === 'left' ? 'left' : 'inner',
    item.on,
    item.pos,
    outside,
    where,
  );
}

let tables = 0;

/** The query a lateral item runs: the subquery, or SELECT * FROM the function. */
function lateralQuery(item: LateralItem): Query {
  if (item.kind === 'subquery') return item.query;
  return {
    kind: 'select',
    distinct: false,
    targets: [{ kind: 'star', pos: item.pos }],
    from: [{ ...item, lateral: false }],
    groupBy: [],
    orderBy: [],
    pos: item.pos,
  };
}

/** Value sets computed per dispatch. */
const BATCH = 100;

const intLiteral = (n: number, pos: number): Expr => ({
  kind: 'literal',
  value: n,
  literalType: 'integer',
  text: String(n),
  pos,
});

const TRUE = (pos: number): Expr => ({ kind: 'literal', value: true, literalType: 'boolean', pos });

async function joinLateral(
  s: Session,
  env: PlannerEnv,
  prepare: (q: Query) => Promise<void>,
  left: FromItem,
  item: LateralItem,
  joinType: 'inner' | 'left',
  on: Expr | undefined,
  pos: number,
  outside: FromItem[] = [],
  where?: Expr,
): Promise<FromItem> {
  // The left side's own windows, recursive WITH queries and InitPlans first (in place), so it plans.
  const scopeOf = async (items: FromItem[]): Promise<Scope> => {
    const f = crossAll(items);
    await prepare({
      kind: 'select',
      distinct: false,
      targets: [{ kind: 'star', pos }],
      from: [f],
      groupBy: [],
      orderBy: [],
      pos,
    });
    return new Planner(env).planFrom([f]).scope;
  };
  const leftScope = await scopeOf([left]);
  const outsideScope = outside.length ? await scopeOf(outside) : undefined;
  const alias = item.kind === 'subquery' ? item.alias : { name: item.alias?.name ?? item.call.name };
  const query = lateralQuery(item);
  const refs = outerRefs(env, query, leftScope, outsideScope);
  if (!refs.size) {
    // Reads nothing from its left: an ordinary item.
    const plain: FromItem = { ...item, lateral: false };
    return joinType === 'inner' && !on
      ? { kind: 'join', joinType: 'cross', natural: false, left, right: plain, pos }
      : { kind: 'join', joinType, natural: false, left, right: plain, on: on ?? TRUE(pos), pos };
  }
  // One key per left column read, however many times it is written.
  const keyOf = new Map<ColumnRef, number>();
  const keys: { index: number; ref: ColumnRef; type: SqlType }[] = [];
  for (const [ref, index] of refs) {
    let k = keys.findIndex((x) => x.index === index);
    if (k < 0) {
      const col = leftScope.columns[index]!;
      const qualified: ColumnRef = col.rel
        ? { kind: 'column', table: col.rel, name: col.name, pos: ref.pos }
        : ref;
      k = keys.push({ index, ref: qualified, type: col.type }) - 1;
    }
    keyOf.set(ref, k);
  }
  const withValues = (values: Value[]): Query => substitute(query, keyOf, keys, values) as Query;

  // Planned once with NULLs first: the columns, and any error, before anything runs.
  const probe = withValues(keys.map(() => null));
  await prepare(probe);
  const columns = new Planner(env).planTop(probe).columns;

  // The left side's value sets, told apart by their text: equal values that print differently
  // (numeric 1.0 and 1.00) are different inputs to the item, and json has no equality at all.
  const asText = (e: Expr): Expr => ({ kind: 'cast', expr: e, type: { name: 'text', pos }, pos });
  const distinct: SelectStmt = {
    kind: 'select',
    distinct: true,
    targets: keys.map((k) => ({ kind: 'expr', expr: asText(k.ref), pos: k.ref.pos })),
    from: [left],
    groupBy: [],
    orderBy: [],
    pos,
  };
  // The statement's WHERE conditions on the left side alone filter it here too, as Postgres
  // pushes them below the join: the item never runs for a row they remove.
  const own = leftConditions(where, new Set(aliasesOf(left)));
  if (own) distinct.where = own;
  const outer = await run(s, env, prepare, distinct);
  const valuesOf = (texts: Value[]): Value[] =>
    texts.map((t, i) => (t === null ? null : parseValue(t as string, keys[i]!.type)));
  // The item once per value set, BATCH at a time as one UNION ALL (one dispatch), each row
  // tagged with the index of the values it was computed for.
  const rows: Value[][] = [];
  for (let at = 0; at < outer.length; at += BATCH) {
    await s.interrupts?.check();
    const parts = outer.slice(at, at + BATCH).map((values, k): Query => ({
      kind: 'select',
      distinct: false,
      targets: [
        { kind: 'expr', expr: intLiteral(at + k, pos), alias: '\u0001n', pos },
        { kind: 'star', table: '\u0001l', pos },
      ],
      from: [{ kind: 'subquery', query: withValues(valuesOf(values)), alias: { name: '\u0001l' }, pos }],
      groupBy: [],
      orderBy: [],
      pos,
    }));
    const union = parts.reduce((l, r): Query => ({
      kind: 'setop',
      op: 'union',
      all: true,
      left: l,
      right: r,
      orderBy: [],
      pos,
    }));
    for (const r of await run(s, env, prepare, union)) rows.push([...r.slice(1), ...outer[r[0] as number]!]);
  }
  const table: WorkTable = {
    columns: [
      ...columns.map((c) => ({ name: c.name, type: c.type })),
      ...keys.map((_k, i) => ({ name: `\u0001lk${i}`, type: T.text })),
    ],
    rows,
  };
  const name = `\u0001lateral${++tables}`;
  (env.workTables ??= new Map()).set(name, table);
  const match = keys
    .map((k, i): Expr => ({
      kind: 'isDistinct',
      not: true,
      left: asText(k.ref),
      right: { kind: 'column', table: alias.name, name: `\u0001lk${i}`, pos },
      pos,
    }))
    .reduce((a, b) => ({ kind: 'binary', op: 'and', left: a, right: b, pos }));
  return {
    kind: 'join',
    joinType,
    natural: false,
    left,
    right: { kind: 'table', name: { name, pos: item.pos }, alias, pos: item.pos },
    on: on ? { kind: 'binary', op: 'and', left: on, right: match, pos } : match,
    pos,
  };
}

async function run(
  s: Session,
  env: PlannerEnv,
  prepare: (q: Query) => Promise<void>,
  q: Query,
): Promise<Value[][]> {
  await prepare(q);
  const plan = new Planner(env).planTop(q);
  const dtx = await s.dtxContext(false);
  return (await runPlan(s.qd.dispatchEnv(s), plan.node, dtx, s.statementTime)).rows;
}

/** What a query level's own FROM and select list make visible, for telling inner names from outer. */
interface Level {
  scope: Scope | undefined;
  /** Names a function item that reads the left side gives (it plans only after substitution). */
  names: Set<string>;
  tables: Set<string>;
  /** Output aliases, visible to ORDER BY and GROUP BY. */
  aliases: Set<string>;
}

/**
 * The column references of `query` that name a column of the left side: those no level of the
 * query (its own or one around it) resolves.
 */
function outerRefs(env: PlannerEnv, query: Query, left: Scope, outside?: Scope): Map<ColumnRef, number> {
  const out = new Map<ColumnRef, number>();
  const inner = (levels: Level[], ref: ColumnRef, aliases: boolean): boolean =>
    levels.some(
      (l) =>
        (l.scope && resolves(l.scope, ref)) ||
        (ref.table === undefined
          ? l.names.has(ref.name) || (aliases && l.aliases.has(ref.name))
          : l.tables.has(ref.table)),
    );
  const visit = (n: unknown, levels: Level[], aliases = false): void => {
    if (Array.isArray(n)) return n.forEach((x) => visit(x, levels, aliases));
    if (typeof n !== 'object' || n === null) return;
    const node = n as { kind?: string };
    if (node.kind === 'select' && Array.isArray((n as SelectStmt).from)) {
      const q = n as SelectStmt;
      const level = levelOf(env, q);
      const all = [...levels, level];
      for (const [k, v] of Object.entries(q)) visit(v, all, k === 'orderBy' || k === 'groupBy');
      return;
    }
    if (node.kind === 'column') {
      const ref = n as ColumnRef;
      if (inner(levels, ref, aliases)) return;
      if (resolves(left, ref)) out.set(ref, left.lookup(ref)!);
      else if (outside && resolves(outside, ref))
        // Postgres runs the whole RIGHT/FULL join once per row of that item; the lab cannot.
        throw sqlError(
          'feature_not_supported',
          'a LATERAL reference to a FROM item outside a RIGHT or FULL join is not supported',
          {
            hint: 'Move the LATERAL item out of the RIGHT or FULL join, or join that item inside it.',
            position: ref.pos,
          },
        );
      else if (ref.table !== undefined && left.columns.some((c) => c.rel === ref.table)) {
        const hint = missingColumnHint(ref, left.columns);
        throw sqlError('undefined_column', `column ${ref.table}.${ref.name} does not exist`, {
          position: ref.pos,
          ...(hint ? { hint } : {}),
        });
      }
      return;
    }
    for (const v of Object.values(n)) visit(v, levels, aliases);
  };
  visit(query, []);
  return out;
}

/**
 * A query level's names. Its FROM is planned with every join condition as TRUE (the names do not
 * depend on them, and one may read the left side); a function item that reads the left side
 * contributes its alias and column names.
 */
function levelOf(env: PlannerEnv, q: SelectStmt): Level {
  const names = new Set<string>();
  const tables = new Set<string>();
  const plain = (f: FromItem): FromItem | undefined => {
    if (hasColumnRefToLeft(f) && f.kind === 'function') {
      const alias = f.alias?.name ?? f.call.name;
      tables.add(alias);
      for (const c of f.alias?.columns ?? [alias]) names.add(c);
      return undefined;
    }
    if (f.kind !== 'join') return f;
    const l = plain(f.left);
    const r = plain(f.right);
    if (!l || !r) return l ?? r;
    const { on: _on, ...rest } = f;
    return rest.using || rest.natural
      ? { ...rest, left: l, right: r }
      : { ...rest, left: l, right: r, on: TRUE(f.pos) };
  };
  let scope: Scope | undefined;
  try {
    scope = new Planner(env).planFrom(q.from.map(plain).filter((f): f is FromItem => !!f)).scope;
  } catch {
    scope = undefined;
  }
  const aliases = new Set(q.targets.flatMap((t) => (t.kind === 'expr' && t.alias ? [t.alias] : [])));
  return { scope, names, tables, aliases };
}

/** A FROM item that itself reads the left side (a function's arguments) plans only after substitution. */
function hasColumnRefToLeft(f: FromItem): boolean {
  return f.kind === 'function' && hasColumnRef(f.call.args);
}

function resolves(scope: Scope, ref: ColumnRef): boolean {
  try {
    return scope.lookup(ref) !== undefined;
  } catch {
    return true; // ambiguous there: it is that scope's error to raise
  }
}

/**
 * A copy of the AST with each outer reference replaced by its value, typed as the column: a
 * parameter, as Postgres passes an outer value (never folded into a constant while planning, so
 * `10 / t.d` fails only on a row that reaches it), named as the column it stands for.
 */
function substitute(
  n: unknown,
  keyOf: Map<ColumnRef, number>,
  keys: { type: SqlType }[],
  values: Value[],
): unknown {
  if (Array.isArray(n)) return n.map((x) => substitute(x, keyOf, keys, values));
  if (typeof n !== 'object' || n === null) return n;
  const k = keyOf.get(n as ColumnRef);
  if (k !== undefined) {
    const ref = n as ColumnRef;
    return {
      kind: 'outerValue',
      value: values[k] ?? null,
      type: keys[k]!.type,
      name: ref.name,
      pos: ref.pos,
    };
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(n)) out[key] = substitute(v, keyOf, keys, values);
  return out;
}
