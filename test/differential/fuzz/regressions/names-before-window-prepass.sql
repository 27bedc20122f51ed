-- Found by the SQL fuzzer (seed 10060, shape 1seg), shrunk: the query under a window ran its
-- InitPlan (which overflows) before its names were checked; Postgres reports the missing FROM
-- entry (42P01) first.
-- setup
CREATE TABLE t0 (c4 bigint) DISTRIBUTED RANDOMLY;
INSERT INTO t0 VALUES ((-4294967296));
-- queries
-- error 42P01
SELECT 2::bigint AS x1 FROM (SELECT rank() OVER (PARTITION BY a1.c1 ORDER BY a1.c1) AS x0 FROM LATERAL (SELECT 0.01::numeric AS v FROM t0 a2) a3 WHERE (a1.c1 >= (SELECT 'NaN'::numeric FROM t0 a4 WHERE (((-9223372036854775808)::bigint + a4.c4) IS NULL)))) a6;
-- The same with the missing entry in the outer query, around a window subquery (seed 10060 again).
-- error 42P01
SELECT 2::bigint AS x1 FROM (SELECT rank() OVER (PARTITION BY a1.c4 ORDER BY a1.c4) AS x0 FROM t0 a1 WHERE (a1.c4 >= (SELECT 'NaN'::numeric FROM t0 a4 WHERE (((-9223372036854775808)::bigint + a4.c4) IS NULL)))) a6 INNER JOIN t0 a7 ON (a0.c4 = a7.c4);
-- error 42703
SELECT a6.nope FROM (SELECT rank() OVER (ORDER BY a1.c4) AS x0 FROM t0 a1 WHERE (a1.c4 >= (SELECT 'NaN'::numeric FROM t0 a4 WHERE (((-9223372036854775808)::bigint + a4.c4) IS NULL)))) a6;
-- error 22003
SELECT a6.x0 FROM (SELECT rank() OVER (ORDER BY a1.c4) AS x0 FROM t0 a1 WHERE (a1.c4 >= (SELECT 'NaN'::numeric FROM t0 a4 WHERE (((-9223372036854775808)::bigint + a4.c4) IS NULL)))) a6;
-- With a LATERAL inside the windowed subquery: its names are checked with it standing as a plain
-- subquery (seed 10060, unshrunk).
-- error 42P01
SELECT 2::bigint AS x1 FROM (SELECT DISTINCT rank() OVER (ORDER BY a1.c4) AS x0 FROM t0 a1, LATERAL (SELECT 0.01::numeric AS v FROM t0 a2 WHERE (a2.c4 = a1.c4)) a3 WHERE (a1.c4 >= (SELECT min('NaN'::numeric) FROM t0 a4 WHERE (((-9223372036854775808)::bigint + a4.c4) IS NULL)))) a6 INNER JOIN t0 a7 ON (a0.c4 = a7.c4);
-- error 42703
SELECT s.v FROM t0 a1, LATERAL (SELECT a1.nope AS v) s WHERE a1.c4 > (SELECT min((-9223372036854775808)::bigint + c4) FROM t0);
