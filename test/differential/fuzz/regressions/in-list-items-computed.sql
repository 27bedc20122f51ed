-- Found by the SQL fuzzer (seed 14195, shape 1seg), shrunk: PostgreSQL compares an IN list's
-- items that read the row one by one (OR'd =), computing each, though the left side is NULL;
-- c3 - 12 overflows on the row's minimum int. Ours skipped the list for a NULL left side.
-- setup
CREATE TABLE t0 (c3 int) DISTRIBUTED RANDOMLY;
INSERT INTO t0 VALUES ((-2147483648));
-- queries
-- error 22003
SELECT (-3) AS x2 FROM t0 a0 WHERE (NULLIF(a0.c3, a0.c3) IN ((a0.c3 - 12), a0.c3));
-- error 22003
SELECT (-3) AS x2 FROM t0 a0 WHERE (NULLIF(a0.c3, a0.c3) NOT IN (a0.c3, (a0.c3 - 12)));
SELECT NULLIF(a0.c3, a0.c3) IN (1, 2, 3), NULLIF(a0.c3, a0.c3) IN (a0.c3, 1, 2), a0.c3 IN (a0.c3, a0.c3 - 12) FROM t0 a0;
-- Seed 14512: NOT IN's <> tests are quals ordered by cost with the others: c0 <> c0 (cheap,
-- false) stops the row before date_trunc of the largest date fails (22008).
CREATE TABLE t1 (c0 date) DISTRIBUTED BY (c0);
INSERT INTO t1 VALUES ('5874897-12-31');
SELECT '-4'::float8 AS x2 FROM t1 a0 WHERE (a0.c0 NOT IN (date_trunc('month', a0.c0)::date, a0.c0));
