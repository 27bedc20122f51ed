-- Found by the SQL fuzzer (seed 12680, shape 1seg), shrunk: PostgreSQL evaluates a WHERE's
-- conditions as a list and stops at the first that is not true, NULL included; a BETWEEN is two
-- of them. For the NULL row the lower bound is NULL, so the upper one, which fails on a NULL
-- key (json_build_object: argument 1 cannot be null), never runs.
-- setup
CREATE TABLE t0 (c0 varchar(12)) DISTRIBUTED BY (c0);
INSERT INTO t0 VALUES (NULL);
-- queries
SELECT '2.75'::float8 AS x2 FROM t0 a0 WHERE (a0.c0 BETWEEN (jsonb_build_object('k', '-1.25'::float8) ->> 'k') AND json_build_object(a0.c0, '2.75'::float8)::text);
