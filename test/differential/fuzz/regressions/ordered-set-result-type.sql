-- Found by the SQL fuzzer (seed 20202, shape 1seg), shrunk: percentile_disc and mode return the
-- type of what they order (anyelement), so over a varchar column the result is a varchar,
-- though the values are compared as text.
-- setup
CREATE TABLE t0 (c2 varchar(12), c3 numeric(12,2)) DISTRIBUTED BY (c3);
INSERT INTO t0 VALUES ('b', 1), ('a', 2), ('b', 3), (NULL, 4);
-- queries
SELECT percentile_disc(0.25) WITHIN GROUP (ORDER BY a0.c2) FILTER (WHERE (a0.c2 IS NOT NULL)) AS x0 FROM t0 a0;
SELECT mode() WITHIN GROUP (ORDER BY a0.c2) AS x0, max(a0.c2) AS x1 FROM t0 a0;
SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY a0.c3) AS x0 FROM t0 a0;
