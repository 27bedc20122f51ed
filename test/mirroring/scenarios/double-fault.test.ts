/**
 * Event table (greenplum-ha.md §2.6), "Both primary and mirror down" and the PROMOTE_FAILED row
 * of §2.3, plus §7.1 fts_doublefault: FTS changes nothing when the mirror is not in sync, writes
 * "double fault detected" once per entry, and "out of double fault" when the primary answers.
 */
import { describe, expect, it } from 'vitest';
import {
  history,
  historyWithDbid,
  keyOnEachContent,
  pair,
  probe,
  probeUntil,
  rejection,
  synced,
  upd,
  useCluster,
  within,
} from './helpers.ts';

const start = useCluster();

describe('double fault (event table row 5)', () => {
  it('mirror marked down, then the primary dies: nothing changes, one history row with the primary dbid', async () => {
    const c = await start();
    await c.query('create table d (a int, b int) distributed by (a)');
    await c.query('insert into d select i, i from generate_series(1, 100) i');
    await synced(c);
    await c.faults.crash(6);
    await probeUntil(c, 0, 'ppnu,mmnd');
    const h1 = await history(c);
    await c.faults.crash(2);
    await probe(c);
    // The acting primary is never marked down.
    expect(await pair(c, 0)).toBe('ppnu,mmnd');
    expect((await historyWithDbid(c)).slice(h1.length)).toEqual([
      [2, 'FTS: double fault detected for content id 0'],
    ]);
    // Once per entry into the state: later probes add nothing.
    await probe(c);
    await probe(c);
    expect((await history(c)).length).toBe(h1.length + 1);
  });

  it('a query that needs the content fails with "failed to acquire resources on one or more segments"', async () => {
    const c = await start();
    await c.query('create table d (a int) distributed by (a)');
    await c.query('insert into d select generate_series(1, 100)');
    await synced(c);
    await c.faults.crash(6);
    await probeUntil(c, 0, 'ppnu,mmnd');
    await c.faults.crash(2);
    await probe(c);
    const e = await rejection(c.query('select count(*) from d'));
    expect(e.code).toBe('58M01');
    // cdbgang_async.c: the libpq error goes in the DETAIL, with the segment's whoami.
    expect(e.message).toBe('failed to acquire resources on one or more segments');
    expect(e.detail).toMatch(/Connection refused/);
    expect(e.detail).toMatch(/seg0/);
  });

  it('queries that need only other contents still work during the double fault', async () => {
    const c = await start();
    await c.query('create table d (a int, b int) distributed by (a)');
    await c.query('insert into d select i, i from generate_series(1, 100) i');
    await synced(c);
    const key = await keyOnEachContent(c, 'd');
    await c.faults.crash(6);
    await probeUntil(c, 0, 'ppnu,mmnd');
    await c.faults.crash(2);
    await probe(c);
    for (const content of [1, 2, 3]) {
      expect((await c.query(`select b from d where a = ${key[content]}`)).rows).toEqual([[key[content]]]);
      expect(await within(c.query(`insert into d values (${key[content]}, -1)`), 3000)).not.toBe('timeout');
    }
    expect((await c.query('select count(*) from gp_segment_configuration')).rows).toEqual([[9]]);
  });

  it('leaving the double fault: the primary returns → "is out of double fault", then the mirror → in sync', async () => {
    const c = await start();
    await c.query('create table d (a int, b int) distributed by (a)');
    await c.query('insert into d select i, i from generate_series(1, 300) i');
    await synced(c);
    await c.faults.crash(6);
    await probeUntil(c, 0, 'ppnu,mmnd');
    await c.query('insert into d select i, i from generate_series(301, 400) i');
    await c.faults.crash(2);
    await probe(c);
    const h1 = await history(c);
    await c.faults.restart(2);
    await probe(c);
    expect((await historyWithDbid(c)).slice(h1.length)).toEqual([
      [2, 'FTS: content id 0 is out of double fault, dbid 2 is up'],
    ]);
    expect(await pair(c, 0)).toBe('ppnu,mmnd');
    // Every committed row, including those written while the mirror was down.
    expect((await c.query('select count(*), sum(b) from d')).rows).toEqual([[400, 80200]]);
    await c.faults.restart(6);
    await probeUntil(c, 0, 'ppsu,mmsu');
    expect((await history(c)).slice(-2)).toEqual([upd(2, 0, 'p', 'u', 's'), upd(6, 0, 'm', 'u', 's')]);
  });

  it('primary and mirror die together while in sync: rows swapped, PROMOTE fails, double fault recorded once', async () => {
    const c = await start();
    await c.query('create table d (a int) distributed by (a)');
    await c.query('insert into d select generate_series(1, 100)');
    await synced(c);
    const h0 = await history(c);
    await c.faults.crash(3);
    await c.faults.crash(7);
    await probe(c);
    // §2.3 PROMOTE_FAILED: the catalog already shows the swap; double-fault row for the new "primary".
    expect(await pair(c, 1)).toBe('mpnd,pmnu');
    expect((await historyWithDbid(c)).slice(h0.length)).toEqual([
      [3, upd(3, 1, 'm', 'd', 'n')],
      [7, upd(7, 1, 'p', 'u', 'n')],
      [7, 'FTS: double fault detected for content id 1'],
    ]);
    // The next cycle probes dbid 7, fails, its mirror is not in sync: nothing more.
    await probe(c);
    expect(await pair(c, 1)).toBe('mpnd,pmnu');
    expect((await history(c)).length).toBe(h0.length + 3);
    const e = await rejection(c.query('select count(*) from d'));
    expect(e.code).toBe('58M01');
  });

  it('the promoted mirror dies before the old primary is back: double fault, then the content returns', async () => {
    const c = await start();
    await c.query('create table d (a int, b int) distributed by (a)');
    await c.query('insert into d select i, i from generate_series(1, 200) i');
    await synced(c);
    await c.faults.crash(4);
    await probe(c);
    expect(await pair(c, 2)).toBe('mpnd,pmnu');
    await c.query('insert into d select i, i from generate_series(201, 300) i');
    const h1 = await history(c);
    await c.faults.crash(8);
    await probe(c);
    expect(await pair(c, 2)).toBe('mpnd,pmnu');
    expect((await historyWithDbid(c)).slice(h1.length)).toEqual([
      [8, 'FTS: double fault detected for content id 2'],
    ]);
    await c.faults.restart(8);
    await probe(c);
    expect((await history(c)).slice(h1.length + 1)).toEqual([
      'FTS: content id 2 is out of double fault, dbid 8 is up',
    ]);
    expect((await c.query('select count(*), sum(b) from d')).rows).toEqual([[300, 45150]]);
  });
});
