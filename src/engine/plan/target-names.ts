/** The names Postgres gives select-list expressions that have no alias (FigureColname). */
import type { Expr } from '../sql/ast.ts';

/** Postgres' default output name for an expression ("?column?" when it has none). */
export function targetName(e: Expr): string {
  return figureName(e)[0];
}

/**
 * Postgres' FigureColname: a name and how strongly the expression suggests it (2: a column,
 * function or subquery name; 1: a fallback such as a cast's type or "case"; 0: none).
 */
function figureName(e: Expr): [string, number] {
  switch (e.kind) {
    case 'column':
    case 'call':
    case 'outerValue':
      return [e.name, 2];
    case 'cast': {
      const inner = figureName(e.expr);
      return inner[1] <= 1 ? [castName(e), 1] : inner;
    }
    case 'case': {
      const inner: [string, number] = e.else ? figureName(e.else) : ['?column?', 0];
      return inner[1] <= 1 ? ['case', 1] : inner;
    }
    case 'exists':
      return ['exists', 2];
    case 'row':
      return ['row', 2];
    case 'subquery': {
      let q = e.query;
      while (q.kind === 'setop') q = q.left;
      if (q.kind === 'select' && q.targets[0]?.kind === 'expr') {
        const t = q.targets[0];
        return [t.alias ?? targetName(t.expr), 2];
      }
      return ['?column?', 2];
    }
    default:
      return ['?column?', 0];
  }
}

function castName(e: Extract<Expr, { kind: 'cast' }>): string {
  const n = e.type.name;
  const map: Record<string, string> = {
    int4: 'int4',
    int8: 'int8',
    int2: 'int2',
    float8: 'float8',
    float4: 'float4',
    bool: 'bool',
    text: 'text',
    numeric: 'numeric',
    varchar: 'varchar',
    bpchar: 'bpchar',
    date: 'date',
    timestamp: 'timestamp',
    timestamptz: 'timestamptz',
  };
  return map[n] ?? n;
}
