/** Utility-mode sessions, sync rep waits with FTS held, and the walsender hold. */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';
import { waitFor } from '../support/wait.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('utility mode and holds', () => {
  it("the coordinator's pg_stat_replication has its standby's walsender row", async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', standby: true, timeScale: 200 }));
    const utility = await c.connect({ utility: true });
    expect((await utility.query('show gp_role')).rows).toEqual([['utility']]);
    await utility.close();
    expect((await c.query('show gp_role')).rows).toEqual([['dispatch']]);
    const r = await waitFor(async () => {
      const x = await c.query('select application_name, state, sync_state from pg_stat_replication');
      return x.rows.length === 1 && x.rows[0]![1] === 'streaming' ? x : undefined;
    });
    expect(r.rows).toEqual([['gp_walreceiver', 'streaming', 'sync']]);
    expect(r.fields.map((f) => f.name)).not.toContain('gp_segment_id');
  });

  it('a utility-mode session on a primary shows its walsender; a mirror refuses connections', async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    await c.query('select gp_request_fts_probe_scan()');
    const s = await c.connect({ dbid: 2 });
    const r = await waitFor(async () => {
      const x = await s.query('select application_name, state, sync_state from pg_stat_replication');
      return x.rows.length === 1 && x.rows[0]![1] === 'streaming' ? x : undefined;
    });
    expect(r.rows).toEqual([['gp_walreceiver', 'streaming', 'sync']]);
    expect((await s.query('show gp_contentid')).rows).toEqual([['0']]);
    // It is a utility-mode connection (PGOPTIONS='-c gp_role=utility'), and says so.
    expect((await s.query('show gp_role')).rows).toEqual([['utility']]);
    // A user table: the lab keeps table definitions on the coordinator, so it refuses rather
    // than claim the table does not exist (42P01, as it did).
    await c.query('create table um (a int) distributed by (a)');
    await expect(s.query('select count(*) from um')).rejects.toMatchObject({
      code: '0A000',
      message: expect.stringMatching(/^relation "um" cannot be read in a utility-mode session on a segment/),
    });
    // Sync rep is on: '*' as the primary's gp_replication.conf says.
    expect((await s.query('show synchronous_standby_names')).rows).toEqual([['*']]);
    expect((await s.query('select pg_current_wal_lsn()')).rows[0]![0]).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    await s.close();
    await expect(c.connect({ dbid: 6 })).rejects.toMatchObject({
      code: '57P03',
      message: 'the database system is in recovery mode',
    });
  });

  it('commit_blocking: with FTS probes skipped, a commit on the pair waits for the mirror; others do not', async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    await c.query('create table cb (a int) distributed by (a)');
    await c.query('insert into cb select generate_series(1, 40)');
    await c.query('select gp_request_fts_probe_scan()'); // sync rep on
    const on0 = (await c.query('select min(a) from cb where gp_segment_id = 0')).rows[0]![0] as number;
    const on1 = (await c.query('select min(a) from cb where gp_segment_id = 1')).rows[0]![0] as number;
    const skip = c.faults.suspend('fts_probe', 1);
    await c.faults.crash(6);
    let done = false;
    const blocked = c.query(`insert into cb values (${on0})`).then(() => (done = true));
    // A commit routed only to a healthy content succeeds meanwhile.
    await c.query(`insert into cb values (${on1})`);
    await c.query('select gp_request_fts_probe_scan()'); // skipped: nothing changes
    expect(done).toBe(false);
    expect((await c.query('select status from gp_segment_configuration where dbid = 6')).rows).toEqual([
      ['u'],
    ]);
    // The mirror comes back: the blocked commit completes without FTS.
    await c.faults.restart(6);
    await blocked;
    expect(done).toBe(true);
    skip.release();
    expect((await c.query('select count(*) from cb')).rows).toEqual([[42]]);
  });

  it("gpstate -e: an unsynchronized pair's remaining WAL bytes come from its primary's walsender", async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    await c.query('create table u (a int) distributed by (a)');
    const [primary, primaryDbid, mirror, mirrorDbid] = (
      await c.query(
        "select p.port, p.dbid, m.port, m.dbid from gp_segment_configuration p join gp_segment_configuration m on p.content = m.content and m.role = 'm' where p.role = 'p' and p.content = 0",
      )
    ).rows[0]! as [number, number, number, number];
    const pairRow = async () => {
      const out = (await c.run('gpstate -e')).stdout.split('\n');
      const from = out.findIndex((l) => l.includes('Unsynchronized Segment Pairs'));
      if (from < 0) return undefined;
      const row = out.slice(from + 2).find((l) => l.includes(` ${primary} `) && l.includes(` ${mirror}`));
      return row?.trim().split(/\s+/).slice(-3)[0];
    };
    await c.faults.crash(mirrorDbid);
    await waitFor(async () => {
      await c.query('select gp_request_fts_probe_scan()');
      return (await pairRow()) === 'Unknown';
    });
    await c.query('insert into u select generate_series(1, 200)');
    // The mirror runs again before FTS has noticed: the catalog still says Not in Sync, and the
    // primary's walsender (in its own process on the worker runtime) says how far behind it is:
    // held before it sends anything, by all that was written while the mirror was down.
    const skip = c.faults.suspend('fts_probe', 1);
    await skip.reached;
    const hold = c.faults.suspend('wal_sender_loop', primaryDbid);
    await c.faults.restart(mirrorDbid);
    await hold.reached;
    expect(Number(await pairRow())).toBeGreaterThan(0);
    // A primary the coordinator cannot reach is Unknown after gp_segment_connect_timeout.
    await c.faults.partition([1], [primaryDbid]);
    expect(await pairRow()).toBe('Unknown');
    await c.faults.heal();
    hold.release();
    expect(await waitFor(async () => ((await pairRow()) === '0' ? '0' : undefined))).toBe('0');
    skip.release();
  });

  it('the walsender hold keeps a commit waiting until released', async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    await c.query('create table w (a int) distributed by (a)');
    await c.query('insert into w select generate_series(1, 40)');
    await c.query('select gp_request_fts_probe_scan()');
    const on0 = (await c.query('select min(a) from w where gp_segment_id = 0')).rows[0]![0] as number;
    const hold = c.faults.suspend('wal_sender_loop', 2);
    let done = false;
    const waiting = c.query(`insert into w values (${on0})`).then(() => (done = true));
    await hold.reached;
    await c.query('select count(*) from w');
    expect(done).toBe(false);
    hold.release();
    await waiting;
    expect((await c.query('select count(*) from w')).rows).toEqual([[41]]);
  });
});
