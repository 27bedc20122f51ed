/** The explorer's steps applied to a simulated cluster, and the repair that ends a run. */
import type { SimCluster } from '../cluster/sim-cluster.ts';
import { seededRandom, SimulationTimeout } from '../runtime/sim.ts';
import {
  ACCOUNTS,
  describeError,
  InvariantViolation,
  outcomeUnknown,
  TOTAL,
  tryQuery,
  clientOp,
  withSession,
  type Acked,
} from './checks.ts';
import type { DuringFault, Step } from './steps.ts';

export async function apply(c: SimCluster, step: Step, acked: Acked): Promise<string> {
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
      return alongside(c, step.during, transfers(c, step.n, step.salt, acked));
    case 'appends': {
      const r = seededRandom(step.salt);
      const work = Promise.all(
        Array.from({ length: step.n }, async () => {
          const k = Math.floor(r() * 16);
          const v = acked.nextValue++;
          const ok = await clientOp(c, acked, 'append', v, async (s, committing) => {
            committing();
            try {
              await s.query(`insert into reg values (${k}, ${v})`);
            } catch (e) {
              if (!outcomeUnknown(e)) acked.failedAppends.set(`${k}:${v}`, describeError(e));
              throw e;
            }
          });
          if (ok) acked.appends.add(`${k}:${v}`);
          return ok;
        }),
      ).then((done) => `${done.filter(Boolean).length}/${step.n} acknowledged`);
      return alongside(c, step.during, work);
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
      // A host with no instance left (the old coordinator host after activation) is refused.
      return guard(Promise.resolve().then(() => f.partition(step.a, step.b)));
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
    case 'load':
      return underLoad(c, step, acked);
    case 'maintenance': {
      const r = await c.run(step.command);
      return `${step.command} exit ${r.exitCode}`;
    }
    case 'expand': {
      // A DBA expands a healthy cluster (setup refuses while a segment is down): the first
      // phase starts from a repaired one; its fault strikes in the expansion itself.
      const before = await expansionState(c);
      const repaired =
        before?.includes('No Expansion Detected') && !(await healthy(c))
          ? `repaired first: ${await repair(c)}; `
          : '';
      return repaired + (await alongside(c, step.during, expand(c, step.hosts, before)));
    }
    case 'addMirrors': {
      const r = await c.run(`gpaddmirrors -a${step.spread ? ' -s' : ''}`);
      return `gpaddmirrors exit ${r.exitCode}`;
    }
    case 'sql':
    case 'disconnect':
    case 'utility':
      throw new Error(`assertion failed: a person's ${step.op} step is the run's sessions' to apply`);
  }
}

/** gpexpand's next phase: setup onto `hosts` new hosts when none was done, else redistribution. */
async function expand(c: SimCluster, hosts: number, state: string | undefined): Promise<string> {
  try {
    if (state === undefined) throw new Error('gpstate -x failed');
    if (!state.includes('No Expansion Detected')) {
      const r = await c.run('gpexpand');
      return `gpexpand exit ${r.exitCode}${r.exitCode ? ` [${lastLines(r.stdout + r.stderr)}]` : ''}`;
    }
    const names = Array.from({ length: hosts }, (_, i) => `sdw${4 + i}`);
    await c.run(`printf '${names.join('\\n')}\\n' > expand_hosts`);
    const interview = await c.run('gpexpand -f expand_hosts');
    const name = /with: gpexpand -i (\S+)/.exec(interview.stdout)?.[1];
    if (!name) return `gpexpand -f exit ${interview.exitCode}`;
    const r = await c.run(`gpexpand -i ${name}`);
    return `gpexpand -i exit ${r.exitCode}${r.exitCode ? ` [${lastLines(r.stdout + r.stderr)}]` : ''}`;
  } catch (e) {
    if (e instanceof SimulationTimeout) throw e;
    return `refused: ${describeError(e)}`;
  }
}

/** Every instance running, every segment up and in sync in the catalog, no fault in force. */
async function healthy(c: SimCluster): Promise<boolean> {
  if (c.sim.instances().some((i) => i.content >= 0 && !i.up) || !c.sim.calm()) return false;
  const rows = await tryQuery(
    c,
    'select content, role, mode, status from gp_segment_configuration where content >= 0',
  );
  if (!rows) return false;
  // Mode n is a problem only where there is a mirror to be in sync with.
  const mirrored = new Set(rows.filter((r) => r[1] === 'm').map((r) => r[0]));
  return rows.every((r) => r[3] === 'u' && (r[2] !== 'n' || !mirrored.has(r[0])));
}

/** gpstate -x's output (undefined when it cannot run: no coordinator). */
async function expansionState(c: SimCluster): Promise<string | undefined> {
  try {
    return (await c.run('gpstate -x')).stdout;
  } catch (e) {
    if (e instanceof SimulationTimeout) throw e;
    return undefined;
  }
}

/** A workload step, with a fault striking `during.afterMs` into it. */
async function alongside(
  c: SimCluster,
  during: DuringFault | undefined,
  work: Promise<string>,
): Promise<string> {
  if (!during) return work;
  const fault = (async () => {
    await c.sim.advance(during.afterMs);
    try {
      await (during.op === 'crash' ? c.faults.crash(during.target) : c.faults.restart(during.target));
      return `${during.op} ${during.target} ok`;
    } catch (e) {
      if (e instanceof SimulationTimeout) throw e;
      return `${during.op} ${during.target} refused: ${describeError(e)}`;
    }
  })();
  const [done, f] = await Promise.all([work, fault]);
  return `${done}; during: ${f}`;
}

/** A client's pause between two of its transfers under load, in virtual ms. */
const LOAD_PACE_MS = 2000;

/** Virtual time passes while `clients` clients each run transfers one after another. */
async function underLoad(
  c: SimCluster,
  step: { clients: number; ms: number; salt: number },
  acked: Acked,
): Promise<string> {
  const r = seededRandom(step.salt);
  const end = c.sim.now() + step.ms;
  const clients = Array.from({ length: step.clients }, async () => {
    const done: boolean[] = [];
    while (c.sim.now() < end) {
      done.push(await transfer(c, r, acked));
      await c.sim.advance(Math.min(LOAD_PACE_MS, Math.max(0, end - c.sim.now())));
    }
    return done;
  });
  const [outcomes] = await Promise.all([Promise.all(clients), c.sim.advance(step.ms)]);
  const all = outcomes.flat();
  return `${all.filter(Boolean).length}/${all.length} committed`;
}

/**
 * Concurrent transfers, each in its own transaction with its row in xfer (so the final check
 * knows which committed), and a reader checking the total.
 */
async function transfers(c: SimCluster, n: number, salt: number, acked: Acked): Promise<string> {
  const r = seededRandom(salt);
  const work = Array.from({ length: n }, () => transfer(c, r, acked));
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

/** One transfer between two accounts drawn from `r`, as its client sees it; true when acknowledged. */
function transfer(c: SimCluster, r: () => number, acked: Acked): Promise<boolean> {
  const a = 1 + Math.floor(r() * ACCOUNTS);
  const b = 1 + ((a + Math.floor(r() * (ACCOUNTS - 1))) % ACCOUNTS);
  const amount = 1 + Math.floor(r() * 20);
  const [lo, hi] = a < b ? [a, b] : [b, a];
  const id = acked.nextTransfer++;
  return clientOp(c, acked, 'transfer', id, async (s, committing) => {
    const q = (sql: string) => s.query(sql);
    await q('begin');
    try {
      // Lower id first: concurrent transfers take their row locks in one order.
      await q(`update bank set balance = balance ${lo === a ? '-' : '+'} ${amount} where id = ${lo}`);
      await q(`update bank set balance = balance ${hi === a ? '-' : '+'} ${amount} where id = ${hi}`);
      await q(`insert into xfer values (${id})`);
    } catch (e) {
      await q('rollback').catch(() => undefined);
      throw e;
    }
    try {
      committing();
      await q('commit');
    } catch (e) {
      if (!outcomeUnknown(e)) acked.failedTransfers.set(id, describeError(e));
      throw e;
    }
    acked.transfers.add(id);
  });
}

/**
 * Puts everything right as an administrator would: heal the network, clear the disk faults,
 * bring the coordinator back (activating the standby if it is gone), restart every instance,
 * gprecoverseg (incremental, then full if that fails), wait for sync, rebalance.
 */
export async function repair(c: SimCluster): Promise<string> {
  const f = c.faults;
  f.heal();
  // Every instance's network and disk faults go, the coordinator's too (dbids move between
  // roles: an activated standby, a reused dbid).
  for (const i of c.sim.instances()) {
    f.delay(i.dbid, 0);
    f.slowDisk(i.dbid, 0);
    f.diskFull(i.dbid, false);
  }
  const steps: string[] = [];
  // A crashed coordinator is restarted (its standby may be behind); then a crashed standby.
  for (const i of c.sim.instances().filter((x) => x.content === -1 && !x.up)) {
    await f.restart(i.dbid).catch(() => undefined);
    steps.push(`restart coordinator dbid ${i.dbid}`);
  }
  steps.push(...(await finishSetup(c)));
  // Segments the catalog still counts as up get their process back (gpstart); the ones marked
  // down are gprecoverseg's to restart, as mirrors.
  const config = await tryQuery(c, 'select dbid, status from gp_segment_configuration where content >= 0');
  const upInCatalog = new Set((config ?? []).filter((r) => r[1] === 'u').map((r) => Number(r[0])));
  // (FTS may mark one down meanwhile: a former primary then refuses, and gprecoverseg follows.)
  for (const i of c.sim.instances().filter((x) => x.content >= 0 && !x.up && upInCatalog.has(x.dbid)))
    await f.restart(i.dbid).catch(() => undefined);
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
  steps.push(`gprecoverseg -r ${rb.exitCode}${rb.exitCode ? ` [${lastLines(rb.stdout + rb.stderr)}]` : ''}`);
  if (!(await waitSynchronized(c, true)))
    throw new InvariantViolation(
      'the repaired cluster serves',
      `not balanced and synchronized after ${steps.join(', ')}`,
    );
  return steps.join(', ');
}

/**
 * A gpexpand setup that failed is finished as a DBA would: rolled back (-r) before its catalog
 * change, else retried once the new instances it made are running again.
 */
async function finishSetup(c: SimCluster): Promise<string[]> {
  const state = await expansionState(c);
  if (!state?.includes('Replicating Meta Data')) return [];
  const retry = await c.run('gpexpand');
  if (retry.stdout.includes('Please run gpexpand -r')) {
    const r = await c.run('gpexpand -r');
    return [`gpexpand -r ${r.exitCode}`];
  }
  if (retry.exitCode === 0) return ['gpexpand (setup retried) 0'];
  // A new primary is down (the retry cannot build its mirror): start it, then once more.
  const config = await tryQuery(c, 'select dbid from gp_segment_configuration where content >= 0');
  const listed = new Set((config ?? []).map((r) => Number(r[0])));
  for (const i of c.sim.instances().filter((x) => x.content >= 0 && !x.up && listed.has(x.dbid)))
    await c.faults.restart(i.dbid).catch(() => undefined);
  await c.sim.advance(60_000);
  const again = await c.run('gpexpand');
  return [`gpexpand (setup retried) ${retry.exitCode}, then ${again.exitCode}`];
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

function lastLines(text: string, n = 4): string {
  return text.trim().split('\n').slice(-n).join(' / ');
}
