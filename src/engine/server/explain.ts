/**
 * EXPLAIN: the distributed plan as Greenplum prints it — slices, motions with their sender and
 * receiver counts, direct dispatch — without costs (this planner has no cost model).
 */
import { sqlError } from '../errors.ts';
import type { ExplainStmt } from '../sql/ast.ts';
import type { BoundExpr } from '../sql/expr-bound.ts';
import { formatValue, T } from '../sql/types.ts';
import { Planner } from '../plan/planner.ts';
import { windowKeys, type PlanNode } from '../plan/plan.ts';
import type { Session } from './session.ts';
import { rowsResult, type QueryResult } from './results.ts';
import { planInitPlans } from './initplans.ts';
import { hasRecursiveCte } from './recursive-cte.ts';
import { computeWindows } from './windows.ts';
import { hasLateral } from './lateral.ts';
import { hasGroupingSets } from '../sql/grouping-sets.ts';
import { plannerEnv } from './statements.ts';
import { runExplainAnalyze } from './explain-analyze.ts';

export async function runExplain(s: Session, stmt: ExplainStmt): Promise<QueryResult> {
  const q = stmt.statement;
  if (q.kind !== 'select' && q.kind !== 'values' && q.kind !== 'setop')
    throw sqlError('feature_not_supported', `EXPLAIN of ${q.kind.toUpperCase()} is not supported`);
  if (hasLateral(q))
    throw sqlError('feature_not_supported', 'EXPLAIN of a query with LATERAL is not supported', {
      hint: "Run the query itself: the lab runs a LATERAL item once per distinct value it reads from its left and joins the rows back, not with Greenplum's plan, so it shows no plan rather than a different one.",
    });
  if (hasGroupingSets(q))
    throw sqlError('feature_not_supported', 'EXPLAIN of a query with grouping sets is not supported', {
      hint: "Run the query itself: the lab computes ROLLUP, CUBE and GROUPING SETS as a union of one grouped query per set, not with Greenplum's plan, so it shows no plan rather than a different one.",
    });
  if (hasRecursiveCte(q))
    throw sqlError(
      'feature_not_supported',
      'EXPLAIN of a query with a recursive WITH query is not supported',
      {
        hint: 'Run the query itself: its recursive union is computed round by round on the coordinator.',
      },
    );
  if (stmt.analyze) return runExplainAnalyze(s, q);
  const env = await plannerEnv(s, q);
  // Subqueries are planned, not run: the plan shows placeholders for their results.
  await computeWindows(q, env, async (inner) => void planInitPlans(inner, env));
  planInitPlans(q, env);
  const plan = new Planner(env).planTop(q);
  const lines = explainPlan(plan.node, s.qd.numSegments);
  lines.push('Optimizer: Postgres query optimizer');
  const r = rowsResult(
    [{ name: 'QUERY PLAN', type: T.text }],
    lines.map((l) => [l]),
  );
  r.command = 'EXPLAIN';
  return r;
}

/**
 * The plan's lines; with `actual` (EXPLAIN ANALYZE), each node's line ends with what it did:
 * ` (actual time=... rows=... loops=...)`, and `after` adds lines below the node's details.
 */
export function explainPlan(
  root: PlanNode,
  numSegments: number,
  actual: (n: PlanNode) => string = () => '',
  after: (n: PlanNode) => string[] = () => [],
): string[] {
  const out: string[] = [];
  // A node's `after` lines follow its details: they wait until its children or its next
  // sibling start, or its walk ends.
  let pending: string[] = [];
  const flush = () => {
    out.push(...pending);
    pending = [];
  };
  const walk = (n: PlanNode, depth: number, gangSize: number) => {
    flush();
    walkNode(n, depth, gangSize);
    flush();
  };
  const walkNode = (n: PlanNode, depth: number, gangSize: number) => {
    const pad = depth === 0 ? '' : ' '.repeat(depth * 6 - 4) + '->  ';
    const detailPad = ' '.repeat(depth === 0 ? 2 : depth * 6 + 2);
    const line = (title: string) => {
      out.push(pad + title + actual(n));
      pending = after(n).map((l) => detailPad + l);
    };
    const detail = (d: string) => out.push(detailPad + d);
    switch (n.op) {
      case 'motion': {
        const senders =
          n.senders === 'segments' ? numSegments : n.senders === 'entry' ? 1 : n.senders.contents.length;
        const receivers = n.kind === 'gather' ? 1 : (n.receivers ?? numSegments);
        const name =
          n.kind === 'gather'
            ? 'Gather Motion'
            : n.kind === 'redistribute'
              ? 'Redistribute Motion'
              : 'Broadcast Motion';
        line(`${name} ${senders}:${receivers}  (slice${n.sliceId}; segments: ${senders})`);
        const inNames = outputNames(n.input);
        if (n.mergeKeys?.length)
          detail(`Merge Key: ${n.mergeKeys.map((k) => expr(k.expr, inNames)).join(', ')}`);
        if (n.kind === 'redistribute' && n.hashKeys?.length)
          detail(`Hash Key: ${n.hashKeys.map((k) => inNames[k] ?? `$${k}`).join(', ')}`);
        walk(n.input, depth + 1, senders);
        return;
      }
      case 'scan': {
        const names = outputNames(n);
        if (n.index) {
          line(`Index Scan using ${n.index.index.name} on ${n.table.name}`);
          const used = new Set(n.index.conds.map((q) => JSON.stringify(q)));
          const conds = n.index.conds.map((q) => anyOf(q, names) ?? expr(q, names));
          detail(`Index Cond: ${conds.length === 1 ? conds[0]! : `(${conds.join(' AND ')})`}`);
          const rest = n.filter ? conjunctsOf(n.filter).filter((q) => !used.has(JSON.stringify(q))) : [];
          if (rest.length) detail(`Filter: ${expr(andOf(rest), names)}`);
        } else {
          line(`Seq Scan on ${n.table.name}`);
          if (n.filter) detail(`Filter: ${expr(n.filter, names)}`);
        }
        if (n.directContents) detail(`Direct dispatch: segment ${n.directContents.join(', ')}`);
        return;
      }
      case 'systemScan':
        line(`Seq Scan on ${n.name}`);
        return;
      case 'values':
        line(`Values Scan on "*VALUES*"`);
        return;
      case 'generateSeries':
        line('Function Scan on generate_series');
        return;
      case 'result':
        line('Result');
        return;
      case 'filter':
        line('Result');
        detail(`Filter: ${expr(n.cond, outputNames(n.input))}`);
        walk(n.input, depth + 1, gangSize);
        return;
      case 'project':
        walk(n.input, depth, gangSize);
        return;
      case 'hashJoin':
        line(
          `Hash ${n.joinType === 'inner' ? '' : n.joinType === 'semi' ? 'Semi ' : n.joinType === 'anti' ? 'Anti ' : n.joinType[0]!.toUpperCase() + n.joinType.slice(1) + ' '}Join`,
        );
        {
          const l = outputNames(n.left);
          const r = outputNames(n.right);
          detail(
            `Hash Cond: ${n.leftKeys.map((k, i) => `(${expr(k, l)} = ${expr(n.rightKeys[i]!, r)})`).join(' AND ')}`,
          );
          if (n.extra) detail(`Join Filter: ${expr(n.extra, [...l, ...r])}`);
        }
        walk(n.left, depth + 1, gangSize);
        // The hash table is built from the inner side: its rows are the Hash node's.
        out.push(' '.repeat((depth + 1) * 6 - 4) + '->  Hash' + actual(n.right));
        walk(n.right, depth + 2, gangSize);
        return;
      case 'nestLoop':
        line(
          `Nested Loop${n.joinType === 'inner' ? '' : ' ' + n.joinType[0]!.toUpperCase() + n.joinType.slice(1) + ' Join'}`,
        );
        if (n.cond) detail(`Join Filter: ${expr(n.cond, [...outputNames(n.left), ...outputNames(n.right)])}`);
        walk(n.left, depth + 1, gangSize);
        walk(n.right, depth + 1, gangSize);
        return;
      case 'agg': {
        const kind = n.strategy === 'hashed' ? 'HashAggregate' : 'Aggregate';
        const phase = n.phase === 'partial' ? 'Partial ' : n.phase === 'final' ? 'Finalize ' : '';
        line(`${phase}${kind}`);
        const inNames = outputNames(n.input);
        if (n.groupKeys.length) detail(`Group Key: ${n.groupKeys.map((k) => expr(k, inNames)).join(', ')}`);
        walk(n.input, depth + 1, gangSize);
        return;
      }
      case 'sort':
        line('Sort');
        {
          const inNames = outputNames(n.input);
          detail(
            `Sort Key: ${n.keys.map((k) => expr(k.expr, inNames) + (k.descending ? ' DESC' : '')).join(', ')}`,
          );
        }
        walk(n.input, depth + 1, gangSize);
        return;
      case 'limit':
        line('Limit');
        walk(n.input, depth + 1, gangSize);
        return;
      case 'distinct':
        line('HashAggregate');
        detail('Group Key: (all columns)');
        walk(n.input, depth + 1, gangSize);
        return;
      case 'setop':
        line(
          n.kind === 'union'
            ? n.all
              ? 'Append'
              : 'HashAggregate'
            : `HashSetOp ${n.kind === 'intersect' ? 'Intersect' : 'Except'}${n.all ? ' All' : ''}`,
        );
        walk(n.left, depth + 1, gangSize);
        walk(n.right, depth + 1, gangSize);
        return;
      case 'append':
        line('Append');
        for (const i of n.inputs) walk(i, depth + 1, gangSize);
        return;
      case 'window': {
        line('WindowAgg');
        const inNames = outputNames(n.input);
        const keys = windowKeys(n.calls[0]!, n.base);
        if (keys.partition.length)
          detail(`Partition By: ${keys.partition.map((c) => inNames[c]).join(', ')}`);
        if (keys.order.length)
          detail(
            `Order By: ${keys.order.map((o) => inNames[o.col] + (o.descending ? ' DESC' : '')).join(', ')}`,
          );
        walk(n.input, depth + 1, gangSize);
        return;
      }
    }
  };
  walk(root, 0, 1);
  return out;
}

/**
 * What EXPLAIN calls each output column of a node, as Postgres names them: table.column for a
 * scan's, the expression for a computed one, the input's through sorts, limits and motions.
 */
function outputNames(n: PlanNode): string[] {
  switch (n.op) {
    case 'scan': {
      const names = n.table.columns.map((c) => `${n.table.name}.${c.name}`);
      if (n.withCtid) names.push(`${n.table.name}.ctid`);
      if (n.withSegmentId) names.push(`${n.table.name}.gp_segment_id`);
      return names;
    }
    case 'generateSeries':
      return ['generate_series'];
    case 'values':
      return n.types.map((_, i) => `"*VALUES*".column${i + 1}`);
    case 'result':
      return n.exprs.map((e) => expr(e));
    case 'project': {
      const inNames = outputNames(n.input);
      return n.exprs.map((e) => expr(e, inNames));
    }
    case 'hashJoin':
    case 'nestLoop':
      return n.joinType === 'semi' || n.joinType === 'anti'
        ? outputNames(n.left)
        : [...outputNames(n.left), ...outputNames(n.right)];
    case 'agg': {
      const inNames = outputNames(n.input);
      if (n.phase === 'final') return inNames.slice(0, n.groupKeys.length).concat(n.aggs.map((a) => a.name));
      return [...n.groupKeys.map((k) => expr(k, inNames)), ...n.aggs.map((a) => a.name)];
    }
    case 'filter':
    case 'sort':
    case 'limit':
    case 'distinct':
    case 'motion':
      return outputNames(n.input);
    case 'setop':
      return outputNames(n.left);
    case 'append':
      return n.inputs[0] ? outputNames(n.inputs[0]) : [];
    case 'systemScan':
      return n.types.map((_, i) => `${n.name}.column${i + 1}`);
    case 'window':
      return [...outputNames(n.input), ...n.calls.map((w) => `${w.call.name}() OVER (?)`)];
  }
}

/** A readable rendering of a bound expression (column names where known). */
function expr(e: BoundExpr, names?: string[]): string {
  switch (e.kind) {
    case 'col':
      return names?.[e.index] ?? `$${e.index}`;
    case 'const':
      return e.value === null ? 'NULL' : e.type.name === 'unknown' ? `'${String(e.value)}'` : formatConst(e);
    case 'func': {
      const op = /^op(.+?)\(/.exec(e.key)?.[1];
      if (op && e.args.length === 2) return `(${expr(e.args[0]!, names)} ${op} ${expr(e.args[1]!, names)})`;
      return `${e.key.replace(/\(.*$/, '')}(${e.args.map((a) => expr(a, names)).join(', ')})`;
    }
    case 'and':
      return `(${e.args.map((a) => expr(a, names)).join(' AND ')})`;
    case 'or':
      return `(${e.args.map((a) => expr(a, names)).join(' OR ')})`;
    case 'not':
      return `(NOT ${expr(e.arg, names)})`;
    case 'cast':
      return `(${expr(e.arg, names)})::${e.type.name}`;
    case 'isNull':
      return `(${expr(e.arg, names)} IS ${e.not ? 'NOT ' : ''}NULL)`;
    case 'like': {
      // Postgres prints LIKE as its operator: ~~, ~~* (ILIKE), !~~, !~~*.
      const op = `${e.not ? '!' : ''}~~${e.ci ? '*' : ''}`;
      return `(${expr(e.arg, names)} ${op} ${expr(e.pattern, names)})`;
    }
    case 'in': {
      const list = e.list.map((x) => expr(x, names)).join(', ');
      return `(${expr(e.arg, names)} ${e.not ? 'NOT IN' : 'IN'} (${list}))`;
    }
    default:
      return `(${e.kind})`;
  }
}

function formatConst(e: Extract<BoundExpr, { kind: 'const' }>): string {
  const text = formatValue(e.value, e.type);
  return /^(int|float|numeric)/.test(e.type.name) ? text : `'${text}'::${e.type.name}`;
}

/** SQL names of types, as Postgres prints an array constant's type. */
const SQL_TYPE_NAMES: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  varchar: 'character varying',
  bool: 'boolean',
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
};

/** An IN list as an index condition, as Postgres prints it: `(col = ANY ('{1,2,3}'::integer[]))`. */
function anyOf(q: BoundExpr, names: string[]): string | undefined {
  if (q.kind !== 'in' || q.list.some((x) => x.kind !== 'const')) return undefined;
  const items = q.list.map((x) => {
    const c = x as Extract<BoundExpr, { kind: 'const' }>;
    if (c.value === null) return 'NULL';
    const text = formatValue(c.value, c.type);
    return /^[A-Za-z0-9_.:+-]+$/.test(text) && text.toUpperCase() !== 'NULL'
      ? text
      : `"${text.replace(/["\\]/g, (m) => `\\${m}`)}"`;
  });
  const type = SQL_TYPE_NAMES[q.arg.type.name] ?? q.arg.type.name;
  return `(${expr(q.arg, names)} = ANY ('{${items.join(',').replace(/'/g, "''")}}'::${type}[]))`;
}

function conjunctsOf(e: BoundExpr): BoundExpr[] {
  return e.kind === 'and' ? e.args.flatMap(conjunctsOf) : [e];
}

function andOf(parts: BoundExpr[]): BoundExpr {
  return parts.length === 1 ? parts[0]! : { kind: 'and', args: parts, type: T.bool };
}
