-- Found by the SQL fuzzer (seed 20416, shape 1seg), shrunk: in the grouping set that leaves a
-- grouping expression out, its own select-list entry is NULL, but a repeat of it elsewhere is
-- an expression like any other, and Postgres' planner folds COALESCE('1', x) to '1'.
-- setup
CREATE TABLE t1 (c2 varchar(12), n int) DISTRIBUTED RANDOMLY;
INSERT INTO t1 VALUES ('a', 1), (NULL, 2);
-- queries
SELECT COALESCE('1'::text, a1.c2), COALESCE('1'::text, a1.c2) AS x2 FROM t1 a1 GROUP BY CUBE (COALESCE('1'::text, a1.c2));
SELECT a1.c2, COALESCE(a1.c2, 'z') AS z, count(*) AS n FROM t1 a1 GROUP BY ROLLUP (a1.c2, COALESCE(a1.c2, 'z'));
SELECT COALESCE('1'::text, a1.c2) AS x FROM t1 a1 GROUP BY ROLLUP (COALESCE('1'::text, a1.c2)) HAVING COALESCE('1'::text, a1.c2) IS NOT NULL;
