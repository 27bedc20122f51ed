/**
 * `CREATE [UNIQUE] INDEX`, `DROP INDEX` and `REINDEX`: btree indexes on plain columns. What
 * Postgres allows and the lab has not built (expression and partial indexes, INCLUDE, DESC,
 * other access methods, CONCURRENTLY) is refused with feature_not_supported, never ignored.
 */
import type { CreateIndexStmt, DropIndexStmt, ReindexStmt } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { parseQualifiedName } from './parse-query.ts';

/** After `CREATE [UNIQUE]`, at INDEX. */
export function parseCreateIndex(c: Cursor, unique: boolean, pos: number): CreateIndexStmt {
  c.expectWord('index');
  // Greenplum refuses it too: a concurrent build cannot be coordinated across segments.
  if (c.isWord('concurrently')) throw c.unsupported('CREATE INDEX CONCURRENTLY');
  let ifNotExists = false;
  if (c.isWord('if')) {
    c.next();
    c.expectWord('not');
    c.expectWord('exists');
    ifNotExists = true;
  }
  const name = c.isWord('on') ? undefined : c.colId();
  if (ifNotExists && name === undefined) throw c.syntaxError();
  c.expectWord('on');
  c.acceptWord('only');
  const table = parseQualifiedName(c);
  if (c.acceptWord('using')) {
    const at = c.peek();
    const method = c.label();
    if (method !== 'btree')
      throw c.unsupported(`access method "${method}" (this lab builds btree indexes)`, at);
  }
  c.expectOp('(');
  const columns: { name: string; pos: number }[] = [];
  do {
    const at = c.peek();
    if (c.isOp('(') || (c.isColId() && c.isOp('(', 1))) throw c.unsupported('indexes on expressions', at);
    columns.push({ name: c.colId(), pos: at.pos });
    if (c.isWord('collate')) throw c.unsupported('COLLATE in an index');
    if (c.isWord('desc')) throw c.unsupported('DESC index columns');
    c.acceptWord('asc');
    if (c.isWord('nulls')) {
      if (c.isWord('first', 1)) throw c.unsupported('NULLS FIRST index columns');
      c.next();
      c.expectWord('last');
    }
    if (c.isColId() && !c.isWord('include')) throw c.unsupported('operator classes', c.peek());
  } while (c.acceptOp(','));
  c.expectOp(')');
  if (c.isWord('include')) throw c.unsupported('INCLUDE columns');
  if (c.isWord('with')) throw c.unsupported('index storage parameters');
  if (c.isWord('tablespace')) throw c.unsupported('TABLESPACE');
  if (c.isWord('where')) throw c.unsupported('partial indexes');
  return {
    kind: 'createIndex',
    ...(name === undefined ? {} : { name }),
    unique,
    ifNotExists,
    table,
    columns,
    pos,
  };
}

/** After `DROP`, at INDEX: `DROP INDEX [IF EXISTS] a, b [CASCADE | RESTRICT]`. */
export function parseDropIndex(c: Cursor, pos: number): DropIndexStmt {
  c.expectWord('index');
  if (c.isWord('concurrently')) throw c.unsupported('DROP INDEX CONCURRENTLY');
  let ifExists = false;
  if (c.isWord('if')) {
    c.next();
    c.expectWord('exists');
    ifExists = true;
  }
  const names = [parseQualifiedName(c)];
  while (c.acceptOp(',')) names.push(parseQualifiedName(c));
  const cascade = c.acceptWord('cascade');
  if (!cascade) c.acceptWord('restrict');
  return { kind: 'dropIndex', names, ifExists, cascade, pos };
}

/** `REINDEX {INDEX | TABLE} name`. */
export function parseReindex(c: Cursor): ReindexStmt {
  const pos = c.expectWord('reindex').pos;
  if (c.isOp('(')) throw c.unsupported('REINDEX options');
  const at = c.peek();
  const target = c.acceptWord('index') ? 'index' : c.acceptWord('table') ? 'table' : undefined;
  if (!target) {
    if (at.kind === 'ident' && ['schema', 'database', 'system'].includes(at.value))
      throw c.unsupported(`REINDEX ${at.value.toUpperCase()}`, at);
    throw c.syntaxError(at);
  }
  if (c.isWord('concurrently')) throw c.unsupported('REINDEX CONCURRENTLY');
  return { kind: 'reindex', target, name: parseQualifiedName(c), pos };
}
