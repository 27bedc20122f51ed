/**
 * Event table (greenplum-ha.md §2.6), "Primary process crash / stop" and "Primary crash that
 * recovers quickly", plus §7.1 mirror_promotion (A) and failover_with_many_records: the rows
 * FTS writes, the history rows in order, the promoted mirror serving every committed row.
 */
import { describe, expect, it } from 'vitest';
import {
  history,
  historyWithDbid,
  pair,
  pairs,
  probe,
  probeUntil,
  record,
  replication,
  synced,
  upd,
  useCluster,
  waitFor,
  within,
} from './helpers.ts';

const start = useCluster();

// Default fixture: primaries 2,3 on sdw1 (contents 0,1), 4,5 on sdw2 (2,3); mirror of content
// c is dbid 6+c, on the other host.
const PRIMARY = [2, 3, 4, 5];
const MIRROR = [6, 7, 8, 9];
const MIRROR_HOST = ['sdw2', 'sdw2', 'sdw1', 'sdw1'];

describe('primary crash: the mirror is promoted (event table row 1)', () => {
  for (const content of [0, 1, 2, 3]) {
    it(`content ${content} (dbid ${PRIMARY[content]}): roles swap, history in order, no row lost`, async () => {
      const c = await start();
      await c.query('create table t (a int, b int) distributed by (a)');
      await c.query('insert into t select i, i * 3 from generate_series(1, 800) i');
      await synced(c);
      const before = await c.query('select gp_segment_id, count(*), sum(b) from t group by 1 order by 1');
      const h0 = await history(c);
      const p = PRIMARY[content]!;
      const m = MIRROR[content]!;
      await c.faults.crash(p);
      await probe(c);
      const all = await pairs(c);
      expect(all[content]).toBe('mpnd,pmnu');
      // The other pairs: untouched.
      for (let i = 0; i < 4; i++) if (i !== content) expect(all[i]).toBe('ppsu,mmsu');
      // Exactly two history rows, the old primary's first, each with its own dbid.
      expect((await historyWithDbid(c)).slice(h0.length)).toEqual([
        [p, upd(p, content, 'm', 'd', 'n')],
        [m, upd(m, content, 'p', 'u', 'n')],
      ]);
      // The acting primary is the mirror on the other host.
      const acting = await c.query(
        `select dbid, hostname from gp_segment_configuration where content = ${content} and role = 'p'`,
      );
      expect(acting.rows).toEqual([[m, MIRROR_HOST[content]]]);
      // Every committed row, per content, served by the promoted mirror.
      expect(
        (await c.query('select gp_segment_id, count(*), sum(b) from t group by 1 order by 1')).rows,
      ).toEqual(before.rows);
    });
  }

  it('the whole failover happens within one probe scan, and preferred roles stay as they were', async () => {
    const c = await start();
    await synced(c);
    const events = record(c, 'fts.failover', 'fts.promote', 'instance.promoted');
    await c.faults.crash(3);
    await probe(c);
    // Rows written before the promotion, both in the same scan.
    expect(events.map((e) => e.kind)).toEqual(['fts.failover', 'instance.promoted', 'fts.promote']);
    const pref = await c.query(
      'select dbid, role, preferred_role from gp_segment_configuration where content = 1 order by dbid',
    );
    expect(pref.rows).toEqual([
      [3, 'm', 'p'],
      [7, 'p', 'm'],
    ]);
  });

  it('new commits on the promoted primary do not wait for sync rep (its mirror is down)', async () => {
    const c = await start();
    await c.query('create table w (a int) distributed by (a)');
    await c.query('insert into w select generate_series(1, 100)');
    await synced(c);
    await c.faults.crash(2);
    await probe(c);
    expect(await pair(c, 0)).toBe('mpnd,pmnu');
    // Many commits, all on content 0's new primary (whose mirror, the old primary, is dead).
    const rows = await c.query('select a from w where gp_segment_id = 0 order by a limit 5');
    for (const r of rows.rows) {
      const res = await within(c.query(`update w set a = a where a = ${r[0] as number}`), 2000);
      expect(res).not.toBe('timeout');
    }
    // No walsender streams for content 0 any more; the others still stream in sync.
    const rep = await replication(c);
    expect(rep.map((r) => r[0])).toEqual([1, 2, 3]);
    expect(rep.every((r) => r[1] === 'streaming' && r[2] === 'sync' && r[3] === 'none')).toBe(true);
  });

  it('a walsender still trying to reach its dead mirror is not in gp_stat_replication', async () => {
    const c = await start();
    await synced(c);
    await c.faults.crash(2);
    await probe(c);
    // The promoted primary keeps calling its old partner; cut off, each attempt hangs until
    // wal_sender_timeout. In Greenplum no walsender exists before the mirror connects.
    c.faults.partition([6], [2]);
    const seen = new Set<number>();
    for (let i = 0; i < 8; i++) {
      for (const r of await replication(c)) seen.add(r[0]);
      await new Promise((r) => setTimeout(r, 40));
    }
    expect([...seen].sort()).toEqual([1, 2, 3]);
  });

  it('failover_with_many_records: rows written just before the crash are all on the promoted mirror', async () => {
    const c = await start();
    await c.query('create table fr (a int) distributed by (a)');
    await synced(c);
    await c.query('checkpoint');
    for (let i = 0; i < 26; i++) await c.query(`insert into fr values (${i})`);
    // Immediately, no probe in between.
    await c.faults.crash(3);
    await probe(c);
    expect(await pair(c, 1)).toBe('mpnd,pmnu');
    expect((await c.query('select count(*), sum(a) from fr')).rows).toEqual([[26, 325]]);
  });

  it('a primary that crashed and restarted before FTS looked: no failover, no history row', async () => {
    const c = await start();
    await c.query('create table q (a int) distributed by (a)');
    await c.query('insert into q select generate_series(1, 200)');
    await synced(c);
    const h0 = await history(c);
    await c.faults.crash(2);
    await c.faults.restart(2);
    await probe(c);
    await probe(c);
    expect(await pair(c, 0)).toBe('ppsu,mmsu');
    expect(await history(c)).toEqual(h0);
    expect((await c.query('select count(*) from q')).rows).toEqual([[200]]);
    // The restarted primary streams to its mirror again and sync rep stays on.
    await waitFor(
      async () => (await replication(c)).find((r) => r[0] === 0)?.[1] === 'streaming',
      5000,
      'content 0 streaming again',
    );
    expect((await replication(c)).find((r) => r[0] === 0)).toEqual([0, 'streaming', 'sync', 'none']);
  });

  it('every content of one host fails over in the same scan (host sdw1 of two, group mirroring)', async () => {
    const c = await start();
    await c.query('create table h (a int, b int) distributed by (a)');
    await c.query('insert into h select i, i from generate_series(1, 600) i');
    await synced(c);
    await c.faults.crash('sdw1');
    await probe(c);
    const all = await pairs(c);
    expect(all.slice(0, 2)).toEqual(['mpnd,pmnu', 'mpnd,pmnu']);
    // Contents 2 and 3 lost their mirrors (on sdw1): marked down once past the grace period.
    await probeUntil(c, 2, 'ppnu,mmnd');
    await probeUntil(c, 3, 'ppnu,mmnd');
    const acting = await c.query(
      "select hostname, count(*) from gp_segment_configuration where role = 'p' and content >= 0 group by 1 order by 1",
    );
    expect(acting.rows).toEqual([['sdw2', 4]]);
    expect((await c.query('select count(*), sum(b) from h')).rows).toEqual([[600, 180300]]);
    // Writes to every content go through: nothing waits on a dead mirror any more.
    expect(
      await within(c.query('insert into h select i, i from generate_series(601, 700) i'), 3000),
    ).not.toBe('timeout');
    expect((await c.query('select count(*) from h')).rows).toEqual([[700]]);
  });
});

describe('coordinator down (event table row 14)', () => {
  it('no FTS while the coordinator is down; once it restarts FTS fails over the primary that died meanwhile', async () => {
    const c = await start();
    await c.query('create table cd (a int, b int) distributed by (a)');
    await c.query('insert into cd select i, i from generate_series(1, 300) i');
    await synced(c);
    const h0 = await history(c);
    await c.faults.crash(1);
    const e = await c.query('select 1').then(
      () => undefined,
      (x: unknown) => x as { code?: string },
    );
    expect(e?.code).toBe('57P03');
    await c.faults.crash(5);
    await c.faults.restart(1);
    // The catalog was frozen: still (p,u,s) for content 3 until FTS runs.
    await probe(c);
    expect(await pair(c, 3)).toBe('mpnd,pmnu');
    expect((await history(c)).slice(h0.length)).toEqual([upd(5, 3, 'm', 'd', 'n'), upd(9, 3, 'p', 'u', 'n')]);
    expect((await c.query('select count(*), sum(b) from cd')).rows).toEqual([[300, 45150]]);
  });
});
