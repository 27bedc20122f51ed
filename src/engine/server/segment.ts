/**
 * The segment side (QE): executes dispatched slices on local storage, inside the local
 * transaction that stands for the coordinator's distributed transaction, and takes part in
 * two-phase commit.
 *
 * Visibility follows Greenplum's distributed snapshots: a row written by a distributed
 * transaction is visible only when the transaction committed locally AND the coordinator's
 * snapshot no longer lists it as in progress, so a reader never sees a transaction committed
 * on some segments and not yet on others.
 */
import { SliceAnalyze } from '../exec/instrument.ts';
import { scanWants } from '../exec/columns-used.ts';
import { SqlError, sqlError } from '../errors.ts';
import { gangLost } from './gang-errors.ts';
import { collect, exec } from '../exec/executor.ts';
import { BATCH, type ExecContext } from '../exec/context.ts';
import { batchBytes, Interrupts, statementTimeoutError } from '../exec/interrupts.ts';
import type { Instance } from '../instance/instance.ts';
import type { DmlNode, IndexInfo, PlanNode, TableInfo } from '../plan/plan.ts';
import type { Tid } from '../storage/page.ts';
import { rowRouter } from '../sql/cdbhash.ts';
import { compileExpr } from '../sql/eval.ts';
import { rowCodec } from '../sql/tuple-codec.ts';
import type { Snapshot } from '../txn/snapshot.ts';
import type { Transaction } from '../txn/xact.ts';
import type { Clock } from '../runtime/clock.ts';
import type {
  DtxContext,
  InsertRequest,
  Row,
  SegmentApi,
  SliceRequest,
  SliceResponse,
  StatementLimits,
} from './protocol.ts';
import { makeEvalContext } from './eval-context.ts';
import { checkNotNull } from './constraints.ts';
import { buildIndex, insertIndexEntries } from './index-maintenance.ts';
import { REALM } from '../runtime/realm.ts';
import { packRows, unpackRows, type WireRows } from '../exec/row-batch.ts';
import { sendMotionRows, type PeerSend } from './motion-send.ts';
import { SegmentAdmin, type SegmentAdminOptions } from './segment-admin.ts';

export class SegmentExecutor extends SegmentAdmin implements SegmentApi {
  private readonly clock: Clock;
  private readonly send: PeerSend;
  /** Local transaction of each distributed transaction this segment takes part in. */
  private readonly dtxs = new Map<number, Transaction>();
  /** One-phase commits under way, by gxid (resolveOnePhase waits for them). */
  private readonly onePhaseCommits = new Map<number, Promise<void>>();
  /** Motion rows received, by query and slice, one array per sender. */
  private readonly inbox = new Map<string, Map<number, Map<number, Row[]>>>();
  /** The interrupts of each statement with work here (its cancel, its memory held here). */
  private readonly queries = new Map<string, Interrupts>();

  constructor(inst: Instance, content: number, clock: Clock, send: PeerSend, options?: SegmentAdminOptions) {
    super(inst, content, options);
    this.clock = clock;
    this.send = send;
  }

  // ---- slices -----------------------------------------------------------------------------

  async execSlice(req: SliceRequest): Promise<SliceResponse> {
    this.inst.mustBeRunning();
    const tx = this.txFor(req.dtx);
    const ctx = this.context(req, tx);
    const timer = this.enforceTimeout(ctx.interrupts, req.limits);
    const heldBefore = ctx.interrupts.held;
    if (req.root.op === 'motion') ctx.wants = scanWants(req.root.input, req.used);
    const startedAt = this.clock.now();
    if (req.analyze) {
      ctx.analyze = new SliceAnalyze(() => this.clock.elapsedMs?.() ?? this.clock.now());
      ctx.interrupts.peak = heldBefore;
    }
    try {
      const root = req.root;
      let rows: Row[] = [];
      let moved: SliceResponse['moved'];
      if (root.op === 'insert')
        rows = [
          [await this.insertFrom(root, ctx, tx, Math.min(root.table.numsegments, req.contentDbids.length))],
        ];
      else if (root.op === 'modify') {
        const r = await this.modify(root, ctx, tx, req);
        rows = [[r.count]];
        if (r.moved.length) moved = r.moved;
      } else if (root.op === 'motion') rows = await this.runMotion(root, ctx, req);
      else rows = await collect(exec(root, ctx), ctx.interrupts);
      const wrote = tx.xid !== 0;
      if (req.commitOnePhase && req.dtx.gxid) await this.commitOnePhase(req.dtx.gxid);
      const gather = root.op === 'motion' && root.kind === 'gather';
      const resp: SliceResponse = { rows: gather ? packRows(rows, root.input.types) : rows, wrote };
      if (moved) resp.moved = moved;
      if (ctx.analyze && root.op === 'motion')
        resp.stats = {
          nodes: ctx.analyze.byPath(root.input),
          memoryBytes: Math.max(0, ctx.interrupts.peak - heldBefore),
          startedAt,
          realm: REALM,
        };
      return resp;
    } finally {
      timer?.cancel();
      if (!req.dtx.gxid) this.inst.xact.abort(tx);
    }
  }

  async receiveRows(queryId: string, sliceId: number, from: number, batch: WireRows): Promise<void> {
    const rows = unpackRows(batch);
    // Received rows wait here until the receiving slice runs: they count as the statement's.
    this.interruptsFor(queryId).reserve(batchBytes(rows), 'a Motion receiver');
    let q = this.inbox.get(queryId);
    if (!q) this.inbox.set(queryId, (q = new Map()));
    let s = q.get(sliceId);
    if (!s) q.set(sliceId, (s = new Map()));
    const list = s.get(from);
    if (list) for (const r of rows) list.push(r);
    else s.set(from, rows);
  }

  async endQuery(queryId: string): Promise<void> {
    this.inbox.delete(queryId);
    this.queries.delete(queryId);
  }

  async cancelQuery(queryId: string, code: string, message: string): Promise<void> {
    // A cancel that overtakes the slice it is for leaves the statement cancelled here: the
    // slice fails at its first check. endQuery forgets it.
    this.interruptsFor(queryId).cancel(new SqlError(code, message));
  }

  async insertRows(req: InsertRequest): Promise<number> {
    this.inst.mustBeRunning();
    const tx = this.txFor(req.dtx);
    tx.cid = req.dtx.cid;
    const interrupts = req.queryId ? this.interruptsFor(req.queryId, req.limits) : new Interrupts(this.clock);
    const timer = this.enforceTimeout(interrupts, req.limits);
    try {
      const n = await this.insertLocal(req.table, req.rows, tx, interrupts);
      if (req.commitOnePhase) await this.commitOnePhase(req.dtx.gxid);
      return n;
    } finally {
      timer?.cancel();
    }
  }

  // ---- storage DDL --------------------------------------------------------------------------

  async createStorage(dtx: DtxContext, relfilenode: number): Promise<void> {
    this.inst.mustBeRunning();
    this.inst.createStorage(this.txFor(dtx), relfilenode);
  }

  /** CREATE INDEX, REINDEX: builds an index (its storage made in this transaction) here. */
  async buildIndex(dtx: DtxContext, table: TableInfo, index: IndexInfo): Promise<void> {
    this.inst.mustBeRunning();
    const tx = this.txFor(dtx);
    this.inst.createStorage(tx, index.relfilenode);
    await this.reach('index_build');
    this.inst.mustBeRunning();
    await buildIndex(this.inst, tx, table, index);
  }

  async dropStorage(dtx: DtxContext, relfilenode: number): Promise<void> {
    this.inst.mustBeRunning();
    this.inst.dropStorage(this.txFor(dtx), relfilenode);
  }

  // ---- two-phase commit ---------------------------------------------------------------------

  async prepare(gxid: number, gid: string): Promise<void> {
    this.inst.mustBeRunning();
    await this.reach('start_prepare');
    const tx = this.dtxs.get(gxid);
    if (!tx)
      throw sqlError(
        'undefined_object',
        `distributed transaction ${gxid} is unknown on segment ${this.content}`,
      );
    this.dtxs.delete(gxid);
    await this.inst.xact.prepare(tx, gid);
  }

  async commitOnePhase(gxid: number): Promise<void> {
    const tx = this.dtxs.get(gxid);
    // Unknown here: it lived on an instance that failed (this one was promoted since).
    if (!tx) throw gangLost(`distributed transaction ${gxid} is unknown on segment ${this.content}`);
    this.dtxs.delete(gxid);
    tx.distributedGid = `onephase-${gxid}`;
    tx.segmentPart = true;
    const commit = this.inst.xact.commit(tx);
    this.onePhaseCommits.set(gxid, commit);
    try {
      await commit;
    } finally {
      this.onePhaseCommits.delete(gxid);
    }
  }

  async resolveOnePhase(gxid: number): Promise<'committed' | 'aborted'> {
    this.inst.mustBeRunning();
    await this.abortDtx(gxid);
    await this.onePhaseCommits.get(gxid);
    return this.onePhaseOutcome(gxid);
  }

  /**
   * ROLLBACK TO SAVEPOINT: commands `from`..`to` of distributed transaction `gxid` are undone
   * here. Returns whether the transaction ran here; one that ran here (`ranHere`) and is unknown
   * died with an earlier incarnation of this content: its gang is lost.
   */
  async rollbackToSavepoint(gxid: number, from: number, to: number, ranHere: boolean): Promise<boolean> {
    this.inst.mustBeRunning();
    const tx = this.dtxs.get(gxid);
    if (!tx) return this.rollbackToSavepointNotHere(gxid, ranHere);
    this.inst.xact.undoCommands(tx, from, to);
    return true;
  }

  async abortDtx(gxid: number): Promise<void> {
    const tx = this.dtxs.get(gxid);
    if (!tx) return;
    this.dtxs.delete(gxid);
    this.inst.xact.abort(tx);
  }

  /** The instance died: its transactions and buffers are gone. */
  reset(): void {
    this.dtxs.clear();
    this.onePhaseCommits.clear();
    this.inbox.clear();
    this.queries.clear();
  }

  // ---- internals ------------------------------------------------------------------------------

  private txFor(dtx: DtxContext): Transaction {
    if (!dtx.gxid) return this.inst.xact.begin();
    let tx = this.dtxs.get(dtx.gxid);
    if (!tx) {
      // Its earlier work here died with a previous incarnation of this instance.
      if (dtx.touched?.includes(this.content))
        throw gangLost(
          `distributed transaction ${dtx.gxid} ran on segment ${this.content} before it restarted`,
        );
      this.dtxs.set(dtx.gxid, (tx = this.inst.xact.begin()));
    }
    return tx;
  }

  /** Local snapshot, with transactions the coordinator still sees in progress made invisible. */
  private snapshotFor(tx: Transaction, dtx: DtxContext): Snapshot {
    tx.cid = dtx.cid;
    const local = tx.commandSnapshot();
    const inProgress = new Set(dtx.dsnap.inProgress);
    const xip = new Set(local.xip);
    for (const [xid, gid] of this.inst.xact.distributedLog) {
      const gxid = gxidFromGid(gid);
      if (gxid === dtx.gxid) continue;
      if (gxid >= dtx.dsnap.xmax || inProgress.has(gxid)) xip.add(xid);
    }
    this.pruneGxidMap(dtx.dsnap.xmin);
    const snap: Snapshot = { ...local, xip };
    tx.snapshot = snap;
    return snap;
  }

  private pruneGxidMap(globalXmin: number): void {
    const log = this.inst.xact.distributedLog;
    if (log.size < 4096) return;
    for (const [xid, gid] of log) if (gxidFromGid(gid) < globalXmin) log.delete(xid);
  }

  /** A statement's interrupts here, made on its first message (slice, rows or cancel). */
  private interruptsFor(queryId: string, limits?: StatementLimits): Interrupts {
    let i = this.queries.get(queryId);
    if (!i) this.queries.set(queryId, (i = new Interrupts(this.clock)));
    if (limits) i.memoryLimit = limits.memoryBytes;
    return i;
  }

  /** statement_timeout, enforced here too: the slice fails on its own if the time runs out. */
  private enforceTimeout(interrupts: Interrupts, limits: StatementLimits | undefined) {
    const ms = limits?.timeoutMs ?? 0;
    return ms > 0 ? this.clock.setTimer(ms, () => interrupts.cancel(statementTimeoutError())) : undefined;
  }

  private context(req: SliceRequest, tx: Transaction): ExecContext {
    const snapshot = this.snapshotFor(tx, req.dtx);
    const inbox = this.inbox.get(req.queryId);
    return {
      eval: makeEvalContext(req.statementTime, this.clock),
      interrupts: this.interruptsFor(req.queryId, req.limits),
      content: this.content,
      instance: this.inst,
      tx,
      snapshot,
      received: (sliceId) => [...(inbox?.get(sliceId)?.values() ?? [])],
    };
  }

  private async runMotion(
    root: Extract<PlanNode, { op: 'motion' }>,
    ctx: ExecContext,
    req: SliceRequest,
  ): Promise<Row[]> {
    const stream = exec(root.input, ctx);
    if (root.kind === 'gather') return collect(stream, ctx.interrupts);
    await sendMotionRows(root, stream, req, this.content, this.send);
    return [];
  }

  /**
   * INSERT ... SELECT on this segment, batch by batch as the rows come: a million-row insert
   * never holds its rows in memory at once. (The rows this command inserts have its command
   * id, so its own scan of the table does not see them.)
   */
  private async insertFrom(
    node: Extract<DmlNode, { op: 'insert' }>,
    ctx: ExecContext,
    tx: Transaction,
    numSegments: number,
  ): Promise<number> {
    let n = 0;
    for await (const batch of exec(node.input, ctx)) {
      const rows = node.keepOwnRows ? ownRows(node.table, batch, this.content, numSegments) : batch;
      n += await this.insertLocal(node.table, rows, tx, ctx.interrupts);
    }
    return n;
  }

  private async insertLocal(
    table: InsertRequest['table'],
    rows: Row[],
    tx: Transaction,
    interrupts: Interrupts,
  ): Promise<number> {
    const codec = rowCodec(table.columns.map((c) => c.type));
    for (const r of rows) checkNotNull(table, r);
    for (let at = 0; at < rows.length; at += BATCH) {
      await interrupts.check();
      const part = rows.length <= BATCH ? rows : rows.slice(at, at + BATCH);
      if (table.storage === 'ao') {
        const rel = this.inst.appendOptimized(table.relfilenode);
        for (const r of part) rel.insert(tx, codec.encode(r));
      } else {
        const tids: Tid[] | undefined = table.indexes?.length ? [] : undefined;
        await this.inst.heap(table.relfilenode).insertMany(
          tx,
          {
            count: part.length,
            size: (i) => codec.size(part[i]!),
            write: (i, page, dv, at) => codec.encodeInto(part[i]!, page, dv, at),
          },
          tids,
        );
        if (tids) await insertIndexEntries(this.inst, tx, table, part, tids, interrupts);
      }
    }
    return rows.length;
  }

  private async modify(
    node: Extract<DmlNode, { op: 'modify' }>,
    ctx: ExecContext,
    tx: Transaction,
    req: SliceRequest,
  ): Promise<{ count: number; moved: { content: number; rows: Row[] }[] }> {
    const t = node.table;
    const rows = await collect(exec(node.input, ctx), ctx.interrupts, 'an UPDATE or DELETE');
    // The scan above saw the table before this command: new versions get the next command id.
    const snap = ctx.snapshot!;
    const rel = this.inst.heap(t.relfilenode);
    const codec = rowCodec(t.columns.map((c) => c.type));
    const newFns = node.newValues?.map((e) => compileExpr(e));
    const keyCols = t.policy.kind === 'hash' ? t.policy.keys : [];
    // A new version goes where the table's hash over its own segments says.
    const n = Math.min(t.numsegments, req.contentDbids.length);
    const route = rowRouter(
      keyCols,
      keyCols.map((k) => t.columns[k]!.type),
      n,
    );
    const moved = new Map<number, Row[]>();
    let count = 0;
    const seen = new Set<string>();
    let done = 0;
    for (const row of rows) {
      if (++done % BATCH === 0) await ctx.interrupts.check();
      const ctid = row[node.ctidCol] as string;
      if (seen.has(ctid)) continue; // a join may produce a target row more than once
      seen.add(ctid);
      const tid = parseTid(ctid);
      if (t.storage === 'ao') {
        // Append-optimized: mark the old row deleted in the visibility map; an update appends.
        const ao = this.inst.appendOptimized(t.relfilenode);
        if (!(await ao.delete(tx, tid.block, tid.offset, snap))) continue;
        count++;
        if (node.kind === 'update') {
          const newRow = newFns!.map((f) => f(row, ctx.eval));
          checkNotNull(t, newRow);
          const target = keyCols.length ? route(newRow) : this.content;
          if (target !== this.content && t.policy.kind === 'hash') {
            const list = moved.get(target) ?? [];
            list.push(newRow);
            moved.set(target, list);
          } else ao.insert(tx, codec.encode(newRow));
        }
        continue;
      }
      if (node.kind === 'delete') {
        const r = await rel.delete(tx, tid, snap);
        if (r === 'ok') count++;
        continue;
      }
      const newRow = newFns!.map((f) => f(row, ctx.eval));
      checkNotNull(t, newRow);
      const target = keyCols.length ? route(newRow) : this.content;
      if (target !== this.content && t.policy.kind === 'hash') {
        // Split update: the new version belongs to another segment.
        const r = await rel.delete(tx, tid, snap);
        if (r !== 'ok') continue;
        const list = moved.get(target) ?? [];
        list.push(newRow);
        moved.set(target, list);
        count++;
        continue;
      }
      const r = await rel.update(tx, tid, codec.encode(newRow), snap);
      if (typeof r === 'object') {
        count++;
        if (t.indexes?.length) await insertIndexEntries(this.inst, tx, t, [newRow], [r], ctx.interrupts);
      }
    }
    return { count, moved: [...moved].map(([content, rows]) => ({ content, rows })) };
  }
}

function parseTid(s: string): { block: number; offset: number } {
  const m = /^\((\d+),(\d+)\)$/.exec(s);
  if (!m) throw new Error(`bad ctid ${s}`);
  return { block: Number(m[1]), offset: Number(m[2]) };
}

/** The gxid inside a gid `<epoch>-<gxid>`. */
export function gxidFromGid(gid: string): number {
  return Number(gid.slice(gid.lastIndexOf('-') + 1));
}

/**
 * Of rows every segment computed alike, the ones the table's policy places on `content`: by
 * hash of the key, all of them for a replicated table, every n-th for a randomly distributed one.
 */
function ownRows(table: InsertRequest['table'], rows: Row[], content: number, numSegments: number): Row[] {
  const policy = table.policy;
  if (policy.kind === 'replicated' || numSegments === 1) return rows;
  if (policy.kind !== 'hash') return rows.filter((_, i) => i % numSegments === content);
  const route = rowRouter(
    policy.keys,
    policy.keys.map((k) => table.columns[k]!.type),
    numSegments,
  );
  return rows.filter((r) => route(r) === content);
}
