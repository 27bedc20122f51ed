-- SELECT ... FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE [OF] [NOWAIT]: the rows are those of
-- the plain SELECT; the clauses Postgres refuses are refused with its SQLSTATE. (The lock taken,
-- Greenplum's table ExclusiveLock, is tested in test/cluster/for-update.test.ts.)
-- setup
-- include _setup.sql

-- queries
BEGIN;
SELECT a, b, c FROM t1 WHERE a <= 10 FOR UPDATE;
SELECT a, b FROM t1 WHERE a BETWEEN 20 AND 30 ORDER BY a FOR SHARE;
-- ordered
SELECT a FROM t1 WHERE a > 90 ORDER BY a LIMIT 3 FOR NO KEY UPDATE;
-- ordered
SELECT a FROM t1 WHERE a > 90 ORDER BY a FOR KEY SHARE LIMIT 2;
SELECT x.a, y.d FROM t1 x JOIN t2 y ON x.a = y.a WHERE x.a < 20 FOR UPDATE OF x;
SELECT x.a, y.d FROM t1 x JOIN t2 y ON x.a = y.a WHERE x.a < 20 FOR UPDATE OF x, y NOWAIT;
SELECT code, name FROM r1 FOR UPDATE;
SELECT id, k FROM t3 WHERE id < 5 FOR SHARE OF t3 FOR UPDATE OF t3;
COMMIT;
SELECT a FROM t1 WHERE a = 5 FOR UPDATE;
-- error 0A000
SELECT count(*) FROM t1 FOR UPDATE;
-- error 0A000
SELECT b, count(*) FROM t1 GROUP BY b FOR UPDATE;
-- error 0A000
SELECT DISTINCT b FROM t1 FOR SHARE;
-- error 0A000
SELECT a FROM t1 UNION SELECT a FROM t2 FOR UPDATE;
-- error 0A000
SELECT a, row_number() OVER () FROM t1 FOR UPDATE;
-- error 0A000
SELECT 1 FROM t1 HAVING true FOR UPDATE;
-- error 42P01
SELECT a FROM t1 x FOR UPDATE OF t1;
-- error 42P01
SELECT a FROM t1 FOR UPDATE OF t2;
-- the derived tables it locks follow the same rules; WITH queries, functions and VALUES are not locked
-- error 0A000
SELECT * FROM (SELECT DISTINCT a FROM t1) s FOR UPDATE;
-- error 0A000
SELECT * FROM t1 x, LATERAL (SELECT count(*) AS n FROM t2 WHERE t2.a = x.a) s FOR UPDATE;
SELECT x.a, s.n FROM t1 x, LATERAL (SELECT count(*) AS n FROM t2 WHERE t2.a = x.a) s WHERE x.a < 12 FOR UPDATE OF x;
SELECT s.a FROM (SELECT a FROM t1 WHERE a < 4) s FOR UPDATE;
WITH w AS (SELECT a FROM t1 WHERE a < 4) SELECT a FROM w FOR UPDATE;
SELECT a, g FROM t1, generate_series(1, 2) g WHERE a < 3 FOR SHARE;
-- nothing locked on the nullable side of an outer join
-- error 0A000
SELECT x.a, y.d FROM t1 x LEFT JOIN t2 y ON x.a = y.a FOR UPDATE;
-- error 0A000
SELECT x.a, s.d FROM t1 x LEFT JOIN (SELECT a, d FROM t2) s ON x.a = s.a FOR SHARE;
-- error 0A000
SELECT x.a, y.d FROM t1 x FULL JOIN t2 y ON x.a = y.a FOR UPDATE OF x;
SELECT x.a, y.d FROM t1 x LEFT JOIN t2 y ON x.a = y.a WHERE x.a < 12 FOR UPDATE OF x;
SELECT x.a, y.d FROM t1 x RIGHT JOIN t2 y ON x.a = y.a WHERE y.a < 12 FOR UPDATE OF y;
-- error 0A000
SELECT s.a FROM (SELECT x.a FROM t1 x LEFT JOIN t2 y ON x.a = y.a) s FOR UPDATE;
SELECT s.a FROM (SELECT x.a FROM t1 x LEFT JOIN t2 y ON x.a = y.a WHERE x.a < 4) s, t1 z WHERE z.a = s.a FOR UPDATE OF z;
-- a name that does not resolve comes before the clause's own restrictions
-- error 42P01
SELECT x.a FROM t1 x, t2 y JOIN t1 z ON x.a = z.a GROUP BY x.a FOR UPDATE;
