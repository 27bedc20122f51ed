/**
 * The planner: a parsed query → a distributed physical plan.
 *
 * It resolves names against the catalog slice it was given, binds expressions, and places
 * Motions so each operator sees the rows it needs: joins run co-located when both sides are
 * hashed on the join keys, otherwise one side is redistributed on its keys (or broadcast when
 * there are none); aggregates run in two phases (partial on segments, final after a motion);
 * sorts run on segments and merge at the Gather; the result always ends on the coordinator.
 */
import { chooseIndexScan, type ScanMethods } from './index-scan.ts';
import { sqlError } from '../errors.ts';
import type { Expr, FromItem, Query, SelectStmt, SelectTarget, SortItem } from '../sql/ast.ts';
import { bindBooleanCondition, bindExpr, coerce, type BindScope } from '../sql/bind-expr.ts';
import type { BoundExpr } from '../sql/expr-bound.ts';
import { resolveOperator } from '../sql/functions.ts';
import { foldExpression, raiseConstantErrors } from '../sql/eval.ts';
import { commonType, requireEquality, requireOrdering, T, type SqlType, type Value } from '../sql/types.ts';
import { planAggregation, queryHasAggregates } from './planner-agg.ts';
import { attachScalarSubqueries, pullUpSublinks } from './planner-sublink.ts';
import { colocatedOn, gather, onSegments, projectLocus, redistribute, SliceCounter } from './locus.ts';
import { directContents, tableLocus } from './direct-dispatch.ts';
import { andAll, join, planJoinItem, splitAnd } from './planner-join.ts';
import { planSetOp, planValues } from './planner-setop.ts';
import { planFromWhere } from './planner-from.ts';
import { targetName } from './target-names.ts';
import { orderQuals } from './qual-order.ts';
import { raisePlanConstantErrors } from './plan-constants.ts';
import type { PlanNode, SortKey, TableInfo } from './plan.ts';
import { columnsOf, sameExpr, Scope, type ScopeColumn } from './scope.ts';
import { workTableScan } from './work-table-scan.ts';

/** A coordinator-only relation the planner can read (system views). */
export interface SystemRelation {
  columns: { name: string; type: SqlType }[];
}

export interface PlannerEnv {
  /** User tables by name (preloaded from the catalog for this statement). */
  tables: Map<string, TableInfo>;
  system: Map<string, SystemRelation>;
  numSegments: number;
  /** Results of uncorrelated subqueries, computed before planning (InitPlans). */
  initplans: Map<object, Value | Value[]>;
  /** Rows of recursive WITH queries (their rounds and results), by internal relation name. */
  workTables?: Map<string, WorkTable>;
  /** Planning only to check names (parse analysis): constant expressions are not computed. */
  namesOnly?: boolean;
  /** enable_indexscan and enable_seqscan (both on when not given). */
  scanMethods?: ScanMethods;
}

/** Rows computed before planning, read as a relation (a recursive WITH query's). */
export interface WorkTable {
  columns: { name: string; type: SqlType }[];
  rows: Value[][];
  /** Instead of rows: the plan that computes them (a window query's), read where it is planned. */
  plan?: PlanNode;
}

/** A planned relation: the node and the names of its output columns. */
export interface RelPlan {
  node: PlanNode;
  scope: Scope;
  /** A sorted subquery's order, on each segment: a gather above it merges on it. */
  order?: SortKey[];
}

export interface PlannedQuery {
  node: PlanNode;
  columns: { name: string; type: SqlType }[];
}

export class Planner {
  readonly slices = new SliceCounter();
  /** Correlated scalar subqueries turned into join columns (AST node → column). */
  readonly subqueryColumns = new Map<object, number>();
  readonly env: PlannerEnv;
  /**
   * Planning the input of an UPDATE or DELETE: the left input of every join (the target's rows,
   * or relations joined to them) stays where it is, so each row is changed on its own segment.
   */
  keepLeftInPlace = false;
  /** The statement's own query, and its target list once bound (planTop folds it first). */
  private topQuery: Query | undefined;
  private topTargets: BoundExpr[] = [];

  constructor(env: PlannerEnv) {
    this.env = env;
  }

  /** Plans a query whose result goes to the client: it ends on the coordinator. */
  planTop(q: Query): PlannedQuery {
    const p = this.planInPlace(q);
    return { node: this.toEntry(p.node, p.mergeKeys), columns: p.columns };
  }

  /** Plans a query as planTop does, its result left where it is computed (for more on top). */
  planInPlace(q: Query): PlannedQuery & { mergeKeys?: SortKey[] } {
    this.topQuery = q;
    const planned = this.planQuery(q);
    // Postgres folds the target list's constants before the quals' (eval_const_expressions in
    // subquery_planner): an error there comes first, even if a qual below would fail too.
    const p = this.resolveUnknowns(planned);
    if (this.env.namesOnly) return p;
    for (const e of this.topTargets) raiseConstantErrors(e);
    // Then every other expression's, as Postgres folds them all while planning: a LIMIT 0 or an
    // empty table does not spare the statement a failing constant (fuzz seed 15028).
    raisePlanConstantErrors(p.node);
    return p;
  }

  /** Output columns still of unknown type (untyped literals) become text, as Postgres does. */
  resolveUnknowns<P extends PlannedQuery>(p: P): P {
    if (!p.columns.some((c) => c.type.name === 'unknown')) return p;
    const fixed = p.columns.map((c, i): BoundExpr => {
      const col: BoundExpr = { kind: 'col', index: i, type: c.type };
      return c.type.name === 'unknown' ? coerce(col, T.text, 'implicit') : col;
    });
    return {
      ...p,
      node: this.project(p.node, fixed),
      columns: p.columns.map((c) => (c.type.name === 'unknown' ? { ...c, type: T.text } : c)),
    };
  }

  /** Plans a query; the result may still live on segments. */
  planQuery(q: Query): PlannedQuery & { mergeKeys?: SortKey[] } {
    // WITH queries nothing references are bound for their errors, on a planner of their own
    // (their plans are dropped: nothing of them reaches this plan's slices).
    for (const unused of q.unusedCtes ?? []) new Planner(this.env).planQuery(unused);
    switch (q.kind) {
      case 'select':
        return this.planSelect(q);
      case 'values':
        return planValues(this, q);
      case 'setop':
        return planSetOp(this, q);
    }
  }

  /** Brings a plan to the coordinator, merging when it is sorted. */
  toEntry(n: PlanNode, mergeKeys?: SortKey[]): PlanNode {
    if (n.locus.kind === 'general') return { ...n, locus: { kind: 'entry' } } as PlanNode;
    return gather(n, this.slices, mergeKeys);
  }

  // ---- SELECT ---------------------------------------------------------------------------

  private planSelect(input: SelectStmt): PlannedQuery & { mergeKeys?: SortKey[] } {
    const q = liftSetReturningTargets(input);
    const from = planFromWhere(this, q.from, q.where);
    let rel = from.rel;
    if (from.where) rel = this.applyWhere(rel, from.where);
    rel = attachScalarSubqueries(this, rel, q.targets, this.subqueryColumns);
    // A sorted subquery alone in FROM, under a plain filter at most, keeps its order here as in
    // Postgres (its path keys): the gather merges on it rather than concatenating the segments.
    const fromNode = from.rel.node;
    const orderKept = rel.node === fromNode || (rel.node.op === 'filter' && rel.node.input === fromNode);
    const inheritedOrder = orderKept ? from.rel.order : undefined;
    // HAVING alone makes a grouped query too: one group of every row (Postgres' rule).
    const grouped = q.groupBy.length > 0 || q.having !== undefined || queryHasAggregates(q);
    let outExprs: BoundExpr[];
    let names: string[];
    let inputScope = rel.scope;
    let node = rel.node;
    let orderExprs: { key: SortKey; item: SortItem }[];
    if (grouped) {
      const agg = planAggregation(this, rel, q);
      node = agg.node;
      outExprs = agg.targets;
      names = agg.names;
      orderExprs = agg.order;
      inputScope = agg.scope;
    } else {
      this.currentTypes = rel.node.types;
      const t = this.bindTargets(q.targets, rel.scope);
      outExprs = t.exprs;
      names = t.names;
      orderExprs = q.orderBy.map((item) => ({
        item,
        key: this.bindSortKey(item, rel.scope, outExprs, names),
      }));
    }
    void inputScope;
    if (input === this.topQuery) this.topTargets = outExprs;
    // Sort keys that are not output columns ride along as hidden columns until the sort.
    const visible = outExprs.length;
    const allExprs = [...outExprs];
    const ride = (key: SortKey): SortKey => {
      const at = allExprs.findIndex((e) => sameExpr(e, key.expr));
      const idx = at >= 0 ? at : allExprs.push(key.expr) - 1;
      return { ...key, expr: { kind: 'col', index: idx, type: key.expr.type } };
    };
    const keys: SortKey[] = orderExprs.map(({ key }) => ride(key));
    // Its own ORDER BY, grouping or DISTINCT decide the order instead.
    const presorted =
      inheritedOrder && !grouped && !q.distinct && !keys.length ? inheritedOrder.map(ride) : [];
    if (q.distinct && allExprs.length > visible)
      throw sqlError(
        'invalid_column_reference',
        'for SELECT DISTINCT, ORDER BY expressions must appear in select list',
        {
          position: q.orderBy[0]?.pos ?? q.pos,
        },
      );
    node = this.project(node, allExprs);
    if (q.distinct) node = this.distinct(node, q.pos);
    const limited = this.sortAndLimit(node, keys, q.limit, q.offset, presorted);
    node = limited.node;
    let mergeKeys = limited.mergeKeys;
    if (allExprs.length > visible) {
      // Merge at the gather while the sort columns are still there.
      if (mergeKeys) {
        node = this.toEntry(node, mergeKeys);
        mergeKeys = undefined;
      }
      node = this.project(
        node,
        outExprs.map((e, i) => ({ kind: 'col', index: i, type: e.type }) as BoundExpr),
      );
    }
    return {
      node,
      columns: names.map((name, i) => ({ name, type: outExprs[i]!.type })),
      ...(mergeKeys ? { mergeKeys } : {}),
    };
  }

  bindTargets(
    targets: SelectTarget[],
    scope: Scope,
    bs?: BindScope,
  ): { exprs: BoundExpr[]; names: string[] } {
    const exprs: BoundExpr[] = [];
    const names: string[] = [];
    const binder = bs ?? this.exprScope(scope, 'SELECT');
    for (const t of targets) {
      if (t.kind === 'star') {
        const cols = scope.star(t.table, t.pos);
        if (cols.length === 0 && t.table === undefined)
          throw sqlError('syntax_error', 'SELECT * with no tables specified is not valid', {
            position: t.pos,
          });
        for (const { index, col } of cols) {
          exprs.push({ kind: 'col', index, type: col.type });
          names.push(col.name);
        }
        continue;
      }
      // An untyped literal stays unknown here: INSERT gives it the column's type; a client
      // or a FROM subquery sees text (resolveUnknowns).
      exprs.push(bindExpr(t.expr, binder));
      names.push(t.alias ?? targetName(t.expr));
    }
    return { exprs, names };
  }

  /** A BindScope for expressions of a clause, with subqueries answered from the InitPlans. */
  exprScope(scope: Scope, clause: string): BindScope {
    return scope.bindScope({
      clause,
      bindSubquery: (node, bindArg) => this.subqueryValue(node, bindArg),
    });
  }

  /** ORDER BY item: an output alias, an ordinal, or an expression over the input. */
  bindSortKey(item: SortItem, scope: Scope, outExprs: BoundExpr[], names: string[], bs?: BindScope): SortKey {
    const key = this.bindSortExpr(item, scope, outExprs, names, bs);
    requireOrdering(key.expr.type, item.expr.pos);
    return key;
  }

  private bindSortExpr(
    item: SortItem,
    scope: Scope,
    outExprs: BoundExpr[],
    names: string[],
    bs?: BindScope,
  ): SortKey {
    const nullsFirst = item.nulls ? item.nulls === 'first' : item.descending;
    const e = item.expr;
    if (e.kind === 'literal' && e.literalType === 'integer') {
      // Postgres' scanner reads a literal past int4 as a float: not a position.
      if (Math.abs(Number(e.text ?? e.value)) > 2147483647)
        throw sqlError('syntax_error', 'non-integer constant in ORDER BY', { position: e.pos });
      const n = Number(e.value);
      if (n < 1 || n > outExprs.length)
        throw sqlError('invalid_column_reference', `ORDER BY position ${n} is not in select list`, {
          position: e.pos,
        });
      return { expr: outExprs[n - 1]!, descending: item.descending, nullsFirst };
    }
    if (e.kind === 'column' && e.table === undefined) {
      const hits = names.map((n, i) => (n === e.name ? i : -1)).filter((i) => i >= 0);
      if (hits.length > 1 && !hits.every((h) => sameExpr(outExprs[h]!, outExprs[hits[0]!]!)))
        throw sqlError('ambiguous_column', `ORDER BY "${e.name}" is ambiguous`, { position: e.pos });
      if (hits.length >= 1 && scope.lookup(e) === undefined)
        return { expr: outExprs[hits[0]!]!, descending: item.descending, nullsFirst };
      if (hits.length >= 1) return { expr: outExprs[hits[0]!]!, descending: item.descending, nullsFirst };
    }
    return {
      expr: bindExpr(e, bs ?? this.exprScope(scope, 'ORDER BY')),
      descending: item.descending,
      nullsFirst,
    };
  }

  project(node: PlanNode, exprs: BoundExpr[]): PlanNode {
    const identity =
      exprs.length === node.types.length && exprs.every((e, i) => e.kind === 'col' && e.index === i);
    if (identity) return node;
    return {
      op: 'project',
      input: node,
      exprs,
      types: exprs.map((e) => e.type),
      locus: projectLocus(node.locus, exprs),
    };
  }

  /** DISTINCT: rows equal on every column must meet, so hash on all of them first. */
  distinct(node: PlanNode, position?: number): PlanNode {
    for (const t of node.types) requireEquality(t, position);
    let input = node;
    const all = node.types.map((_, i) => i);
    if (
      onSegments(input.locus) &&
      input.locus.kind !== 'replicated' &&
      input.locus.kind !== 'single' &&
      !colocatedOn(input, all, input.types)
    )
      input = redistribute(input, all, this.slices);
    return { op: 'distinct', input, types: input.types, locus: input.locus };
  }

  /**
   * ORDER BY / LIMIT: sort on the segments and merge at the gather; limit on both sides. Rows
   * already `presorted` on each segment (a sorted subquery's) are merged on that order unsorted.
   */
  sortAndLimit(
    node: PlanNode,
    keys: SortKey[],
    limitAst?: Expr,
    offsetAst?: Expr,
    presorted: SortKey[] = [],
  ): { node: PlanNode; mergeKeys?: SortKey[] } {
    const scope = new Scope([]);
    const limit = limitAst ? this.bindLimit(limitAst, scope, 'LIMIT') : undefined;
    const offset = offsetAst ? this.bindLimit(offsetAst, scope, 'OFFSET') : undefined;
    let n = node;
    if (keys.length) n = { op: 'sort', input: n, keys, types: n.types, locus: n.locus };
    const order = keys.length ? keys : presorted;
    if (!limit && !offset)
      return order.length && onSegments(n.locus) ? { node: n, mergeKeys: order } : { node: n };
    if (onSegments(n.locus) && n.locus.kind !== 'replicated') {
      // Each segment keeps at most offset+limit rows; the coordinator applies the real limit.
      if (limit) {
        const pre: BoundExpr = offset ? addInt8(limit, offset) : limit;
        n = { op: 'limit', input: n, limit: pre, types: n.types, locus: n.locus };
      }
      n = gather(n, this.slices, order.length ? order : undefined);
    }
    const out: PlanNode = { op: 'limit', input: n, types: n.types, locus: n.locus };
    if (limit) out.limit = limit;
    if (offset) out.offset = offset;
    return { node: out };
  }

  private bindLimit(e: Expr, scope: Scope, what: string): BoundExpr {
    const b = bindExpr(e, this.exprScope(scope, what));
    if (columnsOf(b).size)
      throw sqlError('syntax_error', `argument of ${what} must not contain variables`, { position: e.pos });
    return coerce(b, T.int8, 'assignment', e.pos);
  }

  // ---- FROM -----------------------------------------------------------------------------

  planFrom(items: FromItem[]): RelPlan {
    if (items.length === 0)
      return {
        node: { op: 'result', exprs: [], types: [], locus: { kind: 'general' } },
        scope: new Scope([]),
      };
    let rel = this.planFromItem(items[0]!);
    for (const item of items.slice(1))
      rel = join(this, rel, this.planFromItem(item), 'cross', undefined, item.pos);
    return rel;
  }

  planFromItem(item: FromItem): RelPlan {
    switch (item.kind) {
      case 'table':
        return this.planTable(
          item.name.name,
          item.alias?.name ?? item.name.name,
          item.alias?.columns,
          item.pos,
        );
      case 'subquery': {
        const sub = this.resolveUnknowns(this.planQuery(item.query));
        const alias = item.alias.name;
        const given = item.alias.columns?.length ?? 0;
        if (given > sub.columns.length)
          throw sqlError(
            'invalid_column_reference',
            `${item.cte !== undefined ? 'WITH query' : 'table'} "${item.cte ?? alias}" has ${sub.columns.length} columns available but ${given} columns specified`,
            { position: item.pos },
          );
        const names = sub.columns.map((c, i) => item.alias.columns?.[i] ?? c.name);
        return {
          node: sub.node,
          scope: new Scope(sub.columns.map((c, i) => ({ rel: alias, name: names[i]!, type: c.type }))),
          ...(sub.mergeKeys ? { order: sub.mergeKeys } : {}),
        };
      }
      case 'function':
        return this.planFunction(item);
      case 'join':
        return planJoinItem(this, item);
    }
  }

  private planTable(name: string, alias: string, colAliases: string[] | undefined, pos: number): RelPlan {
    const wt = this.env.workTables?.get(name);
    if (wt) return workTableScan(wt, alias, colAliases, pos, this.slices);
    const t = this.env.tables.get(name);
    if (t) {
      const cols: ScopeColumn[] = t.columns.map((c, i) => ({
        rel: alias,
        name: colAliases?.[i] ?? c.name,
        type: c.type,
        ...(alias !== name ? { table: name } : {}),
      }));
      cols.push({ rel: alias, name: 'ctid', type: T.text, hidden: true });
      cols.push({ rel: alias, name: 'gp_segment_id', type: T.int4, hidden: true });
      const locus = tableLocus(t, this.env.numSegments);
      return {
        node: {
          op: 'scan',
          table: t,
          withCtid: true,
          withSegmentId: true,
          types: cols.map((c) => c.type),
          locus,
        },
        scope: new Scope(cols),
      };
    }
    const sys = this.env.system.get(name);
    if (sys) {
      const cols = sys.columns.map((c, i) => ({ rel: alias, name: colAliases?.[i] ?? c.name, type: c.type }));
      return {
        node: { op: 'systemScan', name, types: cols.map((c) => c.type), locus: { kind: 'entry' } },
        scope: new Scope(cols),
      };
    }
    throw sqlError('undefined_table', `relation "${name}" does not exist`, { position: pos });
  }

  private planFunction(item: Extract<FromItem, { kind: 'function' }>): RelPlan {
    const call = item.call;
    if (call.name !== 'generate_series')
      throw sqlError('feature_not_supported', `function ${call.name} in FROM is not supported`, {
        position: call.pos,
      });
    const empty = new Scope([]);
    let args = call.args.map((a) => bindExpr(a, this.exprScope(empty, 'FROM')));
    if (args.length < 2 || args.length > 3)
      throw sqlError(
        'undefined_function',
        `function generate_series(${args.map((a) => a.type.name).join(', ')}) does not exist`,
        {
          position: call.pos,
        },
      );
    const t = commonType(args.map((a) => (a.type.name === 'unknown' ? T.int4 : a.type)));
    const type = t.name === 'int8' || t.name === 'numeric' ? t : T.int4;
    args = args.map((a) => coerce(a, type, 'implicit', call.pos));
    const alias = item.alias?.name ?? 'generate_series';
    const colName = item.alias?.columns?.[0] ?? alias;
    return {
      node: { op: 'generateSeries', args, types: [type], locus: { kind: 'general' } },
      scope: new Scope([{ rel: alias, name: colName, type }]),
    };
  }

  // ---- WHERE ----------------------------------------------------------------------------

  applyWhere(input: RelPlan, whereAst: Expr): RelPlan {
    const pulled = pullUpSublinks(this, input, whereAst);
    const rel = pulled.rel;
    if (!pulled.where) return rel;
    const cond = bindBooleanCondition(pulled.where, this.exprScope(rel.scope, 'WHERE'), 'WHERE');
    return this.filterRel(rel, cond);
  }

  /** Keeps the rows of `rel` that satisfy `cond`; a filter on a bare scan may direct-dispatch it. */
  filterRel(rel: RelPlan, condition: BoundExpr): RelPlan {
    const n = rel.node;
    // Folded whole, in the order written, before it is split and ordered, as Postgres does. A
    // constant that fails is left for later, in the order written: Postgres checks every name
    // and folds the target list before the quals (raisePlanConstantErrors raises it then).
    const folded = this.env.namesOnly ? condition : foldOrKeep(condition);
    const where = folded ?? condition;
    const order = folded ? orderQuals : (quals: BoundExpr[]) => quals;
    const cond = andAll(order(splitAnd(where)));
    if (n.op === 'scan') {
      const filter = n.filter ? andAll(order([...splitAnd(n.filter), ...splitAnd(where)])) : cond;
      const direct = directContents(n, filter);
      const scan: PlanNode = { ...n, filter };
      delete scan.directContents;
      delete scan.index;
      if (direct) scan.directContents = direct;
      const index = this.env.namesOnly
        ? undefined
        : chooseIndexScan(n.table, filter, this.env.scanMethods ?? { indexscan: true, seqscan: true });
      if (index) scan.index = index;
      return { node: scan, scope: rel.scope };
    }
    return { node: { op: 'filter', input: n, cond, types: n.types, locus: n.locus }, scope: rel.scope };
  }

  // ---- subqueries -------------------------------------------------------------------------

  /** Set while binding the select list of a query whose rel got subquery columns. */
  currentTypes: SqlType[] = [];

  private subqueryColumnType(index: number): SqlType {
    return this.currentTypes[index] ?? T.text;
  }

  private subqueryValue(
    node: Parameters<NonNullable<BindScope['bindSubquery']>>[0],
    bindArg: (e: Expr) => BoundExpr,
  ): BoundExpr {
    const joined = this.subqueryColumns.get(node);
    if (joined !== undefined) return { kind: 'col', index: joined, type: this.subqueryColumnType(joined) };
    const result = this.env.initplans.get(node);
    if (result === undefined)
      throw sqlError('feature_not_supported', 'correlated subqueries are not supported in this position', {
        position: node.pos,
      });
    // InitPlan results: constants for the plan, not for constant folding (they are parameters).
    if (node.kind === 'exists')
      return { kind: 'const', value: result as boolean, type: T.bool, initplan: true };
    if (node.kind === 'subquery') {
      const sub = result as unknown as { value: Value; type: SqlType };
      return { kind: 'const', value: sub.value, type: sub.type, initplan: true };
    }
    const set = result as unknown as { values: Value[]; type: SqlType };
    const arg = bindArg(node.expr);
    const t = commonType([arg.type, set.type]);
    const eq = resolveOperator('=', [t, t]);
    const list: BoundExpr[] = set.values.map((v) =>
      coerce({ kind: 'const', value: v, type: set.type, initplan: true }, t, 'implicit'),
    );
    if (list.length === 0) return { kind: 'const', value: node.not, type: T.bool, initplan: true };
    return { kind: 'in', arg: coerce(arg, t, 'implicit'), list, key: eq.key, not: node.not, type: T.bool };
  }
}

// ---- helpers --------------------------------------------------------------------------------

function addInt8(a: BoundExpr, b: BoundExpr): BoundExpr {
  const op = resolveOperator('+', [T.int8, T.int8]);
  return { kind: 'func', key: op.key, args: [a, b], type: T.int8 };
}

/**
 * `SELECT generate_series(1, 10)` (a set-returning function in the select list, no FROM):
 * planned as `SELECT g FROM generate_series(1, 10) g`, which is what it means.
 */
function liftSetReturningTargets(q: SelectStmt): SelectStmt {
  if (q.from.length) return q;
  const srf = q.targets.findIndex(
    (t) => t.kind === 'expr' && t.expr.kind === 'call' && t.expr.name === 'generate_series',
  );
  if (srf < 0) return q;
  const t = q.targets[srf] as Extract<SelectTarget, { kind: 'expr' }>;
  const call = t.expr as Extract<Expr, { kind: 'call' }>;
  const col = '__srf';
  const targets = q.targets.map((x, i) =>
    i === srf
      ? {
          kind: 'expr' as const,
          expr: { kind: 'column' as const, name: col, pos: call.pos },
          alias: t.alias ?? 'generate_series',
          pos: x.pos,
        }
      : x,
  );
  return {
    ...q,
    targets,
    from: [{ kind: 'function', call, alias: { name: '__srf_rel', columns: [col] }, pos: call.pos }],
  };
}

/** `e` folded, or undefined when one of its constants fails. */
function foldOrKeep(e: BoundExpr): BoundExpr | undefined {
  try {
    return foldExpression(e);
  } catch {
    return undefined;
  }
}
