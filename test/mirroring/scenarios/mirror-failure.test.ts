/**
 * Event table (greenplum-ha.md §2.6), "Mirror crash / stop", "Mirror comes back by itself" and
 * "Mirror lagging", with §2.5 (synchronous replication) and §7.1 commit_blocking and
 * fts_unblock_primary: commits on the pair block from the crash until FTS marks the mirror down
 * and sends SYNCREP_OFF; other contents never block; the mirror returns without gprecoverseg.
 */
import { describe, expect, it } from 'vitest';
import {
  FAST,
  history,
  historyWithDbid,
  keyOnEachContent,
  pair,
  probe,
  probeUntil,
  record,
  replication,
  synced,
  upd,
  useCluster,
  waitFor,
  watch,
  within,
  clusterNow,
} from './helpers.ts';

const start = useCluster();

describe('mirror crash (event table row 3)', () => {
  it('a commit on the pair blocks, a commit on another content does not, until the mirror is marked down', async () => {
    const c = await start({ ...FAST, timeScale: 100 });
    await c.query('create table m (a int) distributed by (a)');
    await c.query('insert into m select generate_series(1, 40)');
    await synced(c);
    const key = await keyOnEachContent(c, 'm');
    const h0 = await history(c);
    await c.faults.crash(6);
    const blocked = watch(c.query(`insert into m values (${key[0]})`));
    // Every other content commits at once (direct dispatch to a healthy pair).
    for (const content of [1, 2, 3]) await c.query(`insert into m values (${key[content]})`);
    expect(blocked.settled()).toBe(false);
    await probeUntil(c, 0, 'ppnu,mmnd');
    await waitFor(() => blocked.settled(), 5000, 'blocked commit released');
    expect(blocked.outcome()).toMatchObject({ ok: true });
    // The primary's row first, then the mirror's.
    expect((await historyWithDbid(c)).slice(h0.length)).toEqual([
      [2, upd(2, 0, 'p', 'u', 'n')],
      [6, upd(6, 0, 'm', 'd', 'n')],
    ]);
    expect((await c.query('select count(*) from m')).rows).toEqual([[44]]);
  });

  it('within the grace period an early probe changes nothing and the commit stays blocked (fts_unblock_primary)', async () => {
    // Grace 30 s / 50 = 600 ms; a probe right after the crash is inside it.
    const c = await start({ ...FAST, timeScale: 50, settings: { gp_fts_probe_interval: 3600 } });
    await c.query('create table g (a int) distributed by (a)');
    await c.query('insert into g select generate_series(1, 40)');
    await synced(c);
    const key = await keyOnEachContent(c, 'g');
    const h0 = await history(c);
    await c.faults.crash(6);
    const blocked = watch(c.query(`insert into g values (${key[0]})`));
    await probe(c);
    // request_retry: the primary asks FTS to look again, nothing is written.
    expect(await pair(c, 0)).toBe('ppsu,mmsu');
    expect(await history(c)).toEqual(h0);
    expect(blocked.settled()).toBe(false);
    // The blocked commit waits in SyncRep on the primary (pg_stat_activity in utility mode).
    const seg = await c.connect({ dbid: 2 });
    const waiting = await seg.query(
      "select wait_event_type, wait_event, state, query from pg_stat_activity where wait_event = 'SyncRep'",
    );
    expect(waiting.rows).toEqual([['IPC', 'SyncRep', 'active', 'COMMIT']]);
    await seg.close();
    // Past the grace period the next probe marks the mirror down and sends SYNCREP_OFF.
    await probeUntil(c, 0, 'ppnu,mmnd');
    await waitFor(() => blocked.settled(), 5000, 'commit released by SYNCREP_OFF');
    expect(blocked.outcome()).toMatchObject({ ok: true });
    const after = await c.connect({ dbid: 2 });
    expect(
      (await after.query("select count(*) from pg_stat_activity where wait_event = 'SyncRep'")).rows,
    ).toEqual([[0]]);
    await after.close();
  });

  it('cancel does not end a commit waiting for sync rep (cancel_commit_pending_replication)', async () => {
    const c = await start({ ...FAST, timeScale: 50, settings: { gp_fts_probe_interval: 3600 } });
    await c.query('create table cc (a int) distributed by (a)');
    await c.query('insert into cc select generate_series(1, 40)');
    await synced(c);
    const key = await keyOnEachContent(c, 'cc');
    await c.faults.crash(6);
    const s = await c.connect();
    const blocked = watch(s.query(`insert into cc values (${key[0]})`));
    const pid = await waitFor(async () => {
      const r = await c.query("select pid from pg_stat_activity where query like 'insert into cc%'");
      return r.rows[0]?.[0] as number | undefined;
    });
    expect((await c.query(`select pg_cancel_backend(${pid})`)).rows).toEqual([[true]]);
    await probe(c);
    expect(blocked.settled()).toBe(false);
    await probeUntil(c, 0, 'ppnu,mmnd');
    await waitFor(() => blocked.settled(), 5000, 'commit released by SYNCREP_OFF');
    const out = blocked.outcome();
    expect(out).toMatchObject({ ok: true });
    expect((out as { value: { notices: string[] } }).value.notices).toContain(
      'WARNING:  ignoring query cancel request for synchronous replication to ensure cluster consistency',
    );
    expect((await c.query(`select count(*) from cc where a = ${key[0]}`)).rows).toEqual([[2]]);
    // A pid that is no backend: false.
    expect((await c.query('select pg_cancel_backend(1)')).rows).toEqual([[false]]);
    await s.close();
  });

  it('with a grace period of 0 the first probe marks the mirror down', async () => {
    const c = await start({
      ...FAST,
      settings: { gp_fts_mark_mirror_down_grace_period: 0, gp_fts_probe_interval: 3600 },
    });
    await synced(c);
    await c.faults.crash(9);
    await probe(c);
    expect(await pair(c, 3)).toBe('ppnu,mmnd');
    expect((await history(c)).slice(-2)).toEqual([upd(5, 3, 'p', 'u', 'n'), upd(9, 3, 'm', 'd', 'n')]);
  });

  it('after SYNCREP_OFF: commits do not wait, gp_stat_replication shows no walsender for the pair', async () => {
    const c = await start();
    await c.query('create table s (a int) distributed by (a)');
    await c.query('insert into s select generate_series(1, 40)');
    await synced(c);
    const key = await keyOnEachContent(c, 's');
    expect(await replication(c)).toEqual([
      [0, 'streaming', 'sync', 'none'],
      [1, 'streaming', 'sync', 'none'],
      [2, 'streaming', 'sync', 'none'],
      [3, 'streaming', 'sync', 'none'],
    ]);
    await c.faults.crash(8);
    await probeUntil(c, 2, 'ppnu,mmnd');
    for (let i = 0; i < 5; i++)
      expect(await within(c.query(`insert into s values (${key[2]})`), 2000)).not.toBe('timeout');
    expect((await replication(c)).map((r) => r[0])).toEqual([0, 1, 3]);
    expect((await c.query('select count(*) from s')).rows).toEqual([[45]]);
  });

  it('a mirror-down history row is written once, not at every probe', async () => {
    const c = await start();
    await synced(c);
    await c.faults.crash(7);
    await probeUntil(c, 1, 'ppnu,mmnd');
    const h1 = await history(c);
    await probe(c);
    await probe(c);
    expect(await history(c)).toEqual(h1);
  });

  it('commit_blocking: with no FTS marking it down, a restarted mirror releases the blocked commit itself', async () => {
    // Probes every hour: nothing but the returning mirror can release the commit.
    const c = await start({ ...FAST, timeScale: 100, settings: { gp_fts_probe_interval: 3600 } });
    await c.query('create table cb (a int) distributed by (a)');
    await c.query('insert into cb select generate_series(1, 10)');
    await synced(c);
    const key = await keyOnEachContent(c, 'cb');
    const h0 = await history(c);
    await c.faults.crash(6);
    const s = await c.connect();
    await s.query('begin');
    await s.query(`insert into cb values (${key[0]})`);
    const commit = watch(s.query('commit'));
    // A direct-dispatched insert to a healthy content succeeds meanwhile.
    await c.query(`insert into cb values (${key[1]})`);
    expect(await within(commit.promise, 200)).toBe('timeout');
    await c.faults.restart(6);
    await waitFor(() => commit.settled(), 5000, 'commit released by the returning mirror');
    expect(commit.outcome()).toMatchObject({ ok: true });
    expect((await c.query('select count(*) from cb')).rows).toEqual([[12]]);
    // FTS never had to write anything.
    expect(await history(c)).toEqual(h0);
    await s.close();
  });
});

describe('a healthy mirror under load', () => {
  it('a write burst on in-sync pairs: the walsender stays streaming, FTS never flips a pair to n', async () => {
    const c = await start();
    await c.query('create table wb (a int, b text) distributed by (a)');
    await synced(c);
    const h0 = await history(c);
    let done = false;
    const seen = new Set<string>();
    const burst = (async () => {
      for (let i = 0; i < 4; i++)
        await c.query(
          `insert into wb select g, repeat('x', 300) from generate_series(${i * 8000 + 1}, ${(i + 1) * 8000}) g`,
        );
      done = true;
    })();
    while (!done) {
      await probe(c);
      for (const r of await replication(c)) seen.add(r[1]);
    }
    await burst;
    expect((await history(c)).slice(h0.length)).toEqual([]);
    // PostgreSQL's walsender goes CATCHUP → STREAMING once per connection and never back.
    expect([...seen]).toEqual(['streaming']);
    expect((await c.query('select count(*) from wb')).rows).toEqual([[32000]]);
  });
});

describe('a mirror that stays down', () => {
  it('its walsender retries every interval and says so once per outage, not once per retry', async () => {
    const c = await start(FAST);
    await c.query('create table wu (a int) distributed by (a)');
    await synced(c);
    const unreachable = record(c, 'walsender.unreachable');
    await c.faults.crash(6);
    // Until FTS marks the mirror down (about 2 probe intervals here), the walsender of dbid 2
    // retries every 25 ms (wal_retrieve_retry_interval 5 s at 200x): dozens of attempts.
    const t0 = clusterNow(c);
    await waitFor(
      async () => (await pair(c, 0)) === 'ppnu,mmnd' && clusterNow(c) - t0 > 500,
      20_000,
      'dbid 6 down',
    );
    expect(unreachable.filter((e) => e.dbid === 2)).toHaveLength(1);
    // Back and gone again: a new outage, a new line.
    await c.faults.restart(6);
    await waitFor(
      async () => (await replication(c)).some(([seg, state]) => seg === 0 && state === 'streaming'),
      20_000,
      'streaming again',
    );
    await c.faults.crash(6);
    await waitFor(
      () => unreachable.filter((e) => e.dbid === 2).length === 2,
      20_000,
      'the second outage reported',
    );
  });
});

describe('wal_sender_timeout', () => {
  it('a mirror whose disk is slower than the timeout is waited for: it answers keepalives meanwhile', async () => {
    // At 100x wal_sender_timeout (1min) is 1 s of wall time; each of the mirror's flushes takes 1.6 s.
    const c = await start({ ...FAST, timeScale: 100 });
    expect((await c.query('show wal_sender_timeout')).rows).toEqual([['1min']]);
    await c.query('create table sd (a int) distributed by (a)');
    await c.query('insert into sd select generate_series(1, 40)');
    await synced(c);
    const key = await keyOnEachContent(c, 'sd');
    const h0 = await history(c);
    const dropped = record(c, 'walsender.disconnected', 'walsender.unreachable');
    await c.faults.slowDisk(6, 1600);
    const t0 = clusterNow(c);
    await c.query(`insert into sd values (${key[0]})`);
    expect(clusterNow(c) - t0).toBeGreaterThanOrEqual(1500);
    expect(dropped).toEqual([]);
    await c.faults.slowDisk(6, 0);
    await probe(c);
    expect(await pair(c, 0)).toBe('ppsu,mmsu');
    expect(await history(c)).toEqual(h0);
  });

  it('0 waits for ever: a cut-off mirror is never given up on, and the commit completes on heal', async () => {
    const c = await start({
      ...FAST,
      timeScale: 100,
      settings: { wal_sender_timeout: 0, gp_fts_probe_interval: 3600 },
    });
    expect((await c.query('show wal_sender_timeout')).rows).toEqual([['0']]);
    await c.query('create table nt (a int) distributed by (a)');
    await c.query('insert into nt select generate_series(1, 40)');
    await synced(c);
    const key = await keyOnEachContent(c, 'nt');
    const dropped = record(c, 'walsender.disconnected', 'walsender.unreachable');
    c.faults.partition([2], [6]);
    const blocked = watch(c.query(`insert into nt values (${key[0]})`));
    // With the default the walsender gives up within 1.5 s here (see the partition scenarios).
    expect(await within(blocked.promise, 2500)).toBe('timeout');
    expect(dropped).toEqual([]);
    c.faults.heal();
    // The message sent into the cut was lost; the next keepalive finds that out and resends.
    // Nominally within 1.5 s of wall time (a ping lost in the cut times out after the 1 s
    // floor, the next one follows 0.5 s later); the deadline guards against a hang and leaves
    // room for a loaded CI machine, where timers fire late.
    await waitFor(() => blocked.settled(), 20_000, 'commit completes after the heal');
    expect(blocked.outcome()).toMatchObject({ ok: true });
  });
});

describe('a healthy mirror under load: failover', () => {
  it('a primary that dies in the middle of a write burst still fails over (the pair was in sync)', async () => {
    const c = await start();
    await c.query('create table fb (a int, b text) distributed by (a)');
    await c.query("insert into fb select g, 'base' from generate_series(1, 1000) g");
    await synced(c);
    let done = false;
    const burst = (async () => {
      for (let i = 1; i <= 6; i++)
        await c.query(
          `insert into fb select g, repeat('x', 300) from generate_series(${i * 8000}, ${i * 8000 + 7999}) g`,
        );
    })()
      .catch((e: unknown) => e)
      .finally(() => (done = true));
    // Probes while WAL pours out; content 0's primary dies right after one of them (as soon as
    // the catalog shows anything but in sync, which Greenplum never shows for a connected mirror,
    // or once the burst is over).
    let seen = 'ppsu,mmsu';
    while (!done && seen === 'ppsu,mmsu') {
      await probe(c);
      seen = await pair(c, 0);
    }
    await c.faults.crash(2);
    await probe(c);
    expect(await pair(c, 0), `pair(0) before the crash: ${seen}`).toBe('mpnd,pmnu');
    await burst;
    expect((await c.query("select count(*) from fb where b = 'base'")).rows).toEqual([[1000]]);
  });
});

describe('sync rep state on the primary (§1.4, §2.5)', () => {
  it('synchronous_standby_names survives a primary restart: a mirror crash right after blocks commits', async () => {
    const c = await start({ ...FAST, timeScale: 100, settings: { gp_fts_probe_interval: 3600 } });
    await c.query('create table ps (a int) distributed by (a)');
    await c.query('insert into ps select generate_series(1, 40)');
    await synced(c);
    const key = await keyOnEachContent(c, 'ps');
    await c.faults.crash(2);
    await c.faults.restart(2);
    // No FTS probe since the restart: sync rep is on from gp_replication.conf.
    await waitFor(
      async () => (await replication(c)).find((r) => r[0] === 0)?.[1] === 'streaming',
      5000,
      'streaming again',
    );
    expect((await replication(c)).find((r) => r[0] === 0)).toEqual([0, 'streaming', 'sync', 'none']);
    await c.faults.crash(6);
    const blocked = watch(c.query(`insert into ps values (${key[0]})`));
    expect(await within(blocked.promise, 150)).toBe('timeout');
    await probeUntil(c, 0, 'ppnu,mmnd');
    await waitFor(() => blocked.settled(), 5000, 'released by SYNCREP_OFF');
    expect(blocked.outcome()).toMatchObject({ ok: true });
    expect((await c.query('select count(*) from ps')).rows).toEqual([[41]]);
  });
});

describe('mirror comes back by itself (event table row 4)', () => {
  it('restart: (m,u) then in sync without gprecoverseg; sync rep is on again', async () => {
    const c = await start({ ...FAST, timeScale: 100 });
    await c.query('create table r (a int) distributed by (a)');
    await c.query('insert into r select generate_series(1, 40)');
    await synced(c);
    const key = await keyOnEachContent(c, 'r');
    await c.faults.crash(6);
    await probeUntil(c, 0, 'ppnu,mmnd');
    await c.query('insert into r select generate_series(41, 400)');
    const h1 = await history(c);
    await c.faults.restart(6);
    await probeUntil(c, 0, 'ppsu,mmsu');
    const added = (await history(c)).slice(h1.length);
    // Either straight to s (both rows), or up-but-catching-up first (mirror row), then s.
    const toSync = [upd(2, 0, 'p', 'u', 's'), upd(6, 0, 'm', 'u', 's')];
    expect([toSync, [upd(6, 0, 'm', 'u', 'n'), ...toSync]]).toContainEqual(added);
    expect((await replication(c)).find((r) => r[0] === 0)).toEqual([0, 'streaming', 'sync', 'none']);
    // Sync rep is back: a new mirror crash blocks commits on content 0 again.
    await c.faults.crash(6);
    const blocked = watch(c.query(`insert into r values (${key[0]})`));
    expect(await within(blocked.promise, 150)).toBe('timeout');
    await probeUntil(c, 0, 'ppnu,mmnd');
    await waitFor(() => blocked.settled(), 5000, 'released');
    expect((await c.query('select count(*) from r')).rows).toEqual([[401]]);
  });

  it('lagging mirror (delayed link): (u,n) in catchup, commits not blocked, then (u,s) once streaming', async () => {
    const c = await start({ ...FAST, timeScale: 100 });
    await c.query('create table lag (a int, b text) distributed by (a)');
    await synced(c);
    await c.faults.crash(6);
    await probeUntil(c, 0, 'ppnu,mmnd');
    // Lots of WAL the mirror lacks, then a slow link to it.
    await c.query("insert into lag select i, repeat('x', 200) from generate_series(1, 30000) i");
    const key = await keyOnEachContent(c, 'lag');
    const h1 = await history(c);
    c.faults.delay(6, 60);
    await c.faults.restart(6);
    await waitFor(
      async () => (await replication(c)).find((r) => r[0] === 0)?.[1] === 'catchup',
      5000,
      'walsender in catchup',
    );
    await probeUntil(c, 0, 'ppnu,mmnu');
    const content0 = async () =>
      (await history(c)).slice(h1.length).filter((h) => h.includes('contentid 0 '));
    expect(await content0()).toEqual([upd(6, 0, 'm', 'u', 'n')]);
    const rep = (await replication(c)).find((r) => r[0] === 0)!;
    expect(rep[1]).toBe('catchup');
    // Not in sync yet: a commit on content 0 does not wait for the slow mirror.
    expect(await within(c.query(`insert into lag values (${key[0]}, 'y')`), 1000)).not.toBe('timeout');
    c.faults.delay(6, 0);
    await probeUntil(c, 0, 'ppsu,mmsu');
    expect(await content0()).toEqual([
      upd(6, 0, 'm', 'u', 'n'),
      upd(2, 0, 'p', 'u', 's'),
      upd(6, 0, 'm', 'u', 's'),
    ]);
    expect((await replication(c)).find((r) => r[0] === 0)).toEqual([0, 'streaming', 'sync', 'none']);
  });

  it('a returning mirror that has not received WAL yet is still down (no (u) before WAL flows)', async () => {
    const c = await start({ ...FAST, timeScale: 100 });
    await c.query('create table nw (a int) distributed by (a)');
    await synced(c);
    await c.faults.crash(6);
    await probeUntil(c, 0, 'ppnu,mmnd');
    await c.query('insert into nw select generate_series(1, 20000)');
    // Every message to the mirror takes long: it identifies, but no chunk is written before the probe.
    c.faults.delay(6, 400);
    await c.faults.restart(6);
    await probe(c);
    expect(await pair(c, 0)).toBe('ppnu,mmnd');
    c.faults.delay(6, 0);
    await probeUntil(c, 0, 'ppsu,mmsu');
  });
});

describe('mirror lag within max_slot_wal_keep_size (event table row 10)', () => {
  it('a lag well inside the limit (64 MB): the returning mirror catches up and is in sync again', async () => {
    const c = await start({ ...FAST, timeScale: 100, settings: { max_slot_wal_keep_size: 64 } });
    await c.query('create table k (a int) distributed by (a)');
    await synced(c);
    await c.faults.crash(6);
    await probeUntil(c, 0, 'ppnu,mmnd');
    await c.query('insert into k select generate_series(1, 2000)');
    await c.query('checkpoint');
    await c.faults.restart(6);
    await probeUntil(c, 0, 'ppsu,mmsu', 5000);
    expect((await replication(c)).find((r) => r[0] === 0)).toEqual([0, 'streaming', 'sync', 'none']);
  });

  it('a lag past the limit (max_slot_wal_keep_size): sync_error walread, the mirror stays down, only -F rebuilds it', async () => {
    const c = await start({
      ...FAST,
      timeScale: 100,
      settings: { max_slot_wal_keep_size: 1, gp_fts_mark_mirror_down_grace_period: 0 },
    });
    await c.query('create table w (a int, b text) distributed by (a)');
    await c.query("insert into w select generate_series(1, 40), ''");
    await synced(c);
    const key = await keyOnEachContent(c, 'w');
    await c.faults.crash(6);
    await probeUntil(c, 0, 'ppnu,mmnd');
    // About 3 MB of WAL on content 0 only, then a checkpoint there: the slot is lost.
    for (let i = 0; i < 6; i++)
      await c.query(`insert into w select ${key[0]}, repeat('x', 500) from generate_series(1, 1000)`);
    await c.query('checkpoint');
    await c.faults.restart(6);
    await waitFor(
      async () => (await replication(c)).find((r) => r[0] === 0)?.[3] === 'walread',
      5000,
      'sync_error walread on content 0',
    );
    await probe(c);
    expect(await pair(c, 0)).toBe('ppnu,mmnd');
    // Incremental recovery cannot help; a full one can.
    expect((await c.run('gprecoverseg -aF')).exitCode).toBe(0);
    await probeUntil(c, 0, 'ppsu,mmsu', 5000);
    expect((await replication(c)).find((r) => r[0] === 0)).toEqual([0, 'streaming', 'sync', 'none']);
    expect((await c.query(`select count(*) from w where a = ${key[0]}`)).rows).toEqual([[6001]]);
  });

  it('an in-sync pair under a 64 MB limit: a checkpoint keeps the slot (sync_error stays none)', async () => {
    const c = await start({ ...FAST, settings: { max_slot_wal_keep_size: 64 } });
    await c.query('create table k (a int, b text) distributed by (a)');
    await synced(c);
    await c.query("insert into k select i, repeat('x', 100) from generate_series(1, 4000) i");
    await c.query('checkpoint');
    await waitFor(
      async () => (await replication(c)).every((r) => r[1] === 'streaming'),
      5000,
      'every walsender streaming',
    );
    expect(await replication(c)).toEqual([
      [0, 'streaming', 'sync', 'none'],
      [1, 'streaming', 'sync', 'none'],
      [2, 'streaming', 'sync', 'none'],
      [3, 'streaming', 'sync', 'none'],
    ]);
  });
});
