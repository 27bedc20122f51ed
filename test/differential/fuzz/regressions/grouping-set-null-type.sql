-- Found by the SQL fuzzer (seed 10843, shape 1seg), shrunk: in the branch of a grouping set
-- without it, a grouping expression was an untyped NULL, so the branches' union failed
-- (42804); and a grouping expression that a set has was rewritten in its parts (42803).
-- setup
CREATE TABLE t3 (c0 text, c2 numeric) DISTRIBUTED RANDOMLY;
CREATE TABLE t0 (c0 bigint, c1 date) DISTRIBUTED BY (c0);
INSERT INTO t0 VALUES (NULL, '5874897-12-31');
CREATE TABLE t2 (c2 timestamp, c3 int, c4 int) DISTRIBUTED BY (c3);
INSERT INTO t2 VALUES (NULL, NULL, NULL);
-- queries
SELECT COALESCE(a0.c2, a1.c2) AS x3 FROM t3 a0 INNER JOIN t3 a1 ON (a0.c0 = a1.c0) GROUP BY CUBE (a0.c2, a1.c2);
SELECT count(*) AS x0, COALESCE(a0.c2, a1.c2) AS x2 FROM t3 a0 INNER JOIN t3 a1 ON (a0.c0 = a1.c0) GROUP BY CUBE (a0.c0, a0.c2, COALESCE(a0.c2, a1.c2));
-- Seed 10973: every set's NULLs typed, the InitPlan's own error (22008) is the statement's.
-- error 22008
SELECT COALESCE(a0.c4, a0.c3) AS x0 FROM t2 a0 WHERE (a0.c2 >= (SELECT a1.c1::timestamp FROM t0 a1)) GROUP BY CUBE (a0.c4, a0.c3);
SELECT COALESCE(a0.c4, a0.c3) AS x0, a0.c3 FROM t2 a0 GROUP BY CUBE (COALESCE(a0.c4, a0.c3), a0.c3, a0.c2);
