/**
 * The bank under random faults: transfers between accounts on different segments (each one a
 * two-phase commit that also appends to a ledger) while instances crash and restart, links are
 * cut and slowed, and FTS fails pairs over. For every seed:
 * - every sum of balances read is the same;
 * - every acknowledged transfer is in the ledger, and the balances are exactly the ledger's;
 * - the catalog never shows two acting primaries for one content.
 */
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';
import { mulberry32 } from '../support/prng.ts';

const ACCOUNTS = 12;
const START = 1000;
const SEEDS = Array.from({ length: 12 }, (_, i) => i + 1);

async function oneSeed(seed: number): Promise<{ acked: number; faults: string[] }> {
  const rnd = mulberry32(seed);
  const c: Cluster = await createCluster({ mirroring: 'group', timeScale: 300 });
  const faults: string[] = [];
  try {
    await c.query('create table acct (id int, balance int) distributed by (id)');
    await c.query('create table ledger (tid int, src int, dst int, amount int) distributed by (tid)');
    await c.query(`insert into acct select i, ${START} from generate_series(1, ${ACCOUNTS}) i`);
    await c.query('select gp_request_fts_probe_scan()');
    const acked: number[] = [];
    const sums: number[] = [];
    let tid = 0;
    // What the test itself has crashed: the catalog lags (a mirror within the grace period
    // still shows 'u'), and crashing its partner then would be a double fault.
    const crashed = new Set<number>();
    const s = await c.connect();
    for (let step = 0; step < 40; step++) {
      const r = rnd();
      if (r < 0.12) {
        // A fault, only where the pair can survive it (the partner is up and in sync).
        const conf = (
          await c.query(
            'select dbid, content, role, mode, status from gp_segment_configuration where content >= 0',
          )
        ).rows as [number, number, string, string, string][];
        const healthy = conf.filter(
          ([, content, , mode, status]) =>
            status === 'u' &&
            mode === 's' &&
            conf.filter((x) => x[1] === content).every((x) => x[4] === 'u' && x[3] === 's'),
        );
        const partnerAlive = (v: (typeof conf)[number]) =>
          conf.filter((x) => x[1] === v[1]).every((x) => !crashed.has(x[0]));
        const candidates = healthy.filter(partnerAlive);
        const victim = candidates[Math.floor(rnd() * candidates.length)];
        if (victim) {
          faults.push(`crash ${victim[0]}`);
          crashed.add(victim[0]);
          await c.faults.crash(victim[0]);
          await c.query('select gp_request_fts_probe_scan()');
        }
      } else if (r < 0.2) {
        // Bring back crashed mirrors (a demoted primary may not rejoin: that needs gprecoverseg).
        const down = (
          await c.query("select dbid from gp_segment_configuration where status = 'd' and role = 'm'")
        ).rows.map((x) => x[0] as number);
        for (const d of down) {
          faults.push(`restart ${d}`);
          await c.faults.restart(d).catch(() => undefined);
          crashed.delete(d);
        }
        await c.query('select gp_request_fts_probe_scan()');
      } else if (r < 0.25) {
        const d = 2 + Math.floor(rnd() * 8);
        faults.push(`delay ${d}`);
        c.faults.delay(d, 1 + Math.floor(rnd() * 3));
      } else if (r < 0.4) {
        const sum = await s.query('select sum(balance) from acct').catch(() => undefined);
        if (sum) sums.push(Number(sum.rows[0]![0]));
      } else {
        const id = ++tid;
        const from = 1 + Math.floor(rnd() * ACCOUNTS);
        const to = 1 + ((from + Math.floor(rnd() * (ACCOUNTS - 1))) % ACCOUNTS);
        const amount = 1 + Math.floor(rnd() * 40);
        try {
          await s.query('begin');
          await s.query(`update acct set balance = balance - ${amount} where id = ${from}`);
          await s.query(`update acct set balance = balance + ${amount} where id = ${to}`);
          await s.query(`insert into ledger values (${id}, ${from}, ${to}, ${amount})`);
          await s.query('commit');
          acked.push(id);
        } catch {
          await s.query('rollback').catch(() => undefined);
        }
      }
      const primaries = await c.query(
        "select content, count(*) from gp_segment_configuration where role = 'p' group by 1 having count(*) > 1",
      );
      expect(primaries.rows, `seed ${seed} step ${step}: two acting primaries`).toEqual([]);
    }
    // Everything must be readable again once the crashed mirrors are back.
    for (const d of crashed) await c.faults.restart(d).catch(() => undefined);
    await c.query('select gp_request_fts_probe_scan()');
    expect(
      new Set(sums).size <= 1 && (sums[0] ?? ACCOUNTS * START) === ACCOUNTS * START,
      `seed ${seed}: sums ${[...new Set(sums)]}`,
    ).toBe(true);
    const ledger = await s.query('select tid, src, dst, amount from ledger');
    const inLedger = new Set(ledger.rows.map((x) => x[0] as number));
    for (const id of acked)
      expect(inLedger.has(id), `seed ${seed}: acknowledged transfer ${id} lost`).toBe(true);
    const expected = new Map<number, number>();
    for (let i = 1; i <= ACCOUNTS; i++) expected.set(i, START);
    for (const [, src, dst, amount] of ledger.rows as number[][]) {
      expected.set(src!, expected.get(src!)! - amount!);
      expected.set(dst!, expected.get(dst!)! + amount!);
    }
    const balances = await s.query('select id, balance from acct order by id');
    expect(balances.rows, `seed ${seed}: balances differ from the ledger`).toEqual(
      [...expected].map(([id, b]) => [id, b]),
    );
    await s.close();
    return { acked: acked.length, faults };
  } finally {
    await c.close();
  }
}

describe('bank under random faults', () => {
  it(`holds its invariants for ${SEEDS.length} seeds`, async () => {
    let acked = 0;
    let crashes = 0;
    for (const seed of SEEDS) {
      const r = await oneSeed(seed);
      acked += r.acked;
      crashes += r.faults.filter((f) => f.startsWith('crash')).length;
    }
    expect(acked).toBeGreaterThan(SEEDS.length * 10);
    expect(crashes).toBeGreaterThan(SEEDS.length / 2);
  }, 120_000);
});
