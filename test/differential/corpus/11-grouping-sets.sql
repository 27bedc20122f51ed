-- GROUP BY ROLLUP, CUBE, GROUPING SETS and (), GROUPING(), with HAVING, ORDER BY, LIMIT and
-- DISTINCT over the whole result, on hash, random and replicated tables and after joins.
-- setup
-- include _setup.sql

-- queries
SELECT b, count(*), sum(a) FROM t1 GROUP BY ROLLUP (b);
SELECT b, c IS NULL AS cnull, count(*) FROM t1 GROUP BY ROLLUP (b, c IS NULL) ORDER BY b NULLS FIRST, 2 NULLS FIRST, 3;
SELECT k, count(*), min(v), max(v) FROM t3 GROUP BY CUBE (k);
SELECT k, v, count(*) FROM t3 WHERE id <= 30 GROUP BY CUBE (k, v);
SELECT b, grouping(b), count(*) FROM t1 GROUP BY GROUPING SETS ((b), ());
SELECT a % 3 AS m, b, grouping(a % 3, b) AS g, count(*) FROM t1 GROUP BY GROUPING SETS ((a % 3), (b), (a % 3, b));
SELECT count(*), sum(b) FROM t1 GROUP BY ();
SELECT 1 AS one FROM t1 GROUP BY ();
SELECT count(*) FROM t1 WHERE a > 1000 GROUP BY ();
SELECT b, count(*) FROM t1 WHERE a > 1000 GROUP BY ROLLUP (b);
SELECT b, count(*) FROM t1 GROUP BY ROLLUP (b) HAVING count(*) > 12;
SELECT b, count(*) FROM t1 GROUP BY ROLLUP (b) HAVING grouping(b) = 1;
-- ordered
SELECT b, count(*) AS n FROM t1 GROUP BY ROLLUP (b) ORDER BY n DESC, b NULLS LAST LIMIT 4;
SELECT DISTINCT count(*) > 0 AS any FROM t1 GROUP BY ROLLUP (b);
SELECT code, active, count(*) FROM r1 GROUP BY CUBE (code, active);
SELECT t1.b, t2.e IS NULL AS no_e, count(*), sum(t2.d) FROM t1 JOIN t2 ON t1.a = t2.a GROUP BY ROLLUP (t1.b, t2.e IS NULL);
SELECT b, c, count(*) FROM t1 WHERE a <= 40 GROUP BY b, ROLLUP (c);
SELECT b, c, count(*) FROM t1 WHERE a <= 40 GROUP BY GROUPING SETS (b, c), ROLLUP (a % 2);
SELECT b, count(*) FROM t1 GROUP BY ROLLUP (1);
SELECT b, sum(b) AS total, count(b) FROM t1 GROUP BY ROLLUP (b);
SELECT b, grouping(b) FROM t1 GROUP BY b;
-- ordered
SELECT b, count(*) FROM t1 GROUP BY b ORDER BY grouping(b), b NULLS FIRST;
SELECT x, count(*) FROM (SELECT b AS x FROM t1 GROUP BY ROLLUP (b)) s GROUP BY x;
SELECT b, count(*) FROM t1 GROUP BY ROLLUP (b) UNION ALL SELECT -1, 0;
-- error 42803
SELECT b, grouping(c) FROM t1 GROUP BY ROLLUP (b);
-- error 42803
SELECT grouping(a) FROM t1;
-- error 42803
SELECT b, c, count(*) FROM t1 GROUP BY ROLLUP (b);
SELECT 1 AS one FROM t1 HAVING 1 = 1;
SELECT 'x' AS x FROM t1 WHERE a > 1000 HAVING true;
-- A grouping expression absent from a set is a NULL of its type (a numeric here, not text), so
-- the sets' rows are of one type; one present is matched whole, though parts of it are absent.
SELECT COALESCE(x.d, y.d) AS v FROM t2 x JOIN t2 y ON x.a = y.a GROUP BY CUBE (x.d, y.d);
SELECT x.d, COALESCE(x.d, y.d) AS v, count(*) FROM t2 x JOIN t2 y ON x.a = y.a GROUP BY CUBE (x.d, COALESCE(x.d, y.d));
SELECT b, b + 1 AS c, count(*) FROM t1 GROUP BY ROLLUP (b, b + 1);
-- A scalar subquery as a grouping expression is nulled in the sets without it.
SELECT count(*), (SELECT max(a) FROM t2) AS m FROM t1 WHERE a < 1 GROUP BY ROLLUP ((SELECT max(a) FROM t2));
