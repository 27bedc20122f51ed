/**
 * EXPLAIN ANALYZE: the statement runs, every slice counting its nodes' rows, loops and times on
 * each instance it runs on, and the plan prints with what each node did, as Greenplum 7 prints
 * it: a node run on several segments shows the segment that produced the most rows; each slice
 * ends with its executor memory, averaged over its workers with the most (and where).
 */
import { slicePaths, type NodeStat } from '../exec/instrument.ts';
import type { PlanNode } from '../plan/plan.ts';
import type { Query } from '../sql/ast.ts';
import { T } from '../sql/types.ts';
import type { AnalyzeSink } from './dispatcher.ts';
import { explainPlan } from './explain.ts';
import type { SliceStats } from './protocol.ts';
import { rowsResult, type QueryResult } from './results.ts';
import type { Session } from './session.ts';
import { queryRows } from './statements.ts';

export async function runExplainAnalyze(s: Session, q: Query): Promise<QueryResult> {
  const clock = s.qd.clock;
  const slices = new Map<number, Map<number, SliceStats>>();
  const sink: AnalyzeSink = {
    add: (slice, content, stats) => {
      let m = slices.get(slice);
      if (!m) slices.set(slice, (m = new Map()));
      m.set(content, stats);
    },
    now: () => clock.elapsedMs?.() ?? clock.now(),
    epochMs: () => clock.now(),
  };
  const start = sink.now();
  const startedAt = clock.now();
  let root: PlanNode | undefined;
  let planned = start;
  await queryRows(s, q, {
    sink,
    planned: (node) => {
      root = node;
      planned = sink.now();
    },
  });
  const end = sink.now();
  if (!root) throw new Error('assertion failed: EXPLAIN ANALYZE ran no plan');
  const where = sliceIndex(root);
  const allstat = s.settings.gucs.get<boolean>('gp_enable_explain_allstat');
  const lines = explainPlan(
    root,
    s.qd.numSegments,
    (n) => {
      const at = where.get(n);
      return at ? actualText(slices.get(at.slice), at.path) : '';
    },
    (n) => {
      const at = where.get(n);
      return allstat && at ? allstatLines(slices.get(at.slice), at.path, startedAt) : [];
    },
  );
  lines.push('Optimizer: Postgres query optimizer');
  lines.push(`Planning Time: ${ms(planned - start)} ms`);
  for (const [id, bySeg] of [...slices].sort((a, b) => a[0] - b[0])) lines.push(memoryLine(id, bySeg));
  // statement_mem, as Greenplum prints it (the setting is kept in bytes).
  lines.push(`Memory used:  ${Math.round(s.settings.gucs.get<number>('statement_mem') / 1024)}kB`);
  lines.push(`Execution Time: ${ms(end - planned)} ms`);
  const r = rowsResult(
    [{ name: 'QUERY PLAN', type: T.text }],
    lines.map((l) => [l]),
  );
  r.command = 'EXPLAIN';
  return r;
}

/** Each node's slice and its path in it (a motion belongs to the slice that receives its rows). */
function sliceIndex(root: PlanNode): Map<PlanNode, { slice: number; path: string }> {
  const out = new Map<PlanNode, { slice: number; path: string }>();
  const visit = (sliceRoot: PlanNode, slice: number) => {
    for (const [n, path] of slicePaths(sliceRoot)) {
      out.set(n, { slice, path });
      if (n.op === 'motion') visit(n.input, n.sliceId);
    }
  };
  visit(root, 0);
  return out;
}

/** The node's line's end: the instance that produced the most rows (as Greenplum shows it). */
function actualText(bySeg: Map<number, SliceStats> | undefined, path: string): string {
  let best: NodeStat | undefined;
  for (const [, st] of [...(bySeg ?? [])].sort((a, b) => a[0] - b[0])) {
    const n = st.nodes.find(([p]) => p === path)?.[1];
    if (n && (!best || n.rows > best.rows)) best = n;
  }
  if (!best || best.loops === 0) return ' (never executed)';
  const per = (x: number) => x / best.loops;
  return ` (actual time=${per(best.firstMs).toFixed(3)}..${per(best.totalMs).toFixed(3)} rows=${Math.round(per(best.rows))} loops=${best.loops})`;
}

/**
 * gp_enable_explain_allstat: what the node did on each segment, as Greenplum prints it: for
 * each, the time from the statement's start on the coordinator to the node's first rows, its
 * total time, and its rows. Nodes that ran on the coordinator print none.
 */
function allstatLines(
  bySeg: Map<number, SliceStats> | undefined,
  path: string,
  queryStart: number,
): string[] {
  const segs = [...(bySeg ?? [])].filter(([content]) => content >= 0).sort((a, b) => a[0] - b[0]);
  if (!segs.length) return [];
  let line = 'allstat: seg_firststart_total_ntuples';
  for (const [content, st] of segs) {
    const n = st.nodes.find(([p]) => p === path)?.[1];
    if (!n || n.loops === 0) continue;
    line += `/seg${content}_${allstatMs(st.startedAt + n.firstMs - queryStart)}_${allstatMs(n.totalMs)}_${n.rows}`;
  }
  return [line + '//end'];
}

/** Greenplum's cdbexplain time: three decimals under 10 ms, none from there, then " ms". */
function allstatMs(x: number): string {
  const v = Math.max(0, x);
  return `${v.toFixed(v < 10 && v !== 0 ? 3 : 0)} ms`;
}

/** `  (sliceN)    Executor memory: ...`: one instance's, or the workers' average and most. */
function memoryLine(slice: number, bySeg: Map<number, SliceStats>): string {
  const kb = (bytes: number) => `${Math.floor((bytes + 1023) / 1024)}K bytes`;
  const list = [...bySeg].sort((a, b) => a[0] - b[0]);
  const head = `  (slice${slice})    Executor memory: `;
  if (list.length === 1) return `${head}${kb(list[0]![1].memoryBytes)}.`;
  const [maxSeg, max] = list.reduce((m, x) => (x[1].memoryBytes > m[1].memoryBytes ? x : m));
  const avg = list.reduce((n, x) => n + x[1].memoryBytes, 0) / list.length;
  return `${head}${kb(avg)} avg x ${list.length} workers, ${kb(max.memoryBytes)} max (seg${maxSeg}).`;
}

function ms(x: number): string {
  return x.toFixed(3);
}
