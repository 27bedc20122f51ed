-- Found by the SQL fuzzer (seeds 8, 23, 56): an infinite date as a join or group key threw a
-- RangeError while hashing; a date past 294276-12-31 became a timestamp; date + n past
-- 5874897-12-31 was accepted.
-- setup
CREATE TABLE t1 (c0 date, c1 date) DISTRIBUTED BY (c0);
INSERT INTO t1 VALUES (NULL, '-infinity'), ('infinity', 'infinity'), ('2024-01-01', '5874897-12-31');
-- queries
SELECT a1.c1 FROM t1 a0 INNER JOIN t1 a1 ON (a0.c0 = a1.c1);
SELECT c0, count(*) FROM t1 GROUP BY c0;
SELECT c1, count(*) FROM t1 GROUP BY c1;
-- error 22008
SELECT date_trunc('month', c1) FROM t1;
-- error 22008
SELECT c1 + 1 FROM t1;
-- error 22008
SELECT ('5874897-12-31'::date + 7) AS x2 FROM t1 a4;
-- error 22008
SELECT date_part('day', c1) FROM t1;
