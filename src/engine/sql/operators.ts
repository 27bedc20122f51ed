/**
 * Built-in operators, registered with Postgres' signatures so overload resolution picks the same
 * operator (and result type) Postgres would: integer arithmetic across int2/int4/int8 with
 * overflow errors, float4/float8, numeric, date arithmetic, `||`, and comparisons.
 */
import { SqlError, sqlError } from '../errors.ts';
import type { TypeId, Value } from './types.ts';
import { registerOperator } from './functions.ts';
import { compareText, bpcharTrim } from './types-io.ts';
import { compareValues } from './types.ts';
import { decAdd, decDiv, decMod, decMul, decNeg, decSub, formatDec, parseDec } from './numeric.ts';
import { decPower } from './expr-numeric-trans.ts';
import type { Dec } from './numeric.ts';
import { checkFloat4, checkFloat8 } from './types-float.ts';
import { dateAddDays, dateDiff, USECS_PER_DAY } from './datetime.ts';
import { checkTextLength } from './limits.ts';

type IntT = 'int2' | 'int4' | 'int8';
const INTS: IntT[] = ['int2', 'int4', 'int8'];
const LABEL: Record<IntT, string> = { int2: 'smallint', int4: 'integer', int8: 'bigint' };
const MAX: Record<'int2' | 'int4', number> = { int2: 32767, int4: 2147483647 };

export function intOverflow(t: IntT): never {
  throw sqlError('numeric_value_out_of_range', `${LABEL[t]} out of range`);
}

export function divisionByZero(): never {
  throw sqlError('division_by_zero', 'division by zero');
}

function wider(a: IntT, b: IntT): IntT {
  return INTS.indexOf(a) >= INTS.indexOf(b) ? a : b;
}

function chkNum(r: number, t: 'int2' | 'int4'): number {
  if (r > MAX[t] || r < -MAX[t] - 1) intOverflow(t);
  return r === 0 ? 0 : r;
}

const I8_MAX = 9223372036854775807n;
const I8_MIN = -9223372036854775808n;
function chkBig(r: bigint): bigint {
  if (r > I8_MAX || r < I8_MIN) intOverflow('int8');
  return r;
}

const big = (v: Value): bigint => (typeof v === 'bigint' ? v : BigInt(v as number));

function registerIntArith(): void {
  for (const l of INTS) {
    for (const r of INTS) {
      const res = wider(l, r);
      if (res === 'int8') {
        registerOperator('+', [l, r], res, (a, b) => chkBig(big(a) + big(b)));
        registerOperator('-', [l, r], res, (a, b) => chkBig(big(a) - big(b)));
        registerOperator('*', [l, r], res, (a, b) => chkBig(big(a) * big(b)));
        registerOperator('/', [l, r], res, (a, b) => {
          const y = big(b);
          if (y === 0n) divisionByZero();
          return chkBig(big(a) / y);
        });
      } else {
        registerOperator('+', [l, r], res, (a, b) => chkNum((a as number) + (b as number), res));
        registerOperator('-', [l, r], res, (a, b) => chkNum((a as number) - (b as number), res));
        registerOperator('*', [l, r], res, (a, b) => chkNum((a as number) * (b as number), res));
        registerOperator('/', [l, r], res, (a, b) => {
          if (b === 0) divisionByZero();
          return chkNum(Math.trunc((a as number) / (b as number)), res);
        });
      }
    }
  }
  for (const t of ['int2', 'int4'] as const) {
    registerOperator('%', [t, t], t, (a, b) => {
      if (b === 0) divisionByZero();
      const r = (a as number) % (b as number);
      return r === 0 ? 0 : r;
    });
    registerOperator('-', [t], t, (a) => chkNum(-(a as number), t));
    registerOperator('+', [t], t, (a) => a);
  }
  registerOperator('%', ['int8', 'int8'], 'int8', (a, b) => {
    if (b === 0n) divisionByZero();
    return (a as bigint) % (b as bigint);
  });
  registerOperator('-', ['int8'], 'int8', (a) => chkBig(-(a as bigint)));
  registerOperator('+', ['int8'], 'int8', (a) => a);
}

function registerFloatArith(): void {
  const FL: ('float4' | 'float8')[] = ['float4', 'float8'];
  for (const l of FL) {
    for (const r of FL) {
      const res = l === 'float8' || r === 'float8' ? 'float8' : 'float4';
      const chk = res === 'float4' ? checkFloat4 : checkFloat8;
      registerOperator('+', [l, r], res, (a, b) => {
        const x = a as number;
        const y = b as number;
        return chk(x + y, !Number.isFinite(x) || !Number.isFinite(y), true);
      });
      registerOperator('-', [l, r], res, (a, b) => {
        const x = a as number;
        const y = b as number;
        return chk(x - y, !Number.isFinite(x) || !Number.isFinite(y), true);
      });
      registerOperator('*', [l, r], res, (a, b) => {
        const x = a as number;
        const y = b as number;
        return chk(x * y, !Number.isFinite(x) || !Number.isFinite(y), x === 0 || y === 0);
      });
      registerOperator('/', [l, r], res, (a, b) => {
        const x = a as number;
        const y = b as number;
        if (y === 0 && !Number.isNaN(x)) divisionByZero();
        return chk(x / y, !Number.isFinite(x), x === 0 || !Number.isFinite(y));
      });
    }
    registerOperator('-', [l], l, (a) => -(a as number));
    registerOperator('+', [l], l, (a) => a);
  }
  registerOperator('^', ['float8', 'float8'], 'float8', (a, b) => floatPow(a as number, b as number));
}

/** float8 ^ float8 (dpow) with Postgres' domain errors. */
export function floatPow(x: number, y: number): number {
  if (Number.isNaN(x)) return y === 0 ? 1 : NaN;
  if (Number.isNaN(y)) return x === 1 ? 1 : NaN;
  if (x === 0 && y < 0) {
    throw new SqlError('2201F', 'zero raised to a negative power is undefined');
  }
  if (x < 0 && Number.isFinite(x) && Number.isFinite(y) && Math.floor(y) !== y) {
    throw new SqlError('2201F', 'a negative number raised to a non-integer power yields a complex result');
  }
  if (x === 1 || y === 0) return 1;
  const r = Math.pow(x, y);
  return checkFloat8(r, !Number.isFinite(x) || !Number.isFinite(y), x === 0);
}

function dec2(f: (a: Dec, b: Dec) => Dec): (a: Value, b: Value) => Value {
  return (a, b) => formatDec(f(parseDec(a as string), parseDec(b as string)));
}

function registerNumericArith(): void {
  registerOperator('+', ['numeric', 'numeric'], 'numeric', dec2(decAdd));
  registerOperator('-', ['numeric', 'numeric'], 'numeric', dec2(decSub));
  registerOperator('*', ['numeric', 'numeric'], 'numeric', dec2(decMul));
  registerOperator('/', ['numeric', 'numeric'], 'numeric', dec2(decDiv));
  registerOperator('%', ['numeric', 'numeric'], 'numeric', dec2(decMod));
  registerOperator('^', ['numeric', 'numeric'], 'numeric', dec2(decPower));
  registerOperator('-', ['numeric'], 'numeric', (a) => formatDec(decNeg(parseDec(a as string))));
  registerOperator('+', ['numeric'], 'numeric', (a) => a);
}

function registerDateArith(): void {
  registerOperator('+', ['date', 'int4'], 'date', (a, b) => dateAddDays(a as number, b as number));
  registerOperator('+', ['int4', 'date'], 'date', (a, b) => dateAddDays(b as number, a as number));
  registerOperator('-', ['date', 'int4'], 'date', (a, b) => dateAddDays(a as number, -(b as number)));
  registerOperator('-', ['date', 'date'], 'int4', (a, b) => dateDiff(a as number, b as number));
}

function registerConcat(): void {
  const cat = (a: Value, b: Value): Value => {
    checkTextLength((a as string).length + (b as string).length);
    return (a as string) + (b as string);
  };
  registerOperator('||', ['text', 'text'], 'text', cat);
  registerOperator('||', ['text', 'anytext'], 'text', cat, 'op||(text,anynonarray)');
  registerOperator('||', ['anytext', 'text'], 'text', cat, 'op||(anynonarray,text)');
}

type Cmp = (a: Value, b: Value) => number;
const CMP_OPS: [string, (c: number) => boolean][] = [
  ['=', (c) => c === 0],
  ['<>', (c) => c !== 0],
  ['<', (c) => c < 0],
  ['>', (c) => c > 0],
  ['<=', (c) => c <= 0],
  ['>=', (c) => c >= 0],
];

function registerComparisons(l: TypeId, r: TypeId, cmp: Cmp): void {
  for (const [op, test] of CMP_OPS) registerOperator(op, [l, r], 'bool', (a, b) => test(cmp(a, b)));
}

const plainCmp: Cmp = (a, b) => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0);

function registerAllComparisons(): void {
  for (const l of INTS) for (const r of INTS) registerComparisons(l, r, plainCmp);
  const fcmp: Cmp = (a, b) => compareValues(a, b, { name: 'float8' });
  for (const l of ['float4', 'float8'] as const) {
    for (const r of ['float4', 'float8'] as const) registerComparisons(l, r, fcmp);
  }
  registerComparisons('numeric', 'numeric', (a, b) => compareValues(a, b, { name: 'numeric' }));
  registerComparisons('text', 'text', (a, b) => compareText(a as string, b as string));
  registerComparisons('bpchar', 'bpchar', (a, b) =>
    compareText(bpcharTrim(a as string), bpcharTrim(b as string)),
  );
  registerComparisons('bool', 'bool', (a, b) => (a === b ? 0 : a ? 1 : -1));
  const D: ('date' | 'timestamp' | 'timestamptz')[] = ['date', 'timestamp', 'timestamptz'];
  for (const l of D) {
    for (const r of D) {
      if (l === r) {
        registerComparisons(l, r, plainCmp);
        continue;
      }
      const cl = l === 'date' ? USECS_PER_DAY : 1;
      const cr = r === 'date' ? USECS_PER_DAY : 1;
      registerComparisons(l, r, (a, b) => plainCmp((a as number) * cl, (b as number) * cr));
    }
  }
}

registerIntArith();
registerFloatArith();
registerNumericArith();
registerDateArith();
registerConcat();
registerAllComparisons();
