/**
 * The worker runtime in Chromium: every instance in its own Web Worker with its own IndexedDB
 * database, linked by MessageChannels the orchestrator hands out. Outcomes are asserted as on
 * the inline runtime: rows, catalog states, errors.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, deleteCluster, type Cluster } from '../../src/workers/index.ts';
import { waitFor } from '../support/wait.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const configOf = async (c: Cluster) =>
  (
    await c.query(
      'select dbid, content, role, preferred_role, mode, status from gp_segment_configuration order by dbid',
    )
  ).rows as [number, number, string, string, string, string][];

const unique = (what: string) => `wrt-${what}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;

describe('worker runtime', () => {
  it('boots 1+1+4x2 instances as workers on IndexedDB, runs SQL, and fails a primary over', async () => {
    const name = unique('failover');
    cluster = await createCluster({
      runtime: 'worker',
      storage: 'indexeddb',
      name,
      mirroring: 'group',
      standby: true,
      timeScale: 100,
    });
    const c = cluster;
    const dbs = (await indexedDB.databases()).map((d) => d.name).filter((n) => n?.startsWith(name));
    expect(dbs.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `${name}-dbid${i + 1}`).sort());
    await c.query('create table t (id int, v text) distributed by (id)');
    await c.query(`insert into t select i, 'v' || i from generate_series(1, 500) i`);
    expect((await c.query('select count(*), sum(id) from t')).rows).toEqual([[500, 125250]]);
    await waitFor(
      async () => (await configOf(c)).every((r) => (r[4] === 's' || r[0] === 1) && r[5] === 'u'),
      30_000,
      'every pair in sync',
    );
    await c.faults.crash(2);
    await waitFor(
      async () => {
        await c.query('select gp_request_fts_probe_scan()');
        return (await configOf(c)).find((r) => r[0] === 2)?.[5] === 'd';
      },
      30_000,
      'dbid 2 marked down',
    );
    const rows = await configOf(c);
    expect(rows.find((r) => r[1] === 0 && r[0] !== 2)?.slice(2)).toEqual(['p', 'm', 'n', 'u']);
    expect((await c.query('select count(*) from t')).rows).toEqual([[500]]);
    await c.query(`insert into t values (501, 'after')`);
    expect((await c.query('select count(*) from t')).rows).toEqual([[501]]);
  });

  it('a mirror failure blocks commits on its pair until FTS marks it down; gprecoverseg brings it back', async () => {
    const c = (cluster = await createCluster({
      runtime: 'worker',
      name: unique('mirror'),
      mirroring: 'group',
      timeScale: 100,
    }));
    await c.query('create table m (a int) distributed by (a)');
    await waitFor(
      async () => (await configOf(c)).every((r) => r[0] === 1 || r[4] === 's'),
      30_000,
      'in sync',
    );
    await c.query('insert into m select generate_series(1, 40)');
    const seg = await c.query('select gp_segment_id, min(a) from m group by 1 order by 1');
    const onContent0 = seg.rows.find((r) => r[0] === 0)![1] as number;
    const onContent1 = seg.rows.find((r) => r[0] === 1)![1] as number;
    await c.faults.crash(6); // content 0's mirror: its worker is terminated
    let done = false;
    const blocked = c.query(`insert into m values (${onContent0})`).then(() => (done = true));
    await c.query(`insert into m values (${onContent1})`);
    expect(done).toBe(false);
    await waitFor(
      async () => {
        await c.query('select gp_request_fts_probe_scan()');
        return (await configOf(c)).find((r) => r[0] === 6)?.[5] === 'd';
      },
      30_000,
      'mirror marked down',
    );
    await blocked;
    expect((await c.query('select count(*) from m')).rows).toEqual([[42]]);
    const r = await c.run('gprecoverseg -a');
    expect(r.exitCode).toBe(0);
    await waitFor(
      async () => {
        await c.query('select gp_request_fts_probe_scan()');
        return (await configOf(c)).every((x) => x[0] === 1 || (x[4] === 's' && x[5] === 'u'));
      },
      30_000,
      'back in sync',
    );
  });

  it('after a failover, gprecoverseg recovers the old primary (pg_rewind in its worker) and -r rebalances', async () => {
    const c = (cluster = await createCluster({
      runtime: 'worker',
      name: unique('rebalance'),
      mirroring: 'group',
      timeScale: 100,
    }));
    await c.query('create table r (a int, b text) distributed by (a)');
    await c.query(`insert into r select i, 'v' from generate_series(1, 300) i`);
    await waitFor(
      async () => (await configOf(c)).every((x) => x[0] === 1 || x[4] === 's'),
      30_000,
      'in sync',
    );
    await c.faults.crash(2);
    await waitFor(
      async () => {
        await c.query('select gp_request_fts_probe_scan()');
        return (await configOf(c)).find((x) => x[0] === 2)?.[5] === 'd';
      },
      30_000,
      'failover',
    );
    await c.query(`insert into r select i, 'after' from generate_series(301, 400) i`);
    const rec = await c.run('gprecoverseg -a');
    expect(rec.exitCode).toBe(0);
    const synced = async () =>
      waitFor(
        async () => {
          await c.query('select gp_request_fts_probe_scan()');
          return (await configOf(c)).every((x) => x[0] === 1 || (x[4] === 's' && x[5] === 'u'));
        },
        30_000,
        'in sync',
      );
    await synced();
    expect((await configOf(c)).find((x) => x[0] === 2)?.slice(2)).toEqual(['m', 'p', 's', 'u']);
    const reb = await c.run('gprecoverseg -ar');
    expect(reb.exitCode).toBe(0);
    await synced();
    expect((await configOf(c)).every((x) => x[2] === x[3])).toBe(true);
    expect((await c.query('select count(*) from r')).rows).toEqual([[400]]);
  });

  it('gpactivatestandby after the coordinator worker dies: catalog and data survive; the old directory stays until moved, across a resume', async () => {
    const name = unique('standby');
    const c = (cluster = await createCluster({ runtime: 'worker', name, standby: true, timeScale: 100 }));
    await c.query('create table s (a int) distributed by (a)');
    await c.query('insert into s select generate_series(1, 100)');
    await c.faults.crash(1);
    await expect(c.query('select 1')).rejects.toMatchObject({ code: '57P03' });
    const r = await c.run('gpactivatestandby -d /data/coordinator/gpseg-1');
    expect(r.stdout).toContain('completed successfully');
    expect(r.exitCode).toBe(0);
    expect((await c.query('select count(*) from s')).rows).toEqual([[100]]);
    const conf = await c.query('select dbid, role from gp_segment_configuration where content = -1');
    expect(conf.rows).toEqual([[6, 'p']]);
    await c.query('insert into s values (101)');
    expect((await c.query('select count(*) from s')).rows).toEqual([[101]]);
    // The old coordinator's directory is still on cdw: moved away, and the move is remembered
    // by the saved topology, so the resumed cluster puts a standby there.
    const dir = '/data/coordinator/gpseg-1';
    expect((await c.run('gpinitstandby -a -s cdw')).stdout).toContain(
      'Data directory already exists on host cdw',
    );
    expect((await c.run(`ssh cdw mv ${dir} ${dir}.old`)).exitCode).toBe(0);
    await c.close();
    const resumed = (cluster = await createCluster({ runtime: 'worker', name, resume: true }));
    expect((await resumed.run(`ssh cdw mv ${dir}.old /data/coordinator/y`)).exitCode).toBe(0);
    const init = await resumed.run('gpinitstandby -a -s cdw');
    expect(init.exitCode, init.stdout).toBe(0);
    expect((await resumed.query('select count(*) from s')).rows).toEqual([[101]]);
    // rm -rf of the moved directory deletes the old coordinator's IndexedDB database.
    const databases = async () => (await indexedDB.databases()).map((d) => d.name);
    expect(await databases()).toContain(`${name}-dbid1`);
    expect((await resumed.run('ssh cdw rm -rf /data/coordinator/y/')).exitCode).toBe(0);
    expect(await databases()).not.toContain(`${name}-dbid1`);
    expect(await databases()).toContain(`${name}-dbid6`);
  });

  it('a primary terminated during its WAL flushes restarts from its database with every acknowledged row', async () => {
    const c = (cluster = await createCluster({ runtime: 'worker', name: unique('flush'), timeScale: 100 }));
    await c.query('create table w (a int) distributed by (a)');
    const acked: number[] = [];
    let stop = false;
    const sessions = await Promise.all([1, 2, 3, 4].map(() => c.connect()));
    const work = sessions.map(async (s, k) => {
      for (let i = k; !stop; i += 4) {
        try {
          await s.query(`insert into w values (${i})`);
          acked.push(i);
        } catch {
          // The content is down: this session's transaction failed (never acknowledged).
        }
      }
    });
    await waitFor(async () => acked.length >= 100, 30_000, '100 commits');
    await c.faults.crash(2);
    await c.faults.restart(2);
    await waitFor(async () => acked.length >= 200, 30_000, '100 more commits');
    stop = true;
    await Promise.all(work);
    const got = new Set((await c.query('select a from w')).rows.map((r) => r[0] as number));
    expect(acked.filter((a) => !got.has(a))).toEqual([]);
  });

  it('a full disk (IndexedDB quota) is the instance failing: its mirror takes over', async () => {
    const c = (cluster = await createCluster({
      runtime: 'worker',
      name: unique('full'),
      mirroring: 'group',
      timeScale: 100,
    }));
    await c.query('create table f (a int) distributed by (a)');
    await waitFor(
      async () => (await configOf(c)).every((x) => x[0] === 1 || x[4] === 's'),
      30_000,
      'in sync',
    );
    c.faults.diskFull(2, true);
    // Writes to content 0 now fail on dbid 2's disk until FTS promotes its mirror.
    await waitFor(
      async () => {
        await c.query('insert into f select generate_series(1, 20)').catch(() => undefined);
        await c.query('select gp_request_fts_probe_scan()');
        return (await configOf(c)).find((x) => x[0] === 2)?.[5] === 'd';
      },
      30_000,
      'the full primary failed over',
    );
    await c.query('insert into f select generate_series(100, 119)');
    expect((await c.query('select count(*) from f where a >= 100')).rows).toEqual([[20]]);
  });

  it("a slow disk (IndexedDB) slows the instance's every commit until it is lifted", async () => {
    const c = (cluster = await createCluster({
      runtime: 'worker',
      name: unique('slow'),
      mirroring: 'group',
      timeScale: 100,
    }));
    await c.query('create table s (a int) distributed by (a)');
    await c.faults.slowDisk(2, 400);
    // Rows on every content: the commit waits for dbid 2's WAL flush, 400 ms at the least.
    const t0 = performance.now();
    await c.query('insert into s select generate_series(1, 20)');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(390);
    await c.faults.slowDisk(2, 0);
    expect((await c.query('select count(*) from s')).rows).toEqual([[20]]);
  });

  it('one page owns a cluster name; two clusters on a page use their own databases', async () => {
    const a = unique('a');
    const b = unique('b');
    cluster = await createCluster({ runtime: 'worker', name: a, timeScale: 100 });
    await expect(createCluster({ runtime: 'worker', name: a })).rejects.toMatchObject({ code: '55006' });
    const other = await createCluster({ runtime: 'worker', name: b, timeScale: 100 });
    try {
      await cluster.query('create table only_a (x int)');
      await expect(other.query('select * from only_a')).rejects.toMatchObject({ code: '42P01' });
      const names = (await indexedDB.databases()).map((d) => d.name ?? '');
      expect(names.filter((n) => n.startsWith(`${a}-`))).toHaveLength(5);
      expect(names.filter((n) => n.startsWith(`${b}-`))).toHaveLength(5);
    } finally {
      await other.close();
    }
    await cluster.close();
    cluster = undefined;
    await deleteCluster(a);
    await deleteCluster(b);
    const left = (await indexedDB.databases()).map((d) => d.name ?? '');
    expect(left.filter((n) => n.startsWith(a) || n.startsWith(b))).toEqual([]);
  });

  for (const replication of ['wal', 'filerep'] as const)
    it(`a page reload in the middle of a workload (${replication} replication): the next page resumes and no acknowledged commit is lost`, async () => {
      const name = unique(`reload-${replication}`);
      const acked = new Set<number>();
      let failure: string | undefined;
      let ready = false;
      const onMessage = (e: MessageEvent<{ kind: string; id?: number; message?: string }>) => {
        if (e.data.kind === 'ack') acked.add(e.data.id!);
        if (e.data.kind === 'ready') ready = true;
        if (e.data.kind === 'error') failure = e.data.message;
      };
      window.addEventListener('message', onMessage);
      const frame = document.createElement('iframe');
      // (Built apart: Vite rewrites a `new URL(template, import.meta.url)` with a variable in it.)
      const page = new URL('./fixtures/reload-page.html', import.meta.url);
      page.search = new URLSearchParams({ name, replication }).toString();
      frame.src = page.href;
      document.body.append(frame);
      try {
        await waitFor(async () => ready || failure, 60_000, 'the page started its cluster');
        expect(failure).toBeUndefined();
        // While the page owns it, this one cannot open it.
        await expect(createCluster({ runtime: 'worker', name, resume: true })).rejects.toMatchObject({
          code: '55006',
        });
        await waitFor(async () => acked.size >= 200, 60_000, '200 acknowledged commits');
      } finally {
        // The reload: the page and every worker it started end at once, mid-commit.
        frame.remove();
        window.removeEventListener('message', onMessage);
      }
      const seen = new Set(acked);
      const c = (cluster = await waitFor(
        () => createCluster({ runtime: 'worker', name, resume: true }).catch(() => undefined),
        10_000,
        'the lock released',
      ));
      const got = new Set((await c.query('select id from acked')).rows.map((r) => r[0] as number));
      expect([...seen].filter((id) => !got.has(id))).toEqual([]);
      expect(got.size).toBeGreaterThanOrEqual(seen.size);
      const inSync = () =>
        waitFor(
          async () => {
            await c.query('select gp_request_fts_probe_scan()');
            return (await configOf(c)).every((x) => x[0] === 1 || (x[4] === 's' && x[5] === 'u'));
          },
          30_000,
          'in sync after the resume',
        );
      if (replication === 'filerep') {
        // Greenplum 5: the restarted primaries cannot know what their mirrors missed; FTS puts
        // them in change tracking, and gprecoverseg resynchronizes each pair.
        await waitFor(
          async () => {
            await c.query('select gp_request_fts_probe_scan()');
            return (await configOf(c)).every((x) => x[1] < 0 || (x[2] === 'p' ? x[4] === 'c' : x[5] === 'd'));
          },
          30_000,
          'every pair in change tracking after the resume',
        );
        expect((await c.run('gprecoverseg -a')).exitCode).toBe(0);
        await inSync();
        // Each mirror has every acknowledged row: fail content 0 over to its mirror.
        await c.faults.crash(2);
        await waitFor(
          async () => {
            await c.query('select gp_request_fts_probe_scan()');
            return (await configOf(c)).find((x) => x[0] === 6)?.[2] === 'p';
          },
          30_000,
          'failover to dbid 6',
        );
        const after = new Set((await c.query('select id from acked')).rows.map((r) => r[0] as number));
        expect([...got].filter((id) => !after.has(id))).toEqual([]);
      } else await inSync(); // mirrors resume streaming
    });
});
