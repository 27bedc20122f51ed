-- Found by the SQL fuzzer (seed 20600, shape 1seg), shrunk: parse analysis goes through every
-- FROM item, so a bad GROUP BY position in the second derived table (42P10) comes before the
-- first one's LATERAL item computes a constant that overflows (22003).
-- setup
CREATE TABLE t0 (c0 int, c3 timestamp) DISTRIBUTED RANDOMLY;
CREATE TABLE t1 (c0 int, c3 timestamp) DISTRIBUTED REPLICATED;
-- queries
-- error 42P10
SELECT a4.c1 AS x3 FROM (SELECT avg(7) AS x2 FROM t1 a0 INNER JOIN LATERAL (SELECT 3::bigint AS v FROM t0 a1 WHERE ((a1.c3 = a0.c3) AND (a1.c0 IS NOT DISTINCT FROM 4294967296::bigint::int))) a2 ON (a0.c0 = a2.v)) a3 INNER JOIN (SELECT 12 AS x0 FROM t1 a5 GROUP BY 12) a8 ON (a3.x1 = a8.x0);
