/**
 * JSON values, as Postgres' json and jsonb types hold them.
 *
 * A json value is its input text, kept verbatim once it has parsed (whitespace, key order and
 * duplicate keys stay, as json_in keeps them). A jsonb value is stored as its canonical output:
 * keys unique (the last one wins) and sorted shorter-first then bytewise, numbers in numeric's
 * form, `{"a": 1, "b": [1, 2]}` spacing; so equal documents mostly have equal text, and the
 * comparison below (Postgres' btree order for jsonb) settles the rest (1.0 = 1).
 */
import { type SqlError, sqlError } from '../errors.ts';
import { decCmp, decTrimScale, formatDec, parseDec } from './numeric.ts';
import { compareText } from './types-io.ts';
import { utf8Length } from './expr-md5.ts';

export type JsonNode =
  | { t: 'null'; at: number; end: number }
  | { t: 'bool'; v: boolean; at: number; end: number }
  | { t: 'num'; v: string; at: number; end: number }
  | { t: 'str'; v: string; at: number; end: number }
  | { t: 'arr'; items: JsonNode[]; at: number; end: number }
  | { t: 'obj'; pairs: [string, JsonNode][]; at: number; end: number };

// ---- parsing ------------------------------------------------------------------------------

function syntaxError(typeName: string, detail: string, _text: string, _at: number): SqlError {
  return sqlError('invalid_text_representation', `invalid input syntax for type ${typeName}`, { detail });
}

const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORD_RE = /[A-Za-z0-9_$\u0080-\uffff]+/y;

/** Parses JSON text as Postgres' json lexer does (RFC 8259; only space, tab, CR, LF as blanks). */
export function parseJson(text: string, typeName: 'json' | 'jsonb' = 'json'): JsonNode {
  let i = 0;
  const n = text.length;
  const blank = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const badToken = (): never => {
    if (i >= n) throw syntaxError(typeName, 'The input string ended unexpectedly.', text, i);
    WORD_RE.lastIndex = i;
    const m = WORD_RE.exec(text);
    const tok = m ? m[0] : text.charAt(i);
    throw syntaxError(typeName, `Token "${tok}" is invalid.`, text, i + tok.length - 1);
  };
  const expect = (what: string): never => {
    if (i >= n) throw syntaxError(typeName, 'The input string ended unexpectedly.', text, i);
    WORD_RE.lastIndex = i;
    const m = WORD_RE.exec(text);
    const tok = m ? m[0] : text.charAt(i);
    throw syntaxError(typeName, `Expected ${what}, but found "${tok}".`, text, i + tok.length - 1);
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    let run = i;
    for (;;) {
      if (i >= n) throw syntaxError(typeName, 'The input string ended unexpectedly.', text, i);
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c < 32) {
        throw syntaxError(
          typeName,
          `Character with value 0x${c.toString(16).padStart(2, '0')} must be escaped.`,
          text,
          i,
        );
      }
      if (c !== 92) {
        i++;
        continue;
      }
      out += text.slice(run, i);
      const e = text.charAt(i + 1);
      i += 2;
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = text.slice(i, i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex))
            throw syntaxError(typeName, '"\\u" must be followed by four hexadecimal digits.', text, i);
          i += 4;
          const code = parseInt(hex, 16);
          if (code === 0 && typeName === 'jsonb')
            throw sqlError('untranslatable_character', 'unsupported Unicode escape sequence', {
              detail: '\\u0000 cannot be converted to text.',
            });
          out += String.fromCharCode(code);
          break;
        }
        default:
          if (i - 1 >= n) throw syntaxError(typeName, 'The input string ended unexpectedly.', text, i - 1);
          throw syntaxError(typeName, `Escape sequence "\\${e}" is invalid.`, text, i - 1);
      }
      run = i;
    }
    out += text.slice(run, i);
    i++;
    void start;
    return out;
  };
  // Iterative over containers, so a deeply nested document cannot overflow the JS stack.
  const value = (): JsonNode => {
    blank();
    const at = i;
    const c = text.charAt(i);
    if (c === '"') {
      const v = str();
      return { t: 'str', v, at, end: i };
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER_RE.lastIndex = i;
      const m = NUMBER_RE.exec(text);
      if (!m) return badToken();
      i += m[0].length;
      WORD_RE.lastIndex = i;
      if (i < n && WORD_RE.test(text)) {
        i = at;
        return badToken();
      }
      return { t: 'num', v: m[0], at, end: i };
    }
    WORD_RE.lastIndex = i;
    const w = WORD_RE.exec(text);
    if (w) {
      const word = w[0];
      if (word === 'true' || word === 'false') {
        i += word.length;
        return { t: 'bool', v: word === 'true', at, end: i };
      }
      if (word === 'null') {
        i += 4;
        return { t: 'null', at, end: i };
      }
    }
    return badToken();
  };
  type Frame = { node: Extract<JsonNode, { t: 'arr' | 'obj' }>; key?: string };
  const stack: Frame[] = [];
  let root: JsonNode | undefined;
  const open = (): JsonNode | undefined => {
    blank();
    const c = text.charAt(i);
    if (c === '[' || c === '{') {
      const node: Frame['node'] =
        c === '[' ? { t: 'arr', items: [], at: i, end: i } : { t: 'obj', pairs: [], at: i, end: i };
      i++;
      stack.push({ node });
      if (stack.length > 6400) throw sqlError('statement_too_complex', 'stack depth limit exceeded');
      return undefined;
    }
    return value();
  };
  const objectKey = (f: Frame): void => {
    blank();
    if (text.charAt(i) !== '"') expect('string');
    f.key = str();
    blank();
    if (text.charAt(i) !== ':') expect('":"');
    i++;
  };
  let v = open();
  let justOpened = v === undefined;
  for (;;) {
    const top = stack[stack.length - 1];
    if (!top) {
      root = v;
      break;
    }
    if (justOpened) {
      blank();
      const close = top.node.t === 'arr' ? ']' : '}';
      if (text.charAt(i) === close) {
        i++;
        top.node.end = i;
        stack.pop();
        v = top.node;
        justOpened = false;
        continue;
      }
      if (top.node.t === 'obj') objectKey(top);
      v = open();
      justOpened = v === undefined;
      continue;
    }
    // A value is complete: attach it to the open container.
    if (top.node.t === 'arr') top.node.items.push(v!);
    else top.node.pairs.push([top.key!, v!]);
    blank();
    const c = text.charAt(i);
    if (c === ',') {
      i++;
      if (top.node.t === 'obj') objectKey(top);
      v = open();
      justOpened = v === undefined;
      continue;
    }
    if (c === (top.node.t === 'arr' ? ']' : '}')) {
      i++;
      top.node.end = i;
      stack.pop();
      v = top.node;
      continue;
    }
    expect(top.node.t === 'arr' ? '"," or "]"' : '"," or "}"');
  }
  blank();
  if (i < n) {
    WORD_RE.lastIndex = i;
    const m = WORD_RE.exec(text);
    const tok = m ? m[0] : text.charAt(i);
    throw syntaxError(typeName, `Expected end of input, but found "${tok}".`, text, i + tok.length - 1);
  }
  return root!;
}

// ---- jsonb canonical form -----------------------------------------------------------------

/**
 * jsonb's key order: shorter keys first, in UTF-8 bytes (UTF-16 lengths can be equal where
 * these differ: "a€" is 4 bytes, "éa" 3), then bytewise.
 */
function keyOrder(a: string, b: string): number {
  return utf8Length(a) - utf8Length(b) || compareText(a, b);
}

/** Keys unique (last wins) and in jsonb's order; numbers in numeric's output form. */
export function jsonbNormalize(node: JsonNode): JsonNode {
  switch (node.t) {
    case 'num':
      return { ...node, v: formatDec(parseDec(node.v)) };
    case 'arr':
      return { ...node, items: node.items.map(jsonbNormalize) };
    case 'obj': {
      const byKey = new Map<string, JsonNode>();
      for (const [k, v] of node.pairs) {
        byKey.delete(k);
        byKey.set(k, v);
      }
      const pairs = [...byKey].map(([k, v]) => [k, jsonbNormalize(v)] as [string, JsonNode]);
      pairs.sort((x, y) => keyOrder(x[0], y[0]));
      return { ...node, pairs };
    }
    default:
      return node;
  }
}

/** A JSON string literal, escaped as Postgres' escape_json does. */
export function jsonQuote(s: string): string {
  let out = '"';
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 32 && c !== 34 && c !== 92) continue;
    out += s.slice(run, i);
    run = i + 1;
    switch (c) {
      case 34:
        out += '\\"';
        break;
      case 92:
        out += '\\\\';
        break;
      case 8:
        out += '\\b';
        break;
      case 12:
        out += '\\f';
        break;
      case 10:
        out += '\\n';
        break;
      case 13:
        out += '\\r';
        break;
      case 9:
        out += '\\t';
        break;
      default:
        out += '\\u' + c.toString(16).padStart(4, '0');
    }
  }
  return out + s.slice(run) + '"';
}

/** jsonb's output text for a normalized node. */
export function jsonbText(node: JsonNode): string {
  switch (node.t) {
    case 'null':
      return 'null';
    case 'bool':
      return node.v ? 'true' : 'false';
    case 'num':
      return node.v;
    case 'str':
      return jsonQuote(node.v);
    case 'arr':
      return '[' + node.items.map(jsonbText).join(', ') + ']';
    case 'obj':
      return '{' + node.pairs.map(([k, v]) => jsonQuote(k) + ': ' + jsonbText(v)).join(', ') + '}';
  }
}

/** jsonb_in: parse and store canonically. */
export function jsonbIn(text: string): string {
  return jsonbText(jsonbNormalize(parseJson(text, 'jsonb')));
}

/** json_in: validate, keep the text. */
export function jsonIn(text: string): string {
  parseJson(text, 'json');
  return text;
}

// ---- jsonb order and equality -------------------------------------------------------------

const TYPE_RANK: Record<JsonNode['t'], number> = { null: 0, str: 1, num: 2, bool: 3, arr: 4, obj: 5 };

/**
 * Postgres' btree order for jsonb: Object > Array > Boolean > Number > String > Null; a
 * container with more members is greater; then members in storage order (an object's keys,
 * then values, pairwise). A top-level scalar is a one-element "raw scalar" array that sorts
 * below a real array of the same length.
 */
export function compareJsonb(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  const x = parseJson(a, 'jsonb');
  const y = parseJson(b, 'jsonb');
  const rawX = x.t !== 'arr' && x.t !== 'obj';
  const rawY = y.t !== 'arr' && y.t !== 'obj';
  if (rawX !== rawY) {
    const arr = rawX ? y : x;
    if (arr.t === 'arr') {
      if (arr.items.length !== 1) return (rawX ? arr.items.length > 1 : arr.items.length < 1) ? -1 : 1;
      return rawX ? -1 : 1;
    }
  }
  return sign(compareNodes(x, y));
}

function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

function compareNodes(a: JsonNode, b: JsonNode): number {
  if (a.t !== b.t) return TYPE_RANK[a.t] - TYPE_RANK[b.t];
  switch (a.t) {
    case 'null':
      return 0;
    case 'bool':
      return Number(a.v) - Number((b as typeof a).v);
    case 'num':
      return decCmp(parseDec(a.v), parseDec((b as typeof a).v));
    case 'str':
      return compareText(a.v, (b as typeof a).v);
    case 'arr': {
      const bi = (b as typeof a).items;
      if (a.items.length !== bi.length) return a.items.length - bi.length;
      for (let i = 0; i < bi.length; i++) {
        const c = compareNodes(a.items[i]!, bi[i]!);
        if (c) return c;
      }
      return 0;
    }
    case 'obj': {
      const bp = (b as typeof a).pairs;
      if (a.pairs.length !== bp.length) return a.pairs.length - bp.length;
      for (let i = 0; i < bp.length; i++) {
        const k = compareText(a.pairs[i]![0], bp[i]![0]);
        if (k) return k;
        const c = compareNodes(a.pairs[i]![1], bp[i]![1]);
        if (c) return c;
      }
      return 0;
    }
  }
}

/** A text equal for equal jsonb values (numbers without trailing zeros), for hashing and grouping. */
export function jsonbKey(text: string): string {
  if (!/\d\.\d*0(?!\d)/.test(text) && !/-0(?![.\d])/.test(text)) return text;
  const strip = (n: JsonNode): JsonNode => {
    switch (n.t) {
      case 'num':
        return { ...n, v: formatDec(decTrimScale(parseDec(n.v))) };
      case 'arr':
        return { ...n, items: n.items.map(strip) };
      case 'obj':
        return { ...n, pairs: n.pairs.map(([k, v]) => [k, strip(v)] as [string, JsonNode]) };
      default:
        return n;
    }
  };
  return jsonbText(strip(parseJson(text, 'jsonb')));
}

// ---- access -------------------------------------------------------------------------------

/** The member of an object by key, or of an array by index (negative from the end). */
export function jsonMember(node: JsonNode, key: string | number): JsonNode | undefined {
  if (typeof key === 'string') {
    if (node.t !== 'obj') return undefined;
    // json keeps duplicate keys; the last one is the one Postgres' accessors return.
    for (let i = node.pairs.length - 1; i >= 0; i--) if (node.pairs[i]![0] === key) return node.pairs[i]![1];
    return undefined;
  }
  if (node.t !== 'arr') return undefined;
  const at = key < 0 ? node.items.length + key : key;
  return node.items[at];
}

/** The text of a member as its own json value: json keeps the source slice, jsonb re-prints. */
export function memberText(source: string, node: JsonNode, jsonb: boolean): string {
  return jsonb ? jsonbText(node) : source.slice(node.at, node.end);
}

/** `->>`: a string member's value unquoted, null for a JSON null, else the member's text. */
export function memberAsText(source: string, node: JsonNode, jsonb: boolean): string | null {
  if (node.t === 'null') return null;
  if (node.t === 'str') return node.v;
  return memberText(source, node, jsonb);
}

/** json_typeof / jsonb_typeof names. */
export function jsonTypeName(node: JsonNode): string {
  return { null: 'null', bool: 'boolean', num: 'number', str: 'string', arr: 'array', obj: 'object' }[node.t];
}
