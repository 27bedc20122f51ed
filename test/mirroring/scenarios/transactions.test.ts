/**
 * Transactions across a failover (greenplum-ha.md §2.7, §7.1 fts_session_reset and
 * twophase_tolerance_with_mirror_promotion): what a client sees when FTS reconfigures the
 * cluster under it, where 2PC is when the primary fails, and that no committed row is lost.
 */
import { describe, expect, it } from 'vitest';
import type { Session } from '../../../src/engine/index.ts';
import { mulberry32 } from '../../support/prng.ts';
import {
  FAST,
  history,
  keyOnEachContent,
  pair,
  probe,
  probeUntil,
  rejection,
  synced,
  useCluster,
  waitFor,
  watch,
} from './helpers.ts';

const start = useCluster();

describe('sessions across a failover (§2.7)', () => {
  it('fts_session_reset: an open writing transaction gets "gang was lost", then 25P02, then END rolls back', async () => {
    const c = await start();
    await c.query('create table g (a int) distributed by (a)');
    await synced(c);
    const s = await c.connect();
    await s.query('begin');
    await s.query('insert into g select generate_series(1, 20)');
    await c.faults.crash(2);
    await probe(c);
    expect(await pair(c, 0)).toBe('mpnd,pmnu');
    const lost = await rejection(s.query('insert into g values (21)'));
    expect(lost.code).toBe('XX000');
    expect(lost.message).toBe('gang was lost due to cluster reconfiguration');
    const aborted = await rejection(s.query('select count(*) from g'));
    expect(aborted.code).toBe('25P02');
    expect(aborted.message).toBe(
      'current transaction is aborted, commands ignored until end of transaction block',
    );
    expect((await s.query('end')).command).toBe('ROLLBACK');
    expect((await s.query('select count(*) from g')).rows).toEqual([[0]]);
    // The same session goes on, on the new primary.
    await s.query('insert into g select generate_series(1, 30)');
    expect((await s.query('select count(*) from g')).rows).toEqual([[30]]);
    await s.close();
  });

  it('an open read-only transaction that used the failed primary also loses its gang', async () => {
    const c = await start();
    await c.query('create table r (a int) distributed by (a)');
    await c.query('insert into r select generate_series(1, 50)');
    await synced(c);
    const s = await c.connect();
    await s.query('begin');
    expect((await s.query('select count(*) from r')).rows).toEqual([[50]]);
    await c.faults.crash(5);
    await probe(c);
    const e = await rejection(s.query('select count(*) from r'));
    expect(e.message).toBe('gang was lost due to cluster reconfiguration');
    await s.query('rollback');
    expect((await s.query('select count(*) from r')).rows).toEqual([[50]]);
    await s.close();
  });

  it('COMMIT of a transaction whose primary failed over: error, rolled back, session usable', async () => {
    const c = await start();
    await c.query('create table cm (a int) distributed by (a)');
    await c.query('insert into cm select generate_series(1, 10)');
    await synced(c);
    const s = await c.connect();
    await s.query('begin');
    await s.query('insert into cm select generate_series(11, 100)');
    await c.faults.crash(3);
    await probe(c);
    const e = await rejection(s.query('commit'));
    expect(e.code).toBe('XX000');
    expect(e.message).toBe('gang was lost due to cluster reconfiguration');
    expect((await s.query('select count(*) from cm')).rows).toEqual([[10]]);
    await s.close();
  });

  it('sessions without an open transaction switch to the promoted mirror transparently', async () => {
    const c = await start();
    await c.query('create table tr (a int, b int) distributed by (a)');
    await c.query('insert into tr select i, i from generate_series(1, 400) i');
    await synced(c);
    const sessions: Session[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await c.connect();
      expect((await s.query('select count(*) from tr')).rows).toEqual([[400]]);
      sessions.push(s);
    }
    await c.faults.crash('sdw1');
    await probe(c);
    for (const [i, s] of sessions.entries()) {
      expect((await s.query('select count(*), sum(b) from tr')).rows).toEqual([
        [400 + i * 10, 80200 + i * 10],
      ]);
      await s.query('insert into tr select 1000 + g, 1 from generate_series(1, 10) g');
      await s.close();
    }
  });
});

describe('two-phase commit across a failover (§2.7, twophase_tolerance_with_mirror_promotion)', () => {
  it('prepared everywhere, COMMIT PREPARED held on the primary that then fails: the commit succeeds after promotion', async () => {
    const c = await start();
    await c.query('create table tp (a int) distributed by (a)');
    await synced(c);
    const hold = c.faults.suspend('finish_prepared_start_of_function', 2);
    const s = await c.connect();
    await s.query('begin');
    await s.query('insert into tp select generate_series(1, 80)');
    const commit = watch(s.query('commit'));
    await hold.reached;
    await c.faults.crash(2);
    hold.release();
    await probe(c);
    expect(await pair(c, 0)).toBe('mpnd,pmnu');
    await waitFor(() => commit.settled(), 10_000, 'commit finished');
    expect(commit.outcome()).toMatchObject({ ok: true });
    expect((await c.query('select count(*), sum(a) from tp')).rows).toEqual([[80, 3240]]);
    // Nothing is left prepared on the promoted mirror: the same rows can be written again.
    await c.query('insert into tp select generate_series(1, 80)');
    expect((await c.query('select count(*) from tp')).rows).toEqual([[160]]);
    await s.close();
  });

  it('committed on one segment, not yet on another: a reader sees neither half, also after that segment restarts (distributed log)', async () => {
    const c = await start();
    await c.query('create table keys (a int) distributed by (a)');
    await c.query('insert into keys select generate_series(1, 40)');
    const [a, b] = await keyOnEachContent(c, 'keys');
    await c.query('create table acct (id int, balance int) distributed by (id)');
    await c.query(`insert into acct values (${a}, 100), (${b}, 100)`);
    await synced(c);
    // COMMIT PREPARED waits on content 1's primary (dbid 3); content 0's (dbid 2) commits.
    const hold = c.faults.suspend('finish_prepared_start_of_function', 3);
    const s = await c.connect();
    await s.query('begin');
    await s.query(`update acct set balance = balance - 40 where id = ${a}`);
    await s.query(`update acct set balance = balance + 40 where id = ${b}`);
    const commit = watch(s.query('commit'));
    await hold.reached;
    const sum = async () => (await c.query('select sum(balance) from acct')).rows[0]![0];
    expect(await sum()).toBe(200);
    // Content 0's primary fails over: its mirror replayed the COMMIT PREPARED, and must still
    // hide it while the coordinator has not finished the transaction everywhere.
    await c.faults.crash(2);
    await probe(c);
    expect(await pair(c, 0)).toBe('mpnd,pmnu');
    expect(await sum()).toBe(200);
    hold.release();
    await waitFor(() => commit.settled(), 10_000, 'commit finished');
    expect(commit.outcome()).toMatchObject({ ok: true });
    expect((await c.query('select id, balance from acct order by balance')).rows).toEqual([
      [a, 60],
      [b, 140],
    ]);
    await s.close();
  });

  // The primary crashes (its connection is lost), or runs on cut off from the coordinator
  // until FTS takes it out of service: either way the client reads cdbdisp_async.c's error.
  it.each([
    ['crashes', 'server closed the connection unexpectedly'],
    ['is partitioned from the coordinator, running on', 'gang was lost due to cluster reconfiguration'],
  ] as const)(
    'PREPARE held on a primary that %s: "FTS detected connection lost during dispatch", aborted everywhere',
    async (how, cause) => {
      const c = await start();
      await c.query('create table ab (a int) distributed by (a)');
      await c.query('insert into ab select generate_series(1, 8)');
      await synced(c);
      const hold = c.faults.suspend('start_prepare', 2);
      const s = await c.connect();
      await s.query('begin');
      await s.query('insert into ab select generate_series(101, 180)');
      const commit = watch(s.query('commit'));
      await hold.reached;
      if (how === 'crashes') {
        await c.faults.crash(2);
        hold.release();
      } else c.faults.partition([1], [2]);
      await probe(c);
      expect(await pair(c, 0)).toBe('mpnd,pmnu');
      await waitFor(() => commit.settled(), 10_000, 'commit finished');
      const e = await rejection(commit.promise);
      expect(e.code).toBe('58M01');
      expect(e.message).toMatch(/^FTS detected connection lost during dispatch to seg0 /);
      expect(e.detail).toMatch(cause);
      hold.release();
      c.faults.heal();
      // None of it on any content; nothing left prepared anywhere.
      expect((await c.query('select count(*) from ab')).rows).toEqual([[8]]);
      await c.query('insert into ab select generate_series(101, 180)');
      expect((await c.query('select count(*) from ab')).rows).toEqual([[88]]);
      await s.close();
    },
  );

  it('a 2PC waiting in sync rep on a pair whose mirror died completes after SYNCREP_OFF', async () => {
    const c = await start({ ...FAST, timeScale: 100 });
    await c.query('create table sr (a int) distributed by (a)');
    await synced(c);
    await c.faults.crash(8);
    const commit = watch(c.query('insert into sr select generate_series(1, 100)'));
    await probe(c);
    expect(commit.settled()).toBe(false);
    await probeUntil(c, 2, 'ppnu,mmnd');
    await waitFor(() => commit.settled(), 5000, 'distributed commit released');
    expect(commit.outcome()).toMatchObject({ ok: true });
    expect((await c.query('select count(*) from sr')).rows).toEqual([[100]]);
  });
});

describe('the bank across a failover', () => {
  it('concurrent transfers between contents while a primary fails: the sum never changes, no ack is lost', async () => {
    const ACCOUNTS = 16;
    const START = 1000;
    const c = await start();
    await c.query('create table accounts (id int, balance int) distributed by (id)');
    await c.query(`insert into accounts select i, ${START} from generate_series(1, ${ACCOUNTS}) i`);
    await synced(c);
    const balances = new Map<number, number>();
    for (let i = 1; i <= ACCOUNTS; i++) balances.set(i, START);
    /** Transfers whose COMMIT failed: committed or not, the client cannot know. */
    const unknown: [number, number, number][] = [];
    const sums: number[] = [];
    let failed = 0;
    const readerErrors: string[] = [];
    const writerErrors: string[] = [];
    let done = false;
    let crashed = false;
    let afterCrashCommits = 0;

    const worker = async (w: number) => {
      const rnd = mulberry32(w + 7);
      let s = await c.connect();
      for (let i = 0; i < 30 || (crashed && afterCrashCommits < 10 && i < 200); i++) {
        const from = 1 + Math.floor(rnd() * ACCOUNTS);
        const to = 1 + ((from + Math.floor(rnd() * (ACCOUNTS - 1))) % ACCOUNTS);
        const amount = 1 + Math.floor(rnd() * 40);
        let stage = 'begin';
        try {
          await s.query('begin');
          stage = 'update';
          await s.query(`update accounts set balance = balance - ${amount} where id = ${from}`);
          await s.query(`update accounts set balance = balance + ${amount} where id = ${to}`);
          stage = 'commit';
          await s.query('commit');
          balances.set(from, balances.get(from)! - amount);
          balances.set(to, balances.get(to)! + amount);
          if (crashed) afterCrashCommits++;
        } catch (e) {
          failed++;
          writerErrors.push(`${stage}: ${(e as Error).message}`);
          if (stage === 'commit') unknown.push([from, to, amount]);
          await s.close();
          s = await c.connect();
        }
      }
      await s.close();
    };
    const reader = async () => {
      const s = await c.connect();
      while (!done) {
        try {
          sums.push(Number((await s.query('select sum(balance) from accounts')).rows[0]![0]));
        } catch (e) {
          // A reader may hit the failover too; let the event loop run before trying again.
          readerErrors.push((e as Error).message);
          await new Promise((r) => setTimeout(r, 5));
        }
      }
      await s.close();
    };
    const readers = [reader(), reader()];
    const writers = Array.from({ length: 5 }, (_, w) => worker(w));
    await waitFor(() => sums.length > 5, 5000, 'workload running');
    await c.faults.crash(4);
    crashed = true;
    await probe(c);
    expect(await pair(c, 2)).toBe('mpnd,pmnu');
    await Promise.all(writers);
    done = true;
    await Promise.all(readers);

    expect(
      afterCrashCommits,
      JSON.stringify({ writerErrors, readerErrors: readerErrors.slice(0, 5) }),
    ).toBeGreaterThanOrEqual(10);
    expect(new Set(sums)).toEqual(new Set([ACCOUNTS * START]));
    const final = new Map(
      (await c.query('select id, balance from accounts')).rows.map((r) => [r[0] as number, r[1] as number]),
    );
    expect([...final.values()].reduce((a, b) => a + b, 0)).toBe(ACCOUNTS * START);
    // The final balances are the acknowledged transfers plus some subset of the unknown ones.
    expect(unknown.length).toBeLessThanOrEqual(10);
    let matched = false;
    for (let mask = 0; mask < 1 << unknown.length && !matched; mask++) {
      const b = new Map(balances);
      unknown.forEach(([from, to, amount], i) => {
        if (mask & (1 << i)) {
          b.set(from, b.get(from)! - amount);
          b.set(to, b.get(to)! + amount);
        }
      });
      matched = [...b].every(([id, v]) => final.get(id) === v);
    }
    expect(matched, `final balances explained by acknowledged transfers (failed: ${failed})`).toBe(true);
  });
});

describe('repeated failover of the same content', () => {
  it('fail → promote; the restarted old primary cannot rejoin without gprecoverseg; the new primary fails → double fault', async () => {
    const c = await start();
    await c.query('create table rf (a int, b int) distributed by (a)');
    await c.query('insert into rf select i, i from generate_series(1, 200) i');
    await synced(c);
    const key = await keyOnEachContent(c, 'rf');
    await c.faults.crash(2);
    await probe(c);
    expect(await pair(c, 0)).toBe('mpnd,pmnu');
    await c.query(`insert into rf values (${key[0]}, 0)`);
    await expect(c.faults.restart(2)).rejects.toMatchObject({ code: '55000' });
    for (let i = 0; i < 4; i++) await probe(c);
    // The old primary has no standby.signal: it does not stream from dbid 6.
    expect(await pair(c, 0)).toBe('mpnd,pmnu');
    const h1 = await history(c);
    await c.faults.crash(6);
    await probe(c);
    expect(await pair(c, 0)).toBe('mpnd,pmnu');
    expect((await history(c)).slice(h1.length)).toEqual(['FTS: double fault detected for content id 0']);
    await c.faults.restart(6);
    await probe(c);
    expect((await history(c)).slice(h1.length + 1)).toEqual([
      'FTS: content id 0 is out of double fault, dbid 6 is up',
    ]);
    expect((await c.query('select count(*), sum(b) from rf')).rows).toEqual([[201, 20100]]);
  });
});

describe('pg_cancel_backend', () => {
  it('cancels a statement that has not committed: 57014, its work rolled back', async () => {
    const c = await start(FAST);
    await c.query('create table cx (a int) distributed by (a)');
    await c.query('insert into cx select generate_series(1, 10)');
    const a = await c.connect();
    const b = await c.connect();
    await a.query('begin');
    await a.query('truncate cx');
    // b waits for a's lock, inside its own implicit transaction.
    const waiting = watch(b.query('insert into cx select generate_series(100, 120)'));
    const pid = await waitFor(async () => {
      const r = await c.query("select pid from pg_stat_activity where query like 'insert into cx%'");
      return r.rows[0]?.[0] as number | undefined;
    });
    expect((await c.query(`select pg_cancel_backend(${pid})`)).rows).toEqual([[true]]);
    await a.query('rollback');
    const err = await rejection(waiting.promise);
    expect(err.code).toBe('57014');
    expect(err.message).toBe('canceling statement due to user request');
    expect((await c.query('select count(*) from cx')).rows).toEqual([[10]]);
    // The session is usable again.
    expect((await b.query('select count(*) from cx')).rows).toEqual([[10]]);
    await a.close();
    await b.close();
  });
});
