-- Errors and their SQLSTATEs: syntax, unknown objects, type mismatches, data exceptions.
-- setup
-- include _setup.sql

-- queries
-- syntax errors
-- error 42601
SELEC 1;
-- error 42601
SELECT FROM WHERE;
-- error 42601
SELECT a FROM t1 WHERE;
-- error 42601
SELECT (1 + 2;
-- error 42601
SELECT a, FROM t1;
-- error 42601
SELECT * FROM t1 ORDER a;
-- error 42601
INSERT INTO t1 VALUES (1, 2;
-- error 42601
CREATE TABLE bad (a int,);
-- error 42601
SELECT 'unterminated;
-- error 42601
UPDATE t1 a = 1;
-- error 42601
DELETE t1 WHERE a = 1;
-- error 42601
SELECT * FROM t1 LIMIT;
-- error 42601
SELECT 1 2;
-- unknown table
-- error 42P01
SELECT * FROM nosuch;
-- error 42P01
SELECT a FROM t1 JOIN nosuch ON true;
-- error 42P01
UPDATE nosuch SET a = 1;
-- error 42P01
DELETE FROM nosuch;
-- error 42P01
SELECT nosuch.a FROM t1;
-- unknown column
-- error 42703
SELECT nocol FROM t1;
-- error 42703
SELECT a FROM t1 WHERE nocol = 1;
-- error 42703
SELECT t1.zz FROM t1;
-- error 42703
SELECT a FROM t1 ORDER BY nocol;
-- error 42703
UPDATE t1 SET nocol = 1;
-- error 42703
SELECT d FROM t1;
-- error 42703
SELECT a FROM t1 GROUP BY nocol;
-- ambiguous column
-- error 42702
SELECT a FROM t1 JOIN t2 ON t1.a = t2.a;
-- ordinal out of range
-- error 42P10
SELECT a FROM t1 ORDER BY 2;
-- unknown function / operator
-- error 42883
SELECT nosuchfunc(1);
-- error 42883
SELECT a FROM t1 WHERE c > 1;
-- error 42883
SELECT length(42);
-- error 42883
SELECT e + e FROM t2;
-- type mismatch
-- error 42804
SELECT a FROM t1 WHERE c;
-- error 42804
SELECT a FROM t1 WHERE b AND true;
-- error 42804
SELECT a FROM t1 UNION SELECT true;
-- error 42804
SELECT COALESCE(1, 'x'::text);
-- error 42804
SELECT count(*) FROM t1 HAVING 1;
-- data exceptions
-- error 22012
SELECT sum(a / (a - 50)) FROM t1;
-- error 22012
SELECT 1.0 / (SELECT count(*) FROM empty1);
-- error 22012
SELECT f / 0 FROM t3;
-- error 22003
SELECT a * 100000000 FROM t1 WHERE a = 100;
-- error 22003
SELECT i8 + i8 FROM nums WHERE id = 2;
-- error 22003
SELECT -(-2147483647 - 1);
-- error 22003
SELECT abs(-2147483647 - 1);
-- error 22003
SELECT 1e308::float8 * 10;
-- error 22003
SELECT 9223372036854775808::bigint;
-- error 22P02
SELECT a FROM t1 WHERE a = 'x';
-- error 22P02
SELECT ' '::int;
-- error 22P02
SELECT ''::numeric;
-- error 22P02
SELECT 'yesno'::boolean;
-- error 22P02
SELECT '1.5'::int;
-- error 22008
SELECT '2024-13-01 00:00:00'::timestamp;
-- the session stays usable after errors
SELECT count(*) FROM t1;
