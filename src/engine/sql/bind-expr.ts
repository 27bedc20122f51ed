/**
 * Binding: AST expressions → typed BoundExpr trees, with Postgres' literal typing, operator and
 * function resolution, implicit coercions and its error messages.
 *
 * Untyped string literals are `unknown` constants until context gives them a type; integer
 * literals are int4, int8 when they do not fit, numeric beyond; decimal literals are numeric.
 */
import { SqlError, sqlError } from '../errors.ts';
import type { CallExpr, ColumnRef, ExistsExpr, Expr, InSubqueryExpr, ScalarSubquery } from './ast.ts';
import type { BoundAggCall, BoundExpr } from './expr-bound.ts';
import type { CoercionContext } from './types-cast.ts';
import type { SqlType } from './types.ts';
import {
  canCoerce,
  castValue,
  commonType,
  parseTypeName,
  requireEquality,
  parseValue,
  sameType,
  typeBaseName,
  typeDisplayName,
  T,
} from './types.ts';
import { normalizeNumeric } from './numeric.ts';
import { argTypeAt, resolveFunction, resolveOperator } from './functions.ts';
import type { FuncDef } from './functions.ts';
import { isAggregateName, ORDERED_SET_AGGREGATES, resolveAggregate } from './aggregates.ts';
import './expr-builtins.ts';
import { foldExpression } from './eval.ts';

export type { BoundExpr, BoundAggCall } from './expr-bound.ts';
export { isAggregateName } from './aggregates.ts';

/** What the planner provides to bind expressions of one clause. */
export interface BindScope {
  /** Resolves a column (usually to `{kind: 'col'}`); throws undefined_column / ambiguous itself. */
  resolveColumn(ref: ColumnRef): BoundExpr;
  /** Turns an aggregate call into a reference to its output; absent where aggregates are not allowed. */
  bindAggregate?(call: CallExpr, bindArg: (e: Expr) => BoundExpr): BoundExpr;
  /** Plans a subquery and returns e.g. a `{kind: 'param'}` node. */
  bindSubquery?(
    node: ScalarSubquery | ExistsExpr | InSubqueryExpr,
    bindArg: (e: Expr) => BoundExpr,
  ): BoundExpr;
  /** Clause name for errors: 'WHERE', 'JOIN conditions', 'GROUP BY', ... */
  clause?: string;
}

const BOOL = T.bool;

/** Postgres' exprLocation-style position of an AST node. */
function posOf(e: Expr): number {
  return e.pos;
}

function boolConst(v: boolean | null): BoundExpr {
  return { kind: 'const', value: v, type: BOOL };
}

/** Types an integer literal from its source text. */
function integerLiteral(text: string, pos: number): BoundExpr {
  const b = BigInt(text);
  if (b >= -2147483648n && b <= 2147483647n) return { kind: 'const', value: Number(b), type: T.int4, pos };
  if (b >= -9223372036854775808n && b <= 9223372036854775807n)
    return { kind: 'const', value: b, type: T.int8, pos };
  return { kind: 'const', value: normalizeNumeric(text), type: T.numeric, pos };
}

function withPos<R>(pos: number | undefined, f: () => R): R {
  try {
    return f();
  } catch (e) {
    if (e instanceof SqlError && e.position === undefined && pos !== undefined) e.position = pos;
    throw e;
  }
}

/**
 * Coerces a bound expression to `to` in the given context: unknown literals are parsed now
 * (errors point at the literal), constants are folded, other conversions become cast nodes.
 */
export function coerce(b: BoundExpr, to: SqlType, context: CoercionContext, pos?: number): BoundExpr {
  const from = b.type;
  if (sameType(from, to)) return b;
  if (from.name === to.name && !to.typmod) return b;
  if (b.kind === 'const' && (from.name === 'unknown' || b.value === null)) {
    if (b.value === null) return { kind: 'const', value: null, type: to };
    const v = withPos(b.pos ?? pos, () =>
      from.name === 'unknown'
        ? parseValue(b.value as string, to, context === 'explicit')
        : castValue(b.value, from, to, context),
    );
    return { kind: 'const', value: v, type: to };
  }
  if (!canCoerce(from.name, to.name, context)) {
    throw new SqlError(
      context === 'explicit' ? '42846' : '42804',
      `cannot cast type ${typeDisplayName(from)} to ${typeDisplayName(to)}`,
      pos === undefined ? undefined : { position: pos },
    );
  }
  // A cast of a constant that is not a literal stays a cast node: the planner folds it
  // (const-fold.ts) once every name in the statement is resolved, so '4294967296::bigint::int'
  // beside a missing table is 42P01, as in Postgres, whose parser converts only literals.
  return { kind: 'cast', arg: b, type: to, context };
}

/** Coerces to boolean for a clause, with Postgres' `argument of X must be type boolean` error. */
function toBool(b: BoundExpr, what: string, pos: number): BoundExpr {
  if (b.type.name === 'bool') return b;
  if (b.type.name === 'unknown') return coerce(b, BOOL, 'implicit', pos);
  throw sqlError(
    'datatype_mismatch',
    `argument of ${what} must be type boolean, not type ${typeBaseName(b.type)}`,
    {
      position: pos,
    },
  );
}

/** Binds a WHERE/HAVING/ON condition: must be boolean. */
export function bindBooleanCondition(ast: Expr, scope: BindScope, clauseName: string): BoundExpr {
  return toBool(bindExpr(ast, scope), clauseName, posOf(ast));
}

/** An 'anyjson' argument: to_json of it (an unknown literal is text first, as Postgres reads it). */
function toJsonArg(a: BoundExpr, pos?: number): BoundExpr {
  const arg = a.type.name === 'unknown' ? coerce(a, T.text, 'implicit', pos) : a;
  const def = resolveFunction('to_json', [arg.type], pos);
  return { kind: 'func', key: def.key, args: [arg], type: { name: 'json' }, implicit: true };
}

/** Coerces call arguments to the resolved signature ('anytext' slots become text). */
function coerceArgs(
  def: { args: FuncDef['args']; variadic: boolean },
  args: BoundExpr[],
  pos: number,
): BoundExpr[] {
  return args.map((a, i) => {
    const t = argTypeAt(def, i);
    if (t === 'anytext') return a.type.name === 'text' ? a : coerce(a, T.text, 'explicit', pos);
    if (t === 'anyjson') return toJsonArg(a, pos);
    return coerce(a, { name: t }, 'implicit', pos);
  });
}

function applyOperator(op: string, args: BoundExpr[], pos: number): BoundExpr {
  const def = resolveOperator(
    op,
    args.map((a) => a.type),
    pos,
  );
  return { kind: 'func', key: def.key, args: coerceArgs(def, args, pos), type: { name: def.result } };
}

function flatten(kind: 'and' | 'or', parts: BoundExpr[]): BoundExpr[] {
  const out: BoundExpr[] = [];
  for (const p of parts) {
    if (p.kind === kind) out.push(...p.args);
    else out.push(p);
  }
  return out;
}

/** Binds an expression tree. */
export function bindExpr(ast: Expr, scope: BindScope): BoundExpr {
  const bind = (e: Expr): BoundExpr => bindExpr(e, scope);
  switch (ast.kind) {
    case 'column':
      return scope.resolveColumn(ast);
    case 'literal':
      switch (ast.literalType) {
        case 'integer':
          return integerLiteral(ast.text ?? String(ast.value), ast.pos);
        case 'numeric':
          return {
            kind: 'const',
            value: normalizeNumeric(ast.text ?? String(ast.value)),
            type: T.numeric,
            pos: ast.pos,
          };
        case 'string':
          return { kind: 'const', value: String(ast.value), type: T.unknown, pos: ast.pos };
        case 'boolean':
          return boolConst(ast.value as boolean);
        default:
          return { kind: 'const', value: null, type: T.unknown, pos: ast.pos };
      }
    case 'binary': {
      if (ast.op === 'and' || ast.op === 'or') {
        const what = ast.op.toUpperCase();
        const l = toBool(bind(ast.left), what, posOf(ast.left));
        const r = toBool(bind(ast.right), what, posOf(ast.right));
        return { kind: ast.op, args: flatten(ast.op, [l, r]), type: BOOL };
      }
      return applyOperator(ast.op, [bind(ast.left), bind(ast.right)], ast.pos);
    }
    case 'unary': {
      if (ast.op === 'not')
        return { kind: 'not', arg: toBool(bind(ast.operand), 'NOT', posOf(ast.operand)), type: BOOL };
      return applyOperator(ast.op, [bind(ast.operand)], ast.pos);
    }
    case 'is': {
      const arg = bind(ast.expr);
      if (ast.test === 'null') return { kind: 'isNull', arg, not: ast.not, type: BOOL };
      const label = `IS ${ast.not ? 'NOT ' : ''}${ast.test.toUpperCase()}`;
      return {
        kind: 'isBool',
        arg: toBool(arg, label, posOf(ast.expr)),
        test: ast.test,
        not: ast.not,
        type: BOOL,
      };
    }
    case 'isDistinct': {
      const eq = applyOperator('=', [bind(ast.left), bind(ast.right)], ast.pos);
      if (eq.kind !== 'func') throw new Error('assertion failed: operator binding');
      const [left, right] = eq.args as [BoundExpr, BoundExpr];
      return { kind: 'distinct', left, right, key: eq.key, not: ast.not, type: BOOL };
    }
    case 'between': {
      const { expr, low, high, pos } = ast;
      const cmp = (op: '>=' | '<=' | '<' | '>', l: Expr, r: Expr): Expr => ({
        kind: 'binary',
        op,
        left: l,
        right: r,
        pos,
      });
      const and = (a: Expr, b: Expr): Expr => ({ kind: 'binary', op: 'and', left: a, right: b, pos });
      const or = (a: Expr, b: Expr): Expr => ({ kind: 'binary', op: 'or', left: a, right: b, pos });
      let tree: Expr;
      if (!ast.not) {
        tree = and(cmp('>=', expr, low), cmp('<=', expr, high));
        if (ast.symmetric) tree = or(tree, and(cmp('>=', expr, high), cmp('<=', expr, low)));
      } else {
        tree = or(cmp('<', expr, low), cmp('>', expr, high));
        if (ast.symmetric) tree = and(tree, or(cmp('<', expr, high), cmp('>', expr, low)));
      }
      return bind(tree);
    }
    case 'inList':
      return bindInList(ast.expr, ast.list, ast.not, ast.pos, scope);
    case 'inSubquery':
    case 'exists':
    case 'subquery':
      if (!scope.bindSubquery) {
        throw sqlError('feature_not_supported', 'subqueries are not supported here', { position: ast.pos });
      }
      return scope.bindSubquery(ast, bind);
    case 'like': {
      const op = ast.op === 'like' ? '~~' : '~~*';
      const f = applyOperator(op, [bind(ast.expr), bind(ast.pattern)], ast.pos);
      if (f.kind !== 'func') throw new Error('assertion failed: operator binding');
      const [arg, pattern] = f.args as [BoundExpr, BoundExpr];
      const node: BoundExpr = {
        kind: 'like',
        arg,
        pattern,
        ci: ast.op === 'ilike',
        not: ast.not,
        key: f.key,
        type: BOOL,
      };
      if (ast.escape) node.escape = coerce(bind(ast.escape), T.text, 'implicit', ast.escape.pos);
      return node;
    }
    case 'cast': {
      const to = parseTypeName(ast.type);
      return coerce(bind(ast.expr), to, 'explicit', ast.pos);
    }
    case 'case':
      return bindCase(ast, scope);
    case 'call':
      return bindCall(ast, scope);
    case 'row':
      throw sqlError('feature_not_supported', 'row expressions are not supported', { position: ast.pos });
    case 'outerValue':
      return { kind: 'const', value: ast.value, type: ast.type, initplan: true, pos: ast.pos };
    case 'nullOf': {
      // Bound for its type alone; in a grouped query its columns are then not referenced.
      const bound = bind(ast.expr);
      if (ast.unlessConstant) {
        const folded = foldExpression(bound);
        if (folded.kind === 'const') return folded;
      }
      const type = bound.type;
      return { kind: 'const', value: null, type: type.name === 'unknown' ? T.text : type, pos: ast.pos };
    }
  }
}

function bindInList(lhs: Expr, items: Expr[], not: boolean, pos: number, scope: BindScope): BoundExpr {
  const arg = bindExpr(lhs, scope);
  const list = items.map((e) => bindExpr(e, scope));
  let common: SqlType | undefined;
  try {
    common = commonType([arg.type, ...list.map((b) => b.type)], 'IN');
  } catch {
    common = undefined;
  }
  if (common) {
    const def = resolveOperator('=', [common, common], pos);
    if (def.args[0] === common.name && def.args[1] === common.name) {
      const coerced = list.map((b, i) => coerce(b, common, 'implicit', items[i]?.pos));
      return {
        kind: 'in',
        arg: coerce(arg, common, 'implicit', pos),
        list: coerced,
        key: def.key,
        not,
        type: BOOL,
      };
    }
  }
  // Fall back to a chain of separately resolved comparisons, as Postgres does.
  const parts = list.map((b) => applyOperator(not ? '<>' : '=', [arg, b], pos));
  if (parts.length === 1) return parts[0] as BoundExpr;
  return { kind: not ? 'and' : 'or', args: parts, type: BOOL };
}

function bindCase(ast: Extract<Expr, { kind: 'case' }>, scope: BindScope): BoundExpr {
  const arg = ast.arg ? bindExpr(ast.arg, scope) : undefined;
  const whens = ast.whens.map((w) => {
    let cond: BoundExpr;
    if (arg) {
      const test: BoundExpr = { kind: 'caseTest', type: arg.type };
      cond = applyOperator('=', [test, bindExpr(w.when, scope)], w.when.pos);
    } else {
      cond = toBool(bindExpr(w.when, scope), 'CASE/WHEN', posOf(w.when));
    }
    return { when: cond, then: bindExpr(w.then, scope) };
  });
  const elseB: BoundExpr = ast.else
    ? bindExpr(ast.else, scope)
    : { kind: 'const', value: null, type: T.unknown };
  // Postgres weighs the ELSE result first when it picks the common type (text THEN, varchar
  // ELSE is varchar).
  const results = [elseB, ...whens.map((w) => w.then)];
  const type = commonType(
    results.map((r) => r.type),
    'CASE',
    ast.pos,
  );
  const node: BoundExpr = {
    kind: 'case',
    whens: whens.map((w, i) => ({
      when: w.when,
      then: coerce(w.then, type, 'implicit', ast.whens[i]?.then.pos),
    })),
    else: coerce(elseB, type, 'implicit', ast.else?.pos),
    type,
  };
  if (arg) node.arg = arg;
  return node;
}

function notAggregate(call: CallExpr, what: string): SqlError {
  return new SqlError('42809', `${what} specified, but ${call.name} is not an aggregate function`, {
    position: call.pos,
  });
}

function bindCall(call: CallExpr, scope: BindScope): BoundExpr {
  const name = call.name;
  if (call.schema !== undefined && call.schema !== 'pg_catalog') {
    const args = call.args.map((a) => bindExpr(a, scope));
    throw sqlError(
      'undefined_function',
      `function ${call.schema}.${name}(${args.map((a) => typeBaseName(a.type)).join(', ')}) does not exist`,
      {
        hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
        position: call.pos,
      },
    );
  }
  // Window calls of a SELECT list or ORDER BY were taken out before binding (server/windows.ts):
  // one reaching the binder is somewhere windows are not allowed.
  if (call.over) {
    if (scope.clause === 'aggregate function calls')
      throw sqlError('grouping_error', 'aggregate function calls cannot contain window function calls', {
        position: call.pos,
      });
    const where =
      scope.clause === 'JOIN/ON'
        ? 'JOIN conditions'
        : scope.clause === 'FROM'
          ? 'functions in FROM'
          : scope.clause;
    throw sqlError('windowing_error', `window functions are not allowed in ${where ?? 'this context'}`, {
      position: call.pos,
    });
  }
  if (isAggregateName(name)) {
    if (!scope.bindAggregate) {
      throw sqlError(
        'grouping_error',
        `aggregate functions are not allowed in ${scope.clause ?? 'this context'}`,
        {
          position: call.pos,
        },
      );
    }
    return scope.bindAggregate(call, (e) => bindExpr(e, scope));
  }
  if (call.withinGroup)
    throw sqlError(
      'wrong_object_type',
      `${name} is not an ordered-set aggregate, so it cannot have WITHIN GROUP`,
      {
        position: call.pos,
      },
    );
  if (call.orderBy)
    throw sqlError('wrong_object_type', `ORDER BY specified, but ${name} is not an aggregate function`, {
      position: call.pos,
    });
  if (call.distinct) throw notAggregate(call, 'DISTINCT');
  if (call.filter) throw notAggregate(call, 'FILTER');
  if (call.star) throw notAggregate(call, `${name}(*)`);
  const args = call.args.map((a) => bindExpr(a, scope));
  switch (name) {
    case 'coalesce':
    case 'greatest':
    case 'least': {
      const label = name === 'coalesce' ? 'COALESCE' : name.toUpperCase();
      const type = commonType(
        args.map((a) => a.type),
        label,
        call.pos,
      );
      const coerced = args.map((a, i) => coerce(a, type, 'implicit', call.args[i]?.pos));
      if (name === 'coalesce') return { kind: 'coalesce', args: coerced, type };
      // greatest/least need an ordering: check `<` exists for the type.
      resolveOperator('<', [type, type], call.pos);
      return { kind: 'minmax', op: name, args: coerced, type };
    }
    case 'nullif': {
      if (args.length !== 2) break;
      const eq = applyOperator('=', args, call.pos);
      if (eq.kind !== 'func') throw new Error('assertion failed: operator binding');
      const [left, right] = eq.args as [BoundExpr, BoundExpr];
      return { kind: 'nullif', left, right, key: eq.key, type: left.type };
    }
    case 'pg_typeof':
      if (args.length === 1)
        return { kind: 'const', value: typeBaseName((args[0] as BoundExpr).type), type: T.text };
      break;
  }
  const def = resolveFunction(
    name,
    args.map((a) => a.type),
    call.pos,
  );
  return { kind: 'func', key: def.key, args: coerceArgs(def, args, call.pos), type: { name: def.result } };
}

/**
 * Binds an aggregate call for the planner: resolves the aggregate, coerces its arguments, binds
 * the FILTER condition. `bindArg` binds in the aggregate's input scope (no nested aggregates).
 */
export function bindAggregateCall(call: CallExpr, bindArg: (e: Expr) => BoundExpr): BoundAggCall {
  // agg(direct args) WITHIN GROUP (ORDER BY x): x is the aggregated argument, after the direct ones.
  const within = call.withinGroup ?? [];
  const args = [...call.args, ...within.map((w) => w.expr)].map(bindArg);
  const def = resolveAggregate(
    call.name,
    args.map((a) => a.type),
    call.star,
    call.pos,
  );
  // Resolved with the WITHIN GROUP argument counted, as Postgres resolves it (42883 otherwise).
  const orderedSet = ORDERED_SET_AGGREGATES.has(call.name);
  if (orderedSet !== !!call.withinGroup)
    throw sqlError(
      'wrong_object_type',
      orderedSet
        ? `WITHIN GROUP is required for ordered-set aggregate ${call.name}`
        : `${call.name} is not an ordered-set aggregate, so it cannot have WITHIN GROUP`,
      { position: call.pos },
    );
  const coerced = args.map((a, i) => {
    const t = argTypeAt(def, i);
    if (t === 'anytext') return a.type.name === 'unknown' ? coerce(a, T.text, 'implicit') : a;
    if (t === 'anyjson') return toJsonArg(a, call.args[i]?.pos);
    return coerce(a, { name: t }, 'implicit', call.args[i]?.pos);
  });
  // DISTINCT tells rows apart by equality, which json does not have.
  if (call.distinct) args.forEach((a, i) => requireEquality(a.type, call.args[i]?.pos));
  // percentile_disc and mode return anyelement: the type of what they order (a varchar stays a
  // varchar, though it is compared as text).
  const polymorphic =
    (call.name === 'percentile_disc' || call.name === 'mode') &&
    args[args.length - 1]?.type.name === 'varchar';
  const out: BoundAggCall = {
    name: call.name,
    key: def.key,
    args: coerced,
    distinct: call.distinct,
    star: call.star,
    type: { name: polymorphic ? 'varchar' : def.result },
  };
  if (call.filter) out.filter = toBool(bindArg(call.filter), 'FILTER', call.filter.pos);
  if (within.length)
    out.order = within.map((item, i) => ({
      expr: coerced[call.args.length + i]!,
      descending: item.descending,
      nullsFirst: item.nulls ? item.nulls === 'first' : item.descending,
    }));
  if (call.orderBy?.length) {
    out.order = call.orderBy.map((item) => {
      const expr = bindArg(item.expr);
      return {
        expr,
        descending: item.descending,
        nullsFirst: item.nulls ? item.nulls === 'first' : item.descending,
      };
    });
    // With DISTINCT the rows are told apart by the arguments, so the order must be one of them.
    if (call.distinct && !out.order.every((o) => coerced.some((a) => sameBound(a, o.expr))))
      throw sqlError(
        'invalid_column_reference',
        'in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list',
        { position: call.orderBy[0]!.pos },
      );
  }
  return out;
}

/** Whether two bound expressions are the same (bigint constants compared by value). */
function sameBound(a: BoundExpr, b: BoundExpr): boolean {
  const text = (e: BoundExpr) => JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  return text(a) === text(b);
}
