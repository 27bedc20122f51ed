import { describe, it, expect } from 'vitest';
import { parse, parseExpression, parseOne } from '../../../src/engine/sql/parser.ts';
import { tokenize } from '../../../src/engine/sql/lexer.ts';
import type { Expr, Query, SelectStmt, Statement } from '../../../src/engine/sql/ast.ts';
import { SqlError } from '../../../src/engine/errors.ts';

/** Renders an expression fully parenthesised, so precedence is visible in one string. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'literal':
      if (e.text !== undefined) return e.text;
      if (e.literalType === 'string') return `'${String(e.value)}'`;
      return String(e.value).toUpperCase();
    case 'column':
      return [e.schema, e.table, e.name].filter((p) => p !== undefined).join('.');
    case 'binary':
      return `(${show(e.left)} ${e.op.toUpperCase()} ${show(e.right)})`;
    case 'unary':
      return `(${e.op.toUpperCase()} ${show(e.operand)})`;
    case 'is':
      return `(${show(e.expr)} IS ${e.not ? 'NOT ' : ''}${e.test.toUpperCase()})`;
    case 'isDistinct':
      return `(${show(e.left)} IS ${e.not ? 'NOT ' : ''}DISTINCT FROM ${show(e.right)})`;
    case 'between':
      return `(${show(e.expr)} ${e.not ? 'NOT ' : ''}BETWEEN${e.symmetric ? ' SYMMETRIC' : ''} ${show(e.low)} AND ${show(e.high)})`;
    case 'inList':
      return `(${show(e.expr)} ${e.not ? 'NOT ' : ''}IN [${e.list.map(show).join(', ')}])`;
    case 'inSubquery':
      return `(${show(e.expr)} ${e.not ? 'NOT ' : ''}IN subquery)`;
    case 'exists':
      return 'EXISTS(subquery)';
    case 'subquery':
      return 'subquery';
    case 'like':
      return `(${show(e.expr)} ${e.not ? 'NOT ' : ''}${e.op.toUpperCase()} ${show(e.pattern)}${e.escape ? ` ESCAPE ${show(e.escape)}` : ''})`;
    case 'cast':
      return `(${show(e.expr)}::${e.type.name}${e.type.typmod ? `(${e.type.typmod.join(',')})` : ''})`;
    case 'case':
      return `CASE${e.arg ? ` ${show(e.arg)}` : ''}${e.whens.map((w) => ` WHEN ${show(w.when)} THEN ${show(w.then)}`).join('')}${e.else ? ` ELSE ${show(e.else)}` : ''} END`;
    case 'call': {
      const args = e.star ? '*' : `${e.distinct ? 'DISTINCT ' : ''}${e.args.map(show).join(', ')}`;
      return `${e.schema ? `${e.schema}.` : ''}${e.name}(${args})${e.filter ? ` FILTER ${show(e.filter)}` : ''}`;
    }
    case 'row':
      return `ROW(${e.items.map(show).join(', ')})`;
    case 'nullOf':
      return `NULLOF(${show(e.expr)})`;
    case 'outerValue':
      return `OUTER(${e.name})`;
  }
}

const ex = (sql: string): string => show(parseExpression(sql));

function select(sql: string): SelectStmt {
  const s = parseOne(sql);
  if (s.kind !== 'select') throw new Error(`expected a select, got ${s.kind}`);
  return s;
}

/** The first select-list expression of `SELECT <sql>`. */
function target(sql: string): Expr {
  const t = select(`SELECT ${sql}`).targets[0];
  if (t?.kind !== 'expr') throw new Error('expected an expression target');
  return t.expr;
}

/** The error `fn` throws, as plain data. */
function errorOf(fn: () => unknown): { code: string; message: string; position?: number } {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof SqlError)) throw e;
    const r: { code: string; message: string; position?: number } = { code: e.code, message: e.message };
    if (e.position !== undefined) r.position = e.position;
    return r;
  }
  throw new Error('expected an error');
}

const err = (sql: string) => errorOf(() => parse(sql));

describe('lexer', () => {
  it('folds unquoted identifiers and keeps quoted ones', () => {
    const toks = tokenize('SeLeCt "MiXed", "a""b", plain_$1');
    expect(toks.map((t) => [t.kind, t.value])).toEqual([
      ['ident', 'select'],
      ['qident', 'MiXed'],
      ['op', ','],
      ['qident', 'a"b'],
      ['op', ','],
      ['ident', 'plain_$1'],
      ['eof', ''],
    ]);
  });

  it('records 1-based positions and source text', () => {
    const toks = tokenize('  SELECT  x');
    expect(toks[0]).toMatchObject({ pos: 3, text: 'SELECT' });
    expect(toks[1]).toMatchObject({ pos: 11, text: 'x' });
    expect(toks[2]).toMatchObject({ kind: 'eof', pos: 12 });
  });

  it('reads string literals, E-strings and dollar quotes', () => {
    const values = (sql: string) =>
      tokenize(sql)
        .filter((t) => t.kind === 'string')
        .map((t) => t.value);
    expect(values("'it''s'")).toEqual(["it's"]);
    expect(values("E'a\\nb\\t\\x41\\101\\u00e9\\''")).toEqual(["a\nb\tAAé'"]);
    expect(values("'back\\slash'")).toEqual(['back\\slash']);
    expect(values("$$it's $x$$ $tag$a$$b$tag$")).toEqual(["it's $x", 'a$$b']);
    expect(values("'con'\n  'cat' 'x'")).toEqual(['concat', 'x']);
  });

  it('skips line comments and nested block comments', () => {
    const toks = tokenize('a -- comment\n/* outer /* inner */ still */ b');
    expect(toks.map((t) => t.value)).toEqual(['a', 'b', '']);
  });

  it('reads numbers', () => {
    const nums = tokenize('1 12.5 .5 1e10 2.5E-3 3.').filter((t) => t.kind === 'number');
    expect(nums.map((t) => t.value)).toEqual(['1', '12.5', '.5', '1e10', '2.5E-3', '3.']);
  });

  it('splits operators as Postgres does', () => {
    const ops = (sql: string) => tokenize(sql).map((t) => t.value);
    expect(ops('a=-1')).toEqual(['a', '=', '-', '1', '']);
    expect(ops('a<>b')).toEqual(['a', '<>', 'b', '']);
    expect(ops('a!=b')).toEqual(['a', '<>', 'b', '']);
    expect(ops('a<=b')).toEqual(['a', '<=', 'b', '']);
    expect(ops('a||b::text')).toEqual(['a', '||', 'b', '::', 'text', '']);
    expect(ops('a*-b')).toEqual(['a', '*', '-', 'b', '']);
    expect(ops('a--b')).toEqual(['a', '']);
  });

  it('reports lexical errors with Postgres messages', () => {
    expect(err("SELECT 'abc")).toEqual({
      code: '42601',
      message: 'unterminated quoted string at or near "\'abc"',
      position: 8,
    });
    expect(err("SELECT E'abc")).toMatchObject({ message: 'unterminated quoted string at or near "E\'abc"' });
    expect(err('SELECT "abc')).toMatchObject({
      message: 'unterminated quoted identifier at or near ""abc"',
      position: 8,
    });
    expect(err('SELECT "" FROM t')).toEqual({
      code: '42601',
      message: 'zero-length delimited identifier at or near """"',
      position: 8,
    });
    expect(err('SELECT 1 /* abc')).toMatchObject({
      message: 'unterminated /* comment at or near "/* abc"',
      position: 10,
    });
    expect(err('SELECT $$abc')).toMatchObject({
      message: 'unterminated dollar-quoted string at or near "$$abc"',
      position: 8,
    });
  });
});

describe('literals', () => {
  it('keeps numeric text and classifies integers', () => {
    expect(target('42')).toEqual({ kind: 'literal', value: 42, literalType: 'integer', text: '42', pos: 8 });
    expect(target('10000000000')).toMatchObject({ literalType: 'integer', text: '10000000000' });
    expect(target('1.50')).toMatchObject({ literalType: 'numeric', text: '1.50', value: 1.5 });
    expect(target('1e3')).toMatchObject({ literalType: 'numeric', text: '1e3' });
  });

  it('folds a minus sign into a numeric literal', () => {
    expect(target('-2147483648')).toMatchObject({
      kind: 'literal',
      literalType: 'integer',
      text: '-2147483648',
      value: -2147483648,
      pos: 8,
    });
    expect(target('- - 1')).toMatchObject({ kind: 'literal', text: '1', value: 1 });
    expect(target('-x')).toMatchObject({ kind: 'unary', op: '-' });
  });

  it('reads strings, booleans and NULL', () => {
    expect(target("'a''b'")).toEqual({ kind: 'literal', value: "a'b", literalType: 'string', pos: 8 });
    expect(target('TRUE')).toMatchObject({ value: true, literalType: 'boolean' });
    expect(target('false')).toMatchObject({ value: false, literalType: 'boolean' });
    expect(target('NULL')).toMatchObject({ value: null, literalType: 'null' });
  });

  it('turns typed literals into casts', () => {
    expect(ex("date '2024-01-01'")).toBe("('2024-01-01'::date)");
    expect(ex("timestamp '2024-01-01 10:00'")).toBe("('2024-01-01 10:00'::timestamp)");
    expect(ex("timestamp with time zone 'x'")).toBe("('x'::timestamptz)");
    expect(ex("interval '1 day'")).toBe("('1 day'::interval)");
    expect(ex("int4 '7'")).toBe("('7'::int4)");
    expect(ex("double precision '1.5'")).toBe("('1.5'::float8)");
    expect(ex("varchar(3) 'abc'")).toBe("('abc'::varchar(3))");
  });
});

describe('expression precedence', () => {
  const cases: [string, string][] = [
    ['1 + 2 * 3', '(1 + (2 * 3))'],
    ['(1 + 2) * 3', '((1 + 2) * 3)'],
    ['1 - 2 - 3', '((1 - 2) - 3)'],
    ['8 / 4 % 3', '((8 / 4) % 3)'],
    ['2 ^ 3 ^ 2', '((2 ^ 3) ^ 2)'],
    ['-2 ^ 2', '(-2 ^ 2)'],
    ['- a ^ 2', '((- a) ^ 2)'],
    ['2 * 3 ^ 2', '(2 * (3 ^ 2))'],
    ['a OR b AND c', '(a OR (b AND c))'],
    ['a AND b OR c', '((a AND b) OR c)'],
    ['NOT a = b AND c', '((NOT (a = b)) AND c)'],
    ['NOT a AND b', '((NOT a) AND b)'],
    ['NOT NOT a', '(NOT (NOT a))'],
    ['a = 1 OR NOT b', '((a = 1) OR (NOT b))'],
    ['a || b || c', '((a || b) || c)'],
    ["a || 'x' = b", "((a || 'x') = b)"],
    ['a + 1 || b', '((a + 1) || b)'],
    ['a < b + 1', '(a < (b + 1))'],
    ['a = b IS NULL', '((a = b) IS NULL)'],
    ['a IS NOT NULL AND b', '((a IS NOT NULL) AND b)'],
    ['a BETWEEN 1 AND 2 AND c', '((a BETWEEN 1 AND 2) AND c)'],
    ['a NOT BETWEEN SYMMETRIC 1 + 1 AND 2', '(a NOT BETWEEN SYMMETRIC (1 + 1) AND 2)'],
    ['a = b BETWEEN 1 AND 2', '(a = (b BETWEEN 1 AND 2))'],
    ["a LIKE 'x%' OR b NOT ILIKE 'y'", "((a LIKE 'x%') OR (b NOT ILIKE 'y'))"],
    ["a LIKE 'x' || '%' ESCAPE '!'", "(a LIKE ('x' || '%') ESCAPE '!')"],
    ['a IN (1, 2) AND b NOT IN (3)', '((a IN [1, 2]) AND (b NOT IN [3]))'],
    ['a::int + 1', '((a::int4) + 1)'],
    ['-1::int', '(- (1::int4))'],
    ["'1'::text::int4", "(('1'::text)::int4)"],
    ['a IS TRUE', '(a IS TRUE)'],
    ['a IS NOT FALSE', '(a IS NOT FALSE)'],
    ['a IS UNKNOWN', '(a IS UNKNOWN)'],
    ['a ISNULL', '(a IS NULL)'],
    ['a NOTNULL', '(a IS NOT NULL)'],
    ['a IS DISTINCT FROM b + 1', '(a IS DISTINCT FROM (b + 1))'],
    ['a IS NOT DISTINCT FROM NULL', '(a IS NOT DISTINCT FROM NULL)'],
    ['1 = NOT TRUE', '(1 = (NOT TRUE))'],
    ['a <> b', '(a <> b)'],
    ['a != b', '(a <> b)'],
    ['a >= b AND a <= c', '((a >= b) AND (a <= c))'],
  ];
  it.each(cases)('%s', (sql, expected) => {
    expect(ex(sql)).toBe(expected);
  });

  it('rejects chained non-associative operators at the second operator', () => {
    expect(errorOf(() => parseExpression('a < b < c'))).toEqual({
      code: '42601',
      message: 'syntax error at or near "<"',
      position: 7,
    });
    expect(errorOf(() => parseExpression('a = b = c'))).toMatchObject({ position: 7 });
    expect(errorOf(() => parseExpression('a IS NULL IS NULL'))).toMatchObject({ position: 11 });
  });

  it('keeps operator positions for blame', () => {
    expect(parseExpression('a +  b')).toMatchObject({ kind: 'binary', op: '+', pos: 3 });
    expect(parseExpression('x::int')).toMatchObject({ kind: 'cast', pos: 2 });
  });
});

describe('other expressions', () => {
  it('parses casts', () => {
    expect(ex('CAST(a AS numeric(10, 2))')).toBe('(a::numeric(10,2))');
    expect(ex('a::character varying(5)')).toBe('(a::varchar(5))');
    expect(ex('a::char')).toBe('(a::bpchar(1))');
    expect(ex('a::bpchar')).toBe('(a::bpchar)');
    expect(ex('a::double precision')).toBe('(a::float8)');
    expect(ex('a::timestamp without time zone')).toBe('(a::timestamp)');
    expect(ex('a::timestamp(3) with time zone')).toBe('(a::timestamptz(3))');
    expect(ex('a::float(24)')).toBe('(a::float4)');
    expect(ex('a::float(25)')).toBe('(a::float8)');
    expect(ex('a::"MyType"')).toBe('(a::MyType)');
  });

  it('canonicalises type names', () => {
    const typeOf = (t: string) => {
      const e = parseExpression(`x::${t}`);
      return e.kind === 'cast' ? e.type.name : '';
    };
    const expected: [string, string][] = [
      ['smallint', 'int2'],
      ['int2', 'int2'],
      ['int', 'int4'],
      ['integer', 'int4'],
      ['int4', 'int4'],
      ['bigint', 'int8'],
      ['int8', 'int8'],
      ['numeric', 'numeric'],
      ['decimal', 'numeric'],
      ['real', 'float4'],
      ['float4', 'float4'],
      ['float', 'float8'],
      ['float8', 'float8'],
      ['text', 'text'],
      ['varchar', 'varchar'],
      ['character(2)', 'bpchar'],
      ['boolean', 'bool'],
      ['bool', 'bool'],
      ['date', 'date'],
      ['timestamp', 'timestamp'],
      ['timestamptz', 'timestamptz'],
      ['serial', 'serial'],
      ['bigserial', 'bigserial'],
    ];
    for (const [written, canonical] of expected) expect(typeOf(written), written).toBe(canonical);
  });

  it('parses CASE in both forms', () => {
    expect(ex('CASE WHEN a > 1 THEN 1 WHEN a < 0 THEN -1 ELSE 0 END')).toBe(
      'CASE WHEN (a > 1) THEN 1 WHEN (a < 0) THEN -1 ELSE 0 END',
    );
    expect(ex("CASE a WHEN 1 THEN 'one' END")).toBe("CASE a WHEN 1 THEN 'one' END");
    expect(errorOf(() => parseExpression('CASE END'))).toMatchObject({
      message: 'syntax error at or near "END"',
    });
  });

  it('parses function calls and aggregates', () => {
    expect(ex('count(*)')).toBe('count(*)');
    expect(ex('count(DISTINCT a)')).toBe('count(DISTINCT a)');
    expect(ex('sum(ALL a)')).toBe('sum(a)');
    expect(ex('now()')).toBe('now()');
    expect(ex('pg_catalog.lower(a)')).toBe('pg_catalog.lower(a)');
    expect(ex('sum(a) FILTER (WHERE a > 0)')).toBe('sum(a) FILTER (a > 0)');
    expect(ex('COALESCE(a, b, 0)')).toBe('coalesce(a, b, 0)');
    expect(ex('NULLIF(a, 0)')).toBe('nullif(a, 0)');
    expect(ex('GREATEST(a, b)')).toBe('greatest(a, b)');
    expect(ex('LEAST(a, b)')).toBe('least(a, b)');
    expect(ex('left(s, 2)')).toBe('left(s, 2)');
    expect(parseExpression('count(*)')).toMatchObject({
      kind: 'call',
      name: 'count',
      star: true,
      args: [],
      pos: 1,
    });
  });

  it('rewrites SQL special forms into calls', () => {
    expect(ex('EXTRACT(year FROM d)')).toBe("extract('year', d)");
    expect(ex('SUBSTRING(s FROM 2 FOR 3)')).toBe('substring(s, 2, 3)');
    expect(ex('substring(s, 2)')).toBe('substring(s, 2)');
    expect(ex("POSITION('a' IN s)")).toBe("position(s, 'a')");
    expect(ex("TRIM(BOTH 'x' FROM s)")).toBe("btrim(s, 'x')");
    expect(ex('TRIM(LEADING FROM s)')).toBe('ltrim(s)');
    expect(ex('trim(s)')).toBe('btrim(s)');
    expect(ex('CURRENT_DATE')).toBe('current_date()');
    expect(ex('current_timestamp')).toBe('current_timestamp()');
  });

  it('parses column references', () => {
    expect(parseExpression('a')).toEqual({ kind: 'column', name: 'a', pos: 1 });
    expect(parseExpression('T.A')).toEqual({ kind: 'column', table: 't', name: 'a', pos: 1 });
    expect(parseExpression('s.t.a')).toEqual({ kind: 'column', schema: 's', table: 't', name: 'a', pos: 1 });
    expect(parseExpression('"T"."A"')).toEqual({ kind: 'column', table: 'T', name: 'A', pos: 1 });
    expect(parseExpression('gp_segment_id')).toEqual({ kind: 'column', name: 'gp_segment_id', pos: 1 });
    expect(parseExpression('timestamp')).toEqual({ kind: 'column', name: 'timestamp', pos: 1 });
  });

  it('parses subqueries in expressions', () => {
    expect(ex('(SELECT 1)')).toBe('subquery');
    expect(ex('((SELECT 1) + 1)')).toBe('(subquery + 1)');
    expect(ex('((SELECT 1) UNION (SELECT 2))')).toBe('subquery');
    expect(ex('EXISTS (SELECT 1)')).toBe('EXISTS(subquery)');
    expect(ex('NOT EXISTS (SELECT 1)')).toBe('(NOT EXISTS(subquery))');
    expect(ex('a IN (SELECT b FROM t)')).toBe('(a IN subquery)');
    expect(ex('a NOT IN ((SELECT 1), 2)')).toBe('(a NOT IN [subquery, 2])');
    expect(ex('(a, b)')).toBe('ROW(a, b)');
    expect(ex('ROW(1)')).toBe('ROW(1)');
  });
});

describe('SELECT', () => {
  it('parses the clauses of a select block', () => {
    const s = select(
      'SELECT DISTINCT a, t.b AS x, c y, * , t.* FROM t WHERE a > 1 GROUP BY a, 2 HAVING count(*) > 1 ' +
        'ORDER BY a DESC NULLS FIRST, b ASC, c NULLS LAST LIMIT 10 OFFSET 5',
    );
    expect(s.distinct).toBe(true);
    expect(s.targets).toEqual([
      { kind: 'expr', expr: { kind: 'column', name: 'a', pos: 17 }, pos: 17 },
      { kind: 'expr', expr: { kind: 'column', table: 't', name: 'b', pos: 20 }, alias: 'x', pos: 20 },
      { kind: 'expr', expr: { kind: 'column', name: 'c', pos: 30 }, alias: 'y', pos: 30 },
      { kind: 'star', pos: 35 },
      { kind: 'star', table: 't', pos: 39 },
    ]);
    expect(s.from).toEqual([{ kind: 'table', name: { name: 't', pos: 48 }, pos: 48 }]);
    expect(show(s.where as Expr)).toBe('(a > 1)');
    expect(s.groupBy.map(show)).toEqual(['a', '2']);
    expect(show(s.having as Expr)).toBe('(count(*) > 1)');
    expect(s.orderBy.map((o) => [show(o.expr), o.descending, o.nulls])).toEqual([
      ['a', true, 'first'],
      ['b', false, undefined],
      ['c', false, 'last'],
    ]);
    expect(show(s.limit as Expr)).toBe('10');
    expect(show(s.offset as Expr)).toBe('5');
  });

  it('accepts any word after AS but only non-keywords as bare aliases', () => {
    const s = select('SELECT 1 AS select, 2 AS "Mixed", 3 total');
    expect(s.targets.map((t) => (t.kind === 'expr' ? t.alias : ''))).toEqual(['select', 'Mixed', 'total']);
    expect(err('SELECT 1 select')).toMatchObject({
      message: 'syntax error at or near "select"',
      position: 10,
    });
  });

  it('allows an empty select list and no FROM', () => {
    expect(select('SELECT FROM t').targets).toEqual([]);
    expect(select('SELECT 1').from).toEqual([]);
  });

  it('parses LIMIT ALL, OFFSET ROWS and FETCH FIRST', () => {
    expect(select('SELECT 1 LIMIT ALL').limit).toBeUndefined();
    const s = select('SELECT 1 OFFSET 2 ROWS FETCH FIRST 3 ROWS ONLY');
    expect(show(s.offset as Expr)).toBe('2');
    expect(show(s.limit as Expr)).toBe('3');
    expect(show(select('SELECT 1 FETCH NEXT ROW ONLY').limit as Expr)).toBe('1');
  });

  it('parses set operations with INTERSECT binding tighter', () => {
    const q = parseOne('SELECT 1 UNION ALL SELECT 2 INTERSECT SELECT 3 EXCEPT SELECT 4 ORDER BY 1 LIMIT 2');
    const shape = (x: Query): string =>
      x.kind === 'setop' ? `(${shape(x.left)} ${x.op}${x.all ? ' all' : ''} ${shape(x.right)})` : x.kind;
    expect(q.kind).toBe('setop');
    if (q.kind !== 'setop') return;
    expect(shape(q)).toBe('((select union all (select intersect select)) except select)');
    expect(q.orderBy).toHaveLength(1);
    expect(show(q.limit as Expr)).toBe('2');
    expect(q.left.kind === 'setop' && q.left.right.kind === 'setop' && q.left.right.orderBy).toEqual([]);
  });

  it('keeps ORDER BY inside parenthesised arms', () => {
    const q = parseOne('(SELECT 1 ORDER BY 1) UNION (SELECT 2) ORDER BY 1');
    expect(q.kind === 'setop' && q.left.orderBy.length).toBe(1);
    expect(q.kind === 'setop' && q.orderBy.length).toBe(1);
  });

  it('parses VALUES and TABLE as queries', () => {
    const v = parseOne('VALUES (1, 2), (3, DEFAULT) ORDER BY 1');
    expect(v).toMatchObject({
      kind: 'values',
      rows: [
        [{ text: '1' }, { text: '2' }],
        [{ text: '3' }, { kind: 'default' }],
      ],
    });
    expect(parseOne('TABLE t')).toMatchObject({
      kind: 'select',
      targets: [{ kind: 'star' }],
      from: [{ kind: 'table' }],
    });
  });
});

describe('FROM', () => {
  const from = (sql: string) => select(`SELECT * FROM ${sql}`).from;

  it('parses tables with aliases', () => {
    expect(from('s.t AS x, u y, v')).toEqual([
      { kind: 'table', name: { schema: 's', name: 't', pos: 15 }, alias: { name: 'x' }, pos: 15 },
      { kind: 'table', name: { name: 'u', pos: 25 }, alias: { name: 'y' }, pos: 25 },
      { kind: 'table', name: { name: 'v', pos: 30 }, pos: 30 },
    ]);
    expect(from('t AS x(a, b)')[0]).toMatchObject({ alias: { name: 'x', columns: ['a', 'b'] } });
  });

  it('parses functions in FROM', () => {
    expect(from('generate_series(1, 10) AS g(i)')[0]).toMatchObject({
      kind: 'function',
      call: { kind: 'call', name: 'generate_series', args: [{ text: '1' }, { text: '10' }] },
      alias: { name: 'g', columns: ['i'] },
    });
    expect(from('generate_series(1, 10) g')[0]).toMatchObject({ kind: 'function', alias: { name: 'g' } });
  });

  it('parses subqueries in FROM and requires an alias', () => {
    expect(from('(SELECT 1) AS s(x)')[0]).toMatchObject({
      kind: 'subquery',
      query: { kind: 'select' },
      alias: { name: 's', columns: ['x'] },
    });
    expect(from('(SELECT 1 UNION SELECT 2) s')[0]).toMatchObject({
      kind: 'subquery',
      query: { kind: 'setop' },
    });
    expect(err('SELECT * FROM (SELECT 1)')).toEqual({
      code: '42601',
      message: 'subquery in FROM must have an alias',
      position: 15,
    });
  });

  it('parses every join kind, left-associatively', () => {
    const [j] = from(
      'a JOIN b ON a.x = b.x INNER JOIN c USING (x, y) LEFT JOIN d ON true LEFT OUTER JOIN e ON true ' +
        'RIGHT JOIN f ON true FULL OUTER JOIN g ON true CROSS JOIN h NATURAL JOIN i',
    );
    const kinds: string[] = [];
    let cur = j;
    while (cur?.kind === 'join') {
      kinds.unshift(`${cur.natural ? 'natural ' : ''}${cur.joinType}`);
      cur = cur.left;
    }
    expect(kinds).toEqual(['inner', 'inner', 'left', 'left', 'right', 'full', 'cross', 'natural inner']);
    const [k] = from('a JOIN b USING (x)');
    expect(k).toMatchObject({
      kind: 'join',
      using: ['x'],
      left: { kind: 'table' },
      right: { kind: 'table' },
    });
  });

  it('does not mistake join keywords for aliases', () => {
    expect(from('t LEFT JOIN u ON true')[0]).toMatchObject({
      kind: 'join',
      joinType: 'left',
      left: { name: { name: 't' } },
    });
    expect(from('t x JOIN u y ON x.a = y.a, v')).toHaveLength(2);
  });

  it('parses parenthesised joins', () => {
    expect(from('(a JOIN b ON true) JOIN c ON true')[0]).toMatchObject({
      kind: 'join',
      left: { kind: 'join', left: { kind: 'table' } },
    });
  });

  it('accepts unreserved and column-name keywords as names', () => {
    expect(parseOne('CREATE TABLE t (date date, year int, timestamp timestamp, "Order" int)')).toMatchObject({
      columns: [{ name: 'date' }, { name: 'year' }, { name: 'timestamp' }, { name: 'Order' }],
    });
    expect(from('data year')[0]).toMatchObject({ name: { name: 'data' }, alias: { name: 'year' } });
  });

  it('requires ON or USING for qualified joins', () => {
    expect(err('SELECT * FROM a JOIN b')).toMatchObject({
      message: 'syntax error at end of input',
      position: 23,
    });
    expect(err('SELECT * FROM a JOIN b WHERE true')).toMatchObject({
      message: 'syntax error at or near "WHERE"',
    });
  });
});

describe('DDL', () => {
  it('parses CREATE TABLE with constraints, storage options and distribution', () => {
    const s = parseOne(
      "CREATE TABLE IF NOT EXISTS public.t (id int PRIMARY KEY, name varchar(10) NOT NULL DEFAULT 'x', " +
        'price numeric(10,2) NULL, at timestamp with time zone, d double precision) ' +
        'WITH (appendoptimized=true, orientation=row, compresslevel=5) DISTRIBUTED BY (id)',
    );
    expect(s).toMatchObject({
      kind: 'createTable',
      name: { schema: 'public', name: 't' },
      ifNotExists: true,
      temporary: false,
      columns: [
        { name: 'id', type: { name: 'int4' }, notNull: true, primaryKey: true },
        { name: 'name', type: { name: 'varchar', typmod: [10] }, notNull: true, default: { value: 'x' } },
        { name: 'price', type: { name: 'numeric', typmod: [10, 2] }, notNull: false },
        { name: 'at', type: { name: 'timestamptz' } },
        { name: 'd', type: { name: 'float8' } },
      ],
      options: [
        { name: 'appendoptimized', value: 'true' },
        { name: 'orientation', value: 'row' },
        { name: 'compresslevel', value: '5' },
      ],
      distributedBy: { kind: 'hash', columns: [{ name: 'id' }] },
    });
  });

  it('parses table-level primary keys and the other distribution policies', () => {
    expect(parseOne('CREATE TABLE t (a int, b int, PRIMARY KEY (a, b)) DISTRIBUTED RANDOMLY')).toMatchObject({
      primaryKey: { columns: [{ name: 'a' }, { name: 'b' }] },
      distributedBy: { kind: 'randomly' },
    });
    expect(parseOne('CREATE TABLE t (a int) WITH (appendonly=true) DISTRIBUTED REPLICATED')).toMatchObject({
      options: [{ name: 'appendonly', value: 'true' }],
      distributedBy: { kind: 'replicated' },
    });
    expect(parseOne('CREATE TEMP TABLE t (a text)')).toMatchObject({ temporary: true });
  });

  it('parses CREATE TABLE AS', () => {
    expect(parseOne('CREATE TABLE t2 AS SELECT * FROM t DISTRIBUTED BY (a)')).toMatchObject({
      kind: 'createTableAs',
      name: { name: 't2' },
      query: { kind: 'select' },
      withData: true,
      distributedBy: { kind: 'hash', columns: [{ name: 'a' }] },
    });
    expect(
      parseOne('CREATE TABLE t2 (x, y) WITH (appendoptimized=true) AS VALUES (1, 2) WITH NO DATA'),
    ).toMatchObject({
      kind: 'createTableAs',
      columnNames: ['x', 'y'],
      options: [{ name: 'appendoptimized' }],
      query: { kind: 'values' },
      withData: false,
    });
  });

  it('parses DROP TABLE and TRUNCATE', () => {
    expect(parseOne('DROP TABLE IF EXISTS a, s.b CASCADE')).toMatchObject({
      kind: 'dropTable',
      ifExists: true,
      cascade: true,
      names: [{ name: 'a' }, { schema: 's', name: 'b' }],
    });
    expect(parseOne('DROP TABLE a RESTRICT')).toMatchObject({ ifExists: false, cascade: false });
    expect(parseOne('TRUNCATE TABLE a, b')).toMatchObject({
      kind: 'truncate',
      names: [{ name: 'a' }, { name: 'b' }],
    });
    expect(parseOne('TRUNCATE a')).toMatchObject({ kind: 'truncate', names: [{ name: 'a' }] });
  });

  it('reports column definition conflicts as Postgres does', () => {
    expect(err('CREATE TABLE t (a int NULL NOT NULL)')).toEqual({
      code: '42601',
      message: 'conflicting NULL/NOT NULL declarations for column "a" of table "t"',
      position: 28,
    });
    expect(err('CREATE TABLE t (a int DEFAULT 1 DEFAULT 2)')).toMatchObject({
      message: 'multiple default values specified for column "a" of table "t"',
    });
    expect(err('CREATE TABLE t (a float(0))')).toMatchObject({
      code: '22023',
      message: 'precision for type float must be at least 1 bit',
    });
  });
});

describe('DML', () => {
  it('parses INSERT ... VALUES with DEFAULT and RETURNING', () => {
    expect(parseOne("INSERT INTO t (a, b) VALUES (1, DEFAULT), (2, 'x') RETURNING a, *")).toMatchObject({
      kind: 'insert',
      table: { name: 't' },
      columns: [{ name: 'a' }, { name: 'b' }],
      source: {
        kind: 'values',
        rows: [
          [{ text: '1' }, { kind: 'default' }],
          [{ text: '2' }, { value: 'x' }],
        ],
      },
      returning: [{ kind: 'expr' }, { kind: 'star' }],
    });
  });

  it('parses INSERT ... SELECT and DEFAULT VALUES', () => {
    expect(parseOne('INSERT INTO t SELECT * FROM u')).toMatchObject({ source: { kind: 'select' } });
    expect(parseOne('INSERT INTO t (SELECT 1)')).toMatchObject({ source: { kind: 'select' } });
    expect(parseOne('INSERT INTO t (a) SELECT 1 UNION SELECT 2')).toMatchObject({
      source: { kind: 'setop' },
    });
    const d = parseOne('INSERT INTO t DEFAULT VALUES');
    expect(d.kind === 'insert' && d.source).toBeUndefined();
  });

  it('parses UPDATE', () => {
    const s = parseOne('UPDATE t AS x SET a = a + 1, b = DEFAULT FROM u WHERE x.id = u.id RETURNING x.a');
    expect(s).toMatchObject({
      kind: 'update',
      table: { name: 't' },
      alias: 'x',
      assignments: [{ column: 'a' }, { column: 'b', value: { kind: 'default' } }],
      from: [{ kind: 'table', name: { name: 'u' } }],
      returning: [{ kind: 'expr' }],
    });
    if (s.kind === 'update') expect(show(s.assignments[0]?.value as Expr)).toBe('(a + 1)');
    expect(parseOne('UPDATE t SET a = 1')).not.toHaveProperty('alias');
    expect(parseOne('UPDATE t x SET a = 1')).toMatchObject({ alias: 'x' });
  });

  it('parses DELETE', () => {
    expect(parseOne('DELETE FROM t AS x USING u WHERE x.a = u.a')).toMatchObject({
      kind: 'delete',
      alias: 'x',
      using: [{ kind: 'table' }],
      where: { kind: 'binary' },
    });
    expect(parseOne('DELETE FROM t')).toMatchObject({ kind: 'delete', using: [] });
  });
});

describe('utility statements', () => {
  it('parses transaction control', () => {
    const kinds = parse(
      'BEGIN; BEGIN WORK; BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE; START TRANSACTION READ ONLY; ' +
        'COMMIT; END; COMMIT WORK; ROLLBACK; ABORT; SAVEPOINT s; ROLLBACK TO SAVEPOINT s; RELEASE s',
    ).map((s) => s.kind);
    expect(kinds).toEqual([
      'begin',
      'begin',
      'begin',
      'begin',
      'commit',
      'commit',
      'commit',
      'rollback',
      'rollback',
      'savepoint',
      'rollbackToSavepoint',
      'releaseSavepoint',
    ]);
    expect(parseOne('BEGIN ISOLATION LEVEL REPEATABLE READ, READ WRITE')).toEqual({
      kind: 'begin',
      isolationLevel: 'repeatable read',
      readOnly: false,
      pos: 1,
    });
    expect(parseOne('SET TRANSACTION ISOLATION LEVEL READ COMMITTED')).toMatchObject({
      kind: 'setTransaction',
      isolationLevel: 'read committed',
    });
  });

  it('parses SET, RESET and SHOW', () => {
    expect(parseOne("SET statement_timeout = '30s'")).toEqual({
      kind: 'set',
      name: 'statement_timeout',
      local: false,
      toDefault: false,
      values: [{ text: '30s', type: 'string', pos: 25 }],
      pos: 1,
    });
    expect(parseOne('SET LOCAL optimizer TO off')).toMatchObject({
      local: true,
      values: [{ text: 'off', type: 'identifier' }],
    });
    expect(parseOne('SET SESSION work_mem = 1024')).toMatchObject({
      values: [{ text: '1024', type: 'number' }],
    });
    expect(parseOne('SET x = -1.5')).toMatchObject({ values: [{ text: '-1.5', type: 'number' }] });
    expect(parseOne('SET x = on')).toMatchObject({ values: [{ text: 'on' }] });
    expect(parseOne('SET search_path TO public, "My"')).toMatchObject({
      values: [{ text: 'public' }, { text: 'My' }],
    });
    expect(parseOne('SET gp.x TO DEFAULT')).toMatchObject({ name: 'gp.x', toDefault: true, values: [] });
    expect(parseOne("SET TIME ZONE 'UTC'")).toMatchObject({ name: 'timezone', values: [{ text: 'UTC' }] });
    expect(parseOne('RESET statement_timeout')).toEqual({ kind: 'reset', name: 'statement_timeout', pos: 1 });
    expect(parseOne('RESET ALL')).toMatchObject({ kind: 'reset', name: 'all' });
    expect(parseOne('SHOW gp_role')).toEqual({ kind: 'show', name: 'gp_role', pos: 1 });
    expect(parseOne('SHOW ALL')).toMatchObject({ kind: 'show', name: 'all' });
    expect(parseOne('SHOW TRANSACTION ISOLATION LEVEL')).toMatchObject({ name: 'transaction_isolation' });
  });

  it('parses EXPLAIN', () => {
    expect(parseOne('EXPLAIN SELECT 1')).toMatchObject({
      kind: 'explain',
      analyze: false,
      verbose: false,
      statement: { kind: 'select' },
    });
    expect(parseOne('EXPLAIN ANALYZE VERBOSE DELETE FROM t')).toMatchObject({
      analyze: true,
      verbose: true,
      statement: { kind: 'delete' },
    });
    expect(parseOne('EXPLAIN (ANALYZE, COSTS off) SELECT 1')).toMatchObject({
      analyze: true,
      options: [{ name: 'analyze' }, { name: 'costs', value: 'off' }],
    });
    expect(err('EXPLAIN BEGIN')).toMatchObject({ message: 'syntax error at or near "BEGIN"', position: 9 });
  });

  it('parses CHECKPOINT, VACUUM and ANALYZE', () => {
    expect(parseOne('CHECKPOINT')).toEqual({ kind: 'checkpoint', pos: 1 });
    expect(parseOne('VACUUM')).toEqual({ kind: 'vacuum', full: false, analyze: false, tables: [], pos: 1 });
    expect(parseOne('VACUUM FULL ANALYZE t, u')).toMatchObject({
      full: true,
      analyze: true,
      tables: [{ name: 't' }, { name: 'u' }],
    });
    expect(parseOne('ANALYZE t (a, b)')).toMatchObject({ kind: 'analyze', tables: [{ name: 't' }] });
    expect(parseOne('ANALYZE')).toMatchObject({ kind: 'analyze', tables: [] });
  });
});

describe('scripts', () => {
  it('splits on semicolons and ignores empty statements', () => {
    expect(parse(';; SELECT 1;; SELECT 2 ;').map((s: Statement) => s.kind)).toEqual(['select', 'select']);
    expect(parse('  -- nothing\n')).toEqual([]);
  });

  it('reports positions relative to the whole script', () => {
    expect(err('SELECT 1; SELEC 2')).toMatchObject({
      message: 'syntax error at or near "SELEC"',
      position: 11,
    });
  });

  it('requires exactly one statement in parseOne', () => {
    expect(errorOf(() => parseOne('SELECT 1; SELECT 2'))).toMatchObject({ code: '42601' });
    expect(errorOf(() => parseOne(''))).toMatchObject({ message: 'syntax error at end of input' });
    expect(parseOne('SELECT 1;').kind).toBe('select');
  });
});

describe('syntax errors', () => {
  const cases: [string, string, number][] = [
    ['SELEC 1', 'syntax error at or near "SELEC"', 1],
    ['SELECT 1 +', 'syntax error at end of input', 11],
    ['SELECT 1 + ', 'syntax error at end of input', 12],
    ['SELECT (1', 'syntax error at end of input', 10],
    ['SELECT 1)', 'syntax error at or near ")"', 9],
    ['SELECT * FROM t WHERE', 'syntax error at end of input', 22],
    ['SELECT * FORM t', 'syntax error at or near "FORM"', 10],
    ['SELECT a FORM t', 'syntax error at or near "t"', 15],
    ['SELECT 1 SELECT 2', 'syntax error at or near "SELECT"', 10],
    ['INSERT t VALUES (1)', 'syntax error at or near "t"', 8],
    ['CREATE TABLE t (a int,)', 'syntax error at or near ")"', 23],
    ['CREATE TABLE t (a nosuch(x))', 'syntax error at or near "x"', 26],
    ["SELECT 'a' 'b'", 'syntax error at or near "\'b\'"', 12],
    ['SELECT a.b.c.d FROM t', 'improper qualified name (too many dotted names): a.b.c.d', 8],
    ['SELECT 1 LIMIT 1 LIMIT 2', 'multiple LIMIT clauses not allowed', 18],
    ['(SELECT 1 ORDER BY 1) ORDER BY 1', 'multiple ORDER BY clauses not allowed', 23],
    ['SELECT 1 LIMIT 1, 2', 'LIMIT #,# syntax is not supported', 10],
    ['INSERT INTO t VALUES (1), (1, 2)', 'VALUES lists must all be the same length', 28],
    ['SELECT {', 'syntax error at or near "{"', 8],
  ];
  it.each(cases)('%s', (sql, message, position) => {
    expect(err(sql)).toEqual({ code: '42601', message, position });
  });

  it('keeps the original spelling of the offending token', () => {
    expect(err('SELECT * FROM t WHERE a = = 1')).toMatchObject({
      message: 'syntax error at or near "="',
      position: 27,
    });
    expect(err('SELECT * FROM t Order 1')).toMatchObject({ message: 'syntax error at or near "1"' });
    expect(err('select * from t order')).toMatchObject({ message: 'syntax error at end of input' });
  });
});

describe('unsupported features', () => {
  const cases: [string, string, number][] = [
    ['CREATE INDEX CONCURRENTLY i ON t (a)', 'CREATE INDEX CONCURRENTLY is not supported', 14],
    ['CREATE INDEX i ON t (lower(a))', 'indexes on expressions are not supported', 22],
    ['CREATE INDEX i ON t (a) WHERE a > 0', 'partial indexes are not supported', 25],
    ['CREATE INDEX i ON t (a DESC)', 'DESC index columns are not supported', 24],
    [
      'CREATE INDEX i ON t USING gin (a)',
      'access method "gin" (this lab builds btree indexes) is not supported',
      27,
    ],
    ['CREATE MATERIALIZED VIEW v AS SELECT 1', 'materialized views are not supported', 8],
    ['CREATE TEMP VIEW v AS SELECT 1', 'temporary views are not supported', 13],
    ['DROP INDEX CONCURRENTLY i', 'DROP INDEX CONCURRENTLY is not supported', 12],
    ['REINDEX DATABASE d', 'REINDEX DATABASE is not supported', 9],
    ['ALTER TABLE t ADD COLUMN b int', 'ALTER TABLE ... ADD is not supported', 15],
    ['ALTER INDEX i RENAME TO j', 'ALTER INDEX is not supported', 7],
    ['COPY BINARY t FROM STDIN', 'COPY BINARY is not supported', 6],
    ["COPY t FROM '/data/t.csv'", 'COPY from a file or a program is not supported', 13],
    [
      'WITH x AS (INSERT INTO t VALUES (1)) SELECT 1',
      'a data-modifying statement in WITH is not supported',
      12,
    ],
    ['SELECT DISTINCT ON (a) a FROM t', 'SELECT DISTINCT ON is not supported', 17],
    ['SELECT a INTO t2 FROM t', 'SELECT INTO is not supported', 10],
    ['SELECT * FROM t FOR UPDATE SKIP LOCKED', 'SKIP LOCKED is not supported', 28],
    ['DECLARE c SCROLL CURSOR FOR SELECT 1', 'scrollable cursors are not supported', 11],
    ['CREATE TABLE t (a int[])', 'array types are not supported', 22],
    ['CREATE TABLE t (a int CHECK (a > 0))', 'CHECK constraints are not supported', 23],
    ['CREATE TABLE t (a int) PARTITION BY RANGE (a)', 'partitioned tables are not supported', 24],
    ["SELECT a AT TIME ZONE 'UTC' FROM t", 'AT TIME ZONE is not supported', 10],
    ['SELECT 1 WHERE a = ANY (SELECT 1)', 'ANY/ALL/SOME expressions are not supported', 20],
    ['SELECT ARRAY[1]', 'ARRAY expressions are not supported', 8],
    ["SELECT a SIMILAR TO 'x'", 'SIMILAR TO is not supported', 10],
    ['INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING', 'ON CONFLICT is not supported', 26],
    ["SELECT B'101'", 'bit string literals are not supported', 8],
    [
      'SELECT * FROM t, LATERAL generate_series(1, 2) WITH ORDINALITY',
      'WITH ORDINALITY is not supported',
      48,
    ],
  ];
  it.each(cases)('%s', (sql, message, position) => {
    expect(err(sql)).toEqual({ code: '0A000', message, position });
  });
});

describe('COPY and LATERAL', () => {
  it('takes the lines after COPY FROM STDIN as its data, through the \\. line', () => {
    const [copy, next] = parse(
      "COPY t (a, b) FROM STDIN WITH (FORMAT csv, HEADER);\na,b\n1,'x\n\\.\nSELECT 1;",
    );
    expect(copy).toMatchObject({
      kind: 'copy',
      direction: 'from',
      columns: [{ name: 'a' }, { name: 'b' }],
      options: { format: 'csv', delimiter: ',', null: '', header: true },
      data: "a,b\n1,'x\n",
    });
    expect(next).toMatchObject({ kind: 'select' });
    expect(parse("COPY (SELECT 1) TO STDOUT WITH CSV DELIMITER ';' NULL '-'")[0]).toMatchObject({
      kind: 'copy',
      direction: 'to',
      options: { format: 'csv', delimiter: ';', null: '-' },
    });
    expect(() => parse("COPY t TO STDOUT WITH (DELIMITER '\\', NULL '\\\\N')")).toThrow(
      /delimiter cannot be/,
    );
  });

  it('marks LATERAL subqueries and functions', () => {
    const [q] = parse('SELECT * FROM t, LATERAL (SELECT t.a) s, LATERAL f(t.a) g');
    expect(q).toMatchObject({
      from: [{ kind: 'table' }, { kind: 'subquery', lateral: true }, { kind: 'function', lateral: true }],
    });
    expect(() => parse('SELECT * FROM t, LATERAL u')).toThrow(/syntax error at or near "u"/);
  });
});
