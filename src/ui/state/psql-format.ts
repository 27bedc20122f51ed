/**
 * A result as psql prints it in its default aligned format: names centred over their columns,
 * numbers right-aligned, other values left-aligned, NULL as nothing, "(N rows)" below.
 */

/** Types psql right-aligns (its numeric types). */
const NUMERIC = /^(smallint|integer|bigint|numeric|real|double precision|oid|money)\b/;

/** A value as psql shows it: NULL as nothing, a boolean as t or f. */
function psqlText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  return String(v);
}

export function psqlAligned(
  fields: readonly { name: string; type: string }[],
  rows: readonly (readonly unknown[])[],
): string {
  const text = rows.map((r) => r.map(psqlText));
  const widths = fields.map((f, j) => Math.max(f.name.length, ...text.map((r) => r[j]!.length)));
  const right = fields.map((f) => NUMERIC.test(f.type));
  const last = fields.length - 1;
  const centred = (s: string, w: number) => {
    const before = Math.floor((w - s.length) / 2);
    return ' '.repeat(before) + s + ' '.repeat(w - s.length - before);
  };
  const header = fields.map((f, j) => ` ${centred(f.name, widths[j]!)} `).join('|');
  const rule = widths.map((w) => '-'.repeat(w + 2)).join('+');
  const lines = text.map((r) =>
    r
      .map((v, j) => {
        const pad = ' '.repeat(widths[j]! - v.length);
        // The last column of a row is not padded on its right, as psql leaves no trailing blanks.
        if (right[j]) return ` ${pad}${v}${j === last ? '' : ' '}`;
        return j === last ? ` ${v}` : ` ${v}${pad} `;
      })
      .join('|'),
  );
  const footer = `(${rows.length} row${rows.length === 1 ? '' : 's'})`;
  return [header, rule, ...lines, footer].join('\n');
}
