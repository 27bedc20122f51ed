import { describe, it, expect } from 'vitest';
import { parseExpression } from '../../../../src/engine/sql/parser.ts';
import { bindBooleanCondition, coerce } from '../../../../src/engine/sql/bind-expr.ts';
import { compileExpr } from '../../../../src/engine/sql/eval.ts';
import {
  castValue,
  commonType,
  compareValues,
  formatValue,
  parseTypeName,
  parseValue,
  toClientValue,
  typeDisplayName,
} from '../../../../src/engine/sql/types.ts';
import type { SqlType } from '../../../../src/engine/sql/types.ts';
import { SqlError } from '../../../../src/engine/errors.ts';
import { registerFunction } from '../../../../src/engine/sql/functions.ts';
import { bind, ctx, evalExpr, scopeOf } from './helpers.ts';

const cols: Record<string, SqlType> = {
  i: { name: 'int4' },
  d: { name: 'date' },
  s: { name: 'text' },
  v: { name: 'varchar', typmod: [3] },
  n: { name: 'numeric', typmod: [10, 2] },
  b: { name: 'bool' },
};
const row = [5, 8830, 'abc', 'xy', '1.50', null];

function err(f: () => unknown): { code: string; message: string; position?: number; hint?: string } {
  try {
    f();
  } catch (e) {
    if (e instanceof SqlError) {
      const o: { code: string; message: string; position?: number; hint?: string } = {
        code: e.code,
        message: e.message,
      };
      if (e.position !== undefined) o.position = e.position;
      if (e.hint !== undefined) o.hint = e.hint;
      return o;
    }
    throw e;
  }
  throw new Error('no error');
}

describe('binding with columns', () => {
  it('unknown literals adopt the column type', () => {
    expect(evalExpr("d = '2024-03-05'", row, cols).value).toBe(true);
    expect(evalExpr("i + '1'", row, cols).value).toBe(6);
    expect(evalExpr('s || i', row, cols).value).toBe('abc5');
    expect(evalExpr('n * 2', row, cols)).toEqual({ value: '3.00', type: { name: 'numeric' } });
  });
  it('null propagation and three-valued logic', () => {
    expect(evalExpr('b and false', row, cols).value).toBe(false);
    expect(evalExpr('b or true', row, cols).value).toBe(true);
    expect(evalExpr('b and true', row, cols).value).toBe(null);
    expect(evalExpr('i + null', row, cols).value).toBe(null);
    expect(evalExpr('coalesce(b, i > 1)', row, cols).value).toBe(true);
  });
  it('simple CASE evaluates its argument once', () => {
    expect(evalExpr("case i when 4 then 'four' when 5 then 'five' end", row, cols).value).toBe('five');
    expect(evalExpr("case i when 4 then 'a' else case s when 'abc' then 'b' end end", row, cols).value).toBe(
      'b',
    );
  });
  it('WHERE must be boolean', () => {
    expect(err(() => bindBooleanCondition(parseExpression('1 + i'), scopeOf(cols), 'WHERE'))).toEqual({
      code: '42804',
      message: 'argument of WHERE must be type boolean, not type integer',
      position: 3,
    });
    const ok = bindBooleanCondition(parseExpression("'t'"), scopeOf(cols), 'WHERE');
    expect(compileExpr(ok)([], ctx())).toBe(true);
  });
  it('errors carry Postgres positions and hints', () => {
    expect(err(() => bind('s + 1', cols))).toEqual({
      code: '42883',
      message: 'operator does not exist: text + integer',
      position: 3,
      hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
    });
    expect(err(() => bind('foo(i)', cols)).message).toBe('function foo(integer) does not exist');
    expect(err(() => bind('zz + 1', cols))).toEqual({
      code: '42703',
      message: 'column "zz" does not exist',
      position: 1,
    });
    expect(err(() => bind("1 + 'abc'", cols))).toEqual({
      code: '22P02',
      message: 'invalid input syntax for type integer: "abc"',
      position: 5,
    });
    expect(err(() => bind('x::foo', { x: { name: 'int4' } })).message).toBe('type "foo" does not exist');
  });
  it('assignment coercion to varchar(n) errors, explicit cast truncates', () => {
    const b = bind('s', cols);
    const assigned = coerce(b, { name: 'varchar', typmod: [2] }, 'assignment');
    expect(err(() => compileExpr(assigned)(row, ctx())).message).toBe(
      'value too long for type character varying(2)',
    );
    expect(evalExpr('s::varchar(2)', row, cols).value).toBe('ab');
    expect(err(() => coerce(bind('b', cols), { name: 'date' }, 'assignment')).code).toBe('42804');
  });
  it('registerFunction hooks receive the context', () => {
    registerFunction('test_server_fn', [], 'text', (_a, c) => `server:${String(c.server)}`, {
      volatile: true,
    });
    const f = compileExpr(bind('test_server_fn()'));
    expect(f([], { ...ctx(), server: 'x' })).toBe('server:x');
  });
  it('now() and current_date come from the context', () => {
    expect(formatValue(evalExpr('now()').value, { name: 'timestamptz' })).toBe('2024-03-05 10:11:12.5+00');
    expect(formatValue(evalExpr('current_date').value, { name: 'date' })).toBe('2024-03-05');
    const r = evalExpr('random()').value as number;
    expect(r).toBeGreaterThanOrEqual(0);
    expect(r).toBeLessThan(1);
  });
});

describe('type helpers', () => {
  it('display names', () => {
    const names = [
      'int4',
      'int8',
      'numeric',
      'text',
      'bool',
      'float8',
      'float4',
      'int2',
      'date',
      'timestamp',
      'timestamptz',
    ];
    expect(names.map((n) => typeDisplayName(parseTypeName({ name: n, pos: 1 })))).toEqual([
      'integer',
      'bigint',
      'numeric',
      'text',
      'boolean',
      'double precision',
      'real',
      'smallint',
      'date',
      'timestamp without time zone',
      'timestamp with time zone',
    ]);
    expect(typeDisplayName({ name: 'varchar', typmod: [10] })).toBe('character varying(10)');
    expect(typeDisplayName({ name: 'bpchar', typmod: [3] })).toBe('character(3)');
    expect(typeDisplayName({ name: 'numeric', typmod: [10, 2] })).toBe('numeric(10,2)');
    expect(err(() => parseTypeName({ name: 'foo', pos: 4 }))).toEqual({
      code: '42704',
      message: 'type "foo" does not exist',
      position: 4,
    });
  });
  it('toClientValue', () => {
    expect(toClientValue(5n, { name: 'int8' })).toBe(5);
    expect(toClientValue(9223372036854775807n, { name: 'int8' })).toBe('9223372036854775807');
    expect(toClientValue('1.50', { name: 'numeric' })).toBe('1.50');
    expect(toClientValue(0, { name: 'date' })).toBe('2000-01-01');
    expect(toClientValue(true, { name: 'bool' })).toBe(true);
  });
  it('compareValues: NaN last, code point text order, bpchar ignores padding', () => {
    expect(compareValues(NaN, Infinity, { name: 'float8' })).toBe(1);
    expect(compareValues('NaN', '1e100', { name: 'numeric' })).toBe(1);
    expect(compareValues('10', '9.5', { name: 'numeric' })).toBe(1);
    expect(compareValues('B', 'a', { name: 'text' })).toBe(-1);
    expect(compareValues('\uffff', '😀', { name: 'text' })).toBe(-1);
    expect(compareValues('ab  ', 'ab', { name: 'bpchar' })).toBe(0);
  });
  it('commonType', () => {
    const T = (n: string): SqlType => ({ name: n as SqlType['name'] });
    expect(commonType([T('int4'), T('numeric')])).toEqual(T('numeric'));
    expect(commonType([T('int4'), T('float4'), T('int8')])).toEqual(T('float4'));
    expect(commonType([T('unknown'), T('unknown')])).toEqual(T('text'));
    expect(commonType([T('varchar'), T('text')])).toEqual(T('varchar'));
    expect(commonType([T('text'), T('varchar')])).toEqual(T('text'));
    expect(commonType([T('date'), T('timestamp')])).toEqual(T('timestamp'));
    expect(err(() => commonType([T('int4'), T('text')], 'UNION')).message).toBe(
      'UNION types integer and text cannot be matched',
    );
  });
  it('parseValue / castValue', () => {
    expect(parseValue('  12 ', { name: 'int4' })).toBe(12);
    expect(parseValue('ab', { name: 'bpchar', typmod: [4] })).toBe('ab  ');
    expect(parseValue('1.005', { name: 'numeric', typmod: [5, 2] })).toBe('1.01');
    expect(err(() => parseValue('abcd', { name: 'varchar', typmod: [3] }, false)).message).toBe(
      'value too long for type character varying(3)',
    );
    expect(parseValue('abc   ', { name: 'varchar', typmod: [3] }, false)).toBe('abc');
    expect(castValue(3.5, { name: 'float8' }, { name: 'int4' })).toBe(4);
    expect(castValue(true, { name: 'bool' }, { name: 'text' })).toBe('true');
    expect(castValue(5n, { name: 'int8' }, { name: 'numeric', typmod: [5, 2] })).toBe('5.00');
  });
});
