-- Found by the SQL fuzzer (seed 13066, shape 1seg), shrunk (TLP): a LATERAL subquery over a
-- replicated table, inner-joined, then the whole join RIGHT JOINed to another table.
-- setup
CREATE TABLE t0 (c1 date) DISTRIBUTED BY (c1);
INSERT INTO t0 VALUES (NULL);
CREATE TABLE t1 (c0 int, c1 int, c2 double precision, c3 int) DISTRIBUTED REPLICATED;
INSERT INTO t1 VALUES (NULL, 1, NULL, NULL), (1, NULL, '-4', NULL);
-- queries
SELECT a7.x0 AS x1 FROM t1 a0 INNER JOIN LATERAL (SELECT 1::bigint AS v FROM t1 a1 WHERE (a1.c1 = a0.c0)) a2 ON (a0.c0 = a2.v) RIGHT JOIN (SELECT a6.c1 AS x0 FROM t0 a6) a7 ON (a2.v = 1::bigint);
SELECT a0.c0, a2.v, a7.x0 FROM t1 a0 INNER JOIN LATERAL (SELECT 1::bigint AS v FROM t1 a1 WHERE (a1.c1 = a0.c0)) a2 ON (a0.c0 = a2.v) RIGHT JOIN (SELECT a6.c1 AS x0 FROM t0 a6) a7 ON (a2.v = 1::bigint);
SELECT a0.c0, a2.v FROM t1 a0 INNER JOIN LATERAL (SELECT 1::bigint AS v FROM t1 a1 WHERE (a1.c1 = a0.c0)) a2 ON (a0.c0 = a2.v);
(SELECT a7.x0 AS x1 FROM t1 a0 INNER JOIN LATERAL (SELECT 1::bigint AS v FROM t1 a1 WHERE (a1.c1 = a0.c0)) a2 ON (a0.c0 = a2.v) RIGHT JOIN (SELECT a6.c1 AS x0 FROM t0 a6) a7 ON (a2.v = 1::bigint) WHERE (((a0.c2 > a0.c2) AND (a0.c2 IN (a0.c2, a0.c2)))) UNION ALL SELECT a7.x0 AS x1 FROM t1 a0 INNER JOIN LATERAL (SELECT 1::bigint AS v FROM t1 a1 WHERE (a1.c1 = a0.c0)) a2 ON (a0.c0 = a2.v) RIGHT JOIN (SELECT a6.c1 AS x0 FROM t0 a6) a7 ON (a2.v = 1::bigint) WHERE (NOT ((a0.c2 > a0.c2) AND (a0.c2 IN (a0.c2, a0.c2))))) UNION ALL SELECT a7.x0 AS x1 FROM t1 a0 INNER JOIN LATERAL (SELECT 1::bigint AS v FROM t1 a1 WHERE (a1.c1 = a0.c0)) a2 ON (a0.c0 = a2.v) RIGHT JOIN (SELECT a6.c1 AS x0 FROM t0 a6) a7 ON (a2.v = 1::bigint) WHERE ((((a0.c2 > a0.c2) AND (a0.c2 IN (a0.c2, a0.c2)))) IS NULL);
SELECT a7.x0 AS x1 FROM t1 a0 INNER JOIN LATERAL (SELECT 1::bigint AS v FROM t1 a1 WHERE (a1.c1 = a0.c0)) a2 ON (a0.c0 = a2.v) RIGHT JOIN (SELECT a6.c1 AS x0 FROM t0 a6) a7 ON (a2.v = 1::bigint) WHERE a0.c2 IS NULL;
SELECT a7.x0 AS x1 FROM t1 a0 INNER JOIN LATERAL (SELECT 1::bigint AS v FROM t1 a1 WHERE (a1.c1 = a0.c0)) a2 ON (a0.c0 = a2.v) RIGHT JOIN (SELECT a6.c1 AS x0 FROM t0 a6) a7 ON (a2.v = 1::bigint) WHERE a0.c2 > 0;
