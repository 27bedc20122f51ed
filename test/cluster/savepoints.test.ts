/**
 * Savepoints (issue 22): ROLLBACK TO undoes the commands since the savepoint on every segment,
 * durably (crash recovery from a checkpoint and from the WAL, and a promoted mirror, hide the
 * undone rows of a committed transaction); the locks taken since are released; table
 * definitions inside a savepoint are refused; and after a failover the gang is lost, so
 * ROLLBACK TO fails with Greenplum's error. The SQL itself is compared with PostgreSQL in the
 * differential corpus (16-savepoints.sql). Inline and worker runtimes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, type Cluster, type Session } from '../../src/engine/index.ts';
import { synced, waitFor } from '../support/wait.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** A committed transaction with work before, inside (undone) and after a savepoint. */
async function commitWithUndoneWork(s: Session): Promise<void> {
  await s.query('create table u (a int, b int) distributed by (a)');
  await s.query('insert into u select g, 0 from generate_series(1, 40) g');
  await s.query('begin');
  await s.query('insert into u select g, 1 from generate_series(41, 60) g');
  await s.query('savepoint s');
  await s.query('insert into u select g, 2 from generate_series(61, 100) g');
  await s.query('update u set b = 9 where a <= 20');
  await s.query('delete from u where a between 21 and 30');
  await s.query('rollback to savepoint s');
  await s.query('insert into u select g, 3 from generate_series(101, 110) g');
  await s.query('commit');
}

const EXPECTED = [
  [0, 40],
  [1, 20],
  [3, 10],
];
const summary = async (q: { query(sql: string): Promise<{ rows: unknown[][] }> }) =>
  (await q.query('select b, count(*)::int from u group by b order by b')).rows;

/** Every segment crashes and restarts (crash recovery from its disk); the summary once they answer. */
async function crashRecoverSegments(c: Cluster) {
  for (const dbid of [2, 3, 4, 5]) await c.faults.crash(dbid);
  for (const dbid of [2, 3, 4, 5]) await c.faults.restart(dbid);
  return waitFor(() => summary(c).catch(() => undefined), 10_000, 'the segments answer');
}

describe('savepoints', () => {
  it('undone work stays undone after crash recovery, from a checkpoint and from the WAL', async () => {
    const c = (cluster = await createCluster({ mirroring: 'none', timeScale: 200 }));
    const s = await c.connect();
    await commitWithUndoneWork(s);
    expect(await summary(s)).toEqual(EXPECTED);
    // From the WAL: every segment crashes before any checkpoint wrote the undone ranges out.
    expect(await crashRecoverSegments(c)).toEqual(EXPECTED);
    // From a checkpoint: the ranges are in pg_xact/undone, with no WAL to replay for them.
    await c.query('checkpoint');
    expect(await crashRecoverSegments(c)).toEqual(EXPECTED);
    await s.close();
  });

  it('a promoted mirror hides the undone rows: the undo is in the WAL it replayed', async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    await synced(c);
    const s = await c.connect();
    await commitWithUndoneWork(s);
    await c.faults.crash(2);
    await waitFor(async () => {
      await c.query('select gp_request_fts_probe_scan()');
      const r = await c.query('select role from gp_segment_configuration where content = 0 and dbid <> 2');
      return r.rows[0]![0] === 'p';
    });
    expect(await summary(c)).toEqual(EXPECTED);
    await s.close();
  });

  it('ROLLBACK TO releases the locks taken since the savepoint', async () => {
    const c = (cluster = await createCluster({ mirroring: 'none', timeScale: 200 }));
    const a = await c.connect();
    const b = await c.connect();
    await a.query('create table l (a int, b int) distributed by (a)');
    await a.query('insert into l values (1, 1)');
    await a.query('begin');
    await a.query('select count(*) from l');
    await a.query('savepoint s');
    await a.query('update l set b = 2');
    // The update's ExclusiveLock makes another session's update wait (here, past lock_timeout).
    await b.query("set lock_timeout = '2s'");
    await expect(b.query('update l set b = 3')).rejects.toMatchObject({ code: '55P03' });
    await a.query('rollback to s');
    // Released: the other update goes through, while this transaction still holds its read lock.
    expect(await b.query('update l set b = 3')).toMatchObject({ rowCount: 1 });
    await expect(b.query('truncate l')).rejects.toMatchObject({ code: '55P03' });
    await a.query('commit');
    expect((await c.query('select b from l')).rows).toEqual([[3]]);
    await a.close();
    await b.close();
  });

  it('table definitions inside a savepoint are refused, and the transaction goes on after ROLLBACK TO', async () => {
    const c = (cluster = await createCluster({ mirroring: 'none', timeScale: 200 }));
    const s = await c.connect();
    await s.query('create table d (a int) distributed by (a)');
    await s.query('begin');
    await s.query('insert into d values (1)');
    await s.query('savepoint s');
    await expect(s.query('create table d2 (a int)')).rejects.toMatchObject({
      code: '0A000',
      message: 'CREATE TABLE inside a savepoint is not supported',
    });
    await expect(s.query('truncate d')).rejects.toMatchObject({ code: '25P02' });
    await s.query('rollback to s');
    await s.query('insert into d values (2)');
    await s.query('release s');
    // With no savepoint open, definitions are allowed again (undone with the whole transaction).
    await s.query('create table d3 (a int) distributed by (a)');
    await s.query('commit');
    expect((await s.query('select a from d order by a')).rows).toEqual([[1], [2]]);
    await s.close();
  });

  it('after a failover the gang is lost: ROLLBACK TO fails as in Greenplum and only ROLLBACK ends it', async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    await synced(c);
    const s = await c.connect();
    await s.query('create table f (a int) distributed by (a)');
    await s.query('insert into f select generate_series(1, 20)');
    await s.query('begin');
    await s.query('insert into f select generate_series(21, 40)');
    await s.query('savepoint before_failover');
    await s.query('insert into f select generate_series(41, 60)');
    await c.faults.crash(2);
    await c.query('select gp_request_fts_probe_scan()');
    await expect(s.query('select count(*) from f')).rejects.toMatchObject({
      code: 'XX000',
      message: 'gang was lost due to cluster reconfiguration',
    });
    await expect(s.query('rollback to savepoint before_failover')).rejects.toMatchObject({
      code: '58M01',
      message: 'Could not rollback to savepoint (ROLLBACK TO SAVEPOINT before_failover)',
    });
    await expect(s.query('select 1')).rejects.toMatchObject({ code: '25P02' });
    await s.query('rollback');
    expect((await s.query('select count(*)::int from f')).rows).toEqual([[20]]);
    await s.close();
  });
});
