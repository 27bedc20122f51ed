import { parseExpression } from '../../../../src/engine/sql/parser.ts';
import { bindExpr } from '../../../../src/engine/sql/bind-expr.ts';
import type { BindScope, BoundExpr } from '../../../../src/engine/sql/bind-expr.ts';
import { compileExpr } from '../../../../src/engine/sql/eval.ts';
import type { EvalContext } from '../../../../src/engine/sql/eval.ts';
import { formatValue } from '../../../../src/engine/sql/types.ts';
import type { SqlType, Value } from '../../../../src/engine/sql/types.ts';
import { sqlError, SqlError } from '../../../../src/engine/errors.ts';

/** 2024-03-05 10:11:12.5 UTC in µs since 2000-01-01. */
export const STATEMENT_TIME = 762948672500000;

export function ctx(): EvalContext {
  let seed = 1;
  return {
    statementTime: STATEMENT_TIME,
    random: () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    },
  };
}

/** A scope with columns c0..cn of the given types. */
export function scopeOf(cols: Record<string, SqlType> = {}): BindScope {
  const names = Object.keys(cols);
  return {
    clause: 'WHERE',
    resolveColumn(ref) {
      const i = names.indexOf(ref.name);
      if (i < 0)
        throw sqlError('undefined_column', `column "${ref.name}" does not exist`, { position: ref.pos });
      return { kind: 'col', index: i, type: cols[ref.name] as SqlType };
    },
  };
}

export function bind(sql: string, cols: Record<string, SqlType> = {}): BoundExpr {
  return bindExpr(parseExpression(sql), scopeOf(cols));
}

export function evalExpr(
  sql: string,
  row: Value[] = [],
  cols: Record<string, SqlType> = {},
): { value: Value; type: SqlType } {
  const b = bind(sql, cols);
  return { value: compileExpr(b)(row, ctx()), type: b.type };
}

/** PG-style text output (null shown as the empty marker 'NULL'), or 'ERROR <code>: <message>'. */
export function run(sql: string): string {
  try {
    const { value, type } = evalExpr(sql);
    return value === null ? 'NULL' : formatValue(value, type);
  } catch (e) {
    if (e instanceof SqlError) return `ERROR ${e.code}: ${e.message}`;
    throw e;
  }
}
