-- Expressions and operators: arithmetic, type mixing, strings, casts, conditionals, predicates,
-- three-valued logic, and the errors they raise.
-- setup
-- include _setup.sql
CREATE TABLE fspecial (id int, x double precision, y real) DISTRIBUTED BY (id);
INSERT INTO fspecial VALUES (1, 'Infinity', '-Infinity'), (2, '-Infinity', 'Infinity'), (3, 'NaN', 'NaN'),
  (4, 0, 0), (5, 1e20, 1e20), (6, 1e21, 1e-5), (7, 123456789012345678, 1234567), (8, 0.0001, 0.5);

-- queries
-- integer arithmetic
SELECT 1 + 2, 7 - 10, 6 * 7, 7 / 2, -7 / 2, 7 % 3, -7 % 3, 2 ^ 10;
SELECT a, a + b, a - b, a * b, a / NULLIF(b, 0), a % NULLIF(b, 0) FROM t1 WHERE a <= 20;
SELECT -a, +a, abs(b - 3), a * 2 + b * 3 - 1 FROM t1 WHERE a BETWEEN -1 AND 10;
SELECT (a + 1) * (b - 2), a * b * b FROM t1 WHERE b IS NOT NULL AND a % 10 = 3;
SELECT 2147483647::bigint + 1, -2147483648::bigint - 1, 32767::smallint + 1;
SELECT i2 + i2, i2 * 2, i8 / 2, i8 % 1000 FROM nums WHERE id IN (1, 6, 7, 8);
-- int / numeric / float mixing
SELECT 1 + 1.5, 3 * 0.1, 10 / 4.0, 10.0 / 4, 1 + 2.5::float8, 2 * 0.5::real;
SELECT a + d, a * d, d / 4, d * 1.5, d + 0.005 FROM t2 WHERE a <= 24;
SELECT id + f, f * 2, f / 4, f - k FROM t3 WHERE id <= 20;
SELECT n + 1, n * 2, n - 0.5, n * n FROM nums WHERE id IN (1, 3, 4, 6);
SELECT f8 * 2, f8 + 1, f4 * 2, f4 + f8 FROM nums WHERE id IN (1, 3, 6, 7);
SELECT 1.0 / 3, 2.0 / 3, 10::numeric / 3, 1 / 3.0 * 3, round(2.0 / 3, 4);
SELECT 0.1::float8 + 0.2::float8, 1e20::float8 * 10, 1e-5::float8, 100000000000000000000::float8;
SELECT x, y, -x, x * 2 FROM fspecial;
SELECT 12.345::numeric(6,2), 12.355::numeric(6,2), -12.345::numeric(6,2), 0.5::numeric(3,0), 1.5::numeric(3,0);
SELECT round(12.5), round(-12.5), round(12.345, 2), trunc(12.999, 1), ceil(1.2), floor(-1.2);
SELECT 5 / 2 * 2, 5 % 2 * 3, 1 - 2 - 3, 2 * 3 + 4 * 5, (2 + 3) * 4;
-- numeric results in aggregates of expressions
SELECT sum(a * 0.5), sum(d * 2) FROM t2;
-- overflow and division by zero
-- error 22003
SELECT 2147483647 + 1;
-- error 22003
SELECT -2147483648 - 1;
-- error 22003
SELECT 65536 * 65536;
-- error 22003
SELECT 9223372036854775807 + 1;
-- error 22003
SELECT i8 * 2 FROM nums WHERE id = 2;
-- error 22003
SELECT i2 + 1::smallint FROM nums WHERE id = 3;
-- error 22003
SELECT 40000::smallint;
-- error 22003
SELECT 3000000000::int;
-- error 22012
SELECT 1 / 0;
-- error 22012
SELECT a / (b - b) FROM t1 WHERE b IS NOT NULL;
-- error 22012
SELECT 1.5 / 0;
-- error 22012
SELECT 10 % 0;
-- error 22012
SELECT d / 0 FROM t2 WHERE a = 2;
-- string operations
SELECT 'abc' || 'def', 'x' || 1, 1 || 'y', 'a' || NULL, length('hello'), length('');
SELECT c, upper(c), lower(c), length(c), c || '!' FROM t1 WHERE a <= 5 OR a > 100;
SELECT substr('abcdef', 2, 3), substring('abcdef' from 3), position('cd' in 'abcdef'), replace('aXbXc', 'X', '-');
SELECT trim('  pad  '), ltrim('xxabc', 'x'), rtrim('abcyy', 'y'), btrim('  both '), '[' || trim(' x ') || ']';
SELECT 'abc' = 'abc', 'abc' < 'abd', 'B' < 'a', 'abc' > 'ab', '' < 'a';
SELECT v, v || '-' || k FROM t3 WHERE id <= 10;
SELECT concat('a', NULL, 'b', 1), lpad('7', 3, '0'), rpad('ab', 4, '*'), repeat('ab', 3), reverse('abc');
-- casts
SELECT '42'::int, '-17'::bigint, ' 12 '::int, '3.14'::numeric, '1e3'::float8, 'true'::boolean, 'f'::boolean;
SELECT CAST(a AS text), CAST(b AS numeric), CAST(a AS float8) / 4, a::bigint * 3 FROM t1 WHERE a < 6;
SELECT 12.7::int, -12.5::int, 12.5::int, 13.5::int, 2.5::float8::int, 3.5::float8::int;
SELECT '2024-02-29'::date, '2024-03-01 12:34:56'::timestamp, '2024-03-01'::timestamp, 'abc'::varchar(2);
SELECT d::text, d::int, d::float8, e::text FROM t2 WHERE a BETWEEN 2 AND 12;
SELECT 1::boolean, 0::boolean, true::int, '0042'::int, 'yes'::boolean, 'off'::boolean;
SELECT i8::text, i8::numeric, f4::float8, f8::real, n::float8 FROM nums WHERE id IN (1, 6, 7);
SELECT e + 1, e - 1, e - '2024-01-01'::date FROM t2 WHERE a <= 10;
-- error 22P02
SELECT 'abc'::int;
-- error 22P02
SELECT '12x'::bigint;
-- error 22P02
SELECT c::int FROM t1 WHERE a = 1;
-- error 22P02
SELECT 'maybe'::boolean;
-- error 22P02
SELECT '1.2.3'::numeric;
-- error 22007
SELECT 'not a date'::date;
-- error 22008
SELECT '2024-02-30'::date;
SELECT 'abc'::varchar(2), 'abc'::char(1), 'ab'::char(4) || '|';
-- CASE, COALESCE, NULLIF, GREATEST, LEAST
SELECT a, CASE WHEN b IS NULL THEN 'none' WHEN b < 3 THEN 'low' ELSE 'high' END FROM t1 WHERE a <= 15;
SELECT a, CASE b WHEN 0 THEN 'zero' WHEN 1 THEN 'one' END FROM t1 WHERE a <= 12;
SELECT CASE WHEN 1 > 2 THEN 1 END, CASE WHEN NULL THEN 'x' ELSE 'y' END, CASE 1 WHEN NULL THEN 'n' ELSE 'e' END;
SELECT a, CASE WHEN a % 2 = 0 THEN a * 1.5 ELSE a END FROM t1 WHERE a < 8;
SELECT a, COALESCE(b, -1), COALESCE(c, 'n/a'), COALESCE(NULL, NULL, 3) FROM t1 WHERE a % 11 = 0 OR a % 17 = 0;
SELECT NULLIF(1, 1), NULLIF(1, 2), NULLIF('a', 'b'), NULLIF(b, 0) FROM t1 WHERE a IN (7, 8, 14);
SELECT GREATEST(1, 5, 3), LEAST(1, 5, 3), GREATEST(1, NULL, 2), LEAST(NULL, NULL, 4), GREATEST('a', 'b');
SELECT a, GREATEST(a, b), LEAST(a, b, 3), GREATEST(d, 0) FROM t1 JOIN t2 USING (a) WHERE a <= 30;
SELECT GREATEST(1, 2.5), LEAST(1.5::float8, 2), COALESCE(1, 2.5);
-- LIKE / ILIKE
SELECT c FROM t1 WHERE c LIKE 'v1%';
SELECT c FROM t1 WHERE c LIKE '_1_';
SELECT c FROM t1 WHERE c ILIKE 'hello%';
SELECT c FROM t1 WHERE c NOT LIKE 'v%';
SELECT c FROM t1 WHERE c LIKE 'a\%b\_c';
SELECT 'abc' LIKE 'a%', 'abc' LIKE 'A%', 'abc' ILIKE 'A%', 'abc' NOT ILIKE 'x%', NULL LIKE 'a';
-- IN lists, BETWEEN
SELECT a FROM t1 WHERE a IN (1, 3, 5, 200, -1);
SELECT a FROM t1 WHERE a NOT IN (1, 2, 3) AND a < 8;
SELECT a FROM t1 WHERE b NOT IN (1, NULL);
SELECT a, b IN (1, 2) FROM t1 WHERE a < 12;
SELECT c FROM t1 WHERE c IN ('v1', 'v2', 'Hello');
SELECT a FROM t1 WHERE a BETWEEN 10 AND 14;
SELECT a FROM t1 WHERE a NOT BETWEEN 2 AND 100;
SELECT a FROM t1 WHERE a BETWEEN 14 AND 10;
SELECT d FROM t2 WHERE d BETWEEN -1.5 AND 2.25;
SELECT e FROM t2 WHERE e BETWEEN '2024-03-01' AND '2024-03-31';
-- IS [NOT] NULL, IS [NOT] DISTINCT FROM
SELECT a FROM t1 WHERE b IS NULL;
SELECT count(*) FROM t1 WHERE c IS NOT NULL;
SELECT a, b IS NULL, c IS NOT NULL FROM t1 WHERE a IN (11, 17, 22, 104);
SELECT a FROM t1 WHERE b IS DISTINCT FROM 3 AND a < 12;
SELECT a FROM t1 WHERE b IS NOT DISTINCT FROM NULL;
SELECT 1 IS DISTINCT FROM NULL, NULL IS DISTINCT FROM NULL, 1 IS NOT DISTINCT FROM 1, NULL IS NOT DISTINCT FROM 2;
-- three-valued logic
SELECT NULL AND true, NULL AND false, NULL OR true, NULL OR false, NOT NULL::boolean;
SELECT a, b > 2 AND c LIKE 'v%', b > 2 OR c LIKE 'v%', NOT (b > 2) FROM t1 WHERE a IN (5, 11, 17, 22, 34, 51);
SELECT count(*) FROM t1 WHERE b > 2 OR b <= 2;
SELECT count(*) FROM t1 WHERE NOT (b > 2);
SELECT a FROM t1 WHERE (b = 1) IS NULL;
SELECT flag, NOT flag, flag AND true, flag OR false, flag IS TRUE, flag IS NOT FALSE, flag IS UNKNOWN FROM nums;
SELECT NULL = NULL, NULL <> 1, 1 < NULL, NULL::int + 1, NULL || 'x';
-- comparisons across types
SELECT a FROM t1 WHERE a = 5.0;
SELECT a FROM t1 WHERE a < 2.5 AND a > -0.5;
SELECT id FROM nums WHERE i8 > 2147483647;
SELECT id FROM nums WHERE f8 > 1 AND n > 1;
SELECT id, i2 = i8, f4 = f8, f4 < n FROM nums;
-- type mismatch errors
-- the unknown-type literal is read as an integer
-- error 22P02
SELECT 'a' + 1;
-- error 42883
SELECT a + c FROM t1;
-- error 42804
SELECT a FROM t1 WHERE a;
-- error 42804
SELECT CASE WHEN true THEN 1 ELSE 'x'::text END;
-- error 42883
SELECT e * 2 FROM t2;
-- error 42883
SELECT -'abc'::text;
