-- Found by the SQL fuzzer (seed 16181, shape 1seg), shrunk: a GROUP BY position past the select
-- list is a parse-analysis error (42P10), reported before a subquery's overflow (here in an
-- INSERT ... SELECT).
-- setup
CREATE TABLE t2 (c0 int, c1 bigint) DISTRIBUTED BY (c0);
INSERT INTO t2 VALUES (2147483647, NULL);
CREATE TABLE t3 (c3 bigint, c4 int) DISTRIBUTED BY (c3);
-- queries
-- error 42P10
INSERT INTO t2 (c1) SELECT count(*) AS x0 FROM t3 a0 WHERE (a0.c4 < (SELECT 1000000 FROM t2 a4 WHERE (a4.c0 = (a4.c0 * a4.c0)))) GROUP BY 4;
SELECT * FROM t2;
