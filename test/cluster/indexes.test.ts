/**
 * Indexes in a failover (issue 22): the index files a mirror builds by replaying the WAL are
 * byte-identical to its primary's (gp_replica_check compares them), so a promoted mirror answers
 * an index scan with the rows a sequential scan gives and still enforces the primary key; and a
 * CREATE INDEX whose segment fails in the middle of the build leaves no index anywhere, after
 * which the same CREATE INDEX succeeds on the promoted mirror. The SQL is compared with
 * PostgreSQL in the differential corpus (17-indexes.sql). Inline and worker runtimes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, type Cluster, type Session } from '../../src/engine/index.ts';
import { synced, waitFor } from '../support/wait.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const QUERY = 'select id, k, v from ht where k between 100 and 140 order by id';

/** The rows of QUERY read through the index and through a sequential scan, and the plan used. */
async function bothWays(s: Session): Promise<{ byIndex: unknown[][]; bySeq: unknown[][]; plan: string }> {
  await s.query('set enable_seqscan = off');
  const plan = (await s.query(`explain ${QUERY}`)).rows.map((r) => r[0]).join('\n');
  const byIndex = (await s.query(QUERY)).rows;
  await s.query('reset enable_seqscan');
  await s.query('set enable_indexscan = off');
  const bySeq = (await s.query(QUERY)).rows;
  await s.query('reset enable_indexscan');
  return { byIndex, bySeq, plan };
}

/** Waits until content 0 runs on its mirror (dbid 6), promoted by FTS. */
async function promoted(c: Cluster): Promise<void> {
  await waitFor(
    async () => {
      await c.query('select gp_request_fts_probe_scan()');
      const r = await c.query('select role, status from gp_segment_configuration where dbid = 6');
      return r.rows[0]?.[0] === 'p';
    },
    30_000,
    'the mirror of content 0 promoted',
  );
}

describe('indexes in a failover', () => {
  it('a promoted mirror answers an index scan with the rows of a sequential scan, and keeps the key unique', async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    await synced(c);
    const s = await c.connect();
    await s.query('create table ht (id int primary key, k int, v text) distributed by (id)');
    await s.query('create index ht_k on ht (k)');
    await s.query("insert into ht select g, g % 500, repeat('x', g % 40) from generate_series(1, 6000) g");
    await s.query('update ht set k = k + 1 where id % 7 = 0');
    await s.query('delete from ht where id % 11 = 0');
    await s.query("insert into ht select g, g % 500, 'late' from generate_series(6001, 6500) g");
    await synced(c);
    await s.query('checkpoint');
    const check = await c.run('gp_replica_check');
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
    expect(
      (await s.query("select indexname, indexdef from pg_indexes where tablename = 'ht' order by 1")).rows,
    ).toEqual([
      ['ht_k', 'CREATE INDEX ht_k ON public.ht USING btree (k)'],
      ['ht_pkey', 'CREATE UNIQUE INDEX ht_pkey ON public.ht USING btree (id)'],
    ]);
    const before = await bothWays(s);
    expect(before.plan).toMatch(
      /Index Scan using ht_k on ht\n\s+Index Cond: \(\(ht\.k >= 100\) AND \(ht\.k <= 140\)\)/,
    );
    expect(before.byIndex.length).toBeGreaterThan(400);
    expect(before.byIndex).toEqual(before.bySeq);

    await c.faults.crash(2);
    await promoted(c);
    const t = await c.connect();
    const after = await bothWays(t);
    expect(after.plan).toMatch(/Index Scan using ht_k on ht/);
    expect(after.byIndex).toEqual(before.byIndex);
    expect(after.bySeq).toEqual(before.byIndex);
    // Every key is still unique, on the promoted mirror's content too.
    const ids = (await t.query('select id from ht where id <= 40 order by id')).rows.map((r) => r[0]);
    for (const id of ids)
      await expect(t.query(`insert into ht values (${String(id)}, 0, 'dup')`)).rejects.toMatchObject({
        code: '23505',
        message: 'duplicate key value violates unique constraint "ht_pkey"',
        detail: `Key (id)=(${String(id)}) already exists.`,
      });
    await t.close();
    await s.close();
  });

  it('a CREATE INDEX whose segment fails during the build leaves no index, and succeeds again after the failover', async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    await synced(c);
    const s = await c.connect();
    await s.query('create table ht (id int, k int, v text) distributed by (id)');
    await s.query("insert into ht select g, g % 500, 'v' from generate_series(1, 4000) g");
    await synced(c);
    const hold = c.faults.suspend('index_build', 2);
    const create = s.query('create index ht_k on ht (k)').then(
      () => ({ ok: true as const }),
      (e: unknown) => ({ ok: false as const, error: e as { code?: string } }),
    );
    await hold.reached;
    await c.faults.crash(2);
    hold.release();
    const outcome = await create;
    // The segment's connection was lost mid-statement: the whole distributed transaction aborts.
    expect(outcome).toMatchObject({ ok: false, error: { code: '08006' } });
    await promoted(c);
    const t = await c.connect();
    // No index: not in the catalog, not used by the planner, and its name is free.
    await t.query('set enable_seqscan = off');
    expect((await t.query('explain select * from ht where k = 7')).rows.map((r) => r[0]).join('\n')).toMatch(
      /Seq Scan on ht/,
    );
    await expect(t.query('drop index ht_k')).rejects.toMatchObject({ code: '42704' });
    expect((await t.query('select count(*)::int from pg_indexes')).rows).toEqual([[0]]);
    await t.query('create index ht_k on ht (k)');
    const plan = (await t.query('explain select count(*) from ht where k = 7')).rows
      .map((r) => r[0])
      .join('\n');
    expect(plan).toMatch(/Index Scan using ht_k on ht/);
    expect((await t.query('select count(*)::int from ht where k = 7')).rows).toEqual([[8]]);
    await t.close();
    await s.close();
  });
});

describe('concurrent inserts of one key', () => {
  /** `n` keys that hash to the same segment as key 1 (a deadlock needs both on one segment). */
  async function sameSegmentKeys(s: Session, n: number): Promise<number[]> {
    await s.query('create table probe (id int) distributed by (id)');
    await s.query('insert into probe select generate_series(1, 200)');
    const r = await s.query(
      'select id from probe where gp_segment_id = (select gp_segment_id from probe where id = 1) order by id',
    );
    await s.query('drop table probe');
    return r.rows.slice(0, n).map((x) => x[0] as number);
  }

  it('the second waits for the first: fails once it commits, goes on once it aborts; a cycle is a deadlock', async () => {
    const c = (cluster = await createCluster({ mirroring: 'none', timeScale: 200 }));
    const a = await c.connect();
    const b = await c.connect();
    await a.query('create table u (id int primary key, who text) distributed by (id)');
    const [k1, k2] = await sameSegmentKeys(a, 2);
    const settled = <T>(p: Promise<T>) => {
      let done = false;
      void p.then(
        () => (done = true),
        () => (done = true),
      );
      return () => done;
    };

    await a.query('begin');
    await a.query(`insert into u values (${k1}, 'a')`);
    const second = b.query(`insert into u values (${k1}, 'b')`);
    const secondDone = settled(second);
    // b waits on a's transaction (a duplicate of a row that may still go away is not an error
    // yet): a's next statements run while b's insert stays unanswered.
    await a.query('select 1');
    await a.query(`select count(*) from u where id = ${k1}`);
    expect(secondDone()).toBe(false);
    await a.query('commit');
    await expect(second).rejects.toMatchObject({ code: '23505', detail: `Key (id)=(${k1}) already exists.` });

    await a.query('begin');
    await a.query(`insert into u values (${k2}, 'a')`);
    const third = b.query(`insert into u values (${k2}, 'b')`);
    const thirdDone = settled(third);
    await a.query('select 1');
    expect(thirdDone()).toBe(false);
    await a.query('rollback');
    await third;
    expect((await c.query(`select who from u where id = ${k2}`)).rows).toEqual([['b']]);

    // a holds k3 and waits for b's k4; b then asks for k3: one of them is a deadlock.
    const [, , k3, k4] = await sameSegmentKeys(a, 4);
    await a.query('begin');
    await b.query('begin');
    await a.query(`insert into u values (${k3!}, 'a')`);
    await b.query(`insert into u values (${k4!}, 'b')`);
    const aWaits = a.query(`insert into u values (${k4!}, 'a')`).then(
      () => 'ok',
      (e: { code?: string }) => e.code,
    );
    await b.query('select 1');
    const bOutcome = await b.query(`insert into u values (${k3!}, 'b')`).then(
      () => 'ok',
      (e: { code?: string }) => e.code,
    );
    expect(bOutcome).toBe('40P01');
    await b.query('rollback');
    expect(await aWaits).toBe('ok');
    await a.query('commit');
    expect((await c.query(`select id, who from u where id in (${k3!}, ${k4!}) order by id`)).rows).toEqual(
      [k3!, k4!].sort((x, y) => x - y).map((k) => [k, 'a']),
    );
    await a.close();
    await b.close();
  });
});

describe('COPY into an indexed table', () => {
  it('checks every copied row against the key, and a refused COPY leaves none of its rows', async () => {
    const c = (cluster = await createCluster({ mirroring: 'none', timeScale: 200 }));
    const s = await c.connect();
    await s.query('create table cu (id int primary key, name text) distributed by (id)');
    await s.query('create index cu_name on cu (name)');
    await s.query("insert into cu values (1, 'one'), (2, 'two')");
    const copy = (lines: string[]) => s.query(['COPY cu FROM STDIN;', ...lines, '\\.'].join('\n'));
    await expect(copy(['3\tthree', '2\tagain', '4\tfour'])).rejects.toMatchObject({
      code: '23505',
      message: 'duplicate key value violates unique constraint "cu_pkey"',
    });
    expect((await s.query('select count(*)::int from cu')).rows).toEqual([[2]]);
    await copy(['3\tthree', '4\tfour']);
    await s.query('set enable_seqscan = off');
    const plan = (await s.query("explain select id from cu where name = 'four'")).rows
      .map((r) => r[0])
      .join('\n');
    expect(plan).toMatch(/Index Scan using cu_name on cu/);
    expect((await s.query("select id from cu where name = 'four'")).rows).toEqual([[4]]);
    expect((await s.query('select id from cu where id between 2 and 3 order by id')).rows).toEqual([
      [2],
      [3],
    ]);
    // An IN list reads one key per value, shown as Postgres shows it.
    const inPlan = (await s.query("explain select id from cu where name in ('four', 'one', 'it''s')")).rows
      .map((r) => r[0])
      .join('\n');
    expect(inPlan).toContain(`Index Cond: (cu.name = ANY ('{four,one,"it''s"}'::text[]))`);
    expect(
      (await s.query("select id from cu where name in ('four', 'one', 'it''s') order by id")).rows,
    ).toEqual([[1], [4]]);
    await s.close();
  });
});
