/**
 * Expression parsing by precedence climbing, with Postgres 12's operator table (gram.y):
 *
 *   level  operators                                   associativity
 *   1      OR                                          left
 *   2      AND                                         left
 *   3      NOT (prefix)                                right
 *   4      IS ..., ISNULL, NOTNULL                     non-associative
 *   5      < > = <= >= <>                              non-associative
 *   6      [NOT] BETWEEN / IN / LIKE / ILIKE           non-associative
 *   8      || (and any other multi-character operator) left
 *   9      + -                                         left
 *   10     * / %                                       left
 *   11     ^                                           left
 *   13     unary - + (prefix)                          right
 *   15     ::                                          left
 *
 * So `-2 ^ 2` is `(-2) ^ 2` and `NOT a = b AND c` is `(NOT (a = b)) AND c`, as in Postgres.
 * A non-associative operator directly followed by one of the same level (`a < b < c`) is a
 * syntax error at the second operator, as bison reports it.
 */
import { BINARY_OPS, COMPARISON_OPS, type Expr, type Literal, type Query } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { keywordCategory } from './lexer.ts';
import { isQueryStart, parseQuery } from './parse-query.ts';
import { parseCallArgs, parseSpecialCall } from './parse-call.ts';
import { genericType, isTypeKeyword, parseType } from './parse-type.ts';
import { sqlError } from '../errors.ts';

const CMP_OPS = new Set<string>(COMPARISON_OPS);
const NOT_LA = new Set(['between', 'in', 'like', 'ilike', 'similar']);
const UMINUS = 13;

/** Precedence level of the infix/postfix operator at the cursor, or 0 when there is none. */
function infixLevel(c: Cursor): number {
  const t = c.peek();
  if (t.kind === 'ident') {
    switch (t.value) {
      case 'or':
        return 1;
      case 'and':
        return 2;
      case 'is':
      case 'isnull':
      case 'notnull':
        return 4;
      case 'between':
      case 'in':
      case 'like':
      case 'ilike':
      case 'similar':
        return 6;
      case 'not':
        return NOT_LA.has(c.peek(1).kind === 'ident' ? c.peek(1).value : '') ? 6 : 0;
      case 'collate':
        throw c.unsupported('COLLATE');
      case 'at':
        if (c.isWord('time', 1)) throw c.unsupported('AT TIME ZONE');
        return 0;
      default:
        return 0;
    }
  }
  if (t.kind !== 'op') return 0;
  if (CMP_OPS.has(t.value)) return 5;
  switch (t.value) {
    case '+':
    case '-':
      return 9;
    case '*':
    case '/':
    case '%':
      return 10;
    case '^':
      return 11;
    case '::':
      return 15;
    case '[':
      throw c.unsupported('array subscripts');
    case '||':
      return 8;
    default:
      // Any other run of operator characters is a (user-defined) operator in Postgres.
      return /^[~!@#^&|`?+\-*/%<>=]+$/.test(t.value) ? 8 : 0;
  }
}

const NONASSOC = new Set([4, 5, 6]);

/** Parses an expression whose operators all bind at least as tightly as `minLevel`. */
export function parseExpr(c: Cursor, minLevel = 0): Expr {
  let left = parsePrefix(c);
  let lastNonassoc = 0;
  for (;;) {
    const level = infixLevel(c);
    if (level === 0 || level < minLevel) return left;
    if (level === lastNonassoc) throw c.syntaxError();
    left = parseInfix(c, left, level);
    lastNonassoc = NONASSOC.has(level) ? level : 0;
  }
}

function parsePrefix(c: Cursor): Expr {
  const t = c.peek();
  if (t.kind === 'ident' && t.value === 'not') {
    c.next();
    return { kind: 'unary', op: 'not', operand: parseExpr(c, 3), pos: t.pos };
  }
  if (t.kind === 'op' && (t.value === '-' || t.value === '+')) {
    c.next();
    const operand = parseExpr(c, UMINUS);
    if (t.value === '-' && operand.kind === 'literal' && operand.text !== undefined) {
      return negate(operand, t.pos);
    }
    return { kind: 'unary', op: t.value, operand, pos: t.pos };
  }
  return parsePrimary(c);
}

/** Folds `-<number>` into the literal, as gram.y's doNegate does. */
function negate(lit: Literal, pos: number): Literal {
  const text = lit.text ?? '';
  const negText = text.startsWith('-') ? text.slice(1) : `-${text}`;
  return { ...lit, value: -(lit.value as number), text: negText, pos };
}

function parseInfix(c: Cursor, left: Expr, level: number): Expr {
  const t = c.next();
  const pos = t.pos;
  if (t.kind === 'op') {
    if (t.value === '::') return { kind: 'cast', expr: left, type: parseType(c), pos };
    const op = BINARY_OPS.find((o) => o === t.value);
    if (op === undefined) {
      throw sqlError('undefined_function', `operator does not exist: ${t.value}`, { position: pos });
    }
    return { kind: 'binary', op, left, right: parseExpr(c, level + 1), pos };
  }
  switch (t.value) {
    case 'or':
    case 'and':
      return { kind: 'binary', op: t.value, left, right: parseExpr(c, level + 1), pos };
    case 'isnull':
      return { kind: 'is', test: 'null', not: false, expr: left, pos };
    case 'notnull':
      return { kind: 'is', test: 'null', not: true, expr: left, pos };
    case 'is':
      return parseIs(c, left, pos);
  }
  // [NOT] BETWEEN / IN / LIKE / ILIKE / SIMILAR
  const not = t.value === 'not';
  const op = not ? c.next() : t;
  switch (op.value) {
    case 'between': {
      const symmetric = c.acceptWord('symmetric');
      if (!symmetric) c.acceptWord('asymmetric');
      const low = parseExpr(c, 7);
      c.expectWord('and');
      const high = parseExpr(c, 7);
      return { kind: 'between', not, symmetric, expr: left, low, high, pos };
    }
    case 'in':
      return parseIn(c, left, not, pos);
    case 'like':
    case 'ilike': {
      const pattern = parseExpr(c, 7);
      const escape = c.acceptWord('escape') ? parseExpr(c, 7) : undefined;
      const like: Expr = { kind: 'like', op: op.value, not, expr: left, pattern, pos };
      if (escape) like.escape = escape;
      return like;
    }
    default:
      throw c.unsupported('SIMILAR TO', op);
  }
}

function parseIs(c: Cursor, left: Expr, pos: number): Expr {
  const not = c.acceptWord('not');
  const t = c.next();
  if (t.kind === 'ident') {
    switch (t.value) {
      case 'null':
      case 'true':
      case 'false':
      case 'unknown':
        return { kind: 'is', test: t.value, not, expr: left, pos };
      case 'distinct':
        c.expectWord('from');
        return { kind: 'isDistinct', not, left, right: parseExpr(c, 5), pos };
    }
  }
  throw c.syntaxError(t);
}

function parseIn(c: Cursor, left: Expr, not: boolean, pos: number): Expr {
  const query = parseParenQuery(c);
  if (query) return { kind: 'inSubquery', not, expr: left, query, pos };
  c.expectOp('(');
  const list = parseExprList(c);
  c.expectOp(')');
  return { kind: 'inList', not, expr: left, list, pos };
}

/** Parses `expr, expr, ...` (at least one). */
export function parseExprList(c: Cursor): Expr[] {
  const list = [parseExpr(c)];
  while (c.acceptOp(',')) list.push(parseExpr(c));
  return list;
}

/**
 * At `(`, parses `(query)` when the parentheses hold a query, else returns undefined with the
 * cursor unmoved. `((SELECT 1) + 1)` is ambiguous until the `+`, so nested parentheses are
 * tried as a query first and rewound on failure.
 */
export function parseParenQuery(c: Cursor): Query | undefined {
  if (!c.isOp('(')) return undefined;
  let k = 1;
  while (c.isOp('(', k)) k++;
  if (!isQueryStart(c, k)) return undefined;
  const inParens = (): Query => {
    c.expectOp('(');
    const q = parseQuery(c);
    c.expectOp(')');
    return q;
  };
  return k === 1 ? inParens() : c.attempt(inParens);
}

const SQL_VALUE_FUNCTIONS = new Set([
  'current_date',
  'current_time',
  'current_timestamp',
  'localtime',
  'localtimestamp',
  'current_user',
  'current_role',
  'session_user',
  'user',
  'current_catalog',
  'current_schema',
]);

function parsePrimary(c: Cursor): Expr {
  const t = c.peek();
  switch (t.kind) {
    case 'number': {
      c.next();
      const integer = /^[0-9]+$/.test(t.value);
      return {
        kind: 'literal',
        value: Number(t.value),
        literalType: integer ? 'integer' : 'numeric',
        text: t.value,
        pos: t.pos,
      };
    }
    case 'string':
      c.next();
      return { kind: 'literal', value: t.value, literalType: 'string', pos: t.pos };
    case 'bitstring':
      throw c.unsupported('bit string literals');
    case 'param':
      throw sqlError('undefined_parameter', `there is no parameter $${t.value}`, { position: t.pos });
    case 'op':
      if (t.value === '(') return parseParenthesized(c);
      throw c.syntaxError();
    case 'eof':
      throw c.syntaxError();
    case 'qident':
      return parseNamed(c);
    case 'ident':
      break;
  }
  const word = t.value;
  const cat = keywordCategory(word);
  const callFollows = c.isOp('(', 1);
  if (cat === 'reserved') {
    switch (word) {
      case 'true':
      case 'false':
        c.next();
        return { kind: 'literal', value: word === 'true', literalType: 'boolean', pos: t.pos };
      case 'null':
        c.next();
        return { kind: 'literal', value: null, literalType: 'null', pos: t.pos };
      case 'case':
        return parseCase(c);
      case 'cast': {
        c.next();
        c.expectOp('(');
        const expr = parseExpr(c);
        c.expectWord('as');
        const type = parseType(c);
        c.expectOp(')');
        return { kind: 'cast', expr, type, pos: t.pos };
      }
      case 'array':
        throw c.unsupported('ARRAY expressions');
      case 'any':
      case 'all':
      case 'some':
        if (callFollows) throw c.unsupported('ANY/ALL/SOME expressions');
        break;
    }
    if (SQL_VALUE_FUNCTIONS.has(word)) {
      c.next();
      if (c.isOp('(')) throw c.unsupported(`${word} with a precision`);
      return { kind: 'call', name: word, args: [], distinct: false, star: false, pos: t.pos };
    }
    throw c.syntaxError();
  }
  if (cat === 'colname') {
    if (callFollows) {
      const special = parseSpecialCall(c, t);
      if (special) return special;
    }
    if (isTypeKeyword(word)) {
      const typed = parseTypedLiteral(c);
      if (typed) return typed;
    }
    return parseNamed(c);
  }
  if (cat === 'typefunc') {
    if (word === 'current_schema' && !callFollows) {
      c.next();
      return { kind: 'call', name: word, args: [], distinct: false, star: false, pos: t.pos };
    }
    if (!callFollows) throw c.syntaxError();
  }
  if (word === 'double' && c.isWord('precision', 1)) {
    const typed = parseTypedLiteral(c);
    if (typed) return typed;
  }
  return parseNamed(c);
}

/** `type 'string'`, e.g. `date '2024-01-01'` or `timestamp with time zone '...'`, as a cast. */
function parseTypedLiteral(c: Cursor): Expr | undefined {
  return c.attempt(() => {
    const pos = c.peek().pos;
    const type = parseType(c);
    const s = c.peek();
    if (s.kind !== 'string') throw c.syntaxError();
    c.next();
    return {
      kind: 'cast',
      expr: { kind: 'literal', value: s.value, literalType: 'string', pos: s.pos },
      type,
      pos,
    };
  });
}

/** A name-led primary: column reference, function call, or `ident 'literal'`. */
function parseNamed(c: Cursor): Expr {
  const first = c.next();
  const parts = [first.value];
  while (c.isOp('.') && c.isLabel(1)) {
    c.next();
    parts.push(c.next().value);
  }
  if (c.isOp('.') && c.isOp('*', 1)) throw c.syntaxError(c.peek(1));
  if (c.isOp('(')) {
    if (parts.length > 2) throw c.syntaxError(first);
    const call = parseCallArgs(c, parts[parts.length - 1] ?? '', first.pos);
    if (parts.length === 2) call.schema = parts[0];
    return call;
  }
  if (parts.length === 1 && c.peek().kind === 'string') {
    // Generic typed literal: `int4 '1'`, `text 'x'`.
    const s = c.next();
    const literal: Literal = { kind: 'literal', value: s.value, literalType: 'string', pos: s.pos };
    return { kind: 'cast', expr: literal, type: genericType(first.value, first.pos), pos: first.pos };
  }
  const name = parts[parts.length - 1] ?? '';
  if (parts.length === 1) return { kind: 'column', name, pos: first.pos };
  if (parts.length === 2) return { kind: 'column', table: parts[0], name, pos: first.pos };
  if (parts.length === 3) return { kind: 'column', schema: parts[0], table: parts[1], name, pos: first.pos };
  throw sqlError('syntax_error', `improper qualified name (too many dotted names): ${parts.join('.')}`, {
    position: first.pos,
  });
}

function parseCase(c: Cursor): Expr {
  const pos = c.next().pos;
  const expr: Expr = { kind: 'case', whens: [], pos };
  if (!c.isWord('when')) expr.arg = parseExpr(c);
  while (c.acceptWord('when')) {
    const when = parseExpr(c);
    c.expectWord('then');
    expr.whens.push({ when, then: parseExpr(c) });
  }
  if (expr.whens.length === 0) throw c.syntaxError();
  if (c.acceptWord('else')) expr.else = parseExpr(c);
  c.expectWord('end');
  return expr;
}

/** `(` ... `)`: a scalar subquery, a parenthesised expression, or a row `(a, b)`. */
function parseParenthesized(c: Cursor): Expr {
  const pos = c.peek().pos;
  const query = parseParenQuery(c);
  if (query) return { kind: 'subquery', query, pos };
  c.expectOp('(');
  const first = parseExpr(c);
  if (c.acceptOp(',')) {
    const items = [first, ...parseExprList(c)];
    c.expectOp(')');
    return { kind: 'row', items, pos };
  }
  c.expectOp(')');
  return first;
}
