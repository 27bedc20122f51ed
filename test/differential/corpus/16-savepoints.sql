-- Savepoints: SAVEPOINT, RELEASE and ROLLBACK TO on heap and append-optimized tables (inserts,
-- updates, deletes, a distribution key moved), nested and same-named savepoints, an error inside
-- a savepoint undone by ROLLBACK TO, settings restored, cursors declared since closed, and the
-- errors outside a block, for a missing savepoint and in an aborted transaction.
-- setup
-- include _setup.sql
CREATE TABLE sp (id int, v int) DISTRIBUTED BY (id);
INSERT INTO sp SELECT g, g * 10 FROM generate_series(1, 10) AS g;
CREATE TABLE spao (id int, v text) WITH (appendonly=true) DISTRIBUTED BY (id);
INSERT INTO spao VALUES (1, 'a'), (2, 'b');

-- queries
BEGIN;
INSERT INTO sp VALUES (11, 110);
SAVEPOINT a;
INSERT INTO sp VALUES (12, 120);
UPDATE sp SET v = -v WHERE id <= 3;
DELETE FROM sp WHERE id BETWEEN 4 AND 5;
SELECT count(*), sum(v) FROM sp;
ROLLBACK TO SAVEPOINT a;
SELECT count(*), sum(v) FROM sp;
SELECT * FROM sp WHERE id <= 5 OR id > 10;
UPDATE sp SET v = v + 1 WHERE id = 1;
COMMIT;
SELECT * FROM sp WHERE id <= 2 OR id > 10;
-- nested, released and rolled back twice to the same savepoint
BEGIN;
SAVEPOINT s1;
UPDATE sp SET id = id + 100 WHERE id <= 2;
SAVEPOINT s2;
DELETE FROM sp WHERE id > 100;
SELECT count(*) FROM sp WHERE id > 100;
ROLLBACK TO s2;
SELECT id, v FROM sp WHERE id > 100;
RELEASE SAVEPOINT s2;
ROLLBACK TO s1;
SELECT id, v FROM sp WHERE id <= 2 OR id > 100;
INSERT INTO sp VALUES (13, 130);
ROLLBACK TO SAVEPOINT s1;
INSERT INTO sp VALUES (14, 140);
RELEASE s1;
COMMIT;
SELECT id, v FROM sp WHERE id > 10;
-- the same name twice: ROLLBACK TO and RELEASE take the latest
BEGIN;
SAVEPOINT x;
INSERT INTO sp VALUES (15, 150);
SAVEPOINT x;
INSERT INTO sp VALUES (16, 160);
ROLLBACK TO x;
SELECT id FROM sp WHERE id >= 15;
RELEASE x;
ROLLBACK TO x;
SELECT id FROM sp WHERE id >= 15;
COMMIT;
-- an error inside a savepoint: the transaction is aborted until ROLLBACK TO
BEGIN;
INSERT INTO sp VALUES (20, 200);
SAVEPOINT before_error;
INSERT INTO sp VALUES (21, 210);
-- error 22012
UPDATE sp SET v = v / 0 WHERE id = 20;
-- error 25P02
SELECT count(*) FROM sp;
-- error 25P02
RELEASE before_error;
-- error 25P02
SAVEPOINT other;
ROLLBACK TO before_error;
SELECT id, v FROM sp WHERE id >= 20;
INSERT INTO sp VALUES (22, 220);
COMMIT;
SELECT id, v FROM sp WHERE id >= 20;
-- a missing savepoint is an error that aborts the transaction
BEGIN;
SAVEPOINT here;
-- error 3B001
ROLLBACK TO nowhere;
-- error 3B001
ROLLBACK TO nowhere;
ROLLBACK TO here;
SELECT count(*) FROM sp;
-- error 3B001
RELEASE nowhere;
ROLLBACK;
-- outside a transaction block
-- error 25P01
SAVEPOINT lonely;
-- error 25P01
RELEASE lonely;
-- error 25P01
ROLLBACK TO lonely;
-- append-optimized rows inserted since the savepoint are undone, those before it kept
BEGIN;
INSERT INTO spao VALUES (3, 'c');
SAVEPOINT ao;
INSERT INTO spao VALUES (4, 'd'), (5, 'e');
DELETE FROM spao WHERE id = 1;
SELECT id, v FROM spao;
ROLLBACK TO ao;
SELECT id, v FROM spao;
INSERT INTO spao VALUES (6, 'f');
COMMIT;
SELECT id, v FROM spao;
-- settings set since the savepoint are restored
BEGIN;
SET LOCAL statement_timeout = '20s';
SAVEPOINT st;
SET statement_timeout = '50s';
SHOW statement_timeout;
ROLLBACK TO st;
SHOW statement_timeout;
COMMIT;
SHOW statement_timeout;
-- a cursor declared since the savepoint is closed by ROLLBACK TO; one declared before stays
BEGIN;
DECLARE c1 CURSOR FOR SELECT id FROM sp WHERE id <= 3 ORDER BY id;
SAVEPOINT cur;
DECLARE c2 CURSOR FOR SELECT id FROM sp ORDER BY id;
FETCH 1 FROM c1;
ROLLBACK TO cur;
FETCH 1 FROM c1;
-- error 34000
FETCH 1 FROM c2;
ROLLBACK;
