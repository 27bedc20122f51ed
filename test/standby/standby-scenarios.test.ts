/**
 * Standby scenarios beyond activation: commit blocking on a standby that does not flush
 * (commit_blocking_on_standby), commits that never wait with no standby connected, the
 * coordinator outage as clients and segments see it, the public API following the acting
 * coordinator, gpinitstandby -n and gpinitstandby while the coordinator serves writes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, SqlError, type Cluster } from '../../src/engine/index.ts';
import { waitFor } from '../support/wait.ts';
import { STANDBY_OPTS, standbyStreaming } from '../support/standby.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const OPTS = STANDBY_OPTS;
const ACTIVATE = 'gpactivatestandby -d /data/coordinator/gpseg-1';

/** Settles to 'pending' when `p` has not settled after the other work queued so far. */
async function stillPending(p: Promise<unknown>, c: Cluster): Promise<boolean> {
  let settled = false;
  void p.then(
    () => (settled = true),
    () => (settled = true),
  );
  // Real round trips through the cluster give a blocked commit every chance to finish.
  for (let i = 0; i < 5; i++) await c.query('select gp_request_fts_probe_scan()');
  return !settled;
}

describe('standby coordinator scenarios', () => {
  it('a commit blocks while the standby is connected but not flushing, and completes when it flushes', async () => {
    const c = (cluster = await createCluster(OPTS));
    await c.query('create table cb (a int) distributed by (a)');
    await standbyStreaming(c);
    const hold = c.faults.suspend('wal_sender_loop', 1);
    const s = await c.connect();
    const ddl = s.query('create table cb2 (a int) distributed by (a)');
    await hold.reached;
    expect(await stillPending(ddl, c)).toBe(true);
    expect(
      (
        await c.query(
          'select wait_event_type, wait_event, query from pg_stat_activity where wait_event is not null',
        )
      ).rows,
    ).toEqual([['IPC', 'SyncRep', 'create table cb2 (a int) distributed by (a)']]);
    // Other sessions' read-only work is not blocked.
    expect((await c.query('select count(*) from cb')).rows).toEqual([[0]]);
    hold.release();
    await ddl;
    expect((await c.query("select count(*) from pg_tables where tablename = 'cb2'")).rows).toEqual([[1]]);
    await s.close();
  });

  it('with no standby connected, coordinator commits never wait', async () => {
    const c = (cluster = await createCluster(OPTS));
    await standbyStreaming(c);
    await c.faults.crash(10);
    await c.query('create table nowait (a int) distributed by (a)');
    await c.query('insert into nowait select generate_series(1, 10)');
    expect((await c.query('select count(*) from nowait')).rows).toEqual([[10]]);
    // The catalog row stays as it was: FTS never updates the standby's row.
    expect(
      (await c.query('select role, mode, status from gp_segment_configuration where dbid = 10')).rows,
    ).toEqual([['m', 's', 'u']]);
    // The summary says so too, flagged.
    expect((await c.run('gpstate')).stdout).toMatch(
      /\[WARNING\]:-Standby coordinator state\s+= Standby host DOWN\s+<<<<<<<</,
    );
    const f = await c.run('gpstate -f');
    expect(f.exitCode).toBe(0);
    expect(f.stdout).toMatch(/Standby address\s*=\s*scdw/);
    expect(f.stdout).toContain('[WARNING]:-   Standby status           = Standby process not running');
    expect(f.stdout).toContain('[WARNING]:-   Standby PID              = 0');
    expect(f.stdout.split('Obtaining Segment details from coordinator...').length).toBe(2);
    // The walsender learns of the loss on its next send or keepalive: not necessarily yet.
    await waitFor(async () => (await c.run('gpstate -f')).stdout.includes('No entries found.'));
  });

  it('coordinator crash: sessions fail clearly, segments keep running, connect() follows the activated standby', async () => {
    const c = (cluster = await createCluster(OPTS));
    await c.query('create table outage (a int) distributed by (a)');
    await c.query('insert into outage select generate_series(1, 100)');
    await standbyStreaming(c);
    const old = await c.connect();
    await c.faults.crash(1);
    const lost = await old.query('select 1').catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(SqlError);
    expect((lost as SqlError).message).toMatch(/connection|coordinator|terminat/i);
    await expect(c.connect()).rejects.toBeInstanceOf(SqlError);
    // Segments keep running through the outage: a utility-mode session on a primary still sees
    // its walsender streaming to its mirror.
    const seg = await c.connect({ dbid: 2 });
    expect((await seg.query('select application_name, state from pg_stat_replication')).rows).toEqual([
      ['gp_walreceiver', 'streaming'],
    ]);
    await seg.close();
    expect((await c.run(ACTIVATE)).exitCode).toBe(0);
    // The old session stays dead; a new one reaches the new coordinator.
    await expect(old.query('select 1')).rejects.toBeInstanceOf(SqlError);
    const fresh = await c.connect();
    expect((await fresh.query('select count(*) from outage')).rows).toEqual([[100]]);
    expect(
      (await fresh.query("select hostname from gp_segment_configuration where content = -1 and role = 'p'"))
        .rows,
    ).toEqual([['scdw']]);
    await fresh.close();
  });

  it('a segment that fails during the coordinator outage is failed over once the standby is activated', async () => {
    const c = (cluster = await createCluster(OPTS));
    await c.query('create table during (a int) distributed by (a)');
    await c.query('insert into during select generate_series(1, 200)');
    await standbyStreaming(c);
    await c.faults.crash(1);
    await c.faults.crash(2);
    expect((await c.run(ACTIVATE)).exitCode).toBe(0);
    await waitFor(async () => {
      await c.query('select gp_request_fts_probe_scan()');
      const r = await c.query('select role, status from gp_segment_configuration where dbid = 2');
      return r.rows[0]![1] === 'd';
    });
    expect((await c.query('select count(*) from during')).rows).toEqual([[200]]);
  });

  it('gpinitstandby -n restarts a stopped standby, which catches up on what it missed', async () => {
    const c = (cluster = await createCluster(OPTS));
    await standbyStreaming(c);
    await c.faults.crash(10);
    await c.query('create table missed (a int) distributed by (a)');
    const r = await c.run('gpinitstandby -n');
    expect(r.exitCode).toBe(0);
    await standbyStreaming(c);
    // What it missed is there after activation.
    await c.query('insert into missed values (1)');
    await c.faults.crash(1);
    expect((await c.run(ACTIVATE)).exitCode).toBe(0);
    expect((await c.query('select count(*) from missed')).rows).toEqual([[1]]);
  });

  it('gpinitstandby -s while the coordinator serves DDL and writes: the new standby has all of it', async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    await c.query('create table busy (a int) distributed by (a)');
    let stop = false;
    let made = 0;
    const writer = (async () => {
      const s = await c.connect();
      while (!stop) {
        await s.query(`create table busy_${made} (a int) distributed by (a)`);
        await s.query(`insert into busy values (${made})`);
        made++;
      }
      await s.close();
    })();
    // The writer is under way before the standby is made, and goes on while it is.
    await waitFor(() => made >= 2, 10_000, 'the writer under way');
    const init = await c.run('gpinitstandby -s scdw -a');
    stop = true;
    await writer;
    expect(init.exitCode).toBe(0);
    expect(made).toBeGreaterThan(0);
    await standbyStreaming(c);
    await c.faults.crash(1);
    const act = await c.run(ACTIVATE);
    expect(act.exitCode).toBe(0);
    expect((await c.query('select count(*) from busy')).rows).toEqual([[made]]);
    expect((await c.query("select count(*) from pg_tables where tablename like 'busy\\_%'")).rows).toEqual([
      [made],
    ]);
  });

  it('an activated standby that crashes recovers as the coordinator, and sees and takes commits', async () => {
    const c = (cluster = await createCluster(OPTS));
    await c.query('create table t (a int, b int) distributed by (a)');
    await c.query('insert into t select i, i from generate_series(1, 8) i');
    await standbyStreaming(c);
    await c.faults.crash(1);
    expect((await c.run(ACTIVATE)).exitCode).toBe(0);
    await c.faults.crash(10);
    await c.faults.restart(10);
    // Its restart is a crash recovery from its end-of-recovery checkpoint, which carries the
    // next distributed xid: rows committed before stay visible, new ones commit after them.
    expect((await c.query('select count(*), sum(b) from t')).rows).toEqual([[8, 36]]);
    await c.query('insert into t values (9, 9)');
    expect((await c.query('select count(*), sum(b) from t')).rows).toEqual([[9, 45]]);
    await c.query('update t set b = b + 1 where a = 1');
    expect((await c.query('select count(*), sum(b) from t')).rows).toEqual([[9, 46]]);
    const conf = await c.query('select dbid, role from gp_segment_configuration where content = -1');
    expect(conf.rows).toEqual([[10, 'p']]);
  });
});
