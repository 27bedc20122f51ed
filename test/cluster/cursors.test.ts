/**
 * Cursors (issue 22): forward only, as in Greenplum (a backward direction is Greenplum's
 * 0A000), and what a failover does to an open one: a cursor without HOLD belongs to its
 * transaction's gang and fails with it; a WITH HOLD cursor, materialized at its commit, is read
 * to the end. The forward fetches themselves are compared with PostgreSQL in the differential
 * corpus (10-cursors.sql). Inline and worker runtimes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';
import { synced } from '../support/wait.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('cursors', () => {
  it('scan forward only: every backward direction is refused, the cursor stays usable', async () => {
    const c = (cluster = await createCluster({ mirroring: 'none', timeScale: 200 }));
    const s = await c.connect();
    await s.query('create table f (a int) distributed by (a)');
    await s.query('insert into f select generate_series(1, 10)');
    await s.query('begin');
    await s.query('declare c cursor for select a from f order by a');
    expect(await s.query('fetch 3 from c')).toMatchObject({
      command: 'FETCH',
      rowCount: 3,
      rows: [[1], [2], [3]],
    });
    await s.query('rollback');
    for (const dir of ['prior', 'backward 2', 'backward all', 'last', '-1', 'relative -1', 'forward -2']) {
      await s.query('begin');
      await s.query('declare c cursor for select a from f order by a');
      await s.query('fetch 3 from c');
      await expect(s.query(`fetch ${dir} from c`), dir).rejects.toMatchObject({
        code: '0A000',
        message: 'backward scan is not supported in this version of Greenplum Database',
      });
      await s.query('rollback');
    }
    // An earlier row by number is a move backward too (Postgres' message for a NO SCROLL cursor).
    await s.query('begin');
    await s.query('declare c cursor for select a from f order by a');
    await s.query('fetch 3 from c');
    await expect(s.query('fetch absolute 2 from c')).rejects.toMatchObject({
      code: '55000',
      message: 'cursor can only scan forward',
    });
    await s.query('rollback');
    await expect(s.query('declare c scroll cursor for select 1')).rejects.toMatchObject({ code: '0A000' });
    await expect(s.query('declare c binary cursor for select 1')).rejects.toMatchObject({ code: '0A000' });
    await s.close();
  });

  it('MOVE counts the rows it passes, and a cursor sees the rows of its DECLARE, not later ones', async () => {
    const c = (cluster = await createCluster({ mirroring: 'none', timeScale: 200 }));
    const s = await c.connect();
    await s.query('create table m (a int) distributed by (a)');
    await s.query('insert into m select generate_series(1, 10)');
    await s.query('begin');
    await s.query('declare c cursor for select a from m order by a');
    await c.query('insert into m values (11)');
    expect(await s.query('move 4 in c')).toMatchObject({ command: 'MOVE', rowCount: 4 });
    expect((await s.query('fetch all from c')).rows).toEqual([[5], [6], [7], [8], [9], [10]]);
    expect(await s.query('move all in c')).toMatchObject({ command: 'MOVE', rowCount: 0 });
    await s.query('commit');
    await s.close();
  });

  it('a failover ends a cursor with its gang; a WITH HOLD cursor is read to its end', async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    await synced(c);
    const s = await c.connect();
    await s.query('create table g (a int) distributed by (a)');
    await s.query('insert into g select generate_series(1, 100)');
    await s.query('declare held cursor with hold for select a from g order by a');
    expect((await s.query('fetch 10 from held')).rows).toHaveLength(10);
    await s.query('begin');
    await s.query('declare open_one cursor for select a from g order by a');
    expect((await s.query('fetch 10 from open_one')).rows).toHaveLength(10);
    await c.faults.crash(2);
    await c.query('select gp_request_fts_probe_scan()');
    await expect(s.query('fetch 10 from open_one')).rejects.toMatchObject({
      code: 'XX000',
      message: 'gang was lost due to cluster reconfiguration',
    });
    await expect(s.query('fetch 10 from open_one')).rejects.toMatchObject({ code: '25P02' });
    await s.query('rollback');
    await expect(s.query('fetch open_one')).rejects.toMatchObject({ code: '34000' });
    const rest = (await s.query('fetch all from held')).rows.map((r) => r[0]);
    expect(rest).toEqual(Array.from({ length: 90 }, (_, i) => i + 11));
    await s.close();
  });
});
