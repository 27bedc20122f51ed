-- Found by the SQL fuzzer (seeds 18, 21, 53): x NOT IN (a correlated subquery) kept NULL rules for
-- the correlation keys too, dropping outer rows the correlation admits no inner row for; and an
-- UPDATE's target was redistributed by the anti join, so no row was changed.
-- setup
CREATE TABLE t0 (c0 int, c2 int, c3 numeric(12,2)) DISTRIBUTED BY (c2);
INSERT INTO t0 VALUES (NULL, NULL, NULL), (1, 2, 3.00), (2, NULL, 1.50);
CREATE TABLE t2 (c3 int, c4 numeric) DISTRIBUTED RANDOMLY;
INSERT INTO t2 VALUES (NULL, 10.10), (1, 0.01), (2, NULL);
CREATE TABLE u2 (c0 int, c1 int) DISTRIBUTED RANDOMLY;
INSERT INTO u2 VALUES (1000000, NULL), (5, 5);
CREATE TABLE u3 (c0 int, c2 int) DISTRIBUTED BY (c0);
-- queries
SELECT a0.c3 FROM t0 a0 WHERE (0.01::numeric NOT IN (SELECT 10.10::numeric FROM t2 a1 WHERE (a1.c3 = a0.c0)));
SELECT a0.c0 FROM t0 a0 WHERE a0.c3 NOT IN (SELECT a1.c4 FROM t2 a1 WHERE a1.c3 = a0.c0);
SELECT a0.c0 FROM t0 a0 WHERE a0.c3 NOT IN (SELECT a1.c4 FROM t2 a1 WHERE a1.c3 = a0.c0 AND a1.c4 > 0);
SELECT a0.c0 FROM t0 a0 WHERE a0.c2 NOT IN (SELECT a1.c3 FROM t2 a1);
UPDATE u2 a0 SET c0 = a0.c1 WHERE (a0.c1 NOT IN (SELECT a1.c0 FROM u3 a1 WHERE (a1.c2 = a0.c0)));
SELECT * FROM u2;
DELETE FROM u2 a0 WHERE NOT EXISTS (SELECT 1 FROM u3 a1 WHERE a1.c2 = a0.c1);
SELECT * FROM u2;
