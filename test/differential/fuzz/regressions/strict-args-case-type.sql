-- Found by the SQL fuzzer (seeds 131, 147): a strict operator computes all its arguments before
-- testing for NULL (an overflow in the second is raised though the first is NULL); CASE's type
-- weighs its ELSE first (text THEN, varchar ELSE is varchar).
-- setup
CREATE TABLE t0 (c0 int, c2 varchar(12)) DISTRIBUTED BY (c0);
INSERT INTO t0 VALUES (2147483647, 'a');
CREATE TABLE t1 (c1 text) DISTRIBUTED RANDOMLY;
INSERT INTO t1 VALUES ('b');
-- queries
-- error 22003
SELECT 1 FROM t0 a0 WHERE (CASE WHEN (a0.c0 NOT BETWEEN a0.c0 AND a0.c0) THEN a0.c0 END NOT BETWEEN a0.c0 AND ((-2147483648) - a0.c0));
SELECT CASE WHEN a0.c0 > 0 THEN a1.c1 ELSE a0.c2 END AS x0 FROM t0 a0, t1 a1;
SELECT CASE WHEN (a0.c2 NOT IN (SELECT a3.c2 FROM t0 a3)) THEN a1.c1 ELSE CASE WHEN (a0.c2 IN (a0.c2, a1.c1)) THEN a0.c2 END END AS x0 FROM t0 a0, t1 a1;
