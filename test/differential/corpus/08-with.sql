-- WITH queries: inlined ones (one and several references, column lists, shadowing a table,
-- nested, in subqueries and INSERT ... SELECT), WITH RECURSIVE (counting, a hierarchy joined
-- to a distributed table, UNION de-duplicating), and the errors Postgres gives.
-- setup
-- include _setup.sql
CREATE TABLE emp (id int, mgr int, name text) DISTRIBUTED BY (id);
INSERT INTO emp VALUES (1, NULL, 'ceo'), (2, 1, 'a'), (3, 1, 'b'), (4, 2, 'c'), (5, 4, 'd'), (6, 3, 'e'), (7, 6, 'f');
CREATE TABLE wsink (a int, n bigint) DISTRIBUTED BY (a);

-- queries
WITH x AS (SELECT a, b FROM t1 WHERE a < 6) SELECT * FROM x ORDER BY a;
WITH x(n) AS (SELECT a FROM t1), y AS (SELECT n * 2 AS m FROM x) SELECT sum(m), count(*) FROM y;
WITH t1 AS (SELECT 42 AS a) SELECT * FROM t1;
WITH x AS (SELECT b, count(*) AS c FROM t1 GROUP BY b) SELECT * FROM x WHERE c > 10 ORDER BY b;
WITH x AS (SELECT a, b FROM t1) SELECT x1.a, x2.b FROM x x1 JOIN x x2 ON x1.a = x2.b WHERE x1.a < 5 ORDER BY 1, 2;
WITH x(p, q) AS (SELECT a, c FROM t1 WHERE a = 3) SELECT q, p FROM x;
WITH x(p) AS (SELECT a, c FROM t1 WHERE a = 3) SELECT * FROM x;
WITH x AS (SELECT a FROM t1) SELECT * FROM x AS y(z) WHERE z = 7;
SELECT * FROM (WITH y AS (SELECT 5 AS v) SELECT v FROM y) s;
SELECT (WITH y AS (SELECT max(a) AS m FROM t1) SELECT m FROM y);
SELECT a FROM t1 WHERE a IN (WITH y AS (SELECT a FROM t2 WHERE a < 20) SELECT a FROM y) ORDER BY a;
WITH x AS (SELECT a FROM t1 WHERE a < 3) SELECT * FROM x UNION ALL SELECT * FROM x ORDER BY 1;
WITH x AS (SELECT 1 AS v) SELECT * FROM (WITH x AS (SELECT 2 AS v) SELECT v FROM x) s, x;
WITH x AS MATERIALIZED (SELECT a FROM t1 WHERE a = 9) SELECT * FROM x;
WITH x AS NOT MATERIALIZED (SELECT a FROM t1 WHERE a = 9) SELECT * FROM x;
WITH unused AS (SELECT 1 / 0) SELECT 1;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100) SELECT sum(n), count(*) FROM r;
WITH RECURSIVE chain AS (SELECT id, name, 1 AS depth FROM emp WHERE mgr IS NULL UNION ALL SELECT e.id, e.name, c.depth + 1 FROM emp e JOIN chain c ON e.mgr = c.id) SELECT * FROM chain ORDER BY depth, id;
WITH RECURSIVE up(id, mgr, path) AS (SELECT id, mgr, name FROM emp WHERE id = 7 UNION ALL SELECT e.id, e.mgr, up.path || '<' || e.name FROM emp e, up WHERE e.id = up.mgr) SELECT path FROM up WHERE mgr IS NULL;
WITH RECURSIVE r(n) AS (SELECT 1 UNION SELECT n % 3 + 1 FROM r) SELECT * FROM r ORDER BY n;
WITH RECURSIVE r(n) AS (SELECT 1::bigint UNION ALL SELECT n * 2 FROM r WHERE n < 1000) SELECT max(n) FROM r;
WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3), s AS (SELECT n * 10 AS m FROM r) SELECT * FROM s ORDER BY m;
WITH RECURSIVE fib(i, a, b) AS (SELECT 1, 0::numeric, 1::numeric UNION ALL SELECT i + 1, b, a + b FROM fib WHERE i < 50) SELECT a FROM fib WHERE i = 50;
INSERT INTO wsink WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 20) SELECT n, n * n FROM r;
SELECT count(*), sum(n) FROM wsink;
-- errors
-- error 42712
WITH x AS (SELECT 1), x AS (SELECT 2) SELECT 1;
-- error 42703
WITH x AS (SELECT nocol FROM t1) SELECT 1;
-- error 42P10
WITH x(p, q) AS (SELECT a FROM t1) SELECT * FROM x;
-- error 42P01
WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a;
-- error 42804
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT (n + 1)::bigint FROM r WHERE n < 3) SELECT * FROM r;
-- error 42P19
WITH RECURSIVE r(n) AS (SELECT n FROM r) SELECT 1;
-- error 42P19
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT r.n + 1 FROM r, r AS r2) SELECT 1;
