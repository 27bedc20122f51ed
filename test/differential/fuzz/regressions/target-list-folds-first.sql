-- Found by the SQL fuzzer (seed 700008, shape 1seg), shrunk: two constant subexpressions that
-- both fail. Postgres folds the target list before the quals, so its error is the target
-- list's (0A000, NaN to integer); ours was the join qual's, raised first on the segments (22008).
-- setup
CREATE TABLE t0 (c0 bigint, c2 text) DISTRIBUTED BY (c0);
CREATE TABLE t1 (c0 text, c3 int) DISTRIBUTED REPLICATED;
CREATE TABLE t2 (c1 numeric(12,2)) DISTRIBUTED BY (c1);
-- queries
-- error 0A000
SELECT round('NaN'::numeric)::int AS x2 FROM (SELECT 3 AS x0 FROM t0 a0 INNER JOIN (SELECT a2.c0 AS x1 FROM t2 a1 INNER JOIN t1 a2 ON (a2.c3 NOT BETWEEN date_part('day', '5874897-12-31'::date)::int AND ascii(a2.c0))) a3 ON (a0.c2 = a3.x1)) a4;
-- error 22012
SELECT 1 / 0 AS x FROM t0 WHERE false;
