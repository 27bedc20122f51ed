-- Shared tables, spliced into every corpus file's setup section with `-- include _setup.sql`.
-- Hash-distributed, randomly distributed, replicated and append-optimized tables, with NULLs,
-- duplicates, negative numbers and the extremes of each type.
CREATE TABLE t1 (a int, b int, c text) DISTRIBUTED BY (a);
INSERT INTO t1
SELECT i,
       CASE WHEN i % 11 = 0 THEN NULL ELSE i % 7 END,
       CASE WHEN i % 17 = 0 THEN NULL ELSE 'v' || (i % 13) END
FROM generate_series(1, 100) AS g(i);
INSERT INTO t1 VALUES (-1, -5, 'Hello'), (0, 0, ''), (101, NULL, 'hello world'), (102, 3, 'HELLO'),
  (103, 2, 'a%b_c'), (104, NULL, NULL);

CREATE TABLE t2 (a int, d numeric(10,2), e date) DISTRIBUTED BY (a);
INSERT INTO t2
SELECT i * 2,
       CASE WHEN i % 9 = 0 THEN NULL ELSE ((i * 37) % 101) * 0.75 - 20.5 END,
       CASE WHEN i % 13 = 0 THEN NULL ELSE ('2024-' || (1 + i % 12) || '-' || (1 + i % 28))::date END
FROM generate_series(1, 60) AS g(i);
INSERT INTO t2 VALUES (10, 99.99, '2023-12-31'), (10, -0.01, '2024-02-29'), (200, 1.00, '2024-07-04'),
  (NULL, 5.55, '2020-01-01');

CREATE TABLE t3 (id int, k int, v text, f float8) DISTRIBUTED RANDOMLY;
INSERT INTO t3
SELECT i,
       CASE WHEN i % 19 = 0 THEN NULL ELSE i % 10 END,
       'w' || (i % 26),
       CASE WHEN i % 23 = 0 THEN NULL ELSE (i % 17) * 0.25 - 1.5 END
FROM generate_series(1, 80) AS g(i);

CREATE TABLE r1 (code int, name varchar(20), active boolean) DISTRIBUTED REPLICATED;
INSERT INTO r1 VALUES (0, 'zero', true), (1, 'one', true), (2, 'two', false), (3, 'three', NULL),
  (4, 'four', true), (5, 'five', false), (6, 'six', true), (9, 'nine', false);

CREATE TABLE ao1 (id bigint, grp int, amount numeric(12,3), ts timestamp, big bigint)
WITH (appendoptimized=true) DISTRIBUTED BY (id);
INSERT INTO ao1
SELECT i,
       i % 5,
       CASE WHEN i % 31 = 0 THEN NULL ELSE ((i * 7) % 1000) * 0.125 END,
       ('2024-03-' || (10 + i % 18) || ' ' || (10 + i % 13) || ':' || (10 + i % 49) || ':05')::timestamp,
       i * 100000000000
FROM generate_series(1, 200) AS g(i);

CREATE TABLE nums (id int, i2 smallint, i8 bigint, f4 real, f8 double precision, n numeric,
  flag boolean, vc varchar(8), ts timestamp, dt date) DISTRIBUTED BY (id);
INSERT INTO nums VALUES
  (1, 1, 1, 1.5, 0.1, 1.10, true, 'abc', '2024-01-01 10:00:00', '2024-01-01'),
  (2, -32768, 9223372036854775807, -2.25, 1e300, 123456789.123456789, false, 'abcdefgh',
   '1999-12-31 23:59:59.5', '1999-12-31'),
  (3, 32767, -9223372036854775808, 3.5, -0.5, -0.001, NULL, '', '2000-02-29 12:00:00', '2000-02-29'),
  (4, NULL, 9007199254740993, 0.1, 1e-300, 0, true, NULL, NULL, NULL),
  (5, 0, NULL, NULL, NULL, NULL, false, 'xyz', '2024-06-15 08:30:00.123456', '2024-06-15'),
  (6, 7, 42, 2.5, 2.5, 2.5, true, 'ABC', '2024-06-15 08:30:00', '2024-06-15'),
  (7, 7, -42, -0.125, 1234567.875, 99999999999999999999.5, false, 'a b', '2024-12-31 23:59:59', '2024-12-31'),
  (8, -7, 1000000000000, 100, 1e15, 0.000001, NULL, 'x', '1970-01-01 00:00:00', '1970-01-01');

CREATE TABLE empty1 (a int, b text, n numeric, f double precision) DISTRIBUTED BY (a);
