/**
 * The SQL lexer: turns a string into tokens following Postgres 12's scan.l.
 *
 * Rules it keeps, because error messages and positions depend on them:
 * 1. Every token records `pos`, the 1-based offset of its first character, and `text`, the exact
 *    source slice; "syntax error at or near" quotes `text`, as Postgres quotes yytext.
 * 2. Unquoted identifiers and keywords are folded to lower case (ASCII only, like Postgres in
 *    UTF-8); quoted identifiers keep their case and `""` becomes `"`.
 * 3. Multi-character operators are scanned greedily and then trimmed as scan.l does: a trailing
 *    `+`/`-` is dropped unless the operator contains one of ``~!@#^&|`?%``, so `a=-1` is `=` `-` `1`.
 * 4. The stream always ends with one `eof` token whose `pos` is one past the last character.
 */
import { sqlError } from '../errors.ts';

/** Token kinds. `op` covers operators and punctuation (`(`, `,`, `;`, `.`, `::`, ...). */
export type TokenKind = 'ident' | 'qident' | 'string' | 'number' | 'bitstring' | 'param' | 'op' | 'eof';

/** One token. */
export interface Token {
  kind: TokenKind;
  /** ident: folded name; qident: the name; string: decoded text; number: digits; op: operator. */
  value: string;
  /** The source text of the token. */
  text: string;
  /** 1-based character offset. */
  pos: number;
}

/** How reserved a keyword is, per Postgres' kwlist.h (unreserved keywords are plain idents here). */
export type KeywordCategory = 'reserved' | 'colname' | 'typefunc';

const RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric both case cast check collate column constraint ' +
    'create current_catalog current_date current_role current_time current_timestamp current_user default ' +
    'deferrable desc distinct distributed do else end except false fetch for foreign from grant group having ' +
    'in initially intersect into lateral leading limit localtime localtimestamp not null offset on only or ' +
    'order placing primary references returning scatter select session_user some symmetric table then to ' +
    'trailing true union unique user using variadic when where window with'
  ).split(' '),
);

const COL_NAME = new Set(
  (
    'between bigint bit boolean char character coalesce dec decimal exists extract float greatest grouping ' +
    'inout int integer interval least national nchar none nullif numeric out overlay position precision ' +
    'real row setof smallint substring time timestamp treat trim values varchar'
  ).split(' '),
);

const TYPE_FUNC_NAME = new Set(
  (
    'authorization binary collation concurrently cross current_schema freeze full ilike inner is isnull ' +
    'join left like natural notnull outer overlaps right similar tablesample verbose'
  ).split(' '),
);

/** The category of a folded word, or undefined when it is not a (non-unreserved) keyword. */
export function keywordCategory(word: string): KeywordCategory | undefined {
  if (RESERVED.has(word)) return 'reserved';
  if (COL_NAME.has(word)) return 'colname';
  if (TYPE_FUNC_NAME.has(word)) return 'typefunc';
  return undefined;
}

const OP_CHARS = '~!@#^&|`?+-*/%<>=';
const SELF_CHARS = ',()[].;:+-*/%^<>=';

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c.charCodeAt(0) >= 0x80;
}

function isIdentCont(c: string): boolean {
  return isIdentStart(c) || isDigit(c) || c === '$';
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}

/** Folds ASCII letters to lower case, as Postgres' downcase_identifier does in UTF-8. */
export function foldIdent(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** Splits `sql` into tokens, ending with an `eof` token. Throws SqlError (42601) on bad input. */
/**
 * A statement's text must be valid UTF-8 without NUL, as what reaches a Postgres server is: a
 * NUL character or a lone UTF-16 surrogate (which no UTF-8 byte sequence encodes) is refused,
 * never stored as something else.
 */
const BAD_CHAR = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkEncoding(sql: string): void {
  const m = BAD_CHAR.exec(sql);
  if (!m) return;
  const code = m[0].charCodeAt(0);
  throw sqlError(
    'character_not_in_repertoire',
    code === 0
      ? 'invalid byte sequence for encoding "UTF8": 0x00'
      : `invalid Unicode code point: lone surrogate U+${code.toString(16).toUpperCase()}`,
    { position: m.index + 1 },
  );
}

export function tokenize(sql: string): Token[] {
  checkEncoding(sql);
  const tokens: Token[] = [];
  const n = sql.length;
  let i = 0;
  const at = (k: number): string => sql.charAt(k);
  // Lexical errors quote the rest of the input from the bad token, as Postgres' scanner does.
  const fail = (message: string, start: number, near = sql.slice(start)): never => {
    throw sqlError('syntax_error', `${message} at or near "${near}"`, { position: start + 1 });
  };
  const push = (kind: TokenKind, value: string, start: number): void => {
    tokens.push({ kind, value, text: sql.slice(start, i), pos: start + 1 });
  };

  while (i < n) {
    const c = at(i);
    const start = i;
    if (isSpace(c)) {
      i++;
    } else if (c === '-' && at(i + 1) === '-') {
      while (i < n && at(i) !== '\n' && at(i) !== '\r') i++;
    } else if (c === '/' && at(i + 1) === '*') {
      i = skipBlockComment(sql, i, fail);
    } else if (c === "'") {
      const value = scanQuoted(sql, i, false, fail);
      i = value.end;
      push('string', value.text, start);
    } else if ((c === 'e' || c === 'E') && at(i + 1) === "'") {
      const value = scanQuoted(sql, i + 1, true, fail, start);
      i = value.end;
      push('string', value.text, start);
    } else if ((c === 'b' || c === 'B' || c === 'x' || c === 'X') && at(i + 1) === "'") {
      const value = scanQuoted(sql, i + 1, false, fail, start);
      i = value.end;
      push('bitstring', value.text, start);
    } else if ((c === 'u' || c === 'U') && at(i + 1) === '&' && (at(i + 2) === "'" || at(i + 2) === '"')) {
      throw sqlError('feature_not_supported', 'Unicode escape strings (U&) are not supported', {
        position: start + 1,
      });
    } else if (c === '"') {
      let name = '';
      i++;
      for (;;) {
        if (i >= n) fail('unterminated quoted identifier', start);
        if (at(i) === '"') {
          if (at(i + 1) === '"') {
            name += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        name += at(i);
        i++;
      }
      if (name === '') fail('zero-length delimited identifier', start, '""');
      push('qident', name, start);
    } else if (c === '$') {
      const tag = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z_0-9\u0080-\uffff]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        if (close < 0) fail('unterminated dollar-quoted string', start);
        const body = sql.slice(i + tag[0].length, close);
        i = close + tag[0].length;
        push('string', body, start);
      } else if (isDigit(at(i + 1))) {
        i++;
        while (isDigit(at(i))) i++;
        push('param', sql.slice(start + 1, i), start);
      } else {
        i++;
        push('op', c, start);
      }
    } else if (isDigit(c) || (c === '.' && isDigit(at(i + 1)))) {
      i = scanNumber(sql, i);
      push('number', sql.slice(start, i), start);
    } else if (isIdentStart(c)) {
      while (i < n && isIdentCont(at(i))) i++;
      push('ident', foldIdent(sql.slice(start, i)), start);
    } else if (c === ':' && at(i + 1) === ':') {
      i += 2;
      push('op', '::', start);
    } else if (OP_CHARS.includes(c)) {
      i = scanOperator(sql, i);
      const text = sql.slice(start, i);
      push('op', text === '!=' ? '<>' : text, start);
    } else {
      // Punctuation and stray characters become single-character tokens; the parser rejects
      // the ones it does not expect with "syntax error at or near", as Postgres does.
      i++;
      push('op', c, start);
    }
  }
  tokens.push({ kind: 'eof', value: '', text: '', pos: n + 1 });
  return tokens;
}

function skipBlockComment(sql: string, start: number, fail: (m: string, s: number) => never): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return fail('unterminated /* comment', start);
}

/**
 * Scans a '...' literal whose opening quote is at `quote`; `''` is a quote, and with `escapes`
 * (E'...') backslash sequences are decoded. Literals separated only by whitespace containing a
 * newline are concatenated, as the SQL standard (and Postgres) require.
 */
function scanQuoted(
  sql: string,
  quote: number,
  escapes: boolean,
  fail: (m: string, s: number) => never,
  tokenStart = quote,
): { text: string; end: number } {
  // Plain runs are copied as slices, never a character at a time: a literal of 100 MB must
  // cost one copy, not a rope of 100 million pieces.
  const parts: string[] = [];
  // Octal and hex escapes give bytes; a run of them is decoded as UTF-8, as Postgres does.
  let bytes: number[] = [];
  let i = quote + 1;
  const flush = () => {
    if (bytes.length) parts.push(decodeUtf8(bytes, i));
    bytes = [];
  };
  for (;;) {
    const nextQuote = sql.indexOf("'", i);
    const nextEscape = escapes ? sql.indexOf('\\', i) : -1;
    const stop = nextEscape >= 0 && (nextQuote < 0 || nextEscape < nextQuote) ? nextEscape : nextQuote;
    if (stop < 0) fail('unterminated quoted string', tokenStart);
    if (stop > i) {
      flush();
      parts.push(sql.slice(i, stop));
    }
    i = stop;
    if (stop === nextEscape) {
      const decoded = decodeEscape(sql, i + 1);
      if (decoded.byte !== undefined) bytes.push(decoded.byte);
      else {
        flush();
        parts.push(decoded.text);
      }
      i = decoded.end;
      continue;
    }
    flush();
    if (sql.charAt(i + 1) === "'") {
      parts.push("'");
      i += 2;
      continue;
    }
    i++;
    CONTINUATION.lastIndex = i;
    const more = CONTINUATION.exec(sql);
    if (more) {
      i += more[0].length;
      continue;
    }
    return { text: parts.join(''), end: i };
  }
}

/** Whitespace with a newline, then a quote: the next literal continues this one. */
const CONTINUATION = /[ \t\f\v]*[\r\n][ \t\n\r\f\v]*'/y;

const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

const invalidBytes = (bytes: number[]) =>
  sqlError(
    'character_not_in_repertoire',
    `invalid byte sequence for encoding "UTF8": ${bytes.map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ')}`,
  );

function decodeUtf8(bytes: number[], pos: number): string {
  void pos;
  if (bytes.includes(0)) throw invalidBytes([0]);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    throw invalidBytes(bytes);
  }
}

const OCTAL_ESCAPE = /[0-7]{1,3}/y;
const HEX_ESCAPE = /x([0-9A-Fa-f]{1,2})/y;
const UNICODE_ESCAPE = /(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))/y;
const LOW_SURROGATE_ESCAPE = /\\u(d[c-f][0-9a-f]{2})/iy;

function matchAt(pattern: RegExp, text: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  return pattern.exec(text);
}

function decodeEscape(sql: string, i: number): { text: string; end: number; byte?: number } {
  const c = sql.charAt(i);
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) return { text: simple, end: i + 1 };
  // Sticky patterns read at i: slicing the rest of the text per escape would be quadratic.
  let m = matchAt(OCTAL_ESCAPE, sql, i);
  if (m) return { text: '', byte: parseInt(m[0], 8) & 0xff, end: i + m[0].length };
  m = matchAt(HEX_ESCAPE, sql, i);
  if (m?.[1] !== undefined) return { text: '', byte: parseInt(m[1], 16), end: i + m[0].length };
  m = matchAt(UNICODE_ESCAPE, sql, i);
  const hex = m?.[1] ?? m?.[2];
  if (m && hex !== undefined) {
    const code = parseInt(hex, 16);
    if (code === 0 || code > 0x10ffff) {
      throw sqlError('syntax_error', 'invalid Unicode escape value', { position: i });
    }
    if (code >= 0xdc00 && code <= 0xdfff)
      throw sqlError('syntax_error', 'invalid Unicode surrogate pair', { position: i });
    if (code >= 0xd800 && code <= 0xdbff) {
      // A high surrogate must be followed by an escaped low one; the pair is one character.
      const low = matchAt(LOW_SURROGATE_ESCAPE, sql, i + m[0].length);
      if (!low?.[1]) throw sqlError('syntax_error', 'invalid Unicode surrogate pair', { position: i });
      const lo = parseInt(low[1], 16);
      return {
        text: String.fromCodePoint(0x10000 + ((code - 0xd800) << 10) + (lo - 0xdc00)),
        end: i + m[0].length + low[0].length,
      };
    }
    return { text: String.fromCodePoint(code), end: i + m[0].length };
  }
  if (i >= sql.length) return { text: '', end: i };
  return { text: c, end: i + 1 };
}

/** Scans an integer, decimal or exponent literal (`1`, `1.5`, `.5`, `1e10`, `2.5E-3`). */
function scanNumber(sql: string, start: number): number {
  let i = start;
  while (isDigit(sql.charAt(i))) i++;
  if (sql.charAt(i) === '.' && sql.charAt(i + 1) !== '.') {
    i++;
    while (isDigit(sql.charAt(i))) i++;
  }
  const exp = /^[eE][+-]?[0-9]+/.exec(sql.slice(i));
  if (exp) i += exp[0].length;
  return i;
}

/** Scans an operator per scan.l's rules (see invariant 3); returns the end offset. */
function scanOperator(sql: string, start: number): number {
  let end = start;
  while (end < sql.length && OP_CHARS.includes(sql.charAt(end))) {
    // A comment start ends the operator.
    if (end > start && (sql.startsWith('/*', end) || sql.startsWith('--', end))) break;
    end++;
  }
  let len = end - start;
  const op = sql.slice(start, end);
  if (len > 1 && (op.endsWith('+') || op.endsWith('-'))) {
    if (!/[~!@#^&|`?%]/.test(op)) {
      while (len > 1 && (op.charAt(len - 1) === '+' || op.charAt(len - 1) === '-')) len--;
    }
  }
  if (len === 1 && !SELF_CHARS.includes(op.charAt(0)) && !OP_CHARS.includes(op.charAt(0))) return start + 1;
  return start + len;
}
