-- Views: CREATE [OR REPLACE] VIEW with and without column names, views over joins, aggregates and
-- other views, and the errors Postgres gives for names, replacements and dependencies.
-- setup
-- include _setup.sql
CREATE TABLE vbase (id int, grp int, amount numeric(10,2)) DISTRIBUTED BY (id);
INSERT INTO vbase SELECT g, g % 4, g * 1.5 FROM generate_series(1, 40) AS g;

-- queries
CREATE VIEW v1 AS SELECT a, b, c FROM t1 WHERE a BETWEEN 1 AND 20;
SELECT * FROM v1;
SELECT b, count(*) FROM v1 GROUP BY b;
CREATE VIEW v2 (grp, total, n) AS SELECT grp, sum(amount), count(*) FROM vbase GROUP BY grp;
SELECT * FROM v2 WHERE total > 200;
SELECT v.grp, v.total, t.c FROM v2 v JOIN t1 t ON t.a = v.grp;
SELECT x.g, x.t FROM v2 AS x(g, t) WHERE x.n > 5;
CREATE VIEW v3 AS SELECT grp, total FROM v2 WHERE n >= 10;
SELECT * FROM v3;
INSERT INTO vbase VALUES (100, 1, 1000);
SELECT * FROM v3;
SELECT viewname::text FROM pg_views WHERE viewname LIKE 'v_' ORDER BY viewname;
-- error 42P07
CREATE VIEW v1 AS SELECT 1;
-- error 42P07
CREATE VIEW t1 AS SELECT 1;
-- error 42P07
CREATE TABLE v1 (x int);
CREATE OR REPLACE VIEW v1 AS SELECT a, b, c, a * 2 AS a2 FROM t1 WHERE a BETWEEN 1 AND 5;
SELECT * FROM v1;
-- error 42P16
CREATE OR REPLACE VIEW v1 AS SELECT a, b FROM t1;
-- error 42P16
CREATE OR REPLACE VIEW v1 AS SELECT a, c AS b, c, a * 2 AS a2 FROM t1;
-- error 42P16
CREATE OR REPLACE VIEW v1 AS SELECT a, b::text, c, a * 2 AS a2 FROM t1;
-- error 42701
CREATE VIEW vdup AS SELECT a, b AS a FROM t1;
-- error 42601
CREATE VIEW vmany (p, q, r) AS SELECT a, b FROM t1;
-- error 42P01
CREATE VIEW vbad AS SELECT * FROM no_such_table;
-- error 2BP01
DROP TABLE vbase;
-- error 2BP01
DROP VIEW v2;
-- error 42809
DROP TABLE v1;
-- error 42809
DROP VIEW t1;
DROP VIEW IF EXISTS no_such_view;
-- error 42P01
DROP VIEW no_such_view;
BEGIN;
DROP VIEW v3;
-- error 42P01
SELECT * FROM v3;
ROLLBACK;
SELECT count(*) FROM v3;
DROP VIEW v2 CASCADE;
-- error 42P01
SELECT * FROM v3;
CREATE VIEW v4 AS SELECT id, amount FROM vbase WHERE grp = 2;
DROP TABLE vbase CASCADE;
-- error 42P01
SELECT * FROM v4;
DROP VIEW v1;
SELECT count(*) FROM pg_views WHERE viewname LIKE 'v_';
