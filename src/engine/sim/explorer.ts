/**
 * The explorer: runs a plan of workload steps and faults on a simulated cluster and checks,
 * after every step, what must hold whatever happened:
 * - no acknowledged commit is lost (the register's acknowledged appends, the DDL that succeeded);
 * - every bank sum read equals the total (distributed snapshots never show half a transfer);
 * - never two acting primaries for one content that could both acknowledge commits;
 * - no call hangs past its deadline (SimulationTimeout);
 * and, once the faults are repaired at the end (heal, restart, activate, gprecoverseg,
 * rebalance): the cluster serves again, every synchronized mirror's pages equal its primary's
 * and the standby's catalog pages equal the coordinator's.
 */
import { createCluster } from '../cluster/create.ts';
import type { SimCluster } from '../cluster/sim-cluster.ts';
import type { Session } from '../cluster/api.ts';
import { seededRandom, SimulationTimeout } from '../runtime/sim.ts';
import { describeStep, shapeFor, type Step } from './steps.ts';

export interface Failure {
  /** Index of the step after which the check failed (the plan's length: the final checks). */
  step: number;
  invariant: string;
  message: string;
}

export interface RunResult {
  seed: number;
  failure: Failure | undefined;
  /** The simulator's event trace (same seed and plan: same trace). */
  trace: readonly string[];
  /** What each step did, one line each. */
  log: string[];
  virtualMs: number;
  /** Contents whose copies were compared page by page at the end (-1: the standby's catalog). */
  compared: number[];
}

const ACCOUNTS = 8;
const OPENING_BALANCE = 100;
const TOTAL = ACCOUNTS * OPENING_BALANCE;

class InvariantViolation extends Error {
  readonly invariant: string;
  constructor(invariant: string, message: string) {
    super(message);
    this.invariant = invariant;
  }
}

/** What the workload has been told succeeded. */
interface Acked {
  appends: Set<string>;
  nextValue: number;
  tables: Set<number>;
  dropped: Set<number>;
}

export async function runPlan(seed: number, plan: readonly Step[]): Promise<RunResult> {
  const shape = shapeFor(seed);
  const log: string[] = [];
  const c = (await createCluster({
    runtime: 'sim',
    seed,
    hosts: shape.hosts,
    segmentsPerHost: shape.segmentsPerHost,
    mirroring: shape.mirroring,
    standby: true,
  })) as SimCluster;
  const start = c.sim.now();
  const acked: Acked = { appends: new Set(), nextValue: 1, tables: new Set(), dropped: new Set() };
  let failure: Failure | undefined;
  const compared: number[] = [];
  try {
    await c.query('create table bank (id int, balance int) distributed by (id)');
    await c.query(`insert into bank select i, ${OPENING_BALANCE} from generate_series(1, ${ACCOUNTS}) i`);
    await c.query('create table reg (k int, v int) distributed by (k)');
    for (let i = 0; i < plan.length && !failure; i++) {
      const step = plan[i]!;
      try {
        const note = await apply(c, step, acked);
        log.push(`${i}: ${describeStep(step)}${note ? ` -> ${note}` : ''}`);
        await checkAcked(c, acked);
        checkPrimaries(c);
      } catch (e) {
        failure = asFailure(i, e);
      }
    }
    if (!failure) {
      try {
        log.push(`${plan.length}: repair -> ${await repair(c)}`);
        await checkAcked(c, acked, true);
        compared.push(...(await checkCopies(c)));
      } catch (e) {
        failure = asFailure(plan.length, e);
      }
    }
  } finally {
    await c.close().catch(() => undefined);
  }
  return { seed, failure, trace: c.sim.trace, log, virtualMs: c.sim.now() - start, compared };
}

function asFailure(step: number, e: unknown): Failure {
  if (e instanceof InvariantViolation) return { step, invariant: e.invariant, message: e.message };
  if (e instanceof SimulationTimeout) return { step, invariant: 'no call hangs', message: e.message };
  return {
    step,
    invariant: 'no unexpected error',
    message: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
  };
}

/** Runs `sql` on a fresh session; undefined when the cluster refuses or fails it. */
async function tryQuery(c: SimCluster, sql: string): Promise<unknown[][] | undefined> {
  try {
    return (await c.query(sql)).rows;
  } catch (e) {
    if (e instanceof SimulationTimeout) throw e;
    return undefined;
  }
}

async function withSession<T>(c: SimCluster, work: (s: Session) => Promise<T>): Promise<T | undefined> {
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

async function apply(c: SimCluster, step: Step, acked: Acked): Promise<string> {
  const f = c.faults;
  const guard = async (what: Promise<unknown>): Promise<string> => {
    try {
      await what;
      return 'ok';
    } catch (e) {
      if (e instanceof SimulationTimeout) throw e;
      return `refused: ${e instanceof Error ? e.message : String(e)}`;
    }
  };
  switch (step.op) {
    case 'transfers':
      return transfers(c, step.n, step.salt);
    case 'appends': {
      const r = seededRandom(step.salt);
      const done = await Promise.all(
        Array.from({ length: step.n }, async () => {
          const k = Math.floor(r() * 16);
          const v = acked.nextValue++;
          const ok = await withSession(c, async (s) => {
            await s.query(`insert into reg values (${k}, ${v})`);
            return true;
          });
          if (ok) acked.appends.add(`${k}:${v}`);
          return ok === true;
        }),
      );
      return `${done.filter(Boolean).length}/${step.n} acknowledged`;
    }
    case 'ddl': {
      const created = await tryQuery(c, `create table ddl_${step.id} (a int) distributed by (a)`);
      if (created) acked.tables.add(step.id);
      if (step.id % 3 === 0) {
        const victim = [...acked.tables].find((t) => t !== step.id && !acked.dropped.has(t));
        if (victim !== undefined && (await tryQuery(c, `drop table ddl_${victim}`)))
          acked.dropped.add(victim);
      }
      return created ? 'created' : 'refused';
    }
    case 'crash':
      return guard(f.crash(step.target));
    case 'restart':
      return guard(f.restart(step.target));
    case 'partition':
      f.partition(step.a, step.b);
      return 'ok';
    case 'heal':
      f.heal();
      return 'ok';
    case 'delay':
      return guard(Promise.resolve().then(() => f.delay(step.dbid, step.ms)));
    case 'slowDisk':
      return guard(Promise.resolve().then(() => f.slowDisk(step.dbid, step.ms)));
    case 'diskFull':
      return guard(Promise.resolve().then(() => f.diskFull(step.dbid, step.full)));
    case 'coordinatorFailover': {
      const coordinator = c.sim.instances().find((i) => i.content === -1 && i.acting === 'primary');
      const standby = c.sim.instances().find((i) => i.content === -1 && i.acting === 'mirror');
      if (!coordinator || !standby) return 'skipped: no coordinator with a running standby';
      // Activating a standby that is behind loses what the coordinator committed since, its
      // catalog changes included (Greenplum allows it); the explorer, like a careful DBA, only
      // fails over to a synchronized standby.
      if (!coordinator.streaming) return 'skipped: the standby is not synchronized';
      await f.crash(coordinator.dbid);
      const r = await c.run('gpactivatestandby -a -d /data/coordinator/gpseg-1');
      return `gpactivatestandby exit ${r.exitCode}`;
    }
    case 'initStandby': {
      const acting = c.sim.instances().find((i) => i.content === -1 && i.acting === 'primary');
      if (!acting) return 'skipped: no coordinator';
      const free = ['cdw', 'scdw'].find((h) => h !== acting.host)!;
      const r = await c.run(`gpinitstandby -a -s ${free}`);
      return `gpinitstandby exit ${r.exitCode}`;
    }
    case 'recoverseg': {
      const r = await c.run(`gprecoverseg -a ${step.flags}`.trim());
      return `gprecoverseg ${step.flags} exit ${r.exitCode}`;
    }
    case 'wait':
      await c.sim.advance(step.ms);
      return '';
    case 'addMirrors': {
      const r = await c.run(`gpaddmirrors -a${step.spread ? ' -s' : ''}`);
      return `gpaddmirrors exit ${r.exitCode}`;
    }
  }
}

/** Concurrent transfers, each in its own transaction, and a reader checking the total. */
async function transfers(c: SimCluster, n: number, salt: number): Promise<string> {
  const r = seededRandom(salt);
  const work = Array.from({ length: n }, async () => {
    const a = 1 + Math.floor(r() * ACCOUNTS);
    const b = 1 + ((a + Math.floor(r() * (ACCOUNTS - 1))) % ACCOUNTS);
    const amount = 1 + Math.floor(r() * 20);
    const [lo, hi] = a < b ? [a, b] : [b, a];
    const ok = await withSession(c, async (s) => {
      const q = (sql: string) => s.query(sql);
      await q('begin');
      try {
        // Lower id first: concurrent transfers take their row locks in one order.
        await q(`update bank set balance = balance ${lo === a ? '-' : '+'} ${amount} where id = ${lo}`);
        await q(`update bank set balance = balance ${hi === a ? '-' : '+'} ${amount} where id = ${hi}`);
      } catch (e) {
        await q('rollback').catch(() => undefined);
        throw e;
      }
      await q('commit');
      return true;
    });
    return ok === true;
  });
  const reader = withSession(c, async (s) => {
    const rows = (await s.query('select sum(balance) from bank')).rows;
    const sum = Number(rows[0]?.[0]);
    if (sum !== TOTAL)
      throw new InvariantViolation('every bank sum read equal', `a reader summed ${sum}, not ${TOTAL}`);
    return sum;
  });
  const [done, sum] = await Promise.all([Promise.all(work), reader]);
  return `${done.filter(Boolean).length}/${n} committed, sum ${sum ?? 'unavailable'}`;
}

/** Every acknowledged append and table is there (when the cluster answers; `mustAnswer` at the end). */
async function checkAcked(c: SimCluster, acked: Acked, mustAnswer = false): Promise<void> {
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
function checkPrimaries(c: SimCluster): void {
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

/**
 * Puts everything right as an administrator would: heal the network, clear the disk faults,
 * bring the coordinator back (activating the standby if it is gone), restart every instance,
 * gprecoverseg (incremental, then full if that fails), wait for sync, rebalance.
 */
async function repair(c: SimCluster): Promise<string> {
  const f = c.faults;
  f.heal();
  for (const i of c.sim.instances()) {
    f.delay(i.dbid, 0);
    if (i.content >= 0) {
      f.slowDisk(i.dbid, 0);
      f.diskFull(i.dbid, false);
    }
  }
  const steps: string[] = [];
  // A crashed coordinator is restarted (its standby may be behind); then a crashed standby.
  for (const i of c.sim.instances().filter((x) => x.content === -1 && !x.up)) {
    await f.restart(i.dbid).catch(() => undefined);
    steps.push(`restart coordinator dbid ${i.dbid}`);
  }
  // Segments the catalog still counts as up get their process back (gpstart); the ones marked
  // down are gprecoverseg's to restart, as mirrors.
  const config = await tryQuery(c, 'select dbid, status from gp_segment_configuration where content >= 0');
  const upInCatalog = new Set((config ?? []).filter((r) => r[1] === 'u').map((r) => Number(r[0])));
  for (const i of c.sim.instances().filter((x) => x.content >= 0 && !x.up && upInCatalog.has(x.dbid)))
    await f.restart(i.dbid);
  await c.sim.advance(120_000);
  for (const flags of ['', '-F']) {
    const r = await c.run(`gprecoverseg -a ${flags}`.trim());
    steps.push(
      `gprecoverseg ${flags || '(incremental)'} ${r.exitCode}${r.exitCode ? ` [${lastLines(r.stdout + r.stderr)}]` : ''}`,
    );
    if (await waitSynchronized(c)) break;
  }
  if (!(await waitSynchronized(c)))
    throw new InvariantViolation(
      'the repaired cluster serves',
      `mirrors not synchronized after ${steps.join(', ')}`,
    );
  const rb = await c.run('gprecoverseg -a -r');
  steps.push(`gprecoverseg -r ${rb.exitCode}`);
  if (!(await waitSynchronized(c, true)))
    throw new InvariantViolation(
      'the repaired cluster serves',
      `not balanced and synchronized after ${steps.join(', ')}`,
    );
  return steps.join(', ');
}

/** Polls gp_segment_configuration until every segment is up and synchronized (30 virtual min). */
async function waitSynchronized(c: SimCluster, balanced = false): Promise<boolean> {
  for (let t = 0; t < 30; t++) {
    const rows = await tryQuery(
      c,
      'select role, preferred_role, mode, status from gp_segment_configuration where content >= 0',
    );
    // Without mirrors every segment is up (mode 'n'); with them, every pair is synchronized.
    const mirrored = rows?.some((r) => r[0] === 'm');
    if (rows?.every((r) => (!mirrored || r[2] === 's') && r[3] === 'u' && (!balanced || r[0] === r[1])))
      return true;
    await c.sim.advance(60_000);
  }
  return false;
}

/** Every synchronized pair's pages, and the standby's catalog, equal their primary's. */
async function checkCopies(c: SimCluster): Promise<number[]> {
  const contents = [...new Set(c.sim.instances().map((i) => i.content))].sort((a, b) => a - b);
  const compared: number[] = [];
  for (const content of contents) {
    const diff = await c.sim.differingBlocks(content);
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

function lastLines(text: string, n = 4): string {
  return text.trim().split('\n').slice(-n).join(' / ');
}
