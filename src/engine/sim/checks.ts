/**
 * The explorer's invariants and the workload state they check against: what was acknowledged,
 * the bank's total, one acting primary per content, identical copies after the repair.
 */
import type { Session } from '../cluster/api.ts';
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

/** What the workload has been told succeeded. */
export interface Acked {
  appends: Set<string>;
  nextValue: number;
  tables: Set<number>;
  dropped: Set<number>;
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
