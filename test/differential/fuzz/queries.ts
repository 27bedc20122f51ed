/**
 * Random statements over a generated schema: joins of 1-4 tables (inner, left, right, full,
 * cross, comma joins with the condition in WHERE) on distribution and other columns, derived
 * tables, semi/anti joins through EXISTS / IN / NOT IN, scalar subqueries, GROUP BY with
 * HAVING and aggregates (FILTER, DISTINCT), DISTINCT, set operations (ALL too), ORDER BY with
 * LIMIT / OFFSET; INSERT ... SELECT, UPDATE (distribution keys too) and DELETE ... USING.
 *
 * Tables are read through views of them too. Aggregates include ORDER BY in string_agg and the ordered-set aggregates (percentile_disc,
 * percentile_cont, mode). Results must be comparable: LIMIT appears only under an ORDER BY of
 * the top query, or in a subquery ordered by all of its columns; an aggregate's answer never
 * depends on the order of rows that tie.
 */
import {
  viewOf,
  renderEx,
  type Case,
  type Ex,
  type From,
  type OrderKey,
  type Query,
  type Select,
  type SetOp,
  type Dml,
  type Stmt,
  type TableSpec,
  type Ty,
} from './ast.ts';
import { ExprGen, leaf, lit, type ColRef, type ExprContext } from './exprs.ts';
import { Rng } from './random.ts';
import { genSchema } from './schema.ts';

/** Join classes: columns that may be equated directly. */
const JOIN_CLASS: Record<Ty, string> = {
  int4: 'int',
  int8: 'int',
  numeric: 'numeric',
  float8: 'float8',
  text: 'text',
  date: 'date',
  timestamp: 'timestamp',
  bool: 'bool',
};

interface Rel {
  from: From;
  cols: ColRef[];
  /** Distribution key columns (preferred join keys). */
  keys: ColRef[];
}

export class QueryGen {
  readonly rng: Rng;
  readonly ex: ExprGen;
  readonly tables: TableSpec[];
  readonly edge: boolean;
  private aliasNo = 0;

  /**
   * Draws added after the generator's first release come from here, so the statements of every
   * earlier seed stay as they were (ordered aggregates).
   */
  private readonly side: Rng;

  constructor(rng: Rng, tables: TableSpec[], edge: boolean, side = new Rng(0x0a66)) {
    this.rng = rng;
    this.ex = new ExprGen(rng);
    this.tables = tables;
    this.edge = edge;
    this.side = side;
  }

  private alias(): string {
    return `a${this.aliasNo++}`;
  }

  // ---- FROM ----------------------------------------------------------------------------------

  private baseRel(t: TableSpec): Rel {
    const alias = this.alias();
    const cols = t.cols.map((c) => ({ ref: `${alias}.${c.name}`, ty: c.ty }));
    const keys =
      t.policy.k === 'hash' ? t.policy.cols.map((n) => cols[t.cols.findIndex((c) => c.name === n)]!) : [];
    // Its view reads the same rows (drawn from the side stream: earlier seeds stay as they were).
    const name = t.view && this.side.chance(0.5) ? viewOf(t.name) : t.name;
    return { from: { k: 'table', name, alias }, cols, keys };
  }

  private derivedRel(depth: number): Rel {
    const q = this.select(depth - 1, { top: false, nested: true });
    const alias = this.alias();
    const items = q.k === 'select' ? q.items : leftmost(q).items;
    const cols = items.map((it, i) => ({ ref: `${alias}.${it.as ?? `x${i}`}`, ty: it.e.ty }));
    return { from: { k: 'sub', q, alias }, cols, keys: [] };
  }

  private relation(depth: number): Rel {
    if (depth > 0 && this.rng.chance(0.12)) return this.derivedRel(depth);
    return this.baseRel(this.rng.pick(this.tables));
  }

  /** Equalities between a new relation and those already joined. */
  private joinCondition(left: ColRef[], leftKeys: ColRef[], right: Rel, cx: ExprContext): Ex | undefined {
    const r = this.rng;
    const pairs: [ColRef, ColRef][] = [];
    for (const a of left)
      for (const b of right.cols) if (JOIN_CLASS[a.ty] === JOIN_CLASS[b.ty]) pairs.push([a, b]);
    if (!pairs.length) return undefined;
    const keyPairs = pairs.filter(([a, b]) => leftKeys.includes(a) || right.keys.includes(b));
    const chosen = r.some(keyPairs.length && r.chance(0.6) ? keyPairs : pairs, 1, r.chance(0.3) ? 2 : 1);
    let cond: Ex | undefined;
    for (const [a, b] of chosen) {
      const eq: Ex = { t: '($1 = $2)', a: [leaf(a), leaf(b)], ty: 'bool' };
      cond = cond ? { t: '($1 AND $2)', a: [cond, eq], ty: 'bool' } : eq;
    }
    if (r.chance(0.15))
      cond = { t: '($1 AND $2)', a: [cond!, this.ex.bool({ ...cx, subquery: undefined }, 1)], ty: 'bool' };
    return cond;
  }

  /** A FROM clause of 1-4 relations; conditions of comma joins are returned for WHERE. */
  private fromClause(depth: number): { from: From[]; cols: ColRef[]; keys: ColRef[]; where?: Ex } {
    const r = this.rng;
    const n = r.weighted<number>([
      [3, 1],
      [4, 2],
      [3, 3],
      [1, 4],
    ]);
    const first = this.relation(depth);
    let cols = [...first.cols];
    let keys = [...first.keys];
    const items: From[] = [first.from];
    let where: Ex | undefined;
    for (let i = 1; i < n; i++) {
      const lateral = depth > 0 && r.chance(0.1) ? this.lateralRel(cols, depth) : undefined;
      const next = lateral ?? this.relation(depth);
      const cx: ExprContext = { cols: [...cols, ...next.cols], outer: [], edge: this.edge };
      const cond = this.joinCondition(cols, keys, next, cx);
      const type = r.weighted<'inner' | 'left' | 'right' | 'full' | 'cross' | 'comma'>([
        [5, 'inner'],
        [3, 'left'],
        [lateral ? 0 : 1, 'right'],
        [cond && isEquiOnly(cond) && !lateral ? 1 : 0, 'full'],
        [1, 'cross'],
        [2, 'comma'],
      ]);
      if (type === 'comma') {
        items.push(next.from);
        if (cond && r.chance(0.85)) where = where ? { t: '($1 AND $2)', a: [where, cond], ty: 'bool' } : cond;
      } else {
        const last = items.pop()!;
        const join: From =
          type === 'cross'
            ? { k: 'join', type: 'cross', l: last, r: next.from }
            : {
                k: 'join',
                type,
                l: last,
                r: next.from,
                on: cond ?? this.ex.bool({ ...cx, subquery: undefined }, 1),
              };
        items.push(join);
      }
      cols = [...cols, ...next.cols];
      keys = [...keys, ...next.keys];
    }
    return { from: items, cols, keys, ...(where ? { where } : {}) };
  }

  /**
   * `LATERAL (subquery) alias`: one column, correlated with the columns joined so far (an
   * aggregate, or rows ordered by their value under a LIMIT, or a plain filtered list).
   */
  private lateralRel(outer: ColRef[], depth: number): Rel | undefined {
    const r = this.rng;
    const ty = r.pick(['int4', 'int8', 'numeric', 'text', 'date'] as Ty[]);
    const q = this.subquery(ty, outer, r.chance(0.4) ? 'scalar' : 'in', depth - 1);
    if (!q || q.k !== 'select') return undefined;
    const alias = this.alias();
    q.items = q.items.map((it) => ({ ...it, as: 'v' }));
    if (!q.items[0]!.e.agg && r.chance(0.4)) {
      q.order = [{ n: 1, desc: r.chance(0.5), nulls: 'last' }];
      q.limit = r.range(1, 3);
      // Ties at the limit would make the rows kept arbitrary: keep distinct values only.
      q.distinct = true;
    }
    return { from: { k: 'sub', q, alias, lateral: true }, cols: [{ ref: `${alias}.v`, ty }], keys: [] };
  }

  // ---- subqueries ----------------------------------------------------------------------------

  /**
   * A subquery of one column of type `ty` over one table; correlated with `outer` when given
   * (an equality on a joinable column, as people write them).
   */
  subquery(ty: Ty, outer: ColRef[], kind: 'in' | 'exists' | 'scalar', depth: number): Query | undefined {
    const r = this.rng;
    const rel = this.baseRel(r.pick(this.tables));
    const cx: ExprContext = { cols: rel.cols, outer: [], edge: this.edge };
    let where: Ex | undefined;
    let correlated = false;
    if (outer.length) {
      const pairs: [ColRef, ColRef][] = [];
      for (const o of outer)
        for (const c of rel.cols) if (JOIN_CLASS[o.ty] === JOIN_CLASS[c.ty]) pairs.push([c, o]);
      if (pairs.length) {
        const [c, o] = r.pick(pairs);
        where = { t: '($1 = $2)', a: [leaf(c), leaf(o)], ty: 'bool' };
        correlated = true;
      }
    }
    if (r.chance(0.5)) {
      const local = this.ex.bool(cx, 1);
      where = where ? { t: '($1 AND $2)', a: [where, local], ty: 'bool' } : local;
    }
    const base: Select = { k: 'select', distinct: false, items: [], from: [rel.from], group: [], order: [] };
    if (where) base.where = where;
    if (kind === 'exists') return { ...base, items: [{ e: { t: '1', a: [], ty: 'int4' } }] };
    const value = this.ex.expr(ty, cx, depth > 0 ? 1 : 0);
    if (kind === 'scalar') {
      // An aggregate always gives one row; a bare column may give several, an error both
      // sides when it runs (but Greenplum runs an uncorrelated one before the query, even
      // when the query then reads no row, where PostgreSQL runs it on first use).
      if ((r.chance(0.75) || !correlated) && ty !== 'bool') {
        const agg = r.pick(['max', 'min']);
        return { ...base, items: [{ e: { t: `${agg}($1)`, a: [value], ty, agg: true } }] };
      }
      return { ...base, items: [{ e: value }] };
    }
    return { ...base, items: [{ e: value }], distinct: r.chance(0.1) };
  }

  private context(cols: ColRef[], outer: ColRef[], depth: number): ExprContext {
    return {
      cols,
      outer,
      edge: this.edge,
      subquery: depth > 0 ? (ty, o, kind) => this.subquery(ty, o, kind, depth - 1) : undefined,
    };
  }

  // ---- SELECT --------------------------------------------------------------------------------

  /** A query; `types` fixes its output column types (set operations, IN, INSERT). */
  select(depth: number, o: { top: boolean; nested?: boolean; types?: Ty[] }): Query {
    const r = this.rng;
    if (depth > 0 && r.chance(o.top ? 0.15 : 0.05)) return this.setOp(depth, o);
    const f = this.fromClause(depth);
    const cx = this.context(f.cols, [], depth);
    const q: Select = { k: 'select', distinct: false, items: [], from: f.from, group: [], order: [] };
    let where = f.where;
    if (r.chance(0.6)) {
      const w = this.ex.bool(cx, 2);
      where = where ? { t: '($1 AND $2)', a: [where, w], ty: 'bool' } : w;
    }
    if (where) q.where = where;
    const grouped = r.chance(0.35);
    if (grouped) this.grouping(q, f.cols, cx, o.types);
    else {
      const types = o.types ?? r.some(f.cols, 1, 4).map((c) => c.ty);
      q.items = types.map((ty) => ({ e: this.ex.expr(ty, cx, r.chance(0.5) ? 0 : 2) }));
      if (r.chance(0.15)) q.distinct = true;
      if (r.chance(0.15)) this.addWindow(q, f.cols, cx, o.types);
    }
    q.items = q.items.map((it, i) => (o.nested || r.chance(0.8) ? { ...it, as: `x${i}` } : it));
    if (r.chance(0.3)) this.hoistCtes(q);
    this.orderAndLimit(q, o.top);
    return q;
  }

  /**
   * Replaces one select item by a window function whose answer does not depend on the order
   * of peers: rank / dense_rank, or count / sum / min / max over a partition or a RANGE
   * frame of peers (no float sums, whose last bits depend on the order of addition).
   */
  private addWindow(q: Select, cols: ColRef[], cx: ExprContext, types?: Ty[]): void {
    const r = this.rng;
    const at = r.int(q.items.length);
    const want = types?.[at];
    const ordered = cols.filter((c) => c.ty !== 'bool');
    if (!ordered.length) return;
    const part = r.chance(0.7) ? `PARTITION BY ${r.pick(cols).ref}` : '';
    const order = r.chance(0.6)
      ? `ORDER BY ${r
          .some(ordered, 1, 2)
          .map((c) => c.ref)
          .join(', ')}`
      : '';
    const over = `OVER (${[part, order].filter(Boolean).join(' ')})`;
    const options: Ex[] = [];
    if (order)
      for (const f of ['rank()', 'dense_rank()']) options.push({ t: `${f} ${over}`, a: [], ty: 'int8' });
    options.push({ t: `count(*) ${over}`, a: [], ty: 'int8' });
    const sumOf = this.ex.expr('int4', { ...cx, subquery: undefined }, 0);
    options.push({ t: `sum($1) ${over}`, a: [sumOf], ty: 'int8' });
    const c = r.pick(ordered);
    options.push({ t: `${r.pick(['min', 'max'])}($1) ${over}`, a: [leaf(c)], ty: c.ty });
    const fits = options.filter((e) => !want || e.ty === want);
    if (fits.length) q.items[at] = { e: r.pick(fits) };
  }

  /** Turns the derived tables of a FROM clause into common table expressions. */
  private hoistCtes(q: Select): void {
    const ctes: { name: string; q: Query }[] = [];
    const walk = (f: From): From => {
      if (f.k === 'sub' && !f.lateral) {
        const name = `c${this.aliasNo++}`;
        ctes.push({ name, q: f.q });
        return { k: 'table', name, alias: f.alias };
      }
      if (f.k === 'join') return { ...f, l: walk(f.l), r: walk(f.r) };
      return f;
    };
    q.from = q.from.map(walk);
    if (ctes.length) q.with = ctes;
  }

  private grouping(q: Select, cols: ColRef[], cx: ExprContext, types?: Ty[]): void {
    const r = this.rng;
    const keys = r.chance(0.15)
      ? []
      : r.some(cols, 1, 3).map((c) => (r.chance(0.85) ? leaf(c) : this.ex.expr(c.ty, cx, 1)));
    q.group = keys;
    // Not over a constant key: Postgres (before 18) drops ORDER BY on an expression it thinks
    // constant, though a grouping set makes it NULL in some rows, so its order is arbitrary.
    if (keys.length && keys.every((k) => /\ba\d+\./.test(renderEx(k))) && r.chance(0.12))
      q.groupKind = r.pick(['rollup', 'cube'] as const);
    const aggCx = { ...cx, subquery: undefined };
    const make = (ty?: Ty): Ex => {
      const usable = keys.filter((k) => !ty || k.ty === ty);
      if (usable.length && r.chance(0.4)) return r.pick(usable);
      return this.aggregate(aggCx, ty);
    };
    const n = types?.length ?? r.range(1, 4);
    q.items = Array.from({ length: n }, (_, i) => ({ e: make(types?.[i]) }));
    if (r.chance(0.3)) {
      const a = this.aggregate(aggCx);
      const t = a.ty === 'bool' ? '($1 IS NOT NULL)' : `($1 ${r.pick(['>', '<', '<>', '>='])} $2)`;
      q.having = { t, a: a.ty === 'bool' ? [a] : [a, lit(r, a.ty, false)], ty: 'bool' };
    }
  }

  /** An aggregate call (of result type `ty` when given). */
  aggregate(cx: ExprContext, ty?: Ty): Ex {
    const r = this.rng;
    const arg = (t: Ty) => this.ex.expr(t, cx, r.chance(0.7) ? 0 : 1);
    const filter = (e: Ex): Ex =>
      r.chance(0.15)
        ? {
            t: `${e.t} FILTER (WHERE $${e.a.length + 1})`,
            a: [...e.a, this.ex.bool(cx, 1)],
            ty: e.ty,
            agg: true,
          }
        : e;
    const distinct = r.chance(0.15) ? 'DISTINCT ' : '';
    const options: (() => Ex | undefined)[] = [
      () => (!ty || ty === 'int8' ? { t: 'count(*)', a: [], ty: 'int8', agg: true } : undefined),
      () =>
        !ty || ty === 'int8'
          ? { t: `count(${distinct}$1)`, a: [arg(this.ex.comparableType(cx))], ty: 'int8', agg: true }
          : undefined,
      () => {
        const from: [Ty, Ty][] = [
          ['int4', 'int8'],
          ['int8', 'numeric'],
          ['numeric', 'numeric'],
          ['float8', 'float8'],
        ];
        const c = from.filter(([, out]) => !ty || out === ty);
        if (!c.length) return undefined;
        const [inT, outT] = r.pick(c);
        return { t: `sum(${distinct}$1)`, a: [arg(inT)], ty: outT, agg: true };
      },
      () => {
        const from: [Ty, Ty][] = [
          ['int4', 'numeric'],
          ['numeric', 'numeric'],
          ['float8', 'float8'],
        ];
        const c = from.filter(([, out]) => !ty || out === ty);
        if (!c.length) return undefined;
        const [inT, outT] = r.pick(c);
        return { t: `avg(${distinct}$1)`, a: [arg(inT)], ty: outT, agg: true };
      },
      () => {
        if (ty === 'bool') return undefined;
        const t = ty ?? this.ex.comparableType(cx);
        const plain: Ex = { t: `${r.pick(['min', 'max'])}($1)`, a: [arg(t)], ty: t, agg: true };
        return this.side.chance(0.35) ? this.orderedAggregate(plain) : plain;
      },
      () =>
        !ty || ty === 'bool'
          ? { t: `${r.pick(['bool_and', 'bool_or'])}($1)`, a: [this.ex.bool(cx, 1)], ty: 'bool', agg: true }
          : undefined,
    ];
    for (let tries = 0; tries < 20; tries++) {
      const e = r.pick(options)();
      if (e) return filter(e);
    }
    return { t: `max($1)`, a: [arg(ty!)], ty: ty!, agg: true };
  }

  /**
   * In place of a min/max of the same argument: an aggregate with ORDER BY, or an ordered-set
   * aggregate. Their answers must not depend on the order of rows that tie, so string_agg is
   * ordered by the very text it joins, and the others give a value of the ordering key itself.
   */
  private orderedAggregate(plain: Ex): Ex {
    const r = this.side;
    const x = plain.a[0]!;
    const t = plain.ty;
    const fraction = r.pick(['0', '0.25', '0.5', '1']);
    const options: Ex[] = [
      { t: `percentile_disc(${fraction}) WITHIN GROUP (ORDER BY $1)`, a: [x], ty: t, agg: true },
      { t: `mode() WITHIN GROUP (ORDER BY $1)`, a: [x], ty: t, agg: true },
    ];
    if (t === 'text')
      options.push({
        t: `string_agg($1, ',' ORDER BY $1${r.chance(0.5) ? ' DESC' : ''})`,
        a: [x],
        ty: 'text',
        agg: true,
      });
    if (t === 'float8')
      options.push({
        t: `percentile_cont(${fraction}) WITHIN GROUP (ORDER BY $1)`,
        a: [x],
        ty: 'float8',
        agg: true,
      });
    return r.pick(options);
  }

  private setOp(depth: number, o: { top: boolean; nested?: boolean; types?: Ty[] }): Query {
    const r = this.rng;
    const types = o.types ?? r.some(['int4', 'text', 'numeric', 'date', 'int8'] as Ty[], 1, 3);
    const side = () => this.select(depth - 1, { top: false, nested: true, types });
    const strip = (q: Query): Query =>
      q.k === 'select' ? { ...q, order: [], limit: undefined, offset: undefined } : q;
    const q: Query = {
      k: 'setop',
      op: r.pick(['union', 'intersect', 'except'] as const),
      all: r.chance(0.5),
      l: strip(side()),
      r: strip(side()),
      order: [],
    };
    this.orderAndLimit(q, o.top);
    return q;
  }

  /** ORDER BY output columns; LIMIT/OFFSET where the result stays comparable. */
  private orderAndLimit(q: Select | SetOp, top: boolean): void {
    const r = this.rng;
    const width = q.k === 'select' ? q.items.length : leftmost(q).items.length;
    const keys = (n: number): OrderKey[] =>
      r
        .some(
          Array.from({ length: width }, (_, i) => i + 1),
          1,
          n,
        )
        .map((k) => ({
          n: k,
          desc: r.chance(0.4),
          ...(r.chance(0.2) ? { nulls: r.pick(['first', 'last'] as const) } : {}),
        }));
    if (top) {
      if (r.chance(0.4)) q.order = keys(3);
      if (q.order.length && r.chance(0.5)) q.limit = r.range(0, 8);
      if (q.order.length && r.chance(0.25)) q.offset = r.range(0, 5);
    } else if (r.chance(0.1)) {
      // Ordered by every column: which rows a LIMIT keeps is then determined.
      q.order = Array.from({ length: width }, (_, i) => ({ n: i + 1, desc: r.chance(0.3) }));
      q.limit = r.range(1, 6);
    }
    // Not over grouping sets (after the same draws, so other statements stay as they were):
    // PostgreSQL before 18 may sort a key by another column of its equivalence class
    // (a0.c0 = a1.c0 in the join), though ROLLUP makes one of them NULL in some rows; its
    // output then is not in the order asked for (fuzz seed 12657).
    if (q.k === 'select' && q.groupKind) {
      q.order = [];
      q.limit = undefined;
      q.offset = undefined;
    }
  }

  // ---- DML -----------------------------------------------------------------------------------

  insert(depth: number): Stmt {
    const t = this.rng.pick(this.tables);
    const cols = this.rng.chance(0.7) ? t.cols : this.rng.some(t.cols, 1, t.cols.length);
    const q = this.select(depth, { top: false, nested: true, types: cols.map((c) => c.ty) });
    return { k: 'insert', table: t.name, cols: cols.map((c) => c.name), q };
  }

  update(depth: number): Stmt {
    const r = this.rng;
    const t = r.pick(this.tables);
    const rel = this.baseRel(t);
    const cx = this.context(rel.cols, [], depth);
    // SET reads only the target row, so a row matched by several FROM rows gets one answer.
    const sets = r.some(t.cols, 1, 2).map((c) => ({
      col: c.name,
      e: this.ex.expr(c.ty, { ...cx, subquery: undefined }, r.chance(0.5) ? 0 : 1),
    }));
    const stmt: Extract<Stmt, { k: 'update' }> = {
      k: 'update',
      table: t.name,
      alias: rel.from.k === 'table' ? rel.from.alias : 'x',
      sets,
      from: [],
    };
    const { other, where } = this.dmlCondition(rel, r.chance(0.8) ? this.ex.bool(cx, 1) : undefined, 0.3);
    if (other) stmt.from = [other];
    if (where) stmt.where = where;
    return stmt;
  }

  /**
   * The WHERE of an UPDATE or DELETE: `own` (a condition on the target), and sometimes another
   * relation joined to the target (UPDATE ... FROM, DELETE ... USING).
   */
  private dmlCondition(rel: Rel, own: Ex | undefined, joinChance: number): { other?: From; where?: Ex } {
    if (!this.rng.chance(joinChance)) return own ? { where: own } : {};
    const other = this.baseRel(this.rng.pick(this.tables));
    const cond = this.joinCondition(
      rel.cols,
      rel.keys,
      other,
      this.context([...rel.cols, ...other.cols], [], 0),
    );
    if (!cond) return own ? { where: own } : {};
    return { other: other.from, where: own ? { t: '($1 AND $2)', a: [cond, own], ty: 'bool' } : cond };
  }

  delete(depth: number): Stmt {
    const r = this.rng;
    const t = r.pick(this.tables);
    const rel = this.baseRel(t);
    const stmt: Extract<Stmt, { k: 'delete' }> = {
      k: 'delete',
      table: t.name,
      alias: rel.from.k === 'table' ? rel.from.alias : 'x',
      using: [],
    };
    const own = r.chance(0.7) ? this.ex.bool(this.context(rel.cols, [], depth), 1) : undefined;
    const { other, where } = this.dmlCondition(rel, own, 0.4);
    if (other) stmt.using = [other];
    if (where) stmt.where = where;
    return stmt;
  }

  statement(): Stmt {
    this.aliasNo = 0;
    const k = this.rng.weighted<string>([
      [16, 'query'],
      [1, 'insert'],
      [1, 'update'],
      [1, 'delete'],
    ]);
    if (k === 'insert') return this.insert(1);
    if (k === 'update') return this.update(1);
    if (k === 'delete') return this.delete(1);
    return { k: 'query', q: this.select(2, { top: true }) };
  }
}

const isDml = (s: Stmt): s is Dml => s.k === 'insert' || s.k === 'update' || s.k === 'delete';

function leftmost(q: Query): Select {
  return q.k === 'select' ? q : leftmost(q.l);
}

function isEquiOnly(e: Ex): boolean {
  if (e.t === '($1 AND $2)') return e.a.every(isEquiOnly);
  return e.t === '($1 = $2)' && e.a.every((x) => x.a.length === 0);
}

/** The case of a seed: its schema, its data, and `count` statements. */
export function generateCase(seed: number, count: number): Case {
  const rng = new Rng(seed);
  const edge = rng.chance(0.25);
  const tables = genSchema(rng, { edge });
  // Temporary tables, views (of tables that are not temporary: a view of one would be a
  // temporary view, which the lab refuses) and row locks each come from a stream of their own.
  const temps = new Rng(seed ^ 0x7e39);
  for (const t of tables) if (temps.chance(0.2)) t.temp = true;
  const views = new Rng(seed ^ 0x71e4);
  for (const t of tables) if (views.chance(0.4) && !t.temp) t.view = true;
  const gen = new QueryGen(rng, tables, edge, new Rng(seed ^ 0x0a66));
  const stmts: Stmt[] = [];
  // Whether a change runs twice around a ROLLBACK TO SAVEPOINT is drawn from a stream of its own,
  // so the statements themselves are the same with or without it.
  const sp = new Rng(seed ^ 0x5a17);
  const locks = new Rng(seed ^ 0x10c6);
  for (let i = 0; i < count; i++) {
    const s = gen.statement();
    const lock = locks.chance(0.1) ? locks.pick(['UPDATE', 'SHARE'] as const) : undefined;
    if (s.k === 'query' && lock) s.lock = lock;
    stmts.push(isDml(s) && sp.chance(0.3) ? { k: 'savepoint', undone: s, kept: s } : s);
  }
  // Indexes (on heap tables) and the planner setting come from a stream of their own too.
  const ix = new Rng(seed ^ 0x1d3c);
  for (const t of tables) {
    if (t.ao || !ix.chance(0.5)) continue;
    t.indexes = Array.from({ length: ix.range(1, 2) }, () => ({
      cols: ix.some(t.cols, 1, 2).map((c) => c.name),
      early: ix.chance(0.5),
    }));
  }
  return { seed, tables, stmts, ...(ix.chance(0.5) ? { seqscanOff: true } : {}) };
}
