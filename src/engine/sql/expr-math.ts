/**
 * Built-in math functions: abs, round, trunc, ceil/ceiling, floor, sign, mod, div, power/pow,
 * sqrt, cbrt, exp, ln, log, pi, random.
 */
import { SqlError } from '../errors.ts';
import type { TypeId, Value } from './types.ts';
import { registerFunction } from './functions.ts';
import type { FuncImpl } from './functions.ts';
import {
  decAbs,
  decCeil,
  decDivTrunc,
  decFloor,
  decMod,
  decRound,
  decSign,
  decSqrt,
  decTrunc,
  formatDec,
  parseDec,
} from './numeric.ts';
import type { Dec } from './numeric.ts';
import { decExp, decLn, decLog10, decLogBase, decPower } from './expr-numeric-trans.ts';
import { checkFloat8 } from './types-float.ts';
import { divisionByZero, floatPow, intOverflow } from './operators.ts';

const un =
  (f: (a: Value) => Value): FuncImpl =>
  (args) =>
    f(args[0] ?? null);
const bi =
  (f: (a: Value, b: Value) => Value): FuncImpl =>
  (args) =>
    f(args[0] ?? null, args[1] ?? null);

function fn1(name: string, arg: TypeId, res: TypeId, f: (a: Value) => Value): void {
  registerFunction(name, [arg], res, un(f), { un: f });
}
function fn2(name: string, a: TypeId, b: TypeId, res: TypeId, f: (a: Value, b: Value) => Value): void {
  registerFunction(name, [a, b], res, bi(f), { bin: f });
}

const decFn =
  (f: (d: Dec) => Dec) =>
  (a: Value): Value =>
    formatDec(f(parseDec(a as string)));
const decFn2 =
  (f: (d: Dec, e: Dec) => Dec) =>
  (a: Value, b: Value): Value =>
    formatDec(f(parseDec(a as string), parseDec(b as string)));

/** rint: round half to even. */
export function rint(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  const v = r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
  return v === 0 && x < 0 ? -0 : v;
}

function trunc8(x: number): number {
  return Math.trunc(x);
}

function powerError(msg: string): SqlError {
  return new SqlError('2201F', msg);
}

function logError(msg: string): SqlError {
  return new SqlError('2201E', msg);
}

function checkLogArg(x: number): void {
  if (x === 0) throw logError('cannot take logarithm of zero');
  if (x < 0) throw logError('cannot take logarithm of a negative number');
}

function register(): void {
  // abs
  fn1('abs', 'int2', 'int2', (a) => ((a as number) === -32768 ? intOverflow('int2') : Math.abs(a as number)));
  fn1('abs', 'int4', 'int4', (a) =>
    (a as number) === -2147483648 ? intOverflow('int4') : Math.abs(a as number),
  );
  fn1('abs', 'int8', 'int8', (a) => {
    const b = a as bigint;
    if (b === -9223372036854775808n) intOverflow('int8');
    return b < 0n ? -b : b;
  });
  fn1('abs', 'float4', 'float4', (a) => Math.abs(a as number));
  fn1('abs', 'float8', 'float8', (a) => Math.abs(a as number));
  fn1('abs', 'numeric', 'numeric', decFn(decAbs));
  // rounding
  fn1('round', 'float8', 'float8', (a) => rint(a as number));
  fn1(
    'round',
    'numeric',
    'numeric',
    decFn((d) => decRound(d, 0)),
  );
  fn2('round', 'numeric', 'int4', 'numeric', (a, n) =>
    formatDec(decRound(parseDec(a as string), n as number)),
  );
  fn1('trunc', 'float8', 'float8', (a) => trunc8(a as number));
  fn1(
    'trunc',
    'numeric',
    'numeric',
    decFn((d) => decTrunc(d, 0)),
  );
  fn2('trunc', 'numeric', 'int4', 'numeric', (a, n) =>
    formatDec(decTrunc(parseDec(a as string), n as number)),
  );
  for (const name of ['ceil', 'ceiling']) {
    fn1(name, 'float8', 'float8', (a) => Math.ceil(a as number));
    fn1(name, 'numeric', 'numeric', decFn(decCeil));
  }
  fn1('floor', 'float8', 'float8', (a) => Math.floor(a as number));
  fn1('floor', 'numeric', 'numeric', decFn(decFloor));
  fn1('sign', 'float8', 'float8', (a) => {
    const x = a as number;
    return x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN;
  });
  fn1('sign', 'numeric', 'numeric', decFn(decSign));
  // mod / div
  for (const t of ['int2', 'int4'] as const) {
    fn2('mod', t, t, t, (a, b) => {
      if (b === 0) divisionByZero();
      const r = (a as number) % (b as number);
      return r === 0 ? 0 : r;
    });
  }
  fn2('mod', 'int8', 'int8', 'int8', (a, b) => {
    if (b === 0n) divisionByZero();
    return (a as bigint) % (b as bigint);
  });
  fn2('mod', 'numeric', 'numeric', 'numeric', decFn2(decMod));
  fn2('div', 'numeric', 'numeric', 'numeric', decFn2(decDivTrunc));
  // power
  for (const name of ['power', 'pow']) {
    fn2(name, 'float8', 'float8', 'float8', (a, b) => floatPow(a as number, b as number));
    fn2(name, 'numeric', 'numeric', 'numeric', decFn2(decPower));
  }
  fn1('sqrt', 'float8', 'float8', (a) => {
    const x = a as number;
    if (x < 0) throw powerError('cannot take square root of a negative number');
    return Math.sqrt(x);
  });
  fn1('sqrt', 'numeric', 'numeric', decFn(decSqrt));
  fn1('cbrt', 'float8', 'float8', (a) => Math.cbrt(a as number));
  fn1('exp', 'float8', 'float8', (a) => {
    const x = a as number;
    return checkFloat8(Math.exp(x), !Number.isFinite(x), x === -Infinity || Number.isNaN(x) || x < -745);
  });
  fn1('exp', 'numeric', 'numeric', decFn(decExp));
  fn1('ln', 'float8', 'float8', (a) => {
    checkLogArg(a as number);
    return Math.log(a as number);
  });
  fn1('ln', 'numeric', 'numeric', decFn(decLn));
  for (const name of ['log', 'log10']) {
    fn1(name, 'float8', 'float8', (a) => {
      checkLogArg(a as number);
      return Math.log10(a as number);
    });
    fn1(name, 'numeric', 'numeric', decFn(decLog10));
  }
  fn2('log', 'numeric', 'numeric', 'numeric', decFn2(decLogBase));
  registerFunction('pi', [], 'float8', () => Math.PI);
  registerFunction('random', [], 'float8', (_a, ctx) => ctx.random(), { volatile: true });
}

register();
