-- Found by the SQL fuzzer (seeds 20, 40, 43, 47): INSERT ... SELECT whose query ends on the
-- coordinator (an aggregate over a replicated table) ran its plan without the dispatcher and
-- inserted nothing.
-- setup
CREATE TABLE t1 (c1 int, c2 numeric, c3 boolean) DISTRIBUTED REPLICATED;
INSERT INTO t1 VALUES (NULL, NULL, NULL);
CREATE TABLE t2 (c0 int, c1 int) DISTRIBUTED RANDOMLY;
-- queries
INSERT INTO t1 (c1, c2, c3) SELECT 0 AS x0, (-2.00)::numeric AS x1, ('1'::text ILIKE '_b%') AS x2 FROM (SELECT a0.c1 AS x0 FROM t1 a0) a1 GROUP BY a1.x0;
SELECT * FROM t1;
INSERT INTO t2 SELECT count(*), max(c1) FROM t1;
SELECT * FROM t2;
