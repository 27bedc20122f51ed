/**
 * Event table (greenplum-ha.md §2.6), network rows: "Primary ↔ mirror network partition",
 * "Coordinator ↔ primary partition" and "Coordinator isolated from both". A partition makes
 * calls time out (no fast failure), so detection takes the scaled probe timeout and retries.
 */
import { describe, expect, it } from 'vitest';
import {
  FAST,
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
  waitFor,
  watch,
  within,
} from './helpers.ts';

const start = useCluster();

describe('primary ↔ mirror partition (event table row 6)', () => {
  it('the mirror is marked down after the grace period, blocked commits complete; healed → back in sync', async () => {
    const c = await start({ ...FAST, timeScale: 100 });
    await c.query('create table pm (a int) distributed by (a)');
    await c.query('insert into pm select generate_series(1, 40)');
    await synced(c);
    const key = await keyOnEachContent(c, 'pm');
    const h0 = await history(c);
    c.faults.partition([2], [6]);
    const blocked = watch(c.query(`insert into pm values (${key[0]})`));
    // Another content is unaffected.
    expect(await within(c.query(`insert into pm values (${key[1]})`), 2000)).not.toBe('timeout');
    expect(blocked.settled()).toBe(false);
    // Greenplum: wal_sender_timeout (60 s / 100), then the grace period (30 s / 100), then FTS
    // marks the mirror down: well under 3 s here.
    await probeUntil(c, 0, 'ppnu,mmnd', 3000);
    expect((await historyWithDbid(c)).slice(h0.length)).toEqual([
      [2, upd(2, 0, 'p', 'u', 'n')],
      [6, upd(6, 0, 'm', 'd', 'n')],
    ]);
    await waitFor(() => blocked.settled(), 5000, 'blocked commit released');
    expect(blocked.outcome()).toMatchObject({ ok: true });
    c.faults.heal();
    await probeUntil(c, 0, 'ppsu,mmsu', 5000);
    expect((await c.query('select count(*) from pm')).rows).toEqual([[42]]);
  });

  it('a partition healed within the grace period: the commit completes, FTS records nothing', async () => {
    const c = await start({ ...FAST, timeScale: 100, settings: { gp_fts_probe_interval: 3600 } });
    await c.query('create table ph (a int) distributed by (a)');
    await c.query('insert into ph select generate_series(1, 40)');
    await synced(c);
    const key = await keyOnEachContent(c, 'ph');
    const h0 = await history(c);
    c.faults.partition([3], [7]);
    const blocked = watch(c.query(`insert into ph values (${key[1]})`));
    expect(await within(blocked.promise, 100)).toBe('timeout');
    c.faults.heal();
    await waitFor(() => blocked.settled(), 3000, 'commit completes once the mirror flushes');
    expect(blocked.outcome()).toMatchObject({ ok: true });
    await probe(c);
    expect(await pair(c, 1)).toBe('ppsu,mmsu');
    expect(await history(c)).toEqual(h0);
  });
});

describe('coordinator ↔ primary partition (event table row 7)', () => {
  it('the probe times out, the mirror is promoted, dispatch moves to it', async () => {
    const c = await start();
    await c.query('create table cp (a int, b int) distributed by (a)');
    await c.query('insert into cp select i, i from generate_series(1, 500) i');
    await synced(c);
    const h0 = await history(c);
    c.faults.partition([1], [2]);
    await probe(c);
    expect(await pair(c, 0)).toBe('mpnd,pmnu');
    expect((await history(c)).slice(h0.length)).toEqual([upd(2, 0, 'm', 'd', 'n'), upd(6, 0, 'p', 'u', 'n')]);
    expect((await c.query('select count(*), sum(b) from cp')).rows).toEqual([[500, 125250]]);
    await c.query('insert into cp select i, i from generate_series(501, 600) i');
    expect((await c.query('select count(*) from cp')).rows).toEqual([[600]]);
  });

  it('after the heal the old primary (still running) is not probed and stays down without gprecoverseg', async () => {
    const c = await start();
    await c.query('create table cp (a int) distributed by (a)');
    await c.query('insert into cp select generate_series(1, 100)');
    await synced(c);
    c.faults.partition([1], [4]);
    await probe(c);
    expect(await pair(c, 2)).toBe('mpnd,pmnu');
    await c.query('insert into cp select generate_series(101, 200)');
    c.faults.heal();
    for (let i = 0; i < 3; i++) await probe(c);
    expect(await pair(c, 2)).toBe('mpnd,pmnu');
    expect((await c.query('select count(*) from cp')).rows).toEqual([[200]]);
  });

  it('coordinator isolated from both: rows swapped, PROMOTE fails → double fault; queries on the content fail', async () => {
    const c = await start();
    await c.query('create table ci (a int) distributed by (a)');
    await c.query('insert into ci select generate_series(1, 100)');
    await synced(c);
    const h0 = await history(c);
    c.faults.partition([1], [5, 9]);
    await probe(c);
    expect(await pair(c, 3)).toBe('mpnd,pmnu');
    expect((await historyWithDbid(c)).slice(h0.length)).toEqual([
      [5, upd(5, 3, 'm', 'd', 'n')],
      [9, upd(9, 3, 'p', 'u', 'n')],
      [9, 'FTS: double fault detected for content id 3'],
    ]);
    // The dispatcher gives up within gp_segment_connect_timeout (180 s / 200 = 0.9 s).
    const q = await within(
      c.query('select count(*) from ci').catch((e: unknown) => e),
      3000,
    );
    expect(q).not.toBe('timeout');
    const e = await rejection(Promise.reject(q));
    expect(e.code).toBe('58M01');
    expect(e.message).toBe('failed to acquire resources on one or more segments');
  });
});
