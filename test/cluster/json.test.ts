/**
 * json and jsonb (issue 22): results are compared with PostgreSQL in the differential corpus
 * (14-json.sql); here, what only an MPP cluster shows: where equal jsonb values hash to, which
 * distribution keys Greenplum refuses, the refusals where json has no operator, and json rows
 * that a promoted mirror serves as the primary did.
 */
import { afterEach, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';
import { synced, waitFor } from '../support/wait.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

it('equal jsonb values share a segment and a group; json cannot be a key, a group or a sort', async () => {
  const c = (cluster = await createCluster({ mirroring: 'none', timeScale: 200 }));
  await c.query('create table kb (k jsonb, v int) distributed by (k)');
  const docs = [
    '{"x": 1}',
    '{"x": 1.0}',
    '{"x": 1.00, "y": null}',
    '{"y": null, "x": 1}',
    '[1, 2]',
    '[1.0, 2.0]',
  ];
  for (let i = 0; i < 40; i++) await c.query(`insert into kb values ('${docs[i % docs.length]}', ${i})`);
  // Numerically equal documents hash alike, so each group lives on one segment.
  const where = await c.query(
    'select min(v), count(distinct gp_segment_id), count(*) from kb group by k order by 1',
  );
  expect(where.rows).toEqual([
    [0, 1, 14],
    [2, 1, 14],
    [4, 1, 12],
  ]);
  expect((await c.query('select count(distinct k) from kb')).rows).toEqual([[3]]);

  await expect(c.query('create table bad (j json) distributed by (j)')).rejects.toMatchObject({
    code: '42704',
    message: 'data type json has no default operator class for access method "hash"',
  });
  // With no usable column, the table is randomly distributed (Greenplum's NOTICE says so).
  const made = await c.query('create table onlyjson (j json)');
  expect(made.notices?.join('\n') ?? '').toContain('no column type is suitable for a distribution key');
  await c.query(`insert into onlyjson values ('{"a": 1}'), ('[1,  2]')`);
  for (const q of [
    'select j, count(*) from onlyjson group by j',
    'select distinct j from onlyjson',
    'select count(distinct j) from onlyjson',
    'select row_number() over (partition by j) from onlyjson',
    'select j from onlyjson union select j from onlyjson',
  ])
    await expect(c.query(q), q).rejects.toMatchObject({
      code: '42883',
      message: 'could not identify an equality operator for type json',
    });
  for (const q of [
    'select j from onlyjson order by j',
    'select row_number() over (order by j) from onlyjson',
  ])
    await expect(c.query(q), q).rejects.toMatchObject({
      code: '42883',
      message: 'could not identify an ordering operator for type json',
    });
  // json keeps its text, whitespace included.
  expect((await c.query(`select j -> 0 from onlyjson where j::text like '[%'`)).rows).toEqual([['1']]);
  expect((await c.query(`select j::text from onlyjson order by 1`)).rows).toEqual([
    ['[1,  2]'],
    ['{"a": 1}'],
  ]);
});

it('a promoted mirror serves the same json rows, and -> and @> on them', async () => {
  const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
  await synced(c);
  await c.query('create table ev (id int, doc jsonb) distributed by (id)');
  await c.query(
    `insert into ev select i, jsonb_build_object('id', i, 'kind', case when i % 2 = 0 then 'even' else 'odd' end, 'tags', jsonb_build_array(i % 3, 'x')) from generate_series(1, 200) i`,
  );
  const before = await c.query(
    `select count(*), sum((doc ->> 'id')::int) from ev where doc @> '{"kind": "even"}'`,
  );
  expect(before.rows).toEqual([[100, 10100]]);
  await c.faults.crash(2);
  await waitFor(async () => {
    await c.query('select gp_request_fts_probe_scan()');
    const r = await c.query(
      `select count(*) from gp_segment_configuration where content = 0 and role = 'p' and preferred_role = 'm'`,
    );
    return r.rows[0]![0] === 1;
  }, 30_000);
  const after = await c.query(
    `select count(*), sum((doc ->> 'id')::int) from ev where doc @> '{"kind": "even"}'`,
  );
  expect(after.rows).toEqual(before.rows);
  expect((await c.query(`select doc from ev where id = 7`)).rows).toEqual([
    ['{"id": 7, "kind": "odd", "tags": [1, "x"]}'],
  ]);
});
