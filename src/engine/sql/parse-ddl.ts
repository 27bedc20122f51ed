/**
 * DDL: CREATE TABLE (with Greenplum's WITH storage options and DISTRIBUTED clause), CREATE TABLE
 * AS, DROP TABLE and TRUNCATE (indexes: parse-index.ts). Other CREATE / DROP forms are feature_not_supported errors.
 *
 * Greenplum clause order after the column list: WITH (...), DISTRIBUTED ..., as in gpdb's gram.y.
 */
import type {
  ColumnDef,
  CreateTableAsStmt,
  CreateTableStmt,
  DistributedBy,
  CreateViewStmt,
  DropTableStmt,
  ExpandTableStmt,
  DropIndexStmt,
  DropViewStmt,
  Statement,
  StorageOption,
  TruncateStmt,
} from './ast.ts';
import type { Cursor } from './cursor.ts';
import { parseExpr } from './parse-expr.ts';
import { parseQualifiedName, parseQuery } from './parse-query.ts';
import { parseType } from './parse-type.ts';
import { parseCreateIndex, parseDropIndex } from './parse-index.ts';
import { sqlError } from '../errors.ts';

/** `CREATE ...`, at the CREATE keyword. */
export function parseCreate(c: Cursor): Statement {
  const pos = c.expectWord('create').pos;
  if (c.acceptWord('global') || c.acceptWord('local')) {
    if (!c.isWord('temp') && !c.isWord('temporary')) throw c.syntaxError();
  }
  const orReplace = !c.isWord('temp', 0) && c.isWord('or') && c.isWord('replace', 1);
  if (orReplace) {
    c.next();
    c.next();
  }
  const temporary = c.acceptWord('temp') || c.acceptWord('temporary');
  if (c.isWord('view') || c.isWord('recursive') || c.isWord('materialized')) {
    if (temporary) throw c.unsupported('temporary views');
    return parseCreateView(c, pos, orReplace);
  }
  if (orReplace) throw c.unsupported(`CREATE OR REPLACE ${c.peek().value.toUpperCase()}`);
  if (!temporary && (c.isWord('index') || (c.isWord('unique') && c.isWord('index', 1))))
    return parseCreateIndex(c, c.acceptWord('unique'), pos);
  if (c.isWord('unlogged')) throw c.unsupported('UNLOGGED tables');
  if (!c.isWord('table')) {
    const t = c.peek();
    if (t.kind !== 'ident') throw c.syntaxError();
    const what = t.value === 'or' ? 'OR REPLACE' : t.value.toUpperCase();
    throw c.unsupported(`CREATE ${what}`);
  }
  c.next();
  const ifNotExists = parseIfExists(c, true);
  const name = parseQualifiedName(c);
  if (c.isWord('of') || c.isWord('partition')) throw c.unsupported('CREATE TABLE ... OF / PARTITION OF');
  let columnNames: string[] | undefined;
  let stmt: CreateTableStmt | undefined;
  if (c.isOp('(') && c.isColId(1) && (c.isOp(',', 2) || c.isOp(')', 2))) {
    columnNames = c.nameList().map((n) => n.name);
  } else if (c.isOp('(')) {
    stmt = { kind: 'createTable', name, ifNotExists, temporary, columns: [], options: [], pos };
    parseTableElements(c, stmt);
    if (c.isWord('inherits')) throw c.unsupported('INHERITS');
    if (c.isWord('partition')) throw c.unsupported('partitioned tables');
  } else if (!c.isWord('as') && !c.isWord('with')) {
    throw c.syntaxError();
  }
  const options = parseStorageOptions(c);
  if (c.isWord('on') && c.isWord('commit', 1)) throw c.unsupported('ON COMMIT');
  if (c.isWord('tablespace')) throw c.unsupported('TABLESPACE');
  if (stmt) {
    stmt.options = options;
    const dist = parseDistributedBy(c);
    if (dist) stmt.distributedBy = dist;
    if (c.isWord('partition')) throw c.unsupported('partitioned tables');
    return stmt;
  }
  c.expectWord('as');
  if (c.isWord('execute')) throw c.unsupported('CREATE TABLE AS EXECUTE');
  const query = parseQuery(c);
  const ctas: CreateTableAsStmt = {
    kind: 'createTableAs',
    name,
    ifNotExists,
    temporary,
    options,
    query,
    withData: true,
    pos,
  };
  if (columnNames) ctas.columnNames = columnNames;
  if (c.isWord('with') && (c.isWord('data', 1) || c.isWord('no', 1))) {
    c.next();
    ctas.withData = !c.acceptWord('no');
    c.expectWord('data');
  }
  const dist = parseDistributedBy(c);
  if (dist) ctas.distributedBy = dist;
  return ctas;
}

/** `IF [NOT] EXISTS`, if present. */
function parseIfExists(c: Cursor, not: boolean): boolean {
  if (!c.isWord('if')) return false;
  c.next();
  if (not) c.expectWord('not');
  c.expectWord('exists');
  return true;
}

const UNSUPPORTED_CONSTRAINTS = ['check', 'foreign', 'exclude', 'references', 'generated', 'collate'];

function parseTableElements(c: Cursor, stmt: CreateTableStmt): void {
  c.expectOp('(');
  if (c.acceptOp(')')) return;
  do {
    const t = c.peek();
    const named = c.acceptWord('constraint');
    if (named) c.colId();
    if (c.isWord('primary')) {
      c.next();
      c.expectWord('key');
      // A second primary key is the binder's "multiple primary keys" error, as in Postgres.
      stmt.primaryKey = { columns: c.nameList(), pos: t.pos };
    } else if (c.acceptWord('unique')) {
      (stmt.unique ??= []).push({ columns: c.nameList(), pos: t.pos });
    } else if (named || UNSUPPORTED_CONSTRAINTS.includes(c.peek().value)) {
      throw c.unsupported(`${c.peek().text.toUpperCase()} constraints`);
    } else if (c.isWord('like')) {
      throw c.unsupported('CREATE TABLE ... LIKE');
    } else {
      stmt.columns.push(parseColumnDef(c, stmt));
    }
  } while (c.acceptOp(','));
  c.expectOp(')');
}

function parseColumnDef(c: Cursor, stmt: CreateTableStmt): ColumnDef {
  const pos = c.peek().pos;
  const name = c.colId();
  const col: ColumnDef = { name, type: parseType(c), notNull: false, primaryKey: false, pos };
  let sawNull = false;
  let sawNotNull = false;
  const where = `for column "${name}" of table "${stmt.name.name}"`;
  for (;;) {
    const t = c.peek();
    if (c.acceptWord('constraint')) c.colId();
    if (c.isWord('not') && c.isWord('null', 1)) {
      c.next();
      c.next();
      if (sawNull) throw conflictingNull(where, t.pos);
      sawNotNull = true;
      col.notNull = true;
    } else if (c.acceptWord('null')) {
      if (sawNotNull) throw conflictingNull(where, t.pos);
      sawNull = true;
    } else if (c.acceptWord('default')) {
      if (col.default) {
        throw sqlError('syntax_error', `multiple default values specified ${where}`, { position: t.pos });
      }
      col.default = parseExpr(c, 5);
    } else if (c.acceptWord('primary')) {
      c.expectWord('key');
      col.primaryKey = true;
      col.notNull = true;
    } else if (c.acceptWord('unique')) {
      (stmt.unique ??= []).push({ columns: [{ name, pos }], pos: t.pos });
    } else if (c.peek().kind === 'ident' && UNSUPPORTED_CONSTRAINTS.includes(c.peek().value)) {
      throw c.unsupported(`${c.peek().value.toUpperCase()} constraints`);
    } else if (c.isWord('encoding')) {
      throw c.unsupported('column ENCODING clauses');
    } else {
      if (t !== c.peek()) throw c.syntaxError();
      return col;
    }
  }
}

function conflictingNull(where: string, pos: number) {
  return sqlError('syntax_error', `conflicting NULL/NOT NULL declarations ${where}`, { position: pos });
}

/** `WITH (key [= value], ...)` storage options, or `WITHOUT OIDS`. */
function parseStorageOptions(c: Cursor): StorageOption[] {
  if (c.isWord('without') && c.isWord('oids', 1)) {
    c.next();
    c.next();
    return [];
  }
  if (!(c.isWord('with') && c.isOp('(', 1))) return [];
  c.next();
  c.next();
  const options: StorageOption[] = [];
  do {
    const pos = c.peek().pos;
    let name = c.label();
    while (c.acceptOp('.')) name += `.${c.label()}`;
    const option: StorageOption = { name, pos };
    if (c.acceptOp('=')) option.value = parseOptionValue(c);
    options.push(option);
  } while (c.acceptOp(','));
  c.expectOp(')');
  return options;
}

/** A definition argument as text: a word (folded), a signed number, or a string. */
export function parseOptionValue(c: Cursor): string {
  const sign = c.isOp('-') || c.isOp('+') ? c.next().value : '';
  const t = c.peek();
  if (t.kind === 'number') {
    c.next();
    return sign === '-' ? `-${t.value}` : t.value;
  }
  if (sign === '' && (t.kind === 'ident' || t.kind === 'qident' || t.kind === 'string')) {
    c.next();
    return t.value;
  }
  throw c.syntaxError();
}

/** `DISTRIBUTED BY (cols) | DISTRIBUTED RANDOMLY | DISTRIBUTED REPLICATED`, if present. */
function parseDistributedBy(c: Cursor): DistributedBy | undefined {
  const t = c.peek();
  if (!c.acceptWord('distributed')) return undefined;
  if (c.acceptWord('randomly')) return { kind: 'randomly', pos: t.pos };
  if (c.acceptWord('replicated')) return { kind: 'replicated', pos: t.pos };
  c.expectWord('by');
  c.expectOp('(');
  const columns: { name: string; pos: number }[] = [];
  do {
    const pos = c.peek().pos;
    columns.push({ name: c.colId(), pos });
    if (!c.isOp(',') && !c.isOp(')')) throw c.unsupported('operator classes in DISTRIBUTED BY');
  } while (c.acceptOp(','));
  c.expectOp(')');
  return { kind: 'hash', columns, pos: t.pos };
}

/** `CREATE [OR REPLACE] VIEW name [(columns)] AS query`, at VIEW. */
function parseCreateView(c: Cursor, pos: number, orReplace: boolean): CreateViewStmt {
  if (c.isWord('recursive')) throw c.unsupported('recursive views');
  if (c.isWord('materialized')) throw c.unsupported('materialized views');
  c.expectWord('view');
  const name = parseQualifiedName(c);
  const columns = c.isOp('(') ? c.nameList().map((n) => n.name) : undefined;
  if (c.isWord('with')) throw c.unsupported('view options');
  c.expectWord('as');
  const from = c.index;
  const query = parseQuery(c);
  const text = c.textFrom(from);
  if (c.isWord('with')) throw c.unsupported('WITH CHECK OPTION');
  return { kind: 'createView', name, orReplace, ...(columns ? { columns } : {}), query, text, pos };
}

/** `DROP TABLE [IF EXISTS] a, b [CASCADE | RESTRICT]`, `DROP VIEW ...` and `DROP INDEX ...`. */
export function parseDrop(c: Cursor): DropTableStmt | DropViewStmt | DropIndexStmt {
  const pos = c.expectWord('drop').pos;
  if (c.isWord('index')) return parseDropIndex(c, pos);
  if (c.acceptWord('view')) {
    const ifExists = parseIfExists(c, false);
    const names = [parseQualifiedName(c)];
    while (c.acceptOp(',')) names.push(parseQualifiedName(c));
    return { kind: 'dropView', names, ifExists, cascade: parseDropBehavior(c), pos };
  }
  if (!c.acceptWord('table')) {
    const t = c.peek();
    if (t.kind !== 'ident') throw c.syntaxError();
    throw c.unsupported(`DROP ${t.value.toUpperCase()}`);
  }
  const ifExists = parseIfExists(c, false);
  const names = [parseQualifiedName(c)];
  while (c.acceptOp(',')) names.push(parseQualifiedName(c));
  return { kind: 'dropTable', names, ifExists, cascade: parseDropBehavior(c), pos };
}

function parseDropBehavior(c: Cursor): boolean {
  if (c.acceptWord('cascade')) return true;
  c.acceptWord('restrict');
  return false;
}

/**
 * `ALTER TABLE [IF EXISTS] [ONLY] name EXPAND TABLE`; any other ALTER is refused by name, as a
 * feature this engine does not have.
 */
export function parseAlter(c: Cursor): ExpandTableStmt {
  const pos = c.expectWord('alter').pos;
  const object = c.peek();
  if (!c.acceptWord('table'))
    throw c.unsupported(`ALTER${object.kind === 'ident' ? ` ${object.value.toUpperCase()}` : ''}`, object);
  let ifExists = false;
  if (c.isWord('if') && c.isWord('exists', 1)) {
    c.next();
    c.next();
    ifExists = true;
  }
  c.acceptWord('only');
  const name = parseQualifiedName(c);
  const action = c.peek();
  if (c.acceptWord('expand')) {
    c.expectWord('table');
    return { kind: 'expandTable', name, ifExists, pos };
  }
  if (action.kind === 'eof') throw c.syntaxError();
  throw c.unsupported(`ALTER TABLE ... ${action.text.toUpperCase()}`, action);
}

/** `TRUNCATE [TABLE] [ONLY] a, b [RESTART | CONTINUE IDENTITY] [CASCADE | RESTRICT]`. */
export function parseTruncate(c: Cursor): TruncateStmt {
  const pos = c.expectWord('truncate').pos;
  c.acceptWord('table');
  const names = [];
  do {
    c.acceptWord('only');
    names.push(parseQualifiedName(c));
  } while (c.acceptOp(','));
  if (c.acceptWord('restart') || c.acceptWord('continue')) c.expectWord('identity');
  return { kind: 'truncate', names, cascade: parseDropBehavior(c), pos };
}
