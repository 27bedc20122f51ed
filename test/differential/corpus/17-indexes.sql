-- Indexes: PRIMARY KEY and UNIQUE enforced by unique btree indexes (duplicates refused, NULLs
-- allowed, an update onto a taken key refused, a deleted key free again), CREATE [UNIQUE] INDEX
-- on one and several columns over existing rows, REINDEX, DROP INDEX, TRUNCATE, and queries the
-- planner answers with an index scan (equality, ranges, a prefix of a two-column index, text
-- keys, NULLs, with enable_seqscan off and enable_indexscan off) giving the rows a sequential
-- scan gives.
-- setup
-- include _setup.sql
CREATE TABLE ix_pk (id int PRIMARY KEY, v text) DISTRIBUTED BY (id);
INSERT INTO ix_pk SELECT g, 'v' || (g % 50) FROM generate_series(1, 3000) AS g;
CREATE TABLE ix_two (a int, b int, c text) DISTRIBUTED BY (a);
INSERT INTO ix_two SELECT g % 97, g % 13, 'c' || g FROM generate_series(1, 2000) AS g;
INSERT INTO ix_two VALUES (NULL, 1, 'n1'), (5, NULL, 'n2'), (NULL, NULL, 'n3');
CREATE INDEX ix_two_ab ON ix_two (a, b);
CREATE INDEX ON ix_two (c);
CREATE TABLE ix_u (k text, n int, UNIQUE (k)) DISTRIBUTED BY (k);
INSERT INTO ix_u VALUES ('a', 1), ('b', 2), (NULL, 3), (NULL, 4);

-- queries
-- equality and ranges through the primary key
SELECT * FROM ix_pk WHERE id = 1234;
SELECT * FROM ix_pk WHERE 77 = id;
SELECT count(*), min(id), max(id) FROM ix_pk WHERE id BETWEEN 100 AND 1999;
SELECT count(*) FROM ix_pk WHERE id > 2990 AND id < 3000;
SELECT * FROM ix_pk WHERE id = 5000;
SELECT id FROM ix_pk WHERE id = 10 AND v = 'v10';
SELECT id FROM ix_pk WHERE id = 10 AND v = 'nope';
-- a prefix of a two-column index, a range on its second column, NULLs never match
SELECT count(*) FROM ix_two WHERE a = 5;
SELECT b, count(*) FROM ix_two WHERE a = 5 GROUP BY b ORDER BY b;
SELECT count(*) FROM ix_two WHERE a = 5 AND b = 3;
SELECT count(*) FROM ix_two WHERE a = 5 AND b >= 3 AND b < 7;
SELECT count(*) FROM ix_two WHERE a = 5 AND b > 11;
SELECT count(*) FROM ix_two WHERE a BETWEEN 90 AND 96;
SELECT c FROM ix_two WHERE c = 'c1999';
SELECT c FROM ix_two WHERE c >= 'c1998' AND c <= 'c1999' ORDER BY c;
SELECT count(*) FROM ix_two WHERE a IS NULL;
-- IN lists: one equality per value, duplicates and NULLs in the list ignored
SELECT id, v FROM ix_pk WHERE id IN (3, 2999, 3, NULL, 7000) ORDER BY id;
SELECT count(*) FROM ix_two WHERE a = 5 AND b IN (1, 3, 5);
SELECT c FROM ix_two WHERE c IN ('c10', 'c20', 'nope') ORDER BY c;
SELECT count(*) FROM ix_two WHERE a NOT IN (1, 2, 3);
-- the planner's choices switched off and on give the same rows
SET enable_seqscan = off;
SELECT count(*) FROM ix_pk WHERE id > 2500;
SELECT count(*) FROM ix_two WHERE a < 3;
SELECT count(*) FROM ix_two WHERE b = 4;
SET enable_indexscan = off;
SELECT count(*) FROM ix_pk WHERE id > 2500;
RESET enable_indexscan;
RESET enable_seqscan;
-- uniqueness
-- error 23505
INSERT INTO ix_pk VALUES (1234, 'dup');
-- error 23505
INSERT INTO ix_pk VALUES (4000, 'x'), (4000, 'y');
-- error 23505
UPDATE ix_pk SET id = 1235 WHERE id = 1234;
UPDATE ix_pk SET v = 'same key' WHERE id = 1234;
SELECT * FROM ix_pk WHERE id = 1234;
DELETE FROM ix_pk WHERE id = 1234;
INSERT INTO ix_pk VALUES (1234, 'again');
SELECT * FROM ix_pk WHERE id = 1234;
-- error 23502
INSERT INTO ix_pk VALUES (NULL, 'no key');
INSERT INTO ix_u VALUES (NULL, 5), ('c', 6);
-- error 23505
INSERT INTO ix_u VALUES ('a', 7);
SELECT k, n FROM ix_u ORDER BY n;
-- inside a transaction: a key freed and taken again, and one taken twice
BEGIN;
DELETE FROM ix_pk WHERE id = 1;
INSERT INTO ix_pk VALUES (1, 'moved in');
SELECT * FROM ix_pk WHERE id = 1;
COMMIT;
SELECT * FROM ix_pk WHERE id = 1;
BEGIN;
INSERT INTO ix_pk VALUES (5001, 'first');
-- error 23505
INSERT INTO ix_pk VALUES (5001, 'second');
ROLLBACK;
SELECT count(*) FROM ix_pk WHERE id = 5001;
-- a unique index over rows that repeat is refused; one over distinct rows is built
-- error 23505
CREATE UNIQUE INDEX ix_two_ab_dup ON ix_two (a, b);
CREATE UNIQUE INDEX ix_pk_v ON ix_pk (id, v);
-- error 23505
INSERT INTO ix_pk VALUES (2, 'v2');
-- REINDEX, DROP INDEX, TRUNCATE keep the answers right
REINDEX TABLE ix_two;
REINDEX INDEX ix_pk_pkey;
SELECT count(*) FROM ix_two WHERE a = 5 AND b = 3;
DROP INDEX ix_pk_v;
DROP INDEX IF EXISTS ix_pk_v;
-- error 42704
DROP INDEX ix_pk_v;
-- error 2BP01
DROP INDEX ix_pk_pkey;
SELECT * FROM ix_pk WHERE id = 2;
TRUNCATE ix_pk;
SELECT count(*) FROM ix_pk WHERE id = 2;
INSERT INTO ix_pk VALUES (2, 'after truncate');
-- error 23505
INSERT INTO ix_pk VALUES (2, 'twice');
SELECT * FROM ix_pk WHERE id = 2;
-- names: taken, chosen, and what cannot be indexed
SELECT tablename::text AS t, indexname::text AS i, indexdef FROM pg_indexes WHERE tablename LIKE 'ix%' ORDER BY i;
-- error 42P07
CREATE INDEX ix_pk ON ix_two (b);
CREATE INDEX IF NOT EXISTS ix_two_ab ON ix_two (b);
-- error 42703
CREATE INDEX ON ix_two (nope);
-- error 42P01
CREATE INDEX ON nope (a);
