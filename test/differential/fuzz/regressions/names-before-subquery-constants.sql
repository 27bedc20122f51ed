-- Found by the SQL fuzzer (seed 15709, shape 1seg), shrunk: PostgreSQL resolves every name of
-- the statement (parse analysis) before it plans anything, so a missing table is reported before
-- a failing constant in a subquery of the WHERE; ours planned that subquery (an InitPlan) first.
-- setup
CREATE TABLE t0 (c2 numeric) DISTRIBUTED BY (c2);
-- queries
-- error 42P01
SELECT date_part('day', '2024-01-02'::date)::int AS x0 FROM (WITH c5 AS (SELECT min(2::bigint) FILTER (WHERE (floor('0'::float8) NOT IN (CASE WHEN (a1.c0 IS NOT DISTINCT FROM 'b'::text) THEN '1'::float8 END, CASE WHEN (a2.c2 NOT IN (a2.c2, a1.c2)) THEN '1'::float8 ELSE '-4'::float8 END))) AS x0, a1.c3 AS x1, (- a1.c2) AS x2, (- a1.c2) AS x3 FROM t1 a1 INNER JOIN t1 a2 ON ((a1.c0 = a2.c3) AND (date_part('month', a2.c1)::int NOT BETWEEN (-1) AND CASE WHEN (a1.c1 IS NULL) THEN 3 ELSE a2.c2 END)) WHERE ((COALESCE('2024-02-29 23:59:59.5'::timestamp, a2.c1) = date_trunc('hour', '2000-01-01 00:00:00'::timestamp)) OR (1 IS DISTINCT FROM ascii(a1.c3))) GROUP BY (a2.c2 % NULLIF(a2.c2, 0)), a1.c3, (- a1.c2)) SELECT 12 AS x1 FROM c5 a3) a6 WHERE (a6.x1 = (SELECT 4294967296::bigint::int FROM t0 a7));
-- error 42P01
SELECT * FROM nosuch WHERE 1 = (SELECT 4294967296::bigint::int);
-- error 42703
SELECT nosuch FROM t0 WHERE 1 = (SELECT 1 / 0);
-- error 22003
SELECT c2 FROM t0 WHERE 1 = (SELECT 4294967296::bigint::int);
