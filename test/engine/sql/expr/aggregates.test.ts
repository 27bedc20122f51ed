import { describe, it, expect } from 'vitest';
import { parseExpression } from '../../../../src/engine/sql/parser.ts';
import { bindAggregateCall, bindExpr } from '../../../../src/engine/sql/bind-expr.ts';
import type { BindScope, BoundAggCall } from '../../../../src/engine/sql/bind-expr.ts';
import { distinctAggregate, getAggregate } from '../../../../src/engine/sql/aggregates.ts';
import type { AggState } from '../../../../src/engine/sql/aggregates.ts';
import { compileExpr } from '../../../../src/engine/sql/eval.ts';
import { formatValue, typeDisplayName } from '../../../../src/engine/sql/types.ts';
import type { SqlType, Value } from '../../../../src/engine/sql/types.ts';
import type { CallExpr } from '../../../../src/engine/sql/ast.ts';
import { ctx, scopeOf } from './helpers.ts';

/** Runs `aggSql` over rows of column x (type t), split across `parts` "segments" then combined. */
function agg(aggSql: string, t: SqlType, rows: Value[], parts = 1): string {
  const inner = scopeOf({ x: t });
  let call: BoundAggCall | undefined;
  const scope: BindScope = {
    ...inner,
    bindAggregate(c: CallExpr, bindArg) {
      call = bindAggregateCall(c, bindArg);
      return { kind: 'col', index: 0, type: call.type };
    },
  };
  const b = bindExpr(parseExpression(aggSql), scope);
  if (!call) throw new Error('no aggregate');
  const c = call;
  const def = getAggregate(c.key);
  const impl = c.distinct ? distinctAggregate(def, c.args[0]?.type ?? t) : def;
  const args = c.args.map((a) => compileExpr(a));
  const states: AggState[] = [];
  for (let p = 0; p < parts; p++) {
    let st = impl.init();
    rows.forEach((r, i) => {
      if (i % parts !== p) return;
      st = impl.step(
        st,
        args.map((f) => f([r], ctx())),
      );
    });
    states.push(structuredClone(st));
  }
  let total = states[0];
  for (const s of states.slice(1)) total = impl.combine(total, s);
  const v = impl.final(total);
  const out = compileExpr(b)([v], ctx());
  return out === null ? 'NULL' : `${formatValue(out, b.type)}::${typeDisplayName(b.type)}`;
}

const INT: SqlType = { name: 'int4' };
describe('aggregates (values checked with psql)', () => {
  for (const parts of [1, 3]) {
    describe(`${parts} partial(s)`, () => {
      it('integer sum/avg/count/min/max', () => {
        const rows = [1, 2, 2, null];
        expect(agg('sum(x)', INT, rows, parts)).toBe('5::bigint');
        expect(agg('avg(x)', INT, rows, parts)).toBe('1.6666666666666667::numeric');
        expect(agg('count(*)', INT, rows, parts)).toBe('4::bigint');
        expect(agg('count(x)', INT, rows, parts)).toBe('3::bigint');
        expect(agg('count(distinct x)', INT, rows, parts)).toBe('2::bigint');
        expect(agg('min(x)', INT, rows, parts)).toBe('1::integer');
        expect(agg('max(x)', INT, rows, parts)).toBe('2::integer');
      });
      it('int8 sum and avg are numeric', () => {
        const rows = [9223372036854775807n, 10n];
        expect(agg('sum(x)', { name: 'int8' }, rows, parts)).toBe('9223372036854775817::numeric');
        expect(agg('avg(x)', { name: 'int8' }, rows, parts)).toBe('4611686018427387909::numeric');
      });
      it('numeric', () => {
        const rows = ['1.50', '2.25', null];
        expect(agg('sum(x)', { name: 'numeric' }, rows, parts)).toBe('3.75::numeric');
        expect(agg('avg(x)', { name: 'numeric' }, rows, parts)).toBe('1.8750000000000000::numeric');
        expect(agg('min(x)', { name: 'numeric' }, rows, parts)).toBe('1.50::numeric');
      });
      it('floats', () => {
        expect(agg('sum(x)', { name: 'float8' }, [0.1, 0.2], parts)).toBe(
          '0.30000000000000004::double precision',
        );
        expect(agg('avg(x)', { name: 'float8' }, [0.1, 0.2], parts)).toBe(
          '0.15000000000000002::double precision',
        );
        const f4 = [Math.fround(0.1), Math.fround(0.2)];
        expect(agg('sum(x)', { name: 'float4' }, f4, parts)).toBe('0.3::real');
        expect(agg('avg(x)', { name: 'float4' }, f4, parts)).toBe('0.15000000223517418::double precision');
      });
      it("avg(float8) keeps Postgres' sum of squared deviations: finite inputs that overflow it are 22003", () => {
        // float8_accum's Youngs-Cramer update: (x·N − Sx)² overflows for x = 1e300 (fuzzer seed 800670).
        if (parts === 1)
          expect(() => agg('avg(x)', { name: 'float8' }, new Array(10).fill(1e300), parts)).toThrow(
            /value out of range: overflow/,
          );
        expect(agg('avg(x)', { name: 'float8' }, [1e300], parts)).toBe('1e+300::double precision');
        expect(agg('avg(x)', { name: 'float8' }, [1e150, 3e150], parts)).toBe('2e+150::double precision');
        // An infinite input is no overflow: the average is infinite.
        expect(agg('avg(x)', { name: 'float8' }, [1, Infinity], parts)).toBe('Infinity::double precision');
      });
      it('text and bool aggregates', () => {
        const rows = ['b', 'a', null, 'b'];
        const T: SqlType = { name: 'text' };
        if (parts === 1) expect(agg("string_agg(x, ',')", T, rows, parts)).toBe('b,a,b::text');
        expect(agg("string_agg(distinct x, '-')", T, ['a', 'b', 'a'], 1)).toBe('a-b::text');
        expect(agg("bool_and(x > 'a')", T, rows, parts)).toBe('f::boolean');
        expect(agg("bool_or(x > 'b')", T, rows, parts)).toBe('f::boolean');
        expect(agg('max(x)', T, rows, parts)).toBe('b::text');
      });
      it('empty input', () => {
        expect(agg('sum(x)', INT, [], parts)).toBe('NULL');
        expect(agg('count(*)', INT, [], parts)).toBe('0::bigint');
        expect(agg('max(x)', INT, [], parts)).toBe('NULL');
      });
      it('count distinct numeric compares by value', () => {
        expect(agg('count(distinct x)', { name: 'numeric' }, ['1.0', '1.00', '2'], parts)).toBe('2::bigint');
      });
      it('avg(int2)', () => {
        expect(agg('avg(x)', { name: 'int2' }, [1, 2], parts)).toBe('1.5000000000000000::numeric');
      });
      it('aggregate result used in an expression', () => {
        expect(agg('sum(x) + 1', INT, [1, 2], parts)).toBe('4::bigint');
      });
    });
  }
  it('aggregates are rejected where not allowed', () => {
    expect(() => bindExpr(parseExpression('sum(x) > 1'), scopeOf({ x: INT }))).toThrow(
      'aggregate functions are not allowed in WHERE',
    );
  });
  it('sum(*) does not exist', () => {
    expect(() => agg('sum(*)', INT, [])).toThrow('function sum() does not exist');
  });
});
