-- Transactions: BEGIN/COMMIT/ROLLBACK, rolled-back changes are invisible, aborted transactions.
-- setup
-- include _setup.sql
CREATE TABLE tx (id int, v int) DISTRIBUTED BY (id);
INSERT INTO tx SELECT g, g * 10 FROM generate_series(1, 20) AS g;

-- queries
BEGIN;
INSERT INTO tx VALUES (100, 1000);
SELECT count(*) FROM tx;
SELECT * FROM tx WHERE id = 100;
COMMIT;
SELECT * FROM tx WHERE id = 100;
BEGIN;
INSERT INTO tx VALUES (101, 1010);
UPDATE tx SET v = -v WHERE id <= 5;
DELETE FROM tx WHERE id BETWEEN 6 AND 10;
SELECT count(*), sum(v) FROM tx;
ROLLBACK;
SELECT count(*), sum(v) FROM tx;
SELECT * FROM tx WHERE id <= 12 OR id > 99;
BEGIN;
UPDATE tx SET id = id + 1000 WHERE id <= 3;
SELECT id, v FROM tx WHERE id > 999;
ROLLBACK;
SELECT id, v FROM tx WHERE id <= 3 OR id > 999;
BEGIN;
CREATE TABLE txnew (x int) DISTRIBUTED BY (x);
INSERT INTO txnew VALUES (1), (2);
SELECT * FROM txnew;
ROLLBACK;
-- error 42P01
SELECT * FROM txnew;
BEGIN;
TRUNCATE tx;
SELECT count(*) FROM tx;
ROLLBACK;
SELECT count(*) FROM tx;
START TRANSACTION;
DELETE FROM tx WHERE id > 15;
COMMIT;
SELECT count(*), max(id) FROM tx;
-- aborted transaction: every statement fails with 25P02 until ROLLBACK
BEGIN;
INSERT INTO tx VALUES (200, 2000);
-- error 22012
SELECT 1 / 0;
-- error 25P02
SELECT count(*) FROM tx;
-- error 25P02
INSERT INTO tx VALUES (201, 2010);
ROLLBACK;
SELECT count(*) FROM tx WHERE id >= 200;
BEGIN;
-- error 42P01
SELECT * FROM nosuch;
-- error 25P02
SELECT 1;
COMMIT;
SELECT count(*) FROM tx;
BEGIN;
UPDATE tx SET v = v + 1 WHERE id = 1;
-- error 22003
UPDATE tx SET v = 2147483647 + v WHERE id = 2;
-- COMMIT of an aborted transaction rolls back (command tag ROLLBACK)
COMMIT;
SELECT id, v FROM tx WHERE id <= 2;
-- transaction control outside a transaction is accepted with a warning
COMMIT;
ROLLBACK;
BEGIN;
SELECT count(*) FROM tx;
END;
BEGIN TRANSACTION;
INSERT INTO tx VALUES (300, 3000);
COMMIT TRANSACTION;
SELECT * FROM tx WHERE id = 300;
BEGIN;
DROP TABLE tx;
-- error 42P01
SELECT * FROM tx;
ROLLBACK;
SELECT count(*) FROM tx;
BEGIN;
CREATE TABLE txkeep AS SELECT * FROM tx WHERE id < 5;
INSERT INTO txkeep VALUES (99, 990);
COMMIT;
SELECT * FROM txkeep;
-- An error before execution (a syntax error, an unsupported statement) aborts the block too
BEGIN;
INSERT INTO tx VALUES (400, 4000);
-- error 42601
selec 1;
-- error 25P02
SELECT 1;
COMMIT;
SELECT count(*) FROM tx WHERE id = 400;
BEGIN;
INSERT INTO tx VALUES (401, 4010);
-- error 42P01
SELECT * FROM no_such_table;
-- error 25P02
INSERT INTO tx VALUES (402, 4020);
ROLLBACK;
SELECT count(*) FROM tx WHERE id >= 400;
-- A string of statements outside a block is one implicit transaction
-- error 22012
INSERT INTO tx VALUES (410, 1); SELECT 1/0; INSERT INTO tx VALUES (411, 1);
SELECT count(*) FROM tx WHERE id >= 410;
-- error 42601
INSERT INTO tx VALUES (412, 1); selec 1;
SELECT count(*) FROM tx WHERE id >= 410;
INSERT INTO tx VALUES (413, 1); INSERT INTO tx VALUES (414, 1);
SELECT count(*) FROM tx WHERE id >= 410;
-- error 22012
INSERT INTO tx VALUES (415, 1); COMMIT; INSERT INTO tx VALUES (416, 1); SELECT 1/0;
SELECT id FROM tx WHERE id >= 415;
INSERT INTO tx VALUES (417, 1); BEGIN; INSERT INTO tx VALUES (418, 1);
ROLLBACK;
SELECT id FROM tx WHERE id >= 415;
