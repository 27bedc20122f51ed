/**
 * JSON functions, operators and aggregates, with Postgres' outputs and errors:
 * to_json / to_jsonb, json(b)_build_object / _build_array, json(b)_agg, json(b)_object_agg,
 * `->` / `->>`, jsonb's `@>` `<@` `?` and btree comparisons, json(b)_typeof and _array_length.
 *
 * Arguments of "any" type ('anyjson' slots) reach these functions already converted by
 * to_json, which the binder inserts, so each implementation sees json text.
 */
import { sqlError } from '../errors.ts';
import type { TypeId, Value } from './types.ts';
import { formatValue, TYPE_IDS } from './types.ts';
import { registerFunction, registerOperator } from './functions.ts';
import { registerAggregate } from './aggregates.ts';
import { formatDate } from './datetime.ts';
import {
  compareJsonb,
  jsonbIn,
  jsonbNormalize,
  jsonbText,
  jsonMember,
  jsonQuote,
  jsonTypeName,
  memberAsText,
  memberText,
  parseJson,
  type JsonNode,
} from './json.ts';
import { checkTextLength } from './limits.ts';

/** to_json of one non-null value of type t (datum_to_json's per-category rules). */
export function valueToJson(v: Value, t: TypeId): string {
  switch (t) {
    case 'int2':
    case 'int4':
    case 'int8':
      return String(v);
    case 'numeric':
    case 'float4':
    case 'float8': {
      const s = formatValue(v, { name: t });
      return /^-?(?:Infinity|NaN)$/i.test(s) ? jsonQuote(s) : s;
    }
    case 'bool':
      return v ? 'true' : 'false';
    case 'date':
      return jsonQuote(Number.isFinite(v) ? formatDate(v as number) : formatValue(v, { name: t }));
    case 'timestamp':
    case 'timestamptz': {
      // JSON dates are ISO 8601 (XSD style): a T between date and time, the zone as +HH:MM.
      const s = formatValue(v, { name: t });
      if (!Number.isFinite(v)) return jsonQuote(s);
      const iso = s.replace(' ', 'T');
      return jsonQuote(t === 'timestamptz' ? iso.replace(/([+-]\d\d)$/, '$1:00') : iso);
    }
    case 'json':
    case 'jsonb':
      return v as string;
    default:
      return jsonQuote(v as string);
  }
}

for (const t of TYPE_IDS) {
  if (t === 'unknown') continue;
  registerFunction('to_json', [t], 'json', (a) => valueToJson(a[0]!, t));
  registerFunction('to_jsonb', [t], 'jsonb', (a) => jsonbIn(valueToJson(a[0]!, t)));
}

/** The text of an object key given as json (a key is a scalar's text, as its output function gives). */
function keyText(json: string, argNo: number): string {
  const node = parseJson(json);
  switch (node.t) {
    case 'str':
      return node.v;
    case 'num':
    case 'bool':
      return json;
    case 'null':
      throw sqlError('invalid_parameter_value', `argument ${argNo} cannot be null`, {
        hint: 'Object keys should be text.',
      });
    default:
      throw sqlError('invalid_parameter_value', 'key value must be scalar, not array, composite, or json');
  }
}

const jsonOf = (v: Value): string => (v === null ? 'null' : (v as string));

function buildObject(a: Value[], fn: string): { keys: string[]; values: string[] } {
  if (a.length % 2)
    throw sqlError('invalid_parameter_value', 'argument list must have even number of elements', {
      hint: `The arguments of ${fn}() must consist of alternating keys and values.`,
    });
  const keys: string[] = [];
  const values: string[] = [];
  for (let i = 0; i < a.length; i += 2) {
    const k = a[i] ?? null;
    if (k === null)
      throw sqlError('invalid_parameter_value', `argument ${i + 1} cannot be null`, {
        hint: 'Object keys should be text.',
      });
    keys.push(keyText(k as string, i + 1));
    values.push(jsonOf(a[i + 1] ?? null));
  }
  return { keys, values };
}

function objectText(keys: string[], values: string[], sep: string): string {
  const parts = keys.map((k, i) => jsonQuote(k) + sep + values[i]);
  checkTextLength(parts.reduce((n, p) => n + p.length + 2, 2));
  return '{' + parts.join(', ') + '}';
}

const VARIADIC = { strict: false, variadic: true } as const;
for (const [name, jsonb] of [
  ['json_build_object', false],
  ['jsonb_build_object', true],
] as const) {
  const impl = (a: Value[]): Value => {
    const { keys, values } = buildObject(a, name);
    const text = objectText(keys, values, ' : ');
    return jsonb ? jsonbIn(text) : text;
  };
  registerFunction(name, ['anyjson'], jsonb ? 'jsonb' : 'json', impl, VARIADIC);
  registerFunction(name, [], jsonb ? 'jsonb' : 'json', () => '{}', { strict: false });
}
for (const [name, jsonb] of [
  ['json_build_array', false],
  ['jsonb_build_array', true],
] as const) {
  const impl = (a: Value[]): Value => {
    const text = '[' + a.map(jsonOf).join(', ') + ']';
    checkTextLength(text.length);
    return jsonb ? jsonbIn(text) : text;
  };
  registerFunction(name, ['anyjson'], jsonb ? 'jsonb' : 'json', impl, VARIADIC);
  registerFunction(name, [], jsonb ? 'jsonb' : 'json', () => '[]', { strict: false });
}

// ---- accessors ------------------------------------------------------------------------------

for (const t of ['json', 'jsonb'] as const) {
  const jsonb = t === 'jsonb';
  const member = (doc: Value, key: Value): { node: JsonNode; source: string } | undefined => {
    const source = doc as string;
    const node = jsonMember(parseJson(source, t), key as string | number);
    return node && { node, source };
  };
  for (const k of ['text', 'int4'] as const) {
    registerOperator('->', [t, k], t, (d, key) => {
      const m = member(d, key);
      return m ? memberText(m.source, m.node, jsonb) : null;
    });
    registerOperator('->>', [t, k], 'text', (d, key) => {
      const m = member(d, key);
      return m ? memberAsText(m.source, m.node, jsonb) : null;
    });
  }
  registerFunction(`${t}_typeof`, [t], 'text', (a) => jsonTypeName(parseJson(a[0] as string, t)));
  registerFunction(`${t}_array_length`, [t], 'int4', (a) => {
    const node = parseJson(a[0] as string, t);
    if (node.t === 'arr') return node.items.length;
    throw sqlError(
      'invalid_parameter_value',
      node.t === 'obj' ? 'cannot get array length of a non-array' : 'cannot get array length of a scalar',
    );
  });
}

// ---- jsonb order, containment, existence ----------------------------------------------------

for (const [op, test] of [
  ['=', (c: number) => c === 0],
  ['<>', (c: number) => c !== 0],
  ['<', (c: number) => c < 0],
  ['>', (c: number) => c > 0],
  ['<=', (c: number) => c <= 0],
  ['>=', (c: number) => c >= 0],
] as const) {
  registerOperator(op, ['jsonb', 'jsonb'], 'bool', (a, b) => test(compareJsonb(a as string, b as string)));
}

const isScalar = (n: JsonNode): boolean => n.t !== 'arr' && n.t !== 'obj';

function scalarEqual(a: JsonNode, b: JsonNode): boolean {
  return a.t === b.t && compareJsonb(jsonbText(a), jsonbText(b)) === 0;
}

/** JsonbDeepContains: every member of `want` is in `have`, arrays as sets. */
function contains(have: JsonNode, want: JsonNode): boolean {
  if (have.t === 'obj') {
    if (want.t !== 'obj') return false;
    for (const [k, w] of want.pairs) {
      const h = jsonMember(have, k);
      if (!h) return false;
      if (isScalar(w) || isScalar(h)) {
        if (!scalarEqual(h, w)) return false;
      } else if (h.t !== w.t || !contains(h, w)) return false;
    }
    return true;
  }
  if (have.t !== 'arr' || want.t !== 'arr') return false;
  for (const w of want.items) {
    const ok = isScalar(w)
      ? have.items.some((h) => isScalar(h) && scalarEqual(h, w))
      : have.items.some((h) => h.t === w.t && contains(h, w));
    if (!ok) return false;
  }
  return true;
}

/** A top-level scalar is a one-element "raw scalar" array, which cannot contain a real array. */
function rootContains(a: string, b: string): boolean {
  const have = jsonbNormalize(parseJson(a, 'jsonb'));
  const want = jsonbNormalize(parseJson(b, 'jsonb'));
  const asArray = (n: JsonNode): JsonNode => (isScalar(n) ? { t: 'arr', items: [n], at: 0, end: 0 } : n);
  if (isScalar(have) && !isScalar(want)) return false;
  return contains(asArray(have), asArray(want));
}

registerOperator('@>', ['jsonb', 'jsonb'], 'bool', (a, b) => rootContains(a as string, b as string));
registerOperator('<@', ['jsonb', 'jsonb'], 'bool', (a, b) => rootContains(b as string, a as string));
registerOperator('?', ['jsonb', 'text'], 'bool', (a, k) => {
  const node = parseJson(a as string, 'jsonb');
  if (node.t === 'obj') return node.pairs.some(([key]) => key === k);
  if (node.t === 'arr') return node.items.some((i) => i.t === 'str' && i.v === k);
  return node.t === 'str' && node.v === k;
});

// ---- aggregates -----------------------------------------------------------------------------

/** State: the members' json texts in arrival order (plain data, so partials ship and combine). */
type Members = string[] | null;
const concatMembers = (a: unknown, b: unknown): unknown => {
  const x = a as Members;
  const y = b as Members;
  return x === null ? y : y === null ? x : [...x, ...y];
};

for (const [name, jsonb] of [
  ['json_agg', false],
  ['jsonb_agg', true],
] as const) {
  registerAggregate({
    name,
    args: ['anyjson'],
    result: jsonb ? 'jsonb' : 'json',
    init: () => null,
    step: (s, a) => {
      const st = (s as Members) ?? [];
      st.push(jsonOf(a[0] ?? null));
      return st;
    },
    combine: concatMembers,
    final: (s) => {
      if (s === null) return null;
      const text = '[' + (s as string[]).join(', ') + ']';
      checkTextLength(text.length);
      return jsonb ? jsonbIn(text) : text;
    },
  });
}

for (const [name, jsonb] of [
  ['json_object_agg', false],
  ['jsonb_object_agg', true],
] as const) {
  registerAggregate({
    name,
    args: ['anyjson', 'anyjson'],
    result: jsonb ? 'jsonb' : 'json',
    init: () => null,
    step: (s, a) => {
      const k = a[0] ?? null;
      if (k === null) throw sqlError('invalid_parameter_value', 'field name must not be null');
      const st = (s as Members) ?? [];
      st.push(jsonQuote(keyText(k as string, 1)) + ' : ' + jsonOf(a[1] ?? null));
      return st;
    },
    combine: concatMembers,
    final: (s) => {
      if (s === null) return null;
      const text = '{ ' + (s as string[]).join(', ') + ' }';
      checkTextLength(text.length);
      return jsonb ? jsonbIn(text) : text;
    },
  });
}
