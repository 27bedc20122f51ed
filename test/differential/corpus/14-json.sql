-- json and jsonb: input and output (json keeps its text, jsonb its canonical form), the builders
-- and aggregates, -> and ->>, jsonb's order, equality, containment and existence, the casts, and
-- the refusals for json, which has no equality or ordering operator.
-- setup
-- include _setup.sql
CREATE TABLE docs (id int, j json, b jsonb) DISTRIBUTED BY (id);
INSERT INTO docs VALUES
  (1, '{"a": 1, "b": [1,  2, {"c": "x"}]}', '{"a": 1, "b": [1,  2, {"c": "x"}]}'),
  (2, '{"a": 1.50, "a": 2}', '{"a": 1.50, "a": 2}'),
  (3, '[1, "two", null, true, 3.0e2]', '[1, "two", null, true, 3.0e2]'),
  (4, '"just a string"', '"just a string"'),
  (5, '42', '42'),
  (6, 'null', 'null'),
  (7, '{"name": "Ann", "tags": ["x", "y"], "age": 31}', '{"name": "Ann", "tags": ["x", "y"], "age": 31}'),
  (8, '{"name": "Bo", "tags": [], "age": 31.0}', '{"name": "Bo", "tags": [], "age": 31.0}'),
  (9, NULL, NULL),
  (10, '{"esc": "a\"b\\c\n\u00e9"}', '{"esc": "a\"b\\c\n\u00e9"}');
CREATE TABLE kb (k jsonb, v int) DISTRIBUTED BY (k);
INSERT INTO kb VALUES ('{"x": 1}', 1), ('{"x": 1.0}', 2), ('[1, 2]', 3), ('"s"', 4), ('1', 5),
  ('{"x": 1, "y": 2}', 6), ('{"y": 2, "x": 1}', 7), ('[]', 8), ('{}', 9), ('null', 10), ('true', 11);

-- queries
SELECT id, j, b FROM docs;
SELECT id, j -> 'a', b -> 'a', j ->> 'a', b ->> 'a' FROM docs;
SELECT id, j -> 'b', b -> 'b', j -> 'b' -> 2 ->> 'c', b -> 'b' -> -1 FROM docs WHERE id = 1;
SELECT id, j -> 1, b -> 1, j ->> 1, b ->> 1, b -> -1, b -> 10, j ->> 2 FROM docs WHERE id = 3;
SELECT id, j ->> 'esc', b ->> 'esc', b -> 'esc' FROM docs WHERE id = 10;
SELECT id, json_typeof(j), jsonb_typeof(b) FROM docs;
SELECT id, json_array_length(j -> 'tags'), jsonb_array_length(b -> 'tags') FROM docs WHERE id IN (7, 8);
SELECT b ->> 'name', (b ->> 'age')::numeric FROM docs WHERE b ? 'name';
SELECT id FROM docs WHERE b @> '{"tags": ["y"]}';
SELECT id FROM docs WHERE b @> '{"age": 31}';
SELECT id FROM docs WHERE '{"a": 1}' <@ b;
SELECT id FROM docs WHERE b @> '1';
SELECT id, b ? 'two', b ? 'a', b ? 'just a string' FROM docs;
SELECT '[1, 2]'::jsonb @> '1', '1'::jsonb @> '[1]', '[[1, 2]]'::jsonb @> '[1]', '[1, [2]]'::jsonb @> '[[2]]';
SELECT '{"a": [1, 2, {"b": 3}]}'::jsonb @> '{"a": [{"b": 3}]}', '{"a": [1]}'::jsonb @> '{"a": 1}';
SELECT k, v FROM kb ORDER BY k, v;
SELECT k, count(*), sum(v) FROM kb GROUP BY k;
SELECT DISTINCT k FROM kb;
SELECT a.v, b.v FROM kb a JOIN kb b ON a.k = b.k AND a.v < b.v;
SELECT count(*) FROM kb WHERE k = '{"x": 1}';
SELECT '[]'::jsonb < '1'::jsonb, '[1]'::jsonb < '2'::jsonb, '{}'::jsonb > '[1, 2]'::jsonb, 'null'::jsonb < '""'::jsonb;
SELECT '1.0'::jsonb = '1'::jsonb, '{"a": 1, "b": 2}'::jsonb = '{"b": 2, "a": 1}'::jsonb, '[1, 2]'::jsonb <> '[2, 1]'::jsonb;
SELECT json_build_object('a', 1, 'b', 'x', 'c', NULL, 'd', true, 'e', 2.50, 'f', '2024-02-29'::date);
SELECT jsonb_build_object('b', 1, 'a', 2, 'aa', 3, 'a', 4), json_build_object(), jsonb_build_object();
SELECT json_build_object(1.50, 2, true, 3), json_build_array(1, 'a', 2.5, NULL, false), jsonb_build_array();
SELECT json_build_object('t', '2024-01-02 03:04:05.5'::timestamp, 'tz', '2024-01-02 03:04:05'::timestamptz);
SELECT json_build_object('nan', 'NaN'::numeric, 'inf', 'Infinity'::float8, 'big', 12345678901234567890::numeric);
SELECT json_build_object('nested', json_build_array(1, json_build_object('k', 'v')), 'j', '{"x":  1}'::json);
SELECT jsonb_build_object('nested', jsonb_build_array(1, jsonb_build_object('k', 'v')), 'j', '{"x":  1}'::json);
SELECT to_json('text'::text), to_json(5), to_json(1.50), to_jsonb('a"b'::text), to_json(NULL::int), to_jsonb(3.0);
SELECT a, json_build_object('a', a, 'c', c) FROM t1 WHERE a < 4;
SELECT b, json_agg(a ORDER BY a) FROM t1 WHERE a < 20 GROUP BY b;
SELECT b, jsonb_agg(c ORDER BY a DESC) FROM t1 WHERE a BETWEEN 10 AND 30 GROUP BY b;
SELECT json_object_agg(a, c ORDER BY a) FROM t1 WHERE a < 6;
SELECT jsonb_object_agg(b, a ORDER BY a) FROM t1 WHERE a < 12 AND b IS NOT NULL;
SELECT json_agg(a) FROM t1 WHERE a > 1000;
SELECT json_agg(x ORDER BY x) FROM (VALUES (1), (NULL), (3)) v(x);
SELECT '{"a":1}'::json::jsonb, '{"b": 1, "a": 2}'::jsonb::json, '{"a":1}'::json::text;
SELECT '12'::jsonb::int, '1.5'::jsonb::int, '2.5'::jsonb::numeric, 'true'::jsonb::bool, '1e3'::jsonb::float8;
SELECT '-0'::jsonb, '1E+2'::jsonb, '0.00100'::jsonb, '[1e-2, -1.5e1]'::jsonb;
SELECT '  {"a" :1 }  '::json, '  {"a" :1 }  '::jsonb;
SELECT id, b FROM docs WHERE b ->> 'name' = 'Ann';
SELECT count(*) FROM docs WHERE j IS NULL;
CREATE TABLE jt AS SELECT id, b FROM docs DISTRIBUTED BY (id);
SELECT id, b -> 'a' FROM jt WHERE b ? 'a';
UPDATE jt SET b = jsonb_build_object('id', id) WHERE id < 3;
SELECT id, b FROM jt WHERE id < 4;
-- error 22P02
SELECT '{"a": }'::json;
-- error 22P02
SELECT '[1, 2'::jsonb;
-- error 22P02
SELECT '{"a": 1} x'::json;
-- error 22P02
SELECT 'nul'::jsonb;
-- error 22P02
SELECT '01'::json;
-- error 22P02
SELECT '{a: 1}'::jsonb;
-- error 22P02
SELECT '"tab	inside"'::json;
-- error 22P05
SELECT '"\u0000"'::jsonb;
-- error 42883
SELECT j = j FROM docs;
-- error 42883
SELECT j, count(*) FROM docs GROUP BY j;
-- error 42883
SELECT id FROM docs ORDER BY j;
-- error 42883
SELECT DISTINCT j FROM docs;
-- error 42883
SELECT j FROM docs UNION SELECT j FROM docs;
SELECT count(*) FROM (SELECT j FROM docs UNION ALL SELECT j FROM docs) s;
-- error 22023
SELECT json_build_object('a');
-- error 22023
SELECT json_build_object(NULL, 1);
-- error 22023
SELECT json_object_agg(NULL, 1);
-- error 22023
SELECT '"x"'::jsonb::int;
-- error 22023
SELECT '{}'::jsonb::numeric;
-- error 22023
SELECT '1'::jsonb::bool;
-- error 22023
SELECT jsonb_array_length('{}');
-- error 22023
SELECT jsonb_array_length('5');
-- error 22023
SELECT json_array_length('5');
-- error 42846
SELECT '1'::json::int;
-- error 42804
INSERT INTO docs (id, j) SELECT 20, 'x'::text;
-- ordered
SELECT a, json_agg(c) OVER (ORDER BY a), jsonb_agg(a) OVER (PARTITION BY b ORDER BY a) FROM t1 WHERE a < 8 ORDER BY a;
SELECT count(DISTINCT b), count(DISTINCT b -> 'a') FROM docs;
-- error 42883
SELECT count(DISTINCT j) FROM docs;
-- jsonb orders keys by their UTF-8 length: "éa" (3 bytes) before "a€" (4), though both are 2 characters.
SELECT '{"a€": 1, "éa": 2, "b": 3}'::jsonb, '{"a€": 1}'::jsonb < '{"éa": 1}'::jsonb;
