-- Found by the SQL fuzzer (seed 16640, shape 1seg), shrunk: PostgreSQL passes a json builder's "any"
-- argument as it is, so its <> test costs what to_jsonb's does and keeps its written place; ours
-- costed the to_json the binder adds, ran the other test first, and stopped at its NULL.
-- setup
CREATE TABLE t0 (c0 text) DISTRIBUTED RANDOMLY;
INSERT INTO t0 VALUES (NULL);
-- queries
-- error 22023
UPDATE t0 a0 SET c0 = a0.c0 WHERE (a0.c0 NOT IN (json_build_object(a0.c0, '2.75'::float8)::text, to_jsonb((-2.00)::numeric)::text));
SELECT * FROM t0;
