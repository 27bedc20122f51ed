/**
 * Live under load (inline runtime, the lab's defaults: group mirroring, a standby, time
 * compressed 30x). An instance is one thread, so long statements must yield: FTS probes,
 * WAL acknowledgements and timers keep running, nothing is taken for failed, and a runaway
 * statement fails alone with its SQLSTATE while every other session carries on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCluster, SqlError, type Cluster, type ClusterEvent } from '../../src/engine/index.ts';

/** What a healthy cluster under load must never show. */
const ALARMS = /^(fts\.(failover|promote|double_fault|mirror_down|mirror_up)|link\.timeout|instance\.crash)$/;

async function catalog(c: Cluster): Promise<string[]> {
  const r = await c.query(
    'select dbid, role, preferred_role, mode, status from gp_segment_configuration order by dbid',
  );
  return r.rows.map((row) => row.join(','));
}

async function sqlState(p: Promise<unknown>): Promise<SqlError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error('the statement succeeded');
}

describe('a busy cluster stays live (inline runtime, lab defaults)', () => {
  let c: Cluster;
  const alarms: ClusterEvent[] = [];
  let healthy: string[];

  beforeAll(async () => {
    c = await createCluster({ mirroring: 'group', standby: true, timeScale: 30 });
    c.subscribe((e) => {
      if (ALARMS.test(e.kind)) alarms.push(e);
    });
    healthy = await catalog(c);
  });

  afterAll(async () => {
    await c.close();
  });

  it('inserts of 100,000 and 1,000,000 rows, a 1,000,000-row GROUP BY and a 10-million-pair join: no failover', async () => {
    await c.query('create table big (id int, pad text) distributed by (id)');
    for (const n of [100_000, 1_000_000]) {
      const r = await c.query(`insert into big select g, repeat('x', 200) from generate_series(1, ${n}) g`);
      expect(r.rowCount).toBe(n);
    }
    const groups = await c.query(
      'select id % 10 as k, count(*), sum(length(pad)) from big group by 1 order by 1',
    );
    expect(groups.rows).toEqual(Array.from({ length: 10 }, (_, k) => [k, 110_000, 110_000 * 200]));
    await c.query('create table l (a int) distributed by (a)');
    await c.query('create table r (b int) distributed by (b)');
    await c.query('insert into l select generate_series(1, 10000)');
    await c.query('insert into r select generate_series(1, 1000)');
    // A theta join: every pair compared (10,000 x 1,000), on a Nested Loop.
    const pairs = await c.query('select count(*) from l, r where a % 1000 = b - 1');
    expect(pairs.rows).toEqual([[10_000]]);

    expect(alarms).toEqual([]);
    expect(await catalog(c)).toEqual(healthy);
    // Every primary answered its probes well inside the probe timeout.
    for (const dbid of [2, 3, 4, 5]) {
      const probe = (await c.instanceStatus(dbid)).ftsProbe;
      expect(probe?.probes).toBeGreaterThan(0);
      expect(probe!.failures).toBe(0);
      expect(probe!.worstMs).toBeLessThan(probe!.timeoutMs);
    }
    // Alone it takes about 16 s; beside CI's browser project on two cores it passed 60 s once.
    // The bound guards against a hang; speed is the bench's to measure.
  }, 300_000);

  describe('a runaway statement fails alone', () => {
    /** Runs `work` while another session commits in a loop; returns its error and the commits seen meanwhile. */
    async function whileCommitting(
      work: () => Promise<unknown>,
    ): Promise<{ error: SqlError; commits: number }> {
      const other = await c.connect();
      await other.query('create table if not exists beat (n int) distributed by (n)');
      let running = true;
      let commits = 0;
      const beats = (async () => {
        while (running) {
          await other.query(`insert into beat values (${commits})`);
          commits++;
        }
      })();
      const before = commits;
      const error = await sqlState(work());
      const during = commits - before;
      running = false;
      await beats;
      await other.close();
      return { error, commits: during };
    }

    it('statement_timeout cancels a long join on every segment with 57014', async () => {
      const s = await c.connect();
      // 30 s of cluster time is 1 s of wall time at 30x.
      await s.query(`set statement_timeout = '30s'`);
      expect((await s.query('show statement_timeout')).rows).toEqual([['30s']]);
      const { error, commits } = await whileCommitting(() =>
        s.query('select count(*) from big a, l b where a.id % 7 = b.a % 5'),
      );
      expect(error.code).toBe('57014');
      expect(error.message).toBe('canceling statement due to statement timeout');
      expect(commits).toBeGreaterThan(0);
      // The session goes on.
      expect((await s.query('select count(*) from l')).rows).toEqual([[10_000]]);
      await s.close();
    });

    it('pg_cancel_backend reaches the running slices at once', async () => {
      const s = await c.connect();
      const pid = (await s.query('select pg_backend_pid()')).rows[0]![0];
      let settled = false;
      const running = s.query('select count(*) from big a, l b where a.id % 7 = b.a % 5');
      void running.finally(() => (settled = true)).catch(() => undefined);
      const canceller = await c.connect();
      // Cancel as soon as the statement shows as active.
      for (;;) {
        const r = await canceller.query(`select state from pg_stat_activity where pid = ${pid}`);
        if (r.rows[0]?.[0] === 'active') break;
        expect(settled).toBe(false);
      }
      const sent = Date.now();
      expect((await canceller.query(`select pg_cancel_backend(${pid})`)).rows).toEqual([[true]]);
      const error = await sqlState(running);
      expect(error.code).toBe('57014');
      expect(error.message).toBe('canceling statement due to user request');
      // Promptly: the slices stop at their next check, not at the end of the join.
      expect(Date.now() - sent).toBeLessThan(5_000);
      await canceller.close();
      await s.close();
    });

    it('a 4-way cross join held in memory fails with 53200 past statement_mem', async () => {
      await c.query('create table t4 (a int, b text) distributed by (a)');
      await c.query(`insert into t4 select g, 'row ' || g from generate_series(1, 100) g`);
      const { error, commits } = await whileCommitting(() =>
        c.query('select a.b, b.b, c.b, d.b from t4 a, t4 b, t4 c, t4 d'),
      );
      expect(error.code).toBe('53200');
      expect(error.message).toBe('out of memory');
      expect(error.detail).toMatch(/statement_mem \(125MB\)/);
      expect(commits).toBeGreaterThan(0);
    });

    it('LIKE with many % answers at once', async () => {
      const r = await c.query(`select repeat('a', 60) like repeat('%a', 30) || '%b'`);
      expect(r.rows).toEqual([[false]]);
    });

    it('a 100 MB literal is read as one value', async () => {
      const r = await c.query(`select length('${'y'.repeat(100 * 1024 * 1024)}')`);
      expect(r.rows).toEqual([[100 * 1024 * 1024]]);
    });

    it("lpad('x', 2147483647) fails with 54000, the cluster carries on", async () => {
      // It fails at once (the length is checked before the string is built), so no commits
      // need to fit in meanwhile: the next one must work.
      const { error } = await whileCommitting(() => c.query(`select lpad('x', 2147483647)`));
      expect(error.code).toBe('54000');
      expect(error.message).toBe('requested length too large');
      expect((await c.query('insert into beat values (-1)')).rowCount).toBe(1);
    });

    it('a 50-table comma join with an equality chain is planned and answered', async () => {
      await c.query('create table j50 (a int) distributed by (a)');
      await c.query('insert into j50 select generate_series(1, 3)');
      const from = Array.from({ length: 50 }, (_, i) => `j50 t${i}`).join(', ');
      const chain = Array.from({ length: 49 }, (_, i) => `t${i}.a = t${i + 1}.a`).join(' and ');
      const s = await c.connect();
      // Bounded: planning that grew with the number of join orders would hit this.
      await s.query(`set statement_timeout = '300s'`);
      const r = await s.query(`select count(*) from ${from} where ${chain}`);
      expect(r.rows).toEqual([[3]]);
      await s.close();
    });

    it('lock_timeout ends a wait for a lock with 55P03, and a cancel ends it too', async () => {
      const holder = await c.connect();
      const waiter = await c.connect();
      await holder.query('begin');
      await holder.query('delete from l where a = 1');
      await waiter.query(`set lock_timeout = '3s'`);
      const error = await sqlState(waiter.query('delete from l where a = 2'));
      expect(error.code).toBe('55P03');
      expect(error.message).toBe('canceling statement due to lock timeout');
      await holder.query('rollback');
      expect((await waiter.query('select count(*) from l')).rows).toEqual([[10_000]]);
      await holder.close();
      await waiter.close();
    });

    afterAll(async () => {
      // After all of it: no failover, no mirror marked down.
      expect(alarms).toEqual([]);
      expect(await catalog(c)).toEqual(healthy);
    });
  });
});

describe('a client retrying in a tight loop', () => {
  it('lets FTS fail a crashed primary over, and its next query succeeds', async () => {
    const c = await createCluster({ mirroring: 'group', timeScale: 30 });
    try {
      await c.query('create table t (a int) distributed by (a)');
      await c.query('insert into t select generate_series(1, 100)');
      await c.faults.crash(2);
      // No sleep between attempts: every failed call must still give timers and messages
      // their turn (a network never answers inside the caller's own turn). The deadline is
      // read from the wall clock, which needs no event loop.
      const deadline = Date.now() + 30_000;
      let attempts = 0;
      let rows: unknown;
      for (;;) {
        attempts++;
        try {
          rows = (await c.query('select count(*) from t')).rows;
          break;
        } catch (e) {
          expect(e).toBeInstanceOf(SqlError);
          if (Date.now() > deadline) throw new Error(`no failover after ${attempts} attempts`, { cause: e });
        }
      }
      expect(rows).toEqual([[100]]);
      expect(attempts).toBeGreaterThan(1);
      const r = await c.query(
        'select role, status from gp_segment_configuration where dbid in (2, 6) order by dbid',
      );
      expect(r.rows).toEqual([
        ['m', 'd'],
        ['p', 'u'],
      ]);
    } finally {
      await c.close();
    }
  });
});
