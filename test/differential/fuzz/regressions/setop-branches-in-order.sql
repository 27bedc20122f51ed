-- Found by the SQL fuzzer (seed 16094, shape 1seg), shrunk: parse analysis takes a set operation's
-- branches in order, so the first branch's bad GROUP BY position (42P10) comes before the second
-- branch's missing table, which its LATERAL item's left side reads (42P01).
-- setup
CREATE TABLE t1 (c1 double precision) DISTRIBUTED REPLICATED;
-- queries
-- error 42P10
SELECT 'B'::text AS x0 FROM t1 a0 GROUP BY 12 UNION SELECT a8.c0 AS x0 FROM (SELECT count(DISTINCT a4.c0) FILTER (WHERE ('1'::float8 IN ('Infinity'::float8, a4.c2))) AS x2 FROM t0 a4) a5, LATERAL (SELECT 5 AS v FROM t0 a6) a7;

