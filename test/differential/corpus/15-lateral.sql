-- LATERAL: subqueries and functions in FROM that read the items before them, with aggregates,
-- LIMIT, windows and NULL keys inside; comma, CROSS, INNER and LEFT joins; functions in FROM
-- are lateral without the word, as in Postgres; RIGHT and FULL joins to a LATERAL item refused.
-- setup
-- include _setup.sql
CREATE TABLE cust (id int, name text, n int) DISTRIBUTED BY (id);
INSERT INTO cust VALUES (1, 'ann', 2), (2, 'bo', 0), (3, 'cy', 3), (4, NULL, NULL), (5, 'di', 1);
CREATE TABLE ord (oid int, cid int, amount numeric(8,2)) DISTRIBUTED BY (oid);
INSERT INTO ord VALUES (1, 1, 10.00), (2, 1, 25.50), (3, 1, 7.25), (4, 3, 100.00), (5, 3, 3.00),
  (6, 5, 42.00), (7, NULL, 1.00), (8, 3, 100.00), (9, 1, 25.50);
CREATE TABLE nn (n numeric, j jsonb) DISTRIBUTED RANDOMLY;
INSERT INTO nn VALUES (1.0, '{"a": 1}'), (1.00, '{"a": 1.0}'), (NULL, NULL), (2, '[]');

-- queries
SELECT c.id, s.total, s.cnt FROM cust c, LATERAL (SELECT sum(o.amount) AS total, count(*) AS cnt FROM ord o WHERE o.cid = c.id) s;
SELECT c.id, t.oid, t.amount FROM cust c CROSS JOIN LATERAL (SELECT o.oid, o.amount FROM ord o WHERE o.cid = c.id ORDER BY o.amount DESC, o.oid LIMIT 2) t;
SELECT c.id, t.oid FROM cust c LEFT JOIN LATERAL (SELECT o.oid FROM ord o WHERE o.cid = c.id ORDER BY o.oid LIMIT 1) t ON true;
SELECT c.id, t.oid FROM cust c LEFT JOIN LATERAL (SELECT o.oid FROM ord o WHERE o.cid = c.id) t ON t.oid > 2;
SELECT c.id, t.oid FROM cust c JOIN LATERAL (SELECT o.oid, o.cid FROM ord o WHERE o.cid = c.id) t ON t.oid % 2 = 1;
SELECT c.id, g FROM cust c, generate_series(1, c.n) g;
SELECT c.id, g.x FROM cust c, LATERAL generate_series(c.n, 2) AS g(x);
SELECT c.id, g FROM cust c LEFT JOIN LATERAL generate_series(1, c.n) g ON true;
SELECT c.name, x.doubled, x.label FROM cust c, LATERAL (SELECT c.n * 2 AS doubled, upper(c.name) AS label) x;
SELECT * FROM cust c, LATERAL (SELECT max(amount) AS top FROM ord WHERE cid = c.id) m;
SELECT c.id, r.oid, r.rk FROM cust c, LATERAL (SELECT oid, rank() OVER (ORDER BY amount DESC) AS rk FROM ord WHERE cid = c.id) r WHERE r.rk = 1;
SELECT a.id, b.id, s.total FROM cust a JOIN cust b ON b.id = a.id + 1, LATERAL (SELECT sum(amount) AS total FROM ord WHERE cid IN (a.id, b.id)) s;
SELECT c.id, s.v FROM cust c, LATERAL (SELECT c.name AS v UNION ALL SELECT 'x') s;
SELECT c.id, s.cnt FROM cust c, LATERAL (SELECT count(*) AS cnt FROM ord o WHERE o.cid IS NOT DISTINCT FROM c.n) s;
SELECT count(*) FROM cust c, LATERAL (SELECT * FROM ord o WHERE o.amount > c.id * 10) s;
SELECT c.id, s.amount FROM cust c, LATERAL (SELECT o.amount FROM ord o WHERE o.cid = c.id AND o.amount > (SELECT avg(amount) FROM ord)) s;
SELECT s.id, s.total FROM (SELECT c.id, l.total FROM cust c, LATERAL (SELECT sum(amount) AS total FROM ord WHERE cid = c.id) l) s WHERE s.total > 50;
SELECT c.id, s.total FROM cust c, LATERAL (SELECT sum(amount) AS total FROM ord WHERE cid = c.id) s ORDER BY s.total DESC NULLS LAST, c.id LIMIT 3;
SELECT t1.a, s.x FROM t1, LATERAL (SELECT t1.b + t2.a AS x FROM t2 WHERE t2.a = t1.a) s WHERE t1.a < 30;
SELECT c.id, s.j FROM cust c, LATERAL (SELECT jsonb_agg(oid ORDER BY oid) AS j FROM ord WHERE cid = c.id) s;
-- A bare outer column is named as the column; equal values that print differently stay apart.
SELECT s.name, s.* FROM cust c, LATERAL (SELECT c.name, c.id) s;
SELECT t.n, s.m, s.d FROM nn t, LATERAL (SELECT t.n AS m, t.n * 2 AS d) s;
SELECT t.j, s.k FROM nn t, LATERAL (SELECT t.j ->> 'a' AS k) s;
-- An outer value is a parameter: an error only on a row that computes it.
SELECT c.id, s.r FROM cust c, LATERAL (SELECT 10 / (c.id - c.id) AS r FROM ord o WHERE o.cid = c.id AND o.oid > 100) s;
SELECT c.id, s.j FROM cust c, LATERAL (SELECT json_build_object(c.name, c.id) AS j) s WHERE c.name IS NOT NULL;
-- Inner names win: an output alias in ORDER BY, a function item's column, a join inside the item.
SELECT c.id, t.n FROM cust c, LATERAL (SELECT o.oid AS n FROM ord o WHERE o.cid = c.id ORDER BY n DESC LIMIT 1) t;
SELECT c.id, s.n FROM cust c, LATERAL (SELECT n FROM generate_series(1, c.n) AS n) s;
SELECT c.id, s.oid FROM cust c, LATERAL (SELECT o.oid FROM ord o JOIN ord p ON p.oid = o.oid AND o.cid = c.id) s;
-- error 42P10
SELECT c.id, t.oid FROM cust c RIGHT JOIN LATERAL (SELECT o.oid FROM ord o WHERE o.cid = c.id) t ON true;
-- error 42P01
SELECT c.id, t.oid FROM cust c, (SELECT o.oid FROM ord o WHERE o.cid = c.id) t;
-- error 42601
SELECT * FROM cust c, LATERAL ord;
-- error 42703
SELECT c.id, s.x FROM cust c, LATERAL (SELECT c.nope AS x) s;
