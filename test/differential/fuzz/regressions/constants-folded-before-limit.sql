-- Found by the SQL fuzzer (seed 15028, shape 1seg), shrunk: PostgreSQL folds every constant
-- expression while planning, so a failing one fails the statement even under LIMIT 0 or over an
-- empty table; ours raised it only when the executor first reached the qual.
-- setup
CREATE TABLE t1 (c1 int) DISTRIBUTED BY (c1);
CREATE TABLE t2 (c3 int) DISTRIBUTED RANDOMLY;
CREATE TABLE t3 (c0 numeric(12,2)) DISTRIBUTED REPLICATED;
CREATE TABLE t4 (c0 int, c1 bigint) DISTRIBUTED REPLICATED;
-- queries
-- error 0A000
WITH c4 AS (SELECT avg(a1.c0::float8) AS x0 FROM t3 a1) SELECT a0.c0 AS x0, a0.c1 AS x1 FROM t4 a0 CROSS JOIN c4 a2 WHERE (round('NaN'::numeric)::int < (SELECT a3.c3 FROM t2 a3)) INTERSECT SELECT max(a5.c1) AS x0, count(*) AS x1 FROM t1 a5 ORDER BY 1 DESC LIMIT 0;
-- error 0A000
SELECT a0.c0 FROM t4 a0 WHERE (round('NaN'::numeric)::int < (SELECT a3.c3 FROM t2 a3)) LIMIT 0;
-- error 22012
SELECT c1 FROM t1 ORDER BY c1 LIMIT 0 OFFSET 1 / 0;
