/**
 * COPY FROM STDIN and COPY TO STDOUT, in Postgres' text and CSV formats.
 *
 * FROM: every line is read and every field converted with its column's input function before
 * anything is written, so bad data fails the statement with the line and column named and
 * nothing half-loaded; the rows then go in as one INSERT (dispatched to the segments their
 * distribution key hashes to, as Greenplum's COPY does). TO: the query's rows in the format,
 * with each type's output function.
 */
import { SqlError, sqlError } from '../errors.ts';
import type { CopyOptions, CopyStmt, Expr, Query } from '../sql/ast.ts';
import { formatValue, parseValue, type SqlType, type Value } from '../sql/types.ts';
import { commandResult, type QueryResult } from './results.ts';
import type { Session } from './session.ts';
import { runInsert } from './dml.ts';
import { plannerEnv, queryRows } from './statements.ts';

export async function runCopy(s: Session, stmt: CopyStmt): Promise<QueryResult> {
  return stmt.direction === 'from' ? copyFrom(s, stmt) : copyTo(s, stmt);
}

// ---- FROM STDIN -------------------------------------------------------------------------------

async function copyFrom(s: Session, stmt: CopyStmt): Promise<QueryResult> {
  const table = stmt.table!;
  if (stmt.data === undefined)
    throw sqlError('bad_copy_file_format', 'COPY FROM STDIN has no data', {
      hint: "Put the rows on the lines after the statement's semicolon, then a line \\. (as psql reads a dump).",
    });
  const env = await plannerEnv(s, { kind: 'table', name: table });
  const info = env.tables.get(table.name);
  if (!info) {
    const isView = (await s.qd.catalog.listViews(s.dtx?.local ?? s.qd.inst.xact.begin())).some(
      (v) => v.name === table.name,
    );
    if (isView) throw sqlError('wrong_object_type', `cannot copy to view "${table.name}"`);
    throw sqlError('undefined_table', `relation "${table.name}" does not exist`, { position: table.pos });
  }
  const names = stmt.columns ?? info.columns.map((c) => ({ name: c.name, pos: stmt.pos }));
  const types = names.map((n) => {
    const col = info.columns.find((c) => c.name === n.name);
    if (!col)
      throw sqlError('undefined_column', `column "${n.name}" of relation "${info.name}" does not exist`, {
        position: n.pos,
      });
    return col.type;
  });
  const records =
    stmt.options.format === 'csv'
      ? csvRecords(stmt.data, stmt.options)
      : textRecords(stmt.data, stmt.options);
  if (stmt.options.header) records.shift();
  const rows: Expr[][] = [];
  for (const rec of records) {
    await s.interrupts?.check();
    const where = (col?: string, value?: string | null) =>
      `COPY ${info.name}, line ${rec.line}${col ? `, column ${col}` : ''}${value !== undefined ? `: ${value === null ? 'null input' : `"${value}"`}` : ''}`;
    if (rec.fields.length < names.length)
      throw sqlError('bad_copy_file_format', `missing data for column "${names[rec.fields.length]!.name}"`, {
        detail: where(),
      });
    if (rec.fields.length > names.length)
      throw sqlError('bad_copy_file_format', 'extra data after last expected column', { detail: where() });
    rows.push(
      rec.fields.map((text, i): Expr => {
        if (text === null) return { kind: 'literal', value: null, literalType: 'null', pos: stmt.pos };
        try {
          // Checked here so the error names the line and column; the INSERT converts it again.
          parseValue(text, types[i]!, false);
        } catch (e) {
          if (e instanceof SqlError) {
            e.detail = where(names[i]!.name, text);
            delete e.position;
          }
          throw e;
        }
        return { kind: 'literal', value: text, literalType: 'string', pos: stmt.pos };
      }),
    );
  }
  if (!rows.length) return commandResult('COPY', 0);
  const r = await runInsert(s, {
    kind: 'insert',
    table,
    columns: names,
    source: { kind: 'values', rows, orderBy: [], pos: stmt.pos },
    pos: stmt.pos,
  });
  return commandResult('COPY', r.rowCount);
}

interface CopyRecord {
  /** 1-based line of the record's start in the data. */
  line: number;
  fields: (string | null)[];
}

function dataLines(data: string): string[] {
  const lines = data.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Text format: delimiter-separated fields, backslash escapes, the NULL string unescaped. */
function textRecords(data: string, o: CopyOptions): CopyRecord[] {
  return dataLines(data).map((line, i) => {
    const fields: (string | null)[] = [];
    let raw = '';
    let out = '';
    // Octal and hex escapes are bytes: `\303\251` is one UTF-8 character, as Postgres reads it.
    let bytes: number[] = [];
    const flushBytes = () => {
      if (!bytes.length) return;
      if (bytes.includes(0))
        throw sqlError('character_not_in_repertoire', 'invalid byte sequence for encoding "UTF8": 0x00');
      try {
        out += new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
      } catch {
        throw sqlError(
          'character_not_in_repertoire',
          `invalid byte sequence for encoding "UTF8": ${bytes.map((b) => '0x' + b.toString(16).padStart(2, '0')).join(' ')}`,
        );
      }
      bytes = [];
    };
    const finish = () => {
      flushBytes();
      fields.push(raw === o.null ? null : out);
      raw = '';
      out = '';
    };
    for (let k = 0; k < line.length; k++) {
      const ch = line[k]!;
      if (ch === o.delimiter) {
        finish();
        continue;
      }
      if (ch !== '\\' || k + 1 >= line.length) {
        flushBytes();
        raw += ch;
        out += ch;
        continue;
      }
      const e = line[++k]!;
      raw += '\\' + e;
      const octal = /^[0-7]{1,3}/.exec(line.slice(k));
      if (octal) {
        bytes.push(parseInt(octal[0], 8) & 0xff);
        raw += octal[0].slice(1);
        k += octal[0].length - 1;
        continue;
      }
      const hex = e === 'x' ? /^[0-9a-fA-F]{1,2}/.exec(line.slice(k + 1)) : null;
      if (hex) {
        bytes.push(parseInt(hex[0], 16));
        raw += hex[0];
        k += hex[0].length;
        continue;
      }
      flushBytes();
      out += { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' }[e] ?? e;
    }
    finish();
    return { line: i + 1, fields };
  });
}

/** CSV: quoted fields (may span lines), doubled or escaped quotes; an unquoted NULL string is NULL. */
function csvRecords(data: string, o: CopyOptions): CopyRecord[] {
  const out: CopyRecord[] = [];
  if (data === '') return out;
  const text = data.endsWith('\n') ? data : data + '\n';
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const start = line;
    const fields: (string | null)[] = [];
    let value = '';
    let quoted = false;
    for (;;) {
      const ch = text[i];
      if (ch === undefined) break;
      if (ch === o.quote) {
        quoted = true;
        i++;
        for (;;) {
          const q = text[i];
          if (q === undefined)
            throw sqlError('bad_copy_file_format', 'unterminated CSV quoted field', {
              detail: `COPY, line ${start}`,
            });
          // The escape before a quote (or before itself) makes it literal: `""` by default.
          const after = text[i + 1];
          if (q === o.escape && (after === o.quote || (after === o.escape && o.escape !== o.quote))) {
            value += after;
            i += 2;
            continue;
          }
          if (q === o.quote) {
            i++;
            break;
          }
          if (q === '\n') line++;
          value += q;
          i++;
        }
        continue;
      }
      if (ch === o.delimiter || ch === '\n' || (ch === '\r' && text[i + 1] === '\n')) {
        fields.push(!quoted && value === o.null ? null : value);
        value = '';
        quoted = false;
        if (ch === o.delimiter) {
          i++;
          continue;
        }
        i += ch === '\r' ? 2 : 1;
        line++;
        break;
      }
      value += ch;
      i++;
    }
    out.push({ line: start, fields });
  }
  return out;
}

// ---- TO STDOUT --------------------------------------------------------------------------------

async function copyTo(s: Session, stmt: CopyStmt): Promise<QueryResult> {
  let q: Query;
  if (stmt.query) q = stmt.query;
  else {
    const table = stmt.table!;
    const env = await plannerEnv(s, { kind: 'table', name: table });
    if (!env.tables.get(table.name)) {
      const isView = (await s.qd.catalog.listViews(s.dtx?.local ?? s.qd.inst.xact.begin())).some(
        (v) => v.name === table.name,
      );
      if (isView)
        throw sqlError('wrong_object_type', `cannot copy from view "${table.name}"`, {
          hint: 'Try the COPY (SELECT ...) TO variant.',
        });
    }
    q = {
      kind: 'select',
      distinct: false,
      targets: stmt.columns
        ? stmt.columns.map((c) => ({
            kind: 'expr',
            expr: { kind: 'column', name: c.name, pos: c.pos },
            pos: c.pos,
          }))
        : [{ kind: 'star', pos: stmt.pos }],
      from: [{ kind: 'table', name: table, pos: table.pos }],
      groupBy: [],
      orderBy: [],
      pos: stmt.pos,
    };
  }
  const { columns, rows } = await queryRows(s, q);
  const o = stmt.options;
  const lines: string[] = [];
  if (o.header) lines.push(columns.map((c) => csvField(c.name, o, true)).join(o.delimiter));
  for (const r of rows) {
    await s.interrupts?.check();
    lines.push(
      r
        .map((v, i) =>
          o.format === 'csv'
            ? csvOut(v, columns[i]!.type, o, columns.length === 1)
            : textOut(v, columns[i]!.type, o),
        )
        .join(o.delimiter),
    );
  }
  const result = commandResult('COPY', rows.length);
  result.copyOut = lines.map((l) => l + '\n').join('');
  return result;
}

function textOut(v: Value, type: SqlType, o: CopyOptions): string {
  if (v === null) return o.null;
  const text = formatValue(v, type);
  let out = '';
  for (const ch of text) {
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (ch === o.delimiter) out += '\\' + ch;
    else out += ch;
  }
  return out;
}

function csvOut(v: Value, type: SqlType, o: CopyOptions, single: boolean): string {
  if (v === null) return o.null;
  return csvField(formatValue(v, type), o, true, single);
}

/** Quoted when it holds the delimiter, a quote, a line break, or would read back as NULL. */
function csvField(text: string, o: CopyOptions, value: boolean, single = false): string {
  const needs =
    text.includes(o.delimiter) ||
    text.includes(o.quote) ||
    text.includes('\n') ||
    text.includes('\r') ||
    (value && text === o.null) ||
    (single && text === '\\.');
  if (!needs) return text;
  let out = o.quote;
  for (const ch of text) out += ch === o.quote || ch === o.escape ? o.escape + ch : ch;
  return out + o.quote;
}
