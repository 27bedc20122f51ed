/**
 * The SQL parser's entry points and statement dispatch: DML, transaction control, SET/SHOW,
 * EXPLAIN and maintenance commands. Queries live in parse-query.ts, expressions in
 * parse-expr.ts, types in parse-type.ts, CREATE/DROP/TRUNCATE in parse-ddl.ts.
 *
 * Contract:
 * 1. Every failure is a SqlError: syntax errors (42601) carry Postgres' exact message and a
 *    1-based `position` into the string passed in; valid Postgres syntax this engine does not
 *    implement is feature_not_supported (0A000) naming the feature. Nothing else is thrown.
 * 2. A script is parsed completely before anything runs: one bad statement rejects the script.
 */
import { parseClose, parseDeclare, parseFetch } from './parse-cursor.ts';
import { parseCopy } from './parse-copy.ts';
import { extractCopyData } from './copy-data.ts';
import { withStackGuard } from './limits.ts';
import type {
  DeleteStmt,
  ExplainStmt,
  Expr,
  InsertStmt,
  QualifiedName,
  SetValue,
  Statement,
  TransactionModes,
  UpdateStmt,
} from './ast.ts';
import { Cursor } from './cursor.ts';
import { keywordCategory } from './lexer.ts';
import { parseAlter, parseCreate, parseDrop, parseOptionValue, parseTruncate } from './parse-ddl.ts';
import { parseReindex } from './parse-index.ts';
import { parseExpr } from './parse-expr.ts';
import {
  isQueryStart,
  parseAlias,
  parseFromList,
  parseQualifiedName,
  parseQuery,
  parseTargetList,
} from './parse-query.ts';
import { sqlError } from '../errors.ts';

/** Parses a script of `;`-separated statements; empty statements are skipped. */
export function parse(sql: string): Statement[] {
  return withStackGuard(() => parseAll(sql));
}

function parseAll(script: string): Statement[] {
  const { sql, data } = extractCopyData(script);
  const c = new Cursor(sql);
  const statements: Statement[] = [];
  for (;;) {
    while (c.acceptOp(';'));
    if (c.peek().kind === 'eof') return statements;
    const stmt = parseStatement(c);
    if (stmt.kind === 'copy' && stmt.direction === 'from') {
      const rows = data.get(stmt.pos);
      if (rows !== undefined) stmt.data = rows;
    }
    statements.push(stmt);
    if (c.peek().kind !== 'eof' && !c.isOp(';')) throw c.syntaxError();
  }
}

/** Parses exactly one statement (a trailing `;` is allowed). */
export function parseOne(sql: string): Statement {
  const statements = parse(sql);
  const [first] = statements;
  if (first === undefined) {
    throw sqlError('syntax_error', 'syntax error at end of input', { position: sql.length + 1 });
  }
  if (statements.length > 1) {
    throw sqlError('syntax_error', 'cannot insert multiple commands into a prepared statement');
  }
  return first;
}

/** Parses a lone expression (for tests and tools). */
export function parseExpression(sql: string): Expr {
  const c = new Cursor(sql);
  const expr = parseExpr(c);
  if (c.peek().kind !== 'eof') throw c.syntaxError();
  return expr;
}

/** Statements Postgres has and this engine does not; named in the error instead of "syntax error". */
const UNSUPPORTED = new Set(
  (
    'grant revoke comment lock prepare execute deallocate listen ' +
    'notify unlisten discard cluster do call load security refresh reassign import'
  ).split(' '),
);

function parseStatement(c: Cursor): Statement {
  const t = c.peek();
  if (c.isOp('(') || isQueryStart(c)) return parseQuery(c);
  if (t.kind !== 'ident') throw c.syntaxError();
  switch (t.value) {
    case 'insert':
      return parseInsert(c);
    case 'update':
      return parseUpdate(c);
    case 'delete':
      return parseDelete(c);
    case 'create':
      return parseCreate(c);
    case 'drop':
      return parseDrop(c);
    case 'truncate':
      return parseTruncate(c);
    case 'alter':
      return parseAlter(c);
    case 'reindex':
      return parseReindex(c);
    case 'begin':
    case 'start':
      return parseBegin(c);
    case 'commit':
    case 'end':
    case 'rollback':
    case 'abort':
      return parseCommitOrRollback(c);
    case 'savepoint':
      c.next();
      return { kind: 'savepoint', name: c.colId(), pos: t.pos };
    case 'release':
      c.next();
      c.acceptWord('savepoint');
      return { kind: 'releaseSavepoint', name: c.colId(), pos: t.pos };
    case 'set':
      return parseSet(c);
    case 'reset':
    case 'show':
      return parseResetOrShow(c);
    case 'explain':
      return parseExplain(c);
    case 'checkpoint':
      c.next();
      return { kind: 'checkpoint', pos: t.pos };
    case 'vacuum':
    case 'analyze':
    case 'analyse':
      return parseVacuumOrAnalyze(c);
    case 'declare':
      return parseDeclare(c);
    case 'fetch':
    case 'move':
      return parseFetch(c);
    case 'close':
      return parseClose(c);
    case 'copy':
      return parseCopy(c);
  }
  if (UNSUPPORTED.has(t.value)) {
    const second = c.peek(1);
    void second;
    throw c.unsupported(t.value.toUpperCase());
  }
  throw c.syntaxError();
}

function parseReturning(c: Cursor, stmt: { returning?: InsertStmt['returning'] }): void {
  if (c.acceptWord('returning')) stmt.returning = parseTargetList(c);
}

function parseInsert(c: Cursor): InsertStmt {
  const pos = c.expectWord('insert').pos;
  c.expectWord('into');
  const stmt: InsertStmt = { kind: 'insert', table: parseQualifiedName(c), pos };
  if (c.acceptWord('as')) stmt.alias = c.colId();
  if (c.isOp('(') && !isQueryStart(c, 1) && !c.isOp('(', 1)) {
    stmt.columns = c.nameList();
  }
  if (c.acceptWord('default')) {
    c.expectWord('values');
  } else if (c.isOp('(') || isQueryStart(c)) {
    stmt.source = parseQuery(c);
  } else {
    throw c.syntaxError();
  }
  if (c.isWord('on') && c.isWord('conflict', 1)) throw c.unsupported('ON CONFLICT');
  parseReturning(c, stmt);
  return stmt;
}

/** An optional alias after the target table of UPDATE / DELETE (never the word SET). */
function parseTargetAlias(c: Cursor): string | undefined {
  if (c.isWord('set')) return undefined;
  const alias = parseAlias(c);
  if (alias?.columns) throw c.syntaxError();
  return alias?.name;
}

function parseUpdate(c: Cursor): UpdateStmt {
  const pos = c.expectWord('update').pos;
  c.acceptWord('only');
  const stmt: UpdateStmt = { kind: 'update', table: parseQualifiedName(c), assignments: [], from: [], pos };
  const alias = parseTargetAlias(c);
  if (alias !== undefined) stmt.alias = alias;
  c.expectWord('set');
  do {
    const t = c.peek();
    if (c.isOp('(')) throw c.unsupported('multiple-column UPDATE SET');
    const column = c.colId();
    if (c.isOp('.') || c.isOp('[')) throw c.unsupported('assignment to a field or subscript');
    c.expectOp('=');
    const d = c.peek();
    const value = c.acceptWord('default') ? { kind: 'default' as const, pos: d.pos } : parseExpr(c);
    stmt.assignments.push({ column, value, pos: t.pos });
  } while (c.acceptOp(','));
  if (c.acceptWord('from')) stmt.from = parseFromList(c);
  parseWhere(c, stmt);
  parseReturning(c, stmt);
  return stmt;
}

function parseWhere(c: Cursor, stmt: { where?: Expr }): void {
  if (!c.acceptWord('where')) return;
  if (c.isWord('current') && c.isWord('of', 1)) throw c.unsupported('WHERE CURRENT OF');
  stmt.where = parseExpr(c);
}

function parseDelete(c: Cursor): DeleteStmt {
  const pos = c.expectWord('delete').pos;
  c.expectWord('from');
  c.acceptWord('only');
  const stmt: DeleteStmt = { kind: 'delete', table: parseQualifiedName(c), using: [], pos };
  const alias = parseTargetAlias(c);
  if (alias !== undefined) stmt.alias = alias;
  if (c.acceptWord('using')) stmt.using = parseFromList(c);
  parseWhere(c, stmt);
  parseReturning(c, stmt);
  return stmt;
}

function parseBegin(c: Cursor): Statement {
  const t = c.next();
  if (t.value === 'start') c.expectWord('transaction');
  else if (!c.acceptWord('work')) c.acceptWord('transaction');
  return {
    kind: 'begin',
    ...parseTransactionModes(c),
    ...(t.value === 'start' ? { start: true } : {}),
    pos: t.pos,
  };
}

/** Transaction modes: ISOLATION LEVEL ..., READ ONLY | READ WRITE, [NOT] DEFERRABLE, comma-separated. */
function parseTransactionModes(c: Cursor): TransactionModes {
  const modes: TransactionModes = {};
  for (let needMode = false; ; needMode = c.acceptOp(',')) {
    if (c.acceptWord('isolation')) {
      c.expectWord('level');
      modes.isolationLevel = parseIsolationLevel(c);
    } else if (c.acceptWord('read')) {
      if (c.acceptWord('only')) modes.readOnly = true;
      else if (c.expectWord('write')) modes.readOnly = false;
    } else if (c.isWord('not') && c.isWord('deferrable', 1)) {
      c.next();
      c.next();
      modes.deferrable = false;
    } else if (c.acceptWord('deferrable')) {
      modes.deferrable = true;
    } else if (needMode) {
      throw c.syntaxError();
    } else {
      return modes;
    }
  }
}

function parseIsolationLevel(c: Cursor): NonNullable<TransactionModes['isolationLevel']> {
  if (c.acceptWord('serializable')) return 'serializable';
  if (c.acceptWord('repeatable')) {
    c.expectWord('read');
    return 'repeatable read';
  }
  c.expectWord('read');
  if (c.acceptWord('committed')) return 'read committed';
  c.expectWord('uncommitted');
  return 'read uncommitted';
}

function parseCommitOrRollback(c: Cursor): Statement {
  const t = c.next();
  const rollback = t.value === 'rollback' || t.value === 'abort';
  if (c.isWord('prepared')) throw c.unsupported(`${t.value.toUpperCase()} PREPARED`);
  if (!c.acceptWord('work')) c.acceptWord('transaction');
  if (rollback && t.value === 'rollback' && c.acceptWord('to')) {
    c.acceptWord('savepoint');
    return { kind: 'rollbackToSavepoint', name: c.colId(), pos: t.pos };
  }
  if (c.isWord('and')) {
    c.next();
    if (!c.acceptWord('no')) throw c.unsupported('AND CHAIN');
    c.expectWord('chain');
  }
  return { kind: rollback ? 'rollback' : 'commit', pos: t.pos };
}

/** A GUC name: `name` or `ext.name`. */
function parseVarName(c: Cursor): string {
  let name = c.colId();
  while (c.acceptOp('.')) name += `.${c.colId()}`;
  return name;
}

function parseSet(c: Cursor): Statement {
  const pos = c.expectWord('set').pos;
  let local = false;
  if (c.acceptWord('local')) local = true;
  else if (c.isWord('session') && c.isWord('characteristics', 1)) {
    c.next();
    c.next();
    c.expectWord('as');
    c.expectWord('transaction');
    return { kind: 'setTransaction', ...parseTransactionModes(c), pos };
  } else if (c.isWord('session') && !c.isWord('authorization', 1)) c.next();
  if (c.isWord('role') || c.isWord('session') || c.isWord('constraints')) {
    throw c.unsupported(`SET ${c.peek().value.toUpperCase()}`);
  }
  if (c.acceptWord('transaction')) {
    if (c.isWord('snapshot')) throw c.unsupported('SET TRANSACTION SNAPSHOT');
    return { kind: 'setTransaction', ...parseTransactionModes(c), pos };
  }
  let name: string;
  if (c.isWord('time') && c.isWord('zone', 1)) {
    c.next();
    c.next();
    name = 'timezone';
    if (c.acceptWord('local') || c.acceptWord('default')) {
      return { kind: 'set', name, local, toDefault: true, values: [], pos };
    }
    return { kind: 'set', name, local, toDefault: false, values: [parseSetValue(c)], pos };
  }
  if (c.isWord('schema') || c.isWord('names')) {
    name = c.next().value === 'schema' ? 'search_path' : 'client_encoding';
    return { kind: 'set', name, local, toDefault: false, values: [parseSetValue(c)], pos };
  }
  name = parseVarName(c);
  if (!c.acceptWord('to')) c.expectOp('=');
  if (c.acceptWord('default')) return { kind: 'set', name, local, toDefault: true, values: [], pos };
  const values = [parseSetValue(c)];
  while (c.acceptOp(',')) values.push(parseSetValue(c));
  return { kind: 'set', name, local, toDefault: false, values, pos };
}

/** One SET value: a string, a signed number, ON/TRUE/FALSE, or a word that is not a reserved keyword. */
function parseSetValue(c: Cursor): SetValue {
  const t = c.peek();
  if (t.kind === 'string') {
    c.next();
    return { text: t.value, type: 'string', pos: t.pos };
  }
  if (t.kind === 'number' || c.isOp('-') || c.isOp('+')) {
    const text = parseOptionValue(c);
    return { text, type: 'number', pos: t.pos };
  }
  const word = t.kind === 'qident' || (t.kind === 'ident' && keywordCategory(t.value) !== 'reserved');
  if (word || c.isWord('true') || c.isWord('false') || c.isWord('on')) {
    c.next();
    return { text: t.value, type: 'identifier', pos: t.pos };
  }
  throw c.syntaxError();
}

function parseResetOrShow(c: Cursor): Statement {
  const t = c.next();
  const kind = t.value === 'reset' ? 'reset' : 'show';
  let name: string;
  if (c.acceptWord('all')) name = 'all';
  else if (c.isWord('time') && c.isWord('zone', 1)) {
    c.next();
    c.next();
    name = 'timezone';
  } else if (c.isWord('transaction') && c.isWord('isolation', 1)) {
    c.next();
    c.next();
    c.expectWord('level');
    name = 'transaction_isolation';
  } else if (c.isWord('session') && c.isWord('authorization', 1)) {
    c.next();
    c.next();
    name = 'session_authorization';
  } else {
    name = parseVarName(c);
  }
  return { kind, name, pos: t.pos };
}

const EXPLAINABLE = new Set(['select', 'setop', 'values', 'insert', 'update', 'delete', 'createTableAs']);

function parseExplain(c: Cursor): ExplainStmt {
  const pos = c.expectWord('explain').pos;
  const options: ExplainStmt['options'] = [];
  if (c.acceptOp('(')) {
    do {
      const o = c.peek();
      const option: ExplainStmt['options'][number] = { name: c.label(), pos: o.pos };
      if (!c.isOp(',') && !c.isOp(')')) option.value = parseOptionValue(c);
      options.push(option);
    } while (c.acceptOp(','));
    c.expectOp(')');
  } else {
    for (const name of ['analyze', 'verbose']) {
      const o = c.peek();
      if (c.acceptWord(name) || (name === 'analyze' && c.acceptWord('analyse')))
        options.push({ name, pos: o.pos });
    }
  }
  const on = (name: string): boolean =>
    options.some((o) => (o.name === name || (name === 'analyze' && o.name === 'analyse')) && !isOff(o.value));
  const start = c.peek();
  const statement = parseStatement(c);
  if (!EXPLAINABLE.has(statement.kind)) throw c.syntaxError(start);
  return {
    kind: 'explain',
    analyze: on('analyze'),
    verbose: on('verbose'),
    options,
    statement: statement as ExplainStmt['statement'],
    pos,
  };
}

function isOff(value: string | undefined): boolean {
  return value !== undefined && ['false', 'off', '0', 'no'].includes(value.toLowerCase());
}

function parseVacuumOrAnalyze(c: Cursor): Statement {
  const t = c.next();
  const vacuum = t.value === 'vacuum';
  let full = false;
  let analyze = !vacuum;
  if (c.acceptOp('(')) {
    do {
      const name = c.label();
      const value = c.isOp(',') || c.isOp(')') ? undefined : parseOptionValue(c);
      if (name === 'full') full = !isOff(value);
      if (name === 'analyze' || name === 'analyse') analyze = analyze || !isOff(value);
    } while (c.acceptOp(','));
    c.expectOp(')');
  } else if (vacuum) {
    full = c.acceptWord('full');
    c.acceptWord('freeze');
    c.acceptWord('verbose');
    analyze = c.acceptWord('analyze') || c.acceptWord('analyse');
  } else {
    c.acceptWord('verbose');
  }
  const tables: QualifiedName[] = [];
  if (c.isColId()) {
    do {
      tables.push(parseQualifiedName(c));
      if (c.isOp('(')) c.nameList();
    } while (c.acceptOp(','));
  }
  if (vacuum) return { kind: 'vacuum', full, analyze, tables, pos: t.pos };
  return { kind: 'analyze', tables, pos: t.pos };
}
