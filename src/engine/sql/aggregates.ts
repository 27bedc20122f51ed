/**
 * Aggregates in MPP two-phase form: `init() → state`, `step(state, args) → state`,
 * `combine(a, b) → state`, `final(state) → Value`. States are structured-clone-safe plain data
 * (numbers, bigints, strings, arrays, null) so segment partials can travel to the coordinator.
 * `step` may mutate and return its state. Strict aggregates skip rows with a NULL argument
 * (the caller does not need to).
 */
import { checkTextLength } from './limits.ts';
import { SqlError, sqlError } from '../errors.ts';
import type { SqlType, TypeId, Value } from './types.ts';
import { compareValues, typeBaseName } from './types.ts';
import { selectCandidate } from './functions.ts';
import type { ArgType } from './functions.ts';
import { decAdd, decDiv, formatDec, parseDec } from './numeric.ts';
import type { Dec } from './numeric.ts';
import { checkFloat4, checkFloat8 } from './types-float.ts';
import { bpcharTrim } from './types-io.ts';
import { jsonbKey } from './json.ts';

export type AggState = unknown;

export interface AggDef {
  key: string;
  name: string;
  /** Argument types the binder coerces to ('anytext' = any type, no coercion). */
  args: ArgType[];
  variadic: boolean;
  result: TypeId;
  init(): AggState;
  step(state: AggState, args: Value[]): AggState;
  combine(a: AggState, b: AggState): AggState;
  final(state: AggState): Value;
}

const AGGS = new Map<string, AggDef>();
const BY_NAME = new Map<string, AggDef[]>();

function add(d: Omit<AggDef, 'variadic' | 'key'> & { key?: string }): void {
  const def: AggDef = { ...d, key: d.key ?? `${d.name}(${d.args.join(',')})`, variadic: false };
  AGGS.set(def.key, def);
  const list = BY_NAME.get(def.name) ?? [];
  list.push(def);
  BY_NAME.set(def.name, list);
}

/** Registers an aggregate defined outside this file (expr-json.ts's json_agg family). */
export const registerAggregate = add;

export function isAggregateName(name: string): boolean {
  return BY_NAME.has(name);
}

export function getAggregate(key: string): AggDef {
  const d = AGGS.get(key);
  if (!d) throw sqlError('undefined_function', `aggregate with key "${key}" is not registered`);
  return d;
}

/** Resolves an aggregate call (`count(*)` is `star`). */
export function resolveAggregate(name: string, types: SqlType[], star: boolean, pos?: number): AggDef {
  const extra = pos === undefined ? {} : { position: pos };
  if (star) {
    if (name !== 'count') {
      throw sqlError('undefined_function', `function ${name}() does not exist`, {
        hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
        ...extra,
      });
    }
    return getAggregate('count(*)');
  }
  const desc = `${name}(${types.map((t) => typeBaseName(t)).join(', ')})`;
  const cands = (BY_NAME.get(name) ?? []).filter(
    (d) => d.args.length === types.length && d.key !== 'count(*)',
  );
  const d = selectCandidate(
    types.map((t) => t.name),
    cands,
    () => new SqlError('42725', `function ${desc} is not unique`, extra),
  );
  if (d) return d;
  throw sqlError('undefined_function', `function ${desc} does not exist`, {
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
    ...extra,
  });
}

// --- count -------------------------------------------------------------------------------

const countFinal = (s: AggState): Value => BigInt(s as number);
const sumNum = (a: AggState, b: AggState): AggState => (a as number) + (b as number);
add({
  key: 'count(*)',
  name: 'count',
  args: [],
  result: 'int8',
  init: () => 0,
  step: (s) => (s as number) + 1,
  combine: sumNum,
  final: countFinal,
});
add({
  key: 'count(any)',
  name: 'count',
  args: ['anytext'],
  result: 'int8',
  init: () => 0,
  step: (s, a) => (a[0] === null ? s : (s as number) + 1),
  combine: sumNum,
  final: countFinal,
});

// --- sum / avg ---------------------------------------------------------------------------

/** Exact integer accumulation: a number while safe, then a bigint. */
function addInt(s: number | bigint, v: number | bigint): number | bigint {
  if (typeof s === 'number' && typeof v === 'number') {
    const r = s + v;
    if (Number.isSafeInteger(r)) return r;
  }
  return BigInt(s) + BigInt(v);
}

type IntAcc = [number | bigint, number] | null;
function intStep(s: AggState, a: Value[]): AggState {
  const v = a[0];
  if (v === null || v === undefined) return s;
  const st = s as IntAcc;
  if (st === null) return [typeof v === 'bigint' ? v : (v as number), 1];
  st[0] = addInt(st[0], v as number | bigint);
  st[1]++;
  return st;
}
function intCombine(a: AggState, b: AggState): AggState {
  const x = a as IntAcc;
  const y = b as IntAcc;
  if (x === null) return y;
  if (y === null) return x;
  return [addInt(x[0], y[0]), x[1] + y[1]];
}

for (const t of ['int2', 'int4', 'int8'] as const) {
  add({
    name: 'sum',
    args: [t],
    result: t === 'int8' ? 'numeric' : 'int8',
    init: () => null,
    step: intStep,
    combine: intCombine,
    final: (s) => {
      const st = s as IntAcc;
      if (st === null) return null;
      if (t === 'int8') return String(st[0]);
      const b = BigInt(st[0]);
      if (b > 9223372036854775807n || b < -9223372036854775808n) {
        throw sqlError('numeric_value_out_of_range', 'bigint out of range');
      }
      return b;
    },
  });
  add({
    name: 'avg',
    args: [t],
    result: 'numeric',
    init: () => null,
    step: intStep,
    combine: intCombine,
    final: (s) => {
      const st = s as IntAcc;
      if (st === null) return null;
      return formatDec(decDiv({ v: BigInt(st[0]), s: 0 }, { v: BigInt(st[1]), s: 0 }));
    },
  });
}

type FloatAcc = [number, number] | null;
/**
 * avg(float4 / float8) keeps Postgres' float8_accum state, [N, Sx, Sxx] with the Youngs-Cramer
 * update of Sxx (the sum of squared deviations it shares with stddev and variance). Like
 * Postgres, it fails with 22003 when finite inputs make Sx or Sxx overflow, so the average of
 * two values near 1e300 is an error there, and here.
 */
type AvgAcc = [number, number, number] | null;
const overflow = () => checkFloat8(Infinity, false, true);
const avgStep = (s: AggState, a: Value[]): AggState => {
  const v = a[0];
  if (v === null || v === undefined) return s;
  const x = v as number;
  const st = (s as AvgAcc) ?? [0, 0, 0];
  const [n0, sx0] = st;
  const n = n0 + 1;
  const sx = sx0 + x;
  let sxx = st[2];
  if (n0 > 0) {
    const tmp = x * n - sx;
    sxx += (tmp * tmp) / (n * n0);
    if (!Number.isFinite(sx) && !Number.isNaN(sx)) {
      if (Number.isFinite(sx0) && Number.isFinite(x)) overflow();
      sxx = NaN;
    } else if (sxx === Infinity || sxx === -Infinity) {
      if (Number.isFinite(sx0) && Number.isFinite(x)) overflow();
      sxx = NaN;
    }
  } else if (!Number.isFinite(x)) sxx = NaN;
  return [n, sx, sxx];
};
const avgCombine = (a: AggState, b: AggState): AggState => {
  const x = a as AvgAcc;
  const y = b as AvgAcc;
  if (x === null || x[0] === 0) return y;
  if (y === null || y[0] === 0) return x;
  const n = x[0] + y[0];
  const sx = checkFloat8(x[1] + y[1], !Number.isFinite(x[1]) || !Number.isFinite(y[1]), true);
  const tmp = x[1] / x[0] - y[1] / y[0];
  const sxx = checkFloat8(
    x[2] + y[2] + (x[0] * y[0] * tmp * tmp) / n,
    !Number.isFinite(x[2]) || !Number.isFinite(y[2]),
    true,
  );
  return [n, sx, sxx];
};
const avgFinal = (s: AggState): Value => {
  const st = s as AvgAcc;
  return st === null || st[0] === 0 ? null : st[1] / st[0];
};
for (const t of ['float4', 'float8'] as const) {
  const chk = t === 'float4' ? checkFloat4 : checkFloat8;
  const step = (s: AggState, a: Value[]): AggState => {
    const v = a[0];
    if (v === null || v === undefined) return s;
    const st = s as FloatAcc;
    const x = v as number;
    if (st === null) return [x, 1];
    st[0] = chk(st[0] + x, !Number.isFinite(st[0]) || !Number.isFinite(x), true);
    st[1]++;
    return st;
  };
  const combine = (a: AggState, b: AggState): AggState => {
    const x = a as FloatAcc;
    const y = b as FloatAcc;
    if (x === null) return y;
    if (y === null) return x;
    return [chk(x[0] + y[0], !Number.isFinite(x[0]) || !Number.isFinite(y[0]), true), x[1] + y[1]];
  };
  add({
    name: 'sum',
    args: [t],
    result: t,
    init: () => null,
    step,
    combine,
    final: (s) => (s === null ? null : (s as [number, number])[0]),
  });
  add({
    name: 'avg',
    args: [t],
    result: 'float8',
    init: () => null,
    step: avgStep,
    combine: avgCombine,
    final: avgFinal,
  });
}

type DecAcc = [Dec, number] | null;
const decStep = (s: AggState, a: Value[]): AggState => {
  const v = a[0];
  if (v === null || v === undefined) return s;
  const d = parseDec(v as string);
  const st = s as DecAcc;
  if (st === null) return [d, 1];
  st[0] = decAdd(st[0], d);
  st[1]++;
  return st;
};
const decCombine = (a: AggState, b: AggState): AggState => {
  const x = a as DecAcc;
  const y = b as DecAcc;
  if (x === null) return y;
  if (y === null) return x;
  return [decAdd(x[0], y[0]), x[1] + y[1]];
};
add({
  name: 'sum',
  args: ['numeric'],
  result: 'numeric',
  init: () => null,
  step: decStep,
  combine: decCombine,
  final: (s) => (s === null ? null : formatDec((s as [Dec, number])[0])),
});
add({
  name: 'avg',
  args: ['numeric'],
  result: 'numeric',
  init: () => null,
  step: decStep,
  combine: decCombine,
  final: (s) => {
    if (s === null) return null;
    const [sum, n] = s as [Dec, number];
    return formatDec(decDiv(sum, { v: BigInt(n), s: 0 }));
  },
});

// --- min / max ---------------------------------------------------------------------------

const ORDERED: TypeId[] = [
  'int2',
  'int4',
  'int8',
  'numeric',
  'float4',
  'float8',
  'text',
  'bpchar',
  'date',
  'timestamp',
  'timestamptz',
];
for (const t of ORDERED) {
  const type = { name: t };
  for (const [name, sign] of [
    ['min', -1],
    ['max', 1],
  ] as const) {
    const pick = (a: AggState, b: AggState): AggState => {
      if (a === null) return b;
      if (b === null) return a;
      return compareValues(b as Value, a as Value, type) === sign ? b : a;
    };
    add({
      name,
      args: [t],
      result: t,
      init: () => null,
      step: (s, a) => pick(s, a[0] ?? null),
      combine: pick,
      final: (s) => s as Value,
    });
  }
}

// --- bool_and / bool_or / every ----------------------------------------------------------

for (const [name, isAnd] of [
  ['bool_and', true],
  ['every', true],
  ['bool_or', false],
] as const) {
  const f = (a: AggState, b: AggState): AggState =>
    a === null ? b : b === null ? a : isAnd ? a && b : a || b;
  add({
    name,
    args: ['bool'],
    result: 'bool',
    init: () => null,
    step: (s, a) => f(s, a[0] ?? null),
    combine: f,
    final: (s) => s as Value,
  });
}

// --- string_agg --------------------------------------------------------------------------

/** State: [accumulated text, delimiter that precedes the first value] or null. */
type StrAcc = [string, string] | null;
add({
  name: 'string_agg',
  args: ['text', 'text'],
  result: 'text',
  init: () => null,
  step: (s, a) => {
    const v = a[0];
    if (v === null || v === undefined) return s;
    const d = (a[1] ?? '') as string;
    const st = s as StrAcc;
    if (st === null) return [v as string, d];
    checkTextLength(st[0].length + d.length + (v as string).length);
    st[0] += d + (v as string);
    return st;
  },
  combine: (a, b) => {
    const x = a as StrAcc;
    const y = b as StrAcc;
    if (x === null) return y;
    if (y === null) return x;
    checkTextLength(x[0].length + y[1].length + y[0].length);
    return [x[0] + y[1] + y[0], x[1]];
  },
  final: (s) => (s === null ? null : (s as [string, string])[0]),
});

// --- DISTINCT ----------------------------------------------------------------------------

/** A key identifying equal values of one type (numeric by value, bpchar without padding). */
export function distinctKey(v: Value, t: SqlType): string {
  if (v === null) return 'N';
  switch (t.name) {
    case 'numeric':
      return (
        'n' +
        formatDec(parseDec(v as string))
          .replace(/(\.\d*?)0+$/, '$1')
          .replace(/\.$/, '')
      );
    case 'bpchar':
      return 's' + bpcharTrim(v as string);
    case 'jsonb':
      return 'j' + jsonbKey(v as string);
    case 'float4':
    case 'float8':
      return 'f' + (v === 0 ? '0' : String(v));
    case 'int2':
    case 'int4':
    case 'int8':
      // int8 values are bigints, the others numbers: equal integers must meet (int4 = int8 joins).
      return 'i' + String(v);
    default:
      return typeof v + ':' + String(v);
  }
}

/**
 * Wraps an aggregate for `agg(DISTINCT x)`: the state is [distinct keys, values] (arrays, so it
 * ships and combines); the inner aggregate runs over the distinct values at final time.
 * Only single-argument aggregates (plus string_agg's delimiter, taken from the first row).
 */
export interface DistinctAgg {
  init(): AggState;
  step(state: AggState, args: Value[]): AggState;
  combine(a: AggState, b: AggState): AggState;
  final(state: AggState): Value;
}

export function distinctAggregate(inner: AggDef, argType: SqlType): DistinctAgg {
  type St = [string[], Value[][]];
  const seen = new WeakMap<object, Set<string>>();
  const setOf = (st: St): Set<string> => {
    let s = seen.get(st);
    if (!s) {
      s = new Set(st[0]);
      seen.set(st, s);
    }
    return s;
  };
  const stepOne = (st: St, args: Value[]): St => {
    const v = args[0] ?? null;
    if (v === null) return st;
    const k = distinctKey(v, argType);
    const set = setOf(st);
    if (set.has(k)) return st;
    set.add(k);
    st[0].push(k);
    st[1].push(args);
    return st;
  };
  return {
    init: (): St => [[], []],
    step: (s, a) => stepOne(s as St, a),
    combine: (a, b) => {
      let st = a as St;
      const y = b as St;
      for (const args of y[1]) st = stepOne(st, args);
      return st;
    },
    final: (s) => {
      let st = inner.init();
      for (const args of (s as St)[1]) st = inner.step(st, args);
      return inner.final(st);
    },
  };
}

// --- ORDER BY inside the call ----------------------------------------------------------------

/** The order an ordered aggregate sorts its rows into: each key's type and direction. */
export interface OrderKeySpec {
  type: SqlType;
  descending: boolean;
  nullsFirst: boolean;
}

/**
 * Wraps an aggregate for `agg(x ORDER BY y)`: the state keeps every row ([args..., keys...],
 * an array, so it ships and combines); at final time the rows are sorted and the inner
 * aggregate (or its DISTINCT form) steps through them in that order. Ties keep input order.
 */
export function orderedAggregate(
  inner: DistinctAgg | AggDef,
  nargs: number,
  keys: readonly OrderKeySpec[],
): DistinctAgg {
  type St = Value[][];
  const compare = (a: Value[], b: Value[]): number => {
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const x = a[nargs + i] ?? null;
      const y = b[nargs + i] ?? null;
      if (x === null || y === null) {
        if (x === y) continue;
        return (x === null) === k.nullsFirst ? -1 : 1;
      }
      const c = compareValues(x, y, k.type);
      if (c !== 0) return k.descending ? -c : c;
    }
    return 0;
  };
  return {
    init: (): St => [],
    step: (s, args) => {
      (s as St).push(args);
      return s;
    },
    combine: (a, b) => [...(a as St), ...(b as St)],
    final: (s) => {
      const rows = [...(s as St)].sort(compare);
      let st = inner.init();
      for (const row of rows) st = inner.step(st, row.slice(0, nargs));
      return inner.final(st);
    },
  };
}

// --- ordered-set aggregates: agg(direct args) WITHIN GROUP (ORDER BY x) ---------------------

/** The ordered-set aggregates; they run over their rows sorted (see orderedAggregate). */
export const ORDERED_SET_AGGREGATES = new Set(['percentile_cont', 'percentile_disc', 'mode']);

/** [fraction, values in sorted order] (an array, so it ships). */
type PercentileState = [Value, Value[]] | null;

function percentileStep(s: AggState, a: Value[]): AggState {
  const st: [Value, Value[]] = (s as PercentileState) ?? [a[0] ?? null, []];
  const v = a[1] ?? null;
  if (v !== null) st[1].push(v);
  return st;
}

function percentileOf(st: PercentileState): { f: number; vals: Value[] } | undefined {
  if (st === null || st[1].length === 0 || st[0] === null) return undefined;
  const f = Number(st[0]);
  if (!(f >= 0 && f <= 1))
    throw sqlError('numeric_value_out_of_range', `percentile value ${String(f)} is not between 0 and 1`);
  return { f, vals: st[1] };
}

const concatStates = (a: AggState, b: AggState): AggState => {
  const x = a as PercentileState;
  const y = b as PercentileState;
  if (x === null) return y;
  if (y === null) return x;
  return [x[0], [...x[1], ...y[1]]];
};

add({
  name: 'percentile_cont',
  args: ['float8', 'float8'],
  result: 'float8',
  init: () => null,
  step: percentileStep,
  combine: concatStates,
  final: (s) => {
    const p = percentileOf(s as PercentileState);
    if (!p) return null;
    // Linear interpolation between the two values around position f * (n - 1).
    const pos = p.f * (p.vals.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    const a = p.vals[lo] as number;
    const b = p.vals[hi] as number;
    return lo === hi ? a : a + (b - a) * (pos - lo);
  },
});

for (const t of ORDERED) {
  add({
    name: 'percentile_disc',
    args: ['float8', t],
    result: t,
    init: () => null,
    step: percentileStep,
    combine: concatStates,
    final: (s) => {
      const p = percentileOf(s as PercentileState);
      if (!p) return null;
      // The first value whose position in the sorted input reaches the fraction.
      const row = Math.max(1, Math.ceil(p.f * p.vals.length));
      return p.vals[row - 1] ?? null;
    },
  });
  add({
    name: 'mode',
    args: [t],
    result: t,
    init: () => [],
    step: (s, a) => {
      const v = a[0] ?? null;
      if (v !== null) (s as Value[]).push(v);
      return s;
    },
    combine: (a, b) => [...(a as Value[]), ...(b as Value[])],
    final: (s) => {
      // The most frequent value; of equally frequent ones, the first in the sort order.
      const vals = s as Value[];
      let best: Value = null;
      let bestCount = 0;
      for (let i = 0; i < vals.length;) {
        let j = i + 1;
        while (j < vals.length && compareValues(vals[j]!, vals[i]!, { name: t }) === 0) j++;
        if (j - i > bestCount) {
          best = vals[i]!;
          bestCount = j - i;
        }
        i = j;
      }
      return best;
    },
  });
}
