/**
 * Name resolution for one query level: the columns its FROM clause produces, each with the
 * alias of the relation it came from. Implements the expression binder's BindScope.
 */
import { sqlError, type SqlError } from '../errors.ts';
import { missingColumnHint } from './column-hint.ts';
import type { ColumnRef } from '../sql/ast.ts';
import type { BindScope } from '../sql/bind-expr.ts';
import type { BoundExpr } from '../sql/expr-bound.ts';
import type { SqlType } from '../sql/types.ts';

export interface ScopeColumn {
  /** Alias (or name) of the relation the column belongs to. */
  rel: string | undefined;
  name: string;
  type: SqlType;
  /** System or helper columns (ctid, gp_segment_id): resolvable by name, not part of `*`. */
  hidden?: boolean;
  /** The right-hand copy of a JOIN ... USING column: reachable only qualified (t.col). */
  merged?: boolean;
  /** The relation's own name where an alias (`rel`) hides it (FROM t AS x). */
  table?: string;
}

const WHOLE_ROW = 'whole-row reference to ';

/** The refusal of a bare alias: planned alone, a subquery's alias may still be an outer column. */
export function isWholeRowRefusal(e: SqlError): boolean {
  return e.code === '0A000' && e.message.startsWith(WHOLE_ROW);
}

/**
 * `table.x` names no relation in FROM. PostgreSQL tells apart a table named by its own name
 * when an alias hides it (FROM t AS x): the common slip, with the alias as the hint.
 */
function missingRelation(table: string, pos: number, visible: readonly ScopeColumn[]): Error {
  const aliased = visible.find((c) => c.table === table && c.rel !== table);
  if (aliased)
    return sqlError('undefined_table', `invalid reference to FROM-clause entry for table "${table}"`, {
      hint: `Perhaps you meant to reference the table alias "${aliased.rel}".`,
      position: pos,
    });
  return sqlError('undefined_table', `missing FROM-clause entry for table "${table}"`, { position: pos });
}

export class Scope {
  readonly columns: ScopeColumn[];

  constructor(columns: ScopeColumn[]) {
    this.columns = columns;
  }

  /** Columns `*` (or `rel.*`) expands to, with their indexes. */
  star(rel: string | undefined, pos: number): { index: number; col: ScopeColumn }[] {
    const out: { index: number; col: ScopeColumn }[] = [];
    this.columns.forEach((col, index) => {
      if (col.hidden || col.merged) return;
      if (rel === undefined || col.rel === rel) out.push({ index, col });
    });
    if (rel !== undefined && !this.columns.some((c) => c.rel === rel))
      throw missingRelation(rel, pos, this.columns);
    return out;
  }

  /** Index of a column reference; errors as Postgres words them. */
  lookup(ref: ColumnRef): number | undefined {
    let found: number | undefined;
    for (let i = 0; i < this.columns.length; i++) {
      const c = this.columns[i]!;
      if (c.name !== ref.name) continue;
      if (ref.table !== undefined && c.rel !== ref.table) continue;
      if (ref.table === undefined && c.merged) continue;
      if (found !== undefined) {
        const name = ref.table ? `${ref.table}.${ref.name}` : ref.name;
        throw sqlError('ambiguous_column', `column reference "${name}" is ambiguous`, { position: ref.pos });
      }
      found = i;
    }
    return found;
  }

  /**
   * A column reference bound to this level's columns. `visible` is every column the hint for a
   * misspelt name may suggest, innermost level first as PostgreSQL searches (a correlated
   * subquery passes its own FROM's columns and its outer query's).
   */
  resolve(ref: ColumnRef, visible: readonly ScopeColumn[] = this.columns): BoundExpr {
    const i = this.lookup(ref);
    if (i === undefined) {
      if (ref.table !== undefined && !this.columns.some((c) => c.rel === ref.table))
        throw missingRelation(ref.table, ref.pos, visible);
      // A bare name that is a relation's alias reads the whole row (a composite value) in
      // PostgreSQL; not built here, so refused rather than called a missing column.
      if (ref.table === undefined && visible.some((c) => c.rel === ref.name && !c.hidden))
        throw sqlError('feature_not_supported', `${WHOLE_ROW}"${ref.name}" is not supported`, {
          hint: `Name its columns (${ref.name}.column) or use ${ref.name}.*.`,
          position: ref.pos,
        });
      // As PostgreSQL words it: a qualified name unquoted (column t.x), a bare one quoted.
      const message = ref.table
        ? `column ${ref.table}.${ref.name} does not exist`
        : `column ${quoteName(ref.name)} does not exist`;
      const hint = missingColumnHint(ref, visible);
      throw sqlError('undefined_column', message, { position: ref.pos, ...(hint ? { hint } : {}) });
    }
    return { kind: 'col', index: i, type: this.columns[i]!.type };
  }

  bindScope(extra: Partial<BindScope> = {}): BindScope {
    return { resolveColumn: (r) => this.resolve(r), ...extra };
  }
}

function quoteName(n: string): string {
  return `"${n}"`;
}

/** Rewrites column indexes of an expression (`map[old] = new`). */
export function remapColumns(e: BoundExpr, map: (i: number) => number): BoundExpr {
  return mapExpr(e, (x) => (x.kind === 'col' ? { ...x, index: map(x.index) } : undefined));
}

/**
 * Rebuilds an expression bottom-up; `f` may replace a node (returning undefined keeps walking).
 * Works on every BoundExpr shape by walking its object fields generically.
 */
export function mapExpr(e: BoundExpr, f: (x: BoundExpr) => BoundExpr | undefined): BoundExpr {
  const replaced = f(e);
  if (replaced) return replaced;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (k === 'type') out[k] = v;
    else if (Array.isArray(v))
      out[k] = v.map((x) => (isExpr(x) ? mapExpr(x, f) : isWhen(x) ? mapWhen(x, f) : x));
    else if (isExpr(v)) out[k] = mapExpr(v, f);
    else out[k] = v;
  }
  return out as unknown as BoundExpr;
}

function isExpr(v: unknown): v is BoundExpr {
  return typeof v === 'object' && v !== null && 'kind' in v && 'type' in v;
}

function isWhen(v: unknown): v is { when: BoundExpr; then: BoundExpr } {
  return typeof v === 'object' && v !== null && 'when' in v && 'then' in v;
}

function mapWhen(w: { when: BoundExpr; then: BoundExpr }, f: (x: BoundExpr) => BoundExpr | undefined) {
  return { when: mapExpr(w.when, f), then: mapExpr(w.then, f) };
}

/** Every column index an expression reads. */
export function columnsOf(e: BoundExpr): Set<number> {
  const s = new Set<number>();
  mapExpr(e, (x) => {
    if (x.kind === 'col') s.add(x.index);
    return undefined;
  });
  return s;
}

/** Structural equality of two bound expressions. */
export function sameExpr(a: BoundExpr, b: BoundExpr): boolean {
  return JSON.stringify(a, bigintSafe) === JSON.stringify(b, bigintSafe);
}

function bigintSafe(k: string, v: unknown): unknown {
  if (k === 'pos') return undefined;
  return typeof v === 'bigint' ? `${v}n` : v;
}
