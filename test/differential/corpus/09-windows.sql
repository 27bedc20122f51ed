-- Window functions: ranking, lag/lead, first/last/nth_value, ntile, aggregates over the
-- default frame and over ROWS frames, windows over grouped rows, in subqueries and with
-- DISTINCT / ORDER BY / LIMIT on top; and the errors Postgres gives.
-- setup
-- include _setup.sql
CREATE TABLE wemp (id int, dept int, sal int, name text) DISTRIBUTED BY (id);
INSERT INTO wemp SELECT i, i % 4, (i * 37) % 50, 'e' || i FROM generate_series(1, 40) AS g(i);
INSERT INTO wemp VALUES (41, NULL, 10, 'nodept'), (42, 2, NULL, 'nosal');

-- queries
SELECT id, row_number() OVER (ORDER BY id) FROM wemp;
SELECT id, dept, row_number() OVER (PARTITION BY dept ORDER BY id) FROM wemp;
SELECT id, rank() OVER (ORDER BY dept), dense_rank() OVER (ORDER BY dept) FROM wemp;
SELECT id, rank() OVER (PARTITION BY dept ORDER BY sal DESC NULLS LAST, id) FROM wemp;
SELECT id, percent_rank() OVER (ORDER BY sal, id), cume_dist() OVER (ORDER BY sal, id) FROM wemp;
SELECT id, ntile(5) OVER (ORDER BY id), ntile(3) OVER (PARTITION BY dept ORDER BY id) FROM wemp;
SELECT id, lag(sal) OVER (ORDER BY id), lead(sal, 2, -1) OVER (ORDER BY id), lag(name, 3) OVER (PARTITION BY dept ORDER BY id) FROM wemp;
SELECT id, first_value(name) OVER (PARTITION BY dept ORDER BY id), last_value(name) OVER (PARTITION BY dept ORDER BY id) FROM wemp;
SELECT id, last_value(id) OVER (PARTITION BY dept ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM wemp;
SELECT id, nth_value(id, 2) OVER (PARTITION BY dept ORDER BY id) FROM wemp;
SELECT id, dept, sum(sal) OVER (PARTITION BY dept) FROM wemp;
SELECT id, sum(sal) OVER (ORDER BY id), count(*) OVER (ORDER BY id), avg(sal) OVER (PARTITION BY dept ORDER BY id) FROM wemp;
SELECT id, sum(sal) OVER (ORDER BY dept) FROM wemp;
SELECT id, sum(sal) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), max(sal) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM wemp;
SELECT id, count(sal) OVER (ORDER BY id ROWS 3 PRECEDING), min(name) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM wemp;
SELECT id, sum(sal) FILTER (WHERE sal > 20) OVER (PARTITION BY dept ORDER BY id) FROM wemp;
SELECT *, row_number() OVER (ORDER BY id DESC) FROM wemp WHERE id < 8;
SELECT dept, count(*), rank() OVER (ORDER BY count(*) DESC, dept) FROM wemp GROUP BY dept;
SELECT dept, sum(sal) AS s, sum(sum(sal)) OVER () AS total FROM wemp GROUP BY dept;
SELECT id, row_number() OVER (ORDER BY sal DESC, id) AS rn FROM wemp ORDER BY rn LIMIT 5;
SELECT DISTINCT dept, count(*) OVER (PARTITION BY dept) FROM wemp ORDER BY dept;
SELECT id, 100 * sal / sum(sal) OVER (PARTITION BY dept) AS pct FROM wemp WHERE sal IS NOT NULL;
SELECT * FROM (SELECT id, dept, row_number() OVER (PARTITION BY dept ORDER BY sal DESC, id) AS r FROM wemp) s WHERE r <= 2;
WITH ranked AS (SELECT id, dense_rank() OVER (ORDER BY sal) AS d FROM wemp) SELECT d, count(*) FROM ranked GROUP BY d;
SELECT a, b, row_number() OVER (PARTITION BY b ORDER BY a) FROM t1 WHERE a < 30;
SELECT a, sum(d) OVER (ORDER BY a, d) FROM t2;
SELECT id, row_number() OVER w, sum(sal) OVER w FROM wemp WINDOW w AS (PARTITION BY dept ORDER BY id);
SELECT id, rank() OVER (w ORDER BY sal DESC NULLS LAST, id), count(*) OVER w FROM wemp WINDOW w AS (PARTITION BY dept);
SELECT id, sum(sal) OVER w2 FROM wemp WINDOW w1 AS (PARTITION BY dept), w2 AS (w1 ORDER BY id ROWS 1 PRECEDING);
-- errors
-- error 42704
SELECT row_number() OVER nope FROM wemp;
-- error 42P20
SELECT row_number() OVER (w PARTITION BY id) FROM wemp WINDOW w AS (ORDER BY id);
-- error 42P20
SELECT row_number() OVER (w ORDER BY sal) FROM wemp WINDOW w AS (ORDER BY id);
-- error 42P20
SELECT sum(sal) OVER (w) FROM wemp WINDOW w AS (ORDER BY id ROWS 2 PRECEDING);
-- error 42P20
SELECT id FROM wemp WHERE row_number() OVER () > 1;
-- error 42803
SELECT sum(row_number() OVER ()) FROM wemp;
-- error 42P20
SELECT row_number() OVER (ORDER BY rank() OVER ()) FROM wemp;
-- error 42803
SELECT dept, sal, rank() OVER (ORDER BY sal) FROM wemp GROUP BY dept;
-- error 22014
SELECT ntile(0) OVER () FROM wemp;
-- error 0A000
SELECT count(DISTINCT sal) OVER () FROM wemp;
