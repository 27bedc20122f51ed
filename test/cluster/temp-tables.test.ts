/**
 * Temporary tables (issue 22, and issue 20's failover reset): a session's own, hiding a table
 * of the same name, transactional, gone when the session closes; after a failover took one of
 * the session's segment connections, the next statement fails with Greenplum's "gang was lost
 * due to cluster reconfiguration" and the temporary tables are gone. Inline and worker runtimes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';
import { synced } from '../support/wait.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('temporary tables', () => {
  it("are the session's own, hide a table of their name, roll back, and go with the session", async () => {
    const c = (cluster = await createCluster({ mirroring: 'none', timeScale: 200 }));
    await c.query('create table t (a int) distributed by (a)');
    await c.query('insert into t values (1), (2)');
    const a = await c.connect();
    const b = await c.connect();
    await a.query('create temp table t (a int, b text) distributed by (a)');
    await a.query("insert into t select i, 'x' from generate_series(1, 50) i");
    expect((await a.query('select count(*) from t')).rows).toEqual([[50]]);
    // Another session sees the permanent t; nobody else sees a's temporary one.
    expect((await b.query('select count(*) from t')).rows).toEqual([[2]]);
    await a.query('create temporary table only_a as select a from t where a <= 10');
    await expect(b.query('select * from only_a')).rejects.toMatchObject({ code: '42P01' });
    expect((await a.query('select count(*) from only_a')).rows).toEqual([[10]]);
    await a.query('truncate only_a');
    expect((await a.query('select count(*) from only_a')).rows).toEqual([[0]]);
    // Transactional: a rolled-back CREATE leaves nothing, a rolled-back DROP keeps the table.
    await a.query('begin');
    await a.query('create temp table gone (x int)');
    await a.query('drop table only_a');
    await a.query('rollback');
    await expect(a.query('select * from gone')).rejects.toMatchObject({ code: '42P01' });
    expect((await a.query('select count(*) from only_a')).rows).toEqual([[0]]);
    await a.close();
    const again = await c.connect();
    expect((await again.query('select count(*) from t')).rows).toEqual([[2]]);
    await expect(again.query('select * from only_a')).rejects.toMatchObject({ code: '42P01' });
    await again.close();
    await b.close();
  });

  it('a failover loses the gang: the next statement fails, then the temporary table is gone', async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    await synced(c);
    const s = await c.connect();
    await s.query('create temp table tt (a int) distributed by (a)');
    await s.query('insert into tt select generate_series(1, 100)');
    expect((await s.query('select count(*) from tt')).rows).toEqual([[100]]);
    await c.faults.crash(2);
    await c.query('select gp_request_fts_probe_scan()');
    await expect(s.query('select count(*) from tt')).rejects.toMatchObject({
      code: 'XX000',
      message: 'gang was lost due to cluster reconfiguration',
    });
    await expect(s.query('select count(*) from tt')).rejects.toMatchObject({
      code: '42P01',
      message: 'relation "tt" does not exist',
    });
    // The session itself goes on.
    expect((await s.query('select 1')).rows).toEqual([[1]]);
    await s.close();
  });
});
