-- DML: INSERT ... VALUES / SELECT, UPDATE (including the distribution key), DELETE (including
-- with a subquery), TRUNCATE, DROP TABLE, CREATE TABLE AS, each checked by SELECTs.
-- setup
-- include _setup.sql

-- queries
CREATE TABLE d1 (id int, qty int, note text, price numeric(8,2)) DISTRIBUTED BY (id);
INSERT INTO d1 VALUES (1, 10, 'one', 1.50);
INSERT INTO d1 VALUES (2, 20, 'two', 2.25), (3, 30, NULL, NULL), (4, NULL, 'four', 4);
INSERT INTO d1 (id, note) VALUES (5, 'five');
INSERT INTO d1 (note, id, qty) VALUES ('six', 6, 60);
SELECT * FROM d1;
INSERT INTO d1 SELECT a + 100, b, c, a * 0.5 FROM t1 WHERE a <= 20;
SELECT count(*), sum(qty), sum(price) FROM d1;
INSERT INTO d1 SELECT id + 1000, qty * 2, note || '*', price * 2 FROM d1 WHERE id < 10;
SELECT * FROM d1 WHERE id > 1000;
INSERT INTO d1 SELECT a, b, c, d FROM t1 JOIN t2 USING (a) WHERE a > 190;
INSERT INTO d1 VALUES (7, '70', 'seven', '7.777');
SELECT * FROM d1 WHERE id = 7;
INSERT INTO d1 (id, qty) SELECT g, g * 3 FROM generate_series(200, 209) AS g;
SELECT count(*), min(id), max(id) FROM d1 WHERE id >= 200;
-- UPDATE
UPDATE d1 SET qty = qty + 1 WHERE id <= 6;
SELECT id, qty FROM d1 WHERE id <= 6;
UPDATE d1 SET note = upper(note), price = price * 10 WHERE note LIKE 'f%';
SELECT * FROM d1 WHERE id IN (4, 5);
UPDATE d1 SET qty = NULL WHERE id = 1;
UPDATE d1 SET qty = 0 WHERE id = 99999;
UPDATE d1 SET qty = CASE WHEN qty IS NULL THEN -1 ELSE qty END WHERE id < 10;
SELECT id, qty FROM d1 WHERE id < 10;
UPDATE d1 SET price = t2.d FROM t2 WHERE d1.id - 100 = t2.a AND t2.a <> 10 AND t2.d IS NOT NULL;
SELECT id, price FROM d1 WHERE id BETWEEN 100 AND 130;
-- UPDATE of the distribution key moves rows between segments
UPDATE d1 SET id = id + 10000 WHERE id BETWEEN 200 AND 204;
SELECT id, qty FROM d1 WHERE id >= 200;
UPDATE d1 SET id = -id WHERE id < 3;
SELECT id, qty, note FROM d1 WHERE id < 10;
SELECT count(*) FROM d1 WHERE id = 10200;
UPDATE d1 SET id = 1, qty = 1 WHERE id = -1;
SELECT * FROM d1 WHERE id = 1;
-- DELETE
DELETE FROM d1 WHERE id = 3;
DELETE FROM d1 WHERE id = 12345;
SELECT count(*) FROM d1;
DELETE FROM d1 WHERE note IS NULL AND id < 1000;
SELECT id, note FROM d1 WHERE id < 1000;
DELETE FROM d1 WHERE id IN (SELECT a + 100 FROM t1 WHERE b = 2);
SELECT id FROM d1 WHERE id BETWEEN 100 AND 199;
DELETE FROM d1 WHERE EXISTS (SELECT 1 FROM r1 WHERE r1.code = d1.qty);
SELECT id, qty FROM d1;
DELETE FROM d1 WHERE qty > (SELECT avg(qty) FROM d1);
SELECT id, qty FROM d1;
DELETE FROM d1 USING t2 WHERE d1.id = t2.a;
SELECT count(*) FROM d1;
DELETE FROM d1;
SELECT count(*) FROM d1;
-- constraints and assignment casts
CREATE TABLE d2 (id int NOT NULL, name varchar(5), v smallint, n numeric(5,2)) DISTRIBUTED BY (id);
INSERT INTO d2 VALUES (1, 'abcde', 1, 1.234);
INSERT INTO d2 VALUES (2, 'abcd   ', 2, 999.994);
-- error 22001
INSERT INTO d2 VALUES (3, 'abcdef', 3, 0);
-- error 23502
INSERT INTO d2 VALUES (NULL, 'x', 4, 0);
-- error 23502
INSERT INTO d2 (name) VALUES ('noid');
-- error 22003
INSERT INTO d2 VALUES (5, 'x', 40000, 0);
-- error 22003
INSERT INTO d2 VALUES (6, 'x', 6, 1000);
-- error 22P02
INSERT INTO d2 VALUES ('seven', 'x', 7, 0);
-- error 23502
UPDATE d2 SET id = NULL WHERE id = 1;
-- error 22001
UPDATE d2 SET name = name || 'zz' WHERE id = 1;
-- error 42703
INSERT INTO d2 (id, nope) VALUES (8, 1);
-- error 42601
INSERT INTO d2 VALUES (9, 'x', 1, 1, 1);
-- error 42804
INSERT INTO d2 (id) VALUES (true);
-- error 42P01
INSERT INTO nosuch VALUES (1);
SELECT * FROM d2;
-- TRUNCATE, DROP TABLE
INSERT INTO d1 SELECT a, b, c, NULL FROM t1;
SELECT count(*) FROM d1;
TRUNCATE d1;
SELECT count(*) FROM d1;
INSERT INTO d1 VALUES (1, 1, 'after truncate', 1);
SELECT * FROM d1;
TRUNCATE TABLE d1, d2;
SELECT (SELECT count(*) FROM d1) AS n1, (SELECT count(*) FROM d2) AS n2;
DROP TABLE d2;
-- error 42P01
SELECT * FROM d2;
-- error 42P01
DROP TABLE d2;
DROP TABLE IF EXISTS d2;
-- CREATE TABLE AS
CREATE TABLE c1 AS SELECT a, b, c FROM t1 WHERE a <= 50 DISTRIBUTED BY (a);
SELECT count(*), sum(a), count(c) FROM c1;
SELECT * FROM c1 WHERE b = 4;
CREATE TABLE c2 AS SELECT b, count(*) AS n, sum(a) AS s FROM t1 GROUP BY b DISTRIBUTED RANDOMLY;
SELECT * FROM c2;
CREATE TABLE c3 AS SELECT t1.a, t2.d FROM t1 JOIN t2 ON t1.a = t2.a;
SELECT * FROM c3;
CREATE TABLE c4 AS SELECT * FROM t1 WHERE false;
SELECT count(*) FROM c4;
INSERT INTO c4 SELECT * FROM t1 WHERE a < 3;
SELECT * FROM c4;
CREATE TABLE c5 (x int, y text) WITH (appendoptimized=true, orientation=row) DISTRIBUTED BY (x);
INSERT INTO c5 SELECT g, 'r' || g FROM generate_series(1, 50) AS g;
SELECT count(*), min(y), max(y) FROM c5;
DELETE FROM c5 WHERE x % 2 = 0;
UPDATE c5 SET y = y || '!' WHERE x < 10;
SELECT * FROM c5 WHERE x < 20;
-- error 42P07
CREATE TABLE c1 (z int);
DROP TABLE c1;
DROP TABLE c2, c3;
CREATE TABLE c1 (z int) DISTRIBUTED BY (z);
INSERT INTO c1 VALUES (1), (2);
SELECT * FROM c1;
-- error 42P01
SELECT * FROM c3;
-- without a column list, a narrower source fills the leading columns
CREATE TABLE n1 (a int, b text DEFAULT 'dflt', c int) DISTRIBUTED BY (a);
INSERT INTO n1 VALUES (1);
INSERT INTO n1 VALUES (2, 'two'), (3, 'three');
INSERT INTO n1 SELECT 4;
INSERT INTO n1 SELECT g, 'g' || g FROM generate_series(5, 7) AS g;
SELECT * FROM n1;
-- error 42601
INSERT INTO n1 (a, b) VALUES (8);
-- error 42601
INSERT INTO n1 VALUES (9, 'x', 9, 9);
