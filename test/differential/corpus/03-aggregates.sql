-- Aggregates: count/sum/avg/min/max over every type, count(DISTINCT), GROUP BY / HAVING,
-- aggregates over empty input and over NULLs.
-- setup
-- include _setup.sql

-- queries
SELECT count(*), count(a), count(b), count(c) FROM t1;
SELECT sum(a), sum(b), avg(a), avg(b), min(a), max(a), min(b), max(b) FROM t1;
SELECT min(c), max(c) FROM t1;
SELECT count(*), sum(d), avg(d), min(d), max(d), min(e), max(e) FROM t2;
SELECT sum(f), avg(f), min(f), max(f), count(f) FROM t3;
SELECT sum(i2), sum(i8), avg(i2), min(i8), max(i8) FROM nums WHERE id <> 2;
SELECT sum(f4), sum(f8), avg(f4), min(f4), max(f8), min(f8) FROM nums;
SELECT sum(n), avg(n), min(n), max(n) FROM nums;
SELECT min(vc), max(vc), min(ts), max(ts), min(dt), max(dt) FROM nums;
SELECT sum(big), avg(big), min(big), max(big), sum(amount), avg(amount) FROM ao1;
SELECT count(*), min(name), max(name), count(active) FROM r1;
SELECT bool_and(active), bool_or(active), every(code < 10) FROM r1;
-- sum(bigint) is numeric: no overflow
SELECT sum(i8) FROM nums WHERE id IN (2, 6);
-- aggregates over empty input
SELECT count(*), count(a), sum(a), avg(a), min(a), max(a) FROM empty1;
SELECT sum(n), avg(n), sum(f), avg(f), min(b), max(b) FROM empty1;
SELECT count(*), sum(b) FROM t1 WHERE a > 1000;
SELECT count(*), max(d), min(e) FROM t2 WHERE a < 0;
SELECT count(DISTINCT a) FROM empty1;
SELECT a, count(*) FROM empty1 GROUP BY a;
SELECT count(*) FROM empty1 HAVING count(*) > 0;
SELECT count(*) FROM empty1 HAVING count(*) = 0;
-- aggregates over only NULLs
SELECT sum(b), avg(b), min(b), max(b), count(b) FROM t1 WHERE b IS NULL;
-- count(DISTINCT)
SELECT count(DISTINCT b) FROM t1;
SELECT count(DISTINCT c), count(c) FROM t1;
SELECT count(DISTINCT k), count(DISTINCT v) FROM t3;
SELECT count(DISTINCT e), count(DISTINCT d) FROM t2;
SELECT b, count(DISTINCT c) FROM t1 GROUP BY b;
SELECT grp, count(DISTINCT id % 7), count(*) FROM ao1 GROUP BY grp;
SELECT count(DISTINCT a % 5) FROM t1 WHERE a > 0;
SELECT count(DISTINCT f) FROM t3;
-- GROUP BY
SELECT b, count(*) FROM t1 GROUP BY b;
SELECT b, count(*), sum(a), min(a), max(a), avg(a) FROM t1 GROUP BY b ORDER BY b;
SELECT c, count(*) FROM t1 GROUP BY c;
SELECT b, c, count(*) FROM t1 WHERE a < 50 GROUP BY b, c;
SELECT a % 3 AS m, count(*) FROM t1 GROUP BY a % 3;
-- one grouping key of each type the hash table keys by value: NULLs meet, NaN meets NaN, 0 meets -0
SELECT i2, count(*) FROM nums GROUP BY i2;
SELECT i8, count(*) FROM nums GROUP BY i8;
SELECT flag, count(*), sum(id) FROM nums GROUP BY flag;
SELECT dt, count(*) FROM nums GROUP BY dt;
SELECT vc, count(*) FROM nums GROUP BY vc;
SELECT lower(vc), count(*) FROM nums GROUP BY lower(vc);
SELECT f4 * 0, count(*) FROM nums GROUP BY f4 * 0;
SELECT x, count(*) FROM (VALUES (0::float8), (-0::float8), ('NaN'::float8), ('NaN'::float8), (NULL), (1.5)) v(x) GROUP BY x;
SELECT x, count(*) FROM (VALUES ('a'::text), (NULL), ('N'), ('a'), (NULL)) v(x) GROUP BY x;
SELECT x, count(*) FROM (VALUES (1::int8), (1), (NULL), (2)) v(x) GROUP BY x HAVING count(*) > 1;
SELECT a % 3 AS m, sum(b) FROM t1 GROUP BY m ORDER BY m;
SELECT a % 4, count(*) FROM t1 GROUP BY 1 ORDER BY 1;
SELECT k, count(*), sum(f), avg(f), max(v) FROM t3 GROUP BY k;
SELECT e, count(*) FROM t2 GROUP BY e;
SELECT grp, count(*), sum(amount), avg(amount), min(ts), max(ts), sum(big) FROM ao1 GROUP BY grp;
SELECT flag, count(*), sum(i2), avg(f4) FROM nums GROUP BY flag;
SELECT active, count(*), min(code) FROM r1 GROUP BY active;
SELECT b IS NULL AS nb, count(*) FROM t1 GROUP BY b IS NULL;
SELECT length(c), count(*) FROM t1 GROUP BY length(c);
SELECT k, count(*) FROM t3 GROUP BY k ORDER BY count(*) DESC, k;
SELECT b, sum(a) * 2, max(a) - min(a), count(*) + 1 FROM t1 GROUP BY b;
SELECT b FROM t1 GROUP BY b;
SELECT b, count(*) FROM t1 GROUP BY b ORDER BY count(*) DESC, b LIMIT 3;
SELECT (SELECT count(*) FROM t2) AS n2, count(*) FROM t1;
-- HAVING
SELECT b, count(*) FROM t1 GROUP BY b HAVING count(*) > 14;
SELECT b, sum(a) FROM t1 GROUP BY b HAVING sum(a) > 700 ORDER BY b;
SELECT c, count(*) FROM t1 GROUP BY c HAVING count(*) >= 8 AND c IS NOT NULL;
SELECT k, avg(f) FROM t3 GROUP BY k HAVING avg(f) > 0;
SELECT grp, sum(amount) FROM ao1 GROUP BY grp HAVING min(id) < 3;
SELECT count(*) FROM t1 HAVING sum(a) > 0;
SELECT b, count(*) FROM t1 WHERE a > 50 GROUP BY b HAVING max(a) < 100;
-- errors
-- error 42803
SELECT a, count(*) FROM t1;
-- error 42803
SELECT b, c FROM t1 GROUP BY b;
-- error 42803
SELECT a FROM t1 WHERE count(*) > 1;
-- error 42883
SELECT sum(c) FROM t1;
-- error 42883
SELECT avg(e) FROM t2;
-- ORDER BY inside aggregate calls
SELECT string_agg(c, ',' ORDER BY a) FROM t1 WHERE a < 20;
SELECT string_agg(c, ',' ORDER BY a DESC) FROM t1 WHERE a BETWEEN 30 AND 45;
SELECT b, string_agg(a::text, ' ' ORDER BY a) FROM t1 WHERE a < 40 GROUP BY b ORDER BY b;
SELECT b, string_agg(c, ';' ORDER BY c NULLS FIRST, a) FROM t1 WHERE a < 60 GROUP BY b ORDER BY b;
SELECT string_agg(DISTINCT c, ',' ORDER BY c) FROM t1 WHERE a < 30;
SELECT string_agg(DISTINCT c, ',' ORDER BY c DESC) FROM t1 WHERE a < 30;
SELECT sum(a ORDER BY a), count(c ORDER BY b) FROM t1;
SELECT b, string_agg(c, ',' ORDER BY a) FILTER (WHERE a % 2 = 0) FROM t1 WHERE a < 30 GROUP BY b ORDER BY b;
-- error 42P10
SELECT string_agg(DISTINCT c, ',' ORDER BY a) FROM t1;
-- error 42809
SELECT lower(c ORDER BY a) FROM t1;
-- ordered-set aggregates (WITHIN GROUP)
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY a) FROM t1;
SELECT b, percentile_cont(0.25) WITHIN GROUP (ORDER BY a), percentile_disc(0.25) WITHIN GROUP (ORDER BY a) FROM t1 GROUP BY b ORDER BY b;
SELECT percentile_disc(0.9) WITHIN GROUP (ORDER BY c) FROM t1;
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d DESC), percentile_disc(0.5) WITHIN GROUP (ORDER BY e) FROM t2;
SELECT mode() WITHIN GROUP (ORDER BY b), mode() WITHIN GROUP (ORDER BY c) FROM t1;
SELECT percentile_disc(0) WITHIN GROUP (ORDER BY a), percentile_disc(1) WITHIN GROUP (ORDER BY a), percentile_cont(1) WITHIN GROUP (ORDER BY a) FROM t1;
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY a) FROM t1 WHERE false;
-- error 22003
SELECT percentile_cont(1.5) WITHIN GROUP (ORDER BY a) FROM t1;
-- error 42883
SELECT percentile_cont(0.5) FROM t1;
-- error 42883
SELECT sum(a) WITHIN GROUP (ORDER BY a) FROM t1;
