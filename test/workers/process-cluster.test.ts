/**
 * The worker runtime's orchestration with its processes in this thread: each instance is its
 * own process with its own ports and disk, booted by role, linked on first call, crashed by
 * terminating it. The same outcomes as the inline runtime: rows, catalog states, failover.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createProcessCluster } from '../../src/engine/cluster/create.ts';
import { inThreadSpawner } from '../../src/engine/cluster/in-thread-spawner.ts';
import {
  startsOnResume,
  type ProcessCluster,
  type SavedTopology,
} from '../../src/engine/cluster/process-cluster.ts';
import { realClock } from '../../src/engine/runtime/real-clock.ts';
import { savesAfter, TopologySaves } from '../../src/engine/cluster/topology-saves.ts';
import { linkedModules } from '../../src/engine/node/linked-modules.ts';
import { ModuleLoader, type RoleModules } from '../../src/engine/node/role-modules.ts';
import { waitFor } from '../support/wait.ts';

let cluster: ProcessCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const config = async (c: ProcessCluster) =>
  (
    await c.query(
      'select dbid, content, role, preferred_role, mode, status from gp_segment_configuration order by dbid',
    )
  ).rows;

/** Asks FTS to probe until dbid's row has `value` in column `col` of `config`. */
async function probeUntilRow(c: ProcessCluster, dbid: number, col: number, value: string, what: string) {
  await waitFor(
    async () => {
      await c.query('select gp_request_fts_probe_scan()');
      return (await config(c)).find((x) => x[0] === dbid)?.[col] === value;
    },
    20_000,
    what,
  );
}

describe('process cluster (worker runtime orchestration, in-thread processes)', () => {
  it('boots a mirrored cluster with a standby, one process per instance, and runs SQL', async () => {
    const spawner = inThreadSpawner(realClock);
    cluster = await createProcessCluster({ mirroring: 'group', standby: true, timeScale: 100 }, spawner);
    const c = cluster;
    expect(spawner.disks.size).toBe(10);
    await c.query('create table t (id int, v text) distributed by (id)');
    await c.query(`insert into t select i, 'v' || i from generate_series(1, 100) i`);
    expect((await c.query('select count(*), sum(id) from t')).rows).toEqual([[100, 5050]]);
    expect((await c.query('select gp_segment_id, count(*) from t group by 1 order by 1')).rows).toHaveLength(
      4,
    );
    const rows = await waitFor(
      async () => {
        const r = await config(c);
        return r.every((x) => (x[4] === 's' || x[0] === 1) && x[5] === 'u') ? r : undefined;
      },
      20_000,
      'every pair in sync',
    );
    expect(rows).toHaveLength(10);
    // A utility-mode session on one primary: its walsender to the mirror in another process.
    const u = await c.connect({ dbid: 2 });
    expect((await u.query('select state, sync_state from pg_stat_replication')).rows).toEqual([
      ['streaming', 'sync'],
    ]);
    await u.close();
  });

  it('a crashed primary fails over to its mirror and no committed row is lost', async () => {
    cluster = await createProcessCluster({ mirroring: 'group', timeScale: 200 }, inThreadSpawner(realClock));
    const c = cluster;
    await c.query('create table t (id int) distributed by (id)');
    await waitFor(async () => (await config(c)).every((x) => x[4] === 's' || x[1] === -1), 20_000, 'in sync');
    await c.query('insert into t select i from generate_series(1, 200) i');
    await c.faults.crash(2);
    await waitFor(
      async () => {
        await c.query('select gp_request_fts_probe_scan()');
        const r = await config(c);
        return r.find((x) => x[0] === 2)?.[5] === 'd' ? r : undefined;
      },
      20_000,
      'dbid 2 marked down',
    );
    const rows = await config(c);
    const mirror = rows.find((x) => x[1] === 0 && x[0] !== 2)!;
    expect(mirror[2]).toBe('p');
    expect(mirror[4]).toBe('n');
    expect((await c.query('select count(*) from t')).rows).toEqual([[200]]);
    await c.query('insert into t values (1000)');
    expect((await c.query('select count(*) from t')).rows).toEqual([[201]]);
  });

  it('gprecoverseg -a exits with the former primary up as a mirror; a restart of it before was refused', async () => {
    cluster = await createProcessCluster({ mirroring: 'group', timeScale: 200 }, inThreadSpawner(realClock));
    const c = cluster;
    await waitFor(async () => (await config(c)).every((x) => x[4] === 's' || x[1] === -1), 20_000, 'in sync');
    await c.faults.crash(2);
    await probeUntilRow(c, 2, 2, 'm', 'dbid 2 failed over');
    // A former primary does not start by itself: the restart says so rather than succeeding.
    await expect(c.faults.restart(2)).rejects.toMatchObject({
      code: '55000',
      message: expect.stringContaining('dbid 2 did not start'),
    });
    const r = await c.run('gprecoverseg -a');
    expect(r.exitCode).toBe(0);
    // The FTS probes gprecoverseg triggers have seen the mirror: up as it exits (the Recover
    // advice is gone), in the mode its walsender reached.
    const row = (await config(c)).find((x) => x[0] === 2)!;
    expect(row.slice(2)).toEqual(['m', 'p', expect.stringMatching(/^[sn]$/), 'u']);
  });

  it('gprecoverseg -aF stops and restarts its target without a crash event', async () => {
    cluster = await createProcessCluster({ mirroring: 'group', timeScale: 200 }, inThreadSpawner(realClock));
    const c = cluster;
    await waitFor(async () => (await config(c)).every((x) => x[4] === 's' || x[1] === -1), 20_000, 'in sync');
    await c.faults.crash(6);
    await probeUntilRow(c, 6, 5, 'd', 'dbid 6 marked down');
    const kinds: string[] = [];
    const off = c.subscribe((e) => {
      if (e.dbid === 6) kinds.push(e.kind);
    });
    const r = await c.run('gprecoverseg -aF');
    expect(r.exitCode).toBe(0);
    await waitFor(() => kinds.includes('instance.up'), 20_000, 'dbid 6 up');
    off();
    expect(kinds).not.toContain('instance.crash');
    expect(kinds).toContain('recovery.bytes');
  });

  it('a crashed coordinator loses its sessions and restarts from its disk with every commit', async () => {
    cluster = await createProcessCluster({ timeScale: 200 }, inThreadSpawner(realClock));
    const c = cluster;
    const s = await c.connect();
    await s.query('create table t (id int) distributed by (id)');
    await s.query('insert into t select i from generate_series(1, 50) i');
    await c.faults.crash(1);
    // Crashed, not stopped: the client finds its connection closed (libpq), no server message.
    await expect(s.query('select 1')).rejects.toMatchObject({
      code: '08006',
      message: 'server closed the connection unexpectedly',
    });
    await expect(c.query('select 1')).rejects.toMatchObject({ code: '57P03' });
    await c.faults.restart(1);
    expect((await c.query('select count(*) from t')).rows).toEqual([[50]]);
  });
});

describe('process cluster: ownership and resume', () => {
  it('one owner per name; a resume after an abrupt end recovers every acknowledged commit', async () => {
    const spawner = inThreadSpawner(realClock);
    const opts = { name: 'resumable', mirroring: 'group' as const, timeScale: 200 };
    const a = await createProcessCluster(opts, spawner);
    await expect(createProcessCluster(opts, spawner)).rejects.toMatchObject({ code: '55006' });
    await a.query('create table t (id int) distributed by (id)');
    const acked: number[] = [];
    const s = await a.connect();
    const workload = (async () => {
      for (let i = 1; i <= 10_000; i++) {
        try {
          await s.query(`insert into t values (${i})`);
          acked.push(i);
        } catch {
          return;
        }
      }
    })();
    await waitFor(() => acked.length >= 50, 20_000, '50 commits');
    // The page goes away mid-workload: every process ends, unsynced writes are lost.
    await a.close();
    await workload;
    cluster = await createProcessCluster({ name: 'resumable', resume: true }, spawner);
    const got = (await cluster.query('select id from t')).rows.map((r) => r[0] as number);
    const present = new Set(got);
    expect(acked.filter((i) => !present.has(i))).toEqual([]);
    const rows = (await cluster.query('select count(*) from gp_segment_configuration')).rows;
    expect(rows).toEqual([[9]]);
  });

  it('a cluster stopped with gpstop stays stopped after a resume; gpstart starts it with every row', async () => {
    const spawner = inThreadSpawner(realClock);
    const a = await createProcessCluster({ name: 'stopped', mirroring: 'group', timeScale: 200 }, spawner);
    await a.query('create table t (id int) distributed by (id)');
    await a.query('insert into t select i from generate_series(1, 100) i');
    expect((await a.run('gpstop -a -M fast')).exitCode).toBe(0);
    await a.close();
    cluster = await createProcessCluster({ name: 'stopped', resume: true }, spawner);
    for (const dbid of [1, 2, 6, 9]) {
      const s = await cluster.instanceStatus(dbid);
      expect([s.running, s.stoppedBy]).toEqual([false, 'gpstop']);
    }
    await expect(cluster.query('select 1')).rejects.toMatchObject({
      hint: expect.stringContaining('gpstart -a'),
    });
    expect((await cluster.run('gpstart -a')).exitCode).toBe(0);
    expect((await cluster.query('select count(*) from t')).rows).toEqual([[100]]);
    expect((await cluster.instanceStatus(2)).stoppedBy).toBeUndefined();
  });

  it('a boot saves its topology once, when it is done; a change after it is saved again', async () => {
    const spawner = inThreadSpawner(realClock);
    const saves: string[][] = [];
    const save = spawner.saveTopology!.bind(spawner);
    spawner.saveTopology = async (name, t) => {
      saves.push(t.rows.map((r) => `${r.dbid}${r.role}${r.status}`));
      await save(name, t);
    };
    const opts = { name: 'saved-once', mirroring: 'group' as const, timeScale: 200 };
    const a = await createProcessCluster(opts, spawner);
    // Nine instances recovered and up, one save: the whole topology, every instance up.
    expect(saves).toHaveLength(1);
    expect(saves[0]).toEqual(['1pu', '2pu', '3pu', '4pu', '5pu', '6mu', '7mu', '8mu', '9mu']);
    await a.query('create table t (id int) distributed by (id)');
    await a.crash(2);
    await waitFor(() => saves.at(-1)?.includes('6pu'), 20_000, 'the failover saved');
    expect(saves.at(-1)).toContain('2md');
    await a.close();
    saves.length = 0;
    cluster = await createProcessCluster({ name: 'saved-once', resume: true }, spawner);
    expect(saves).toHaveLength(1);
    expect(saves[0]).toContain('6pu');
  });

  it('during a start only an instance starting waits for its one save; a change of roles is saved at once', async () => {
    const kinds = ['instance.up', 'recovery.start', 'recovery.done', 'fts.promote', 'fts.failover'] as const;
    expect(kinds.map((k) => [k, savesAfter(k, true), savesAfter(k, false)])).toEqual([
      ['instance.up', false, true],
      ['recovery.start', false, true],
      ['recovery.done', false, true],
      ['fts.promote', true, true],
      ['fts.failover', true, true],
    ]);
    expect(savesAfter('walsender.connected', false)).toBe(false);
    let saves = 0;
    const t = new TopologySaves(async () => {
      saves++;
    });
    await t.whileStarting(async () => {
      t.noteEvent('recovery.done');
      t.noteEvent('instance.up');
      await t.settled();
      expect(saves).toBe(0);
      t.noteEvent('fts.promote');
      await t.settled();
      expect(saves).toBe(1);
    });
    expect(saves).toBe(2); // the start's own save, at its end
    t.noteEvent('instance.up');
    await t.settled();
    expect(saves).toBe(3);
  });

  it('a resume starts the instances saved up, neither retired nor stopped by a utility', () => {
    const row = (dbid: number, extra: Partial<SavedTopology['rows'][number]> = {}) => ({
      dbid,
      content: dbid - 2,
      role: 'p' as const,
      preferred_role: 'p' as const,
      mode: 'n' as const,
      status: 'u' as const,
      hostname: 'sdw1',
      address: 'sdw1',
      port: 6000,
      datadir: `/data/gpseg${dbid - 2}`,
      ...extra,
    });
    const rows = [
      row(2),
      row(3, { status: 'd' }),
      row(4, { retired: true }),
      row(5, { stoppedBy: 'gpstop' }),
    ];
    expect(startsOnResume(rows).map((r) => r.dbid)).toEqual([2]);
  });

  it('resume with nothing saved is a clear error', async () => {
    await expect(
      createProcessCluster({ name: 'never-made', resume: true }, inThreadSpawner(realClock)),
    ).rejects.toMatchObject({ code: '42704', message: expect.stringContaining('no saved cluster') });
  });
});

describe('process cluster: time', () => {
  it('pausing cluster time pauses every process (FTS stops probing); resuming restarts it', async () => {
    cluster = await createProcessCluster({ mirroring: 'group', timeScale: 200 }, inThreadSpawner(realClock));
    const c = cluster;
    await waitFor(async () => (await config(c)).every((x) => x[4] === 's' || x[0] === 1), 20_000, 'in sync');
    c.time.pause();
    expect(c.time.paused).toBe(true);
    await c.faults.crash(2);
    // FTS probes every 60 s / 200 = 300 ms of cluster time: none runs while time stands still.
    const until = Date.now() + 1000;
    while (Date.now() < until) {
      expect((await config(c)).find((x) => x[0] === 2)?.[5]).toBe('u');
      await new Promise((r) => setTimeout(r, 100));
    }
    c.time.setSpeed(2);
    expect(c.time.speed).toBe(2);
    await waitFor(
      async () => (await config(c)).find((x) => x[0] === 2)?.[5] === 'd',
      20_000,
      'FTS marks dbid 2 down once time runs',
    );
  });

  it("the orchestrator's cluster clock reads what the coordinator's now() reads, paused and faster", async () => {
    cluster = await createProcessCluster({ timeScale: 200 }, inThreadSpawner(realClock));
    const c = cluster;
    const nowMs = async () => Number((await c.query('select extract(epoch from now()) * 1000')).rows[0]![0]);
    c.time.setSpeed(30);
    await waitFor(async () => (await nowMs()) - Date.now() > 8_000, 20_000, 'cluster time ahead');
    c.time.pause();
    // Paused: both stand still, at the same moment (each process anchors as its message lands;
    // 3 s of cluster time allows 100 ms of message delay at 30x on a busy machine).
    const [ours, theirs] = [c.time.now(), await nowMs()];
    expect(Math.abs(ours - theirs)).toBeLessThan(3_000);
    expect(ours - Date.now()).toBeGreaterThan(8_000);
    // A restarted coordinator joins the cluster's time: it started at the wall's, seconds behind.
    c.time.setSpeed(1);
    await c.faults.crash(1);
    await c.faults.restart(1);
    const [after, coordinator] = [c.time.now(), await nowMs()];
    expect(Math.abs(after - coordinator)).toBeLessThan(1_000);
    expect(coordinator - Date.now()).toBeGreaterThan(7_000);
  });
});

describe("process cluster: a role's code loaded on first need", () => {
  it.each(['wal', 'filerep'] as const)(
    '%s: a mirror promoted while its executor code still loads already runs as the primary',
    async (replication) => {
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      // The promoted mirror's executor code arrives only when the test says so (a slow chunk).
      const delayed = (): RoleModules => {
        const linked = linkedModules();
        const segment = new ModuleLoader(async () => {
          await gate;
          return linked.segment.now();
        });
        return { ...linked, segment };
      };
      const spawner = inThreadSpawner(realClock, (label) =>
        label === 'mirror dbid 6' ? delayed() : linkedModules(),
      );
      cluster = await createProcessCluster({ mirroring: 'group', replication, timeScale: 200 }, spawner);
      const c = cluster;
      await c.query('create table t (id int) distributed by (id)');
      await waitFor(
        async () => (await config(c)).every((x) => x[4] === 's' || x[0] === 1),
        20_000,
        'in sync',
      );
      await c.faults.crash(2);
      // FTS promotes dbid 6; its instance is out of recovery while the code is still on its way.
      const status = await waitFor(
        async () => {
          const s = await c.instanceStatus(6);
          return s.running && s.role === 'primary' ? s : undefined;
        },
        20_000,
        'dbid 6 runs as the primary',
      );
      expect(status.timeline).toBeGreaterThan(0);
      // Until it serves, a gang to content 0 is refused as "in recovery mode", which Greenplum's
      // gang creation retries: with no retries the statement fails saying so ...
      const impatient = await c.connect();
      await impatient.query('set gp_gang_creation_retry_count = 0');
      await expect(impatient.query('select count(*) from t')).rejects.toMatchObject({
        code: '58M01',
        message: 'failed to acquire resources on one or more segments',
        detail: 'Segments are in reset/recovery mode.',
      });
      // ... and with retries it waits for the promotion to finish and answers.
      const patient = await c.connect();
      await patient.query('set gp_gang_creation_retry_count = 128');
      const counted = patient.query('select count(*) from t');
      open();
      expect((await counted).rows).toEqual([[0]]);
      await c.query('insert into t select i from generate_series(1, 20) i');
      expect((await c.query('select count(*) from t')).rows).toEqual([[20]]);
    },
  );
});

describe("process cluster: a primary's executor code loads after the boot", () => {
  it('the boot loads none; once up, each primary loads it once in the background; a failed load is retried by the statement that needs it', async () => {
    const loads = new Map<string, number>();
    let booting = true;
    let loadsWhileBooting = 0;
    // Content 0's primary cannot load its code twice: the background load and the first statement's.
    const failNext = new Map([['primary dbid 2', 2]]);
    const counted = (label: string): RoleModules => {
      const linked = linkedModules();
      const segment = new ModuleLoader(async () => {
        if (booting) loadsWhileBooting++;
        loads.set(label, (loads.get(label) ?? 0) + 1);
        const fails = failNext.get(label) ?? 0;
        if (fails > 0) {
          failNext.set(label, fails - 1);
          throw new Error('the chunk could not be fetched');
        }
        return linked.segment.now();
      });
      return { ...linked, segment };
    };
    const spawner = inThreadSpawner(realClock, (label) =>
      label.startsWith('primary') ? counted(label) : linkedModules(),
    );
    cluster = await createProcessCluster({ mirroring: 'group', timeScale: 100 }, spawner);
    booting = false;
    const c = cluster;
    expect(loadsWhileBooting).toBe(0);
    // Up: every primary loads its executor's code, unasked, once.
    await waitFor(() => loads.size === 4, 20_000, 'each primary loaded its code');
    // Mirrors streaming, DTX recovery done, a checkpoint, pg_stat_replication: no load more.
    await waitFor(async () => (await config(c)).every((x) => x[4] === 's' || x[0] === 1), 20_000, 'in sync');
    await c.query('checkpoint');
    const u = await c.connect({ dbid: 2 });
    expect((await u.query('select state from pg_stat_replication')).rows).toEqual([['streaming']]);
    await u.close();
    expect(Object.fromEntries(loads)).toEqual({
      'primary dbid 2': 1,
      'primary dbid 3': 1,
      'primary dbid 4': 1,
      'primary dbid 5': 1,
    });

    // Content 0's primary failed its load, and fails it again: the statement fails as a gang does, whole.
    await expect(c.query('create table t (id int) distributed by (id)')).rejects.toMatchObject({
      code: '58M01',
      message: 'failed to acquire resources on one or more segments',
      detail: expect.stringContaining('could not start a QE process on segment 0'),
    });
    await expect(c.query('select count(*) from t')).rejects.toMatchObject({ code: '42P01' });
    // The next statement loads it again, and every primary's executor runs.
    await c.query('create table t (id int) distributed by (id)');
    await c.query('insert into t select i from generate_series(1, 100) i');
    expect((await c.query('select count(*) from t')).rows).toEqual([[100]]);
    expect(Object.fromEntries(loads)).toEqual({
      'primary dbid 2': 3,
      'primary dbid 3': 1,
      'primary dbid 4': 1,
      'primary dbid 5': 1,
    });
  });
});
