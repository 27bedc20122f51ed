/**
 * Event table (greenplum-ha.md §2.6), "Disk I/O failure on a primary" (FTS's O_DIRECT probe-file
 * check fails → failover) and "Segment fails, no mirrors" with §7.1 fts_mirrorless: only
 * history rows, the catalog is never touched.
 */
import { describe, expect, it } from 'vitest';
import {
  FAST,
  history,
  historyWithDbid,
  keyOnEachContent,
  pair,
  pairs,
  probe,
  record,
  rejection,
  replication,
  synced,
  upd,
  useCluster,
  waitFor,
  clusterNow,
} from './helpers.ts';

const start = useCluster();

describe('disk failure on a primary (event table row 13)', () => {
  it('disk full: the FTS disk I/O check fails, FTS fails over as for a crash', async () => {
    const c = await start();
    await c.query('create table df (a int, b int) distributed by (a)');
    await c.query('insert into df select i, i from generate_series(1, 500) i');
    await synced(c);
    const events = record(c, 'fts.failover');
    const h0 = await history(c);
    c.faults.diskFull(4, true);
    await probe(c);
    expect(await pair(c, 2)).toBe('mpnd,pmnu');
    expect((await historyWithDbid(c)).slice(h0.length)).toEqual([
      [4, upd(4, 2, 'm', 'd', 'n')],
      [8, upd(8, 2, 'p', 'u', 'n')],
    ]);
    expect(events).toHaveLength(1);
    expect(String(events[0]!.reason)).toMatch(/disk IO check during FTS probe failed/);
    expect((await c.query('select count(*), sum(b) from df')).rows).toEqual([[500, 125250]]);
    await c.query('insert into df select i, i from generate_series(501, 600) i');
    expect((await c.query('select count(*) from df')).rows).toEqual([[600]]);
  });

  it('a slow disk (well under the probe timeout) is not a failure', async () => {
    const c = await start();
    await synced(c);
    const h0 = await history(c);
    c.faults.slowDisk(3, 5);
    await probe(c);
    await probe(c);
    expect(await pairs(c)).toEqual(['ppsu,mmsu', 'ppsu,mmsu', 'ppsu,mmsu', 'ppsu,mmsu']);
    expect(await history(c)).toEqual(h0);
  });
});

describe('mirrorless cluster (event table last row, §7.1 fts_mirrorless)', () => {
  it('rows as gpinitsystem writes them: primaries (p,p,n,u), no mirror, nothing streams', async () => {
    const c = await start({ timeScale: 200 });
    const r = await c.query(
      'select dbid, content, role, preferred_role, mode, status from gp_segment_configuration order by dbid',
    );
    expect(r.rows).toEqual([
      [1, -1, 'p', 'p', 'n', 'u'],
      [2, 0, 'p', 'p', 'n', 'u'],
      [3, 1, 'p', 'p', 'n', 'u'],
      [4, 2, 'p', 'p', 'n', 'u'],
      [5, 3, 'p', 'p', 'n', 'u'],
    ]);
    expect(await replication(c)).toEqual([]);
  });

  it('fts_mirrorless: down / down / now up / now up, in order, never a "d" in the catalog', async () => {
    const c = await start({ timeScale: 200 });
    const down = async () =>
      (await c.query("select count(*) from gp_segment_configuration where status = 'd'")).rows[0]![0];
    await c.faults.crash(2);
    await probe(c);
    expect(await down()).toBe(0);
    await c.faults.crash(3);
    await probe(c);
    expect(await down()).toBe(0);
    await probe(c); // written once per entry into the state
    await c.faults.restart(2);
    await probe(c);
    await c.faults.restart(3);
    await probe(c);
    expect(await historyWithDbid(c)).toEqual([
      [2, 'FTS: content id 0 dbid 2 is down'],
      [3, 'FTS: content id 1 dbid 3 is down'],
      [2, 'FTS: content id 0 dbid 2 is now up'],
      [3, 'FTS: content id 1 dbid 3 is now up'],
    ]);
    expect(await down()).toBe(0);
  });

  it('queries that touch the down segment fail; those that do not, and coordinator-only ones, work', async () => {
    const c = await start({ timeScale: 200 });
    await c.query('create table ml (a int, b int) distributed by (a)');
    await c.query('insert into ml select i, i from generate_series(1, 100) i');
    const key = await keyOnEachContent(c, 'ml');
    await c.faults.crash(4);
    await probe(c);
    const e = await rejection(c.query('select count(*) from ml'));
    expect(e.code).toBe('58M01');
    expect((await c.query(`select b from ml where a = ${key[0]}`)).rows).toEqual([[key[0]]]);
    expect((await c.query('select 1 + 1')).rows).toEqual([[2]]);
    await c.faults.restart(4);
    expect((await c.query('select count(*), sum(b) from ml')).rows).toEqual([[100, 5050]]);
    // cdbgang_async.c: the libpq error goes in the DETAIL.
    expect(e.message).toBe('failed to acquire resources on one or more segments');
    expect(e.detail).toMatch(/Connection refused/);
  });

  it('disk full on a mirrorless primary: only the history row, the catalog stays (p,u)', async () => {
    const c = await start({ timeScale: 200 });
    c.faults.diskFull(5, true);
    await probe(c);
    expect(await history(c)).toEqual(['FTS: content id 3 dbid 5 is down']);
    expect(await pair(c, 3)).toBe('ppnu');
    c.faults.diskFull(5, false);
    await probe(c);
    expect((await history(c)).slice(1)).toEqual(['FTS: content id 3 dbid 5 is now up']);
  });
});

describe('FTS cycles', () => {
  it('gp_request_fts_probe_scan waits for a cycle that starts after the call and finishes', async () => {
    const c = await start({ ...FAST, settings: { gp_fts_probe_interval: 3600 } });
    await synced(c);
    const events = record(c, 'fts.cycle');
    const t = clusterNow(c);
    await probe(c);
    expect(events).toHaveLength(1);
    expect(events[0]!.time as number).toBeGreaterThanOrEqual(t);
    // Concurrent requesters that arrive before a cycle starts share it.
    await Promise.all([probe(c), probe(c), probe(c)]);
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.length).toBeLessThanOrEqual(3);
  });

  it('periodic probes run without anyone asking (interval 60 s / 200 = 300 ms) and detect a crash', async () => {
    const c = await start();
    await synced(c);
    await c.faults.crash(5);
    await waitFor(async () => (await pair(c, 3)) === 'mpnd,pmnu', 5000, 'periodic FTS fails over content 3');
    expect((await history(c)).slice(-2)).toEqual([upd(5, 3, 'm', 'd', 'n'), upd(9, 3, 'p', 'u', 'n')]);
  });
});
