/**
 * PostgreSQL's hint for a column that does not exist: "Perhaps you meant to reference the column
 * "t.name"." The closest names by edit distance, as its parser picks them (parse_relation.c):
 * at most 3 edits and at most half the typed name's length; a qualifier that names no relation
 * costs its own distance to each relation's name; one best match, or two equally good ones.
 */

/** A column as the hint may name it: the relation's alias or name, and the column's name. */
export interface HintColumn {
  rel: string | undefined;
  name: string;
  /** System and helper columns are never suggested. */
  hidden?: boolean;
}

const MAX_FUZZY_DISTANCE = 3;

/** Edit distance with unit costs for insertion, deletion and substitution. */
export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The hint for `table.name` (or `name`) not found among `columns`, or undefined when nothing is
 * close enough (or three or more candidates tie, when none is better than the others).
 */
export function missingColumnHint(
  ref: { table?: string | undefined; name: string },
  columns: readonly HintColumn[],
): string | undefined {
  let distance = MAX_FUZZY_DISTANCE + 1;
  let first: HintColumn | undefined;
  let second: HintColumn | undefined;
  const rels = [...new Set(columns.map((c) => c.rel))].filter((r): r is string => r !== undefined);
  for (const rel of rels) {
    const penalty = ref.table === undefined ? 0 : levenshtein(ref.table, rel);
    if (penalty > distance) continue;
    for (const c of columns) {
      if (c.rel !== rel || c.hidden || !c.name) continue;
      const d = levenshtein(c.name, ref.name);
      if (d > Math.floor(ref.name.length / 2)) continue;
      const total = d + penalty;
      if (total < distance) {
        distance = total;
        first = c;
        second = undefined;
      } else if (total === distance) {
        // A third candidate as good as two others: none of them is a useful suggestion.
        if (second) first = second = undefined;
        else if (first) second = c;
      }
    }
  }
  const named = (c: HintColumn) => `the column "${c.rel}.${c.name}"`;
  if (!first) return undefined;
  return second
    ? `Perhaps you meant to reference ${named(first)} or ${named(second)}.`
    : `Perhaps you meant to reference ${named(first)}.`;
}
