/**
 * The explorer's invariants and the workload state they check against: what was acknowledged,
 * the bank's total, one acting primary per content, identical copies after the repair.
 */
import type { Session } from '../node/api.ts';
import type { SimCluster } from '../cluster/sim-cluster.ts';
import { SimulationTimeout } from '../runtime/sim.ts';

export const ACCOUNTS = 8;

export const OPENING_BALANCE = 100;

export const TOTAL = ACCOUNTS * OPENING_BALANCE;

export class InvariantViolation extends Error {
  readonly invariant: string;
  constructor(invariant: string, message: string) {
    super(message);
    this.invariant = invariant;
  }
}

/** What the workload has been told succeeded, and what it was told failed. */
export interface Acked {
  appends: Set<string>;
  nextValue: number;
  tables: Set<number>;
  dropped: Set<number>;
  /** Appends whose INSERT (and so its commit) returned an error saying it did not happen. */
  failedAppends: Map<string, string>;
  /** Transfers (their row in xfer) whose COMMIT succeeded. */
  transfers: Set<number>;
  /** Transfers whose COMMIT returned an error saying it did not happen, with the error. */
  failedTransfers: Map<number, string>;
  nextTransfer: number;
  /** Every workload operation as its client saw it, in the order they started. */
  ops: ClientOp[];
}

/**
 * One workload operation from the client's side (Jepsen's history): when it started and ended
 * in virtual time, and what the client learnt: it happened (ok), it did not (failed, with the
 * error), or it cannot know (indeterminate: the connection went during its COMMIT).
 */
export interface ClientOp {
  kind: 'transfer' | 'append';
  id: number;
  start: number;
  end: number;
  outcome: 'ok' | 'failed' | 'indeterminate';
  /** The SQLSTATE of a failed or indeterminate operation (undefined: no connection at all). */
  code?: string;
}

/**
 * Runs one workload operation and records it as its client saw it; true when it happened.
 * `work` calls `committing()` just before the statement that commits (COMMIT, or an autocommit
 * INSERT): only a connection lost from then on leaves the outcome unknown.
 */
export async function clientOp(
  c: SimCluster,
  acked: Acked,
  kind: ClientOp['kind'],
  id: number,
  work: (s: Session, committing: () => void) => Promise<void>,
): Promise<boolean> {
  const op: ClientOp = { kind, id, start: c.sim.now(), end: 0, outcome: 'failed' };
  acked.ops.push(op);
  let atCommit = false;
  try {
    const ok = await withSession(c, async (s) => {
      try {
        await work(s, () => (atCommit = true));
      } catch (e) {
        const code = (e as { code?: unknown } | undefined)?.code;
        if (typeof code === 'string') op.code = code;
        if (atCommit && outcomeUnknown(e)) op.outcome = 'indeterminate';
        throw e;
      }
      return true;
    });
    if (ok) op.outcome = 'ok';
    return ok === true;
  } finally {
    op.end = c.sim.now();
  }
}

export function emptyAcked(): Acked {
  return {
    appends: new Set(),
    nextValue: 1,
    tables: new Set(),
    dropped: new Set(),
    failedAppends: new Map(),
    transfers: new Set(),
    failedTransfers: new Map(),
    nextTransfer: 1,
    ops: [],
  };
}

/**
 * An error after which a client cannot know whether its commit happened, and may be told so:
 * 08007 (transaction_resolution_unknown), or its coordinator went down under the statement:
 * crashed, the connection is found closed (08006); stopped by a utility, the server ended the
 * session (57P01). Any other error from a COMMIT says it did not commit.
 */
export function outcomeUnknown(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  return code === '08006' || code === '08007' || code === '57P01';
}

/** The error of a statement as the explorer logs it. */
export function describeError(e: unknown): string {
  const code = (e as { code?: unknown } | undefined)?.code;
  return `${typeof code === 'string' ? `${code} ` : ''}${e instanceof Error ? e.message : String(e)}`;
}

/** Runs `sql` on a fresh session; undefined when the cluster refuses or fails it. */
export async function tryQuery(c: SimCluster, sql: string): Promise<unknown[][] | undefined> {
  try {
    return (await c.query(sql)).rows;
  } catch (e) {
    if (e instanceof SimulationTimeout) throw e;
    return undefined;
  }
}

export async function withSession<T>(
  c: SimCluster,
  work: (s: Session) => Promise<T>,
): Promise<T | undefined> {
  let s: Session;
  try {
    s = await c.connect();
  } catch {
    return undefined;
  }
  try {
    return await work(s);
  } catch (e) {
    if (e instanceof SimulationTimeout || e instanceof InvariantViolation) throw e;
    return undefined;
  } finally {
    await s.close().catch(() => undefined);
  }
}

/** Every acknowledged append and table is there (when the cluster answers; `mustAnswer` at the end). */
export async function checkAcked(c: SimCluster, acked: Acked, mustAnswer = false): Promise<void> {
  const rows = await tryQuery(c, 'select k, v from reg');
  if (!rows) {
    if (mustAnswer)
      throw new InvariantViolation('the repaired cluster serves', 'select from reg failed after repair');
    return;
  }
  const present = new Set(rows.map((r) => `${String(r[0])}:${String(r[1])}`));
  const lost = [...acked.appends].filter((x) => !present.has(x));
  if (lost.length)
    throw new InvariantViolation(
      'no acknowledged commit lost',
      `acknowledged appends missing: ${lost.slice(0, 10).join(' ')}${lost.length > 10 ? ' …' : ''}`,
    );
  if (rows.length !== present.size)
    throw new InvariantViolation('no acknowledged commit lost', `the register holds duplicate rows`);
  if (!mustAnswer) return;
  const sum = await tryQuery(c, 'select sum(balance), count(*) from bank');
  if (!sum || Number(sum[0]![0]) !== TOTAL || Number(sum[0]![1]) !== ACCOUNTS)
    throw new InvariantViolation('every bank sum read equal', `bank after repair: ${JSON.stringify(sum)}`);
  for (const t of acked.tables) {
    if (acked.dropped.has(t)) continue;
    if (!(await tryQuery(c, `select count(*) from ddl_${t}`)))
      throw new InvariantViolation('no acknowledged commit lost', `table ddl_${t} was created and is gone`);
  }
  const hidden = [...acked.failedAppends].filter(([x]) => present.has(x));
  const xfer = await tryQuery(c, 'select id from xfer');
  if (!xfer)
    throw new InvariantViolation('the repaired cluster serves', 'select from xfer failed after repair');
  const done = new Set(xfer.map((r) => Number(r[0])));
  const lostTransfers = [...acked.transfers].filter((t) => !done.has(t));
  if (lostTransfers.length)
    throw new InvariantViolation(
      'no acknowledged commit lost',
      `acknowledged transfers missing: ${lostTransfers.slice(0, 10).join(' ')}`,
    );
  hidden.push(
    ...[...acked.failedTransfers]
      .filter(([t]) => done.has(t))
      .map(([t, e]) => [`transfer ${t}`, e] as [string, string]),
  );
  if (hidden.length)
    throw new InvariantViolation(
      'no COMMIT error hides a commit',
      hidden
        .slice(0, 5)
        .map(([what, e]) => `${what} committed, though its COMMIT returned: ${e}`)
        .join('; '),
    );
}

/** Prepared transactions on acting primaries whose distributed transaction is decided. */
export function decidedInDoubt(
  c: SimCluster,
): { dbid: number; gid: string; ageMs: number; decided: string }[] {
  const dtx = c.sim.dtx();
  if (!dtx) return [];
  const out: { dbid: number; gid: string; ageMs: number; decided: string }[] = [];
  for (const i of c.sim.instances()) {
    if (i.content < 0 || i.acting !== 'primary' || dtx.primaries[i.content] !== i.dbid) continue;
    for (const p of i.prepared) {
      if (dtx.running(p.gid)) continue;
      const committed = dtx.committed.includes(p.gid);
      // An orphan (no commit record, no session) is aborted once older than the prepared period.
      if (!committed && p.ageMs < dtx.preparedPeriodMs) continue;
      out.push({ dbid: i.dbid, gid: p.gid, ageMs: p.ageMs, decided: committed ? 'committed' : 'aborted' });
    }
  }
  return out;
}

/**
 * No prepared transaction outlives its decision by more than gp_dtx_recovery_interval: checked
 * across a quiet wait (no network or disk fault before or after it) at least that long, and
 * after the repair.
 */
export function checkInDoubt(c: SimCluster, before: { gid: string; dbid: number }[], waitedMs: number): void {
  const dtx = c.sim.dtx();
  if (!dtx || waitedMs < dtx.recoveryIntervalMs + 30_000) return;
  const left = decidedInDoubt(c).filter((x) => before.some((b) => b.gid === x.gid && b.dbid === x.dbid));
  if (left.length)
    throw new InvariantViolation(
      'no decided transaction stays prepared past the recovery interval',
      left
        .slice(0, 5)
        .map((x) => `dbid ${x.dbid}: ${x.gid} (${x.decided}) prepared ${Math.round(x.ageMs / 1000)} s ago`)
        .join('; '),
    );
}

/** Never two instances of one content acting as primary and able to acknowledge commits. */
export function checkPrimaries(c: SimCluster): void {
  const byContent = new Map<number, number[]>();
  for (const i of c.sim.instances())
    if (i.acting === 'primary' && i.acksCommits)
      byContent.set(i.content, [...(byContent.get(i.content) ?? []), i.dbid]);
  for (const [content, dbids] of byContent)
    if (dbids.length > 1)
      throw new InvariantViolation(
        'never two acting primaries',
        `content ${content}: dbids ${dbids.join(' and ')} both act as primary and can commit`,
      );
}

/** Every synchronized pair's pages, and the standby's catalog, equal their primary's. */
export async function checkCopies(c: SimCluster, onlyStreaming = false): Promise<number[]> {
  const all = c.sim.instances();
  // Between steps only pairs whose primary streams to its mirror now: those catch up at once.
  const contents = [...new Set(all.map((i) => i.content))]
    .filter(
      (x) => !onlyStreaming || all.some((i) => i.content === x && i.acting === 'primary' && i.streaming),
    )
    .sort((a, b) => a - b);
  const compared: number[] = [];
  for (const content of contents) {
    const diff = await c.sim.differingBlocks(content, onlyStreaming ? 10_000 : 60_000);
    if (diff === undefined) continue;
    compared.push(content);
    if (diff.length)
      throw new InvariantViolation(
        content === -1
          ? "the standby's catalog equals the coordinator's"
          : "a synchronized mirror's pages equal its primary's",
        `content ${content}: ${diff.length} blocks differ (${diff.slice(0, 5).join('; ')})`,
      );
  }
  return compared;
}
