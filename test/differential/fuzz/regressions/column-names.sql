-- Found by the SQL fuzzer (seeds 17, 28): output names as Postgres' FigureColname.
-- setup
CREATE TABLE t0 (c0 int, c2 text, c3 numeric) DISTRIBUTED BY (c0);
INSERT INTO t0 VALUES (1, 'a', 2.5);
-- queries
SELECT (c0::numeric >= c3)::text, c3::bigint::int, c2::text, 'x'::text, CASE WHEN c0 > 0 THEN c2 END, CASE WHEN c0 > 0 THEN 1 ELSE c0 END, (SELECT max(c2) FROM t0) FROM t0;
