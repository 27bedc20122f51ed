-- Nested uncorrelated subqueries: each InitPlan runs with the results of those inside it (a
-- placeholder planned in once made the outer ones NULL).
-- setup
CREATE TABLE t0 (c0 int, c1 int) DISTRIBUTED BY (c0);
INSERT INTO t0 SELECT g, g % 7 FROM generate_series(1, 50) g;
-- queries
SELECT (SELECT (SELECT (SELECT 1)));
SELECT count(*) FROM t0 WHERE c0 > (SELECT avg(c0) FROM t0 WHERE c1 < (SELECT max(c1) - 2 FROM t0));
SELECT c0 FROM t0 WHERE c1 IN (SELECT c1 FROM t0 WHERE c0 = (SELECT min(c0) + 3 FROM t0)) ORDER BY 1;
