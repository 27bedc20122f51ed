/**
 * Constant folding, as Postgres' eval_const_expressions: a subexpression whose inputs are all
 * constants (and whose functions are not volatile) is computed once, before any row, so an
 * error in it (1/0, an overflow, a date out of range) is the statement's error even when no row
 * is read. As in Postgres, a CASE arm whose condition folds to false or NULL, and what follows
 * a non-null COALESCE argument or a deciding AND/OR argument, is dropped without being
 * computed. InitPlan results are constants the planner put in and are not folded: Postgres
 * evaluates them as parameters, on use.
 */
import type { BoundExpr } from './expr-bound.ts';
import { getFunction, isImmutable } from './functions.ts';
import { isStableCast } from './types-cast.ts';
import type { Value } from './types.ts';

type Evaluate = (e: BoundExpr) => Value;

const isConst = (e: BoundExpr): e is Extract<BoundExpr, { kind: 'const' }> =>
  e.kind === 'const' && !e.initplan;

function constant(value: Value, e: BoundExpr): BoundExpr {
  return { kind: 'const', value, type: e.type };
}

/** The expressions directly under `e`, and a rebuild of `e` from replacements. */
export function children(e: BoundExpr): { kids: BoundExpr[]; rebuild: (k: BoundExpr[]) => BoundExpr } {
  switch (e.kind) {
    case 'func':
    case 'minmax':
      return { kids: e.args, rebuild: (k) => ({ ...e, args: k }) };
    case 'cast':
    case 'not':
    case 'isNull':
    case 'isBool':
      return { kids: [e.arg], rebuild: (k) => ({ ...e, arg: k[0]! }) };
    case 'distinct':
    case 'nullif':
      return { kids: [e.left, e.right], rebuild: (k) => ({ ...e, left: k[0]!, right: k[1]! }) };
    case 'in':
      return { kids: [e.arg, ...e.list], rebuild: (k) => ({ ...e, arg: k[0]!, list: k.slice(1) }) };
    case 'like':
      return {
        kids: e.escape ? [e.arg, e.pattern, e.escape] : [e.arg, e.pattern],
        rebuild: (k) => ({ ...e, arg: k[0]!, pattern: k[1]!, ...(k[2] ? { escape: k[2] } : {}) }),
      };
    default:
      return { kids: [], rebuild: () => e };
  }
}

export function foldConstants(e: BoundExpr, evaluate: Evaluate): BoundExpr {
  const fold = (x: BoundExpr) => foldConstants(x, evaluate);
  switch (e.kind) {
    case 'const':
    case 'col':
    case 'param':
    case 'caseTest':
      return e;
    case 'and':
    case 'or': {
      const decides = e.kind === 'or';
      const args: BoundExpr[] = [];
      let sawNull = false;
      for (const a of e.args) {
        const f = fold(a);
        if (isConst(f)) {
          if (f.value === decides) return f;
          if (f.value === null) sawNull = true;
          continue;
        }
        args.push(f);
      }
      if (!args.length) return constant(sawNull ? null : !decides, e);
      if (sawNull) args.push({ kind: 'const', value: null, type: e.type });
      return args.length === 1 ? args[0]! : { ...e, args };
    }
    case 'coalesce': {
      const args: BoundExpr[] = [];
      for (const a of e.args) {
        const f = fold(a);
        if (isConst(f)) {
          if (f.value === null) continue;
          if (!args.length) return f;
          args.push(f);
          break;
        }
        args.push(f);
      }
      if (!args.length) return constant(null, e);
      return { ...e, args };
    }
    case 'case': {
      if (e.arg) {
        // The simple form: its conditions read the tested value; fold the results only.
        const whens = e.whens.map((w) => ({ when: w.when, then: fold(w.then) }));
        return { ...e, arg: fold(e.arg), whens, else: fold(e.else) };
      }
      const whens: { when: BoundExpr; then: BoundExpr }[] = [];
      for (const w of e.whens) {
        const c = fold(w.when);
        if (isConst(c)) {
          if (c.value !== true) continue; // never taken: its result is not computed
          const taken = fold(w.then);
          return whens.length ? { ...e, whens, else: taken } : taken;
        }
        whens.push({ when: c, then: fold(w.then) });
      }
      const otherwise = fold(e.else);
      return whens.length ? { ...e, whens, else: otherwise } : otherwise;
    }
    default: {
      const { kids, rebuild } = children(e);
      const folded = kids.map(fold);
      const node = rebuild(folded);
      if (!folded.every(isConst)) return node;
      if (node.kind === 'func' && !isImmutable(getFunction(node.key))) return node;
      if (node.kind === 'cast' && isStableCast(node.arg.type.name, node.type.name)) return node;
      return constant(evaluate(node), node);
    }
  }
}
