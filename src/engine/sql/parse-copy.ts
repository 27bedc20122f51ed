/**
 * COPY: `COPY table [(cols)] FROM STDIN` and `COPY {table [(cols)] | (query)} TO STDOUT`, with
 * the option list (`WITH (FORMAT csv, HEADER, DELIMITER ';', NULL '', QUOTE '"', ESCAPE '"')`)
 * and the older spelling (`WITH CSV HEADER DELIMITER ';'`). Files and programs are on the
 * server's disk, which the lab does not have: refused, as are binary format and Greenplum's
 * error logging, rather than accepted and ignored.
 */
import { sqlError } from '../errors.ts';
import type { CopyOptions, CopyStmt } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { parseParenQuery } from './parse-expr.ts';
import { parseQualifiedName } from './parse-query.ts';

interface Given {
  format?: string;
  delimiter?: string;
  null?: string;
  header?: boolean;
  quote?: string;
  escape?: string;
}

export function parseCopy(c: Cursor): CopyStmt {
  const t = c.expectWord('copy');
  if (c.isWord('binary')) throw c.unsupported('COPY BINARY');
  const query = parseParenQuery(c);
  const stmt: CopyStmt = {
    kind: 'copy',
    direction: 'from',
    options: { format: 'text', delimiter: '\t', null: '\\N', header: false, quote: '"', escape: '"' },
    pos: t.pos,
  };
  if (query) stmt.query = query;
  else {
    const name = parseQualifiedName(c);
    stmt.table = name;
    if (c.isOp('(')) stmt.columns = c.nameList();
  }
  const dir = c.peek();
  if (c.acceptWord('from')) stmt.direction = 'from';
  else if (c.acceptWord('to')) stmt.direction = 'to';
  else throw c.syntaxError();
  if (query && stmt.direction === 'from') throw c.syntaxError(dir);
  const end = stmt.direction === 'from' ? 'stdin' : 'stdout';
  const target = c.peek();
  if (c.isWord('program') || target.kind === 'string')
    throw sqlError(
      'feature_not_supported',
      `COPY ${stmt.direction === 'from' ? 'from' : 'to'} a file or a program is not supported`,
      {
        hint: `The lab has no server file system: use COPY ... ${stmt.direction.toUpperCase()} ${end.toUpperCase()}${stmt.direction === 'from' ? ', with the rows on the lines after the statement and a line \\. after them' : ''}.`,
        position: target.pos,
      },
    );
  c.expectWord(end);
  stmt.options = copyOptions(c, parseOptions(c));
  return stmt;
}

function stringValue(c: Cursor): string {
  const t = c.next();
  if (t.kind !== 'string') throw c.syntaxError(t);
  return t.value;
}

function parseOptions(c: Cursor): Given {
  const given: Given = {};
  const set = (key: keyof Given, value: string | boolean, pos: number): void => {
    if (given[key] !== undefined)
      throw sqlError('syntax_error', 'conflicting or redundant options', { position: pos });
    (given as Record<string, unknown>)[key] = value;
  };
  const withWord = c.acceptWord('with');
  if (c.isOp('(')) {
    c.next();
    do {
      const opt = c.peek();
      const name = c.label();
      const valueTok = c.peek();
      const hasValue = !c.isOp(',') && !c.isOp(')');
      const value = hasValue
        ? valueTok.kind === 'string'
          ? stringValue(c)
          : valueTok.kind === 'number'
            ? c.next().value
            : c.label()
        : undefined;
      switch (name) {
        case 'format':
          if (value === undefined) throw c.syntaxError();
          set('format', value.toLowerCase(), opt.pos);
          break;
        case 'delimiter':
        case 'null':
        case 'quote':
        case 'escape':
          if (value === undefined || valueTok.kind !== 'string') throw c.syntaxError(valueTok);
          set(name, value, opt.pos);
          break;
        case 'header':
          set('header', value === undefined ? true : boolOption(value, opt.pos), opt.pos);
          break;
        case 'freeze':
        case 'force_quote':
        case 'force_not_null':
        case 'force_null':
        case 'encoding':
        case 'oids':
          throw sqlError('feature_not_supported', `COPY option "${name}" is not supported`, {
            position: opt.pos,
          });
        default:
          throw sqlError('syntax_error', `option "${name}" not recognized`, { position: opt.pos });
      }
    } while (c.acceptOp(','));
    c.expectOp(')');
  } else {
    // The pre-9.0 spelling: WITH DELIMITER 'x' NULL 'y' CSV HEADER QUOTE 'q' ESCAPE 'e'.
    for (;;) {
      const opt = c.peek();
      if (c.acceptWord('binary')) throw c.unsupported('COPY BINARY', opt);
      else if (c.acceptWord('delimiter')) {
        c.acceptWord('as');
        set('delimiter', stringValue(c), opt.pos);
      } else if (c.acceptWord('null')) {
        c.acceptWord('as');
        set('null', stringValue(c), opt.pos);
      } else if (c.acceptWord('csv')) set('format', 'csv', opt.pos);
      else if (c.acceptWord('header')) set('header', true, opt.pos);
      else if (c.acceptWord('quote')) {
        c.acceptWord('as');
        set('quote', stringValue(c), opt.pos);
      } else if (c.acceptWord('escape')) {
        c.acceptWord('as');
        set('escape', stringValue(c), opt.pos);
      } else if (c.isWord('force') || c.isWord('oids'))
        throw c.unsupported(`COPY ${opt.value.toUpperCase()}`, opt);
      else break;
    }
    if (withWord && Object.keys(given).length === 0 && !c.isOp(';') && c.peek().kind !== 'eof')
      throw c.syntaxError();
  }
  if (c.isWord('log') || c.isWord('segment') || c.isWord('on') || c.isWord('ignore'))
    throw c.unsupported(`COPY ... ${c.peek().value.toUpperCase()}`);
  if (c.isWord('where')) throw c.unsupported('COPY FROM ... WHERE');
  return given;
}

function boolOption(v: string, pos: number): boolean {
  const x = v.toLowerCase();
  if (['true', 'on', '1'].includes(x)) return true;
  if (['false', 'off', '0'].includes(x)) return false;
  throw sqlError('syntax_error', `header requires a Boolean value`, { position: pos });
}

/** Fills in the format's defaults and checks the combination as Postgres 12 (Greenplum 7) does. */
function copyOptions(c: Cursor, g: Given): CopyOptions {
  const bad = (
    msg: string,
    state: 'feature_not_supported' | 'invalid_parameter_value' = 'feature_not_supported',
  ) => sqlError(state, msg, { position: c.peek().pos });
  const format = g.format ?? 'text';
  if (format === 'binary') throw bad('COPY BINARY is not supported');
  if (format !== 'text' && format !== 'csv')
    throw bad(`COPY format "${format}" not recognized`, 'invalid_parameter_value');
  const csv = format === 'csv';
  const o: CopyOptions = {
    format,
    delimiter: g.delimiter ?? (csv ? ',' : '\t'),
    null: g.null ?? (csv ? '' : '\\N'),
    header: g.header ?? false,
    quote: g.quote ?? '"',
    escape: g.escape ?? g.quote ?? '"',
  };
  if (o.delimiter.length !== 1) throw bad('COPY delimiter must be a single one-byte character');
  if (o.delimiter === '\r' || o.delimiter === '\n')
    throw bad('COPY delimiter cannot be newline or carriage return', 'invalid_parameter_value');
  if (o.null.includes('\r') || o.null.includes('\n'))
    throw bad('COPY null representation cannot use newline or carriage return', 'invalid_parameter_value');
  if (!csv && '\\.abcdefghijklmnopqrstuvwxyz0123456789'.includes(o.delimiter))
    throw bad(`COPY delimiter cannot be "${o.delimiter}"`, 'invalid_parameter_value');
  if (!csv && g.header) throw bad('COPY HEADER available only in CSV mode');
  if (!csv && g.quote !== undefined) throw bad('COPY quote available only in CSV mode');
  if (!csv && g.escape !== undefined) throw bad('COPY escape available only in CSV mode');
  if (csv && o.quote.length !== 1) throw bad('COPY quote must be a single one-byte character');
  if (csv && o.escape.length !== 1) throw bad('COPY escape must be a single one-byte character');
  if (csv && o.delimiter === o.quote)
    throw bad('COPY delimiter and quote must be different', 'invalid_parameter_value');
  if (csv && o.null.includes(o.quote))
    throw bad('CSV quote character must not appear in the NULL specification');
  if (o.null.includes(o.delimiter))
    throw bad('COPY delimiter must not appear in the NULL specification', 'invalid_parameter_value');
  return o;
}
