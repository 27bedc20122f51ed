-- Found by the SQL fuzzer (seed 2, shape 1seg): an int8 (bigint) and an int4 of equal value were
-- different hash join keys, so the join returned nothing.
-- setup
CREATE TABLE t0 (c0 bigint, c1 numeric(12,2)) DISTRIBUTED BY (c1);
INSERT INTO t0 VALUES (0, NULL);
CREATE TABLE t1 (c0 int, c2 text) DISTRIBUTED BY (c0);
INSERT INTO t1 VALUES (0, NULL);
-- queries
SELECT sum(a0.c1) AS x3 FROM t0 a0 INNER JOIN t1 a1 ON (a0.c0 = a1.c0) GROUP BY a1.c2;
SELECT a1.c0 FROM t0 a0, t1 a1 WHERE a0.c0 = a1.c0;
