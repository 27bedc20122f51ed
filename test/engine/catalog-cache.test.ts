/**
 * The coordinator keeps the tables it last read from pg_class / pg_attribute / pg_index
 * (Catalog.listTables) and reuses them for snapshots that see the same catalog. These are the
 * cases where a stale or someone else's catalog would show: DDL not yet committed, DDL rolled
 * back, a new relfilenode, and an old transaction holding xmin back across DDL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster, Session } from '../../src/engine/index.ts';
import { sqlCluster } from '../support/sql-cluster.ts';

let c: Cluster;
let a: Session;
let b: Session;
beforeAll(async () => {
  ({ c, s: a } = await sqlCluster());
  b = await c.connect();
}, 60_000);
afterAll(async () => {
  await a.close();
  await b.close();
  await c.close();
});

const count = async (s: Session, table: string) =>
  Number((await s.query(`select count(*) from ${table}`)).rows[0]![0]);

describe('the catalog each statement plans against', () => {
  it('an uncommitted CREATE TABLE is its own transaction’s; everyone’s once committed', async () => {
    await b.query('create table seen (x int) distributed by (x)');
    expect(await count(b, 'seen')).toBe(0); // b's list is now cached
    await a.query('begin');
    await a.query('create table fresh (x int) distributed by (x)');
    await a.query('insert into fresh values (1), (2)');
    expect(await count(a, 'fresh')).toBe(2);
    await expect(b.query('select * from fresh')).rejects.toMatchObject({ code: '42P01' });
    await a.query('commit');
    expect(await count(b, 'fresh')).toBe(2);
  });

  it('a rolled-back DROP TABLE leaves the table, for the dropper and for everyone', async () => {
    await a.query('create table kept (x int) distributed by (x)');
    await a.query('insert into kept values (7)');
    expect(await count(b, 'kept')).toBe(1);
    await a.query('begin');
    await a.query('drop table kept');
    await expect(a.query('select * from kept')).rejects.toMatchObject({ code: '42P01' });
    expect(await count(b, 'kept')).toBe(1);
    await a.query('rollback');
    expect(await count(a, 'kept')).toBe(1);
    expect(await count(b, 'kept')).toBe(1);
  });

  it('TRUNCATE (new storage) and a new index are seen by the next statement of every session', async () => {
    await a.query('create table moved (x int, y int) distributed by (x)');
    await a.query('insert into moved select g, g from generate_series(1, 50) g');
    expect(await count(b, 'moved')).toBe(50);
    await a.query('truncate moved');
    expect(await count(b, 'moved')).toBe(0);
    await b.query('insert into moved values (1, 1), (2, 2)');
    await a.query('create unique index moved_x on moved (x)');
    await expect(b.query('insert into moved values (1, 9)')).rejects.toMatchObject({ code: '23505' });
    await a.query('drop table moved');
    await expect(b.query('select * from moved')).rejects.toMatchObject({ code: '42P01' });
  });

  it('while an older transaction holds xmin back, DDL committed since is still seen', async () => {
    const old = await c.connect();
    try {
      await old.query('begin');
      await old.query('create table held (x int) distributed by (x)'); // an xid, kept running
      await a.query('create table later (x int) distributed by (x)');
      expect(await count(b, 'later')).toBe(0);
      await a.query('drop table later');
      await expect(b.query('select * from later')).rejects.toMatchObject({ code: '42P01' });
      await expect(b.query('select * from held')).rejects.toMatchObject({ code: '42P01' });
      await old.query('commit');
      expect(await count(b, 'held')).toBe(0);
    } finally {
      await old.close();
    }
  });
});
