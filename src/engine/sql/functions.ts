/**
 * The function/operator registry and Postgres' overload resolution (func_select_candidate /
 * oper_select_candidate). Bound expressions reference entries by their `key` string, so plans
 * stay plain data; eval.ts looks the implementation up once at compile time.
 *
 * Built-ins register themselves in operators.ts, expr-math.ts, expr-string.ts and
 * expr-datefns.ts (loaded through expr-builtins.ts). The lead adds server functions with
 * `registerFunction`.
 */
import { SqlError, sqlError } from '../errors.ts';
import type { SqlType, TypeId, Value } from './types.ts';
import { canCoerce, isPreferredType, typeCategory, typeBaseName } from './types.ts';

/** What a compiled expression sees at run time. */
export interface EvalContext {
  /** The statement's start time in microseconds since 2000-01-01 UTC (now(), current_date). */
  statementTime: number;
  /** A deterministic source of uniform [0, 1) numbers (random()). */
  random(): number;
  /** Values of `{kind: 'param'}` nodes (subquery results, bind parameters). */
  params?: Value[];
  /** Opaque handle for functions the server registers (version(), pg_current_wal_lsn()). */
  server?: unknown;
  /** The pid of the session's backend (pg_backend_pid()). */
  backendPid?: number;
}

/**
 * An argument slot: a concrete type, 'anytext' (accepts any type; the binder casts the argument
 * to text with its output function, as Postgres' "any"/anynonarray text functions do) or
 * 'anyjson' (accepts any type; the binder converts it with to_json, as the json builders'
 * "any" arguments are converted).
 */
export type ArgType = TypeId | 'anytext' | 'anyjson';

export type FuncImpl = (args: Value[], ctx: EvalContext) => Value;

export interface FuncDef {
  /** Registry key referenced by bound expressions; unique. */
  key: string;
  /** SQL name: operator symbol ('+') or function name ('abs'). */
  name: string;
  kind: 'op' | 'func';
  args: ArgType[];
  /** The last arg type repeats (concat, concat_ws). */
  variadic: boolean;
  result: TypeId;
  /** Returns NULL without calling impl when any argument is NULL. */
  strict: boolean;
  /** VOLATILE: a new value per call (random, clock_timestamp); never folded. */
  volatile: boolean;
  /**
   * STABLE in PostgreSQL (pg_proc.provolatile 's'): one value per statement, but not folded at
   * plan time, so an error it raises on no rows at all (an empty table) is never raised.
   */
  stable: boolean;
  impl: FuncImpl;
  /** Fast path for strict binary operators (non-null arguments). */
  bin?: (a: Value, b: Value) => Value;
  /** Fast path for strict unary functions (non-null argument). */
  un?: (a: Value) => Value;
}

const BY_KEY = new Map<string, FuncDef>();
const BY_NAME = new Map<string, FuncDef[]>();

function nameKey(kind: 'op' | 'func', name: string, arity: number): string {
  return `${kind}:${name}/${arity}`;
}

function argKey(name: string, args: ArgType[]): string {
  return `${name}(${args.join(',')})`;
}

export interface DefineOptions {
  strict?: boolean;
  volatile?: boolean;
  stable?: boolean;
  variadic?: boolean;
  key?: string;
  bin?: (a: Value, b: Value) => Value;
  un?: (a: Value) => Value;
}

function addDef(
  kind: 'op' | 'func',
  name: string,
  args: ArgType[],
  result: TypeId,
  impl: FuncImpl,
  o: DefineOptions,
): FuncDef {
  const key = o.key ?? argKey(kind === 'op' ? `op${name}` : name, args);
  const def: FuncDef = {
    key,
    name,
    kind,
    args,
    variadic: o.variadic ?? false,
    result,
    strict: o.strict ?? true,
    volatile: o.volatile ?? false,
    stable: o.stable ?? stableInPostgres(kind, name, args),
    impl,
  };
  if (o.bin) def.bin = o.bin;
  if (o.un) def.un = o.un;
  const old = BY_KEY.get(key);
  BY_KEY.set(key, def);
  const nk = nameKey(kind, name, o.variadic ? -1 : args.length);
  const list = (BY_NAME.get(nk) ?? []).filter((d) => d !== old);
  list.push(def);
  BY_NAME.set(nk, list);
  return def;
}

const STABLE_FUNCTIONS = new Set([
  'concat',
  'concat_ws',
  'to_json',
  'to_jsonb',
  'json_build_object',
  'jsonb_build_object',
  'json_build_array',
  'jsonb_build_array',
]);
const COMPARISONS = new Set(['=', '<>', '<', '>', '<=', '>=']);

/**
 * PostgreSQL's STABLE functions and operators among ours: they depend on settings (TimeZone,
 * DateStyle, other types' output). test/differential/volatility.pg.test.ts compares the whole
 * registry with pg_proc.
 */
function stableInPostgres(kind: 'op' | 'func', name: string, args: ArgType[]): boolean {
  if (kind === 'func')
    return (
      STABLE_FUNCTIONS.has(name) ||
      (['date_part', 'extract', 'date_trunc'].includes(name) && args[1] === 'timestamptz')
    );
  if (name === '||') return args.includes('anytext');
  const tz = args.includes('timestamptz');
  return COMPARISONS.has(name) && tz && args.some((a) => a !== 'timestamptz');
}

/** Folded at plan time: neither VOLATILE nor STABLE (eval_const_expressions folds IMMUTABLE only). */
export function isImmutable(def: FuncDef): boolean {
  return !def.volatile && !def.stable;
}

/**
 * Registers (or replaces) a SQL function. The lead uses this for server functions such as
 * version() and pg_current_wal_lsn(); `impl` receives the evaluated arguments and the context.
 */
export function registerFunction(
  name: string,
  argTypes: ArgType[],
  returnType: TypeId,
  impl: FuncImpl,
  options: DefineOptions = {},
): FuncDef {
  return addDef('func', name, argTypes, returnType, impl, options);
}

/** Registers an operator with a strict binary or unary implementation. */
export function registerOperator(
  name: string,
  args: ArgType[],
  result: TypeId,
  fn: (a: Value, b: Value) => Value,
  key?: string,
): FuncDef {
  if (args.length === 2) {
    const bin = fn;
    return addDef('op', name, args, result, (a) => bin(a[0] ?? null, a[1] ?? null), {
      bin,
      ...(key ? { key } : {}),
    });
  }
  const un = (a: Value): Value => fn(a, null);
  return addDef('op', name, args, result, (a) => un(a[0] ?? null), { un, ...(key ? { key } : {}) });
}

/** Looks a definition up by key (eval.ts); throws for an unknown key (a plan/registry mismatch). */
export function getFunction(key: string): FuncDef {
  const d = BY_KEY.get(key);
  if (!d) throw sqlError('undefined_function', `function with key "${key}" is not registered`);
  return d;
}

export function functionExists(name: string): boolean {
  for (const k of BY_NAME.keys()) if (k.startsWith(`func:${name}/`)) return true;
  return false;
}

function candidatesFor(kind: 'op' | 'func', name: string, nargs: number): FuncDef[] {
  const fixed = BY_NAME.get(nameKey(kind, name, nargs)) ?? [];
  const variadic = (BY_NAME.get(nameKey(kind, name, -1)) ?? []).filter((d) => nargs >= d.args.length);
  return [...fixed, ...variadic];
}

/** The declared type of argument i (expanding a variadic tail). */
export function argTypeAt(d: Overload, i: number): ArgType {
  return d.args[Math.min(i, d.args.length - 1)] ?? 'anytext';
}

function accepts(input: TypeId, target: ArgType): boolean {
  if (target === 'anytext' || target === 'anyjson') return true;
  return canCoerce(input, target, 'implicit');
}

function catOf(t: ArgType): string {
  return t === 'anytext' || t === 'anyjson' ? 'P' : typeCategory(t);
}

function preferred(t: ArgType): boolean {
  return t !== 'anytext' && t !== 'anyjson' && isPreferredType(t);
}

/** An overloaded signature (functions, operators, aggregates). */
export interface Overload {
  args: ArgType[];
  variadic: boolean;
}

/** Picks the best candidate like Postgres' func_select_candidate, or undefined / throws ambiguous. */
export function selectCandidate<D extends Overload>(
  inputs: TypeId[],
  cands: D[],
  ambiguous: () => SqlError,
): D | undefined {
  const n = inputs.length;
  let list = cands.filter((d) => inputs.every((t, i) => accepts(t, argTypeAt(d, i))));
  if (list.length <= 1) return list[0];
  // Exact matches.
  for (const d of list) if (inputs.every((t, i) => argTypeAt(d, i) === t)) return d;
  const keepBest = (score: (d: D) => number): void => {
    let best = -1;
    let kept: D[] = [];
    for (const d of list) {
      const s = score(d);
      if (s > best) {
        best = s;
        kept = [d];
      } else if (s === best) kept.push(d);
    }
    list = kept;
  };
  keepBest((d) => inputs.filter((t, i) => t !== 'unknown' && argTypeAt(d, i) === t).length);
  if (list.length === 1) return list[0];
  keepBest(
    (d) =>
      inputs.filter((t, i) => {
        if (t === 'unknown') return false;
        const a = argTypeAt(d, i);
        return a === t || (preferred(a) && catOf(a) === typeCategory(t));
      }).length,
  );
  if (list.length === 1) return list[0];
  if (inputs.includes('unknown')) {
    let resolved = list;
    let ok = true;
    for (let i = 0; i < n; i++) {
      if (inputs[i] !== 'unknown') continue;
      const cats = new Set(list.map((d) => catOf(argTypeAt(d, i))));
      let cat: string;
      if (cats.has('S')) cat = 'S';
      else if (cats.size === 1) cat = [...cats][0] ?? 'S';
      else {
        ok = false;
        break;
      }
      const anyPreferred = list.some((d) => catOf(argTypeAt(d, i)) === cat && preferred(argTypeAt(d, i)));
      resolved = resolved.filter((d) => {
        const a = argTypeAt(d, i);
        return catOf(a) === cat && (!anyPreferred || preferred(a));
      });
    }
    if (ok && resolved.length === 1) return resolved[0];
    if (ok && resolved.length > 0) list = resolved;
    const known = inputs.filter((t) => t !== 'unknown');
    const k0 = known[0];
    if (k0 !== undefined && known.every((t) => t === k0)) {
      const guess = list.filter((d) => inputs.every((_t, i) => argTypeAt(d, i) === k0));
      if (guess.length === 1) return guess[0];
    }
  }
  throw ambiguous();
}

const NO_OP_HINT =
  'No operator matches the given name and argument types. You might need to add explicit type casts.';
const NO_FN_HINT =
  'No function matches the given name and argument types. You might need to add explicit type casts.';

function typeList(types: SqlType[]): string {
  return types.map((t) => typeBaseName(t)).join(', ');
}

/** Resolves an operator; unary operators pass one type. */
export function resolveOperator(name: string, types: SqlType[], pos?: number): FuncDef {
  const inputs = types.map((t) => t.name);
  const extra = pos === undefined ? {} : { position: pos };
  const cands = candidatesFor('op', name, inputs.length);
  // binary_oper_exact: an unknown operand is assumed to be the other operand's type.
  if (inputs.length === 2) {
    const [l, r] = inputs as [TypeId, TypeId];
    const t = l === 'unknown' ? r : r === 'unknown' ? l : undefined;
    if (t !== undefined && t !== 'unknown') {
      const d = cands.find((c) => c.args[0] === t && c.args[1] === t);
      if (d) return d;
    }
  }
  const desc =
    inputs.length === 2
      ? `${typeBaseName(types[0] ?? { name: 'unknown' })} ${name} ${typeBaseName(types[1] ?? { name: 'unknown' })}`
      : `${name} ${typeBaseName(types[0] ?? { name: 'unknown' })}`;
  // Postgres also has prefix operators on interval/money, so an unknown operand is ambiguous.
  if (inputs.length === 1 && inputs[0] === 'unknown' && cands.length > 1) {
    throw new SqlError('42725', `operator is not unique: ${desc}`, {
      hint: 'Could not choose a best candidate operator. You might need to add explicit type casts.',
      ...extra,
    });
  }
  const d = selectCandidate(
    inputs,
    cands,
    () =>
      new SqlError('42725', `operator is not unique: ${desc}`, {
        hint: 'Could not choose a best candidate operator. You might need to add explicit type casts.',
        ...extra,
      }),
  );
  if (d) return d;
  throw sqlError('undefined_function', `operator does not exist: ${desc}`, { hint: NO_OP_HINT, ...extra });
}

/** Resolves a function call by name and argument types. */
export function resolveFunction(name: string, types: SqlType[], pos?: number): FuncDef {
  const inputs = types.map((t) => t.name);
  const extra = pos === undefined ? {} : { position: pos };
  const desc = `${name}(${typeList(types)})`;
  const d = selectCandidate(
    inputs,
    candidatesFor('func', name, inputs.length),
    () =>
      new SqlError('42725', `function ${desc} is not unique`, {
        hint: 'Could not choose a best candidate function. You might need to add explicit type casts.',
        ...extra,
      }),
  );
  if (d) return d;
  throw sqlError('undefined_function', `function ${desc} does not exist`, { hint: NO_FN_HINT, ...extra });
}

/** Every registered function and operator (for the test comparing volatility with PostgreSQL's). */
export function registeredFunctions(): FuncDef[] {
  return [...BY_KEY.values()];
}

let volatileNames: Set<string> | undefined;

/** Whether a function of that name is VOLATILE (random, clock_timestamp): each call its own value. */
export function isVolatileName(name: string): boolean {
  volatileNames ??= new Set([...BY_KEY.values()].filter((d) => d.volatile).map((d) => d.name));
  return volatileNames.has(name);
}
