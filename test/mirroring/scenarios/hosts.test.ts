/**
 * Event table (greenplum-ha.md §2.6), "Whole segment host fails", under group and spread
 * mirroring (placement §4.1: group sends host h's mirrors to h+1; spread sends the j-th primary
 * of host h to host h+1+j and needs more hosts than primaries per host).
 */
import { describe, expect, it } from 'vitest';
import { createCluster } from '../../../src/engine/index.ts';
import { FAST, pair, pairs, probe, probeUntil, synced, useCluster, within } from './helpers.ts';

const start = useCluster();
const HOSTS3 = ['sdw1', 'sdw2', 'sdw3'];

async function acting(c: Awaited<ReturnType<typeof start>>): Promise<unknown[][]> {
  return (
    await c.query(
      "select hostname, count(*) from gp_segment_configuration where role = 'p' and content >= 0 group by 1 order by 1",
    )
  ).rows;
}

describe('whole host failure (event table row 12)', () => {
  it('spread, 3 hosts × 2: gpinitsystem placement, mirror j of host h on host h+1+j', async () => {
    const c = await start({ ...FAST, mirroring: 'spread', hosts: HOSTS3 });
    const r = await c.query(
      'select content, role, hostname from gp_segment_configuration where content >= 0 order by content, role desc',
    );
    expect(r.rows).toEqual([
      [0, 'p', 'sdw1'],
      [0, 'm', 'sdw2'],
      [1, 'p', 'sdw1'],
      [1, 'm', 'sdw3'],
      [2, 'p', 'sdw2'],
      [2, 'm', 'sdw3'],
      [3, 'p', 'sdw2'],
      [3, 'm', 'sdw1'],
      [4, 'p', 'sdw3'],
      [4, 'm', 'sdw1'],
      [5, 'p', 'sdw3'],
      [5, 'm', 'sdw2'],
    ]);
  });

  it('spread: a host failure adds one acting primary to each surviving host, all rows kept', async () => {
    const c = await start({ ...FAST, mirroring: 'spread', hosts: HOSTS3 });
    await c.query('create table sp (a int, b int) distributed by (a)');
    await c.query('insert into sp select i, i from generate_series(1, 1200) i');
    await synced(c);
    await c.faults.crash('sdw1');
    await probe(c);
    const all = await pairs(c, 6);
    expect(all.slice(0, 2)).toEqual(['mpnd,pmnu', 'mpnd,pmnu']);
    expect(await acting(c)).toEqual([
      ['sdw2', 3],
      ['sdw3', 3],
    ]);
    // The mirrors that lived on sdw1 (contents 3 and 4) are marked down via their primaries.
    await probeUntil(c, 3, 'ppnu,mmnd');
    await probeUntil(c, 4, 'ppnu,mmnd');
    expect(await pair(c, 2)).toBe('ppsu,mmsu');
    expect(await pair(c, 5)).toBe('ppsu,mmsu');
    expect((await c.query('select count(*), sum(b) from sp')).rows).toEqual([[1200, 720600]]);
    expect(await within(c.query('insert into sp select i, i from generate_series(1, 60) i'), 3000)).not.toBe(
      'timeout',
    );
  });

  it("group, 3 hosts × 2: the failed host's primaries all land on the next host", async () => {
    const c = await start({ ...FAST, hosts: HOSTS3 });
    await c.query('create table gr (a int) distributed by (a)');
    await c.query('insert into gr select generate_series(1, 900)');
    await synced(c);
    await c.faults.crash('sdw2');
    await probe(c);
    expect(await acting(c)).toEqual([
      ['sdw1', 2],
      ['sdw3', 4],
    ]);
    // sdw2 held the mirrors of sdw1's contents (0, 1).
    await probeUntil(c, 0, 'ppnu,mmnd');
    await probeUntil(c, 1, 'ppnu,mmnd');
    expect((await pairs(c, 6)).slice(2, 4)).toEqual(['mpnd,pmnu', 'mpnd,pmnu']);
    expect((await c.query('select count(*) from gr')).rows).toEqual([[900]]);
  });

  it('spread needs more hosts than primaries per host (gpinitsystem refuses)', async () => {
    await expect(
      createCluster({ mirroring: 'spread', hosts: ['sdw1', 'sdw2'], segmentsPerHost: 2 }),
    ).rejects.toThrow(
      'Request made for spread mirroring via --mirror-mode option, but insufficient hosts available. Number of separate hosts must be greater than number of segment instances per host',
    );
  });

  it('the failed host restarts: its mirrors come back in sync by themselves, its old primaries stay down', async () => {
    const c = await start();
    await c.query('create table hr (a int) distributed by (a)');
    await c.query('insert into hr select generate_series(1, 400)');
    await synced(c);
    await c.faults.crash('sdw2');
    await probe(c);
    await probeUntil(c, 0, 'ppnu,mmnd');
    await probeUntil(c, 1, 'ppnu,mmnd');
    expect((await pairs(c)).slice(2)).toEqual(['mpnd,pmnu', 'mpnd,pmnu']);
    await c.query('insert into hr select generate_series(401, 500)');
    // Former primaries 4 and 5 refuse to start, and the restart says so; the host's others start.
    await expect(c.faults.restart('sdw2')).rejects.toMatchObject({
      code: '55000',
      message: expect.stringMatching(
        /^dbid 4, dbid 5 did not start: a former primary must be recovered with gprecoverseg/,
      ),
    });
    // Mirrors 6 and 7 (former mirrors, standby.signal kept): back without gprecoverseg.
    await probeUntil(c, 0, 'ppsu,mmsu');
    await probeUntil(c, 1, 'ppsu,mmsu');
    // Former primaries 4 and 5 (now role m): they need gprecoverseg (pg_rewind) to rejoin.
    for (let i = 0; i < 3; i++) await probe(c);
    expect((await pairs(c)).slice(2)).toEqual(['mpnd,pmnu', 'mpnd,pmnu']);
    expect((await c.query('select count(*) from hr')).rows).toEqual([[500]]);
  });
});
