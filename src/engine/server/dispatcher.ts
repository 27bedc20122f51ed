/**
 * The dispatcher: runs a distributed plan slice by slice. A slice below a motion is sent to
 * its gang of segments (or run here when its sender is the coordinator); once every child
 * slice has delivered its rows (to the coordinator for a Gather, to the receiving segments for a
 * Redistribute or Broadcast), the parent slice runs. The top slice runs on the coordinator,
 * or, for INSERT/UPDATE/DELETE, on the segments that hold the target table.
 */
import { settleAll } from './settle-all.ts';
import { SliceAnalyze } from '../exec/instrument.ts';
import { motionsUsed, scanWants } from '../exec/columns-used.ts';
import { unpackRows } from '../exec/row-batch.ts';
import { collect, exec } from '../exec/executor.ts';
import type { ExecContext } from '../exec/context.ts';
import { batchBytes, type Interrupts } from '../exec/interrupts.ts';
import { children, type DmlNode, type PlanNode } from '../plan/plan.ts';
import { rowRouter } from '../sql/cdbhash.ts';
import { REALM } from '../runtime/realm.ts';
import type {
  DtxContext,
  Row,
  SegmentApi,
  SliceRequest,
  SliceResponse,
  SliceStats,
  StatementLimits,
} from './protocol.ts';

/** Rows per message when the coordinator sends rows on: messages stay small to clone. */
export const SEND_BATCH = 4096;

export interface DispatchEnv {
  numSegments: number;
  /** Acting primary dbid per content. */
  contentDbids: number[];
  call<K extends keyof SegmentApi>(
    content: number,
    method: K,
    args: Parameters<SegmentApi[K]>,
  ): Promise<Awaited<ReturnType<SegmentApi[K]>>>;
  /** An execution context on the coordinator, reading gathered rows from `received`. */
  localContext(received: (sliceId: number) => Row[][]): ExecContext;
  /** The statement's interrupts: its cancel reaches every segment it dispatched to. */
  interrupts?: Interrupts;
  /** The statement's limits, sent with each slice. */
  limits?: StatementLimits;
}

/** Where EXPLAIN ANALYZE's statistics go, slice by slice and instance by instance. */
export interface AnalyzeSink {
  /** A slice's statistics from one instance (content -1: the coordinator). */
  add(sliceId: number, content: number, stats: SliceStats): void;
  /** The coordinator's clock, for the slices it runs itself. */
  now(): number;
  /** The coordinator's time since the epoch, as instances stamp a slice's start. */
  epochMs(): number;
}

export interface DispatchResult {
  rows: Row[];
  /** Contents that wrote in this statement (they take part in commit). */
  writers: Set<number>;
  /** Contents that took part at all. */
  touched: Set<number>;
}

let querySeq = 0;

export async function runPlan(
  env: DispatchEnv,
  root: PlanNode | DmlNode,
  dtx: DtxContext,
  statementTime: number,
  options: { commitOnePhase?: boolean; analyze?: AnalyzeSink } = {},
): Promise<DispatchResult> {
  const sink = options.analyze;
  const queryId = `q${++querySeq}-${dtx.gxid}-${statementTime}`;
  const inbox = new Map<number, Row[][]>();
  const writers = new Set<number>();
  const touched = new Set<number>();
  const base = {
    queryId,
    dtx,
    statementTime,
    contentDbids: env.contentDbids,
    ...(env.limits ? { limits: env.limits } : {}),
    ...(sink ? { analyze: true } : {}),
  };
  // What each Motion's receivers use of its rows: its senders decode and send only that.
  const used = motionsUsed(root.op === 'insert' || root.op === 'modify' ? root.input : root);
  /** Runs a slice here, on the coordinator, counted for EXPLAIN ANALYZE when asked. */
  const runLocal = async (
    sliceId: number,
    root: PlanNode,
    hold = true,
    wanted?: number[],
  ): Promise<Row[]> => {
    const ctx = env.localContext((s) => inbox.get(s) ?? []);
    ctx.wants = scanWants(root, wanted);
    const held = hold ? ctx.interrupts : undefined;
    if (!sink) return collect(exec(root, ctx), held);
    const before = ctx.interrupts.held;
    ctx.interrupts.peak = before;
    ctx.analyze = new SliceAnalyze(() => sink.now());
    const startedAt = sink.epochMs();
    const rows = await collect(exec(root, ctx), held);
    sink.add(sliceId, -1, {
      nodes: ctx.analyze.byPath(root),
      memoryBytes: Math.max(0, ctx.interrupts.peak - before),
      startedAt,
      realm: REALM,
    });
    return rows;
  };
  // A cancel on the coordinator (pg_cancel_backend, statement_timeout) goes to every segment
  // with work of this statement, so their slices stop at their next check.
  const dispatched = new Set<number>();
  env.interrupts?.onCancel((reason) => {
    for (const c of dispatched)
      void env.call(c, 'cancelQuery', [queryId, reason.code, reason.message]).catch(() => undefined);
  });
  const inflight: Promise<unknown>[] = [];
  const call = <K extends keyof SegmentApi>(c: number, method: K, args: Parameters<SegmentApi[K]>) => {
    dispatched.add(c);
    const p = env.call(c, method, args);
    inflight.push(p);
    return p;
  };

  const record = (content: number, r: SliceResponse) => {
    touched.add(content);
    if (r.wrote) writers.add(content);
  };

  const gang = (senders: 'segments' | 'entry' | { contents: number[] }): number[] =>
    senders === 'segments'
      ? Array.from({ length: env.numSegments }, (_, i) => i)
      : senders === 'entry'
        ? []
        : senders.contents;

  const runSlice = async (m: Extract<PlanNode, { op: 'motion' }>): Promise<void> => {
    await runChildren(m.input);
    if (m.senders === 'entry') {
      // The coordinator runs this slice itself and sends the rows on.
      const rows = await runLocal(m.sliceId, m.input, true, used.get(m));
      if (m.kind === 'gather') {
        inbox.set(m.sliceId, [rows]);
        return;
      }
      const receivers = m.receivers ?? env.numSegments;
      const parts: Row[][] = Array.from({ length: receivers }, () => []);
      const keys = m.hashKeys ?? [];
      const route = rowRouter(
        keys,
        keys.map((k) => m.input.types[k]!),
        receivers,
      );
      let rr = 0;
      for (const row of rows) {
        if (m.kind === 'broadcast') for (const p of parts) p.push(row);
        else if (keys.length) parts[route(row)]!.push(row);
        else parts[rr++ % receivers]!.push(row);
      }
      await Promise.all(
        parts.map(async (p, c) => {
          // At least one message each, even empty: a receiver learns of every sender.
          for (let i = 0; i === 0 || i < p.length; i += SEND_BATCH)
            await call(c, 'receiveRows', [queryId, m.sliceId, -1, p.slice(i, i + SEND_BATCH)]);
        }),
      );
      return;
    }
    const contents = gang(m.senders);
    const results = await Promise.all(
      contents.map(async (c) => {
        const wanted = used.get(m);
        const req: SliceRequest = { ...base, root: m, ...(wanted ? { used: wanted } : {}) };
        const r = await call(c, 'execSlice', [req]);
        record(c, r);
        if (sink && r.stats) sink.add(m.sliceId, c, r.stats);
        const rows = unpackRows(r.rows);
        if (m.kind === 'gather') env.interrupts?.reserve(batchBytes(rows), 'a Gather Motion');
        return rows;
      }),
    );
    if (m.kind === 'gather') inbox.set(m.sliceId, results);
  };

  const runChildren = async (n: PlanNode): Promise<void> => {
    for (const m of topMotions(n)) await runSlice(m);
  };

  try {
    if (root.op === 'insert' || root.op === 'modify') {
      await runChildren(root.input);
      const contents = dmlGang(root, Math.min(root.table.numsegments, env.numSegments));
      const oneWriter = options.commitOnePhase && contents.length === 1;
      let total = 0;
      const moved: { content: number; rows: Row[] }[] = [];
      await settleAll(
        contents.map(async (c) => {
          const req: SliceRequest = { ...base, root };
          if (oneWriter) req.commitOnePhase = true;
          const r = await call(c, 'execSlice', [req]);
          record(c, r);
          total += Number(unpackRows(r.rows)[0]?.[0] ?? 0);
          if (r.moved) moved.push(...r.moved);
        }),
      );
      // Split UPDATE: new versions that belong to other segments are inserted there.
      const byTarget = new Map<number, Row[]>();
      for (const m of moved) byTarget.set(m.content, [...(byTarget.get(m.content) ?? []), ...m.rows]);
      await settleAll(
        [...byTarget].map(async ([c, rows]) => {
          await call(c, 'insertRows', [
            { queryId, ...(env.limits ? { limits: env.limits } : {}), dtx, table: root.table, rows },
          ]);
          writers.add(c);
          touched.add(c);
        }),
      );
      return { rows: [[total]], writers, touched };
    }
    await runChildren(root);
    // The result rows are the client's, not held against statement_mem.
    const rows = await runLocal(0, root, false);
    return { rows, writers, touched };
  } catch (e) {
    // As Greenplum's dispatcher after an error: the other segments' work is cancelled and
    // waited for, so the abort that follows never reaches a segment whose slice still writes
    // (it would begin its local transaction after the abort and leave it open).
    for (const c of dispatched)
      void env
        .call(c, 'cancelQuery', [queryId, '57014', 'canceling statement due to an error on another segment'])
        .catch(() => undefined);
    await Promise.allSettled(inflight);
    throw e;
  } finally {
    if (touched.size) await Promise.allSettled([...touched].map((c) => env.call(c, 'endQuery', [queryId])));
  }
}

/** Motions directly under `n` (not under another motion). */
function topMotions(n: PlanNode): Extract<PlanNode, { op: 'motion' }>[] {
  if (n.op === 'motion') return [n];
  const out: Extract<PlanNode, { op: 'motion' }>[] = [];
  for (const c of children(n)) out.push(...topMotions(c));
  return out;
}

/** Segments a DML statement runs on: where the target rows can be. */
function dmlGang(root: DmlNode, numSegments: number): number[] {
  const direct = findDirect(root.input);
  if (direct) return direct;
  return Array.from({ length: numSegments }, (_, i) => i);
}

function findDirect(n: PlanNode): number[] | undefined {
  if (n.op === 'scan') return n.directContents;
  if (n.op === 'motion') return undefined;
  const kids = children(n);
  if (kids.length === 1) return findDirect(kids[0]!);
  return undefined;
}
