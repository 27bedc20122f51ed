/**
 * The bank: concurrent sessions move money between accounts that live on different segments
 * (each transfer is a two-phase commit), while other sessions keep summing every balance.
 * Distributed snapshots must never show a transfer committed on one segment and not yet on
 * the other: every sum is the same, and the final balances are exactly the committed transfers.
 */
import { describe, expect, it } from 'vitest';
import { createCluster, type Session } from '../../src/engine/index.ts';
import { mulberry32 } from '../support/prng.ts';

const ACCOUNTS = 16;
const START = 1000;

describe('bank transfers across segments', () => {
  it('keeps every sum equal and every committed transfer', async () => {
    const c = await createCluster();
    try {
      await c.query('create table accounts (id int, balance int) distributed by (id)');
      await c.query(`insert into accounts select i, ${START} from generate_series(1, ${ACCOUNTS}) i`);
      const spread = await c.query('select count(distinct gp_segment_id) from accounts');
      expect(spread.rows[0]![0]).toBe(4);

      // Slow links to two segments: the COMMIT PREPAREDs of one transaction land at different
      // times, which is exactly when a reader without distributed snapshots would see half.
      c.faults.delay(3, 2);
      c.faults.delay(5, 1);
      const expected = new Map<number, number>();
      for (let i = 1; i <= ACCOUNTS; i++) expected.set(i, START);
      let done = false;
      let committed = 0;
      const sums: number[] = [];

      const transfer = async (s: Session, rnd: () => number) => {
        const from = 1 + Math.floor(rnd() * ACCOUNTS);
        let to = 1 + Math.floor(rnd() * ACCOUNTS);
        if (to === from) to = (to % ACCOUNTS) + 1;
        const amount = 1 + Math.floor(rnd() * 50);
        const abort = rnd() < 0.15;
        await s.query('begin');
        await s.query(`update accounts set balance = balance - ${amount} where id = ${from}`);
        await s.query(`update accounts set balance = balance + ${amount} where id = ${to}`);
        if (abort) {
          await s.query('rollback');
          return;
        }
        await s.query('commit');
        expected.set(from, expected.get(from)! - amount);
        expected.set(to, expected.get(to)! + amount);
        committed++;
      };

      const writers = Array.from({ length: 6 }, async (_, w) => {
        const s = await c.connect();
        const rnd = mulberry32(w + 1);
        for (let i = 0; i < 25; i++) await transfer(s, rnd);
        await s.close();
      });
      const readers = Array.from({ length: 3 }, async () => {
        const s = await c.connect();
        while (!done) {
          const r = await s.query('select sum(balance) from accounts');
          sums.push(Number(r.rows[0]![0]));
        }
        await s.close();
      });
      await Promise.all(writers);
      done = true;
      await Promise.all(readers);

      expect(committed).toBeGreaterThan(100);
      expect(sums.length).toBeGreaterThan(20);
      expect(new Set(sums)).toEqual(new Set([ACCOUNTS * START]));
      const final = await c.query('select id, balance from accounts order by id');
      expect(final.rows).toEqual([...expected].sort((a, b) => a[0] - b[0]).map(([id, b]) => [id, b]));
    } finally {
      await c.close();
    }
  });
});

describe('distributed snapshots', () => {
  it('a reader never sees a transfer committed on one segment and not on the other', async () => {
    const c = await createCluster();
    try {
      await c.query('create table acct (id int, balance int) distributed by (id)');
      await c.query('insert into acct select i, 100 from generate_series(1, 8) i');
      const where = await c.query('select id, gp_segment_id from acct order by id');
      const seg = new Map(where.rows.map((r) => [r[0] as number, r[1] as number]));
      const a = 1;
      const b = [...seg].find(([id, s]) => id !== a && s !== seg.get(a))![0];
      // COMMIT PREPARED of the transfer waits on b's segment (dbid = content + 2).
      const hold = c.faults.suspend('finish_prepared_start_of_function', seg.get(b)! + 2);
      const s = await c.connect();
      await s.query('begin');
      await s.query(`update acct set balance = balance - 10 where id = ${a}`);
      await s.query(`update acct set balance = balance + 10 where id = ${b}`);
      const committing = s.query('commit');
      await hold.reached;
      // Segment of `a` has committed; segment of `b` has not. The reader must see neither.
      const mid = await c.query(`select id, balance from acct where id in (${a}, ${b}) order by id`);
      expect(mid.rows).toEqual([
        [Math.min(a, b), 100],
        [Math.max(a, b), 100],
      ]);
      expect((await c.query('select sum(balance) from acct')).rows).toEqual([[800]]);
      hold.release();
      await committing;
      const after = await c.query(`select balance from acct where id = ${a}`);
      expect(after.rows).toEqual([[90]]);
      expect((await c.query('select sum(balance) from acct')).rows).toEqual([[800]]);
      await s.close();
    } finally {
      await c.close();
    }
  });
});
