/**
 * Failover, recovery and rebalance in file replication (Greenplum 5 segment mirroring), with
 * Greenplum 5's catalog states (gparray's VALID_SEGMENT_STATES): synchronized (u,s,u,s), the
 * mirror down (u,c,d,s), resynchronizing (u,r,u,r); a failed-over pair (m,d,s) / (p,u,c).
 */
import { describe, expect, it } from 'vitest';
import type { ClusterOptions } from '../../src/engine/node/api.ts';
import type { Cluster } from '../../src/engine/index.ts';
import {
  historyWithDbid,
  keyOnEachContent,
  pair,
  pairs,
  probe,
  probeUntil,
  upd,
  useCluster,
  waitFor,
  watch,
} from '../mirroring/scenarios/helpers.ts';

/** Group mirroring, Greenplum's timings divided by 200, FTS probing only when asked. */
const FILEREP: ClusterOptions = {
  mirroring: 'group',
  timeScale: 200,
  replication: 'filerep',
  settings: { gp_fts_probe_interval: 3600 },
};
const start = useCluster();

const PRIMARY = [2, 3, 4, 5];
const MIRROR = [6, 7, 8, 9];

async function fileRep(c: Cluster, dbid: number) {
  const s = await c.instanceStatus(dbid);
  expect(s.fileRep, `dbid ${dbid} reports its file replication state`).toBeDefined();
  return s.fileRep!;
}

/** Probes until every pair is synchronized again (a resynchronization has finished). */
async function resynchronized(c: Cluster, contents = 4): Promise<void> {
  await waitFor(
    async () => {
      await probe(c);
      const r = await c.query(
        "select count(*) from gp_segment_configuration where content >= 0 and (mode <> 's' or status <> 'u')",
      );
      return Number(r.rows[0]![0]) === 0;
    },
    15_000,
    `all ${contents} pairs synchronized`,
  );
}

async function totals(c: Cluster) {
  return (await c.query('select gp_segment_id, count(*), sum(b) from t group by 1 order by 1')).rows;
}

describe('file replication: the Greenplum 5 catalog', () => {
  it('boots synchronized; gp_segment_configuration has replication_port; mirrors run passive', async () => {
    const c = await start(FILEREP);
    expect(await pairs(c)).toEqual(['ppsu,mmsu', 'ppsu,mmsu', 'ppsu,mmsu', 'ppsu,mmsu']);
    const r = await c.query('select * from gp_segment_configuration order by dbid');
    expect(r.fields.map((x) => x.name)).toEqual([
      'dbid',
      'content',
      'role',
      'preferred_role',
      'mode',
      'status',
      'port',
      'hostname',
      'address',
      'replication_port',
      'datadir',
    ]);
    for (const row of r.rows) {
      const [dbid, content, , , , , port, , , replicationPort] = row;
      expect(replicationPort, `dbid ${dbid}`).toBe((content as number) < 0 ? null : (port as number) + 2000);
    }
    expect(await fileRep(c, 2)).toMatchObject({ role: 'primary', mode: 's', changeTrackingBlocks: 0 });
    const m = await c.instanceStatus(6);
    expect(m).toMatchObject({ running: true, role: 'mirror', fileRep: { role: 'mirror' } });
    expect(m.fileRep!.blocksApplied).toBeGreaterThan(0); // gpinitsystem's full copy
    const state = await c.run('gpstate -m');
    expect(state.stdout).toMatch(/sdw2\s+\S+\s+7000\s+Passive\s+Synchronized/);
  });
});

describe('file replication: primary failure', () => {
  for (const content of [0, 3]) {
    it(`content ${content}: the mirror becomes the primary in Change Tracking, every committed row served`, async () => {
      const c = await start(FILEREP);
      await c.query('create table t (a int, b int) distributed by (a)');
      await c.query('insert into t select i, i * 3 from generate_series(1, 800) i');
      const before = await totals(c);
      const h0 = (await historyWithDbid(c)).length;
      const [p, m] = [PRIMARY[content]!, MIRROR[content]!];
      await c.faults.crash(p);
      await probe(c);
      const all = await pairs(c);
      expect(all[content]).toBe('mpsd,pmcu');
      for (let i = 0; i < 4; i++) if (i !== content) expect(all[i]).toBe('ppsu,mmsu');
      expect((await historyWithDbid(c)).slice(h0)).toEqual([
        [p, upd(p, content, 'm', 'd', 's')],
        [m, upd(m, content, 'p', 'u', 'c')],
      ]);
      // The promoted mirror started from its files and applied the replicated log.
      expect(await totals(c)).toEqual(before);
      // It tracks what changes from now on, on its own disk.
      await c.query('insert into t select i, i * 3 from generate_series(801, 1600) i');
      await c.query('checkpoint');
      const s = await fileRep(c, m);
      expect(s.mode).toBe('c');
      expect(s.changeTrackingBlocks).toBeGreaterThan(0);
      expect(s.changeTrackingBytes).toBeGreaterThan(0);
      const e = await c.run('gpstate -e');
      expect(e.stdout).toContain('Segment Pairs in Change Tracking');
      expect(e.stdout).toContain('Segments with Primary and Mirror Roles Switched');
      expect((await c.query('select count(*) from t')).rows).toEqual([[1600]]);
    });
  }

  it('a primary that restarts before FTS sees it starts in Change Tracking; FTS marks its mirror down', async () => {
    const c = await start(FILEREP);
    await c.query('create table t (a int, b int) distributed by (a)');
    await c.query('insert into t select i, i from generate_series(1, 400) i');
    await c.faults.crash(2);
    await c.faults.restart(2);
    await probe(c);
    expect(await pair(c, 0)).toBe('ppcu,mmsd');
    expect((await fileRep(c, 2)).mode).toBe('c');
    const r = await c.run('gprecoverseg -a');
    expect(r.exitCode).toBe(0);
    await resynchronized(c);
    expect((await c.query('select count(*) from t')).rows).toEqual([[400]]);
  });
});

describe('file replication: mirror failure', () => {
  it('a commit on the pair waits until FTS moves the primary to Change Tracking; other contents commit', async () => {
    const c = await start(FILEREP);
    await c.query('create table m (a int) distributed by (a)');
    await c.query('insert into m select generate_series(1, 40)');
    const key = await keyOnEachContent(c, 'm');
    const h0 = (await historyWithDbid(c)).length;
    await c.faults.crash(6);
    const held = watch(c.query(`insert into m values (${key[0]})`));
    for (const content of [1, 2, 3]) await c.query(`insert into m values (${key[content]})`);
    expect(held.settled()).toBe(false);
    expect((await fileRep(c, 2)).faulted).toBe(true);
    await probeUntil(c, 0, 'ppcu,mmsd');
    await waitFor(() => held.settled(), 5000, 'held commit released');
    expect(held.outcome()).toMatchObject({ ok: true });
    expect((await historyWithDbid(c)).slice(h0)).toEqual([
      [2, upd(2, 0, 'p', 'u', 'c')],
      [6, upd(6, 0, 'm', 'd', 's')],
    ]);
    expect((await c.query('select count(*) from m')).rows).toEqual([[44]]);
  });
});

describe('file replication: gprecoverseg', () => {
  it('incremental: sends the blocks the change tracking log names, with progress in gpstate, then Synchronized', async () => {
    const c = await start(FILEREP);
    await c.query('create table t (a int, b int) distributed by (a)');
    await c.query('insert into t select i, i from generate_series(1, 2000) i');
    await c.query('checkpoint');
    await c.faults.crash(6);
    // FTS finds the mirror gone (the primary's connection to it is), before anything is written.
    await probe(c);
    expect(await pair(c, 0)).toBe('ppcu,mmsd');
    await c.query('insert into t select i, i from generate_series(2001, 4000) i');
    await c.query('checkpoint');
    const tracked = (await fileRep(c, 2)).changeTrackingBlocks;
    expect(tracked).toBeGreaterThan(0);
    const hold = c.faults.suspend('filerep_resync', 2);
    const run = c.run('gprecoverseg -a');
    await hold.reached;
    // Mid-way: resynchronizing, with gpstate's progress figures.
    expect(await pair(c, 0)).toBe('ppru,mmru');
    const during = await fileRep(c, 2);
    expect(during.mode).toBe('r');
    expect(during.resync!.tracked).toBe(tracked);
    hold.release();
    const r = await run;
    expect(r.exitCode).toBe(0);
    const planned = during.resync!.total;
    expect(r.stdout).toContain(
      `sdw2 (dbid 6): incremental resynchronization of ${planned} blocks from dbid 2 (${tracked} in the change tracking log, ${planned - tracked} in flight when the pair failed)`,
    );
    expect(r.stdout).toContain('Use  gpstate -s  to check the resynchronization progress.');
    await resynchronized(c);
    const done = (await fileRep(c, 2)).lastResync!;
    expect(done).toMatchObject({ full: false, tracked, blocks: planned });
    // Far fewer blocks than the segment has: only what changed while the mirror was down.
    const full = await c.run('gpstate -s');
    expect(full.stdout).toMatch(/Mirror status\s+= Synchronized/);
    expect((await c.query('select count(*) from t')).rows).toEqual([[4000]]);
    // The resynchronized mirror has every row: fail over to it.
    await c.faults.crash(2);
    await probe(c);
    expect(await pair(c, 0)).toBe('mpsd,pmcu');
    expect((await c.query('select count(*) from t')).rows).toEqual([[4000]]);
  });

  it('rebalance: resynchronizes from the promoted mirror only once it runs as the primary', async () => {
    const c = await start(FILEREP);
    await c.query('create table t (a int, b int) distributed by (a)');
    await c.query('insert into t select i, i from generate_series(1, 2000) i');
    await c.query('checkpoint');
    await c.faults.crash(2);
    await probe(c);
    expect(await pair(c, 0)).toBe('mpsd,pmcu');
    expect((await c.run('gprecoverseg -a')).exitCode).toBe(0);
    await resynchronized(c);
    // FTS records dbid 2's promotion in the catalog before its instance starts (held here):
    // the rebalance must not copy from it yet. It used to fail "Primary segment is not up for
    // content 0" (exit 2) and leave the pair unsynchronized until another gprecoverseg.
    const hold = c.faults.suspend('filerep_transition_to_primary', 2);
    let finished = false;
    const run = c.run('gprecoverseg -ar').finally(() => (finished = true));
    await hold.reached;
    await waitFor(
      async () =>
        (await c.query('select role from gp_segment_configuration where dbid = 2')).rows[0]![0] === 'p',
      10_000,
      'the promotion in the catalog',
    );
    // The rebalance keeps asking FTS to probe while it waits (on every runtime: a process in
    // another thread is asked what it runs as); the broken one finished instead.
    let cycles = 0;
    const off = c.subscribe((e) => {
      if (e.kind === 'fts.cycle') cycles++;
    });
    await waitFor(async () => finished || cycles >= 5, 30_000, 'the rebalance to finish or to keep probing');
    off();
    expect(finished, 'the rebalance waits while the promoted mirror has not started').toBe(false);
    hold.release();
    const r = await run;
    expect(r.stdout).not.toContain('Primary segment is not up');
    expect(r.exitCode).toBe(0);
    await resynchronized(c);
    expect(await pair(c, 0)).toBe('ppsu,mmsu');
    expect((await c.query('select count(*) from t')).rows).toEqual([[2000]]);
  });

  it('gpstate -e and -s while resynchronizing: mode, progress, total, change tracking size', async () => {
    const c = await start(FILEREP);
    await c.query('create table t (a int, b int) distributed by (a)');
    await c.faults.crash(6);
    await probe(c);
    await c.query('insert into t select i, i from generate_series(1, 3000) i');
    await c.query('checkpoint');
    const hold = c.faults.suspend('filerep_resync', 2);
    const run = c.run('gprecoverseg -a');
    await hold.reached;
    await waitFor(
      async () => (await pair(c, 0)) === 'ppru,mmru' || (await probe(c), false),
      5000,
      'resync state',
    );
    const e = await c.run('gpstate -e');
    expect(e.stdout).toContain('Segment Pairs in Resynchronization');
    expect(e.stdout).toMatch(/sdw1\s+6000\s+Incremental\s+\d+%\s+\d+ kB/);
    const s = await c.run('gpstate -s');
    expect(s.stdout).toMatch(/Mirror status\s+= Resynchronizing/);
    expect(s.stdout).toMatch(/Resynchronization mode\s+= Incremental/);
    expect(s.stdout).toMatch(/Estimated resync progress with mirror = \d+%/);
    hold.release();
    await run;
    await resynchronized(c);
  });

  it('-F: a full resynchronization sends every block; the mirror can take over with every row', async () => {
    const c = await start(FILEREP);
    await c.query('create table t (a int, b int) distributed by (a)');
    await c.query('insert into t select i, i from generate_series(1, 1000) i');
    await c.faults.crash(2);
    await probe(c);
    expect(await pair(c, 0)).toBe('mpsd,pmcu');
    await c.query('insert into t select i, i from generate_series(1001, 2000) i');
    const r = await c.run('gprecoverseg -aF');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/sdw1 \(dbid 2\): full resynchronization of \d+ blocks from dbid 6/);
    await resynchronized(c);
    expect((await fileRep(c, 6)).lastResync).toMatchObject({ full: true });
    expect(await pair(c, 0)).toBe('mpsu,pmsu');
    // Rebalance: back to preferred roles, through a failover and an incremental resync.
    const rb = await c.run('gprecoverseg -ar');
    expect(rb.exitCode).toBe(0);
    await resynchronized(c);
    expect(await pairs(c)).toEqual(['ppsu,mmsu', 'ppsu,mmsu', 'ppsu,mmsu', 'ppsu,mmsu']);
    expect((await c.query('select count(*), sum(b) from t')).rows).toEqual([[2000, 2001000]]);
  });

  it('--differential is refused in file replication, with what to run instead', async () => {
    const c = await start(FILEREP);
    await c.faults.crash(6);
    await probe(c);
    const r = await c.run('gprecoverseg -a --differential');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('use gprecoverseg (incremental) or gprecoverseg -F');
  });

  it('a mirror that fails during resynchronization: back to Change Tracking with nothing lost; a second run completes', async () => {
    const c = await start(FILEREP);
    await c.query('create table t (a int, b int) distributed by (a)');
    await c.faults.crash(6);
    await probe(c);
    await c.query('insert into t select i, i from generate_series(1, 2000) i');
    await c.query('checkpoint');
    const hold = c.faults.suspend('filerep_resync', 2);
    const run = c.run('gprecoverseg -a');
    await hold.reached;
    await c.faults.crash(6);
    hold.release();
    await run;
    await probeUntil(c, 0, 'ppcu,mmrd');
    expect((await fileRep(c, 2)).mode).toBe('c');
    const again = await c.run('gprecoverseg -a');
    expect(again.exitCode).toBe(0);
    await resynchronized(c);
    await c.faults.crash(2);
    await probe(c);
    expect((await c.query('select count(*) from t')).rows).toEqual([[2000]]);
  });
});

describe('file replication: more failures', () => {
  it('double fault: with the mirror down, a failed primary is not failed over; the history says so', async () => {
    const c = await start(FILEREP);
    await c.query('create table t (a int, b int) distributed by (a)');
    await c.query('insert into t select i, i from generate_series(1, 100) i');
    await c.faults.crash(6);
    await probe(c);
    expect(await pair(c, 0)).toBe('ppcu,mmsd');
    await c.faults.crash(2);
    await probe(c);
    // Nothing to promote: the rows stay, FTS records the double fault.
    expect(await pair(c, 0)).toBe('ppcu,mmsd');
    expect((await historyWithDbid(c)).map(([, d]) => d)).toContain(
      'FTS: double fault detected for content id 0',
    );
    // The primary comes back from its disk, its change tracking log with it.
    await c.faults.restart(2);
    await probe(c);
    expect((await fileRep(c, 2)).mode).toBe('c');
    expect((await c.query('select count(*) from t')).rows).toEqual([[100]]);
    expect((await c.run('gprecoverseg -a')).exitCode).toBe(0);
    await resynchronized(c);
  });

  it('a host fails: its primaries fail over into Change Tracking, its mirrors are marked down', async () => {
    const c = await start(FILEREP);
    await c.query('create table t (a int, b int) distributed by (a)');
    await c.query('insert into t select i, i from generate_series(1, 400) i');
    await c.faults.crash('sdw1'); // primaries 2, 3 (contents 0, 1); mirrors 8, 9 (contents 2, 3)
    await probe(c);
    await probe(c);
    expect(await pairs(c)).toEqual(['mpsd,pmcu', 'mpsd,pmcu', 'ppcu,mmsd', 'ppcu,mmsd']);
    expect((await c.query('select count(*) from t')).rows).toEqual([[400]]);
    await c.query('insert into t select i, i from generate_series(401, 800) i');
    expect((await c.run('gprecoverseg -a')).exitCode).toBe(0);
    await resynchronized(c);
    expect((await c.run('gprecoverseg -ar')).exitCode).toBe(0);
    await resynchronized(c);
    expect(await pairs(c)).toEqual(['ppsu,mmsu', 'ppsu,mmsu', 'ppsu,mmsu', 'ppsu,mmsu']);
    expect((await c.query('select count(*) from t')).rows).toEqual([[800]]);
  });

  it('gpaddmirrors on a mirrorless cluster: (m, d, r) rows, a full resynchronization each, then synchronized', async () => {
    const c = await start({ ...FILEREP, mirroring: 'none' });
    await c.query('create table t (a int, b int) distributed by (a)');
    await c.query('insert into t select i, i from generate_series(1, 500) i');
    // A mirrorless primary tracks nothing.
    expect((await fileRep(c, 2)).changeTrackingBlocks).toBe(0);
    const r = await c.run('gpaddmirrors -a');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('full resynchronization started');
    await resynchronized(c);
    const mirrors = await c.query(
      "select dbid from gp_segment_configuration where role = 'm' and content >= 0 order by dbid",
    );
    expect(mirrors.rows.length).toBe(4);
    // A mirror can take over with every row.
    const primaryOf0 = (
      await c.query("select dbid from gp_segment_configuration where content = 0 and role = 'p'")
    ).rows[0]![0] as number;
    await c.faults.crash(primaryOf0);
    await probe(c);
    expect((await pair(c, 0)).split(',').sort()).toEqual(['mpsd', 'pmcu'].sort());
    expect((await c.query('select count(*) from t')).rows).toEqual([[500]]);
  });
});

describe('planned maintenance in file replication', () => {
  it('gpstop after a mirror died: its primary cannot finish its shutdown checkpoint (no FTS to mark the mirror down); after -t seconds gpstop reports it, exit 2, and gpstart brings every row back', async () => {
    const c = await start(FILEREP);
    await c.query('create table m (a int) distributed by (a)');
    await c.query('insert into m select generate_series(1, 200)');
    await resynchronized(c);
    await c.faults.crash(6);
    const r = await c.run('gpstop -a -M fast');
    expect(r.exitCode, r.stdout).toBe(2);
    expect(r.stdout).toContain(
      "DBID:2  FAILED  host:'sdw1' datadir:'/data/primary/gpseg0' with reason:'pg_ctl: server does not shut down'",
    );
    expect(r.stdout).toContain('1 segments did not complete their shutdown in the allowed');
    expect(r.stdout).toContain('timeout of 120 seconds.  These segments are still in the process');
    expect(r.stdout).not.toContain('Database successfully shutdown');
    expect((await c.instanceStatus(2)).running).toBe(false);
    const s = await c.run('gpstart -a');
    expect(s.exitCode, s.stdout).toBe(0);
    let count: unknown;
    await waitFor(
      async () => {
        await probe(c);
        count = await c.query('select count(*) from m').then(
          (x) => x.rows,
          () => undefined,
        );
        return count !== undefined;
      },
      15_000,
      'the table answers after gpstart',
    );
    expect(count).toEqual([[200]]);
  });
});
