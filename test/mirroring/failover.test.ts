/**
 * Segment mirroring, FTS and failover: the rows of greenplum-ha.md's event table (§2.6) and
 * the isolation2 scenarios of §7.1 that apply, asserted on catalog rows, history rows, what
 * clients see and the data.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, SqlError, type Cluster } from '../../src/engine/index.ts';
import { waitFor } from '../support/wait.ts';

const FAST = { mirroring: 'group' as const, timeScale: 200 };
let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function pair(c: Cluster, content: number): Promise<string[]> {
  const r = await c.query(
    `select role, preferred_role, mode, status from gp_segment_configuration where content = ${content} order by preferred_role desc`,
  );
  return r.rows.map((x) => x.join(''));
}

async function history(c: Cluster): Promise<string[]> {
  return (await c.query('select "desc" from gp_configuration_history order by time')).rows.map(
    (r) => r[0] as string,
  );
}

async function probe(c: Cluster): Promise<void> {
  await c.query('select gp_request_fts_probe_scan()');
}

async function synced(c: Cluster): Promise<void> {
  await waitFor(
    async () => {
      await probe(c);
      const r = await c.query(
        "select count(*) from gp_segment_configuration where content >= 0 and (mode <> 's' or status <> 'u')",
      );
      return r.rows[0]![0] === 0;
    },
    10_000,
    'every pair in sync',
  );
}

describe('segment mirroring and FTS', () => {
  it('a new mirrored cluster is in sync and streams to every mirror', async () => {
    const c = (cluster = await createCluster(FAST));
    const conf = await c.query(
      'select dbid, content, role, preferred_role, mode, status, hostname from gp_segment_configuration order by dbid',
    );
    expect(conf.rows).toEqual([
      [1, -1, 'p', 'p', 'n', 'u', 'cdw'],
      [2, 0, 'p', 'p', 's', 'u', 'sdw1'],
      [3, 1, 'p', 'p', 's', 'u', 'sdw1'],
      [4, 2, 'p', 'p', 's', 'u', 'sdw2'],
      [5, 3, 'p', 'p', 's', 'u', 'sdw2'],
      [6, 0, 'm', 'm', 's', 'u', 'sdw2'],
      [7, 1, 'm', 'm', 's', 'u', 'sdw2'],
      [8, 2, 'm', 'm', 's', 'u', 'sdw1'],
      [9, 3, 'm', 'm', 's', 'u', 'sdw1'],
    ]);
    await c.query('create table t (a int) distributed by (a)');
    await c.query('insert into t select generate_series(1, 500)');
    await synced(c);
    const rep = await waitFor(async () => {
      const r = await c.query(
        "select gp_segment_id, application_name, state, sync_state, sync_error from gp_stat_replication where state = 'streaming'",
      );
      return r.rows.length === 4 ? r : undefined;
    });
    expect(rep.rows.map((r) => r[0])).toEqual([0, 1, 2, 3]);
    expect(rep.rows.every((r) => r[1] === 'gp_walreceiver' && r[3] === 'sync' && r[4] === 'none')).toBe(true);
  });

  it('primary crash: FTS swaps the roles, promotes the mirror, no committed row is lost', async () => {
    const c = (cluster = await createCluster(FAST));
    await c.query('create table t (a int, b text) distributed by (a)');
    await c.query("insert into t select i, 'v' || i from generate_series(1, 1000) i");
    await synced(c);
    await c.faults.crash(2);
    await probe(c);
    expect(await pair(c, 0)).toEqual(['mpnd', 'pmnu']);
    const h = await history(c);
    expect(h.slice(-2)).toEqual([
      'FTS: update role, status, and mode for dbid 2 with contentid 0 to m, d, and n',
      'FTS: update role, status, and mode for dbid 6 with contentid 0 to p, u, and n',
    ]);
    // Sessions with no open transaction carry on, on the promoted mirror.
    expect((await c.query('select count(*), min(a), max(a) from t')).rows).toEqual([[1000, 1, 1000]]);
    await c.query("insert into t values (1001, 'after')");
    expect((await c.query('select count(*) from t')).rows).toEqual([[1001]]);
  });

  it('an open transaction that used the failed primary gets "gang was lost"', async () => {
    const c = (cluster = await createCluster(FAST));
    await c.query('create table g (a int) distributed by (a)');
    await synced(c);
    const s = await c.connect();
    await s.query('begin');
    await s.query('insert into g select generate_series(1, 20)');
    await c.faults.crash(2);
    await probe(c);
    await expect(s.query('insert into g values (21)')).rejects.toMatchObject({
      message: 'gang was lost due to cluster reconfiguration',
    });
    await expect(s.query('select count(*) from g')).rejects.toMatchObject({ code: '25P02' });
    await s.query('end');
    expect((await c.query('select count(*) from g')).rows).toEqual([[0]]);
    await s.close();
  });

  it('mirror crash: commits on that pair block until FTS marks the mirror down, others never block', async () => {
    const c = (cluster = await createCluster({ ...FAST, timeScale: 100 }));
    await c.query('create table m (a int) distributed by (a)');
    await synced(c);
    await c.query('insert into m select generate_series(1, 40)');
    const seg = await c.query('select gp_segment_id, min(a) from m group by 1 order by 1');
    const onContent0 = seg.rows.find((r) => r[0] === 0)![1] as number;
    const onContent1 = seg.rows.find((r) => r[0] === 1)![1] as number;
    await c.faults.crash(6); // content 0's mirror
    let done = false;
    const blocked = c.query(`insert into m values (${onContent0})`).then(() => (done = true));
    // A commit on another content is not affected.
    await c.query(`insert into m values (${onContent1})`);
    expect(done).toBe(false);
    await waitFor(
      async () => {
        await probe(c);
        return (await pair(c, 0)).join() === 'ppnu,mmnd';
      },
      10_000,
      'mirror marked down',
    );
    await blocked;
    expect(done).toBe(true);
    expect(await history(c)).toContain(
      'FTS: update role, status, and mode for dbid 6 with contentid 0 to m, d, and n',
    );
    // The mirror comes back by itself: up, then in sync, without gprecoverseg.
    await c.faults.restart(6);
    await waitFor(
      async () => {
        await probe(c);
        return (await pair(c, 0)).join() === 'ppsu,mmsu';
      },
      10_000,
      'mirror back in sync',
    );
    expect((await c.query('select count(*) from m')).rows).toEqual([[42]]);
  });

  it('double fault: nothing changes, the content is unavailable, a history row says why', async () => {
    const c = (cluster = await createCluster(FAST));
    await c.query('create table d (a int) distributed by (a)');
    await synced(c);
    await c.faults.crash(6);
    await waitFor(async () => {
      await probe(c);
      return (await pair(c, 0)).join() === 'ppnu,mmnd';
    });
    await c.faults.crash(2);
    await probe(c);
    expect(await pair(c, 0)).toEqual(['ppnu', 'mmnd']);
    expect(await history(c)).toContain('FTS: double fault detected for content id 0');
    await expect(c.query('select count(*) from d')).rejects.toBeInstanceOf(SqlError);
  });

  it('mirrorless cluster: a down segment is only recorded in the history', async () => {
    const c = (cluster = await createCluster({ timeScale: 200 }));
    await c.faults.crash(2);
    await probe(c);
    expect((await c.query("select count(*) from gp_segment_configuration where status = 'd'")).rows).toEqual([
      [0],
    ]);
    expect(await history(c)).toContain('FTS: content id 0 dbid 2 is down');
    await c.faults.restart(2);
    await probe(c);
    expect(await history(c)).toContain('FTS: content id 0 dbid 2 is now up');
  });

  it('whole host failure: group mirroring puts every promoted primary on one host', async () => {
    const c = (cluster = await createCluster({ ...FAST, hosts: ['sdw1', 'sdw2', 'sdw3'] }));
    await c.query('create table h (a int) distributed by (a)');
    await c.query('insert into h select generate_series(1, 300)');
    await synced(c);
    await c.faults.crash('sdw1');
    await probe(c);
    const acting = await c.query(
      "select hostname, count(*) from gp_segment_configuration where role = 'p' and content >= 0 group by 1 order by 1",
    );
    expect(acting.rows).toEqual([
      ['sdw2', 4],
      ['sdw3', 2],
    ]);
    expect((await c.query('select count(*) from h')).rows).toEqual([[300]]);
  });
});
