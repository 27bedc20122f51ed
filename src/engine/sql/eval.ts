/**
 * Compiles a BoundExpr once into a closure tree; evaluation per row is a chain of direct calls
 * with no switch on node kinds. AND/OR/CASE/COALESCE short-circuit as in Postgres.
 */
import { children, foldConstants } from './const-fold.ts';
import { isStackOverflow, stackDepthExceeded, withStackGuard } from './limits.ts';
import type { BoundExpr } from './expr-bound.ts';
import type { EvalContext } from './functions.ts';
import { getFunction } from './functions.ts';
import type { Value } from './types.ts';
import { castValue, compareValues } from './types.ts';
import { likeMatcher } from './expr-like.ts';
import './expr-builtins.ts';

export type { EvalContext } from './functions.ts';
export type CompiledExpr = (row: Value[], ctx: EvalContext) => Value;

interface Cell {
  v: Value;
}

/** Compiles a bound expression. */
/** Constant subexpressions are computed with no statement context (none reads it). */
const CONST_CONTEXT: EvalContext = { statementTime: 0, random: () => 0 };

/**
 * Compiles an expression to a closure, its constant parts computed first (const-fold.ts): an
 * error in them is raised here, before any row, as Postgres raises it while planning.
 */
export function compileExpr(bound: BoundExpr): CompiledExpr {
  const f = withStackGuard(() => compile(fold(bound), undefined));
  return (row, ctx) => {
    try {
      return f(row, ctx);
    } catch (e) {
      // A deeply nested expression runs out of stack here: 54001, as Postgres' check_stack_depth.
      if (isStackOverflow(e)) throw stackDepthExceeded();
      throw e;
    }
  };
}

function fold(bound: BoundExpr): BoundExpr {
  return foldConstants(bound, (e) => compile(e, undefined)([], CONST_CONTEXT));
}

/**
 * `bound` with its constant parts computed, as Postgres' eval_const_expressions leaves a qual
 * before it is split into a list and ordered: an AND stops at its first constant FALSE, and
 * what comes after it is never computed (fuzz seed 15984).
 */
export function foldExpression(bound: BoundExpr): BoundExpr {
  try {
    return withStackGuard(() => fold(bound));
  } catch (e) {
    if (isStackOverflow(e)) throw stackDepthExceeded();
    throw e;
  }
}

/**
 * Computes the constant parts of `bound` for their errors only, as Postgres' planner folds a
 * query's target list before its quals: the first failing constant there is the statement's
 * error, whatever the executor would reach first.
 */
export function raiseConstantErrors(bound: BoundExpr): void {
  compileExpr(bound);
}

/**
 * Compiles a condition (WHERE, a join's quals) to a predicate; NULL counts as false. A top-level
 * AND is Postgres' implicit-AND qual list, which stops at the first condition that is not true,
 * NULL included (ExecQual): the rest never runs, nor raises its errors, on that row. An aggregate's
 * FILTER is one expression instead (`list: false`), where AND goes on past a NULL.
 */
export function compilePredicate(
  bound: BoundExpr,
  { list = true }: { list?: boolean } = {},
): (row: Value[], ctx: EvalContext) => boolean {
  if (list) return compileQuals(foldExpression(bound));
  const f = compileExpr(bound);
  return (row, ctx) => f(row, ctx) === true;
}

/** A qual list of a folded condition (see compilePredicate). */
function compileQuals(bound: BoundExpr): (row: Value[], ctx: EvalContext) => boolean {
  // NOT IN is an AND of <> tests (see compileIn): in a qual list each is a qual of its own.
  if (bound.kind === 'in' && bound.not) {
    const parts = notInQuals(bound);
    if (parts.length > 1) return compileQuals({ kind: 'and', args: parts, type: bound.type });
  }
  if (bound.kind === 'and') {
    const quals = bound.args.map(compileQuals);
    return (row, ctx) => {
      for (const q of quals) if (!q(row, ctx)) return false;
      return true;
    };
  }
  const f = compileExpr(bound);
  return (row, ctx) => f(row, ctx) === true;
}

/** Evaluates a constant expression (no columns) once. */
export function evalConst(bound: BoundExpr, ctx: EvalContext): Value {
  return compileExpr(bound)([], ctx);
}

function binaryFn(key: string): (a: Value, b: Value) => Value {
  const def = getFunction(key);
  if (def.bin) return def.bin;
  return (a, b) => def.impl([a, b], { statementTime: 0, random: () => 0 });
}

/** The `=` operator as a boolean-returning test on non-null values. */
function eqTest(key: string): (a: Value, b: Value) => boolean {
  const f = binaryFn(key);
  return (a, b) => f(a, b) === true;
}

const SET_TYPES = new Set([
  'int2',
  'int4',
  'int8',
  'text',
  'varchar',
  'date',
  'timestamp',
  'timestamptz',
  'bool',
]);

function compile(e: BoundExpr, cell: Cell | undefined): CompiledExpr {
  const sub = (x: BoundExpr): CompiledExpr => compile(x, cell);
  switch (e.kind) {
    case 'const': {
      const v = e.value;
      return () => v;
    }
    case 'col': {
      const i = e.index;
      return (row) => row[i] as Value;
    }
    case 'param': {
      const i = e.index;
      return (_row, ctx) => ctx.params?.[i] ?? null;
    }
    case 'caseTest': {
      if (!cell) throw new Error('assertion failed: caseTest outside CASE');
      const c = cell;
      return () => c.v;
    }
    case 'func':
      return compileFunc(e.key, e.args.map(sub));
    case 'cast': {
      const a = sub(e.arg);
      const from = e.arg.type;
      const to = e.type;
      const context = e.context;
      return (row, ctx) => {
        const v = a(row, ctx);
        return v === null ? null : castValue(v, from, to, context);
      };
    }
    case 'and':
    case 'or': {
      const fs = e.args.map(sub);
      const stop = e.kind === 'or';
      return (row, ctx) => {
        let sawNull = false;
        for (const f of fs) {
          const v = f(row, ctx);
          if (v === null) sawNull = true;
          else if (v === stop) return stop;
        }
        return sawNull ? null : !stop;
      };
    }
    case 'not': {
      const a = sub(e.arg);
      return (row, ctx) => {
        const v = a(row, ctx);
        return v === null ? null : !v;
      };
    }
    case 'isNull': {
      const a = sub(e.arg);
      return e.not ? (row, ctx) => a(row, ctx) !== null : (row, ctx) => a(row, ctx) === null;
    }
    case 'isBool': {
      const a = sub(e.arg);
      const want: Value = e.test === 'true' ? true : e.test === 'false' ? false : null;
      return e.not ? (row, ctx) => a(row, ctx) !== want : (row, ctx) => a(row, ctx) === want;
    }
    case 'distinct': {
      const l = sub(e.left);
      const r = sub(e.right);
      const eq = eqTest(e.key);
      const not = e.not;
      return (row, ctx) => {
        const x = l(row, ctx);
        const y = r(row, ctx);
        const distinct = x === null || y === null ? x !== y : !eq(x, y);
        return not ? !distinct : distinct;
      };
    }
    case 'in':
      return compileIn(e, sub);
    case 'like': {
      const a = sub(e.arg);
      const p = sub(e.pattern);
      const esc = e.escape ? sub(e.escape) : undefined;
      const m = likeMatcher(e.ci);
      const not = e.not;
      return (row, ctx) => {
        const s = a(row, ctx);
        if (s === null) return null;
        const pat = p(row, ctx);
        if (pat === null) return null;
        let ev: Value = null;
        if (esc) {
          ev = esc(row, ctx);
          if (ev === null) return null;
        }
        const r = m(s as string, pat as string, ev as string | null);
        return not ? !r : r;
      };
    }
    case 'case': {
      const myCell: Cell = { v: null };
      const arg = e.arg ? compile(e.arg, cell) : undefined;
      const whens = e.whens.map((w) => ({ when: compile(w.when, arg ? myCell : cell), then: sub(w.then) }));
      const els = sub(e.else);
      if (arg) {
        return (row, ctx) => {
          myCell.v = arg(row, ctx);
          for (const w of whens) if (w.when(row, ctx) === true) return w.then(row, ctx);
          return els(row, ctx);
        };
      }
      return (row, ctx) => {
        for (const w of whens) if (w.when(row, ctx) === true) return w.then(row, ctx);
        return els(row, ctx);
      };
    }
    case 'coalesce': {
      const fs = e.args.map(sub);
      return (row, ctx) => {
        for (const f of fs) {
          const v = f(row, ctx);
          if (v !== null) return v;
        }
        return null;
      };
    }
    case 'nullif': {
      const l = sub(e.left);
      const r = sub(e.right);
      const eq = eqTest(e.key);
      return (row, ctx) => {
        const x = l(row, ctx);
        if (x === null) return null;
        const y = r(row, ctx);
        return y !== null && eq(x, y) ? null : x;
      };
    }
    case 'minmax': {
      const fs = e.args.map(sub);
      const t = e.type;
      const sign = e.op === 'greatest' ? 1 : -1;
      return (row, ctx) => {
        let best: Value = null;
        for (const f of fs) {
          const v = f(row, ctx);
          if (v !== null && (best === null || compareValues(v, best, t) === sign)) best = v;
        }
        return best;
      };
    }
  }
}

function compileFunc(key: string, args: CompiledExpr[]): CompiledExpr {
  const def = getFunction(key);
  if (def.strict) {
    const [a, b] = args;
    if (args.length === 2 && def.bin && a && b) {
      const f = def.bin;
      // Both arguments are computed before the NULL test, as Postgres does: an error in the
      // second one is raised even when the first is NULL.
      return (row, ctx) => {
        const x = a(row, ctx);
        const y = b(row, ctx);
        return x === null || y === null ? null : f(x, y);
      };
    }
    if (args.length === 1 && def.un && a) {
      const f = def.un;
      return (row, ctx) => {
        const x = a(row, ctx);
        return x === null ? null : f(x);
      };
    }
  }
  const impl = def.impl;
  const strict = def.strict;
  const n = args.length;
  return (row, ctx) => {
    const vals: Value[] = new Array<Value>(n);
    let sawNull = false;
    for (let i = 0; i < n; i++) {
      const v = (args[i] as CompiledExpr)(row, ctx);
      if (v === null) sawNull = true;
      vals[i] = v;
    }
    if (sawNull && strict) return null;
    return impl(vals, ctx);
  };
}

function compileIn(e: Extract<BoundExpr, { kind: 'in' }>, sub: (x: BoundExpr) => CompiledExpr): CompiledExpr {
  const a = sub(e.arg);
  const not = e.not;
  const allConst = e.list.every((x) => x.kind === 'const');
  if (allConst && SET_TYPES.has(e.arg.type.name)) {
    const vals = e.list.map((x) => (x.kind === 'const' ? x.value : null));
    const hasNull = vals.includes(null);
    const set = new Set(vals.filter((v) => v !== null));
    return (row, ctx) => {
      const v = a(row, ctx);
      if (v === null) return null;
      if (set.has(v)) return !not;
      return hasNull ? null : not;
    };
  }
  // Postgres' transformAExprIn: items without a column of this row make one array compare
  // (= ANY / <> ALL: every item computed), when there are two or more; the rest are compared one
  // by one (OR'd =, AND'ed <>), each item computed, NULL left side or not, until one decides.
  const inArray = arrayPart(e.list);
  const array = [...inArray].map(sub);
  const oneByOne = e.list.filter((x) => !inArray.has(x)).map(sub);
  const eq = eqTest(e.key);
  return (row, ctx) => {
    const v = a(row, ctx);
    let sawNull = false;
    if (array.length) {
      const xs = array.map((f) => f(row, ctx));
      if (v === null) sawNull = true;
      else
        for (const x of xs) {
          if (x === null) sawNull = true;
          else if (eq(v, x)) return !not;
        }
    }
    for (const f of oneByOne) {
      const x = f(row, ctx);
      if (v === null || x === null) sawNull = true;
      else if (eq(v, x)) return !not;
    }
    return sawNull ? null : not;
  };
}

/** The items an IN list compares as one array: those that read no column, when two or more. */
function arrayPart(list: BoundExpr[]): Set<BoundExpr> {
  const items = list.filter((x) => !readsRow(x));
  return new Set(items.length > 1 ? items : []);
}

/** NOT IN as Postgres' separate quals: `<> ALL` over the array part, then one `<>` per other item. */
export function notInQuals(e: Extract<BoundExpr, { kind: 'in' }>): BoundExpr[] {
  const inArray = arrayPart(e.list);
  const parts: BoundExpr[] = inArray.size ? [{ ...e, list: [...inArray] }] : [];
  for (const x of e.list) if (!inArray.has(x)) parts.push({ ...e, list: [x] });
  return parts;
}

/** Whether an expression reads a column of the row (a Var of this query level, in Postgres). */
function readsRow(e: BoundExpr): boolean {
  if (e.kind === 'col') return true;
  return children(e).kids.some(readsRow);
}
