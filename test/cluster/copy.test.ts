/**
 * COPY FROM STDIN / TO STDOUT (issue 22). The PostgreSQL driver the differential tests use has
 * no COPY protocol, so the expected text here was produced by psql 15 from the same script.
 */
import { afterEach, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';
import { splitStatements } from '../../src/ui/console/split-sql.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const LOAD = [
  'create table ct (id int, name text, amount numeric(8,2), day date, ok boolean) distributed by (id);',
  'COPY ct FROM STDIN;',
  '1\tann\t10.50\t2024-01-02\tt',
  '2\tb\\tc\t\\N\t2024-02-29\tf',
  '3\tback\\\\slash\t-3\t\\N\t\\N',
  '4\tnew\\nline\t0\t2024-12-31\ttrue',
  '\\.',
  'COPY ct (id, name) FROM STDIN WITH (FORMAT csv, HEADER);',
  'id,name',
  '5,"quoted, comma"',
  '6,',
  '7,""',
  '8,"say ""hi"""',
  '9,"two',
  'lines"',
  '\\.',
  "select count(*) from ct where name = 'two' || chr(10) || 'lines';",
].join('\n');

it('loads text and CSV from the lines after the statement, and writes them back as psql shows', async () => {
  const c = (cluster = await createCluster({ mirroring: 'none', timeScale: 200 }));
  // The console sends a COPY with its data as one statement; so does one query string.
  expect(splitStatements(LOAD)).toHaveLength(4);
  const s = await c.connect();
  for (const stmt of splitStatements(LOAD).slice(0, 3)) await s.query(stmt);
  expect((await s.query(splitStatements(LOAD)[3]!)).rows).toEqual([[1]]);
  const all = await c.query(
    LOAD.replace('create table ct ', 'create table ct2 ')
      .replace(/COPY ct /g, 'COPY ct2 ')
      .replace('from ct where', 'from ct2 where'),
  );
  expect(all.rows).toEqual([[1]]);
  // The rows went to the segments their key hashes to.
  expect((await c.query('select count(distinct gp_segment_id) > 1 from ct')).rows).toEqual([[true]]);

  const text = await c.query('COPY (select * from ct order by id) TO STDOUT');
  expect(text.command).toBe('COPY');
  expect(text.rowCount).toBe(9);
  expect(text.copyOut).toBe(
    [
      '1\tann\t10.50\t2024-01-02\tt',
      '2\tb\\tc\t\\N\t2024-02-29\tf',
      '3\tback\\\\slash\t-3.00\t\\N\t\\N',
      '4\tnew\\nline\t0.00\t2024-12-31\tt',
      '5\tquoted, comma\t\\N\t\\N\t\\N',
      '6\t\\N\t\\N\t\\N\t\\N',
      '7\t\t\\N\t\\N\t\\N',
      '8\tsay "hi"\t\\N\t\\N\t\\N',
      '9\ttwo\\nlines\t\\N\t\\N\t\\N',
      '',
    ].join('\n'),
  );
  const csv = await c.query(
    'COPY (select id, name from ct where id >= 5 order by id) TO STDOUT WITH CSV HEADER',
  );
  expect(csv.copyOut).toBe('id,name\n5,"quoted, comma"\n6,\n7,""\n8,"say ""hi"""\n9,"two\nlines"\n');
  const semi = await c.query(
    "COPY (select id, amount from ct order by id) TO STDOUT WITH (FORMAT csv, DELIMITER ';', NULL 'NULL')",
  );
  expect(semi.copyOut?.split('\n').slice(0, 3)).toEqual(['1;10.50', '2;NULL', '3;-3.00']);
});

it('bad data fails the whole COPY with the line and column named, and loads nothing', async () => {
  const c = (cluster = await createCluster({ mirroring: 'none', timeScale: 200 }));
  await c.query('create table t (a int, b date) distributed by (a)');
  const cases: [string, string, string, string][] = [
    [
      'COPY t FROM STDIN;\n1\t2024-01-01\n2\tnot a date\n\\.',
      '22007',
      'invalid input syntax for type date: "not a date"',
      'COPY t, line 2, column b: "not a date"',
    ],
    ['COPY t FROM STDIN;\n1\t2024-01-01\n2\n\\.', '22P04', 'missing data for column "b"', 'COPY t, line 2'],
    [
      'COPY t FROM STDIN;\n1\t2024-01-01\textra\n\\.',
      '22P04',
      'extra data after last expected column',
      'COPY t, line 1',
    ],
    [
      'COPY t FROM STDIN WITH CSV;\n1,"2024-01-01\n',
      '22P04',
      'unterminated CSV quoted field',
      'COPY, line 1',
    ],
  ];
  for (const [sql, code, message, detail] of cases)
    await expect(c.query(sql), sql).rejects.toMatchObject({ code, message, detail });
  expect((await c.query('select count(*) from t')).rows).toEqual([[0]]);
  await expect(c.query('COPY t FROM STDIN')).rejects.toMatchObject({
    code: '22P04',
    message: 'COPY FROM STDIN has no data',
  });
  await expect(c.query("COPY t FROM '/tmp/t.csv'")).rejects.toMatchObject({ code: '0A000' });
  await expect(c.query('COPY t TO STDOUT WITH (FORMAT binary)')).rejects.toMatchObject({ code: '0A000' });
  await expect(c.query('COPY t TO STDOUT WITH (HEADER)')).rejects.toMatchObject({
    code: '0A000',
    message: 'COPY HEADER available only in CSV mode',
  });
  await expect(c.query("COPY t FROM STDIN WITH (FORMAT csv, DELIMITER ',,')")).rejects.toMatchObject({
    code: '0A000',
    message: 'COPY delimiter must be a single one-byte character',
  });
  await expect(c.query('COPY t FROM STDIN LOG ERRORS SEGMENT REJECT LIMIT 10')).rejects.toMatchObject({
    code: '0A000',
  });
  await expect(c.query('COPY nope FROM STDIN;\n1\n\\.')).rejects.toMatchObject({ code: '42P01' });
  // An empty data block loads nothing and says so.
  expect(await c.query('COPY t FROM STDIN;\n\\.')).toMatchObject({ command: 'COPY', rowCount: 0 });
  // Inside a transaction: rolled back with it.
  const s = await c.connect();
  await s.query('begin');
  await s.query('COPY t FROM STDIN;\n1\t2024-01-01\n\\.');
  expect((await s.query('select count(*) from t')).rows).toEqual([[1]]);
  await s.query('rollback');
  expect((await c.query('select count(*) from t')).rows).toEqual([[0]]);
});

it('reads a dump as psql does: comments naming copy, strings naming stdin, empty CSV, octal bytes', async () => {
  const c = (cluster = await createCluster({ mirroring: 'none', timeScale: 200 }));
  await c.query('create table u (a int, b text) distributed by (a)');
  // A pg_dump comment says "copy" before the statement; the data is still the statement's.
  const dump =
    '-- Data for Name: copy_log; Type: TABLE DATA\nCOPY u (a, b) FROM STDIN;\n1\tcaf\\303\\251\n2\t\\x41B\n\\.\n';
  expect(splitStatements(dump)).toHaveLength(1);
  expect(await c.query(dump)).toMatchObject({ command: 'COPY', rowCount: 2 });
  expect((await c.query('select b from u order by a')).rows).toEqual([['café'], ['AB']]);
  // "from stdin" inside a string is not a COPY FROM STDIN: the next statement still runs.
  const r = await c.query("COPY (select 'from stdin' as s) TO STDOUT; select 42");
  expect(r.rows).toEqual([[42]]);
  // No data rows: nothing loaded, in either format.
  expect(await c.query('COPY u FROM STDIN WITH CSV;\n\\.')).toMatchObject({ rowCount: 0 });
  await expect(c.query('COPY u FROM STDIN;\n3\ta\\0b\n\\.')).rejects.toMatchObject({ code: '22021' });
  // An uppercase letter may delimit (only lowercase ones and digits are refused); HEADER takes 1.
  expect(await c.query("COPY u FROM STDIN WITH (DELIMITER 'X');\n5Xe\n\\.")).toMatchObject({ rowCount: 1 });
  const h = await c.query('COPY (select a from u where a = 5) TO STDOUT WITH (FORMAT csv, HEADER 1)');
  expect(h.copyOut).toBe('a\n5\n');
  await expect(c.query(`COPY u FROM STDIN WITH (FORMAT csv, NULL '"')`)).rejects.toMatchObject({
    message: 'CSV quote character must not appear in the NULL specification',
  });
});
