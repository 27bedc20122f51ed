/**
 * Function-call syntax: argument lists (`count(*)`, `count(DISTINCT x)`, `FILTER (WHERE ...)`)
 * and the SQL-standard special forms that gram.y rewrites into ordinary calls (EXTRACT,
 * SUBSTRING, POSITION, TRIM) or keeps as named calls (COALESCE, NULLIF, GREATEST, LEAST).
 */
import { sqlError } from '../errors.ts';
import type { CallExpr, Expr, FrameBound, WindowSpec } from './ast.ts';
import type { Cursor } from './cursor.ts';
import type { Token } from './lexer.ts';
import { parseExpr, parseExprList, parseParenQuery } from './parse-expr.ts';
import { parseSortList } from './parse-query.ts';

/** After the function name, at `(`: the argument list and any FILTER clause. */
export function parseCallArgs(c: Cursor, name: string, pos: number): CallExpr {
  c.expectOp('(');
  const call: CallExpr = { kind: 'call', name, args: [], distinct: false, star: false, pos };
  if (c.acceptOp('*')) {
    call.star = true;
  } else if (!c.isOp(')')) {
    if (c.acceptWord('distinct')) call.distinct = true;
    else c.acceptWord('all');
    if (c.isWord('variadic')) throw c.unsupported('VARIADIC');
    call.args = parseExprList(c);
    if (c.isOp('=>') || (c.isOp(':') && c.isOp('=', 1))) throw c.unsupported('named arguments');
    if (c.acceptWord('order')) {
      c.expectWord('by');
      call.orderBy = parseSortList(c);
    }
  }
  c.expectOp(')');
  if (c.isWord('within') && c.isWord('group', 1)) {
    const t = c.next();
    c.next();
    if (call.distinct)
      throw sqlError('syntax_error', 'cannot use DISTINCT with WITHIN GROUP', { position: t.pos });
    if (call.orderBy)
      throw sqlError('syntax_error', 'cannot use multiple ORDER BY clauses with WITHIN GROUP', {
        position: t.pos,
      });
    c.expectOp('(');
    c.expectWord('order');
    c.expectWord('by');
    call.withinGroup = parseSortList(c);
    c.expectOp(')');
  }
  if (c.isWord('filter') && c.isOp('(', 1)) {
    c.next();
    c.next();
    c.expectWord('where');
    call.filter = parseExpr(c);
    c.expectOp(')');
  }
  if (c.acceptWord('over')) call.over = parseOver(c);
  return call;
}

/** After OVER: a window name, or `([name] [PARTITION BY ...] [ORDER BY ...] [frame])`. */
function parseOver(c: Cursor): WindowSpec {
  const pos = c.peek().pos;
  if (!c.isOp('(')) return { ref: { name: c.colId(), bare: true }, partitionBy: [], orderBy: [], pos };
  c.expectOp('(');
  const spec = parseWindowBody(c, pos);
  c.expectOp(')');
  return spec;
}

/** A window specification's body, inside its parentheses (OVER, and WINDOW name AS). */
export function parseWindowBody(c: Cursor, pos: number): WindowSpec {
  const spec: WindowSpec = { partitionBy: [], orderBy: [], pos };
  if (
    c.peek().kind === 'ident' &&
    !['partition', 'order', 'rows', 'range', 'groups'].includes(c.peek().value)
  )
    spec.ref = { name: c.colId(), bare: false };
  if (c.acceptWord('partition')) {
    c.expectWord('by');
    spec.partitionBy = parseExprList(c);
  }
  if (c.acceptWord('order')) {
    c.expectWord('by');
    spec.orderBy = parseSortList(c);
  }
  const t = c.peek();
  if (c.isWord('groups')) throw c.unsupported('GROUPS frames');
  if (c.isWord('rows') || c.isWord('range')) {
    const mode = c.next().value as 'rows' | 'range';
    const between = c.acceptWord('between');
    const start = parseFrameBound(c);
    let end: FrameBound = { kind: 'currentRow', pos: start.pos };
    if (between) {
      c.expectWord('and');
      end = parseFrameBound(c);
    }
    if (c.isWord('exclude')) throw c.unsupported('frame EXCLUDE');
    spec.frame = { mode, start, end, pos: t.pos };
  }
  return spec;
}

function parseFrameBound(c: Cursor): FrameBound {
  const pos = c.peek().pos;
  if (c.acceptWord('unbounded')) {
    if (c.acceptWord('preceding')) return { kind: 'unboundedPreceding', pos };
    c.expectWord('following');
    return { kind: 'unboundedFollowing', pos };
  }
  if (c.acceptWord('current')) {
    c.expectWord('row');
    return { kind: 'currentRow', pos };
  }
  const offset = parseExpr(c);
  if (c.acceptWord('preceding')) return { kind: 'preceding', offset, pos };
  c.expectWord('following');
  return { kind: 'following', offset, pos };
}

function call(name: string, args: Expr[], pos: number): CallExpr {
  return { kind: 'call', name, args, distinct: false, star: false, pos };
}

/** The column-name keywords with call syntax: COALESCE, EXTRACT, SUBSTRING, ROW, EXISTS, .... */
export function parseSpecialCall(c: Cursor, t: Token): Expr | undefined {
  const pos = t.pos;
  switch (t.value) {
    case 'coalesce':
    case 'nullif':
    case 'greatest':
    case 'least': {
      c.next();
      c.expectOp('(');
      const args = parseExprList(c);
      c.expectOp(')');
      return call(t.value, args, pos);
    }
    case 'exists': {
      c.next();
      const query = parseParenQuery(c);
      if (!query) throw c.syntaxError(c.peek(1));
      return { kind: 'exists', query, pos };
    }
    case 'row': {
      c.next();
      c.expectOp('(');
      const items = c.isOp(')') ? [] : parseExprList(c);
      c.expectOp(')');
      return { kind: 'row', items, pos };
    }
    case 'extract': {
      c.next();
      c.expectOp('(');
      const f = c.next();
      if (f.kind !== 'ident' && f.kind !== 'string') throw c.syntaxError(f);
      c.expectWord('from');
      const source = parseExpr(c);
      c.expectOp(')');
      // Since Postgres 14, EXTRACT returns numeric (date_part returns float8).
      return call(
        'extract',
        [{ kind: 'literal', value: f.value, literalType: 'string', pos: f.pos }, source],
        pos,
      );
    }
    case 'position': {
      c.next();
      c.expectOp('(');
      const needle = parseExpr(c, 7);
      c.expectWord('in');
      const haystack = parseExpr(c, 7);
      c.expectOp(')');
      return call('position', [haystack, needle], pos);
    }
    case 'substring':
      return parseSubstring(c, pos);
    case 'trim':
      return parseTrim(c, pos);
    case 'overlay':
    case 'treat':
      throw c.unsupported(t.value.toUpperCase());
  }
  return undefined;
}

function parseSubstring(c: Cursor, pos: number): Expr {
  c.next();
  c.expectOp('(');
  const str = parseExpr(c);
  let args: Expr[];
  if (c.acceptOp(',')) {
    args = [str, ...parseExprList(c)];
  } else if (c.acceptWord('from')) {
    const from = parseExpr(c);
    args = c.acceptWord('for') ? [str, from, parseExpr(c)] : [str, from];
  } else if (c.acceptWord('for')) {
    const len = parseExpr(c);
    const one: Expr = { kind: 'literal', value: 1, literalType: 'integer', text: '1', pos };
    args = c.acceptWord('from') ? [str, parseExpr(c), len] : [str, one, len];
  } else {
    args = [str];
  }
  c.expectOp(')');
  return call('substring', args, pos);
}

function parseTrim(c: Cursor, pos: number): Expr {
  c.next();
  c.expectOp('(');
  let name = 'btrim';
  if (c.acceptWord('leading')) name = 'ltrim';
  else if (c.acceptWord('trailing')) name = 'rtrim';
  else c.acceptWord('both');
  let args: Expr[];
  if (c.acceptWord('from')) {
    args = parseExprList(c);
  } else {
    const first = parseExpr(c);
    args = c.acceptWord('from')
      ? [...parseExprList(c), first]
      : [first, ...(c.acceptOp(',') ? parseExprList(c) : [])];
  }
  c.expectOp(')');
  return call(name, args, pos);
}
