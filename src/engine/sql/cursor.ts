/**
 * The parser's view of the token stream, plus the name rules every grammar file shares.
 *
 * Name rules (Postgres 12 gram.y):
 * - ColId (column, table, alias names): identifiers, unreserved keywords and column-name
 *   keywords; never reserved or type/function-name keywords (so `t LEFT JOIN u` is not an alias).
 * - Function names: identifiers, unreserved and type/function-name keywords (`left(s, 2)`).
 * - ColLabel (after AS): any word at all, reserved keywords included.
 */
import { SqlError, sqlError } from '../errors.ts';
import { keywordCategory, tokenize, type Token } from './lexer.ts';

/** A cursor over the tokens of one SQL string. */
export class Cursor {
  readonly tokens: Token[];
  readonly sql: string;
  index = 0;

  constructor(sql: string) {
    this.sql = sql;
    this.tokens = tokenize(sql);
  }

  /** The source text from token `from` (an index) up to the last token consumed. */
  textFrom(from: number): string {
    const a = this.tokens[from];
    const b = this.tokens[this.index - 1];
    if (!a || !b || this.index <= from) return '';
    return this.sql.slice(a.pos - 1, b.pos - 1 + b.text.length);
  }

  /** The token `k` places ahead (the final eof token past the end). */
  peek(k = 0): Token {
    const t = this.tokens[Math.min(this.index + k, this.tokens.length - 1)];
    if (t === undefined) throw new Error('assertion failed: token stream has an eof token');
    return t;
  }

  /** Consumes and returns the current token. */
  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.index++;
    return t;
  }

  /** Whether the token `k` ahead is the unquoted word `word` (keywords are matched folded). */
  isWord(word: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'ident' && t.value === word;
  }

  /** Whether the token `k` ahead is the operator or punctuation `op`. */
  isOp(op: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'op' && t.value === op;
  }

  /** Consumes the word if present. */
  acceptWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.index++;
    return true;
  }

  /** Consumes the operator if present. */
  acceptOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.index++;
    return true;
  }

  /** Consumes the word or throws a syntax error at the current token. */
  expectWord(word: string): Token {
    if (!this.isWord(word)) throw this.syntaxError();
    return this.next();
  }

  /** Consumes the operator or throws a syntax error at the current token. */
  expectOp(op: string): Token {
    if (!this.isOp(op)) throw this.syntaxError();
    return this.next();
  }

  /** `syntax error at or near "tok"` (or `at end of input`) for a token, the current one by default. */
  syntaxError(tok: Token = this.peek()): SqlError {
    if (tok.kind === 'eof')
      return sqlError('syntax_error', 'syntax error at end of input', { position: tok.pos });
    return sqlError('syntax_error', `syntax error at or near "${tok.text}"`, { position: tok.pos });
  }

  /** A feature_not_supported error "`feature` is/are not supported", positioned at a token. */
  unsupported(feature: string, tok: Token = this.peek()): SqlError {
    const verb = /[^s]s$| and /.test(feature) ? 'are' : 'is';
    return sqlError('feature_not_supported', `${feature} ${verb} not supported`, { position: tok.pos });
  }

  /** Whether the token `k` ahead can be a ColId (see the file comment). */
  isColId(k = 0): boolean {
    const t = this.peek(k);
    if (t.kind === 'qident') return true;
    if (t.kind !== 'ident') return false;
    const cat = keywordCategory(t.value);
    return cat === undefined || cat === 'colname';
  }

  /** Consumes a ColId and returns the name, or throws a syntax error. */
  colId(): string {
    if (!this.isColId()) throw this.syntaxError();
    return this.next().value;
  }

  /** Whether the token `k` ahead can name a function. */
  isFuncName(k = 0): boolean {
    const t = this.peek(k);
    if (t.kind === 'qident') return true;
    if (t.kind !== 'ident') return false;
    const cat = keywordCategory(t.value);
    return cat === undefined || cat === 'typefunc';
  }

  /** Whether the token `k` ahead is any word (a ColLabel). */
  isLabel(k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'ident' || t.kind === 'qident';
  }

  /** Consumes a ColLabel (any word, reserved or not). */
  label(): string {
    if (!this.isLabel()) throw this.syntaxError();
    return this.next().value;
  }

  /** Consumes `(name, ...)` of ColIds, returning names with positions. */
  nameList(): { name: string; pos: number }[] {
    this.expectOp('(');
    const names: { name: string; pos: number }[] = [];
    do {
      const pos = this.peek().pos;
      names.push({ name: this.colId(), pos });
    } while (this.acceptOp(','));
    this.expectOp(')');
    return names;
  }

  /** Runs `fn`; if it throws a SqlError, rewinds and returns undefined instead. */
  attempt<T>(fn: () => T): T | undefined {
    const saved = this.index;
    try {
      return fn();
    } catch (e) {
      if (e instanceof SqlError) {
        this.index = saved;
        return undefined;
      }
      throw e;
    }
  }
}
